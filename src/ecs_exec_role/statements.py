"""From needs to IAM statements, grouped, sorted and split to fit IAM's quotas.

Sids follow one scheme: the family's stem (``EcrImagePull``, ``SecretsManagerRead``,
...; see :class:`ecs_exec_role.needs.Family`), then for a conditioned family the
words of its condition values (``KmsDecryptViaSecretsmanagerEuWest1``), then,
when a statement had to be cut to fit a policy, ``Part1``, ``Part2``, ... The
same needs always give the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import PolicySizeError
from .needs import Condition, Family, Need

__all__ = [
    "DEFAULT_MAX_MANAGED_POLICIES",
    "MANAGED_POLICY_MAX_CHARS",
    "MAX_MANAGED_POLICIES",
    "Policy",
    "Statement",
    "build_statements",
    "minified_size",
    "split_policies",
    "unique_sid",
]

MANAGED_POLICY_MAX_CHARS = 6144
"""IAM's limit for one customer-managed policy, whitespace not counted."""

DEFAULT_MAX_MANAGED_POLICIES = 10
"""Managed policies a role may have under IAM's default quota."""

MAX_MANAGED_POLICIES = 20
"""The most that a quota increase allows."""

POLICY_VERSION = "2012-10-17"


@dataclass(frozen=True)
class Statement:
    """One Allow statement, and for each resource the settings that need it."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        statement: dict[str, Any] = {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": _one_or_list(self.actions),
            "Resource": _one_or_list(self.resources),
        }
        if self.conditions:
            statement["Condition"] = _conditions_json(self.conditions)
        return statement


@dataclass(frozen=True)
class Policy:
    """An IAM policy document of statements."""

    statements: tuple[Statement, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "Version": POLICY_VERSION,
            "Statement": [statement.to_json() for statement in self.statements],
        }

    @property
    def size(self) -> int:
        """Characters as IAM counts them: the document without whitespace."""
        return minified_size(self.to_json())


def minified_size(document: Any) -> int:
    return len(json.dumps(document, separators=(",", ":")))


def build_statements(
    needs: Iterable[Need], sources: Mapping[Need, Sequence[str]] | None = None
) -> tuple[Statement, ...]:
    """The statements that grant ``needs``: one per family and condition set.

    Resources are sorted and given once; ``sources`` (from a derivation) says
    which settings made each need, and so each resource.
    """
    groups: dict[tuple[Family, tuple[Condition, ...]], dict[str, list[str]]] = {}
    for need in needs:
        paths = list(sources.get(need, ())) if sources else [need.source]
        for grant in need.grants():
            resources = groups.setdefault((grant.family, grant.conditions), {})
            known = resources.setdefault(grant.resource, [])
            known.extend(path for path in paths if path not in known)
    order = list(Family)
    statements = []
    used_sids: set[str] = set()
    for (family, conditions), resources in sorted(
        groups.items(), key=lambda item: (order.index(item[0][0]), item[0][1])
    ):
        sid = unique_sid(family.sid + _condition_words(conditions), used_sids)
        statements.append(
            Statement(
                sid=sid,
                actions=family.actions,
                resources=tuple(sorted(resources, key=_resource_order)),
                conditions=conditions,
                sources={
                    resource: tuple(paths) for resource, paths in resources.items()
                },
            )
        )
    return tuple(statements)


def split_policies(
    statements: Sequence[Statement],
    *,
    max_policies: int = DEFAULT_MAX_MANAGED_POLICIES,
    max_chars: int = MANAGED_POLICY_MAX_CHARS,
    what: str = "the execution role",
) -> tuple[Policy, ...]:
    """Pack ``statements`` into as few managed policies as fit IAM's size limit.

    Statements keep their order; one too large for a policy alone is cut into
    parts by resource. More policies than ``max_policies`` is an error that says
    how many characters were needed.
    """
    if not 1 <= max_policies <= MAX_MANAGED_POLICIES:
        raise PolicySizeError(
            f"max_policies must be between 1 and {MAX_MANAGED_POLICIES} (IAM's "
            f"highest quota of managed policies per role), not {max_policies}",
            value=max_policies,
        )
    # Sizes add up: a policy is its wrapper, its statements and the commas
    # between them, so each statement is measured once.
    wrapper = minified_size({"Version": POLICY_VERSION, "Statement": []})
    policies: list[list[Statement]] = []
    used = 0

    def place(statement: Statement, size: int) -> None:
        nonlocal used
        if policies and used + 1 + size <= max_chars:
            policies[-1].append(statement)
            used += 1 + size
        else:
            policies.append([statement])
            used = wrapper + size

    for statement in statements:
        size = minified_size(statement.to_json())
        fits_here = policies and used + 1 + size <= max_chars
        if fits_here or wrapper + size <= max_chars or len(statement.resources) <= 1:
            place(statement, size)
            continue
        # Too large for any policy: cut by resource, the first part filling
        # what the current policy has left.
        room = max_chars - used - 1 if policies else 0
        for part in _cut(statement, budget=max_chars - wrapper, first_budget=room):
            place(part, minified_size(part.to_json()))
    if len(policies) > max_policies:
        needed = sum(Policy((statement,)).size for statement in statements)
        raise PolicySizeError(
            f"the policy for {what} needs about {needed:,} characters in "
            f"{len(policies)} managed policies, more than IAM allows with "
            f"{max_policies} managed policies of {max_chars:,} characters each; "
            "raise max_policies (up to 20, with a quota increase) or reduce the "
            "number of distinct secrets and parameters, for example by keeping "
            "related values as JSON keys of one secret",
            value=needed,
        )
    return tuple(Policy(tuple(policy)) for policy in policies)


def _cut(statement: Statement, *, budget: int, first_budget: int) -> list[Statement]:
    """``statement`` as parts of at most ``budget`` characters, cut by resource.

    The first part may take ``first_budget`` instead, the room left in the
    policy it joins; when not even one resource fits there, it takes ``budget``.
    """
    # A part measures its frame plus each resource's JSON string and a comma
    # between two; the frame is taken with a long part number, so the
    # estimate never falls short.
    sample = statement.resources[:2]
    frame = (
        minified_size(_part(statement, sample, 999).to_json())
        - sum(minified_size(resource) for resource in sample)
        - 1
    )
    parts: list[list[str]] = [[]]
    limit, used = first_budget, frame
    for resource in statement.resources:
        size = minified_size(resource)
        if not parts[-1] and used + size > limit:
            limit = budget  # not even one fits where the first part would go
        elif parts[-1] and used + 1 + size > limit:
            parts.append([])
            limit, used = budget, frame
        used += size + (1 if parts[-1] else 0)
        parts[-1].append(resource)
    return [_part(statement, tuple(part), index) for index, part in enumerate(parts, 1)]


def _part(statement: Statement, resources: tuple[str, ...], index: int) -> Statement:
    return Statement(
        sid=f"{statement.sid}Part{index}",
        actions=statement.actions,
        resources=resources,
        conditions=statement.conditions,
        sources={
            resource: statement.sources.get(resource, ()) for resource in resources
        },
    )


def _one_or_list(values: Sequence[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def _conditions_json(conditions: Sequence[Condition]) -> dict[str, dict[str, Any]]:
    document: dict[str, dict[str, list[str]]] = {}
    for operator, key, value in conditions:
        document.setdefault(operator, {}).setdefault(key, []).append(value)
    return {
        operator: {key: _one_or_list(values) for key, values in keys.items()}
        for operator, keys in document.items()
    }


def _resource_order(resource: str) -> tuple[bool, str]:
    return (resource != "*", resource)


_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def _condition_words(conditions: Sequence[Condition]) -> str:
    """Sid words for a condition set: ``secretsmanager.eu-west-1.amazonaws.com``
    gives ``ViaSecretsmanagerEuWest1``."""
    if not conditions:
        return ""
    words: list[str] = []
    for _, _, value in conditions:
        service, _, rest = value.partition(".")
        region = rest.rsplit(".amazonaws.", 1)[0] if ".amazonaws." in rest else rest
        words += [service, *_NOT_WORD.split(region)]
    unique = dict.fromkeys(w[:1].upper() + w[1:] for w in words if w)
    return "Via" + "".join(unique)


def unique_sid(sid: str, used: set[str]) -> str:
    """``sid``, or ``sid`` with the lowest number from 2 up that is not in ``used``."""
    candidate, index = sid, 2
    while candidate in used:
        candidate, index = f"{sid}{index}", index + 1
    used.add(candidate)
    return candidate
