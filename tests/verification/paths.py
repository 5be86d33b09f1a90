"""Does an error name a JSON path of the input it refuses?

The library's errors start with the JSON path of the offending setting, in the
user's own spelling: ``containerDefinitions[1].secrets[0].valueFrom``,
``taskDefinition.containerDefinitions[0].image``,
``Resources.Task.Properties.ContainerDefinitions[0].Image``, ``[0].image`` for
a bare container array, ``kms_keys['...']`` for the argument. An error that
lists several problems names one path each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ecs_exec_role import ExecutionRoleError, InvalidSettingsError

__all__ = ["paths_named", "unresolved_paths"]

_STEP = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")
_LISTED = re.compile(r"^  - (.+?): ", re.MULTILINE)
# Problems with the document as a whole: its top level is what is wrong.
_ROOT = ("the document", "the template", "input")
_ARGUMENTS = ("kms_keys",)


def paths_named(error: ExecutionRoleError) -> list[str]:
    """The JSON paths that ``error`` names, one a problem."""
    if isinstance(error, InvalidSettingsError):
        return [path for problem in error.problems for path in paths_named(problem)]
    if error.path:
        return [error.path]
    return _LISTED.findall(str(error))


def unresolved_paths(error: ExecutionRoleError, document: Any) -> list[str]:
    """The problems of ``error`` that name no path within ``document``.

    A path resolves when it leads to a value of the document, or to a member
    missing from an object the document has (a required setting left out).
    An error about the whole document names no path and must say so.
    """
    paths = paths_named(error)
    if not paths:
        return [] if str(error).startswith(_ROOT) else [f"no path in: {error}"]
    return [
        path
        for path in paths
        if not path.startswith(_ARGUMENTS) and not _resolves(path, document)
    ]


def _resolves(path: str, document: Any) -> bool:
    steps = _steps(path)
    if steps is None:
        return False
    node = document
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return False
            node = node[step]
        elif isinstance(node, Mapping) and step in node:
            node = node[step]
        else:
            # A missing member of an object: a required setting left out.
            return last and isinstance(node, Mapping)
    return True


def _steps(path: str) -> list[str | int] | None:
    steps: list[str | int] = []
    position = 0
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            return None
        index, name = match.groups()
        steps.append(int(index) if index is not None else name)
        position = match.end()
    return steps
