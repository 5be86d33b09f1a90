"""Policy sizes once CloudFormation values are resolved, not as token placeholders."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_secretsmanager as secretsmanager

from ecs_exec_role.cdk_policies import (
    REFERENCE_ESTIMATE,
    deployed_size,
    split_for_deployment,
)
from ecs_exec_role.statements import (
    MANAGED_POLICY_MAX_CHARS,
    Policy,
    Statement,
    split_policies,
)
from tests.construct.tasks import ENV

SECRETS = 60


def secrets_of_a_stack() -> tuple[cdk.Stack, Statement]:
    """One statement naming secrets of the stack: each ARN a short token."""
    stack = cdk.Stack(cdk.App(), "Sizes", env=ENV)
    arns = tuple(
        secretsmanager.Secret(stack, f"Secret{number:02d}").secret_arn
        for number in range(SECRETS)
    )
    return stack, Statement(
        "SecretsManagerRead", ("secretsmanager:GetSecretValue",), arns
    )


def test_a_token_counts_at_its_estimated_deployed_length() -> None:
    stack, statement = secrets_of_a_stack()
    policy = Policy((statement,))

    size = deployed_size(policy, stack)

    tokens = sum(len(resource) for resource in statement.resources)
    assert size == policy.size + SECRETS * REFERENCE_ESTIMATE - tokens


def test_grants_split_where_their_resolved_size_demands_it() -> None:
    """Placeholders of 20 characters fit one policy; ARNs of 128 do not."""
    stack, statement = secrets_of_a_stack()

    placeholders = split_policies([statement])
    deployed = split_for_deployment([statement], stack, max_policies=10)

    assert len(placeholders) == 1
    assert len(deployed) == 2
    assert all(
        deployed_size(policy, stack) <= MANAGED_POLICY_MAX_CHARS for policy in deployed
    )
    assert [r for p in deployed for s in p.statements for r in s.resources] == list(
        statement.resources
    )
