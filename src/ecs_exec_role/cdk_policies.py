"""Statements that carry CDK tokens: stable order, deployed size, forced wildcards.

:mod:`ecs_exec_role.statements` orders resources as strings and measures a
policy by its characters. A CDK token is a placeholder such as
``${Token[TOKEN.22]}``, numbered in the order tokens were made, and deployment
replaces it with a value of unknown length. This module gives the construct
what the pure statements cannot know:

- an order for token-bearing resources that follows the resolved CloudFormation
  value (logical ids), so that adding constructs in another order, which
  renumbers tokens, leaves the policy as it was;
- an estimate of each policy's deployed size, with every token counted at the
  longest value it plausibly takes, and a split made on those sizes;
- the cdk-nag finding ids of the wildcards that AWS forces, so that exactly
  those can be acknowledged, each with its reason;
- the finding of CDK's own template rules on IAM's ``${?}``, which they do not
  know.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence

import aws_cdk as cdk

from .cdk_reading import flatten_reference, string_parts
from .needs import Family, iam_literal
from .statements import (
    Policy,
    Statement,
    split_policies,
    unique_sid,
)

__all__ = [
    "FORCED_WILDCARDS",
    "TOKEN_ESTIMATES",
    "deployed_size",
    "forced_wildcard_findings",
    "literal_character_findings",
    "split_for_deployment",
    "stable_statements",
]

TOKEN_ESTIMATES = {
    "AWS::Partition": len("aws-us-gov"),
    "AWS::Region": 16,
    "AWS::AccountId": 12,
    "AWS::URLSuffix": len("amazonaws.com.cn"),
}
"""Deployed lengths of pseudo parameters, at their longest."""

REFERENCE_ESTIMATE = 128
"""Deployed length assumed for any other token: a resource's name or ARN.

Generated names (``Stack-LogsXXXX-AbCdEf``) and the ARNs built on them stay
well below this; a resource given a very long explicit name may not.
"""

FORCED_WILDCARDS = {
    Family.ECR_AUTHORIZATION: (
        "ecr:GetAuthorizationToken has no resource type: IAM accepts only '*' "
        "for it, and the ECS agent needs it to pull from any private repository"
    ),
    Family.LOGS_WRITE: (
        "awslogs names each stream PREFIX/CONTAINER/TASK-ID after a task that "
        "does not exist yet, so the stream part of the log group ARN must be a "
        "wildcard; the log group itself is named exactly"
    ),
    Family.LOGS_CREATE_GROUP: (
        "CloudWatch Logs authorizes CreateLogGroup against "
        "log-group:NAME:log-stream:, which only log-group:NAME:* covers; the "
        "log group itself is named exactly"
    ),
}
"""The statement families whose wildcards AWS forces, and why."""

_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def stable_statements(
    statements: Sequence[Statement], stack: cdk.Stack
) -> tuple[Statement, ...]:
    """``statements`` with resources ordered by their resolved values.

    Literal resources keep their order; token-bearing ones sort by the
    flattened CloudFormation value (``arn:aws:logs:...:log-group:<Logs6819BB44>``),
    which depends on logical ids, not on token numbers. A Sid made from the
    words of a token-bearing condition is rebuilt from its literal words.
    """
    used: set[str] = set()
    stable = []
    for statement in statements:
        resources = tuple(
            sorted(statement.resources, key=lambda resource: _order(resource, stack))
        )
        sid = unique_sid(_sid(statement), used)
        stable.append(dataclasses.replace(statement, sid=sid, resources=resources))
    return tuple(stable)


def split_for_deployment(
    statements: Sequence[Statement], stack: cdk.Stack, *, max_policies: int
) -> tuple[Policy, ...]:
    """Split ``statements`` so that every policy fits once tokens are resolved.

    The pure split measures strings as they are; here each token-bearing value
    is given to it as a stand-in of the value's estimated deployed length, and
    put back in the policies it returns. Statements keep their order, so the
    split is as deterministic as the statements. Raises
    :class:`PolicySizeError` when the grants need more policies than allowed.
    """
    stand_ins = _StandIns(stack)
    policies = split_policies(
        [stand_ins.statement(statement) for statement in statements],
        max_policies=max_policies,
    )
    return tuple(
        Policy(tuple(stand_ins.restore(statement) for statement in policy.statements))
        for policy in policies
    )


class _StandIns:
    """Literal strings as long as token-bearing values will be, and back."""

    def __init__(self, stack: cdk.Stack) -> None:
        self.stack = stack
        self.values: dict[str, str] = {}

    def statement(self, statement: Statement) -> Statement:
        return dataclasses.replace(
            statement,
            resources=tuple(self._stand_in(r) for r in statement.resources),
            conditions=tuple(
                (operator, key, self._stand_in(value))
                for operator, key, value in statement.conditions
            ),
            sources={},
        )

    def restore(self, statement: Statement) -> Statement:
        return dataclasses.replace(
            statement,
            resources=tuple(self.values.get(r, r) for r in statement.resources),
            conditions=tuple(
                (operator, key, self.values.get(value, value))
                for operator, key, value in statement.conditions
            ),
        )

    def _stand_in(self, value: str) -> str:
        if not cdk.Token.is_unresolved(value):
            return value
        label = f"~{len(self.values)}~"
        stand_in = label.ljust(max(_estimate(value, self.stack), len(label)), "~")
        self.values[stand_in] = value
        return stand_in


def deployed_size(policy: Policy, stack: cdk.Stack) -> int:
    """The policy's size as IAM will count it, with tokens at their estimates."""
    size = policy.size
    for text in _strings(policy):
        if cdk.Token.is_unresolved(text):
            size += _estimate(text, stack) - len(text)
    return size


def forced_wildcard_findings(
    policy: Policy, stack: cdk.Stack
) -> Iterator[tuple[str, str]]:
    """The cdk-nag acknowledgement id and reason of each forced wildcard.

    AwsSolutions-IAM5 names a finding ``Resource::`` and the resource as
    cdk-nag flattens it; CDK's validation report namespaces it with the pack's
    name. Only wildcards of :data:`FORCED_WILDCARDS` families are yielded: any
    other would be a finding left open, on purpose.
    """
    for statement in policy.statements:
        family = _family(statement)
        reason = FORCED_WILDCARDS.get(family) if family is not None else None
        if reason is None:
            continue
        for resource in statement.resources:
            flat = flatten_reference(stack.resolve(resource))
            if "*" in flat:
                yield f"AwsSolutions::AwsSolutions-IAM5[Resource::{flat}]", reason


RESOURCE_PATTERN_FINDING = "CloudFormation-Validate::E3510"
"""CDK's template rule (``@aws-cdk/core:validateAgainstDefaultRules``) on a Resource."""

_LITERAL_QUESTION_MARK = iam_literal("?")
_LITERAL_QUESTION_MARK_REASON = (
    "IAM reads '${?}' as the character '?' of an S3 key or log stream name (a "
    "bare '?' would match any character); the CloudFormation schema's Resource "
    "pattern does not know this form"
)


def literal_character_findings(policy: Policy) -> Iterator[tuple[str, str]]:
    """The template-rule finding on a resource that writes ``?`` as ``${?}``.

    An S3 key or a log stream prefix may hold ``?``, which IAM reads as any one
    character; ``${?}`` is IAM's way to name the character itself. The
    CloudFormation schema's pattern for an IAM Resource refuses it, and CDK's
    default rules fail the synthesis: that one finding is acknowledged, on the
    policies that hold such a resource.
    """
    for statement in policy.statements:
        if any(_LITERAL_QUESTION_MARK in r for r in statement.resources):
            yield RESOURCE_PATTERN_FINDING, _LITERAL_QUESTION_MARK_REASON
            return


def _family(statement: Statement) -> Family | None:
    return next((f for f in Family if f.actions == statement.actions), None)


def _order(resource: str, stack: cdk.Stack) -> tuple[bool, str]:
    if cdk.Token.is_unresolved(resource):
        return (True, flatten_reference(stack.resolve(resource)))
    return (resource != "*", resource)


def _sid(statement: Statement) -> str:
    """The statement's Sid, or for a token-bearing condition its service alone.

    ``secretsmanager.${AWS::Region}.amazonaws.com`` gives
    ``KmsDecryptViaSecretsmanager``: the Region is known only at deployment,
    and token numbers must not leak into a Sid.
    """
    values = [value for _, _, value in statement.conditions]
    if not any(cdk.Token.is_unresolved(value) for value in values):
        return statement.sid
    family = _family(statement)
    stem = family.sid if family is not None else statement.sid
    services = dict.fromkeys(value.partition(".")[0] for value in values)
    words = [word for service in services for word in _NOT_WORD.split(service) if word]
    return stem + "Via" + "".join(word[:1].upper() + word[1:] for word in words)


def _strings(policy: Policy) -> Iterator[str]:
    for statement in policy.statements:
        yield from statement.resources
        for _, _, value in statement.conditions:
            yield value


def _estimate(text: str, stack: cdk.Stack) -> int:
    size = 0
    for part in string_parts(stack.resolve(text)):
        if isinstance(part, str):
            size += len(part)
        elif isinstance(part, dict) and part.get("Ref") in TOKEN_ESTIMATES:
            size += TOKEN_ESTIMATES[part["Ref"]]
        else:
            size += REFERENCE_ESTIMATE
    return size
