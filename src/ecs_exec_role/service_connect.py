"""ECS service documents, for the one service setting that uses the execution role.

A service's Service Connect configuration may carry a ``logConfiguration``
for its proxy (and the proxy's access logs). ECS delivers those logs with the
task's execution role, exactly as it does a container's, so a service with
Service Connect logs to CloudWatch needs its log group granted too. Nothing
else in a service uses the execution role: Service Connect TLS uses the ECS
infrastructure role.

Accepted shapes, each validated against the ECS API model that botocore
ships:

- the ``CreateService`` input (``aws ecs create-service --cli-input-json``);
- ``aws ecs describe-services`` output, with one or more services, where each
  deployment carries the Service Connect configuration its tasks use;
- ``create-service`` or ``update-service`` output (a ``service`` object), or a
  single service of ``describe-services`` output.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# The ECS model's checker and its null handling, shared with task definitions
# so that both kinds of document are refused in the same words.
from .documents import TaskDefinitionDocument, _checked, _without_nulls, load_source
from .errors import InvalidTaskDefinitionError

__all__ = ["ServiceDocument", "read_services"]

# describe-services output and its services carry these; CreateService input does not.
_SERVICE_MARKERS = frozenset({"serviceArn", "deployments", "status", "clusterArn"})


@dataclass(frozen=True)
class ServiceDocument:
    """One ECS service, as CreateService input or as a described ``Service``.

    ``shape`` names the ECS API shape of ``body`` (``CreateServiceRequest`` or
    ``Service``); ``label`` and ``prefix`` lead back to the user's file, so
    that needs and errors name the user's own JSON path, such as
    ``services[0].deployments[0].serviceConnectConfiguration.logConfiguration``.
    ``ignored`` holds the API paths of CreateService keys that the model does
    not know, which were dropped.
    """

    body: Mapping[str, Any]
    shape: str
    label: str = ""
    prefix: str = ""
    ignored: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The service's name, or ``""`` when the document does not say."""
        return str(self.body.get("serviceName", ""))

    def path(self, api_path: str) -> str:
        """The user's own JSON path for an API path within the service."""
        return self.paths.path(api_path)

    @property
    def paths(self) -> TaskDefinitionDocument:
        """A view that maps API paths to the user's paths, like a task definition."""
        return TaskDefinitionDocument(self.body, label=self.label, prefix=self.prefix)

    def service_connect(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Each Service Connect configuration, with its API path.

        CreateService input has one; a described service has one for each
        deployment, since tasks of an older deployment keep running, and
        starting, until the newer one completes.
        """
        if self.shape == "CreateServiceRequest":
            config = self.body.get("serviceConnectConfiguration")
            if config:
                yield "serviceConnectConfiguration", config
            return
        for index, deployment in enumerate(self.body.get("deployments", ())):
            config = deployment.get("serviceConnectConfiguration")
            if config:
                yield f"deployments[{index}].serviceConnectConfiguration", config

    @classmethod
    def from_log_configuration(
        cls, log_configuration: Mapping[str, Any], *, label: str = ""
    ) -> ServiceDocument:
        """A service whose Service Connect proxy logs with ``log_configuration``.

        For callers that hold the log configuration itself (a ``LogConfiguration``
        of the ECS API: ``logDriver``, ``options``, ``secretOptions``) rather
        than a service document.
        """
        body = {
            "serviceName": label or "service",
            "serviceConnectConfiguration": {
                "enabled": True,
                "logConfiguration": dict(log_configuration),
            },
        }
        return _create_service(body, label=label, prefix="")


def read_services(source: Any, *, label: str = "") -> list[ServiceDocument]:
    """Every service in ``source``: a path, JSON text or bytes, or a parsed value.

    Raises :class:`InvalidTaskDefinitionError`, naming the JSON path, when the
    document is none of the accepted shapes or does not match the ECS API model.
    """
    return _services(load_source(source, label=label), label=label)


def _services(document: Any, *, label: str) -> list[ServiceDocument]:
    where = label or "the document"
    document = _without_nulls(document)
    if not isinstance(document, dict):
        raise InvalidTaskDefinitionError(
            f"{where} is a JSON {type(document).__name__}; expected an ECS service: "
            "CreateService input, or describe-services, create-service or "
            "update-service output",
            value=document,
        )
    if isinstance(document.get("services"), list):
        return _described(document, label=label)
    if isinstance(document.get("service"), dict):
        return [_service(document["service"], label=label, prefix="service")]
    if _SERVICE_MARKERS & document.keys():
        return [_service(document, label=label, prefix="")]
    if "serviceName" in document:
        return [_create_service(document, label=label, prefix="")]
    raise InvalidTaskDefinitionError(
        f"{where} is not an ECS service: it has no 'serviceName' (CreateService "
        "input), 'services' (describe-services output) or 'service' "
        "(create-service or update-service output)",
        value=sorted(document)[:10],
    )


def _described(document: Mapping[str, Any], *, label: str) -> list[ServiceDocument]:
    services = [
        _service(service, label=label, prefix=f"services[{index}]")
        for index, service in enumerate(document["services"])
    ]
    if services:
        return services
    # describe-services answers a name it does not find with a failure.
    failures = [
        f"{failure.get('arn', '?')}: {failure.get('reason', '?')}"
        for failure in document.get("failures", ())
        if isinstance(failure, dict)
    ]
    reasons = f" (failures: {'; '.join(failures)})" if failures else ""
    raise InvalidTaskDefinitionError(
        f"{label or 'the document'} describes no service{reasons}",
        path="services",
        value=failures,
    )


def _service(body: Any, *, label: str, prefix: str) -> ServiceDocument:
    unchecked = TaskDefinitionDocument(
        body if isinstance(body, dict) else {}, label=label, prefix=prefix
    )
    # Output of a newer API than botocore's model may carry keys it does not
    # know; they are dropped without a word, since no one wrote them.
    checked, _ = _checked(unchecked, body, "Service")
    return ServiceDocument(checked, "Service", label=label, prefix=prefix)


def _create_service(body: Any, *, label: str, prefix: str) -> ServiceDocument:
    unchecked = TaskDefinitionDocument(body, label=label, prefix=prefix)
    checked, ignored = _checked(unchecked, body, "CreateServiceRequest")
    return ServiceDocument(
        checked, "CreateServiceRequest", label=label, prefix=prefix, ignored=ignored
    )
