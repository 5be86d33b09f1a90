"""The awslogs driver: the log group's streams, and the group itself when asked."""

from __future__ import annotations

import pytest

from ecs_exec_role import InvalidReferenceError

from .iam_oracle import Request, allows
from .tasks import awslogs, container, derive, statements, task

LOGS_WRITE = ("logs:CreateLogStream", "logs:PutLogEvents")


def logs_write(resource: str) -> dict[str, object]:
    return {
        "Sid": "LogsWrite",
        "Effect": "Allow",
        "Action": list(LOGS_WRITE),
        "Resource": resource,
    }


class TestStreams:
    def test_streams_of_the_group_in_the_tasks_region_and_account(self) -> None:
        document = task(container(logConfiguration=awslogs("/ecs/my-app")))

        result = statements(document, region="eu-west-1", account="111122223333")

        assert result == [
            logs_write(
                "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/my-app:log-stream:*"
            )
        ]

    def test_awslogs_region_overrides_the_tasks_region(self) -> None:
        document = task(
            container(
                logConfiguration=awslogs(
                    "/ecs/my-app", **{"awslogs-region": "us-east-1"}
                )
            )
        )

        result = statements(document, region="eu-west-1")

        assert result == [
            logs_write(
                "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/my-app:log-stream:*"
            )
        ]

    def test_awslogs_region_in_china_names_the_china_partition(self) -> None:
        document = task(
            container(
                logConfiguration=awslogs("app", **{"awslogs-region": "cn-north-1"})
            )
        )

        result = statements(document, region="eu-west-1")

        assert result == [
            logs_write(
                "arn:aws-cn:logs:cn-north-1:111122223333:log-group:app:log-stream:*"
            )
        ]

    def test_a_stream_prefix_narrows_the_streams_to_those_under_it(self) -> None:
        """Streams are named PREFIX/CONTAINER/TASK-ID; the task id forces a wildcard."""
        options = {"awslogs-stream-prefix": "web"}
        document = task(container(logConfiguration=awslogs("/ecs/my-app", **options)))

        policy = derive(document).document

        assert policy is not None
        assert policy["Statement"] == [
            logs_write(
                "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/my-app:log-stream:web/*"
            )
        ]
        group = "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/my-app"
        stream = f"{group}:log-stream:web/web/0123456789abcdef0123456789abcdef"
        for action in LOGS_WRITE:
            assert allows(policy, Request(action, stream))
        assert not allows(
            policy, Request("logs:PutLogEvents", f"{group}:log-stream:x/y")
        )

    def test_a_question_mark_in_the_prefix_is_granted_as_itself(self) -> None:
        options = {"awslogs-stream-prefix": "web?"}
        document = task(container(logConfiguration=awslogs("/ecs/my-app", **options)))

        policy = derive(document).document

        group = "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/my-app"
        assert allows(
            policy, Request("logs:PutLogEvents", f"{group}:log-stream:web?/web/1")
        )
        assert not allows(
            policy, Request("logs:PutLogEvents", f"{group}:log-stream:webX/web/1")
        )

    @pytest.mark.parametrize("prefix", ["web:1", "web*"])
    def test_a_prefix_with_a_character_stream_names_cannot_hold_is_refused(
        self, prefix: str
    ) -> None:
        options = {"awslogs-stream-prefix": prefix}
        document = task(container(logConfiguration=awslogs("/ecs/my-app", **options)))

        with pytest.raises(
            InvalidReferenceError,
            match=r"options\.awslogs-stream-prefix: awslogs-stream-prefix .* holds ':' "
            "or '\\*', which CloudWatch Logs does not allow in a log stream name",
        ):
            derive(document)


class TestCreateGroup:
    GROUP = "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/my-app"

    def test_create_group_adds_create_log_group_on_the_group(self) -> None:
        options = {"awslogs-create-group": "true", "awslogs-stream-prefix": "app"}
        document = task(container(logConfiguration=awslogs("/ecs/my-app", **options)))

        result = statements(document)

        assert result == [
            logs_write(f"{self.GROUP}:log-stream:app/*"),
            {
                "Sid": "LogsCreateGroup",
                "Effect": "Allow",
                "Action": "logs:CreateLogGroup",
                "Resource": f"{self.GROUP}:*",
            },
        ]

    def test_create_log_group_is_allowed_on_the_form_the_service_checks(self) -> None:
        """AccessDenied messages name 'log-group:G:log-stream:' for CreateLogGroup."""
        options = {"awslogs-create-group": "True"}
        document = task(container(logConfiguration=awslogs("/ecs/my-app", **options)))

        policy = derive(document).document

        assert allows(
            policy, Request("logs:CreateLogGroup", f"{self.GROUP}:log-stream:")
        )

    def test_without_create_group_the_group_is_not_created(self) -> None:
        options = {"awslogs-create-group": "false"}
        document = task(container(logConfiguration=awslogs("/ecs/my-app", **options)))

        result = statements(document)

        assert [s["Sid"] for s in result] == ["LogsWrite"]

    @pytest.mark.parametrize("value", ["1", "t", "T", "TRUE", "true", "True"])
    def test_every_spelling_docker_reads_as_true_creates_the_group(
        self, value: str
    ) -> None:
        """The awslogs driver parses the option with Go's strconv.ParseBool."""
        options = {"awslogs-create-group": value}
        document = task(container(logConfiguration=awslogs("/ecs/my-app", **options)))

        result = statements(document)

        assert [s["Sid"] for s in result] == ["LogsWrite", "LogsCreateGroup"]

    @pytest.mark.parametrize("value", ["0", "f", "FALSE", "False"])
    def test_every_spelling_docker_reads_as_false_creates_nothing(
        self, value: str
    ) -> None:
        options = {"awslogs-create-group": value}
        document = task(container(logConfiguration=awslogs("/ecs/my-app", **options)))

        result = statements(document)

        assert [s["Sid"] for s in result] == ["LogsWrite"]

    @pytest.mark.parametrize("value", ["yes", "True ", "tRuE", ""])
    def test_a_value_docker_refuses_is_refused(self, value: str) -> None:
        options = {"awslogs-create-group": value}
        document = task(container(logConfiguration=awslogs("/ecs/my-app", **options)))

        with pytest.raises(
            InvalidReferenceError,
            match=r"logConfiguration\.options\.awslogs-create-group: "
            r"awslogs-create-group .* is not a value the awslogs driver accepts; "
            r"use 'true' or 'false'",
        ):
            derive(document)


def test_other_log_drivers_need_no_grant() -> None:
    document = task(
        container(
            logConfiguration={"logDriver": "json-file", "options": {"max-size": "1m"}}
        )
    )

    policy = derive(document)

    assert policy.document is None
