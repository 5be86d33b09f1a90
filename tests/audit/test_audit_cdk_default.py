"""Auditing the execution policy that aws-cdk-lib writes for a task definition."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Template

from ecs_exec_role.audit import NamedPolicy, audit
from ecs_exec_role.pipeline import derive_policy, read_documents
from tests.conftest import cdk_context

REGION, ACCOUNT = "eu-west-1", "111122223333"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:web/db-AbCdEf"
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": "amazonaws.com",
}

# The same task definition, as the JSON document that CDK registers.
TASK_DEFINITION = {
    "family": "web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
        {
            "name": "web",
            "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1.0",
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/web",
                    "awslogs-region": REGION,
                    "awslogs-stream-prefix": "web",
                },
            },
            "secrets": [
                {"name": "DB_PASSWORD", "valueFrom": f"{SECRET}:password::"},
                {"name": "FLAG", "valueFrom": "/web/prod/flag"},
            ],
        }
    ],
}


def resolve(value: Any) -> Any:
    """Pseudo parameters and ``Fn::Join``, enough to read CDK's policy as IAM will."""
    if isinstance(value, list):
        return [resolve(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in PSEUDO:
            return PSEUDO[value["Ref"]]
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(resolve(part) for part in parts)
        return {key: resolve(item) for key, item in value.items()}
    return value


@pytest.fixture(scope="module")
def cdk_default_policy() -> dict[str, Any]:
    app = cdk.App(context=cdk_context())
    stack = cdk.Stack(
        app, "Default", env=cdk.Environment(account=ACCOUNT, region=REGION)
    )
    task_definition = ecs.FargateTaskDefinition(stack, "Task", family="web")
    task_definition.add_container(
        "web",
        image=ecs.ContainerImage.from_ecr_repository(
            ecr.Repository.from_repository_name(stack, "Repository", "web"), "1.0"
        ),
        logging=ecs.LogDrivers.aws_logs(
            stream_prefix="web",
            log_group=logs.LogGroup.from_log_group_name(stack, "Logs", "/ecs/web"),
        ),
        secrets={
            "DB_PASSWORD": ecs.Secret.from_secrets_manager(
                secretsmanager.Secret.from_secret_complete_arn(stack, "Db", SECRET),
                "password",
            ),
            "FLAG": ecs.Secret.from_ssm_parameter(
                ssm.StringParameter.from_string_parameter_name(
                    stack, "Flag", "/web/prod/flag"
                )
            ),
        },
    )
    template = Template.from_stack(stack).to_json()
    (policy,) = (
        resource["Properties"]["PolicyDocument"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
    )
    resolved: dict[str, Any] = resolve(policy)
    return resolved


def test_cdks_default_policy_over_grants_describe_secret_and_ssm_reads(
    cdk_default_policy: dict[str, Any],
) -> None:
    needed = derive_policy(
        read_documents(TASK_DEFINITION), region=REGION, account=ACCOUNT
    )

    report = audit(needed, [NamedPolicy("DefaultPolicy", cdk_default_policy)])

    assert report.missing == ()
    unneeded = {
        action
        for item in report.excess
        if item.reason == "actions no task definition needs"
        for action in item.actions
    }
    assert unneeded == {
        "secretsmanager:DescribeSecret",
        "ssm:DescribeParameters",
        "ssm:GetParameter",
        "ssm:GetParameterHistory",
    }


def test_cdks_log_grant_covers_every_stream_of_the_group_not_just_the_prefix(
    cdk_default_policy: dict[str, Any],
) -> None:
    needed = derive_policy(
        read_documents(TASK_DEFINITION), region=REGION, account=ACCOUNT
    )

    report = audit(needed, [NamedPolicy("DefaultPolicy", cdk_default_policy)])

    broader = [
        (item.actions, item.resource)
        for item in report.excess
        if item.reason == "wildcard broader than needed"
    ]
    assert broader == [
        (
            ("logs:CreateLogStream", "logs:PutLogEvents"),
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/web:*",
        )
    ]
