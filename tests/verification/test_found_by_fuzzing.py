"""Inputs that the verification suite found wrong, kept as tests once fixed.

Each class is one kind of fault, with the smallest input that showed it.
"""

from __future__ import annotations

from typing import Any

import pytest

from ecs_exec_role import (
    InvalidReferenceError,
    InvalidTaskDefinitionError,
    derive_policy,
    read_documents,
)


class TestTopLevelProblemsSayWhere:
    """A lone problem at the top level named no place at all."""

    def test_a_missing_family_is_a_problem_of_the_document(self) -> None:
        document = {"containerDefinitions": [{"name": "web", "image": "nginx"}]}

        with pytest.raises(
            InvalidTaskDefinitionError,
            match=r"^the document: the required setting 'family' is missing$",
        ) as raised:
            read_documents(document)

        assert raised.value.path == ""


def _task(**settings: Any) -> dict[str, Any]:
    container = {"name": "web", "image": "nginx", **settings}
    return {"family": "web", "containerDefinitions": [container]}


_ECR = "111122223333.dkr.ecr.eu-west-1.amazonaws.com"
_PARAMETER = "arn:aws:ssm:eu-west-1:111122223333:parameter/web/flags"
_SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:web/db-AbCdEf"


class TestReferencesAreWholeAsciiValues:
    """Patterns ended in '$' took a trailing newline, and '\\d' any Unicode digit,
    so 'parameter/0\\n' or an account of Arabic-Indic digits reached the policy."""

    @pytest.mark.parametrize(
        ("settings", "path"),
        [
            (
                {"secrets": [{"name": "A", "valueFrom": f"{_PARAMETER}\n"}]},
                "containerDefinitions[0].secrets[0].valueFrom",
            ),
            (
                {"secrets": [{"name": "A", "valueFrom": "/web/flags\n"}]},
                "containerDefinitions[0].secrets[0].valueFrom",
            ),
            (
                {"secrets": [{"name": "A", "valueFrom": f"{_SECRET}\n"}]},
                "containerDefinitions[0].secrets[0].valueFrom",
            ),
            (
                {
                    "secrets": [
                        {"name": "A", "valueFrom": _SECRET.replace("1111", "\u0661111")}
                    ]
                },
                "containerDefinitions[0].secrets[0].valueFrom",
            ),
            ({"image": f"{_ECR}/web\n"}, "containerDefinitions[0].image"),
            ({"image": f"{_ECR}/web:1.0\n"}, "containerDefinitions[0].image"),
            ({"image": f"\uff11{_ECR[1:]}/web"}, "containerDefinitions[0].image"),
            (
                {"image": "111122223333.dkr.ecr.eu-west-\u0661.amazonaws.com/web"},
                "containerDefinitions[0].image",
            ),
            (
                {
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/web\n",
                            "awslogs-region": "eu-west-1",
                        },
                    }
                },
                "containerDefinitions[0].logConfiguration.options.awslogs-group",
            ),
            (
                {
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/web",
                            "awslogs-region": "eu-west-1\n",
                        },
                    }
                },
                "containerDefinitions[0].logConfiguration.options.awslogs-region",
            ),
        ],
        ids=[
            "parameter ARN + newline",
            "parameter name + newline",
            "secret ARN + newline",
            "Arabic-Indic digit in an account",
            "repository + newline",
            "tag + newline",
            "full-width digit in an image's account",
            "Arabic-Indic digit in an image's Region",
            "log group + newline",
            "awslogs-region + newline",
        ],
    )
    def test_a_value_with_more_than_its_characters_is_refused(
        self, settings: dict[str, Any], path: str
    ) -> None:
        with pytest.raises(InvalidReferenceError, match=r".") as raised:
            derive_policy(
                read_documents(_task(**settings)),
                region="eu-west-1",
                account="111122223333",
            )

        assert raised.value.path == path


class TestS3BucketNames:
    """'arn:aws:s3::: /0' was granted: a bucket named by a space."""

    @pytest.mark.parametrize("bucket", [" ", "ab", "web\n", "caf\u00e9", "a" * 256])
    def test_an_environment_file_in_no_real_bucket_is_refused(
        self, bucket: str
    ) -> None:
        files = [{"type": "s3", "value": f"arn:aws:s3:::{bucket}/web.env"}]

        with pytest.raises(
            InvalidReferenceError, match=r"not an S3 bucket name"
        ) as raised:
            derive_policy(read_documents(_task(environmentFiles=files)))

        assert raised.value.path == "containerDefinitions[0].environmentFiles[0].value"

    @pytest.mark.parametrize(
        "bucket", ["web-config", "web.config.2024", "Legacy_Bucket"]
    )
    def test_bucket_names_of_today_and_before_2018_are_granted(
        self, bucket: str
    ) -> None:
        files = [{"type": "s3", "value": f"arn:aws:s3:::{bucket}/prod/web env"}]

        policy = derive_policy(read_documents(_task(environmentFiles=files)))

        assert policy.document is not None
        resources = [
            statement["Resource"] for statement in policy.document["Statement"]
        ]
        assert resources == [
            f"arn:aws:s3:::{bucket}/prod/web env",
            f"arn:aws:s3:::{bucket}",
        ]
