"""Warning ids: one constant per thing a user must know but the role cannot fix.

The ids are stable; the construct reports them through
``Annotations.add_warning_v2`` (so they can be acknowledged one by one) and the
command line prints them on standard error. The README lists every id.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALL_WARNING_IDS",
    "CDK_KEY_POLICY_GRANT",
    "CROSS_ACCOUNT_RESOURCE",
    "DOMAINLESS_GMSA_SECRET",
    "FIRELENS_S3_CONFIG_ON_FARGATE",
    "GUARDDUTY_AGENT_NOT_GRANTED",
    "IMAGE_NOT_GIVEN",
    "NOT_EXECUTION_ROLE",
    "NO_EXECUTION_ROLE_NEEDED",
    "PARTIAL_SECRET_ARN",
    "UNKNOWN_SETTING",
    "RoleWarning",
]

_PREFIX = "ecs-exec-role"

PARTIAL_SECRET_ARN = f"{_PREFIX}:partialSecretArn"
"""A secret is named without its 6-character suffix; ``NAME-??????`` is granted."""

CROSS_ACCOUNT_RESOURCE = f"{_PREFIX}:crossAccountResource"
"""A repository, secret, parameter or key lives in another account."""

FIRELENS_S3_CONFIG_ON_FARGATE = f"{_PREFIX}:firelensS3ConfigOnFargate"
"""FireLens reads its configuration from S3, which Fargate does not support."""

NOT_EXECUTION_ROLE = f"{_PREFIX}:notExecutionRole"
"""A setting whose permissions belong to another role; none is granted here."""

DOMAINLESS_GMSA_SECRET = f"{_PREFIX}:domainlessGmsaSecret"
"""Domainless gMSA also reads a domain-credential secret the task cannot name."""

NO_EXECUTION_ROLE_NEEDED = f"{_PREFIX}:noExecutionRoleNeeded"
"""Nothing in the task definition uses an execution role."""

UNKNOWN_SETTING = f"{_PREFIX}:unknownSetting"
"""A key the ECS API model does not know; ECS drops it, so nothing is granted for it."""

IMAGE_NOT_GIVEN = f"{_PREFIX}:imageNotGiven"
"""A container has no image yet (deploy tools fill it in); no pull is granted for it."""

GUARDDUTY_AGENT_NOT_GRANTED = f"{_PREFIX}:guardDutyAgentNotGranted"
"""A Fargate task, and nothing said of GuardDuty Runtime Monitoring's agent sidecar."""

CDK_KEY_POLICY_GRANT = f"{_PREFIX}:cdkKeyPolicyGrant"
"""aws-cdk-lib wrote the role into a KMS key's policy, which no role can refuse."""

ALL_WARNING_IDS = (
    PARTIAL_SECRET_ARN,
    CROSS_ACCOUNT_RESOURCE,
    FIRELENS_S3_CONFIG_ON_FARGATE,
    NOT_EXECUTION_ROLE,
    DOMAINLESS_GMSA_SECRET,
    NO_EXECUTION_ROLE_NEEDED,
    UNKNOWN_SETTING,
    IMAGE_NOT_GIVEN,
    GUARDDUTY_AGENT_NOT_GRANTED,
    CDK_KEY_POLICY_GRANT,
)


@dataclass(frozen=True)
class RoleWarning:
    """A message for the user, with a stable ``id`` and the setting it is about."""

    id: str
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"[{self.id}] {where}{self.message}"
