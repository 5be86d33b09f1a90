"""The scoped role as files for the AWS CLI and Terraform."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ecs_exec_role.arns import Scope
from ecs_exec_role.export import export_aws_cli, export_terraform, trust_policy
from ecs_exec_role.pipeline import RolePolicy, derive_policy, read_documents

REGION, ACCOUNT = "eu-west-1", "111122223333"


@pytest.fixture(scope="module")
def role() -> RolePolicy:
    document = {
        "family": "web",
        "containerDefinitions": [
            {
                "name": "web",
                "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1.0",
                "secrets": [{"name": "FLAG", "valueFrom": "/web/flag"}],
            }
        ],
    }
    return derive_policy(read_documents(document), region=REGION, account=ACCOUNT)


def test_the_trust_policy_lets_only_this_accounts_ecs_tasks_assume_the_role() -> None:
    policy = trust_policy(Scope(region=REGION, account=ACCOUNT))

    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:*"},
                },
            }
        ],
    }


def test_the_trust_policy_has_no_conditions_when_the_account_is_unknown() -> None:
    (statement,) = trust_policy(Scope())["Statement"]

    assert "Condition" not in statement


def test_aws_cli_export_writes_policies_and_a_script_that_uses_them(
    role: RolePolicy, tmp_path: Path
) -> None:
    written = export_aws_cli(role, tmp_path, role_name="web-execution")

    assert [path.name for path in written] == [
        "trust-policy.json",
        "policy-1.json",
        "create-role.sh",
    ]
    assert (
        json.loads((tmp_path / "policy-1.json").read_text())
        == role.policies[0].to_json()
    )
    script = (tmp_path / "create-role.sh").read_text()
    assert "ROLE_NAME=web-execution" in script
    assert "--assume-role-policy-document file://trust-policy.json" in script
    assert "--policy-document file://policy-1.json" in script
    assert (
        'aws iam attach-role-policy --role-name "$ROLE_NAME" --policy-arn "$arn"'
        in script
    )
    subprocess.run(["sh", "-n", str(tmp_path / "create-role.sh")], check=True)


def test_terraform_export_is_terraform_json_with_role_policies_and_attachments(
    role: RolePolicy, tmp_path: Path
) -> None:
    (path,) = export_terraform(role, tmp_path, role_name="web-execution")

    document = json.loads(path.read_text())
    resources = document["resource"]
    assert path.name == "execution-role.tf.json"
    assert resources["aws_iam_role"]["execution"]["name"] == "web-execution"
    assert json.loads(resources["aws_iam_role"]["execution"]["assume_role_policy"]) == (
        trust_policy(role.derivation.scope)
    )
    assert json.loads(resources["aws_iam_policy"]["execution_1"]["policy"]) == (
        role.policies[0].to_json()
    )
    assert resources["aws_iam_role_policy_attachment"]["execution_1"] == {
        "role": "${aws_iam_role.execution.name}",
        "policy_arn": "${aws_iam_policy.execution_1.arn}",
    }
