"""The audit's answers to a review: effects, look-alikes, grammar."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_exec_role.audit import (
    AWS_MANAGED_EXECUTION_POLICY,
    NamedPolicy,
    load_policies,
)
from ecs_exec_role.errors import InvalidPolicyError

REGION, ACCOUNT = "eu-west-1", "111122223333"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:web/db-AbCdEf"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
VIA_SECRETS_MANAGER = f"secretsmanager.{REGION}.amazonaws.com"
MANAGED_NAME = "AmazonECSTaskExecutionRolePolicy"
GITHUB_COMMENT_LIMIT = 65_536


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
