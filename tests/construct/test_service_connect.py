"""The Service Connect logs of CDK services, and awslogs-create-group on the CDK path.

ECS runs a service's Service Connect proxy with the task's execution role, so
an ``awslogs`` log driver on the proxy needs what a container's does. One app
holds a stack per case, with the cdk-nag packs registered, synthesized once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Annotations, Match, Template

from ecs_exec_role import TaskExecutionRole
from ecs_exec_role import warnings as ids
from examples.nag import REPORT_FILE, add_all_packs
from tests.construct.tasks import (
    ACCOUNT,
    ENV,
    REGION,
    encrypted_log_group,
    new_app,
    synthesis_error,
)
from tests.construct.test_nag import findings, log_group_token, streams
from tests.construct.test_policies import LOGS, allow, policy

NGINX = "public.ecr.aws/nginx/nginx:1.27"
CREATE_GROUP = "logs:CreateLogGroup"


def fargate_service(
    stack: cdk.Stack,
    role: iam.IRole | None,
    log_driver: ecs.LogDriver | None,
) -> ecs.FargateService:
    """A Fargate service on a cluster with a Cloud Map namespace, over Service Connect.

    Its container logs nowhere and pulls a public image: whatever the role
    grants is the proxy's.
    """
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=[f"{REGION}a"],
        private_subnet_ids=["subnet-0123456789abcdef0"],
    )
    cluster = ecs.Cluster(
        stack,
        "Cluster",
        vpc=vpc,
        container_insights_v2=ecs.ContainerInsights.ENABLED,
        default_cloud_map_namespace=ecs.CloudMapNamespaceOptions(
            name="internal", use_for_service_connect=True
        ),
    )
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry(NGINX),
        port_mappings=[ecs.PortMapping(container_port=80, name="web")],
    )
    cdk.Validations.of(task).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions::AwsSolutions-ECS7",
            reason="the container logs nowhere, so that the role's grants are the "
            "proxy's alone",
        )
    )
    return ecs.FargateService(
        stack,
        "Service",
        cluster=cluster,
        task_definition=task,
        service_connect_configuration=ecs.ServiceConnectProps(
            log_driver=log_driver,
            services=[ecs.ServiceConnectService(port_mapping_name="web")],
        ),
    )


def logged(stack: cdk.Stack) -> None:
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    log_group = encrypted_log_group(stack)
    fargate_service(
        stack, role, ecs.LogDrivers.aws_logs(stream_prefix="sc", log_group=log_group)
    )


def unlogged(stack: cdk.Stack) -> None:
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    fargate_service(stack, role, None)


def given(stack: cdk.Stack) -> None:
    """The service runs on aws-cdk-lib's default role; the role is given it."""
    log_group = logs.LogGroup.from_log_group_name(stack, "Logs", "/ecs/sc")
    service = fargate_service(
        stack, None, ecs.LogDrivers.aws_logs(stream_prefix="sc", log_group=log_group)
    )
    TaskExecutionRole(
        stack, "ExecutionRole", services=[service], runtime_monitoring=False
    )


def added(stack: cdk.Stack) -> None:
    log_group = logs.LogGroup.from_log_group_name(stack, "Logs", "/ecs/sc")
    service = fargate_service(
        stack, None, ecs.LogDrivers.aws_logs(stream_prefix="sc", log_group=log_group)
    )
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    role.add_service(service)


def through_firelens(stack: cdk.Stack) -> None:
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    fargate_service(
        stack, role, ecs.LogDrivers.firelens(options={"Name": "cloudwatch"})
    )


# Services whose task runs on the role, checked by the cdk-nag packs too.
ON_THE_ROLE: dict[str, Callable[[cdk.Stack], None]] = {
    "Logged": logged,
    "Unlogged": unlogged,
    "ThroughFirelens": through_firelens,
}
# Tasks on aws-cdk-lib's default role, whose inline policy no pack accepts.
ON_THE_DEFAULT_ROLE: dict[str, Callable[[cdk.Stack], None]] = {
    "Given": given,
    "Added": added,
}


@dataclass(frozen=True)
class Synthesized:
    stacks: dict[str, cdk.Stack]
    report: dict[str, Any]

    def template(self, name: str) -> Template:
        return Template.from_stack(self.stacks[name])


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    checked = new_app(tmp_path_factory.mktemp("cdk.out"))
    unchecked = new_app(tmp_path_factory.mktemp("cdk.out"))
    stacks = {}
    for target, builders in ((checked, ON_THE_ROLE), (unchecked, ON_THE_DEFAULT_ROLE)):
        for name, build in builders.items():
            stacks[name] = cdk.Stack(target, name, env=ENV)
            build(stacks[name])
    add_all_packs(checked)

    assembly = checked.synth()
    unchecked.synth()

    report = json.loads((Path(assembly.directory) / REPORT_FILE).read_text("utf-8"))
    return Synthesized(stacks, report)


def role_findings(app: Synthesized, key: str, stack: str) -> set[tuple[str, str]]:
    """The packs' findings on the role and its policies, not the service's."""
    return {
        (rule, path)
        for rule, path in findings(app.report, key, stack)
        if path.startswith(f"{stack}/ExecutionRole/")
    }


class TestServiceConnectLogs:
    def test_the_proxys_log_group_is_granted_exactly(self, app: Synthesized) -> None:
        template = app.template("Logged")
        (log_group_id,) = template.find_resources("AWS::Logs::LogGroup")

        template.has_resource_properties(
            "AWS::IAM::ManagedPolicy",
            policy(
                [
                    allow(
                        "LogsWrite",
                        LOGS,
                        {
                            "Fn::Join": [
                                "",
                                [
                                    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:",
                                    {"Ref": log_group_id},
                                    ":log-stream:sc/*",
                                ],
                            ]
                        },
                    )
                ]
            ),
        )

    @pytest.mark.parametrize("stack", list(ON_THE_DEFAULT_ROLE))
    def test_a_service_given_to_the_role_is_read_too(
        self, app: Synthesized, stack: str
    ) -> None:
        """``services=`` and ``add_service``: the task runs on another role."""
        role = app.stacks[stack].node.find_child("ExecutionRole")

        assert isinstance(role, TaskExecutionRole)
        assert [managed.node.id for managed in role.managed_policies] == ["Policy1"]
        app.template(stack).has_resource_properties(
            "AWS::IAM::ManagedPolicy",
            policy([allow("LogsWrite", LOGS, streams_of("/ecs/sc"))]),
        )

    def test_no_grant_without_service_connect_logging(self, app: Synthesized) -> None:
        app.template("Unlogged").resource_count_is("AWS::IAM::ManagedPolicy", 0)

    def test_a_firelens_proxy_warns_that_the_task_role_delivers(
        self, app: Synthesized
    ) -> None:
        stack = app.stacks["ThroughFirelens"]
        found = Annotations.from_stack(stack).find_warning(
            "/ThroughFirelens/ExecutionRole", Match.any_value()
        )
        messages = [str(message.entry.data) for message in found]

        app.template("ThroughFirelens").resource_count_is("AWS::IAM::ManagedPolicy", 0)
        assert any(
            message.startswith(
                "ThroughFirelens/Service/ServiceConnect/logConfiguration: "
                "the Service Connect proxy logs through FireLens"
            )
            and message.endswith(f"[ack: {ids.NOT_EXECUTION_ROLE}]")
            for message in messages
        ), messages

    @pytest.mark.parametrize("stack", list(ON_THE_ROLE))
    def test_no_pack_leaves_a_finding_open_on_the_role(
        self, app: Synthesized, stack: str
    ) -> None:
        assert role_findings(app, "violations", stack) == set()

    def test_only_the_proxys_log_streams_are_acknowledged(
        self, app: Synthesized
    ) -> None:
        token = log_group_token(app.stacks["Logged"])

        assert role_findings(app, "suppressedViolations", "Logged") == {
            (
                f"AwsSolutions::{streams(token, 'sc')}",
                "Logged/ExecutionRole/Policy1/Resource",
            )
        }


def streams_of(group: str, prefix: str = "sc") -> str:
    return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:log-stream:{prefix}/*"


# -- awslogs-create-group, read as Go's strconv.ParseBool, as the document reader --

GO_TRUE = ["1", "t", "T", "TRUE", "true", "True"]
GO_FALSE = ["0", "f", "F", "FALSE", "false", "False"]


def create_group_task(stack: cdk.Stack, value: str) -> None:
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry(NGINX),
        logging=ecs.GenericLogDriver(
            log_driver="awslogs",
            options={
                "awslogs-group": "/ecs/web",
                "awslogs-stream-prefix": "web",
                "awslogs-create-group": value,
            },
        ),
    )


@pytest.fixture(scope="module")
def create_group_app(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Template]:
    app = new_app(tmp_path_factory.mktemp("cdk.out"))
    stacks = {}
    for number, value in enumerate(GO_TRUE + GO_FALSE):
        stacks[value] = cdk.Stack(app, f"CreateGroup{number}", env=ENV)
        create_group_task(stacks[value], value)

    app.synth()

    return {value: Template.from_stack(stack) for value, stack in stacks.items()}


def actions(template: Template) -> set[str]:
    return {
        action
        for managed in template.find_resources("AWS::IAM::ManagedPolicy").values()
        for statement in managed["Properties"]["PolicyDocument"]["Statement"]
        for action in (
            [statement["Action"]]
            if isinstance(statement["Action"], str)
            else statement["Action"]
        )
    }


class TestCreateGroupOnTheCdkPath:
    @pytest.mark.parametrize("value", GO_TRUE)
    def test_what_go_reads_as_true_grants_creating_the_group(
        self, create_group_app: dict[str, Template], value: str
    ) -> None:
        assert actions(create_group_app[value]) == {*LOGS, CREATE_GROUP}

    @pytest.mark.parametrize("value", GO_FALSE)
    def test_what_go_reads_as_false_grants_only_writing(
        self, create_group_app: dict[str, Template], value: str
    ) -> None:
        assert actions(create_group_app[value]) == set(LOGS)

    @pytest.mark.parametrize("value", ["yes", "tRUE", "on", ""])
    def test_anything_else_is_refused_naming_the_option(
        self, tmp_path: Path, value: str
    ) -> None:
        app = new_app(tmp_path)
        create_group_task(cdk.Stack(app, "CreateGroup", env=ENV), value)

        message = synthesis_error(app)

        assert f"awslogs-create-group {value!r} is not a value the awslogs" in message
        assert "CreateGroup/Task/web.logging.awslogs-create-group" in message
