"""What the ECS agent must do with the execution role before a task starts.

A need is a typed value (pull this image, write to this log group, read this
secret) that remembers the setting it came from, as a JSON path such as
``containerDefinitions[1].secrets[0].valueFrom``. Each need knows the grants it
requires; :mod:`ecs_exec_role.statements` groups them into a policy.

The permission facts live here, one need a fact, each taken from the ECS
Developer Guide pages on the task execution role, private registries, secrets,
environment files, FireLens and gMSA.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .arns import Arn

__all__ = [
    "Family",
    "Grant",
    "ImagePull",
    "KeyDecrypt",
    "LogDelivery",
    "Need",
    "ObjectRead",
    "ParameterRead",
    "SecretRead",
    "iam_literal",
    "via_service",
]


class Family(enum.Enum):
    """A set of actions granted together; its value is the statement's Sid stem."""

    # ecr:GetAuthorizationToken has no resource type: IAM only accepts "*".
    ECR_AUTHORIZATION = ("EcrAuthorizationToken", ("ecr:GetAuthorizationToken",))
    ECR_PULL = (
        "EcrImagePull",
        (
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
        ),
    )
    # A cache miss imports the upstream image, creating the repository on the
    # first pull of a new image.
    ECR_PULL_THROUGH_CACHE = (
        "EcrPullThroughCache",
        ("ecr:BatchImportUpstreamImage", "ecr:CreateRepository"),
    )
    LOGS_WRITE = ("LogsWrite", ("logs:CreateLogStream", "logs:PutLogEvents"))
    LOGS_CREATE_GROUP = ("LogsCreateGroup", ("logs:CreateLogGroup",))
    SECRETS_READ = ("SecretsManagerRead", ("secretsmanager:GetSecretValue",))
    # The agent fetches parameters in batches with GetParameters.
    PARAMETERS_READ = ("SsmParameterRead", ("ssm:GetParameters",))
    KMS_DECRYPT = ("KmsDecrypt", ("kms:Decrypt",))
    S3_OBJECT_READ = ("S3ObjectRead", ("s3:GetObject",))
    S3_BUCKET_LOCATION = ("S3BucketLocation", ("s3:GetBucketLocation",))

    @property
    def sid(self) -> str:
        sid: str = self.value[0]
        return sid

    @property
    def actions(self) -> tuple[str, ...]:
        actions: tuple[str, ...] = self.value[1]
        return actions


def iam_literal(name: str) -> str:
    """``name`` for a policy's Resource, its ``?`` no longer a wildcard.

    S3 keys and log stream names may hold ``?``, which IAM reads as any one
    character; ``${?}`` is IAM's way to say the character itself. (``*`` is
    refused before it gets here, and ``${`` is taken for a template
    placeholder.)
    """
    return name.replace("?", "${?}")


Condition = tuple[str, str, str]
"""One IAM condition: operator, key and value (``StringEquals``, ``kms:ViaService``)."""


@dataclass(frozen=True)
class Grant:
    """One family of actions on one resource, under a set of conditions."""

    family: Family
    resource: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Need:
    """Base of every need; ``source`` is the setting that makes it."""

    source: str = field(compare=False, kw_only=True)

    def grants(self) -> tuple[Grant, ...]:
        raise NotImplementedError

    @property
    def account(self) -> str | None:
        """The account that owns the resource, when it has one."""
        return None


@dataclass(frozen=True)
class ImagePull(Need):
    """Pull an image from a private ECR repository."""

    repository: Arn
    pull_through_cache: bool = False

    def grants(self) -> tuple[Grant, ...]:
        resource = self.repository.render()
        pulls = (
            Grant(Family.ECR_AUTHORIZATION, "*"),
            Grant(Family.ECR_PULL, resource),
        )
        if self.pull_through_cache:
            return (*pulls, Grant(Family.ECR_PULL_THROUGH_CACHE, resource))
        return pulls

    @property
    def account(self) -> str | None:
        return self.repository.account


@dataclass(frozen=True)
class LogDelivery(Need):
    """Write a container's output to a CloudWatch Logs group (``awslogs``).

    ``log_group`` is the group's ARN without the ``:*`` suffix. Streams are
    named ``PREFIX/CONTAINER/TASK-ID`` after a task that does not exist yet, so
    the stream part of the resource is a wildcard that AWS forces.
    """

    log_group: Arn
    stream_prefix: str | None = None
    create_group: bool = False

    def grants(self) -> tuple[Grant, ...]:
        streams = f"{iam_literal(self.stream_prefix)}/*" if self.stream_prefix else "*"
        write = Grant(
            Family.LOGS_WRITE,
            self.log_group.with_resource(
                f"{self.log_group.resource}:log-stream:{streams}"
            ).render(),
        )
        if not self.create_group:
            return (write,)
        # CreateLogGroup is authorized against "log-group:NAME:log-stream:",
        # which "NAME:*" covers and a bare "log-group:NAME" does not.
        create = Grant(
            Family.LOGS_CREATE_GROUP,
            self.log_group.with_resource(f"{self.log_group.resource}:*").render(),
        )
        return (write, create)


@dataclass(frozen=True)
class SecretRead(Need):
    """Read a Secrets Manager secret's value (``GetSecretValue``, nothing more).

    ``secret`` is the secret's own ARN: any ``:json-key:version-stage:version-id``
    selector is stripped, and a name without its random suffix ends in
    ``-??????``.
    """

    secret: Arn

    def grants(self) -> tuple[Grant, ...]:
        return (Grant(Family.SECRETS_READ, self.secret.render()),)

    @property
    def account(self) -> str | None:
        return self.secret.account


@dataclass(frozen=True)
class ParameterRead(Need):
    """Read a Systems Manager parameter (``GetParameters``)."""

    parameter: Arn

    def grants(self) -> tuple[Grant, ...]:
        return (Grant(Family.PARAMETERS_READ, self.parameter.render()),)

    @property
    def account(self) -> str | None:
        return self.parameter.account


def via_service(
    service: str, region: str, dns_suffix: str = "amazonaws.com"
) -> tuple[str, ...]:
    """The ``kms:ViaService`` values for ``service`` (``secretsmanager``) in ``region``.

    ``SERVICE.REGION.amazonaws.com`` in every partition, as aws-cdk-lib's own key
    grants write it; where the partition's endpoints end otherwise (China:
    ``amazonaws.com.cn``) that form is allowed too, since both name the same
    service in the same Region.
    """
    values = [f"{service}.{region}.amazonaws.com"]
    if dns_suffix != "amazonaws.com":
        values.append(f"{service}.{region}.{dns_suffix}")
    return tuple(values)


@dataclass(frozen=True)
class KeyDecrypt(Need):
    """Decrypt with a customer-managed KMS key, only through ``service``.

    ``service`` is the endpoint that calls KMS on the role's behalf, such as
    ``secretsmanager.eu-west-1.amazonaws.com`` (or several names of it, see
    :func:`via_service`); the grant is conditioned on ``kms:ViaService`` so the
    key cannot be used directly.
    """

    key: Arn
    service: str | tuple[str, ...]

    def grants(self) -> tuple[Grant, ...]:
        services = (self.service,) if isinstance(self.service, str) else self.service
        conditions = tuple(("StringEquals", "kms:ViaService", s) for s in services)
        return (Grant(Family.KMS_DECRYPT, self.key.render(), conditions),)

    @property
    def account(self) -> str | None:
        return self.key.account


@dataclass(frozen=True)
class ObjectRead(Need):
    """Download one S3 object (an environment file, a FireLens or gMSA file)."""

    partition: str
    bucket: str
    key: str

    def grants(self) -> tuple[Grant, ...]:
        bucket = f"arn:{self.partition}:s3:::{self.bucket}"
        return (
            Grant(Family.S3_OBJECT_READ, f"{bucket}/{iam_literal(self.key)}"),
            Grant(Family.S3_BUCKET_LOCATION, bucket),
        )
