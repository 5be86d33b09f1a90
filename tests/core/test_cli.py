"""The ``policy`` command, through click's runner and in a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecs_exec_role.cli import main

from .tasks import KEY_ARN, container, secret, task

IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/my-app:1.4.2"
PARAMETER = "arn:aws:ssm:eu-west-1:111122223333:parameter/my-app/flag"
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def task_file(tmp_path: Path) -> Path:
    path = tmp_path / "web.json"
    path.write_text(
        json.dumps(task(container(image=IMAGE, secrets=[secret("/my-app/flag")]))),
        encoding="utf-8",
    )
    return path


EXPECTED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "EcrAuthorizationToken",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        },
        {
            "Sid": "EcrImagePull",
            "Effect": "Allow",
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/my-app",
        },
        {
            "Sid": "SsmParameterRead",
            "Effect": "Allow",
            "Action": "ssm:GetParameters",
            "Resource": PARAMETER,
        },
    ],
}
SCOPE = ["--region", "eu-west-1", "--account", "111122223333"]


class TestPolicy:
    def test_prints_the_policy_document_as_json_on_stdout(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        result = runner.invoke(main, ["policy", str(task_file), *SCOPE])

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == EXPECTED
        assert result.stderr == ""

    def test_the_same_input_prints_the_same_bytes(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        first = runner.invoke(main, ["policy", str(task_file), *SCOPE])
        second = runner.invoke(main, ["policy", str(task_file), *SCOPE])

        assert first.stdout == second.stdout
        assert first.stdout.endswith("}\n")

    def test_a_dash_reads_standard_input(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        result = runner.invoke(
            main, ["policy", "-", *SCOPE], input=task_file.read_text(encoding="utf-8")
        )

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == EXPECTED

    def test_errors_from_standard_input_are_labelled_stdin(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        result = runner.invoke(main, ["policy", "-"], input=task_file.read_text())

        assert result.exit_code == 2
        assert result.stderr.startswith(
            "ecs-exec-role: error: stdin:containerDefinitions[0].secrets[0].valueFrom:"
        )

    def test_kms_keys_and_pull_through_caches_are_passed_on(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        path = tmp_path / "cached.json"
        cached = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/hub/nginx:1"
        path.write_text(
            json.dumps(task(container(image=cached, secrets=[secret("/my-app/flag")]))),
            encoding="utf-8",
        )

        result = runner.invoke(
            main,
            [
                "policy",
                str(path),
                *SCOPE,
                "--kms-key",
                f"/my-app/flag={KEY_ARN}",
                "--pull-through-cache",
                "hub",
            ],
        )

        assert result.exit_code == 0, result.output
        statements = json.loads(result.stdout)["Statement"]
        assert [s["Sid"] for s in statements] == [
            "EcrAuthorizationToken",
            "EcrImagePull",
            "EcrPullThroughCache",
            "SsmParameterRead",
            "KmsDecryptViaSsmEuWest1",
        ]
        assert statements[-1]["Resource"] == KEY_ARN

    def test_a_resource_holding_an_equals_sign_keeps_it(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a=b-AbCdEf"
        path = tmp_path / "t.json"
        path.write_text(json.dumps(task(container(secrets=[secret(secret_arn)]))))

        result = runner.invoke(
            main, ["policy", str(path), *SCOPE, "--kms-key", f"{secret_arn}={KEY_ARN}"]
        )

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["Statement"][-1]["Resource"] == KEY_ARN

    def test_a_malformed_kms_key_option_is_a_usage_error(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        result = runner.invoke(main, ["policy", str(task_file), "--kms-key", "no-pair"])

        assert result.exit_code == 2
        assert "'no-pair' is not RESOURCE=KEY_ARN" in result.stderr

    def test_warnings_go_to_stderr_with_their_ids(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        path = tmp_path / "partial.json"
        partial = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/db"
        path.write_text(json.dumps(task(container(secrets=[secret(partial)]))))

        result = runner.invoke(main, ["policy", str(path), *SCOPE])

        assert result.exit_code == 0
        assert (
            json.loads(result.stdout)["Statement"][0]["Resource"] == f"{partial}-??????"
        )
        assert result.stderr == (
            "ecs-exec-role: warning: [ecs-exec-role:partialSecretArn] "
            "partial.json:containerDefinitions[0].secrets[0].valueFrom: "
            f"{partial!r} names secret 'my-app/db' without its 6-character suffix; "
            "'my-app/db-??????' is granted, but ECS resolves partial ARNs "
            "unreliably: prefer the complete ARN\n"
        )

    def test_a_task_needing_no_role_prints_nothing_on_stdout_and_says_so(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        path = tmp_path / "public.json"
        path.write_text(json.dumps(task(container(image="nginx:1.27"))))

        result = runner.invoke(main, ["policy", str(path)])

        assert result.exit_code == 0
        assert result.stdout == ""
        assert result.stderr.startswith(
            "ecs-exec-role: note: [ecs-exec-role:noExecutionRoleNeeded] "
        )
        assert "needs none" in result.stderr


class TestBadInput:
    def test_a_refused_setting_exits_2_with_the_error_and_no_traceback(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        result = runner.invoke(main, ["policy", str(task_file)])

        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == (
            "ecs-exec-role: error: web.json:containerDefinitions[0].secrets[0]."
            "valueFrom: '/my-app/flag' names no Region, and none was given for the "
            "task; pass the task's region (--region) or use a full ARN\n"
        )
        assert "Traceback" not in result.output

    def test_text_that_is_not_json_exits_2(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        path = tmp_path / "broken.json"
        path.write_text('{"family": "x",}')

        result = runner.invoke(main, ["policy", str(path)])

        assert result.exit_code == 2
        assert result.stderr.startswith(
            "ecs-exec-role: error: broken.json: not valid JSON: Expecting property "
            "name enclosed in double quotes at line 1 column 16"
        )

    def test_a_region_outside_the_partition_exits_2(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        result = runner.invoke(
            main,
            [
                "policy",
                str(task_file),
                "--region",
                "eu-west-1",
                "--partition",
                "aws-cn",
            ],
        )

        assert result.exit_code == 2
        assert "partition 'aws-cn' does not hold Region eu-west-1" in result.stderr

    def test_too_many_grants_for_iams_quotas_exit_2(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        names = [f"/my-app/prod/PARAM_{i:04d}" for i in range(1200)]
        path = tmp_path / "big.json"
        path.write_text(
            json.dumps(
                task(
                    container(secrets=[secret(n, f"P{i}") for i, n in enumerate(names)])
                )
            )
        )

        result = runner.invoke(main, ["policy", str(path), *SCOPE])

        assert result.exit_code == 2
        assert "more than IAM allows with 10 managed policies" in result.stderr

    def test_a_missing_file_is_a_usage_error(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        result = runner.invoke(main, ["policy", str(tmp_path / "absent.json")])

        assert result.exit_code == 2
        assert "No such file or directory" in result.stderr


def run_in_process(
    *arguments: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """The command in a fresh interpreter, with the source tree importable."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )


def test_a_real_process_prints_the_policy_and_exits_0(task_file: Path) -> None:
    result = run_in_process("-m", "ecs_exec_role.cli", "policy", str(task_file), *SCOPE)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == EXPECTED


def test_the_policy_command_imports_neither_aws_cdk_nor_jsii(task_file: Path) -> None:
    """The pure pipeline stays free of CDK: nothing of it is even loaded."""
    probe = (
        "import sys\n"
        "from ecs_exec_role.cli import main\n"
        f"argv = ['policy', {str(task_file)!r}, *{SCOPE!r}]\n"
        "try:\n"
        "    main(argv)\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "                ('aws_cdk', 'jsii', 'constructs'))\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )

    result = run_in_process("-c", probe)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == EXPECTED
    assert "LOADED []" in result.stderr


CONSOLE_SCRIPT = Path(sys.executable).parent / "ecs-exec-role"


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="package not installed")
def test_the_installed_console_script_runs_the_same_command(task_file: Path) -> None:
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "policy", str(task_file), *SCOPE],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == EXPECTED
