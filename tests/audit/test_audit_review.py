"""The audit's answers to a review: conditions, effects, look-alikes, grammar, size."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_exec_role.audit import (
    AWS_MANAGED_EXECUTION_POLICY,
    NamedPolicy,
    audit,
    load_policies,
)
from ecs_exec_role.errors import InvalidPolicyError
from ecs_exec_role.pipeline import RolePolicy, derive_policy, read_documents
from ecs_exec_role.reporting import render_audit

REGION, ACCOUNT = "eu-west-1", "111122223333"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:web/db-AbCdEf"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
VIA_SECRETS_MANAGER = f"secretsmanager.{REGION}.amazonaws.com"
MANAGED_NAME = "AmazonECSTaskExecutionRolePolicy"
GITHUB_COMMENT_LIMIT = 65_536


@pytest.fixture(scope="module")
def needed() -> RolePolicy:
    """A task that reads one secret encrypted with a customer-managed key."""
    document = {
        "family": "web",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx",
                "secrets": [{"name": "DB", "valueFrom": SECRET}],
            }
        ],
    }
    return derive_policy(
        read_documents(document),
        region=REGION,
        account=ACCOUNT,
        kms_keys={SECRET: KEY},
    )


def ours(needed: RolePolicy) -> NamedPolicy:
    assert needed.document is not None
    return NamedPolicy("ours", needed.document)


def decrypt(**condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "Decrypt",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": KEY,
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def without(needed: RolePolicy, sid_prefix: str) -> dict[str, Any]:
    """Our own document, less the statements whose Sid starts with ``sid_prefix``."""
    document = json.loads(json.dumps(needed.document))
    document["Statement"] = [
        s for s in document["Statement"] if not s["Sid"].startswith(sid_prefix)
    ]
    return document


class TestConditions:
    """A grant of what we need, on what we need, is excess when its conditions are
    looser than ours."""

    def test_our_own_policy_carries_a_via_service_condition_and_audits_clean(
        self, needed: RolePolicy
    ) -> None:
        report = audit(needed, [ours(needed)])

        assert report.clean

    def test_decrypt_without_a_condition_is_excess(self, needed: RolePolicy) -> None:
        policies = [
            NamedPolicy("rest", without(needed, "KmsDecrypt")),
            NamedPolicy("kms", decrypt()),
        ]

        report = audit(needed, policies)

        assert report.missing == ()
        assert [
            (e.policy, e.statement, e.actions, e.resource, e.reason)
            for e in report.excess
        ] == [
            (
                "kms",
                "Decrypt",
                ("kms:Decrypt",),
                KEY,
                "condition looser than needed: kms:ViaService",
            )
        ]

    def test_a_condition_on_another_key_is_excess(self, needed: RolePolicy) -> None:
        condition = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
        policies = [
            NamedPolicy("rest", without(needed, "KmsDecrypt")),
            NamedPolicy("kms", decrypt(**condition)),
        ]

        report = audit(needed, policies)

        assert [e.reason for e in report.excess] == [
            "condition looser than needed: kms:ViaService"
        ]

    def test_a_via_service_value_beyond_ours_is_excess(
        self, needed: RolePolicy
    ) -> None:
        condition = {
            "StringEquals": {
                "kms:ViaService": [VIA_SECRETS_MANAGER, f"s3.{REGION}.amazonaws.com"]
            }
        }
        policies = [
            NamedPolicy("rest", without(needed, "KmsDecrypt")),
            NamedPolicy("kms", decrypt(**condition)),
        ]

        report = audit(needed, policies)

        assert [e.reason for e in report.excess] == [
            "condition looser than needed: kms:ViaService"
        ]

    def test_if_exists_is_looser_than_ours(self, needed: RolePolicy) -> None:
        condition = {"StringEqualsIfExists": {"kms:ViaService": VIA_SECRETS_MANAGER}}
        policies = [
            NamedPolicy("rest", without(needed, "KmsDecrypt")),
            NamedPolicy("kms", decrypt(**condition)),
        ]

        report = audit(needed, policies)

        assert [e.reason for e in report.excess] == [
            "condition looser than needed: kms:ViaService"
        ]

    def test_our_condition_and_a_stricter_one_besides_is_not_excess(
        self, needed: RolePolicy
    ) -> None:
        condition = {
            "StringEquals": {
                "kms:ViaService": VIA_SECRETS_MANAGER,
                "aws:PrincipalAccount": ACCOUNT,
            }
        }
        policies = [
            NamedPolicy("rest", without(needed, "KmsDecrypt")),
            NamedPolicy("kms", decrypt(**condition)),
        ]

        report = audit(needed, policies)

        assert report.excess == ()


class TestEffect:
    """IAM's grammar spells the effect ``Allow`` or ``Deny``, case and all."""

    @pytest.mark.parametrize("effect", ["allow", "ALLOW", "Permit", None, 1])
    def test_any_other_effect_is_refused_with_the_policy_statement_and_value(
        self, effect: object
    ) -> None:
        statement = {"Sid": "All", "Effect": effect, "Action": "*", "Resource": "*"}
        document = {"Statement": [statement]}

        with pytest.raises(
            InvalidPolicyError,
            match=rf"^role\.json: Statement\[0\]\.Effect: statement 'All' has "
            rf"{effect!r}; expected 'Allow' or 'Deny'$",
        ):
            load_policies(document, label="role.json")

    def test_a_missing_effect_is_refused(self) -> None:
        document = {"Statement": [{"Action": "*", "Resource": "*"}]}

        with pytest.raises(
            InvalidPolicyError, match=r"Statement\[0\]\.Effect: statement 0 is missing"
        ):
            load_policies(document, label="role.json")

    def test_a_lower_case_allow_cannot_reach_the_audit(self) -> None:
        document = {"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}

        with pytest.raises(InvalidPolicyError, match=r"^everything: .*'allow'"):
            NamedPolicy("everything", document)


class TestManagedPolicyLookAlike:
    """Only AWS's own ARN stands for the content that AWS publishes."""

    def role(self, arn: str, *, held: dict[str, Any] | None = None) -> dict[str, Any]:
        details: dict[str, Any] = {
            "RoleDetailList": [
                {
                    "RoleName": "exec",
                    "AttachedManagedPolicies": [
                        {"PolicyName": MANAGED_NAME, "PolicyArn": arn}
                    ],
                }
            ],
            "Policies": [],
        }
        if held is not None:
            details["Policies"].append(
                {
                    "Arn": arn,
                    "PolicyVersionList": [{"Document": held, "IsDefaultVersion": True}],
                }
            )
        return details

    @pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
    def test_the_aws_owned_arn_in_a_known_partition_is_aws_content(
        self, partition: str
    ) -> None:
        arn = f"arn:{partition}:iam::aws:policy/service-role/{MANAGED_NAME}"

        (policy,) = load_policies(self.role(arn), label="details.json")

        assert policy.document == AWS_MANAGED_EXECUTION_POLICY

    def test_a_customer_policy_of_the_same_name_is_read_from_the_input(self) -> None:
        arn = f"arn:aws:iam::{ACCOUNT}:policy/service-role/{MANAGED_NAME}"
        held = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

        (policy,) = load_policies(self.role(arn, held=held), label="details.json")

        assert policy.document == held

    @pytest.mark.parametrize(
        "arn",
        [
            f"arn:aws:iam::{ACCOUNT}:policy/service-role/{MANAGED_NAME}",
            f"arn:aws-nowhere:iam::aws:policy/service-role/{MANAGED_NAME}",
            f"arn:aws:iam::aws:policy/service-role/x/{MANAGED_NAME}",
        ],
    )
    def test_a_look_alike_whose_content_the_input_lacks_is_refused(
        self, arn: str
    ) -> None:
        with pytest.raises(
            ValueError, match=rf"attaches {arn}, whose content it does not hold"
        ):
            load_policies(self.role(arn), label="details.json")


class TestGrammar:
    """A malformed policy is refused at loading, naming where and what."""

    @pytest.mark.parametrize(
        ("statement", "message"),
        [
            (
                {"Effect": "Allow", "Action": 5, "Resource": "*"},
                (
                    r"Statement\[0\]\.Action: statement 0 has 5; expected a string or "
                    r"a list of strings"
                ),
            ),
            (
                {"Effect": "Allow", "Action": ["s3:GetObject", 5], "Resource": "*"},
                r"Statement\[0\]\.Action: statement 0 has \['s3:GetObject', 5\]",
            ),
            (
                {"Effect": "Allow", "Action": "*", "Resource": None},
                r"Statement\[0\]\.Resource: statement 0 has None; expected a string",
            ),
            (
                {"Sid": "Both", "Effect": "Allow", "Action": "*", "NotAction": "s3:*"},
                (
                    r"Statement\[0\]: statement 'Both' has both Action and NotAction; "
                    r"expected exactly one"
                ),
            ),
            (
                {"Effect": "Allow", "Action": "*"},
                r"Statement\[0\]: statement 0 has neither Resource nor NotResource",
            ),
            (
                {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": "x"},
                (
                    r"Statement\[0\]\.Condition: statement 0 has 'x'; expected an "
                    r"object of operators"
                ),
            ),
            (
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringEquals": ["a"]},
                },
                (
                    r"Statement\[0\]\.Condition\.StringEquals: statement 0 has "
                    r"\['a'\]; expected an object of condition keys"
                ),
            ),
            (
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceVpce": {"a": 1}}},
                },
                (
                    r"Statement\[0\]\.Condition\.StringEquals\.aws:SourceVpce: "
                    r"statement 0 has \{'a': 1\}; expected a string, boolean, number "
                    r"or a list"
                ),
            ),
            (
                {
                    "Sid": "Trust",
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Resource": "*",
                },
                r"Statement\[0\]\.Principal: statement 'Trust' names a principal",
            ),
        ],
    )
    def test_a_bad_statement_is_refused(
        self, statement: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(InvalidPolicyError, match=rf"^p\.json: {message}"):
            load_policies({"Statement": [statement]}, label="p.json")

    def test_a_statement_that_is_not_an_object_is_refused(self) -> None:
        with pytest.raises(
            InvalidPolicyError,
            match=r"^p\.json: Statement\[0\]: 'x' is not a statement object",
        ):
            load_policies({"Statement": ["x"]}, label="p.json")

    def test_a_statement_field_that_is_neither_object_nor_list_is_refused(
        self,
    ) -> None:
        with pytest.raises(
            InvalidPolicyError,
            match=r"^p\.json: Statement: 'x' is not a statement or a list of them",
        ):
            load_policies({"Statement": "x"}, label="p.json")

    def test_an_unknown_version_is_refused(self) -> None:
        with pytest.raises(
            InvalidPolicyError,
            match=r"^p\.json: Version: '2024-01-01' is not a policy language version",
        ):
            load_policies({"Version": "2024-01-01", "Statement": []}, label="p.json")

    def test_an_inline_policy_is_named_with_the_file_it_came_from(self) -> None:
        role = {
            "RoleName": "exec",
            "RolePolicyList": [
                {
                    "PolicyName": "inline",
                    "PolicyDocument": {
                        "Statement": {"Effect": "Allow", "Action": 5, "Resource": "*"}
                    },
                }
            ],
        }

        with pytest.raises(
            InvalidPolicyError, match=r"^role\.json policy inline: Statement\.Action:"
        ):
            load_policies(role, label="role.json")

    def test_a_well_formed_policy_with_every_value_type_loads(self) -> None:
        document = {
            "Version": "2012-10-17",
            "Statement": {
                "Sid": "Ok",
                "Effect": "Deny",
                "NotAction": ["s3:*"],
                "NotResource": "*",
                "Condition": {
                    "Bool": {"aws:SecureTransport": False},
                    "NumericLessThan": {"s3:max-keys": 10},
                    "StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]},
                },
            },
        }

        (policy,) = load_policies(document, label="p.json")

        assert policy.document == document


class TestWildcardActions:
    """A pattern that grants many unneeded actions is reported as written."""

    def test_action_star_is_one_finding_with_a_count_and_fits_a_comment(
        self, needed: RolePolicy
    ) -> None:
        everything = {
            "Statement": [
                {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}
            ]
        }

        report = audit(needed, [NamedPolicy("admin", everything)])
        markdown = render_audit(report, "markdown")

        beyond = [e for e in report.excess if e.actions == ("*",)]
        assert len(beyond) == 1
        assert beyond[0].resource == "*"
        assert beyond[0].reason.startswith("grants ")
        assert beyond[0].reason.endswith(" actions no task definition needs")
        assert int(beyond[0].reason.split()[1]) > 10_000
        assert all(len(e.actions) <= 10 for e in report.excess)
        assert len(markdown) < GITHUB_COMMENT_LIMIT

    def test_a_service_wildcard_is_reported_as_written(
        self, needed: RolePolicy
    ) -> None:
        ecr = {
            "Statement": [
                {"Sid": "Ecr", "Effect": "Allow", "Action": "ecr:*", "Resource": "*"}
            ]
        }

        report = audit(needed, [ours(needed), NamedPolicy("ecr", ecr)])

        ((excess),) = [e for e in report.excess if e.reason.startswith("grants ")]
        assert (excess.policy, excess.statement, excess.actions, excess.resource) == (
            "ecr",
            "Ecr",
            ("ecr:*",),
            "*",
        )

    def test_a_narrow_wildcard_keeps_its_explicit_list(
        self, needed: RolePolicy
    ) -> None:
        narrow = {
            "Statement": [
                {
                    "Sid": "Describe",
                    "Effect": "Allow",
                    "Action": "secretsmanager:DescribeSecret*",
                    "Resource": SECRET,
                }
            ]
        }

        report = audit(needed, [ours(needed), NamedPolicy("narrow", narrow)])

        assert [(e.actions, e.reason) for e in report.excess] == [
            (("secretsmanager:DescribeSecret",), "actions no task definition needs")
        ]
