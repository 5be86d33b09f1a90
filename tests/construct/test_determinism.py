"""The same app gives the same bytes, whatever order its containers were added in.

(With the feature flag ``@aws-cdk/aws-iam:minimizePolicies``, aws-cdk-lib sorts
a statement's resources itself once they are resolved; the construct orders them
before splitting, so that the split, too, does not move.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager

from ecs_exec_role import TaskExecutionRole
from ecs_exec_role.cdk_policies import stable_statements
from ecs_exec_role.statements import Statement
from tests.construct.tasks import CASES, ENV, new_app


def build_matrix(outdir: Path) -> cdk.App:
    app = new_app(outdir)
    for case in CASES:
        stack = cdk.Stack(app, case.name, env=ENV)
        role = TaskExecutionRole(
            stack, "ExecutionRole", runtime_monitoring=False, **case.role_options
        )
        case.build(stack, role)
    return app


def templates(directory: str) -> dict[str, bytes]:
    return {
        path.name: path.read_bytes() for path in Path(directory).glob("*.template.json")
    }


def test_two_synthesis_runs_give_byte_identical_templates(tmp_path: Path) -> None:
    first = build_matrix(tmp_path / "first").synth()
    second = build_matrix(tmp_path / "second").synth()

    assert templates(first.directory) == templates(second.directory)
    assert len(templates(first.directory)) == len(CASES)


def containers(stack: cdk.Stack, task: ecs.TaskDefinition) -> list[Callable[[], Any]]:
    """Three containers whose log groups and secrets are made as they are added."""

    def web() -> Any:
        return task.add_container(
            "web",
            image=ecs.ContainerImage.from_ecr_repository(
                ecr.Repository(stack, "WebRepository"), "1"
            ),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="web"),
            secrets={
                "TOKEN": ecs.Secret.from_secrets_manager(
                    secretsmanager.Secret(stack, "WebToken")
                )
            },
        )

    def worker() -> Any:
        return task.add_container(
            "worker",
            image=ecs.ContainerImage.from_ecr_repository(
                ecr.Repository(stack, "WorkerRepository"), "1"
            ),
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix="worker", log_group=logs.LogGroup(stack, "WorkerLogs")
            ),
            secrets={
                "TOKEN": ecs.Secret.from_secrets_manager(
                    secretsmanager.Secret(stack, "WorkerToken")
                )
            },
        )

    def sidecar() -> Any:
        return task.add_container(
            "sidecar",
            image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:1.27"),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="sidecar"),
        )

    return [web, worker, sidecar]


def iam_resources(tmp_path: Path, order: list[int]) -> tuple[dict[str, Any], list[str]]:
    """The managed policies, and the secrets in the order of their token strings."""
    app = new_app(tmp_path)
    stack = cdk.Stack(app, "Order", env=ENV)
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    adders = containers(stack, task)
    for index in order:
        adders[index]()
    secrets = {
        name: stack.node.find_child(name).secret_arn
        for name in ("WebToken", "WorkerToken")
    }

    resources = app.synth().get_stack_by_name("Order").template["Resources"]

    policies = {
        logical_id: resource
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::IAM::ManagedPolicy"
    }
    return policies, sorted(secrets, key=secrets.__getitem__)


def test_the_order_of_add_container_calls_does_not_change_the_policy(
    tmp_path: Path,
) -> None:
    """Tokens are numbered as they are made; the policy follows logical ids."""
    forward, forward_tokens = iam_resources(tmp_path / "forward", [0, 1, 2])
    backward, backward_tokens = iam_resources(tmp_path / "backward", [1, 2, 0])

    # Sorted as strings, the tokens would put the secrets in another order.
    assert forward_tokens != backward_tokens
    assert forward == backward
    (policy,) = forward.values()
    assert len(policy["Properties"]["PolicyDocument"]["Statement"]) == 4


def ordered_secrets(names: list[str]) -> list[str]:
    """Secrets made in the order of ``names``, as ``stable_statements`` orders them."""
    stack = cdk.Stack(cdk.App(), "Tokens", env=ENV)
    arns = {secretsmanager.Secret(stack, name).secret_arn: name for name in names}
    statement = Statement(
        "SecretsManagerRead",
        ("secretsmanager:GetSecretValue",),
        tuple(sorted(arns)),
    )

    (stable,) = stable_statements([statement], stack)

    return [arns[resource] for resource in stable.resources]


def test_token_resources_are_ordered_by_logical_id_not_token_number() -> None:
    """aws-cdk-lib numbers tokens as they are made: "TOKEN.120" < "TOKEN.95"."""
    names = [f"Secret{letter}" for letter in "ABCDEFGHIJKL"]

    assert ordered_secrets(names) == ordered_secrets(names[::-1]) == names
