"""What the role grants for each task definition of the matrix.

Each case states its whole expected policy document; a JSON snapshot of the
stack's IAM resources (the role, its managed policies, the task role) backs it
up, so that a change anywhere in them shows in review.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from ecs_exec_role.statements import minified_size
from tests.construct.conftest import MATRIX_STACKS, Matrix
from tests.construct.tasks import (
    ACCOUNT,
    KEY_ARN,
    OTHER_ACCOUNT,
    REGION,
    SECRET_ARN,
    SPLIT_SECRETS,
)

PULL = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
]
LOGS = ["logs:CreateLogStream", "logs:PutLogEvents"]
AUTHORIZATION_TOKEN = {
    "Sid": "EcrAuthorizationToken",
    "Effect": "Allow",
    "Action": "ecr:GetAuthorizationToken",
    "Resource": "*",
}


def streams(group: str, prefix: str = "web") -> str:
    return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:log-stream:{prefix}/*"


def allow(sid: str, action: Any, resource: Any, **condition: Any) -> dict[str, Any]:
    statement = {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = {"StringEquals": condition}
    return statement


def decrypt(service: str, sid: str) -> dict[str, Any]:
    return allow(
        sid,
        "kms:Decrypt",
        KEY_ARN,
        **{"kms:ViaService": f"{service}.{REGION}.amazonaws.com"},
    )


def policy(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}


def test_an_ecr_image_and_a_log_group_of_the_stack(matrix: Matrix) -> None:
    template = Template.from_json(matrix.template("EcrAndLogs"))
    log_group = template.find_resources("AWS::Logs::LogGroup")
    (log_group_id,) = log_group

    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        policy(
            [
                AUTHORIZATION_TOKEN,
                allow(
                    "EcrImagePull",
                    PULL,
                    f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web",
                ),
                allow(
                    "LogsWrite",
                    LOGS,
                    {
                        "Fn::Join": [
                            "",
                            [
                                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:",
                                {"Ref": log_group_id},
                                ":log-stream:web/*",
                            ],
                        ]
                    },
                ),
            ]
        ),
    )


def test_secrets_and_parameters_with_the_key_that_encrypts_them(
    matrix: Matrix,
) -> None:
    """GetSecretValue and GetParameters only, and Decrypt through each service."""
    template = Template.from_json(matrix.template("SecretsParametersKeys"))
    parameter = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/web"

    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        policy(
            [
                allow("LogsWrite", LOGS, streams("/ecs/web")),
                allow(
                    "SecretsManagerRead", "secretsmanager:GetSecretValue", SECRET_ARN
                ),
                allow(
                    "SsmParameterRead",
                    "ssm:GetParameters",
                    [f"{parameter}/api-token", f"{parameter}/flags"],
                ),
                decrypt("secretsmanager", "KmsDecryptViaSecretsmanagerEuWest1"),
                decrypt("ssm", "KmsDecryptViaSsmEuWest1"),
            ]
        ),
    )


def test_environment_files_and_a_firelens_configuration_in_s3(
    matrix: Matrix,
) -> None:
    """The bucket's key comes from the bucket object; FireLens logs are not ours."""
    template = Template.from_json(matrix.template("EnvironmentFilesAndFirelens"))

    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        policy(
            [
                allow("LogsWrite", LOGS, streams("/ecs/firelens", "firelens")),
                decrypt("s3", "KmsDecryptViaS3EuWest1"),
                allow(
                    "S3ObjectRead",
                    "s3:GetObject",
                    [
                        "arn:aws:s3:::web-config/fluent-bit.conf",
                        "arn:aws:s3:::web-config/prod/web.env",
                    ],
                ),
                allow(
                    "S3BucketLocation",
                    "s3:GetBucketLocation",
                    "arn:aws:s3:::web-config",
                ),
            ]
        ),
    )


def test_an_image_of_another_account_is_pulled_from_that_account(
    matrix: Matrix,
) -> None:
    template = Template.from_json(matrix.template("CrossAccountImage"))

    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        policy(
            [
                AUTHORIZATION_TOKEN,
                allow(
                    "EcrImagePull",
                    PULL,
                    f"arn:aws:ecr:{REGION}:{OTHER_ACCOUNT}:repository/shared/base",
                ),
                allow("LogsWrite", LOGS, streams("/ecs/web")),
            ]
        ),
    )


def test_an_image_under_a_pull_through_cache_prefix_may_import_upstream(
    matrix: Matrix,
) -> None:
    template = Template.from_json(matrix.template("PullThroughCache"))
    repository = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/docker-hub/library/nginx"

    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        policy(
            [
                AUTHORIZATION_TOKEN,
                allow("EcrImagePull", PULL, repository),
                allow(
                    "EcrPullThroughCache",
                    ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                    repository,
                ),
                allow("LogsWrite", LOGS, streams("/ecs/web")),
            ]
        ),
    )


def test_a_private_registry_reads_its_credentials_secret(matrix: Matrix) -> None:
    template = Template.from_json(matrix.template("PrivateRegistry"))

    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        policy(
            [
                allow("LogsWrite", LOGS, streams("/ecs/web")),
                allow(
                    "SecretsManagerRead",
                    "secretsmanager:GetSecretValue",
                    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ghcr/token-XyZ123",
                ),
            ]
        ),
    )


def test_grants_too_large_for_one_policy_are_split_in_order(matrix: Matrix) -> None:
    """Several policies within IAM's limit, the secrets cut into ordered parts."""
    template = Template.from_json(matrix.template("ManySecrets"))
    policies = template.find_resources("AWS::IAM::ManagedPolicy")

    statements = [
        statement
        for _, resource in sorted(policies.items())
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]
    secrets = [
        resource
        for statement in statements
        if statement["Action"] == "secretsmanager:GetSecretValue"
        for resource in statement["Resource"]
    ]
    assert len(policies) > 1
    for resource in policies.values():
        assert minified_size(resource["Properties"]["PolicyDocument"]) <= 6144
    assert [s["Sid"] for s in statements] == [
        "LogsWrite",
        "SecretsManagerReadPart1",
        "SecretsManagerReadPart2",
    ]
    assert secrets == sorted(secrets)
    assert len(set(secrets)) == SPLIT_SECRETS


def test_every_policy_is_attached_to_the_role(matrix: Matrix) -> None:
    """The policies name the role (their Roles), which names none of them."""
    template = Template.from_json(matrix.template("ManySecrets"))
    policies = template.find_resources("AWS::IAM::ManagedPolicy")
    (role,) = (
        logical_id
        for logical_id, resource in template.find_resources("AWS::IAM::Role").items()
        if "Condition"
        in resource["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    )

    for resource in policies.values():
        assert resource["Properties"]["Roles"] == [{"Ref": role}]
    template.all_resources_properties(
        "AWS::IAM::Role", {"ManagedPolicyArns": Match.absent()}
    )


@pytest.mark.parametrize("stack", [s for s in MATRIX_STACKS if s != "ManySecrets"])
def test_iam_resources_match_their_snapshot(
    matrix: Matrix, stack: str, snapshot: SnapshotAssertion
) -> None:
    resources = matrix.template(stack)["Resources"]

    iam = {
        logical_id: resource
        for logical_id, resource in sorted(resources.items())
        if resource["Type"].startswith("AWS::IAM::")
    }

    assert iam == snapshot.use_extension(JSONSnapshotExtension)


def test_no_statement_is_written_inline(matrix: Matrix) -> None:
    """HIPAA, NIST and PCI reject inline policies: the role has none."""
    for stack in MATRIX_STACKS:
        template = Template.from_json(matrix.template(stack))

        template.resource_count_is("AWS::IAM::Policy", 0)
        template.all_resources_properties(
            "AWS::IAM::Role", {"Policies": Match.absent()}
        )
