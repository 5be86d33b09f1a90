"""Warnings: what the user must know but the role cannot fix, each with its id.

The role reports them with ``Annotations.add_warning_v2``, so each can be
acknowledged by id (``Annotation::ecs-exec-role:...``); the ids live in
:mod:`ecs_exec_role.warnings`.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Annotations, Match

from ecs_exec_role import TaskExecutionRole
from ecs_exec_role import warnings as ids
from tests.construct.conftest import Matrix
from tests.construct.tasks import ENV, OTHER_ACCOUNT, cross_account_image, new_app


def warnings_of(stack: cdk.Stack) -> list[str]:
    """The role's warning messages, each ending in its acknowledgement tag."""
    found = Annotations.from_stack(stack).find_warning(
        f"/{stack.stack_name}/ExecutionRole", Match.any_value()
    )
    return [str(message.entry.data) for message in found]


def test_a_resource_of_another_account_needs_its_owners_consent(
    matrix: Matrix,
) -> None:
    (warning,) = warnings_of(matrix.stacks["CrossAccountImage"])

    assert warning.startswith(
        "CrossAccountImage/Task/web.image: "
        f"the repository is in account {OTHER_ACCOUNT}"
    )
    assert warning.endswith(f"[ack: {ids.CROSS_ACCOUNT_RESOURCE}]")


def test_firelens_logs_are_the_task_roles(matrix: Matrix) -> None:
    (warning,) = warnings_of(matrix.stacks["EnvironmentFilesAndFirelens"])

    assert warning.startswith("EnvironmentFilesAndFirelens/Task/web.logging: FireLens")
    assert warning.endswith(f"[ack: {ids.NOT_EXECUTION_ROLE}]")


def test_cases_without_surprises_warn_of_nothing(matrix: Matrix) -> None:
    for stack in ("EcrAndLogs", "SecretsParametersKeys", "PrivateRegistry"):
        assert warnings_of(matrix.stacks[stack]) == []


def test_aws_cdk_libs_warning_on_a_literal_ecr_image_is_acknowledged(
    matrix: Matrix,
) -> None:
    """aws-cdk-lib warns that it grants no pull for an image named by URI."""
    found = Annotations.from_stack(matrix.stacks["PullThroughCache"]).find_warning(
        "*", Match.string_like_regexp("ecrImageRequiresPolicy")
    )

    assert found == []


@pytest.fixture(scope="module")
def unsaid(tmp_path_factory: pytest.TempPathFactory) -> cdk.Stack:
    """A Fargate task whose GuardDuty sidecar nobody mentioned, and a partial name."""
    app = new_app(tmp_path_factory.mktemp("cdk.out"))
    stack = cdk.Stack(app, "Unsaid", env=ENV)
    role = TaskExecutionRole(stack, "ExecutionRole")
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:1.27"),
        secrets={
            "TOKEN": ecs.Secret.from_secrets_manager(
                secretsmanager.Secret.from_secret_name_v2(stack, "Token", "web/token")
            )
        },
    )
    app.synth()
    return stack


def test_guardduty_runtime_monitoring_must_be_said(unsaid: cdk.Stack) -> None:
    assert any(
        w.startswith("Unsaid/Task: the task can run on Fargate")
        and w.endswith(f"[ack: {ids.GUARDDUTY_AGENT_NOT_GRANTED}]")
        for w in warnings_of(unsaid)
    )


def test_a_secret_known_by_name_is_granted_with_six_wildcard_characters(
    unsaid: cdk.Stack,
) -> None:
    assert any(
        w.startswith("Unsaid/Task/web.secrets.TOKEN: secret Unsaid/Token is known")
        and "-??????' is granted" in w
        and w.endswith(f"[ack: {ids.PARTIAL_SECRET_ARN}]")
        for w in warnings_of(unsaid)
    )


def test_every_warning_id_is_namespaced() -> None:
    assert all(warning.startswith("ecs-exec-role:") for warning in ids.ALL_WARNING_IDS)


def test_a_warning_can_be_acknowledged_by_its_id(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    app = new_app(tmp_path_factory.mktemp("cdk.out"))
    stack = cdk.Stack(app, "Acknowledged", env=ENV)
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    cross_account_image(stack, role)

    cdk.Annotations.of(role).acknowledge_warning(
        ids.CROSS_ACCOUNT_RESOURCE, "the shared repository's policy allows this role"
    )

    assert warnings_of(stack) == []
