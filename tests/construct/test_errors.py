"""Bad input, in three tiers: raised at once, reported at synthesis, or warned.

Misuse that the arguments show is an :class:`ExecutionRoleError` (a
``ValueError``) from the constructor. What shows only once the tree is complete
(a container setting the role cannot read) is a validation of the role: the
synthesis fails with every problem listed, each naming the container setting.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kms as kms

from ecs_exec_role import (
    InvalidReferenceError,
    InvalidSettingsError,
    InvalidTaskDefinitionError,
    TaskExecutionRole,
)
from tests.construct.tasks import (
    ENV,
    KEY_ARN,
    many_secrets,
    new_app,
    synthesis_error,
)


@pytest.fixture
def stack(tmp_path: Path) -> cdk.Stack:
    return cdk.Stack(new_app(tmp_path), "Errors", env=ENV)


class TestRaisedAtOnce:
    def test_a_malformed_arn_names_its_argument(self, stack: cdk.Stack) -> None:
        with pytest.raises(InvalidReferenceError, match=r"^secrets\[0\]: .*not-an-arn"):
            TaskExecutionRole(stack, "ExecutionRole", secrets=["arn:not-an-arn"])

    def test_every_bad_argument_is_listed_together(self, stack: cdk.Stack) -> None:
        with pytest.raises(InvalidSettingsError, match="2 settings") as raised:
            TaskExecutionRole(
                stack,
                "ExecutionRole",
                repositories=["arn:aws:s3:::not-a-repository"],
                parameters=["arn:aws:ssm:eu-west-1:111122223333:document/x"],
            )

        assert [problem.path for problem in raised.value.problems] == [
            "repositories[0]",
            "parameters[0]",
        ]

    def test_a_string_holding_a_token_asks_for_the_object(
        self, stack: cdk.Stack
    ) -> None:
        repository = ecr.Repository(stack, "Repository")

        with pytest.raises(InvalidReferenceError, match="pass the CDK object"):
            TaskExecutionRole(
                stack, "ExecutionRole", repositories=[repository.repository_arn]
            )

    def test_an_alias_cannot_stand_for_a_key(self, stack: cdk.Stack) -> None:
        alias = "arn:aws:kms:eu-west-1:111122223333:alias/web"

        with pytest.raises(InvalidReferenceError, match="alias cannot authorize"):
            TaskExecutionRole(
                stack,
                "ExecutionRole",
                parameters=["/web/token"],
                kms_keys={"/web/token": alias},
            )

    @pytest.mark.parametrize("count", [0, 21])
    def test_max_managed_policies_is_within_iams_quota(
        self, stack: cdk.Stack, count: int
    ) -> None:
        with pytest.raises(InvalidReferenceError, match="between 1 and 20"):
            TaskExecutionRole(stack, "ExecutionRole", max_managed_policies=count)

    def test_a_document_that_is_no_task_definition_names_its_path(
        self, stack: cdk.Stack
    ) -> None:
        with pytest.raises(InvalidTaskDefinitionError, match="containerDefinitions"):
            TaskExecutionRole.from_task_definition_file(
                stack, "ExecutionRole", {"family": "web"}
            )

    def test_a_missing_file_says_so(self, stack: cdk.Stack, tmp_path: Path) -> None:
        with pytest.raises(InvalidTaskDefinitionError, match="cannot read"):
            TaskExecutionRole.from_task_definition_file(
                stack, "ExecutionRole", tmp_path / "missing.json"
            )


class TestReportedAtSynthesis:
    def test_an_image_token_from_no_repository_names_the_container_setting(
        self, stack: cdk.Stack
    ) -> None:
        role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
        registry = cdk.CfnParameter(stack, "Registry").value_as_string
        task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
        task.add_container(
            "web", image=ecs.ContainerImage.from_registry(f"{registry}/web:1")
        )

        message = synthesis_error(stack.node.root)

        assert "Errors/Task/web.image: the image is a CDK token (<Registry>/web:1)" in (
            message
        )
        assert "from_ecr_repository" in message

    def test_every_problem_is_reported_together(self, stack: cdk.Stack) -> None:
        role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
        task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
        for name in ("web", "worker"):
            task.add_container(
                name,
                image=ecs.ContainerImage.from_registry(
                    f"{cdk.Aws.ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/{name}"
                ),
            )

        message = synthesis_error(stack.node.root)

        assert "Errors/Task/web.image" in message
        assert "Errors/Task/worker.image" in message

    def test_a_key_given_for_no_resource_is_an_error(self, stack: cdk.Stack) -> None:
        TaskExecutionRole(
            stack,
            "ExecutionRole",
            parameters=["/web/token"],
            kms_keys={"/web/tokn": kms.Key.from_key_arn(stack, "Key", KEY_ARN)},
        )

        message = synthesis_error(stack.node.root)

        assert "kms_keys: KMS keys were given for '/web/tokn'" in message

    def test_grants_beyond_the_managed_policy_quota_say_how_much_they_need(
        self, stack: cdk.Stack
    ) -> None:
        role = TaskExecutionRole(
            stack, "ExecutionRole", runtime_monitoring=False, max_managed_policies=1
        )
        many_secrets(stack, role)

        message = synthesis_error(stack.node.root)

        assert "needs about" in message
        assert "characters" in message
        assert "raise max_policies" in message
