"""Checks the reported cases share: what a policy grants, beyond what it must allow."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def granted_actions(document: Mapping[str, Any] | None) -> set[str]:
    if document is None:
        return set()
    return {a for s in document["Statement"] for a in _as_list(s["Action"])}


def granted_resources(document: Mapping[str, Any] | None) -> set[str]:
    if document is None:
        return set()
    return {r for s in document["Statement"] for r in _as_list(s["Resource"])}


def condition_keys(document: Mapping[str, Any] | None) -> set[str]:
    if document is None:
        return set()
    return {
        key
        for s in document["Statement"]
        for keys in s.get("Condition", {}).values()
        for key in keys
    }


def statements_with(document: Mapping[str, Any] | None, action: str) -> list[Any]:
    if document is None:
        return []
    return [s for s in document["Statement"] if action in _as_list(s["Action"])]


def resources_for(
    document: Mapping[str, Any] | None, actions: Iterable[str]
) -> set[str]:
    """Every resource granted for any of ``actions``."""
    wanted = set(actions)
    if document is None:
        return set()
    return {
        r
        for s in document["Statement"]
        if wanted & set(_as_list(s["Action"]))
        for r in _as_list(s["Resource"])
    }
