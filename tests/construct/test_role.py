"""The role as aws-cdk-lib sees it: an ``iam.IRole`` its grants cannot reach.

One app, synthesized once for the module, holds a stack per behaviour.
"""

from __future__ import annotations

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
from aws_cdk.assertions import Annotations, Match, Template
from constructs import Dependable

from ecs_exec_role import TaskExecutionRole
from ecs_exec_role import warnings as ids
from tests.construct.tasks import ACCOUNT, ENV, REGION, new_app

VIA_SECRETS = f"secretsmanager.{REGION}.amazonaws.com"


def owned_resources(stack: cdk.Stack) -> None:
    """A task definition on resources of its own stack: every ARN is a token."""
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    key = kms.Key(stack, "SecretKey")
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_ecr_repository(
            ecr.Repository(stack, "Repository"), "1.0"
        ),
        logging=ecs.LogDrivers.aws_logs(
            stream_prefix="web", log_group=logs.LogGroup(stack, "Logs")
        ),
        secrets={
            "PLAIN": ecs.Secret.from_secrets_manager(
                secretsmanager.Secret(stack, "Plain")
            ),
            "ENCRYPTED": ecs.Secret.from_secrets_manager(
                secretsmanager.Secret(stack, "Encrypted", encryption_key=key), "token"
            ),
            "SETTING": ecs.Secret.from_ssm_parameter(
                ssm.StringParameter(stack, "Setting", string_value="on")
            ),
        },
        environment_files=[
            ecs.EnvironmentFile.from_bucket(s3.Bucket(stack, "Config"), "web.env")
        ],
    )


def options(stack: cdk.Stack) -> None:
    TaskExecutionRole(
        stack,
        "ExecutionRole",
        repositories=["arn:aws:ecr:eu-west-1:111122223333:repository/web"],
        role_name="web-execution",
        path="/ecs/",
        permissions_boundary=iam.ManagedPolicy.from_managed_policy_name(
            stack, "Boundary", "ecs-boundary"
        ),
        description="Starts the web tasks",
        max_session_duration=cdk.Duration.hours(2),
        tags={"team": "web", "cost-centre": "42"},
    )


def no_conditions(stack: cdk.Stack) -> None:
    TaskExecutionRole(
        stack,
        "ExecutionRole",
        repositories=["arn:aws:ecr:eu-west-1:111122223333:repository/web"],
        confused_deputy_conditions=False,
    )


def environment_agnostic(stack: cdk.Stack) -> None:
    """No account or Region: the stack's own are tokens until deployment."""
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    secret = secretsmanager.Secret(
        stack, "Secret", encryption_key=kms.Key(stack, "Key")
    )
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:1.27"),
        secrets={"TOKEN": ecs.Secret.from_secrets_manager(secret)},
    )


def views_and_added(stack: cdk.Stack) -> None:
    """A task definition given a view of the role, and one added by hand."""
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    viewed = ecs.FargateTaskDefinition(
        stack, "Viewed", execution_role=role.without_policy_updates()
    )
    viewed.add_container(
        "web",
        image=ecs.ContainerImage.from_registry(
            f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/viewed:1"
        ),
    )
    added = ecs.FargateTaskDefinition(
        stack,
        "Added",
        execution_role=iam.Role.from_role_name(stack, "Other", "other"),
    )
    added.add_container(
        "web",
        image=ecs.ContainerImage.from_registry(
            f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/added:1"
        ),
    )
    role.add_task_definition(added)


def unused(stack: cdk.Stack) -> None:
    TaskExecutionRole(stack, "ExecutionRole")


def assets(stack: cdk.Stack, directory: Path) -> None:
    """An image and an environment file built from local files."""
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
    task.add_container(
        "web",
        image=ecs.ContainerImage.from_asset(str(directory)),
        environment_files=[ecs.EnvironmentFile.from_asset(str(directory / "web.env"))],
    )


STACKS = {
    "Owned": (owned_resources, ENV),
    "Options": (options, ENV),
    "NoConditions": (no_conditions, ENV),
    "Agnostic": (environment_agnostic, None),
    "Views": (views_and_added, ENV),
    "Unused": (unused, ENV),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> dict[str, cdk.Stack]:
    app = new_app(tmp_path_factory.mktemp("cdk.out"))
    stacks = {}
    for name, (build, env) in STACKS.items():
        stacks[name] = cdk.Stack(app, name, env=env)
        build(stacks[name])
    directory = tmp_path_factory.mktemp("image")
    (directory / "Dockerfile").write_text("FROM scratch\n", encoding="utf-8")
    (directory / "web.env").write_text("MODE=prod\n", encoding="utf-8")
    stacks["Assets"] = cdk.Stack(app, "Assets", env=ENV)
    assets(stacks["Assets"], directory)

    app.synth()

    return stacks


def template(app: dict[str, cdk.Stack], name: str) -> Template:
    return Template.from_stack(app[name])


def only_id(template: Template, resource_type: str) -> str:
    (logical_id,) = template.find_resources(resource_type)
    return logical_id


def statements(template: Template) -> list[dict[str, Any]]:
    return [
        statement
        for policy in template.find_resources("AWS::IAM::ManagedPolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


class TestAwsCdkLibGrants:
    """Containers grant their execution role; none of it reaches this one."""

    def test_no_inline_policy_is_written_for_the_role(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        owned = template(app, "Owned")

        owned.resource_count_is("AWS::IAM::Policy", 0)
        owned.has_resource_properties("AWS::IAM::Role", {"Policies": Match.absent()})

    def test_no_resource_policy_is_added_to_a_repository_secret_or_bucket(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        owned = template(app, "Owned")

        owned.resource_count_is("AWS::SecretsManager::ResourcePolicy", 0)
        owned.resource_count_is("AWS::S3::BucketPolicy", 0)
        owned.has_resource_properties(
            "AWS::ECR::Repository", {"RepositoryPolicyText": Match.absent()}
        )

    def test_the_one_statement_aws_cdk_lib_writes_into_a_key_policy_is_reported(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        """Secret.grant_read asks the key through a ViaServicePrincipal, which no
        role can refuse; the role says so with a warning."""
        owned = template(app, "Owned")

        owned.has_resource_properties(
            "AWS::KMS::Key",
            {
                "KeyPolicy": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Action": "kms:Decrypt",
                                    "Principal": {
                                        "AWS": {
                                            "Fn::GetAtt": [Match.any_value(), "Arn"]
                                        }
                                    },
                                }
                            )
                        ]
                    )
                }
            },
        )
        Annotations.from_stack(app["Owned"]).has_warning(
            "/Owned/ExecutionRole",
            Match.string_like_regexp(
                r"Owned/Task/web\.secrets\.ENCRYPTED: aws-cdk-lib's Secret\.grant_read"
            ),
        )

    def test_tokens_are_carried_into_the_policy_as_references(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        owned = template(app, "Owned")
        secrets = sorted(owned.find_resources("AWS::SecretsManager::Secret"))
        key = only_id(owned, "AWS::KMS::Key")

        owned.has_resource_properties(
            "AWS::IAM::ManagedPolicy",
            {
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            {
                                "Sid": "SecretsManagerRead",
                                "Effect": "Allow",
                                "Action": "secretsmanager:GetSecretValue",
                                "Resource": [{"Ref": s} for s in secrets],
                            },
                            {
                                "Sid": "KmsDecryptViaSecretsmanagerEuWest1",
                                "Effect": "Allow",
                                "Action": "kms:Decrypt",
                                "Condition": {
                                    "StringEquals": {"kms:ViaService": VIA_SECRETS}
                                },
                                "Resource": {"Fn::GetAtt": [key, "Arn"]},
                            },
                        ]
                    )
                }
            },
        )

    def test_the_actions_are_exactly_those_the_agent_uses(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        """No DescribeSecret, GetParameterHistory or whole-log-group grants."""
        actions = {
            action
            for statement in statements(template(app, "Owned"))
            for action in (
                [statement["Action"]]
                if isinstance(statement["Action"], str)
                else statement["Action"]
            )
        }

        assert actions == {
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "secretsmanager:GetSecretValue",
            "ssm:GetParameters",
            "kms:Decrypt",
            "s3:GetObject",
            "s3:GetBucketLocation",
        }


def test_a_statement_added_by_hand_is_accepted_and_not_granted(tmp_path: Path) -> None:
    """As Role.without_policy_updates() answers: added, so no resource policy."""
    stack = cdk.Stack(new_app(tmp_path), "ByHand", env=ENV)
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)
    statement = iam.PolicyStatement(actions=["s3:*"], resources=["*"])

    result = role.add_to_principal_policy(statement)

    assert result.statement_added
    assert role.add_to_policy(statement)
    Template.from_stack(stack).resource_count_is("AWS::IAM::Policy", 0)


class TestOrdering:
    def test_the_task_definition_depends_on_the_managed_policies(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        owned = template(app, "Owned")
        policy = only_id(owned, "AWS::IAM::ManagedPolicy")

        owned.has_resource(
            "AWS::ECS::TaskDefinition", {"DependsOn": Match.array_with([policy])}
        )

    def test_the_policy_dependable_holds_the_managed_policies(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        role = app["Owned"].node.find_child("ExecutionRole")
        assert isinstance(role, TaskExecutionRole)

        roots = Dependable.of(role.policy_dependable).dependency_roots

        assert [root.node.path for root in roots] == [
            policy.node.path for policy in role.managed_policies
        ]
        assert [policy.node.id for policy in role.managed_policies] == ["Policy1"]

    def test_a_key_policy_naming_the_role_closes_no_loop(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        """Policy -> secret -> key -> role: the role must not depend on the policy.

        aws-cdk-lib points the key policy of an encrypted secret at the role,
        so a role listing its managed policies would close a circle that
        CloudFormation refuses; the policies list the role instead.
        """
        owned = template(app, "Owned")
        role = next(
            logical_id
            for logical_id in owned.find_resources("AWS::IAM::Role")
            if logical_id.startswith("ExecutionRole")
        )

        owned.has_resource_properties(
            "AWS::IAM::ManagedPolicy", {"Roles": [{"Ref": role}]}
        )
        owned.all_resources_properties(
            "AWS::IAM::Role", {"ManagedPolicyArns": Match.absent()}
        )


class TestTrustPolicy:
    def test_tasks_of_the_stack_account_and_region_only_may_assume_the_role(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        template(app, "Options").has_resource_properties(
            "AWS::IAM::Role",
            {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                            "Condition": {
                                "ArnLike": {
                                    "aws:SourceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:*"
                                },
                                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                            },
                        }
                    ],
                }
            },
        )

    def test_the_conditions_can_be_turned_off(self, app: dict[str, cdk.Stack]) -> None:
        template(app, "NoConditions").has_resource_properties(
            "AWS::IAM::Role",
            {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        }
                    ]
                }
            },
        )

    def test_without_an_environment_the_conditions_name_pseudo_parameters(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        template(app, "Agnostic").has_resource_properties(
            "AWS::IAM::Role",
            {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        Match.object_like(
                            {
                                "Condition": {
                                    "ArnLike": {
                                        "aws:SourceArn": {
                                            "Fn::Join": [
                                                "",
                                                [
                                                    "arn:",
                                                    {"Ref": "AWS::Partition"},
                                                    ":ecs:",
                                                    {"Ref": "AWS::Region"},
                                                    ":",
                                                    {"Ref": "AWS::AccountId"},
                                                    ":*",
                                                ],
                                            ]
                                        }
                                    },
                                    "StringEquals": {
                                        "aws:SourceAccount": {"Ref": "AWS::AccountId"}
                                    },
                                }
                            }
                        )
                    ]
                }
            },
        )


class TestRoleOptions:
    def test_name_path_boundary_description_and_session_are_the_roles(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        template(app, "Options").has_resource_properties(
            "AWS::IAM::Role",
            {
                "RoleName": "web-execution",
                "Path": "/ecs/",
                "PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/ecs-boundary",
                "Description": "Starts the web tasks",
                "MaxSessionDuration": 7200,
            },
        )

    def test_tags_are_the_roles(self, app: dict[str, cdk.Stack]) -> None:
        template(app, "Options").has_resource_properties(
            "AWS::IAM::Role",
            {
                "Tags": [
                    {"Key": "cost-centre", "Value": "42"},
                    {"Key": "team", "Value": "web"},
                ]
            },
        )

    def test_the_managed_policies_share_the_roles_path(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        template(app, "Options").has_resource_properties(
            "AWS::IAM::ManagedPolicy", {"Path": "/ecs/"}
        )


class TestFindingTaskDefinitions:
    def test_a_view_of_the_role_and_an_added_task_definition_are_read(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        resources = {
            resource
            for statement in statements(template(app, "Views"))
            if statement["Sid"] == "EcrImagePull"
            for resource in [statement["Resource"]]
            for resource in (resource if isinstance(resource, list) else [resource])
        }

        assert resources == {
            f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/added",
            f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/viewed",
        }

    def test_a_role_nothing_uses_grants_nothing_and_says_so(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        unused = template(app, "Unused")

        unused.resource_count_is("AWS::IAM::ManagedPolicy", 0)
        Annotations.from_stack(app["Unused"]).has_warning(
            "/Unused/ExecutionRole",
            Match.string_like_regexp(
                "no task definition uses it and no resource was given"
            ),
        )
        assert ids.NO_EXECUTION_ROLE_NEEDED


class TestAssets:
    def test_an_image_asset_is_pulled_from_the_bootstrap_repository(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        found = {s["Sid"]: s for s in statements(template(app, "Assets"))}

        assert found["EcrImagePull"]["Resource"] == (
            f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/"
            f"cdk-hnb659fds-container-assets-{ACCOUNT}-{REGION}"
        )
        assert found["S3BucketLocation"]["Resource"] == (
            f"arn:aws:s3:::cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"
        )


class TestEnvironmentAgnostic:
    def test_the_key_is_conditioned_on_the_stack_region_and_the_sid_stays_readable(
        self, app: dict[str, cdk.Stack]
    ) -> None:
        agnostic = template(app, "Agnostic")

        agnostic.has_resource_properties(
            "AWS::IAM::ManagedPolicy",
            {
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Sid": "KmsDecryptViaSecretsmanager",
                                    "Condition": {
                                        "StringEquals": {
                                            "kms:ViaService": {
                                                "Fn::Join": [
                                                    "",
                                                    [
                                                        "secretsmanager.",
                                                        {"Ref": "AWS::Region"},
                                                        ".amazonaws.com",
                                                    ],
                                                ]
                                            }
                                        }
                                    },
                                }
                            )
                        ]
                    )
                }
            },
        )


def test_the_role_is_an_irole_for_any_task_definition(tmp_path: Path) -> None:
    """Ec2, Fargate and external task definitions all take it as execution role."""
    app = new_app(tmp_path)
    stack = cdk.Stack(app, "Kinds", env=ENV)
    role = TaskExecutionRole(stack, "ExecutionRole", runtime_monitoring=False)

    for kind in (
        ecs.Ec2TaskDefinition,
        ecs.FargateTaskDefinition,
        ecs.ExternalTaskDefinition,
    ):
        task = kind(stack, kind.__name__, execution_role=role)

        assert task.execution_role is role
