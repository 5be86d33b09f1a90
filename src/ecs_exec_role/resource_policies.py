"""The other side of cross-account access: what the owning account must allow.

The execution role's own policy is only half of a cross-account grant. An ECR
repository, a Secrets Manager secret or a KMS key in another account also
needs a statement in that resource's own policy, naming the role as principal.
:func:`resource_policy_statements` writes those statements, one for each
cross-account resource the role reads, with the least actions: the same ones
the role's policy grants, under the same ``kms:ViaService`` condition.

GuardDuty's agent repositories are left out: GuardDuty lets every account
pull from them. SSM parameters and S3 objects have no statement here: a
parameter is shared through AWS RAM instead, and an S3 ARN does not say which
account owns the bucket.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .arns import Arn, check_account, partition_named
from .errors import InvalidReferenceError
from .needs import Family, ImagePull, KeyDecrypt, Need, SecretRead
from .pipeline import RolePolicy
from .runtime_monitoring import is_guardduty_agent_repository
from .statements import POLICY_VERSION

__all__ = [
    "ROLE_NAME_PLACEHOLDER",
    "ResourcePolicy",
    "ResourcePolicyStatement",
    "resource_policy_statements",
]

ROLE_NAME_PLACEHOLDER = "<execution-role-name>"
"""Stands for the role's name in the principal when its ARN is not known yet.

IAM refuses ``<`` and ``>`` in a principal, so a statement still holding the
placeholder cannot be applied by mistake.
"""

_ARN_FIELDS = 6

_KMS_CUSTOMER_KEY_NOTE = (
    "Secrets Manager shares a secret with another account only when a "
    "customer-managed KMS key encrypts it (the AWS managed key aws/secretsmanager "
    "cannot be shared): name that key in kms_keys, so that the role's policy and "
    "the key's policy both allow kms:Decrypt"
)


class ResourcePolicy(enum.Enum):
    """Which policy of the owning account takes the statement."""

    REPOSITORY = "ECR repository policy"
    REGISTRY = "ECR private registry permissions policy"
    SECRET = "Secrets Manager secret resource policy"
    KEY = "KMS key policy"


_SIDS = {
    ResourcePolicy.REPOSITORY: "AllowEcsTaskExecutionRolePull",
    ResourcePolicy.REGISTRY: "AllowEcsTaskExecutionRolePullThroughCache",
    ResourcePolicy.SECRET: "AllowEcsTaskExecutionRoleGetSecretValue",
    ResourcePolicy.KEY: "AllowEcsTaskExecutionRoleDecrypt",
}


@dataclass(frozen=True)
class ResourcePolicyStatement:
    """A statement that account ``account`` must add to ``policy`` of ``resource``.

    ``resource`` is the ARN of the repository, secret or key whose policy takes
    the statement (for the registry policy, the repository it lets the role
    create and fill); ``sources`` are the settings that read it; ``note`` says
    what else the owner must know, or is empty.
    """

    policy: ResourcePolicy
    resource: str
    account: str
    statement: Mapping[str, Any]
    sources: tuple[str, ...] = ()
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """The statement, as it goes into the policy's ``Statement`` list."""
        return dict(self.statement)

    def document(self) -> dict[str, Any]:
        """A whole policy document holding only this statement."""
        return {"Version": POLICY_VERSION, "Statement": [self.to_json()]}


def resource_policy_statements(
    role_policy: RolePolicy, role_arn: str | None = None
) -> tuple[ResourcePolicyStatement, ...]:
    """The statements the owners of cross-account resources must add, in a stable order.

    ``role_arn`` is the execution role's ARN, the principal of every statement;
    when it is not known yet (the role is not deployed), the principal is the
    role's ARN with :data:`ROLE_NAME_PLACEHOLDER` for its name. A resource is
    cross-account when its account differs from the role's: the account of
    ``role_arn``, or else the task's account. Without either, which resources
    are cross-account is unknown, and that is an error.
    """
    scope = role_policy.derivation.scope
    role = _role(role_arn, scope.account) if role_arn is not None else None
    account = role.account if role is not None else scope.account
    if account is None:
        raise InvalidReferenceError(
            "which resources are in another account depends on the role's own "
            "account: pass the role's ARN, or the task's account (--account)",
            path="role_arn",
            value=role_arn,
        )

    found: dict[tuple[ResourcePolicy, str], _Found] = {}
    derivation = role_policy.derivation
    decrypted = _decrypted_sources(derivation.needs, derivation.sources)
    for need in derivation.needs:
        if need.account is None or need.account == account:
            continue
        paths = tuple(derivation.sources.get(need, (need.source,)))
        for policy, arn, services in _counterparts(need):
            entry = found.setdefault((policy, arn.render()), _Found(arn))
            entry.paths.extend(path for path in paths if path not in entry.paths)
            entry.services.extend(s for s in services if s not in entry.services)
            if policy is ResourcePolicy.SECRET and not set(paths) & decrypted:
                entry.note = _KMS_CUSTOMER_KEY_NOTE

    order = list(ResourcePolicy)
    return tuple(
        _statement(policy, entry, role, account)
        for (policy, _), entry in sorted(
            found.items(), key=lambda item: (order.index(item[0][0]), item[0][1])
        )
    )


@dataclass
class _Found:
    """One resource's statement, gathered from the needs that read it."""

    arn: Arn
    paths: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    note: str = ""


def _counterparts(
    need: Need,
) -> Iterable[tuple[ResourcePolicy, Arn, tuple[str, ...]]]:
    """The policies that must allow ``need``: (policy, resource, kms:ViaService)."""
    if isinstance(need, ImagePull):
        if is_guardduty_agent_repository(need.repository):
            return
        yield ResourcePolicy.REPOSITORY, need.repository, ()
        if need.pull_through_cache:
            yield ResourcePolicy.REGISTRY, need.repository, ()
    elif isinstance(need, SecretRead):
        yield ResourcePolicy.SECRET, need.secret, ()
    elif isinstance(need, KeyDecrypt):
        yield ResourcePolicy.KEY, need.key, _services(need)


def _decrypted_sources(
    needs: Iterable[Need], sources: Mapping[Need, tuple[str, ...]]
) -> set[str]:
    """The settings whose value is decrypted with a named key via Secrets Manager."""
    return {
        path
        for need in needs
        if isinstance(need, KeyDecrypt)
        and any(service.startswith("secretsmanager.") for service in _services(need))
        for path in sources.get(need, (need.source,))
    }


def _services(need: KeyDecrypt) -> tuple[str, ...]:
    """The ``kms:ViaService`` values the role's own grant names for ``need``."""
    return tuple(
        value
        for grant in need.grants()
        for _, key, value in grant.conditions
        if key == "kms:ViaService"
    )


def _statement(
    policy: ResourcePolicy, entry: _Found, role: Arn | None, account: str
) -> ResourcePolicyStatement:
    principal = (role or _placeholder(entry.arn.partition, account)).render()
    statement: dict[str, Any] = {
        "Sid": _SIDS[policy],
        "Effect": "Allow",
        "Principal": {"AWS": principal},
    }
    if policy is ResourcePolicy.REPOSITORY:
        # A repository policy applies to its repository: it takes no Resource.
        statement["Action"] = list(Family.ECR_PULL.actions)
    elif policy is ResourcePolicy.REGISTRY:
        statement["Action"] = list(Family.ECR_PULL_THROUGH_CACHE.actions)
        statement["Resource"] = entry.arn.render()
    elif policy is ResourcePolicy.SECRET:
        # In a secret's policy, "*" is the secret itself.
        statement["Action"] = _one_or_list(Family.SECRETS_READ.actions)
        statement["Resource"] = "*"
    else:
        # In a key policy, "*" is the key itself.
        statement["Action"] = _one_or_list(Family.KMS_DECRYPT.actions)
        statement["Resource"] = "*"
        services = sorted(entry.services)
        statement["Condition"] = {
            "StringEquals": {"kms:ViaService": _one_or_list(services)}
        }
    return ResourcePolicyStatement(
        policy=policy,
        resource=entry.arn.render(),
        account=entry.arn.account,
        statement=statement,
        sources=tuple(entry.paths),
        note=entry.note,
    )


def _one_or_list(values: Sequence[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def _placeholder(partition: str, account: str) -> Arn:
    return Arn(partition, "iam", "", account, f"role/{ROLE_NAME_PLACEHOLDER}")


def _role(text: str, task_account: str | None) -> Arn:
    """The execution role's ARN, parsed: ``arn:PARTITION:iam::ACCOUNT:role/NAME``."""
    fields = text.split(":", 5)
    if (
        len(fields) != _ARN_FIELDS
        or fields[0] != "arn"
        or fields[2] != "iam"
        or fields[3]
        or not fields[5].startswith("role/")
        or fields[5] == "role/"
    ):
        raise InvalidReferenceError(
            f"{text!r} is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)",
            path="role_arn",
            value=text,
        )
    partition = partition_named(fields[1], path="role_arn").name
    account = check_account(fields[4], path="role_arn", what="the role's account")
    if task_account is not None and account != task_account:
        raise InvalidReferenceError(
            f"role {text!r} is in account {account}, but the task runs in account "
            f"{task_account}; an execution role belongs to the task's account",
            path="role_arn",
            value=text,
        )
    return Arn(partition, "iam", "", account, fields[5])
