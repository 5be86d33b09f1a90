"""Task definitions that the construct's tests build, each in a stack of its own.

Each builder takes the execution role to hand to the task definition, or
``None`` for aws-cdk-lib's default role, so that the same task definition can
be built both ways. Resources are imported (they create no CloudFormation
resource of their own, and so no cdk-nag finding that is not the role's),
except where a token is the point: the first case writes to a log group of the
stack, encrypted with a key of the stack.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm

from tests.conftest import REPO_ROOT, cdk_context

REGION = "eu-west-1"
ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)
TASK_DEFINITION_FILE = (
    REPO_ROOT / "examples" / "task-definitions" / "web-with-sidecar.json"
)

SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:web/db-AbCdEf"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@dataclass(frozen=True)
class Case:
    """A task definition to build, and the role options it needs."""

    name: str
    build: Callable[[cdk.Stack, iam.IRole | None], ecs.TaskDefinition]
    role_options: dict[str, Any] = field(default_factory=dict)


def new_app(outdir: Path) -> cdk.App:
    """An app with cdk.json's feature flags, synthesizing into ``outdir``."""
    return cdk.App(context=cdk_context(), outdir=str(outdir))


def synthesis_error(app: cdk.App) -> str:
    """The message of the synthesis that must fail."""
    with pytest.raises(RuntimeError) as raised:
        app.synth()
    return str(raised.value)


def encrypted_log_group(stack: cdk.Stack) -> logs.LogGroup:
    """A log group of the stack, under a rotated key, as the compliance packs ask."""
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{REGION}.amazonaws.com"))
    return logs.LogGroup(
        stack, "Logs", encryption_key=key, retention=logs.RetentionDays.ONE_MONTH
    )


def ecr_and_logs(stack: cdk.Stack, role: iam.IRole | None) -> ecs.TaskDefinition:
    repository = ecr.Repository.from_repository_name(stack, "Repository", "web")
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_ecr_repository(repository, "1.4.2"),
        logging=ecs.LogDrivers.aws_logs(
            stream_prefix="web", log_group=encrypted_log_group(stack)
        ),
    )
    return task


def secrets_parameters_keys(
    stack: cdk.Stack, role: iam.IRole | None
) -> ecs.TaskDefinition:
    key = kms.Key.from_key_arn(stack, "Key", KEY_ARN)
    secret = secretsmanager.Secret.from_secret_attributes(
        stack, "Database", secret_complete_arn=SECRET_ARN, encryption_key=key
    )
    flags = ssm.StringParameter.from_string_parameter_name(stack, "Flags", "/web/flags")
    token = ssm.StringParameter.from_secure_string_parameter_attributes(
        stack, "ApiToken", parameter_name="/web/api-token", encryption_key=key
    )
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:1.27"),
        logging=ecs.LogDrivers.aws_logs(
            stream_prefix="web",
            log_group=logs.LogGroup.from_log_group_name(stack, "Logs", "/ecs/web"),
        ),
        secrets={
            "DB_PASSWORD": ecs.Secret.from_secrets_manager(secret, "password"),
            "FLAGS": ecs.Secret.from_ssm_parameter(flags),
            "API_TOKEN": ecs.Secret.from_ssm_parameter(token),
        },
    )
    return task


def environment_files_and_firelens(
    stack: cdk.Stack, role: iam.IRole | None
) -> ecs.TaskDefinition:
    key = kms.Key.from_key_arn(stack, "Key", KEY_ARN)
    bucket = s3.Bucket.from_bucket_attributes(
        stack, "Config", bucket_name="web-config", encryption_key=key
    )
    task = ecs.Ec2TaskDefinition(stack, "Task", execution_role=role)
    task.add_firelens_log_router(
        "log-router",
        image=ecs.ContainerImage.from_registry(
            "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
        ),
        memory_reservation_mib=50,
        firelens_config=ecs.FirelensConfig(
            type=ecs.FirelensLogRouterType.FLUENTBIT,
            options=ecs.FirelensOptions(
                config_file_type=ecs.FirelensConfigFileType.S3,
                config_file_value="arn:aws:s3:::web-config/fluent-bit.conf",
            ),
        ),
        logging=ecs.LogDrivers.aws_logs(
            stream_prefix="firelens",
            log_group=logs.LogGroup.from_log_group_name(stack, "Logs", "/ecs/firelens"),
        ),
    )
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:1.27"),
        memory_limit_mib=256,
        environment_files=[ecs.EnvironmentFile.from_bucket(bucket, "prod/web.env")],
        logging=ecs.LogDrivers.firelens(options={"Name": "cloudwatch"}),
    )
    return task


def cross_account_image(stack: cdk.Stack, role: iam.IRole | None) -> ecs.TaskDefinition:
    repository = ecr.Repository.from_repository_arn(
        stack,
        "SharedRepository",
        f"arn:aws:ecr:{REGION}:{OTHER_ACCOUNT}:repository/shared/base",
    )
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_ecr_repository(repository, "2024.1"),
        logging=_imported_logs(stack),
    )
    return task


def pull_through_cache(stack: cdk.Stack, role: iam.IRole | None) -> ecs.TaskDefinition:
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry(
            f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/docker-hub/library/nginx:1.27"
        ),
        logging=_imported_logs(stack),
    )
    return task


def private_registry(stack: cdk.Stack, role: iam.IRole | None) -> ecs.TaskDefinition:
    credentials = secretsmanager.Secret.from_secret_complete_arn(
        stack,
        "RegistryCredentials",
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ghcr/token-XyZ123",
    )
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry(
            "ghcr.io/example/web:1.0", credentials=credentials
        ),
        logging=_imported_logs(stack),
    )
    return task


SPLIT_SECRETS = 120


def many_secrets(stack: cdk.Stack, role: iam.IRole | None) -> ecs.TaskDefinition:
    """Enough distinct secrets that their ARNs overflow one managed policy."""
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    secrets = {
        f"SECRET_{number:03d}": ecs.Secret.from_secrets_manager(
            secretsmanager.Secret.from_secret_complete_arn(
                stack,
                f"Secret{number:03d}",
                f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:"
                f"web/service-{number:03d}/credentials-AbC{number:03d}",
            )
        )
        for number in range(SPLIT_SECRETS)
    }
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:1.27"),
        logging=_imported_logs(stack),
        secrets=secrets,
    )
    return task


def _imported_logs(stack: cdk.Stack) -> ecs.LogDriver:
    return ecs.LogDrivers.aws_logs(
        stream_prefix="web",
        log_group=logs.LogGroup.from_log_group_name(stack, "Logs", "/ecs/web"),
    )


CASES = (
    Case("EcrAndLogs", ecr_and_logs),
    Case("SecretsParametersKeys", secrets_parameters_keys),
    Case("EnvironmentFilesAndFirelens", environment_files_and_firelens),
    Case("CrossAccountImage", cross_account_image),
    Case(
        "PullThroughCache",
        pull_through_cache,
        {"pull_through_cache_prefixes": ["docker-hub"]},
    ),
    Case("PrivateRegistry", private_registry),
    Case("ManySecrets", many_secrets),
)
"""The matrix of the issue: one task definition of each kind."""


def task_definition_document() -> dict[str, Any]:
    """The example app's task-definition file, parsed."""
    document: dict[str, Any] = json.loads(TASK_DEFINITION_FILE.read_text("utf-8"))
    return document
