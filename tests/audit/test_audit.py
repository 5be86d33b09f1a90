"""The audit holds a role's policies against the requests its task definitions make."""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

import pytest

from ecs_exec_role.audit import (
    AWS_MANAGED_EXECUTION_POLICY,
    NamedPolicy,
    Outcome,
    audit,
    evaluate,
    load_policies,
)
from ecs_exec_role.errors import InvalidTaskDefinitionError
from ecs_exec_role.pipeline import RolePolicy, derive_policy, read_documents
from ecs_exec_role.requests import Request

REGION, ACCOUNT = "eu-west-1", "111122223333"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:web/db-AbCdEf"
OTHER_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:web/api-GhIjKl"
REPOSITORY = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web"
MANAGED_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": "*"}],
}


def task_definition() -> dict[str, Any]:
    return {
        "family": "web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {
                "name": "web",
                "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1.0",
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "/ecs/web",
                        "awslogs-region": REGION,
                        "awslogs-stream-prefix": "web",
                    },
                },
                "secrets": [
                    {"name": "DB", "valueFrom": f"{SECRET}:password::"},
                    {"name": "API", "valueFrom": OTHER_SECRET},
                    {"name": "FLAG", "valueFrom": "/web/prod/flag"},
                ],
            }
        ],
    }


@pytest.fixture(scope="module")
def needed() -> RolePolicy:
    return derive_policy(
        read_documents(task_definition()), region=REGION, account=ACCOUNT
    )


def test_our_own_policy_audits_clean(needed: RolePolicy) -> None:
    assert needed.document is not None

    report = audit(needed, [NamedPolicy("ours", needed.document)])

    assert report.clean
    assert report.checked == 9


def test_the_aws_managed_policy_lacks_secrets_and_parameters_and_grants_wildcards(
    needed: RolePolicy,
) -> None:
    managed = NamedPolicy(
        "AmazonECSTaskExecutionRolePolicy", AWS_MANAGED_EXECUTION_POLICY
    )

    report = audit(needed, [managed])

    assert {(m.request.action, m.request.resource) for m in report.missing} == {
        ("secretsmanager:GetSecretValue", SECRET),
        ("secretsmanager:GetSecretValue", OTHER_SECRET),
        (
            "ssm:GetParameters",
            f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/web/prod/flag",
        ),
    }
    assert [(e.actions, e.resource, e.reason) for e in report.excess] == [
        (
            (
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ),
            "*",
            "wildcard broader than needed",
        )
    ]


def test_a_policy_that_forgot_one_secret_reports_exactly_that_secret_and_its_setting(
    needed: RolePolicy,
) -> None:
    document = json.loads(json.dumps(needed.document))
    for statement in document["Statement"]:
        if statement["Sid"] == "SecretsManagerRead":
            statement["Resource"] = OTHER_SECRET

    report = audit(needed, [NamedPolicy("hand-written", document)])

    assert [
        (m.request.resource, m.outcome, m.request.sources) for m in report.missing
    ] == [(SECRET, Outcome.DENIED, ("containerDefinitions[0].secrets[0].valueFrom",))]
    assert report.excess == ()


def test_actions_the_task_does_not_need_are_excess_and_task_role_ones_say_so(
    needed: RolePolicy,
) -> None:
    assert needed.document is not None
    extra = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Extra",
                "Effect": "Allow",
                "Action": [
                    "secretsmanager:DescribeSecret",
                    "ssmmessages:OpenDataChannel",
                ],
                "Resource": "*",
            }
        ],
    }

    report = audit(
        needed, [NamedPolicy("ours", needed.document), NamedPolicy("extra", extra)]
    )

    assert report.missing == ()
    assert {(e.actions, e.reason) for e in report.excess} == {
        (("secretsmanager:DescribeSecret",), "actions no task definition needs"),
        (
            ("ssmmessages:OpenDataChannel",),
            "belongs to the task role, not the execution role",
        ),
    }


def test_action_wildcards_expand_through_iams_action_list(needed: RolePolicy) -> None:
    """``ecr:*`` grants dozens of actions beyond the pull: too many to list, so the
    finding names the pattern and counts them (the needed ones not among them)."""
    assert needed.document is not None
    broad = {
        "Statement": [
            {"Sid": "Ecr", "Effect": "Allow", "Action": "ecr:*", "Resource": REPOSITORY}
        ]
    }

    report = audit(
        needed, [NamedPolicy("ours", needed.document), NamedPolicy("broad", broad)]
    )

    (excess,) = report.excess
    assert (excess.policy, excess.statement, excess.actions, excess.resource) == (
        "broad",
        "Ecr",
        ("ecr:*",),
        REPOSITORY,
    )
    assert re.fullmatch(r"grants \d\d+ actions no task definition needs", excess.reason)


class TestEvaluation:
    """IAM's rules for one identity, as the audit applies them."""

    request = Request("secretsmanager:GetSecretValue", SECRET)

    def decide(
        self, *statements: dict[str, Any], request: Request | None = None
    ) -> Outcome:
        policy = NamedPolicy("p", {"Statement": list(statements)})
        return evaluate(request or self.request, [policy]).outcome

    def test_an_explicit_deny_beats_an_allow(self) -> None:
        allow = {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}
        deny = {
            "Effect": "Deny",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": SECRET,
        }

        assert self.decide(allow, deny) is Outcome.DENIED

    def test_actions_match_without_regard_to_case_and_resources_with_it(self) -> None:
        lower = {
            "Effect": "Allow",
            "Action": "SecretsManager:getsecretvalue",
            "Resource": SECRET,
        }
        upper = {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": SECRET.upper(),
        }

        assert self.decide(lower) is Outcome.ALLOWED
        assert self.decide(upper) is Outcome.DENIED

    def test_question_mark_matches_exactly_one_character(self) -> None:
        six = SECRET.removesuffix("AbCdEf") + "??????"
        five = SECRET.removesuffix("AbCdEf") + "?????"

        assert (
            self.decide({"Effect": "Allow", "Action": "*", "Resource": six})
            is Outcome.ALLOWED
        )
        assert (
            self.decide({"Effect": "Allow", "Action": "*", "Resource": five})
            is Outcome.DENIED
        )

    def test_iams_escapes_match_the_character_itself(self) -> None:
        request = Request("s3:GetObject", "arn:aws:s3:::bucket/what?.env")
        escaped = {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::bucket/what${?}.env",
        }

        assert self.decide(escaped, request=request) is Outcome.ALLOWED
        assert (
            self.decide(
                escaped,
                request=Request("s3:GetObject", "arn:aws:s3:::bucket/whatX.env"),
            )
            is Outcome.DENIED
        )

    def test_not_action_and_not_resource_invert(self) -> None:
        not_action = {"Effect": "Allow", "NotAction": "ssm:*", "Resource": "*"}
        not_resource = {"Effect": "Allow", "Action": "*", "NotResource": SECRET}

        assert self.decide(not_action) is Outcome.ALLOWED
        assert self.decide(not_resource) is Outcome.DENIED

    def test_a_condition_on_a_key_the_request_carries_is_decided(self) -> None:
        request = Request(
            "kms:Decrypt",
            f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k",
            {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"},
        )
        right = {
            "StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
        }
        wrong = {"StringEquals": {"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}}
        statement = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}

        assert (
            self.decide({**statement, "Condition": right}, request=request)
            is Outcome.ALLOWED
        )
        assert (
            self.decide({**statement, "Condition": wrong}, request=request)
            is Outcome.DENIED
        )

    def test_a_condition_on_a_key_the_request_lacks_is_undecided_not_assumed(
        self,
    ) -> None:
        statement = {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": SECRET,
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}},
        }

        assert self.decide(statement) is Outcome.UNDECIDED


class TestLoadingPolicies:
    """Every shape of AWS CLI output that carries a role's policies."""

    def test_get_role_policy_output_is_named_after_the_policy(self) -> None:
        value = {
            "RoleName": "r",
            "PolicyName": "inline",
            "PolicyDocument": DOCUMENT,
        }

        (policy,) = load_policies(value, label="file.json")

        assert (policy.name, policy.document) == ("inline", DOCUMENT)

    def test_get_policy_version_output_gives_its_document(self) -> None:
        value = {"PolicyVersion": {"Document": DOCUMENT, "VersionId": "v3"}}

        (policy,) = load_policies(value, label="version.json")

        assert (policy.name, policy.document) == ("version.json", DOCUMENT)

    def test_url_encoded_documents_are_decoded(self) -> None:
        encoded = urllib.parse.quote(json.dumps(DOCUMENT))

        (policy,) = load_policies(
            {"PolicyName": "p", "PolicyDocument": encoded}, label="x"
        )

        assert policy.document == DOCUMENT

    def test_a_role_entry_brings_its_inline_and_the_known_aws_managed_policy(
        self,
    ) -> None:
        role = {
            "RoleName": "exec",
            "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": DOCUMENT}],
            "AttachedManagedPolicies": [
                {
                    "PolicyName": "AmazonECSTaskExecutionRolePolicy",
                    "PolicyArn": MANAGED_ARN,
                }
            ],
        }

        policies = load_policies(
            {"RoleDetailList": [role], "Policies": []}, label="details.json"
        )

        assert [p.name for p in policies] == [
            "inline",
            "AmazonECSTaskExecutionRolePolicy",
        ]
        assert policies[1].document == AWS_MANAGED_EXECUTION_POLICY

    def test_an_attached_policy_whose_content_is_missing_is_refused(self) -> None:
        role = {
            "RoleName": "exec",
            "AttachedManagedPolicies": [
                {
                    "PolicyName": "Custom",
                    "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Custom",
                }
            ],
        }

        with pytest.raises(
            InvalidTaskDefinitionError, match=r"attaches arn:aws:iam::\d+:policy/Custom"
        ):
            load_policies(role, label="role.json")

    def test_an_attached_customer_policy_is_read_from_the_details_output(self) -> None:
        arn = f"arn:aws:iam::{ACCOUNT}:policy/Custom"
        details = {
            "RoleDetailList": [
                {
                    "RoleName": "exec",
                    "AttachedManagedPolicies": [
                        {"PolicyName": "Custom", "PolicyArn": arn}
                    ],
                }
            ],
            "Policies": [
                {
                    "Arn": arn,
                    "PolicyVersionList": [
                        {"Document": {"Statement": []}, "IsDefaultVersion": False},
                        {"Document": DOCUMENT, "IsDefaultVersion": True},
                    ],
                }
            ],
        }

        (policy,) = load_policies(details, label="details.json")

        assert policy.document == DOCUMENT

    def test_anything_else_is_refused_with_what_would_be_right(self) -> None:
        with pytest.raises(
            InvalidTaskDefinitionError, match="is not a policy document"
        ):
            load_policies({"Roles": []}, label="odd.json")


def test_an_object_key_with_a_question_mark_audits_clean_against_our_policy() -> None:
    document = {
        "family": "web",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx",
                "environmentFiles": [
                    {"type": "s3", "value": "arn:aws:s3:::bucket/what?.env"}
                ],
            }
        ],
    }
    needed = derive_policy(read_documents(document), region=REGION, account=ACCOUNT)
    assert needed.document is not None

    report = audit(needed, [NamedPolicy("ours", needed.document)])

    assert report.clean


def test_a_boolean_condition_value_compares_as_iam_writes_it() -> None:
    request = Request(
        "s3:GetObject", "arn:aws:s3:::b/k", {"aws:SecureTransport": "true"}
    )
    statement = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SecureTransport": True}},
    }

    decision = evaluate(request, [NamedPolicy("p", {"Statement": [statement]})])

    assert decision.outcome is Outcome.ALLOWED
