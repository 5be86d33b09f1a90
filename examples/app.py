"""Example app: execution roles derived three ways, checked by every cdk-nag pack.

``CdkTaskDefinitionStack`` builds a Fargate task definition in CDK and lets the
role read its containers at synthesis; beside it, a second role is given its
resources by keyword, for a worker task that a deploy tool registers.
``TaskDefinitionFileStack`` derives a role from a RegisterTaskDefinition
document kept beside this file, for a task definition that some other tool
registers.

Run it with ``make synth`` (``cdk synth`` with the CLI pinned in package.json).
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ecs_exec_role import TaskExecutionRole
from examples.nag import add_all_packs, assert_no_open_findings

TASK_DEFINITION_FILE = (
    Path(__file__).parent / "task-definitions" / "web-with-sidecar.json"
)

ENV = cdk.Environment(account="111122223333", region="eu-west-1")

# Whether GuardDuty Runtime Monitoring adds its agent sidecar to this account's
# Fargate tasks: the execution role pulls the sidecar's image when it does.
GUARDDUTY_MONITORS_FARGATE = False


class CdkTaskDefinitionStack(cdk.Stack):
    """A Fargate task definition built in CDK, with the role derived from it."""

    def __init__(
        self, scope: Construct, construct_id: str, *, env: cdk.Environment
    ) -> None:
        super().__init__(scope, construct_id, env=env)

        repository = ecr.Repository.from_repository_name(self, "Repository", "web-app")
        database_secret = secretsmanager.Secret.from_secret_complete_arn(
            self,
            "DatabaseSecret",
            self.format_arn(
                service="secretsmanager",
                resource="secret",
                resource_name="web-app/db-AbCdEf",
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
            ),
        )
        feature_flags = ssm.StringParameter.from_string_parameter_name(
            self, "FeatureFlags", "/web-app/prod/feature-flags"
        )
        log_group = self._encrypted_log_group()

        # The CDK task definitions that use the role are read at synthesis.
        execution_role = TaskExecutionRole(
            self, "ExecutionRole", runtime_monitoring=GUARDDUTY_MONITORS_FARGATE
        )
        task_definition = ecs.FargateTaskDefinition(
            self,
            "Task",
            family="web-app-cdk",
            cpu=512,
            memory_limit_mib=1024,
            execution_role=execution_role,
        )
        task_definition.add_container(
            "web",
            image=ecs.ContainerImage.from_ecr_repository(repository, "1.4.2"),
            port_mappings=[ecs.PortMapping(container_port=8080)],
            logging=ecs.LogDrivers.aws_logs(stream_prefix="web", log_group=log_group),
            secrets={
                "DB_PASSWORD": ecs.Secret.from_secrets_manager(
                    database_secret, "password"
                ),
                "FEATURE_FLAGS": ecs.Secret.from_ssm_parameter(feature_flags),
            },
        )

        # A worker task that a deploy tool registers: its resources, by keyword.
        TaskExecutionRole(
            self,
            "WorkerExecutionRole",
            repositories=[repository],
            log_groups=[log_group],
            log_stream_prefix="worker",
            secrets=[database_secret],
        )

    def _encrypted_log_group(self) -> logs.LogGroup:
        """A log group under a customer-managed key, as HIPAA, NIST and PCI ask.

        Writing to it needs nothing from the execution role: CloudWatch Logs uses
        the key on its own, which the key policy allows.
        """
        key = kms.Key(
            self,
            "LogKey",
            description="Encrypts the web-app container logs",
            enable_key_rotation=True,
        )
        key.grant_encrypt_decrypt(
            iam.ServicePrincipal(f"logs.{self.region}.{self.url_suffix}")
        )

        return logs.LogGroup(
            self,
            "Logs",
            retention=logs.RetentionDays.ONE_MONTH,
            encryption_key=key,
        )


class TaskDefinitionFileStack(cdk.Stack):
    """An execution role derived from a task-definition JSON document."""

    def __init__(
        self, scope: Construct, construct_id: str, *, env: cdk.Environment
    ) -> None:
        super().__init__(scope, construct_id, env=env)

        # References that name no Region or account take the stack's.
        role = TaskExecutionRole.from_task_definition_file(
            self,
            "ExecutionRole",
            TASK_DEFINITION_FILE,
            runtime_monitoring=GUARDDUTY_MONITORS_FARGATE,
        )

        cdk.CfnOutput(self, "ExecutionRoleArn", value=role.role_arn)


def main() -> None:
    """Build the stacks, run every cdk-nag pack and fail on any open finding."""
    app = cdk.App()

    CdkTaskDefinitionStack(app, "CdkTaskDefinitionStack", env=ENV)
    TaskDefinitionFileStack(app, "TaskDefinitionFileStack", env=ENV)
    add_all_packs(app)

    assert_no_open_findings(app.synth())


if __name__ == "__main__":
    main()
