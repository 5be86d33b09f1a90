"""The ``audit``, ``explain`` and ``export`` commands, in every output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecs_exec_role.audit import AWS_MANAGED_EXECUTION_POLICY
from ecs_exec_role.cli import main

REGION, ACCOUNT = "eu-west-1", "111122223333"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:web/db-AbCdEf"
WHERE = ["--region", REGION, "--account", ACCOUNT, "--no-runtime-monitoring"]


def write(path: Path, document: object) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


@pytest.fixture
def task_file(tmp_path: Path) -> str:
    return write(
        tmp_path / "web.json",
        {
            "family": "web",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1.0",
                    "secrets": [{"name": "DB", "valueFrom": f"{SECRET}:password::"}],
                }
            ],
        },
    )


@pytest.fixture
def managed_policy(tmp_path: Path) -> str:
    return write(tmp_path / "managed.json", AWS_MANAGED_EXECUTION_POLICY)


def run(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(arguments))
    return result.exit_code, result.stdout, result.stderr


def test_audit_exits_1_and_names_the_missing_secret_and_its_setting(
    task_file: str, managed_policy: str
) -> None:
    status, out, _ = run(
        "audit", task_file, "--policy", managed_policy, "--format", "json", *WHERE
    )

    report = json.loads(out)
    assert status == 1
    assert report["missing"] == [
        {
            "action": "secretsmanager:GetSecretValue",
            "resource": SECRET,
            "context": {},
            "outcome": "denied",
            "reason": "no statement allows it",
            "neededBy": ["web.json:containerDefinitions[0].secrets[0].valueFrom"],
        }
    ]
    assert [(item["resource"], item["reason"]) for item in report["excess"]] == [
        ("*", "wildcard broader than needed"),
        ("*", "actions no task definition needs"),
    ]


def test_audit_of_the_policy_it_derives_exits_0_clean(
    task_file: str, tmp_path: Path
) -> None:
    _, policy, _ = run("policy", task_file, *WHERE)
    ours = write(tmp_path / "ours.json", json.loads(policy))

    status, out, _ = run("audit", task_file, "--policy", ours, *WHERE)

    assert status == 0
    assert out.startswith("Execution role audit\n\nClean: all 5 requests")


def test_audit_markdown_is_a_table_for_a_pull_request_comment(
    task_file: str, managed_policy: str
) -> None:
    _, out, _ = run(
        "audit", task_file, "--policy", managed_policy, "--format", "markdown", *WHERE
    )

    assert out.startswith("## Execution role audit\n")
    assert "| action | resource | outcome | needed by |" in out
    assert f"| secretsmanager:GetSecretValue | {SECRET} | denied |" in out


def test_audit_exits_2_on_a_policy_file_that_is_not_a_policy(
    task_file: str, tmp_path: Path
) -> None:
    odd = write(tmp_path / "odd.json", {"Roles": []})

    status, _, err = run("audit", task_file, "--policy", odd, *WHERE)

    assert status == 2
    assert "odd.json is not a policy document" in err


def test_explain_lists_each_grant_with_the_settings_that_need_it(
    task_file: str,
) -> None:
    status, out, _ = run("explain", task_file, "--format", "json", *WHERE)

    grants = json.loads(out)["grants"]
    assert status == 0
    assert [
        (grant["sid"], grant["resource"], grant["neededBy"]) for grant in grants
    ] == [
        ("EcrAuthorizationToken", "*", ["web.json:containerDefinitions[0].image"]),
        (
            "EcrImagePull",
            f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web",
            ["web.json:containerDefinitions[0].image"],
        ),
        (
            "SecretsManagerRead",
            SECRET,
            ["web.json:containerDefinitions[0].secrets[0].valueFrom"],
        ),
    ]


def test_export_aws_cli_names_the_role_after_the_family(
    task_file: str, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"

    status, out, _ = run(
        "export", task_file, "--to", "aws-cli", "--out", str(out_dir), *WHERE
    )

    assert status == 0
    assert out.splitlines() == [
        str(out_dir / "trust-policy.json"),
        str(out_dir / "policy-1.json"),
        str(out_dir / "create-role.sh"),
    ]
    assert "ROLE_NAME=web-execution-role" in (out_dir / "create-role.sh").read_text()


def test_export_terraform_honours_the_role_name(task_file: str, tmp_path: Path) -> None:
    out_dir = tmp_path / "tf"

    status, _, _ = run(
        "export",
        task_file,
        "--to",
        "terraform",
        "--out",
        str(out_dir),
        "--role-name",
        "custom",
        *WHERE,
    )

    document = json.loads((out_dir / "execution-role.tf.json").read_text())
    assert status == 0
    assert document["resource"]["aws_iam_role"]["execution"]["name"] == "custom"


@pytest.fixture
def cross_account_task(tmp_path: Path) -> str:
    return write(
        tmp_path / "shared.json",
        {
            "family": "shared",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": f"444455556666.dkr.ecr.{REGION}.amazonaws.com/base:1",
                }
            ],
        },
    )


def test_explain_shows_the_statement_the_repository_owner_must_add(
    cross_account_task: str,
) -> None:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/shared-execution"

    status, out, _ = run(
        "explain",
        cross_account_task,
        "--format",
        "json",
        "--role-arn",
        role_arn,
        *WHERE,
    )

    (counterpart,) = json.loads(out)["resourcePolicies"]
    assert status == 0
    assert counterpart["policy"] == "ECR repository policy"
    assert counterpart["account"] == "444455556666"
    assert counterpart["statement"]["Principal"] == {"AWS": role_arn}
    assert sorted(counterpart["statement"]["Action"]) == [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]


def test_export_writes_the_owners_statements_beside_the_role(
    cross_account_task: str, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"

    status, out, _ = run(
        "export", cross_account_task, "--to", "terraform", "--out", str(out_dir), *WHERE
    )

    (counterpart,) = json.loads((out_dir / "resource-policies.json").read_text())
    assert status == 0
    assert out.splitlines()[-1] == str(out_dir / "resource-policies.json")
    assert (
        counterpart["resource"] == f"arn:aws:ecr:{REGION}:444455556666:repository/base"
    )


def test_export_cloudformation_writes_the_template_the_construct_synthesizes(
    task_file: str, tmp_path: Path
) -> None:
    out_dir = tmp_path / "cfn"

    status, out, _ = run(
        "export", task_file, "--to", "cloudformation", "--out", str(out_dir), *WHERE
    )

    template = json.loads((out_dir / "execution-role.template.json").read_text())
    resources = template["Resources"].values()
    assert status == 0
    assert out.splitlines() == [str(out_dir / "execution-role.template.json")]
    assert sorted(resource["Type"] for resource in resources) == [
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Role",
    ]
    (role,) = (r for r in resources if r["Type"] == "AWS::IAM::Role")
    assert role["Properties"]["RoleName"] == "web-execution-role"
    (policy,) = (r for r in resources if r["Type"] == "AWS::IAM::ManagedPolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert [s["Sid"] for s in statements] == [
        "EcrAuthorizationToken",
        "EcrImagePull",
        "SecretsManagerRead",
    ]


@pytest.mark.parametrize("target", ["aws-cli", "terraform", "cloudformation"])
def test_export_refuses_a_role_name_iam_would_refuse(
    task_file: str, tmp_path: Path, target: str
) -> None:
    status, _, err = run(
        "export", task_file, "--to", target, "--out", str(tmp_path / "o"),
        "--role-name", "bad name!", *WHERE,
    )  # fmt: skip

    assert status == 2
    assert "'bad name!' is not a role name IAM accepts" in err
    assert not (tmp_path / "o").exists()


def test_export_refuses_a_default_name_longer_than_iam_allows(tmp_path: Path) -> None:
    family = "f" * 100
    task = write(tmp_path / "long.json", {"family": family, "containerDefinitions": [
        {"name": "web", "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1"}
    ]})  # fmt: skip

    status, _, err = run(
        "export", task, "--to", "aws-cli", "--out", str(tmp_path / "o"), *WHERE
    )

    assert status == 2
    assert f"family: '{family}-execution-role' is not a role name IAM accepts" in err
