"""The test oracle itself: IAM's wildcard matching, conditions and denies."""

from __future__ import annotations

import pytest

from .iam_oracle import Request, UnsupportedPolicyError, allows


def policy(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


LOG_STREAMS = policy(
    {
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": (
            "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:log-stream:web/*"
        ),
    }
)


class TestWildcards:
    def test_a_star_matches_any_run_of_characters_slashes_included(self) -> None:
        request = Request(
            "logs:PutLogEvents",
            "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:log-stream:web/app/0123abcd",
        )

        assert allows(LOG_STREAMS, request)

    def test_a_star_does_not_match_a_missing_prefix(self) -> None:
        request = Request(
            "logs:PutLogEvents",
            "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:log-stream:api/app/0123",
        )

        assert not allows(LOG_STREAMS, request)

    def test_a_question_mark_matches_exactly_one_character(self) -> None:
        document = policy(
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "arn:aws:secretsmanager:eu-west-1:1:secret:db-??????",
            }
        )
        arn = "arn:aws:secretsmanager:eu-west-1:1:secret:db-"

        assert allows(
            document, Request("secretsmanager:GetSecretValue", arn + "AbCdEf")
        )
        assert not allows(
            document, Request("secretsmanager:GetSecretValue", arn + "AbCdE")
        )
        assert not allows(
            document, Request("secretsmanager:GetSecretValue", arn + "old-AbCdEf")
        )

    def test_actions_match_without_regard_to_case_and_resources_with_it(self) -> None:
        document = policy(
            {
                "Effect": "Allow",
                "Action": "ECR:BatchGetImage",
                "Resource": "arn:aws:ecr:*:*:repository/app",
            }
        )

        assert allows(
            document,
            Request(
                "ecr:batchgetimage", "arn:aws:ecr:eu-west-1:111122223333:repository/app"
            ),
        )
        assert not allows(
            document,
            Request(
                "ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:111122223333:repository/App"
            ),
        )

    def test_an_escaped_question_mark_is_the_character_itself(self) -> None:
        document = policy(
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/a${?}b",
            }
        )

        assert allows(document, Request("s3:GetObject", "arn:aws:s3:::b/a?b"))
        assert not allows(document, Request("s3:GetObject", "arn:aws:s3:::b/aXb"))

    def test_other_policy_variables_are_refused(self) -> None:
        document = policy(
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/${aws:username}",
            }
        )

        with pytest.raises(UnsupportedPolicyError, match="policy variable"):
            allows(document, Request("s3:GetObject", "arn:aws:s3:::b/x"))


class TestConditions:
    KEY = policy(
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "arn:aws:kms:eu-west-1:111122223333:key/k",
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"
                }
            },
        }
    )

    def test_a_condition_holds_when_the_context_carries_the_value(self) -> None:
        request = Request(
            "kms:Decrypt",
            "arn:aws:kms:eu-west-1:111122223333:key/k",
            {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"},
        )

        assert allows(self.KEY, request)

    def test_a_condition_fails_on_another_value_or_a_missing_key(self) -> None:
        resource = "arn:aws:kms:eu-west-1:111122223333:key/k"

        assert not allows(
            self.KEY,
            Request(
                "kms:Decrypt",
                resource,
                {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"},
            ),
        )
        assert not allows(self.KEY, Request("kms:Decrypt", resource))


def test_an_explicit_deny_wins_over_an_allow() -> None:
    document = policy(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {
            "Effect": "Deny",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/secret",
        },
    )

    assert allows(document, Request("s3:GetObject", "arn:aws:s3:::b/app.env"))
    assert not allows(document, Request("s3:GetObject", "arn:aws:s3:::b/secret"))


def test_no_policy_allows_nothing() -> None:
    assert not allows(None, Request("ecr:GetAuthorizationToken", "*"))


def test_features_it_does_not_evaluate_are_refused_not_skipped() -> None:
    document = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})

    with pytest.raises(UnsupportedPolicyError, match="NotAction"):
        allows(document, Request("s3:GetObject", "arn:aws:s3:::b/k"))
