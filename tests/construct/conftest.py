"""The matrix of task definitions, synthesized once for the construct's tests.

Synthesis costs seconds, most of it jsii: every case of
:data:`tests.construct.tasks.CASES` and the example task-definition file are
one app, a stack each, with the five cdk-nag packs registered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from ecs_exec_role import TaskExecutionRole
from examples.nag import REPORT_FILE, add_all_packs
from tests.construct.tasks import CASES, ENV, TASK_DEFINITION_FILE, new_app

MATRIX_STACKS = (*(case.name for case in CASES), "TaskDefinitionFile")


@dataclass(frozen=True)
class Matrix:
    """The synthesized matrix: its stacks and roles by case, and the cloud assembly."""

    stacks: dict[str, cdk.Stack]
    roles: dict[str, TaskExecutionRole]
    assembly: Any
    report: dict[str, Any]

    def template(self, stack: str) -> dict[str, Any]:
        template: dict[str, Any] = self.assembly.get_stack_by_name(stack).template
        return template


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    app = new_app(tmp_path_factory.mktemp("cdk.out"))
    stacks, roles = {}, {}
    for case in CASES:
        stack = cdk.Stack(app, case.name, env=ENV)
        roles[case.name] = TaskExecutionRole(
            stack, "ExecutionRole", runtime_monitoring=False, **case.role_options
        )
        case.build(stack, roles[case.name])
        stacks[case.name] = stack
    stack = cdk.Stack(app, "TaskDefinitionFile", env=ENV)
    roles["TaskDefinitionFile"] = TaskExecutionRole.from_task_definition_file(
        stack, "ExecutionRole", TASK_DEFINITION_FILE, runtime_monitoring=False
    )
    stacks["TaskDefinitionFile"] = stack
    add_all_packs(app)

    assembly = app.synth()

    report = json.loads((Path(assembly.directory) / REPORT_FILE).read_text("utf-8"))
    return Matrix(stacks, roles, assembly, report)
