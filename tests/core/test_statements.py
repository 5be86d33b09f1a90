"""Statements: grouping, Sids, order, and splitting across managed policies."""

from __future__ import annotations

import json
import random

import pytest

from ecs_exec_role import PolicySizeError, split_policies
from ecs_exec_role.statements import MANAGED_POLICY_MAX_CHARS, minified_size

from .tasks import awslogs, container, derive, secret, task

KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def many_parameters(count: int, *, per_container: int = 100) -> dict[str, object]:
    """A task whose containers read ``count`` distinct SSM parameters in all."""
    names = [f"/my-app/prod/PARAM_{i:04d}" for i in range(1, count + 1)]
    containers = [
        container(
            name=f"c{start}",
            secrets=[
                secret(name, f"P{i}")
                for i, name in enumerate(names[start : start + per_container])
            ],
        )
        for start in range(0, count, per_container)
    ]
    return task(
        container(
            name="app",
            image="111122223333.dkr.ecr.eu-west-1.amazonaws.com/my-app:1.4.2",
        ),
        *containers,
    )


class TestGrouping:
    def test_statements_follow_one_fixed_order_of_families(self) -> None:
        document = task(
            container(
                image="111122223333.dkr.ecr.eu-west-1.amazonaws.com/hub/app:1",
                logConfiguration=awslogs(
                    "/ecs/app", **{"awslogs-create-group": "true"}
                ),
                secrets=[
                    secret("/app/flag", "F"),
                    secret(
                        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf",
                        "D",
                    ),
                ],
                environmentFiles=[{"type": "s3", "value": "arn:aws:s3:::cfg/app.env"}],
            )
        )

        policy = derive(
            document,
            kms_keys={"/app/flag": KEY},
            pull_through_cache_prefixes=["hub"],
        )

        assert [s.sid for s in policy.statements] == [
            "EcrAuthorizationToken",
            "EcrImagePull",
            "EcrPullThroughCache",
            "LogsWrite",
            "LogsCreateGroup",
            "SecretsManagerRead",
            "SsmParameterRead",
            "KmsDecryptViaSsmEuWest1",
            "S3ObjectRead",
            "S3BucketLocation",
        ]

    def test_one_key_used_through_two_services_gives_two_conditioned_statements(
        self,
    ) -> None:
        secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"
        document = task(
            container(secrets=[secret(secret_arn, "D"), secret("/app/flag", "F")])
        )

        policy = derive(document, kms_keys={secret_arn: KEY, "/app/flag": KEY})

        decrypts = [s.to_json() for s in policy.statements if s.sid.startswith("Kms")]
        assert decrypts == [
            {
                "Sid": "KmsDecryptViaSecretsmanagerEuWest1",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": KEY,
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"
                    }
                },
            },
            {
                "Sid": "KmsDecryptViaSsmEuWest1",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": KEY,
                "Condition": {
                    "StringEquals": {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"}
                },
            },
        ]

    def test_sixty_secrets_share_one_statement_well_inside_the_inline_quota(
        self,
    ) -> None:
        arns = [
            f"arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/svc-{i:02d}-AbCd{i:02d}"
            for i in range(1, 61)
        ]
        document = task(
            container(secrets=[secret(arn, f"S{i}") for i, arn in enumerate(arns)])
        )

        policy = derive(document)

        (read,) = policy.statements
        assert read.resources == tuple(sorted(arns))
        assert minified_size(policy.document) < 10_240


class TestDeterminism:
    def test_resources_are_sorted(self) -> None:
        names = ["/b/flag", "/a/flag", "/c/flag"]
        document = task(container(secrets=[secret(n, n.strip("/")) for n in names]))

        (read,) = derive(document).statements

        assert read.resources == (
            "arn:aws:ssm:eu-west-1:111122223333:parameter/a/flag",
            "arn:aws:ssm:eu-west-1:111122223333:parameter/b/flag",
            "arn:aws:ssm:eu-west-1:111122223333:parameter/c/flag",
        )

    def test_the_same_needs_in_any_order_give_the_same_bytes(self) -> None:
        containers = [
            container(
                name=f"c{i}",
                image=f"111122223333.dkr.ecr.eu-west-1.amazonaws.com/repo-{i}:1",
                secrets=[secret(f"/app/p{i}", "P")],
                logConfiguration=awslogs(f"/ecs/g{i % 3}"),
            )
            for i in range(12)
        ]
        shuffled = containers[:]
        random.Random(7).shuffle(shuffled)

        first = json.dumps(derive(task(*containers)).document)
        second = json.dumps(derive(task(*shuffled)).document)

        assert first == second


class TestSplitting:
    def test_a_large_policy_is_split_into_managed_policies_that_each_fit(self) -> None:
        document = many_parameters(300)

        policy = derive(document)

        assert len(policy.policies) > 1
        assert all(p.size <= MANAGED_POLICY_MAX_CHARS for p in policy.policies)
        granted = [
            resource
            for p in policy.policies
            for statement in p.statements
            if statement.sid.startswith("SsmParameterRead")
            for resource in statement.resources
        ]
        assert len(granted) == 300
        assert granted == sorted(granted)

    def test_parts_of_a_cut_statement_are_numbered(self) -> None:
        document = many_parameters(300)

        policy = derive(document)

        sids = [s.sid for p in policy.policies for s in p.statements]
        parts = [sid for sid in sids if sid.startswith("SsmParameterRead")]
        assert parts == [f"SsmParameterReadPart{i}" for i in range(1, len(parts) + 1)]
        assert len(set(sids)) == len(sids)

    def test_more_than_the_quota_allows_is_a_clear_error_before_any_synthesis(
        self,
    ) -> None:
        """1,200 parameters need over 80,000 characters: more than 10 x 6,144."""
        document = many_parameters(1200)

        with pytest.raises(
            PolicySizeError,
            match=r"needs about [\d,]+ characters in \d+ managed policies, more than "
            r"IAM allows with 10 managed policies of 6,144 characters each",
        ) as raised:
            derive(document)

        assert raised.value.value > 10 * 6144

    def test_a_cut_statement_first_fills_the_policy_before_it(self) -> None:
        """No policy is opened while the one before still has room for a part."""
        document = many_parameters(300)

        policy = derive(document)

        total = sum(p.size for p in policy.policies)
        assert len(policy.policies) == -(-total // MANAGED_POLICY_MAX_CHARS)
        first = policy.policies[0]
        assert first.statements[-1].sid == "SsmParameterReadPart1"
        assert first.size > MANAGED_POLICY_MAX_CHARS - 100

    def test_max_policies_must_be_within_iams_highest_quota(self) -> None:
        with pytest.raises(PolicySizeError, match="between 1 and 20"):
            split_policies((), max_policies=21)
