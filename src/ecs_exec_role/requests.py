"""The concrete requests that the ECS agent makes for each need.

A policy is right when IAM allows these requests, whatever its wording: the
audit holds existing policies against them, and the tests hold ours. Where a
grant carries a wildcard that AWS forces, the request fills it the way ECS does
at run time: a log stream ``PREFIX/CONTAINER/TASK-ID``, a secret's six random
characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .needs import Family, Need

__all__ = ["Request", "requests_for"]

# What ECS puts where a grant has to leave a wildcard.
_STREAM_SAMPLE = "container/0123456789abcdef0123456789abcdef"
_SECRET_SUFFIX_SAMPLE = "AbC123"


@dataclass(frozen=True)
class Request:
    """One authorization request: an action on a resource, with its context keys."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    sources: tuple[str, ...] = field(default=(), compare=False, hash=False)

    def __str__(self) -> str:
        context = "".join(
            f" [{key}={value}]" for key, value in sorted(self.context.items())
        )
        return f"{self.action} on {self.resource}{context}"


def requests_for(
    needs: Iterable[Need], sources: Mapping[Need, tuple[str, ...]] | None = None
) -> tuple[Request, ...]:
    """Every distinct request the agent makes for ``needs``, in a stable order."""
    found: dict[tuple[str, str, tuple[tuple[str, str], ...]], Request] = {}
    for need in needs:
        paths = tuple(sources.get(need, ())) if sources else (need.source,)
        for grant in need.grants():
            context = {key: value for _, key, value in grant.conditions}
            resource = _concrete(grant.family, grant.resource)
            for action in grant.family.actions:
                key = (action, resource, tuple(sorted(context.items())))
                known = found.get(key)
                merged = paths if known is None else _merge(known.sources, paths)
                found[key] = Request(action, resource, context, merged)
    return tuple(found.values())


def _concrete(family: Family, resource: str) -> str:
    """The resource of the request that ``resource``, a grant's pattern, allows."""
    return _unescape(_filled(family, resource))


def _unescape(resource: str) -> str:
    # IAM writes a literal '?' or '*' in a pattern as ${?} and ${*}.
    for escape, char in (("${?}", "?"), ("${*}", "*"), ("${$}", "$")):
        resource = resource.replace(escape, char)
    return resource


def _filled(family: Family, resource: str) -> str:
    if family is Family.ECR_AUTHORIZATION:
        return resource  # the action has no resource type; IAM sees "*"
    if family is Family.LOGS_CREATE_GROUP:
        # CreateLogGroup is authorized against the group's empty stream.
        return resource.removesuffix("*") + "log-stream:"
    if resource.endswith("-??????"):
        return resource.removesuffix("??????") + _SECRET_SUFFIX_SAMPLE
    if resource.endswith("*"):
        return resource.removesuffix("*") + _STREAM_SAMPLE
    return resource


def _merge(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return first + tuple(path for path in second if path not in first)
