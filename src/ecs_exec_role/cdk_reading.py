"""CDK objects and task definitions, read into the needs of an execution role.

The construct hands this module what it was given: CDK interfaces or ARN strings
as keyword arguments, and the CDK task definitions that use the role, which are
read once the construct tree is complete. Values are either literal, and then
parsed by the same functions as the document reader, or CDK tokens, and then
taken from the CDK object that carries them (a repository, secret, parameter or
bucket found in the app by the exact reference it produced), never parsed.

A container setting links to its object by identity of the reference string:
``ecs.Secret.from_secrets_manager(secret, "password")`` renders as
``secret.secret_arn + ":password::"``, ``ecs.Secret.from_ssm_parameter(p)`` as
``p.parameter_arn``, an environment file as ``bucket.bucket_name`` plus a key.
Images are the one setting whose reference aws-cdk-lib rebuilds with fresh
tokens, so an image is matched to a repository by comparing the resolved
CloudFormation values of the image and of ``repository.repository_uri``.
"""

from __future__ import annotations

import functools
import json
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from aws_cdk.interfaces import ResourceEnvironment
from constructs import IConstruct

from . import warnings as ids
from .arns import _REPOSITORY, Arn, parse_arn, parse_ecr_image, partition_for_region
from .errors import ExecutionRoleError, InvalidReferenceError
from .needs import (
    ImagePull,
    KeyDecrypt,
    LogDelivery,
    Need,
    ObjectRead,
    ParameterRead,
    SecretRead,
    via_service,
)
from .reading import (
    _BUCKET,
    _GO_FALSE,
    _GO_TRUE,
    _KEY_ID,
    _LOG_GROUP,
    _NOT_IN_STREAM_NAMES,
    _PARAMETER_NAME,
    _PLACEHOLDER,
    _SECRET_NAME,
    _SECRET_SELECTORS,
    _SECRET_SUFFIX,
    Derivation,
)
from .runtime_monitoring import is_guardduty_agent_repository
from .warnings import RoleWarning

__all__ = [
    "CdkReader",
    "KeyMap",
    "TokenArn",
    "flatten_reference",
    "offers",
    "string_parts",
]

# An image tag or digest follows the repository name.
_IMAGE_REMAINDER = re.compile(r"^[:@]")

ECR_IMAGE_REQUIRES_POLICY = "@aws-cdk/aws-ecs:ecrImageRequiresPolicy"
"""aws-cdk-lib's warning on a container whose ECR image it grants no pull for."""


@dataclass(frozen=True, order=True)
class TokenArn(Arn):
    """An ARN that only deployment knows whole, carried as its CDK token.

    ``token`` is what :meth:`render` returns (``secret.secret_arn``,
    ``repository.repository_arn``, ...); the five fields hold what the CDK
    object says of itself (its environment's account and Region, possibly
    tokens too) and serve warnings and descriptions, never rendering.
    """

    token: str = ""

    def render(self) -> str:
        return self.token

    def with_resource(self, resource: str, *, service: str | None = None) -> Arn:
        # A token cannot be cut into fields: building another ARN from it would
        # have to parse it. Needs that derive ARNs get typed ones instead.
        raise TypeError(f"{self.token!r} is an opaque CDK token; it has no fields")


def flatten_reference(value: Any) -> str:
    """A resolved CloudFormation value as one string, the way cdk-nag writes it.

    ``{"Ref": "Logs6819BB44"}`` becomes ``<Logs6819BB44>``, a ``Fn::GetAtt``
    ``<Resource.Attribute>``, a ``Fn::Join`` its joined parts; other intrinsic
    functions are written as compact JSON. cdk-nag names a finding about a
    resource with this string (``AwsSolutions-IAM5[Resource::...]``), and it
    orders token-bearing resources by their logical ids, which do not move when
    constructs are added in another order.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict):
        # cdk-nag tries the functions in this order.
        for function in ("Fn::Join", "Fn::Sub", "Fn::GetAtt", "Fn::ImportValue", "Ref"):
            if function in value:
                return _flatten_function(function, value[function])
    return _compact_json(value)


def _flatten_function(function: str, argument: Any) -> str:
    if function == "Fn::Join":
        delimiter, items = argument
        return str(delimiter).join(flatten_reference(item) for item in items)
    if function == "Fn::GetAtt":
        resource, attribute = argument
        return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
    if function == "Ref":
        return f"<{flatten_reference(argument)}>"
    return flatten_reference(argument)


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class KeyMap:
    """The caller's ``kms_keys``: a resource as written, to the key that encrypts it.

    Keys are CDK keys or key ARNs. Entries are consumed as resources find them;
    :meth:`unused` names the ones nothing used, which is a mistake worth
    reporting (a misspelt name would otherwise leave a secret undecryptable).
    """

    def __init__(self, mapping: Mapping[str, kms.IKey | str] | None) -> None:
        self.entries = dict(mapping or {})
        self.used: set[str] = set()
        for resource, key in self.entries.items():
            if cdk.Token.is_unresolved(resource):
                raise InvalidReferenceError(
                    "kms_keys must be keyed by the resource as written (an ARN or a "
                    f"name), not a CDK token; received {resource!r}: pass the "
                    "secret or parameter object itself, which brings its key",
                    path="kms_keys",
                    value=resource,
                )
            if isinstance(key, str) and not cdk.Token.is_unresolved(key):
                _literal_key_arn(key, f"kms_keys[{resource!r}]")

    def lookup(self, *names: str) -> kms.IKey | str | None:
        for name in names:
            if name in self.entries:
                self.used.add(name)
                return self.entries[name]
        return None

    def unused(self) -> list[str]:
        return sorted(set(self.entries) - self.used)


_KINDS: dict[type[Need], str] = {
    ImagePull: "repository",
    SecretRead: "secret",
    ParameterRead: "parameter",
    KeyDecrypt: "KMS key",
}


class _Collector:
    """Needs in the order met, the settings behind each, warnings and problems.

    ``account`` is the role's, when concrete: a resource of another account
    needs its owner's consent too, which the user must be told.
    """

    def __init__(self, account: str | None) -> None:
        self.account = account
        self.needs: dict[Need, list[str]] = {}
        self.warnings: list[RoleWarning] = []
        self.problems: list[ExecutionRoleError] = []

    def add(self, need: Need) -> None:
        sources = self.needs.setdefault(need, [])
        if need.source not in sources:
            sources.append(need.source)
        owner = need.account
        if (
            self.account is None
            or owner is None
            or cdk.Token.is_unresolved(owner)
            or owner == self.account
            or (
                isinstance(need, ImagePull)
                and is_guardduty_agent_repository(need.repository)
            )
        ):
            return
        self.warn(
            ids.CROSS_ACCOUNT_RESOURCE,
            f"the {_KINDS.get(type(need), 'resource')} is in account {owner}; its "
            f"owner must also allow this role (or account {self.account}) in the "
            "resource's policy",
            need.source,
        )

    def warn(self, warning_id: str, message: str, path: str = "") -> None:
        warning = RoleWarning(warning_id, message, path)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def attempt(self, read: Callable[..., None], *args: Any) -> None:
        """Read one setting; a problem is kept, so that all are reported together."""
        try:
            read(*args)
        except ExecutionRoleError as problem:
            self.problems.append(problem)

    def derivation(self) -> Derivation:
        return Derivation(
            needs=tuple(self.needs),
            sources={need: tuple(paths) for need, paths in self.needs.items()},
            warnings=tuple(self.warnings),
        )


_SYNTHESIS_INDEXES: weakref.WeakKeyDictionary[Any, _ResourceIndex] = (
    weakref.WeakKeyDictionary()
)


class _ResourceIndex:
    """The CDK objects of an app that a container setting can refer to.

    Imported resources reach Python as dynamic proxies of their interfaces, so
    objects are recognised by the attributes of those interfaces rather than by
    class.
    """

    def __init__(self, root: IConstruct) -> None:
        self.repositories: list[ecr.IRepository] = []
        self.image_assets: list[
            ecr_assets.DockerImageAsset | ecr_assets.TarballImageAsset
        ] = []
        self.secrets: list[secretsmanager.ISecret] = []
        self.parameters: list[ssm.IParameter] = []
        self.buckets: list[s3.IBucket] = []
        for construct in root.node.find_all():
            self._classify(construct)
        self._uris: dict[tuple[str, int], Any] = {}

    def _classify(self, construct: Any) -> None:
        if isinstance(
            construct, (ecr_assets.DockerImageAsset, ecr_assets.TarballImageAsset)
        ):
            self.image_assets.append(construct)
        elif offers(construct, "repository_uri_for_tag"):
            self.repositories.append(construct)
        elif offers(construct, "secret_value_from_json"):
            self.secrets.append(construct)
        elif offers(construct, "parameter_arn") and offers(construct, "grant_read"):
            self.parameters.append(construct)
        elif offers(construct, "arn_for_objects"):
            self.buckets.append(construct)

    @functools.cached_property
    def _secrets_by_arn(self) -> dict[str, secretsmanager.ISecret]:
        # One read of each ARN: a property read is a round trip to jsii.
        return {secret.secret_arn: secret for secret in self.secrets}

    @functools.cached_property
    def _parameters_by_arn(self) -> dict[str, ssm.IParameter]:
        return {parameter.parameter_arn: parameter for parameter in self.parameters}

    @functools.cached_property
    def _buckets_by_name(self) -> dict[str, s3.IBucket]:
        return {bucket.bucket_name: bucket for bucket in self.buckets}

    @functools.cached_property
    def _buckets_by_arn(self) -> dict[str, s3.IBucket]:
        return {bucket.bucket_arn: bucket for bucket in self.buckets}

    def secret_for(self, value: str) -> secretsmanager.ISecret | None:
        """The secret whose ARN ``value`` is, alone or with ``:KEY:STAGE:VERSION``."""
        fields = value.split(":")
        # The ARN itself, then without one, two or three selector fields.
        for cut in range(min(3, len(fields) - 1) + 1):
            secret = self._secrets_by_arn.get(":".join(fields[: len(fields) - cut]))
            if secret is not None:
                return secret
        return None

    def parameter_for(self, value: str) -> ssm.IParameter | None:
        return self._parameters_by_arn.get(value)

    def bucket_named(self, name: str) -> s3.IBucket | None:
        return self._buckets_by_name.get(name)

    def bucket_of_object(self, object_arn: str) -> tuple[s3.IBucket, str] | None:
        """The bucket and key of ``bucket.arn_for_objects(key)``."""
        # Neither a bucket's ARN nor a token string holds a '/': the first one
        # ends the bucket.
        bucket_arn, slash, key = object_arn.partition("/")
        bucket = self._buckets_by_arn.get(bucket_arn) if slash else None
        return (bucket, key) if bucket is not None else None

    def repository_for_image(
        self, image: str, stack: cdk.Stack
    ) -> ecr.IRepository | None:
        """The repository whose URI ``image`` is, followed by a tag or digest.

        aws-cdk-lib builds ``repository.repository_uri_for_tag(tag)`` from fresh
        tokens on every call, so the strings never match; their resolved
        CloudFormation values do.
        """
        for asset in self.image_assets:
            if asset.image_uri == image:
                return asset.repository
        resolved = stack.resolve(image)
        for repository in self.repositories:
            key = (stack.node.path, id(repository))
            if key not in self._uris:
                self._uris[key] = stack.resolve(repository.repository_uri)
            remainder = _remainder(resolved, self._uris[key])
            if remainder is not None and (
                not remainder
                or (
                    isinstance(remainder[0], str)
                    and _IMAGE_REMAINDER.match(remainder[0])
                )
            ):
                return repository
        return None


def offers(construct: Any, attribute: str) -> bool:
    """Whether ``construct`` offers ``attribute``, without reading a property.

    This is how a CDK interface is recognised: imported resources reach Python
    as dynamic proxies of the interfaces they implement, not as their classes.
    """
    if hasattr(type(construct), attribute):
        return True
    # Imported resources are dynamic proxies of the interfaces they implement.
    return type(construct).__name__ == "InterfaceDynamicProxy" and hasattr(
        construct, attribute
    )


def string_parts(value: Any) -> list[Any]:
    """A resolved string value as its literal and intrinsic parts, in order.

    CDK resolves a string with tokens to ``{"Fn::Join": ["", parts]}``;
    adjacent literals are merged, so equal values give equal parts.
    """
    items = (
        value["Fn::Join"][1]
        if isinstance(value, dict)
        and "Fn::Join" in value
        and value["Fn::Join"][0] == ""
        else [value]
    )
    parts: list[Any] = []
    for item in items:
        if isinstance(item, str) and parts and isinstance(parts[-1], str):
            parts[-1] += item
        elif item != "":
            parts.append(item)
    return parts


def _remainder(whole: Any, prefix: Any) -> list[Any] | None:
    """What follows ``prefix`` in ``whole`` (resolved values), or None."""
    head, tail = string_parts(whole), string_parts(prefix)
    if not tail or len(head) < len(tail) or head[: len(tail) - 1] != tail[:-1]:
        return None
    first, last = head[len(tail) - 1], tail[-1]
    rest = head[len(tail) :]
    if isinstance(last, str):
        if not isinstance(first, str) or not first.startswith(last):
            return None
        return [first[len(last) :], *rest] if first != last else rest
    return rest if first == last else None


class CdkReader:
    """Turns CDK objects, ARN strings and CDK task definitions into needs.

    ``stack`` is the role's stack: its account and Region serve names that say
    neither, when they are concrete. ``grantee`` is the role itself, which
    asks an encrypted resource for its key through ``grant_on_key`` (the role
    keeps the statement to itself, so nothing else changes).
    """

    def __init__(
        self,
        stack: cdk.Stack,
        *,
        grantee: iam.Role,
        kms_keys: KeyMap,
        pull_through_cache_prefixes: Sequence[str] = (),
    ) -> None:
        self.stack = stack
        self.grantee = grantee
        self.grantee_path = grantee.node.path
        self.keys = kms_keys
        self.prefixes = tuple(
            prefix.strip("/") for prefix in pull_through_cache_prefixes
        )
        account = stack.account
        self.collector = _Collector(
            None if cdk.Token.is_unresolved(account) else account
        )
        self._index: _ResourceIndex | None = None

    @property
    def index(self) -> _ResourceIndex:
        if self._index is None:
            self._index = _ResourceIndex(self.stack.node.root)
        return self._index

    def read_at_synthesis(self) -> None:
        """Share one index of the app with every role read in this synthesis.

        Each role would otherwise walk the whole app again; at synthesis the
        tree is complete, so one walk serves all.
        """
        root = self.stack.node.root
        index = _SYNTHESIS_INDEXES.get(root)
        if index is None:
            index = _SYNTHESIS_INDEXES[root] = _ResourceIndex(root)
        self._index = index

    # -- explicit references -------------------------------------------------

    def repositories(self, repositories: Iterable[ecr.IRepository | str]) -> None:
        for index, repository in enumerate(repositories):
            self.collector.attempt(
                self.repository, repository, f"repositories[{index}]"
            )

    def repository(self, repository: ecr.IRepository | str, path: str) -> None:
        if isinstance(repository, str):
            self.collector.add(self._repository_text(repository, path))
        else:
            self.collector.add(self._repository_object(repository, path))

    def log_groups(
        self, groups: Iterable[logs.ILogGroup | str], stream_prefix: str | None
    ) -> None:
        if stream_prefix is not None:
            self.collector.attempt(
                _check_stream_prefix,
                stream_prefix,
                "log_stream_prefix",
                "the log stream prefix",
            )
        for index, group in enumerate(groups):
            self.collector.attempt(
                self.log_group, group, f"log_groups[{index}]", stream_prefix
            )

    def log_group(
        self, group: logs.ILogGroup | str, path: str, stream_prefix: str | None
    ) -> None:
        if isinstance(group, str):
            arn = self._log_group_text(group, path)
        else:
            name = group.log_group_name
            _check_log_group_name(name, path, name)
            stack = cdk.Stack.of(group)
            arn = self._log_group_arn(name, group.env.region, group.env.account, stack)
        self.collector.add(LogDelivery(arn, stream_prefix=stream_prefix, source=path))

    def secrets(self, secrets: Iterable[secretsmanager.ISecret | str]) -> None:
        for index, secret in enumerate(secrets):
            path = f"secrets[{index}]"
            if isinstance(secret, str):
                self.collector.attempt(self._secret_text, secret, path)
            else:
                self.collector.attempt(self._secret_object, secret, path, False)

    def parameters(self, parameters: Iterable[ssm.IParameter | str]) -> None:
        for index, parameter in enumerate(parameters):
            path = f"parameters[{index}]"
            if isinstance(parameter, str):
                self.collector.attempt(self._parameter_text, parameter, path)
            else:
                self.collector.attempt(self._parameter_object, parameter, path)

    def s3_objects(self, objects: Iterable[tuple[s3.IBucket | str, str] | str]) -> None:
        for index, item in enumerate(objects):
            path = f"s3_objects[{index}]"
            if isinstance(item, str):
                self.collector.attempt(self._s3_text, item, path)
            else:
                bucket, key = item
                self.collector.attempt(self._s3_object, bucket, key, path)

    # -- task definitions ----------------------------------------------------

    def task_definition(self, task_definition: ecs.TaskDefinition) -> None:
        """Every container of ``task_definition``, in the order they were added."""
        for child in task_definition.node.children:
            if isinstance(child, ecs.ContainerDefinition):
                self._container(task_definition, child)

    def _container(
        self, task: ecs.TaskDefinition, container: ecs.ContainerDefinition
    ) -> None:
        at = container.node.path
        attempt = self.collector.attempt
        rendered = container.render_container_definition()

        attempt(self._image, container, f"{at}.image")
        credentials = rendered.repository_credentials
        if credentials is not None:
            attempt(
                self._secret_reference,
                _field(credentials, "credentials_parameter"),
                f"{at}.repositoryCredentials",
            )
        self._logging(container, at)
        for secret in _secret_properties(rendered.secrets):
            attempt(
                self._secret_reference, secret.value_from, f"{at}.secrets.{secret.name}"
            )
        for index, file in enumerate(container.environment_files or ()):
            attempt(self._environment_file, file, f"{at}.environmentFiles[{index}]")
        firelens = getattr(rendered, "firelens_configuration", None)
        if firelens is not None:
            attempt(self._firelens, task, firelens, f"{at}.firelensConfiguration")
        for index, spec in enumerate(container.credential_specs or ()):
            attempt(self._credential_spec, spec, f"{at}.credentialSpecs[{index}]")

    def _image(self, container: ecs.ContainerDefinition, path: str) -> None:
        image = container.image_name
        if not cdk.Token.is_unresolved(image):
            parsed = parse_ecr_image(image, path=path)
            if parsed is not None:
                cached = self._cached(parsed.name)
                self.collector.add(ImagePull(parsed.repository, cached, source=path))
                # aws-cdk-lib warns that it granted nothing for this image; the
                # role grants the pull, so the warning no longer applies.
                cdk.Annotations.of(container).acknowledge_warning(
                    ECR_IMAGE_REQUIRES_POLICY,
                    f"the execution role {self.grantee_path} grants the pull",
                )
            return
        stack = cdk.Stack.of(container)
        repository = self.index.repository_for_image(image, stack)
        if repository is None:
            raise InvalidReferenceError(
                f"the image is a CDK token ({flatten_reference(stack.resolve(image))}) "
                "that no ECR repository of the app produces, so the role cannot tell "
                "which repository to pull from; use ecs.ContainerImage."
                "from_ecr_repository(repository, tag) or from_asset(...), or a "
                "literal image name",
                path=path,
                value=image,
            )
        self.collector.add(self._repository_object(repository, path))

    def _logging(self, container: ecs.ContainerDefinition, at: str) -> None:
        config = container.log_driver_config
        if config is None:
            return
        path = f"{at}.logging"
        options = dict(config.options or {})
        if config.log_driver == "awslogs":
            self.collector.attempt(self._awslogs, container, options, path)
        elif config.log_driver == "awsfirelens":
            self.collector.warn(
                ids.NOT_EXECUTION_ROLE,
                "FireLens delivers logs with the task role: grant the destination "
                "(CloudWatch Logs, Firehose, S3, ...) to the task role",
                path,
            )
        for option in _secret_properties(config.secret_options):
            self.collector.attempt(
                self._secret_reference,
                option.value_from,
                f"{path}.secretOptions.{option.name}",
            )

    def _awslogs(
        self, container: ecs.ContainerDefinition, options: dict[str, str], path: str
    ) -> None:
        self.collector.add(
            _awslogs_delivery(
                options, cdk.Stack.of(container), path, f"{path}.awslogs-group"
            )
        )

    # -- services ------------------------------------------------------------

    def service(self, service: ecs.BaseService) -> None:
        """The log configuration of ``service``'s Service Connect proxy.

        ECS runs the proxy with the task's execution role, so its ``awslogs``
        driver needs what a container's does. aws-cdk-lib keeps the
        configuration on the ``CfnService`` only, so it is read from there,
        resolved: a value holding a token comes back as an intrinsic function,
        which is turned back into a token, and carried, never parsed.
        """
        stack = cdk.Stack.of(service)
        resource = service.node.default_child
        if not isinstance(resource, ecs.CfnService):
            return
        # CfnService.service_connect_configuration cannot cross jsii: the
        # struct aws-cdk-lib keeps may lack its required 'enabled'. The
        # resolved properties hold it whole.
        properties = stack.resolve(resource._cfn_properties)
        config = properties.get("serviceConnectConfiguration") or {}
        log = config.get("logConfiguration") or {}
        path = f"{service.node.path}/ServiceConnect/logConfiguration"
        driver = log.get("logDriver")
        if driver == "awslogs":
            given = log.get("options") or {}
            options = {name: _as_text(value) for name, value in given.items()}
            self.collector.attempt(self._service_awslogs, options, stack, path)
        elif driver == "awsfirelens":
            self.collector.warn(
                ids.NOT_EXECUTION_ROLE,
                "the Service Connect proxy logs through FireLens, which delivers "
                "with the task role: grant the destination to the task role",
                path,
            )

    def _service_awslogs(
        self, options: dict[str, str], stack: cdk.Stack, path: str
    ) -> None:
        self.collector.add(_awslogs_delivery(options, stack, f"{path}.options", path))

    def _environment_file(self, file: ecs.EnvironmentFileConfig, path: str) -> None:
        location = file.s3_location
        self._s3_object(location.bucket_name, location.object_key, path, in_app=True)

    def _firelens(self, task: ecs.TaskDefinition, config: Any, path: str) -> None:
        options = dict(_field(config, "options") or {})
        if options.get("config-file-type") != "s3":
            return
        value = options.get("config-file-value", "")
        message = (
            "FireLens config-file-type 's3' is not supported on AWS Fargate; use "
            "config-file-type 'file' with a path inside the image"
        )
        if task.compatibility == ecs.Compatibility.FARGATE:
            raise InvalidReferenceError(
                message, path=f"{path}.options.config-file-type", value="s3"
            )
        if task.compatibility == ecs.Compatibility.EC2_AND_FARGATE:
            self.collector.warn(
                ids.FIRELENS_S3_CONFIG_ON_FARGATE,
                f"{message} (granted for EC2)",
                f"{path}.options.config-file-value",
            )
        self._object_arn(value, f"{path}.options.config-file-value")

    def _credential_spec(self, spec: ecs.CredentialSpecConfig, path: str) -> None:
        if spec.type_prefix == "credentialspecdomainless":
            self.collector.warn(
                ids.DOMAINLESS_GMSA_SECRET,
                "domainless gMSA also reads the domain-credential secret that the "
                "credential spec names; grant it with the secrets option",
                path,
            )
        location = spec.location
        parameter = self.index.parameter_for(location)
        if parameter is not None:
            self._parameter_object(parameter, path)
        elif cdk.Token.is_unresolved(location):
            self._object_arn(location, path)
        elif parse_arn(location, path=path).service == "ssm":
            self._parameter_text(location, path)
        else:
            self._s3_text(location, path)

    # -- references in containers --------------------------------------------

    def _secret_reference(self, value: str, path: str) -> None:
        """A ``valueFrom``: a secret or parameter of the app, or a literal ARN."""
        secret = self.index.secret_for(value)
        if secret is not None:
            self._secret_object(secret, path, True)
            return
        parameter = self.index.parameter_for(value)
        if parameter is not None:
            self._parameter_object(parameter, path)
            return
        if cdk.Token.is_unresolved(value):
            raise InvalidReferenceError(
                f"valueFrom is a CDK token ({_describe_value(self.stack, value)}) "
                "that no secret or parameter of the app carries; use "
                "ecs.Secret.from_secrets_manager(secret) or "
                "ecs.Secret.from_ssm_parameter(parameter)",
                path=path,
                value=value,
            )
        if parse_arn(value, path=path).service == "secretsmanager":
            self._secret_text(value, path)
        else:
            self._parameter_text(value, path)

    def _object_arn(self, value: str, path: str) -> None:
        if not cdk.Token.is_unresolved(value):
            self._s3_text(value, path)
            return
        found = self.index.bucket_of_object(value)
        if found is None:
            raise InvalidReferenceError(
                "the S3 object is a CDK token "
                f"({flatten_reference(self.stack.resolve(value))}) that is not "
                "bucket.arn_for_objects(key) of a bucket of the app",
                path=path,
                value=value,
            )
        self._s3_object(found[0], found[1], path)

    # -- objects -------------------------------------------------------------

    def _repository_object(self, repository: ecr.IRepository, path: str) -> ImagePull:
        name = repository.repository_name
        _check_repository_name(name, path, name)
        cached = not cdk.Token.is_unresolved(name) and self._cached(name)
        written = repository.repository_arn
        arn = self._arn_of(written, repository.env, "ecr", f"repository/{name}", path)
        if not isinstance(arn, TokenArn):
            _check_repository_name(
                arn.resource.removeprefix("repository/"), path, written
            )
        return ImagePull(arn, cached, source=path)

    def _secret_object(
        self, secret: secretsmanager.ISecret, path: str, granted_by_cdk: bool
    ) -> None:
        name = secret.secret_name
        _check_secret_name(name, path, name)
        complete = secret.secret_full_arn
        if complete is not None:
            written = complete
            arn = self._arn_of(complete, secret.env, "secretsmanager", "secret:", path)
            if not isinstance(arn, TokenArn):
                _check_secret_arn(arn, path, written)
        else:
            # Named without its random suffix: '??????' matches exactly those six
            # characters, as aws-cdk-lib grants it too.
            written = secret.secret_arn
            if not cdk.Token.is_unresolved(written):
                literal = parse_arn(written, path=path, service="secretsmanager")
                _check_secret_arn(literal, path, written)
            arn = self._arn_of(
                f"{written}-??????", secret.env, "secretsmanager", "secret:", path
            )
            self.collector.warn(
                ids.PARTIAL_SECRET_ARN,
                f"secret {secret.node.path} is known by its name alone; "
                f"'{_describe_value(self.stack, written)}-??????' is granted, but ECS "
                "resolves partial ARNs unreliably: import it with its complete ARN",
                path,
            )
        self.collector.add(SecretRead(arn, source=path))
        key = secret.encryption_key
        if key is None:
            mapped = self.keys.lookup(written)
            if mapped is not None:
                self._decrypt(mapped, "secretsmanager", secret.env.region, path)
            return
        self._decrypt(key, "secretsmanager", secret.env.region, path)
        if granted_by_cdk and cdk.Resource.is_owned_resource(key):
            self.collector.warn(
                ids.CDK_KEY_POLICY_GRANT,
                f"aws-cdk-lib's Secret.grant_read added a statement for this role "
                f"to the policy of key {key.node.path} (kms:Decrypt through Secrets "
                "Manager); it grants nothing the role's own policy does not, but no "
                "role can refuse it",
                path,
            )

    def _parameter_object(self, parameter: ssm.IParameter, path: str) -> None:
        name = parameter.parameter_name
        _check_parameter_name(name, path, name)
        arn_text = parameter.parameter_arn
        arn = self._arn_of(arn_text, parameter.env, "ssm", "parameter/", path)
        if not isinstance(arn, TokenArn):
            _check_parameter_name(
                arn.resource.removeprefix("parameter/"), path, arn_text
            )
        self.collector.add(ParameterRead(arn, source=path))
        keys: list[kms.IKey | str] = list(self._keys_of(parameter))
        if not keys:
            mapped = self.keys.lookup(arn_text, parameter.parameter_name)
            keys = [mapped] if mapped is not None else []
        for key in keys:
            self._decrypt(key, "ssm", parameter.env.region, path)

    def _keys_of(self, resource: Any) -> list[str]:
        """The key ARNs an encrypted resource knows, asked through grant_on_key."""
        encrypted = iam.EncryptedResources.of(resource)
        if encrypted is None:
            return []
        grant = encrypted.grant_on_key(self.grantee, "kms:Decrypt").grant
        if grant is None:
            return []
        return [
            arn
            for statement in grant.principal_statements
            for arn in statement.resources
        ]

    def _s3_object(
        self, bucket: s3.IBucket | str, key: str, path: str, *, in_app: bool = False
    ) -> None:
        """One object; its bucket's key, when the bucket object knows one.

        ``in_app`` looks a bucket name up among the app's buckets, as the
        environment files of a CDK container name them.
        """
        if isinstance(bucket, str):
            name, found = bucket, self.index.bucket_named(bucket) if in_app else None
        else:
            name, found = bucket.bucket_name, bucket
        _check_s3_object(name, key, path)
        partition = self._partition(self.stack.region)
        self.collector.add(ObjectRead(partition, name, key, source=path))
        if found is not None and found.encryption_key is not None:
            self._decrypt(found.encryption_key, "s3", found.env.region, path)
            return
        mapped = self.keys.lookup(f"arn:{partition}:s3:::{name}/{key}", name)
        if mapped is not None:
            self._decrypt(mapped, "s3", self.stack.region, path)

    def _decrypt(
        self, key: kms.IKey | str, service: str, region: str, path: str
    ) -> None:
        key_arn = self._key_arn(key, path)
        if cdk.Token.is_unresolved(region):
            # The form aws-cdk-lib's own key grants write, in every partition.
            services = via_service(service, region)
        else:
            services = via_service(
                service, region, partition_for_region(region).dns_suffix
            )
        self.collector.add(KeyDecrypt(key_arn, services, source=path))

    def _key_arn(self, key: kms.IKey | str, path: str) -> Arn:
        if isinstance(key, kms.Alias):
            key = key.alias_target_key
        text = key if isinstance(key, str) else key.key_arn
        if cdk.Token.is_unresolved(text):
            if not isinstance(key, str) and offers(key, "alias_name"):
                raise InvalidReferenceError(
                    f"the KMS key {key.node.path} is an alias; IAM cannot authorize "
                    "by alias: pass the key itself (kms.Key.from_key_arn)",
                    path=path,
                    value=text,
                )
            env = key.env if not isinstance(key, str) else None
            return self._arn_of(text, env, "kms", "key/", path)
        return _literal_key_arn(text, path)

    # -- text ----------------------------------------------------------------

    def _repository_text(self, text: str, path: str) -> ImagePull:
        _literal(text, path, "repository")
        if text.startswith("arn:"):
            arn = parse_arn(text, path=path, service="ecr")
            name = arn.resource.removeprefix("repository/")
            if not arn.resource.startswith("repository/") or not name:
                raise InvalidReferenceError(
                    f"{text!r} is not an ECR repository ARN (...:repository/NAME)",
                    path=path,
                    value=text,
                )
            _check_repository_name(name, path, text)
            return ImagePull(arn, self._cached(name), source=path)
        image = parse_ecr_image(text, path=path)
        if image is None:
            raise InvalidReferenceError(
                f"{text!r} is neither an ECR repository ARN nor a private ECR image "
                "(ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME); other registries need "
                "no grant",
                path=path,
                value=text,
            )
        return ImagePull(image.repository, self._cached(image.name), source=path)

    def _log_group_text(self, text: str, path: str) -> Arn:
        _literal(text, path, "log group")
        if text.startswith("arn:"):
            arn = parse_arn(text, path=path, service="logs")
            resource = arn.resource.removesuffix(":*")
            if (
                not resource.startswith("log-group:")
                or ":" in resource[len("log-group:") :]
            ):
                raise InvalidReferenceError(
                    f"{text!r} is not a log group ARN (...:log-group:NAME)",
                    path=path,
                    value=text,
                )
            _check_log_group_name(resource.removeprefix("log-group:"), path, text)
            return arn.with_resource(resource)
        _check_log_group_name(text, path, text)
        return self._log_group_arn(
            text, self.stack.region, self.stack.account, self.stack
        )

    def _secret_text(self, text: str, path: str) -> None:
        _literal(text, path, "secret")
        if text.startswith("arn:"):
            arn = parse_arn(text, path=path, service="secretsmanager")
        else:
            arn = Arn(
                self._partition(self._region(path, text)),
                "secretsmanager",
                self._region(path, text),
                self._account(path, text),
                f"secret:{text}",
            )
        _check_secret_arn(arn, path, text)
        name = arn.resource.partition(":")[2].split(":")[0]
        if _SECRET_SUFFIX.search(name):
            secret = arn.with_resource(f"secret:{name}")
        else:
            secret = arn.with_resource(f"secret:{name}-??????")
            self.collector.warn(
                ids.PARTIAL_SECRET_ARN,
                f"{text!r} names secret {name!r} without its 6-character suffix; "
                f"'{name}-??????' is granted, but ECS resolves partial ARNs "
                "unreliably: prefer the complete ARN",
                path,
            )
        self.collector.add(SecretRead(secret, source=path))
        key = self.keys.lookup(text, secret.render(), name)
        if key is not None:
            self._decrypt(key, "secretsmanager", secret.region, path)

    def _parameter_text(self, text: str, path: str) -> None:
        _literal(text, path, "parameter")
        if text.startswith("arn:"):
            arn = parse_arn(text, path=path, service="ssm")
            name = arn.resource.removeprefix("parameter/")
            if (
                not arn.resource.startswith("parameter/")
                or not name
                or name.startswith("/")
            ):
                raise InvalidReferenceError(
                    f"{text!r} is not an SSM parameter ARN (...:parameter/NAME)",
                    path=path,
                    value=text,
                )
        else:
            name = text.lstrip("/")
            region = self._region(path, text)
            arn = Arn(
                self._partition(region),
                "ssm",
                region,
                self._account(path, text),
                f"parameter/{name}",
            )
        _check_parameter_name(name, path, text)
        self.collector.add(ParameterRead(arn, source=path))
        key = self.keys.lookup(text, arn.render(), name, f"/{name}")
        if key is not None:
            self._decrypt(key, "ssm", arn.region, path)

    def _s3_text(self, text: str, path: str) -> None:
        _literal(text, path, "S3 object")
        arn = parse_arn(text, path=path, service="s3")
        bucket, slash, key = arn.resource.partition("/")
        if not bucket or not slash or not key or "*" in arn.resource:
            raise InvalidReferenceError(
                f"{text!r} does not name one S3 object; expected "
                f"arn:{arn.partition}:s3:::BUCKET/KEY",
                path=path,
                value=text,
            )
        self._s3_object(bucket, key, path)

    # -- helpers -------------------------------------------------------------

    def _arn_of(
        self,
        text: str,
        env: ResourceEnvironment | None,
        service: str,
        resource: str,
        path: str,
    ) -> Arn:
        """A literal ARN parsed, or a token carried with its object's environment."""
        if not cdk.Token.is_unresolved(text):
            return parse_arn(text, path=path, service=service)
        region = env.region if env is not None else self.stack.region
        account = env.account if env is not None else self.stack.account
        return TokenArn(
            self._partition(region), service, region, account, resource, token=text
        )

    def _log_group_arn(
        self, name: str, region: str, account: str, stack: cdk.Stack
    ) -> Arn:
        return Arn(
            self._partition(region, stack), "logs", region, account, f"log-group:{name}"
        )

    def _partition(self, region: str, stack: cdk.Stack | None = None) -> str:
        if cdk.Token.is_unresolved(region):
            return (stack or self.stack).partition
        return partition_for_region(region).name

    def _region(self, path: str, value: str) -> str:
        region = self.stack.region
        if cdk.Token.is_unresolved(region):
            raise InvalidReferenceError(
                f"{value!r} names no Region, and the stack has none: give the "
                "stack an env, or use a full ARN",
                path=path,
                value=value,
            )
        return region

    def _account(self, path: str, value: str) -> str:
        account = self.stack.account
        if cdk.Token.is_unresolved(account):
            raise InvalidReferenceError(
                f"{value!r} names no account, and the stack has none: give the "
                "stack an env, or use a full ARN",
                path=path,
                value=value,
            )
        return account

    def _cached(self, name: str) -> bool:
        return any(name.startswith(f"{prefix}/") for prefix in self.prefixes)


def _literal(text: str, path: str, what: str) -> None:
    if cdk.Token.is_unresolved(text):
        raise InvalidReferenceError(
            f"the {what} is given as a string holding a CDK token, which the role "
            f"would have to parse; pass the CDK object ({what} interface) instead",
            path=path,
            value=text,
        )


def _awslogs_delivery(
    options: Mapping[str, str], stack: cdk.Stack, path: str, source: str
) -> LogDelivery:
    """What an ``awslogs`` driver with ``options`` writes to, for a task of ``stack``.

    Literal values pass the document reader's checks; tokens are carried.
    """
    group = options.get("awslogs-group")
    if group is None:
        raise InvalidReferenceError(
            "the awslogs driver needs an 'awslogs-group' option naming the log group",
            path=path,
            value=sorted(options),
        )
    _check_log_group_name(group, f"{path}.awslogs-group", group)
    prefix = options.get("awslogs-stream-prefix") or None
    if prefix is not None:
        _check_stream_prefix(prefix, f"{path}.awslogs-stream-prefix")
    region = options.get("awslogs-region", stack.region)
    partition = (
        stack.partition
        if cdk.Token.is_unresolved(region)
        else partition_for_region(region).name
    )
    # awslogs writes to a group of the task's own account.
    return LogDelivery(
        Arn(partition, "logs", region, stack.account, f"log-group:{group}"),
        stream_prefix=prefix,
        create_group=_create_group(
            options.get("awslogs-create-group"), f"{path}.awslogs-create-group"
        ),
        source=source,
    )


def _create_group(value: str | None, path: str) -> bool:
    """``awslogs-create-group``, read with Go's ``strconv.ParseBool`` as Docker does.

    The rule is the document reader's: any other value stops the container.
    """
    if value is None:
        return False
    if cdk.Token.is_unresolved(value):
        raise InvalidReferenceError(
            "awslogs-create-group is a CDK token; it must be 'true' or 'false' "
            "when the role is derived",
            path=path,
            value=value,
        )
    if value in _GO_TRUE:
        return True
    if value in _GO_FALSE:
        return False
    raise InvalidReferenceError(
        f"awslogs-create-group {value!r} is not a value the awslogs driver "
        "accepts; use 'true' or 'false'",
        path=path,
        value=value,
    )


def _as_text(value: Any) -> str:
    """A resolved CloudFormation value as a string: an intrinsic, back to a token."""
    return value if isinstance(value, str) else cdk.Token.as_string(value)


# -- the document reader's rules, for literal values --------------------------
#
# A name the construct is given, or finds in a container or a CDK object, ends
# up in a policy's Resource, where '*' and '?' are wildcards: "prod/*" would
# grant every secret under prod/. Every literal value (a token is only carried)
# passes the checks that the document reader applies to the same setting, with
# its patterns, so that both readers refuse what either refuses.


def _check_repository_name(name: str, path: str, written: str) -> None:
    if not cdk.Token.is_unresolved(name) and not _REPOSITORY.match(name):
        raise InvalidReferenceError(
            f"repository name {name!r}{_within(name, written)} is not an ECR "
            "repository name (lowercase letters and digits, separated by one of "
            "._- or by /; no wildcard): name one repository",
            path=path,
            value=written,
        )


def _check_log_group_name(name: str, path: str, written: str) -> None:
    if not cdk.Token.is_unresolved(name) and not _LOG_GROUP.match(name):
        raise InvalidReferenceError(
            f"log group name {name!r}{_within(name, written)} is not a log group name "
            "(1-512 of a-z A-Z 0-9 _ - / . #; no wildcard)",
            path=path,
            value=written,
        )


def _check_stream_prefix(
    prefix: str, path: str, what: str = "awslogs-stream-prefix"
) -> None:
    if cdk.Token.is_unresolved(prefix):
        return
    _check_no_placeholder(prefix, path, what)
    if _NOT_IN_STREAM_NAMES.search(prefix):
        raise InvalidReferenceError(
            f"{what} {prefix!r} holds ':' or '*', which CloudWatch "
            "Logs does not allow in a log stream name",
            path=path,
            value=prefix,
        )


def _check_secret_name(name: str, path: str, written: str) -> None:
    if not cdk.Token.is_unresolved(name) and not _SECRET_NAME.match(name):
        raise InvalidReferenceError(
            f"secret name {name!r}{_within(name, written)} has characters that Secrets "
            "Manager does not allow (letters, digits and /_+=.@-; no wildcard)",
            path=path,
            value=written,
        )


def _check_secret_arn(arn: Arn, path: str, written: str) -> None:
    """A literal secret ARN: ``secret:NAME``, then at most three selectors."""
    kind, _, rest = arn.resource.partition(":")
    fields = rest.split(":")
    if kind != "secret" or not fields[0] or len(fields) - 1 > _SECRET_SELECTORS:
        raise InvalidReferenceError(
            f"{written!r} is not a Secrets Manager secret ARN "
            "(...:secret:NAME, optionally followed by :JSON-KEY:STAGE:VERSION)",
            path=path,
            value=written,
        )
    _check_secret_name(fields[0], path, written)


def _check_parameter_name(name: str, path: str, written: str) -> None:
    if not cdk.Token.is_unresolved(name) and not _PARAMETER_NAME.match(name):
        raise InvalidReferenceError(
            f"parameter name {name!r}{_within(name, written)} is not an SSM "
            "parameter name (letters, digits and _.-/; no wildcard)",
            path=path,
            value=written,
        )


def _check_s3_object(bucket: str, key: str, path: str) -> None:
    """A bucket name and an object key: one object, no wildcard.

    A '?' in a key is a character of the key: the policy writes it ``${?}``.
    """
    if not cdk.Token.is_unresolved(bucket) and not _BUCKET.match(bucket):
        raise InvalidReferenceError(
            f"{bucket!r} is not an S3 bucket name (3-63 lowercase letters, digits, "
            "'.' and '-'; older buckets may also hold capitals and '_', up to 255)",
            path=path,
            value=bucket,
        )
    if cdk.Token.is_unresolved(key):
        return
    _check_no_placeholder(key, path, "S3 key")
    if not key or "*" in key:
        raise InvalidReferenceError(
            f"S3 key {key!r} of bucket {bucket!r} does not name one object "
            "('*' would grant every object it matches): give the object's key",
            path=path,
            value=key,
        )


def _within(name: str, written: str) -> str:
    return "" if name == written else f" in {written!r}"


def _check_no_placeholder(text: str, path: str, what: str) -> None:
    # IAM reads ${...} in a Resource as a policy variable.
    placeholder = _PLACEHOLDER.search(text)
    if placeholder:
        raise InvalidReferenceError(
            f"{what} {text!r} holds the template placeholder "
            f"{placeholder.group(0)!r}; fill in the template before deriving "
            "the policy",
            path=path,
            value=text,
        )


def _literal_key_arn(text: str, path: str) -> Arn:
    """A literal KMS key ARN: one key, by its key id, never an alias."""
    arn = parse_arn(text, path=path, service="kms")
    if arn.resource.startswith("alias/"):
        raise InvalidReferenceError(
            f"{text!r} is not a KMS key ARN (...:key/KEY-ID); an alias cannot "
            "authorize anything: pass the key ARN",
            path=path,
            value=text,
        )
    if not arn.resource.startswith("key/") or not _KEY_ID.match(
        arn.resource.removeprefix("key/")
    ):
        raise InvalidReferenceError(
            f"{text!r} is not the ARN of one KMS key: expected ...:key/ followed by "
            "a key id (a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab, or "
            "mrk- and 32 hex digits for a multi-Region key), no wildcard",
            path=path,
            value=text,
        )
    return arn


def _describe_value(stack: cdk.Stack, value: str) -> str:
    return (
        flatten_reference(stack.resolve(value))
        if cdk.Token.is_unresolved(value)
        else value
    )


def _secret_properties(value: Any) -> list[ecs.CfnTaskDefinition.SecretProperty]:
    """The ``secrets`` of a rendered container (aws-cdk-lib renders a plain list)."""
    if not isinstance(value, list):
        return []
    return [
        item for item in value if isinstance(item, ecs.CfnTaskDefinition.SecretProperty)
    ]


def _field(struct: Any, name: str) -> Any:
    return getattr(struct, name, None)
