"""Resources given by keyword, and task definitions given as JSON documents.

(The third way in, the CDK task definitions that use the role, is the matrix of
``test_policies``.) One app holds a stack per example, synthesized once.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Annotations, Match, Template

from ecs_exec_role import TaskExecutionRole
from ecs_exec_role.service_connect import read_services
from tests.construct.tasks import (
    ACCOUNT,
    ENV,
    KEY_ARN,
    REGION,
    SECRET_ARN,
    TASK_DEFINITION_FILE,
    new_app,
    task_definition_document,
)

LOGS = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group"
PULL = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
]


def strings(stack: cdk.Stack) -> None:
    TaskExecutionRole(
        stack,
        "ExecutionRole",
        repositories=[
            f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web",
            f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/worker:2.0",
        ],
        log_groups=[
            "/ecs/web",
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/worker:*",
        ],
        log_stream_prefix="app",
        secrets=[f"{SECRET_ARN}:password::", "web/api"],
        parameters=[
            "/web/flags",
            f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/web/token",
        ],
        s3_objects=["arn:aws:s3:::web-config/prod/web.env"],
        kms_keys={"/web/token": KEY_ARN},
    )


def objects(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    TaskExecutionRole(
        stack,
        "ExecutionRole",
        repositories=[ecr.Repository.from_repository_name(stack, "Repository", "web")],
        log_groups=[logs.LogGroup.from_log_group_name(stack, "Logs", "/ecs/web")],
        secrets=[
            secretsmanager.Secret.from_secret_attributes(
                stack, "Secret", secret_complete_arn=SECRET_ARN, encryption_key=key
            )
        ],
        parameters=[
            ssm.StringParameter.from_secure_string_parameter_attributes(
                stack, "Token", parameter_name="/web/token", encryption_key=key
            )
        ],
        s3_objects=[
            (s3.Bucket.from_bucket_name(stack, "Config", "web-config"), "prod/web.env")
        ],
    )


SERVICE = {
    "cluster": "apps",
    "serviceName": "web-app",
    "taskDefinition": "web-app:7",
    "launchType": "FARGATE",
    "serviceConnectConfiguration": {
        "enabled": True,
        "namespace": "apps",
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": "/ecs/service-connect",
                "awslogs-stream-prefix": "proxy",
            },
        },
    },
}


def file_path(stack: cdk.Stack) -> None:
    TaskExecutionRole.from_task_definition_file(
        stack,
        "ExecutionRole",
        TASK_DEFINITION_FILE,
        services=read_services(SERVICE),
        runtime_monitoring=False,
    )


def file_document_with_a_key_of_the_stack(stack: cdk.Stack) -> None:
    """A parsed document whose secret a key of the stack encrypts."""
    document = task_definition_document()
    document["containerDefinitions"][0]["secrets"][1]["valueFrom"] = "feature-flags"
    TaskExecutionRole.from_task_definition_file(
        stack,
        "ExecutionRole",
        document,
        kms_keys={"feature-flags": kms.Key(stack, "Key", enable_key_rotation=True)},
        runtime_monitoring=True,
        role_name="web-app-execution",
    )


STACKS = {
    "Strings": strings,
    "Objects": objects,
    "FilePath": file_path,
    "FileDocument": file_document_with_a_key_of_the_stack,
}


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, cdk.Stack]:
    app = new_app(tmp_path_factory.mktemp("cdk.out"))
    built = {}
    for name, build in STACKS.items():
        built[name] = cdk.Stack(app, name, env=ENV)
        build(built[name])

    app.synth()

    return built


def statements(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    """The managed policy's statements by Sid."""
    (policy,) = (
        Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    )
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


class TestKeywordArguments:
    def test_arn_and_name_strings_are_read_as_the_document_reader_reads_them(
        self, stacks: dict[str, cdk.Stack]
    ) -> None:
        """Selectors stripped, names qualified, a partial name given ``-??????``."""
        found = statements(stacks["Strings"])

        assert found["EcrImagePull"]["Resource"] == [
            f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web",
            f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/worker",
        ]
        assert found["LogsWrite"]["Resource"] == [
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/web:log-stream:app/*",
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/worker:log-stream:app/*",
        ]
        assert found["SecretsManagerRead"]["Resource"] == [
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:web/api-??????",
            SECRET_ARN,
        ]
        assert found["SsmParameterRead"]["Resource"] == [
            f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/web/flags",
            f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/web/token",
        ]
        assert found["KmsDecryptViaSsmEuWest1"]["Resource"] == KEY_ARN
        assert (
            found["S3ObjectRead"]["Resource"] == "arn:aws:s3:::web-config/prod/web.env"
        )

    def test_a_partial_secret_name_is_warned_about(
        self, stacks: dict[str, cdk.Stack]
    ) -> None:
        Annotations.from_stack(stacks["Strings"]).has_warning(
            "/Strings/ExecutionRole",
            Match.string_like_regexp(r"^secrets\[1\]: 'web/api' names secret"),
        )

    def test_cdk_objects_bring_their_names_and_keys(
        self, stacks: dict[str, cdk.Stack]
    ) -> None:
        """The secret's and the parameter's key, each through its own service."""
        found = statements(stacks["Objects"])
        key = next(
            iter(Template.from_stack(stacks["Objects"]).find_resources("AWS::KMS::Key"))
        )

        assert found["EcrImagePull"]["Resource"] == (
            f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web"
        )
        assert found["LogsWrite"]["Resource"] == (
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/web:log-stream:*"
        )
        assert found["SecretsManagerRead"]["Resource"] == SECRET_ARN
        assert found["KmsDecryptViaSecretsmanagerEuWest1"]["Resource"] == {
            "Fn::GetAtt": [key, "Arn"]
        }
        assert found["KmsDecryptViaSsmEuWest1"]["Resource"] == {
            "Fn::GetAtt": [key, "Arn"]
        }
        assert found["S3BucketLocation"]["Resource"] == "arn:aws:s3:::web-config"


class TestTaskDefinitionFiles:
    def test_a_file_is_read_with_the_stacks_region_and_account(
        self, stacks: dict[str, cdk.Stack]
    ) -> None:
        found = statements(stacks["FilePath"])

        assert found["SsmParameterRead"]["Resource"] == (
            f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/web-app/prod/feature-flags"
        )
        assert set(found) == {
            "EcrAuthorizationToken",
            "EcrImagePull",
            "LogsWrite",
            "SecretsManagerRead",
            "SsmParameterRead",
            "S3ObjectRead",
            "S3BucketLocation",
        }

    def test_a_services_service_connect_logs_are_granted_like_a_containers(
        self, stacks: dict[str, cdk.Stack]
    ) -> None:
        found = statements(stacks["FilePath"])

        assert (
            f"{LOGS}:/ecs/service-connect:log-stream:proxy/*"
            in (found["LogsWrite"]["Resource"])
        )

    def test_a_parsed_document_takes_a_key_of_the_stack_and_role_options(
        self, stacks: dict[str, cdk.Stack]
    ) -> None:
        """The document names the parameter; the key's ARN is a token."""
        template = Template.from_stack(stacks["FileDocument"])
        key = next(iter(template.find_resources("AWS::KMS::Key")))
        found = statements(stacks["FileDocument"])

        assert found["SsmParameterRead"]["Resource"] == (
            f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/feature-flags"
        )
        assert found["KmsDecryptViaSsmEuWest1"]["Resource"] == {
            "Fn::GetAtt": [key, "Arn"]
        }
        template.has_resource_properties(
            "AWS::IAM::Role", {"RoleName": "web-app-execution"}
        )

    def test_runtime_monitoring_grants_pulling_guarddutys_agent(
        self, stacks: dict[str, cdk.Stack]
    ) -> None:
        pulls = statements(stacks["FileDocument"])["EcrImagePull"]["Resource"]

        assert any(":repository/aws-guardduty-agent-fargate" in arn for arn in pulls)
