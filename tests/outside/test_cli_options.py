"""The ``policy`` command's --runtime-monitoring and --service options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecs_exec_role import warnings as ids
from ecs_exec_role.cli import BAD_INPUT, main

from .documents import (
    ACCOUNT,
    AGENT_REPOSITORY,
    REGION,
    awslogs,
    create_service,
    ecr_authorization,
    ecr_pull,
    logs_write,
    service_connect,
    task,
)

PLACE = ["--region", REGION, "--account", ACCOUNT]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def task_file(tmp_path: Path) -> Path:
    path = tmp_path / "web.json"
    path.write_text(json.dumps(task()), encoding="utf-8")
    return path


@pytest.fixture
def service_file(tmp_path: Path) -> Path:
    path = tmp_path / "service.json"
    logs = awslogs("/ecs/my-app/proxy")
    document = create_service(serviceConnectConfiguration=service_connect(logs))
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


class TestRuntimeMonitoring:
    def test_the_flag_grants_the_agent_pull(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        result = runner.invoke(
            main, ["policy", str(task_file), *PLACE, "--runtime-monitoring"]
        )

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {
            "Version": "2012-10-17",
            "Statement": [ecr_authorization(), ecr_pull(AGENT_REPOSITORY)],
        }
        assert result.stderr == ""

    def test_without_the_flag_a_fargate_task_is_warned(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        result = runner.invoke(main, ["policy", str(task_file), *PLACE])

        assert result.exit_code == 0
        assert result.stdout == ""
        assert (
            f"warning: [{ids.GUARDDUTY_AGENT_NOT_GRANTED}] "
            "web.json:requiresCompatibilities:" in result.stderr
        )

    def test_the_negative_flag_says_guardduty_does_not_monitor_the_task(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        result = runner.invoke(
            main, ["policy", str(task_file), *PLACE, "--no-runtime-monitoring"]
        )

        assert result.exit_code == 0
        assert ids.GUARDDUTY_AGENT_NOT_GRANTED not in result.stderr

    def test_a_region_the_table_lacks_exits_with_the_error(
        self, runner: CliRunner, task_file: Path
    ) -> None:
        result = runner.invoke(
            main,
            [
                "policy",
                str(task_file),
                "--region",
                "cn-north-1",
                "--account",
                ACCOUNT,
                "--runtime-monitoring",
            ],
        )

        assert result.exit_code == BAD_INPUT
        assert result.stdout == ""
        assert "not known for Region cn-north-1" in result.stderr


class TestService:
    def test_the_service_connect_log_group_is_granted(
        self, runner: CliRunner, task_file: Path, service_file: Path
    ) -> None:
        result = runner.invoke(
            main,
            [
                "policy",
                str(task_file),
                *PLACE,
                "--no-runtime-monitoring",
                "--service",
                str(service_file),
            ],
        )

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["Statement"] == [
            logs_write(
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/my-app/proxy"
                ":log-stream:*"
            )
        ]

    def test_both_options_together(
        self, runner: CliRunner, task_file: Path, service_file: Path
    ) -> None:
        result = runner.invoke(
            main,
            [
                "policy",
                str(task_file),
                *PLACE,
                "--runtime-monitoring",
                "--service",
                str(service_file),
            ],
        )

        assert result.exit_code == 0, result.output
        assert [s["Sid"] for s in json.loads(result.stdout)["Statement"]] == [
            "EcrAuthorizationToken",
            "EcrImagePull",
            "LogsWrite",
        ]

    def test_a_bad_service_file_exits_with_an_error_naming_it(
        self, runner: CliRunner, task_file: Path, tmp_path: Path
    ) -> None:
        bad = tmp_path / "bad-service.json"
        bad.write_text(json.dumps({"serviceName": 7}), encoding="utf-8")

        result = runner.invoke(
            main, ["policy", str(task_file), *PLACE, "--service", str(bad)]
        )

        assert result.exit_code == BAD_INPUT
        assert "error: bad-service.json:serviceName:" in result.stderr
