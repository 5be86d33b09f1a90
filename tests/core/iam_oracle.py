"""A small test oracle: does an IAM policy document allow one concrete request?

It implements the parts of IAM policy evaluation that the execution-role
policies use, and refuses the rest instead of guessing:

- ``Action`` and ``Resource`` with IAM's wildcards, ``*`` (any run of
  characters, ``/`` and ``:`` included) and ``?`` (exactly one character),
  and the escapes ``${*}``, ``${?}`` and ``${$}`` for those characters
  themselves (other policy variables are refused);
  actions match without regard to case, resources with regard to it;
- ``Condition`` with ``StringEquals``, ``StringLike``, ``ArnEquals`` and
  ``ArnLike`` over single-valued keys, which all must hold; a key that the
  request context lacks makes the condition false;
- an explicit ``Deny`` wins over any ``Allow``; no statement means an
  implicit deny.

``NotAction``, ``NotResource``, ``Principal`` and other operators raise
:class:`UnsupportedPolicyError`, so a test can never pass by the oracle skipping
what it does not understand. This is a test helper, not library code: the
library never evaluates policies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Request", "UnsupportedPolicyError", "allows", "granting_statements"]

_OPERATORS = frozenset({"StringEquals", "StringLike", "ArnEquals", "ArnLike"})
_SUPPORTED_KEYS = frozenset({"Sid", "Effect", "Action", "Resource", "Condition"})


class UnsupportedPolicyError(AssertionError):
    """The document uses a policy feature this oracle does not evaluate."""


@dataclass(frozen=True)
class Request:
    """One call that the ECS agent makes with the execution role."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)


_ESCAPES = {"${*}": "*", "${?}": "?", "${$}": "$"}


def _pattern(glob: str, *, ignore_case: bool) -> re.Pattern[str]:
    parts: list[str] = []
    index = 0
    while index < len(glob):
        escape = glob[index : index + 4]
        if escape in _ESCAPES:
            parts.append(re.escape(_ESCAPES[escape]))
            index += 4
            continue
        if glob.startswith("${", index):
            raise UnsupportedPolicyError(f"policy variable in {glob!r}")
        char = glob[index]
        parts.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
        index += 1
    regex = "".join(parts)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(f"^{regex}$", flags)


def _matches(glob: str, value: str, *, ignore_case: bool = False) -> bool:
    return _pattern(glob, ignore_case=ignore_case).match(value) is not None


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _condition_holds(condition: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    lowered = {key.lower(): value for key, value in context.items()}
    for operator, keys in condition.items():
        if operator not in _OPERATORS:
            raise UnsupportedPolicyError(f"condition operator {operator!r}")
        for key, expected in keys.items():
            actual = lowered.get(key.lower())
            if actual is None:
                return False
            wildcards = operator in ("StringLike", "ArnLike")
            if not any(
                _matches(value, actual) if wildcards else value == actual
                for value in _as_list(expected)
            ):
                return False
    return True


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    unsupported = set(statement) - _SUPPORTED_KEYS
    if unsupported:
        raise UnsupportedPolicyError(f"statement elements {sorted(unsupported)}")
    actions = _as_list(statement["Action"])
    resources = _as_list(statement["Resource"])
    return (
        any(_matches(a, request.action, ignore_case=True) for a in actions)
        and any(_matches(r, request.resource) for r in resources)
        and _condition_holds(statement.get("Condition", {}), request.context)
    )


def granting_statements(
    document: Mapping[str, Any] | None, request: Request
) -> list[Mapping[str, Any]]:
    """The Allow statements of ``document`` that match ``request``."""
    if document is None:
        return []
    return [
        statement
        for statement in document["Statement"]
        if statement["Effect"] == "Allow" and _applies(statement, request)
    ]


def allows(document: Mapping[str, Any] | None, request: Request) -> bool:
    """Whether ``document`` allows ``request`` (``None``: no policy at all)."""
    if document is None:
        return False
    statements: Iterable[Mapping[str, Any]] = document["Statement"]
    denied = any(s["Effect"] == "Deny" and _applies(s, request) for s in statements)
    return not denied and bool(granting_statements(document, request))
