"""From task-definition documents to the needs of their execution role.

:func:`derive_needs` walks every container (sidecars and init containers
included) and the task's volumes, turning each setting that the ECS agent
serves with the execution role into a need. What no task definition says comes
from the caller: the task's Region and account for name-only references, the
KMS keys behind secrets and parameters, the ECR pull-through cache prefixes,
the services whose Service Connect proxies log with the role, and whether
GuardDuty adds its agent sidecar to the tasks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import warnings as ids
from .arns import Arn, Scope, parse_arn, parse_ecr_image, partition_for_region
from .documents import TaskDefinitionDocument
from .errors import ExecutionRoleError, InvalidReferenceError, InvalidSettingsError
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
from .runtime_monitoring import runtime_monitoring_needs
from .service_connect import ServiceDocument
from .warnings import RoleWarning

__all__ = ["Derivation", "derive_needs"]

_PLACEHOLDER = re.compile(r"\$\(|\$\{[^}]*\}|\{\{.*?\}\}|<[^<>]+>|\$[A-Z_][A-Z0-9_]*")
# \Z, not $: "$" also matches before a trailing newline.
_PARAMETER_NAME = re.compile(r"^[A-Za-z0-9_.\-/]+\Z")
_SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@\-]+\Z")
_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}\Z")
_WORDLIKE_SUFFIX = re.compile(r"-[a-z]{6}\Z")
# A key id is a UUID, or mrk- and 32 hex digits for a multi-Region key.
_KEY_ID = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})\Z"
)
# The spellings of Go's strconv.ParseBool, which the awslogs driver uses.
_GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_LOG_GROUP = re.compile(r"^[A-Za-z0-9_\-/.#]{1,512}\Z")
# Today's rules are stricter; buckets made before 2018 in us-east-1 kept these.
_BUCKET = re.compile(r"^[A-Za-z0-9._-]{3,255}\Z")
_SECRETS_MANAGER_REFERENCE = "/aws/reference/secretsmanager/"
_NOT_IN_STREAM_NAMES = re.compile(r"[:*]")
# valueFrom may follow a secret's ARN with :JSON-KEY:VERSION-STAGE:VERSION-ID.
_SECRET_SELECTORS = 3

# The API paths this module reads. A CloudFormation intrinsic function at one
# of them (or at a list or object holding one) stands in as an empty value,
# which would silently grant less: it is refused instead.
_READ_PATHS = re.compile(
    r"^(?:requiresCompatibilities(?:\[\d+\])?"
    r"|containerDefinitions(?:\[\d+\](?:"
    r"\.image"
    r"|\.repositoryCredentials(?:\.credentialsParameter)?"
    r"|\.logConfiguration(?:\.logDriver"
    r"|\.options(?:\.awslogs-(?:group|region|stream-prefix|create-group))?"
    r"|\.secretOptions(?:\[\d+\](?:\.valueFrom)?)?)?"
    r"|\.secrets(?:\[\d+\](?:\.valueFrom)?)?"
    r"|\.environmentFiles(?:\[\d+\](?:\.value)?)?"
    r"|\.firelensConfiguration(?:\.options(?:\.config-file-(?:type|value))?)?"
    r"|\.credentialSpecs(?:\[\d+\])?"
    r")?)?"
    r"|volumes(?:\[\d+\](?:\.fsxWindowsFileServerVolumeConfiguration"
    r"(?:\.authorizationConfig(?:\.credentialsParameter)?)?)?)?"
    r")$"
)


@dataclass(frozen=True)
class Derivation:
    """The needs of one execution role, and what its user must be told.

    ``needs`` holds one entry per distinct need, in the order first met;
    ``sources`` maps each need to every setting that makes it.
    """

    needs: tuple[Need, ...]
    sources: Mapping[Need, tuple[str, ...]]
    warnings: tuple[RoleWarning, ...]
    scope: Scope = field(default_factory=Scope)

    @property
    def requires_execution_role(self) -> bool:
        """Whether anything in the task definitions uses an execution role."""
        return bool(self.needs)


def derive_needs(
    documents: Iterable[TaskDefinitionDocument],
    *,
    scope: Scope | None = None,
    kms_keys: Mapping[str, str] | None = None,
    pull_through_cache_prefixes: Sequence[str] = (),
    services: Iterable[ServiceDocument] = (),
    runtime_monitoring: bool | None = None,
) -> Derivation:
    """Every need of the execution role shared by ``documents``.

    ``kms_keys`` maps a secret, parameter or S3 object (as written in the task
    definition, as an ARN, or by name) to the ARN of the customer-managed key
    that encrypts it; resources that it does not name are taken to use the AWS
    managed key, which needs no grant. ``pull_through_cache_prefixes`` are the
    ECR repository prefixes of pull-through cache rules. ``services`` are ECS
    services that run these tasks: their Service Connect log configurations
    are granted like a container's. ``runtime_monitoring`` says whether
    GuardDuty adds its agent sidecar, pulled with this role, to the tasks; see
    :func:`ecs_exec_role.runtime_monitoring.runtime_monitoring_needs` (when
    not said, each Fargate task definition gets a warning).
    """
    documents = tuple(documents)
    walker = _Walker(
        scope or Scope(),
        _KeyMap(kms_keys or {}),
        tuple(prefix.strip("/") for prefix in pull_through_cache_prefixes),
    )
    for document in documents:
        walker.document(document)
    for service in services:
        walker.service(service)
    walker.each(walker.runtime_monitoring, documents, runtime_monitoring)
    if walker.problems:
        raise (
            walker.problems[0]
            if len(walker.problems) == 1
            else InvalidSettingsError(walker.problems)
        )
    walker.keys.check_all_used()
    if not walker.needs:
        walker.warn(
            ids.NO_EXECUTION_ROLE_NEEDED,
            "no setting uses the execution role (public images, no awslogs, no "
            "secrets): the task definition needs none",
        )
    return Derivation(
        needs=tuple(walker.needs),
        sources={need: tuple(paths) for need, paths in walker.needs.items()},
        warnings=tuple(walker.warnings),
        scope=walker.scope,
    )


class _KeyMap:
    """The caller's resource-to-key map, checked once and consumed as it is used."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.keys: dict[str, Arn] = {}
        for resource, key in mapping.items():
            path = f"kms_keys[{resource!r}]"
            arn = parse_arn(key, path=path, service="kms")
            if arn.resource.startswith("alias/"):
                raise InvalidReferenceError(
                    f"the KMS key for {resource!r} is given as an alias "
                    f"({arn.resource}); IAM policies must name a key by its key ARN "
                    f"(arn:{arn.partition}:kms:{arn.region}:{arn.account}:key/KEY-ID), "
                    "since an alias cannot authorize anything: pass the key ARN",
                    path=path,
                    value=key,
                )
            if not _KEY_ID.match(arn.resource.removeprefix("key/")) or not (
                arn.resource.startswith("key/")
            ):
                raise InvalidReferenceError(
                    f"{key!r} is not the ARN of one KMS key: expected "
                    "…:key/ followed by a key id (a UUID such as "
                    "1234abcd-12ab-34cd-56ef-1234567890ab, or mrk- and 32 hex digits "
                    "for a multi-Region key), no wildcard",
                    path=path,
                    value=key,
                )
            self.keys[resource] = arn
        self.used: set[str] = set()

    def lookup(self, *names: str) -> Arn | None:
        for name in names:
            if name in self.keys:
                self.used.add(name)
                return self.keys[name]
        return None

    def check_all_used(self) -> None:
        unused = sorted(set(self.keys) - self.used)
        if unused:
            raise InvalidReferenceError(
                f"KMS keys were given for {', '.join(map(repr, unused))}, which no "
                "secret, parameter or S3 file of the task definitions uses; name the "
                "resource as the task definition does (its valueFrom, ARN or name)",
                path="kms_keys",
                value=unused,
            )


class _Walker:
    """One pass over the documents, collecting needs and warnings."""

    def __init__(self, scope: Scope, keys: _KeyMap, prefixes: tuple[str, ...]) -> None:
        self.scope = scope
        self.keys = keys
        self.prefixes = prefixes
        self.needs: dict[Need, list[str]] = {}
        self.warnings: dict[RoleWarning, None] = {}
        self.problems: list[ExecutionRoleError] = []
        self.document_: TaskDefinitionDocument = TaskDefinitionDocument({})

    # -- bookkeeping ---------------------------------------------------------

    def add(self, need: Need, path: str) -> None:
        sources = self.needs.setdefault(need, [])
        if path not in sources:
            sources.append(path)
        known = need.account is not None and self.scope.account is not None
        if known and need.account != self.scope.account:
            self.warn(
                ids.CROSS_ACCOUNT_RESOURCE,
                f"{_describe(need)} is in account {need.account}; its owner must "
                f"also allow this role (or account {self.scope.account}) in the "
                "resource's policy",
                path,
            )

    def warn(self, warning_id: str, message: str, path: str = "") -> None:
        self.warnings.setdefault(RoleWarning(warning_id, message, path))

    def path(self, api_path: str) -> str:
        return self.document_.path(api_path)

    def text(self, value: Any, api_path: str, *, what: str) -> str:
        """A string setting the pipeline must read: no intrinsic, no template."""
        path = self.path(api_path)
        intrinsic = self.document_.intrinsics.get(api_path)
        if intrinsic is not None:
            raise InvalidReferenceError(
                f"{what} is a CloudFormation {intrinsic} expression, which only "
                "deployment resolves; give its resolved value, or use the "
                "TaskExecutionRole construct, which carries CDK tokens",
                path=path,
                value=intrinsic,
            )
        text = str(value)
        if text.startswith("{{resolve:"):
            raise InvalidReferenceError(
                f"{what} {text!r} is a CloudFormation dynamic reference, which ECS "
                "does not resolve; use the secret's ARN "
                "(arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX"
                ":JSON-KEY::) or the parameter's name or ARN",
                path=path,
                value=text,
            )
        placeholder = _PLACEHOLDER.search(text)
        if placeholder:
            raise InvalidReferenceError(
                f"{what} {text!r} holds the template placeholder "
                f"{placeholder.group(0)!r}; fill in the template before deriving "
                "the policy",
                path=path,
                value=text,
            )
        return text

    def each(self, read: Any, *args: Any, **kwargs: Any) -> None:
        """Read one setting; a problem is kept, so all are reported together."""
        try:
            read(*args, **kwargs)
        except ExecutionRoleError as problem:
            self.problems.append(problem)

    # -- the task definition -------------------------------------------------

    def document(self, document: TaskDefinitionDocument) -> None:
        self.document_ = document
        body = document.body
        unresolved = [
            InvalidReferenceError(
                f"is a CloudFormation {intrinsic} expression, which only deployment "
                "resolves, and the execution role depends on it; give its resolved "
                "value, or use the TaskExecutionRole construct, which carries CDK "
                "tokens",
                path=self.path(api_path),
                value=intrinsic,
            )
            for api_path, intrinsic in document.intrinsics.items()
            if _READ_PATHS.match(api_path)
        ]
        if unresolved:
            # What the walk would read there is a stand-in: report, don't guess.
            self.problems.extend(unresolved)
            return
        for api_path in document.ignored:
            self.warn(
                ids.UNKNOWN_SETTING,
                "is not a setting of the ECS API: ECS and the AWS SDKs drop it "
                "(the AWS CLI refuses it), so nothing is granted for it",
                self.path(api_path),
            )
        for index, container in enumerate(body.get("containerDefinitions", [])):
            self.container(container, f"containerDefinitions[{index}]", body)
        for index, volume in enumerate(body.get("volumes", [])):
            self.each(self.volume, volume, f"volumes[{index}]")
        if body.get("proxyConfiguration"):
            self.warn(
                ids.NOT_EXECUTION_ROLE,
                "App Mesh proxy configuration: the Envoy proxy's permissions "
                "(appmesh:StreamAggregatedResources) belong to the task role",
                self.path("proxyConfiguration"),
            )

    # -- outside the task definition -------------------------------------------

    def service(self, service: ServiceDocument) -> None:
        """A service's Service Connect logs, which ECS delivers with this role."""
        self.document_ = service.paths
        for api_path in service.ignored:
            self.warn(
                ids.UNKNOWN_SETTING,
                "is not a setting of the ECS API: ECS and the AWS SDKs drop it "
                "(the AWS CLI refuses it), so nothing is granted for it",
                self.path(api_path),
            )
        for at, config in service.service_connect():
            self.each(
                self.logging, config.get("logConfiguration"), f"{at}.logConfiguration"
            )
            for index, entry in enumerate(config.get("services", ())):
                if entry.get("tls"):
                    self.warn(
                        ids.NOT_EXECUTION_ROLE,
                        "Service Connect TLS uses the ECS infrastructure role (its "
                        "roleArn), not the execution role: nothing is granted here",
                        self.path(f"{at}.services[{index}].tls"),
                    )

    def runtime_monitoring(
        self, documents: Sequence[TaskDefinitionDocument], enabled: bool | None
    ) -> None:
        needs, warnings = runtime_monitoring_needs(
            documents, self.scope, enabled=enabled
        )
        for warning in warnings:
            self.warnings.setdefault(warning)
        for need in needs:
            # Not self.add: GuardDuty's repository lets every account pull, so
            # it is no cross-account resource to warn about.
            sources = self.needs.setdefault(need, [])
            if need.source not in sources:
                sources.append(need.source)

    # -- a container ---------------------------------------------------------

    def container(
        self, container: Mapping[str, Any], at: str, task: Mapping[str, Any]
    ) -> None:
        self.each(self.image, container, at)
        credentials = container.get("repositoryCredentials", {}).get(
            "credentialsParameter"
        )
        if credentials is not None:
            self.each(
                self.secret_reference,
                credentials,
                f"{at}.repositoryCredentials.credentialsParameter",
                # A secret's ARN, or its name when it is in the task's Region.
                names_are="secrets",
                parameters=False,
            )
        self.each(
            self.logging, container.get("logConfiguration"), f"{at}.logConfiguration"
        )
        for index, secret in enumerate(container.get("secrets", [])):
            self.each(
                self.value_from, secret["valueFrom"], f"{at}.secrets[{index}].valueFrom"
            )
        for index, file in enumerate(container.get("environmentFiles", [])):
            self.each(
                self.s3_file, file["value"], f"{at}.environmentFiles[{index}].value"
            )
        self.each(
            self.firelens,
            container.get("firelensConfiguration"),
            f"{at}.firelensConfiguration",
            task,
        )
        for index, spec in enumerate(container.get("credentialSpecs", [])):
            self.each(self.credential_spec, spec, f"{at}.credentialSpecs[{index}]")

    def image(self, container: Mapping[str, Any], at: str) -> None:
        api_path = f"{at}.image"
        # An intrinsic function stands in as "", so it is refused before that
        # could pass for an image left to be filled in.
        image = self.text(container.get("image", ""), api_path, what="image")
        if not image:
            # Deploy tools (amazon-ecs-render-task-definition, copilot) fill in
            # the image; until then nothing says whether it is pulled from ECR.
            self.warn(
                ids.IMAGE_NOT_GIVEN,
                f"container {container.get('name')!r} has no image yet, so no pull "
                "is granted for it; if its image will be in a private ECR "
                "repository, derive the policy again from the rendered task "
                "definition",
                self.path(api_path if "image" in container else at),
            )
            return
        repository = parse_ecr_image(image, path=self.path(api_path))
        if repository is None:
            return
        name = repository.name
        cached = any(name.startswith(f"{prefix}/") for prefix in self.prefixes)
        self.add(
            ImagePull(repository.repository, cached, source=self.path(api_path)),
            self.path(api_path),
        )

    def logging(self, config: Mapping[str, Any] | None, at: str) -> None:
        if not config:
            return
        driver = config.get("logDriver")
        options = config.get("options", {})
        if driver == "awslogs":
            self.awslogs(options, f"{at}.options")
        elif driver == "awsfirelens":
            self.warn(
                ids.NOT_EXECUTION_ROLE,
                "FireLens delivers logs with the task role: grant the destination "
                "(CloudWatch Logs, Firehose, S3, ...) to the task role",
                self.path(f"{at}.logDriver"),
            )
        for index, option in enumerate(config.get("secretOptions", [])):
            self.each(
                self.value_from,
                option["valueFrom"],
                f"{at}.secretOptions[{index}].valueFrom",
            )

    def awslogs(self, options: Mapping[str, str], at: str) -> None:
        group_path = f"{at}.awslogs-group"
        if "awslogs-group" not in options:
            raise InvalidReferenceError(
                "the awslogs driver needs an 'awslogs-group' option naming the "
                "log group",
                path=self.path(at),
                value=sorted(options),
            )
        group = self.text(options["awslogs-group"], group_path, what="awslogs-group")
        if not _LOG_GROUP.match(group):
            raise InvalidReferenceError(
                f"awslogs-group {group!r} is not a log group name (1-512 of "
                "a-z A-Z 0-9 _ - / . #)",
                path=self.path(group_path),
                value=group,
            )
        if "awslogs-region" in options:
            region_path = f"{at}.awslogs-region"
            region = self.text(
                options["awslogs-region"], region_path, what="awslogs-region"
            )
            partition = partition_for_region(region, path=self.path(region_path))
        else:
            region = self.scope.require_region(
                path=self.path(group_path), value=group, remedy="set awslogs-region"
            )
            partition = partition_for_region(region)
        # awslogs writes to a group of the task's own account: no option names another.
        account = self.scope.require_account(
            path=self.path(group_path), value=group, remedy=None
        )
        prefix = options.get("awslogs-stream-prefix")
        if prefix is not None:
            prefix_path = f"{at}.awslogs-stream-prefix"
            prefix = self.text(prefix, prefix_path, what="awslogs-stream-prefix")
            if _NOT_IN_STREAM_NAMES.search(prefix):
                raise InvalidReferenceError(
                    f"awslogs-stream-prefix {prefix!r} holds ':' or '*', which "
                    "CloudWatch Logs does not allow in a log stream name",
                    path=self.path(prefix_path),
                    value=prefix,
                )
        create = self.create_group(options, f"{at}.awslogs-create-group")
        need = LogDelivery(
            Arn(partition.name, "logs", region, account, f"log-group:{group}"),
            stream_prefix=prefix or None,
            create_group=create,
            source=self.path(group_path),
        )
        self.add(need, self.path(group_path))

    def create_group(self, options: Mapping[str, str], api_path: str) -> bool:
        """``awslogs-create-group``, read as the awslogs driver reads it.

        Docker parses the option with Go's ``strconv.ParseBool``: anything else
        stops the container, so it is refused here too.
        """
        if "awslogs-create-group" not in options:
            return False
        value = self.text(
            options["awslogs-create-group"], api_path, what="awslogs-create-group"
        )
        if value in _GO_TRUE:
            return True
        if value in _GO_FALSE:
            return False
        raise InvalidReferenceError(
            f"awslogs-create-group {value!r} is not a value the awslogs driver "
            "accepts; use 'true' or 'false'",
            path=self.path(api_path),
            value=value,
        )

    def firelens(
        self, config: Mapping[str, Any] | None, at: str, task: Mapping[str, Any]
    ) -> None:
        if not config:
            return
        options = config.get("options", {})
        if options.get("config-file-type") != "s3":
            return
        value_path = f"{at}.options.config-file-value"
        # What the task requires decides where it runs; describe output's
        # computed 'compatibilities' (nearly always EC2 and FARGATE) only
        # speaks when nothing is required.
        compatibilities = set(
            task.get("requiresCompatibilities") or task.get("compatibilities") or ()
        )
        if "FARGATE" in compatibilities:
            message = (
                "FireLens config-file-type 's3' is not supported on AWS Fargate; use "
                "config-file-type 'file' with a path inside the image"
            )
            if compatibilities <= {"FARGATE"}:
                raise InvalidReferenceError(
                    message,
                    path=self.path(f"{at}.options.config-file-type"),
                    value="s3",
                )
            self.warn(
                ids.FIRELENS_S3_CONFIG_ON_FARGATE,
                message + " (granted for EC2)",
                self.path(value_path),
            )
        if "config-file-value" not in options:
            raise InvalidReferenceError(
                "config-file-type 's3' needs a config-file-value with the file's "
                "S3 ARN",
                path=self.path(f"{at}.options"),
                value=sorted(options),
            )
        self.s3_file(options["config-file-value"], value_path)

    def credential_spec(self, spec: str, at: str) -> None:
        text = self.text(spec, at, what="credentialSpecs entry")
        kind, colon, arn = text.partition(":")
        if not colon or kind not in ("credentialspec", "credentialspecdomainless"):
            raise InvalidReferenceError(
                f"credential spec {text!r} must start with 'credentialspec:' or "
                "'credentialspecdomainless:' followed by an S3 or SSM parameter ARN",
                path=self.path(at),
                value=text,
            )
        if kind == "credentialspecdomainless":
            self.warn(
                ids.DOMAINLESS_GMSA_SECRET,
                "domainless gMSA also reads the domain-credential secret that the "
                "credential spec names; grant it with the extra secrets option",
                self.path(at),
            )
        parsed = parse_arn(arn, path=self.path(at))
        if parsed.service == "s3":
            self.s3_file(arn, at)
        elif parsed.service == "ssm":
            self.parameter_arn(parsed, at)
        else:
            raise InvalidReferenceError(
                f"credential spec {text!r} must name an S3 object or an SSM parameter",
                path=self.path(at),
                value=text,
            )

    def volume(self, volume: Mapping[str, Any], at: str) -> None:
        fsx = volume.get("fsxWindowsFileServerVolumeConfiguration")
        if fsx:
            auth_path = (
                f"{at}.fsxWindowsFileServerVolumeConfiguration"
                ".authorizationConfig.credentialsParameter"
            )
            # The API takes the ARN of a secret or of a parameter, never a name.
            self.secret_reference(
                fsx["authorizationConfig"]["credentialsParameter"],
                auth_path,
                names_are=None,
            )
        efs = volume.get("efsVolumeConfiguration") or {}
        if efs.get("authorizationConfig", {}).get("iam") == "ENABLED":
            self.warn(
                ids.NOT_EXECUTION_ROLE,
                "EFS IAM authorization uses the task role: grant "
                "elasticfilesystem:ClientMount (and ClientWrite) to the task role",
                self.path(f"{at}.efsVolumeConfiguration.authorizationConfig.iam"),
            )

    # -- references ----------------------------------------------------------

    def value_from(self, value: str, at: str) -> None:
        """A ``valueFrom``: a Secrets Manager ARN, or an SSM parameter name or ARN."""
        self.secret_reference(value, at, names_are="parameters", what="valueFrom")

    def secret_reference(
        self,
        value: str,
        at: str,
        *,
        names_are: str | None,
        parameters: bool = True,
        what: str = "credentialsParameter",
    ) -> None:
        """A secret or parameter, as the setting at ``at`` may name it.

        ``names_are`` says what a value that is not an ARN names ("secrets",
        "parameters", or ``None`` when the setting takes ARNs only);
        ``parameters`` whether an SSM parameter ARN is accepted at all.
        """
        text = self.text(value, at, what=what)
        path = self.path(at)
        expected = (
            "a Secrets Manager secret or an SSM parameter"
            if parameters
            else "a Secrets Manager secret"
        )
        if text.startswith("arn:"):
            arn = parse_arn(text, path=path)
            if arn.service == "secretsmanager":
                self.secret_arn(arn, text, at)
            elif arn.service == "ssm" and parameters:
                self.parameter_arn(arn, at, written=text)
            else:
                raise InvalidReferenceError(
                    f"{what} {text!r} is an ARN of service {arn.service!r}; "
                    f"expected the ARN of {expected}",
                    path=path,
                    value=text,
                )
        elif names_are == "secrets":
            self.secret_name(text, at)
        elif names_are == "parameters":
            self.parameter_name(text, at)
        else:
            raise InvalidReferenceError(
                f"{what} {text!r} is not an ARN; ECS takes only the ARN of "
                f"{expected} here (arn:PARTITION:secretsmanager:REGION:ACCOUNT:"
                "secret:NAME-XXXXXX or "
                "arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME)",
                path=path,
                value=text,
            )

    def secret_name(self, name: str, at: str) -> None:
        path = self.path(at)
        region = self.scope.require_region(path=path, value=name)
        account = self.scope.require_account(path=path, value=name)
        partition = partition_for_region(region).name
        arn = Arn(partition, "secretsmanager", region, account, f"secret:{name}")
        self.secret_arn(arn, name, at, by_name=True)

    def secret_arn(
        self,
        arn: Arn,
        written: str,
        at: str,
        *,
        by_name: bool = False,
        key_names: tuple[str, ...] = (),
    ) -> None:
        """Grant one secret; ``by_name`` when ``written`` is a name, not an ARN.

        A name never carries the random suffix, even one that looks like it
        ('docker-hubpwd'); only an ARN's last six characters may be the suffix.
        ``key_names`` are further names the caller may have given its key by.
        """
        path = self.path(at)
        kind, _, rest = arn.resource.partition(":")
        fields = rest.split(":")
        name, selectors = fields[0], fields[1:]
        if kind != "secret" or not name or len(selectors) > _SECRET_SELECTORS:
            raise InvalidReferenceError(
                f"{written!r} is not a Secrets Manager reference; expected "
                "arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME, optionally "
                "followed by :JSON-KEY:VERSION-STAGE:VERSION-ID",
                path=path,
                value=written,
            )
        if not _SECRET_NAME.match(name):
            raise InvalidReferenceError(
                f"secret name {name!r} in {written!r} has characters that Secrets "
                "Manager does not allow (letters, digits and /_+=.@-)",
                path=path,
                value=written,
            )
        if not by_name and _SECRET_SUFFIX.search(name):
            secret = arn.with_resource(f"secret:{name}")
            if _WORDLIKE_SUFFIX.search(name):
                # Secrets Manager's six random characters are rarely all
                # lowercase letters; a word there may end a partial ARN.
                self.warn(
                    ids.PARTIAL_SECRET_ARN,
                    f"{written!r} is taken as a complete ARN, the secret named "
                    f"{name.rsplit('-', 1)[0]!r} with suffix "
                    f"{name.rsplit('-', 1)[1]!r}; if {name!r} is the whole name, "
                    "the grant misses it: give the complete ARN from the console",
                    path,
                )
        else:
            # A secret's ARN ends in '-' and six random characters; '??????'
            # matches exactly those six, where '*' would match other secrets.
            secret = arn.with_resource(f"secret:{name}-??????")
            self.warn(
                ids.PARTIAL_SECRET_ARN,
                f"{written!r} names secret {name!r} without its 6-character suffix; "
                f"'{name}-??????' is granted, but ECS resolves partial ARNs "
                "unreliably: prefer the complete ARN",
                path,
            )
        self.add(SecretRead(secret, source=path), path)
        key = self.keys.lookup(
            *key_names,
            written,
            secret.render(),
            name,
            arn.with_resource(f"secret:{name}").render(),
        )
        if key is not None:
            service = via_service("secretsmanager", secret.region, _dns(secret.region))
            self.add(KeyDecrypt(key, service, source=path), path)

    def parameter_name(self, name: str, at: str) -> None:
        path = self.path(at)
        if not _PARAMETER_NAME.match(name):
            raise InvalidReferenceError(
                f"{name!r} is neither an ARN nor an SSM parameter name (letters, "
                "digits and _.-/); a Secrets Manager secret must be given by its ARN",
                path=path,
                value=name,
            )
        region = self.scope.require_region(path=path, value=name)
        account = self.scope.require_account(path=path, value=name)
        partition = partition_for_region(region).name
        arn = Arn(partition, "ssm", region, account, f"parameter/{name.lstrip('/')}")
        self.parameter_arn(arn, at, written=name)

    def parameter_arn(self, arn: Arn, at: str, *, written: str | None = None) -> None:
        path = self.path(at)
        written = written or arn.render()
        kind, slash, name = arn.resource.partition("/")
        if (
            kind != "parameter"
            or not slash
            or not name
            or not _PARAMETER_NAME.match(name)
            or name.startswith("/")
        ):
            raise InvalidReferenceError(
                f"{written!r} is not an SSM parameter ARN; expected "
                "arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME (one slash, "
                "NAME of letters, digits and _.-/)",
                path=path,
                value=written,
            )
        self.add(ParameterRead(arn, source=path), path)
        names = (written, arn.render(), name, f"/{name}")
        if f"/{name}".startswith(_SECRETS_MANAGER_REFERENCE):
            # Parameter Store hands the request on to Secrets Manager, which
            # checks the role's own right to the secret and decrypts it: a key
            # named for the reference is the secret's, used via Secrets Manager.
            secret_id = f"/{name}"[len(_SECRETS_MANAGER_REFERENCE) :]
            if secret_id.startswith("arn:"):
                secret = parse_arn(secret_id, path=path, service="secretsmanager")
                self.secret_arn(secret, secret_id, at, key_names=names)
            else:
                secret = arn.with_resource(
                    f"secret:{secret_id}", service="secretsmanager"
                )
                self.secret_arn(secret, secret_id, at, by_name=True, key_names=names)
            return
        key = self.keys.lookup(*names)
        if key is not None:
            service = via_service("ssm", arn.region, _dns(arn.region))
            self.add(KeyDecrypt(key, service, source=path), path)

    def s3_file(self, value: str, at: str) -> None:
        path = self.path(at)
        text = self.text(value, at, what="S3 file")
        if text.startswith("s3://"):
            bucket_key = text[len("s3://") :]
            raise InvalidReferenceError(
                f"{text!r} is an S3 URL; ECS needs the object's ARN, "
                f"arn:aws:s3:::{bucket_key} (arn:aws-cn:... in China)",
                path=path,
                value=text,
            )
        arn = parse_arn(text, path=path, service="s3")
        bucket, slash, key = arn.resource.partition("/")
        if not bucket or not slash or not key or "*" in arn.resource:
            raise InvalidReferenceError(
                f"{text!r} does not name one S3 object; expected "
                f"arn:{arn.partition}:s3:::BUCKET/KEY",
                path=path,
                value=text,
            )
        if not _BUCKET.match(bucket):
            raise InvalidReferenceError(
                f"{text!r} names bucket {bucket!r}, which is not an S3 bucket name "
                "(3-63 lowercase letters, digits, '.' and '-'; older buckets may "
                "also hold capitals and '_', up to 255)",
                path=path,
                value=text,
            )
        self.add(ObjectRead(arn.partition, bucket, key, source=path), path)
        key_arn = self.keys.lookup(text, bucket, f"arn:{arn.partition}:s3:::{bucket}")
        if key_arn is not None:
            region = self.scope.require_region(path=path, value=text)
            service = via_service("s3", region, _dns(region))
            self.add(KeyDecrypt(key_arn, service, source=path), path)


def _dns(region: str) -> str:
    return partition_for_region(region).dns_suffix


def _describe(need: Need) -> str:
    if isinstance(need, ImagePull):
        return f"repository {need.repository.resource.removeprefix('repository/')}"
    if isinstance(need, SecretRead):
        return f"secret {need.secret.resource.removeprefix('secret:')}"
    if isinstance(need, ParameterRead):
        return f"parameter {need.parameter.resource.removeprefix('parameter')}"
    if isinstance(need, KeyDecrypt):
        return f"KMS key {need.key.resource.removeprefix('key/')}"
    return type(need).__name__
