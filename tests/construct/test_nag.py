"""Every cdk-nag v3 pack over the matrix of task definitions: nothing left open.

The whole matrix is one app, one stack per case, synthesized once with the five
packs registered. The only findings are AwsSolutions-IAM5 on the wildcards
that AWS forces (``ecr:GetAuthorizationToken`` on ``*``, and each log group's
streams), and each of those is acknowledged, with its reason, on the managed
policy that carries it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import pytest

from examples.nag import PACK_NAMES
from tests.construct.conftest import MATRIX_STACKS, Matrix
from tests.construct.tasks import ACCOUNT, REGION

IAM5 = "AwsSolutions-IAM5"
AUTHORIZATION_TOKEN = f"{IAM5}[Resource::*]"


def streams(group: str, prefix: str) -> str:
    return (
        f"{IAM5}[Resource::arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"
        f":log-stream:{prefix}/*]"
    )


def findings(report: dict[str, Any], key: str, stack: str) -> set[tuple[str, str]]:
    """(pack::rule, construct path) of the packs' violations under ``key``.

    Warnings of constructs (the role's own among them) are reported by another
    plugin, Construct Annotations, and tested with the warnings.
    """
    return {
        (f"{plugin['pluginName']}::{violation['ruleName']}", construct["constructPath"])
        for plugin in report["pluginReports"]
        if plugin["pluginName"] in PACK_NAMES
        for violation in plugin.get(key, [])
        for construct in violation["violatingConstructs"]
        if construct["constructPath"].startswith(f"{stack}/")
    }


def acknowledged(report: dict[str, Any], stack: str) -> Iterator[dict[str, Any]]:
    for plugin in report["pluginReports"]:
        for violation in plugin.get("suppressedViolations", []):
            paths = {c["constructPath"] for c in violation["violatingConstructs"]}
            if any(path.startswith(f"{stack}/") for path in paths):
                yield violation


def policy(stack: str, number: int = 1) -> str:
    return f"{stack}/ExecutionRole/Policy{number}/Resource"


def log_group_token(stack: cdk.Stack) -> str:
    log_group = stack.node.find_child("Logs").node.default_child
    assert isinstance(log_group, cdk.CfnElement)
    return f"<{stack.get_logical_id(log_group)}>"


def expected(matrix: Matrix) -> dict[str, set[tuple[str, str]]]:
    """Each case's acknowledged findings, as pack::rule and construct path."""
    token_group = log_group_token(matrix.stacks["EcrAndLogs"])
    forced = {
        "EcrAndLogs": [AUTHORIZATION_TOKEN, streams(token_group, "web")],
        "SecretsParametersKeys": [streams("/ecs/web", "web")],
        "EnvironmentFilesAndFirelens": [streams("/ecs/firelens", "firelens")],
        "CrossAccountImage": [AUTHORIZATION_TOKEN, streams("/ecs/web", "web")],
        "PullThroughCache": [AUTHORIZATION_TOKEN, streams("/ecs/web", "web")],
        "PrivateRegistry": [streams("/ecs/web", "web")],
        "TaskDefinitionFile": [
            AUTHORIZATION_TOKEN,
            streams("/ecs/web-app", "web"),
            streams("/ecs/web-app/firelens", "firelens"),
        ],
    }
    cases = {
        stack: {(f"AwsSolutions::{rule}", policy(stack)) for rule in rules}
        for stack, rules in forced.items()
    }
    # The split case carries its log streams on the first policy only.
    cases["ManySecrets"] = {
        (f"AwsSolutions::{streams('/ecs/web', 'web')}", policy("ManySecrets"))
    }
    return cases


@pytest.mark.parametrize("stack", MATRIX_STACKS)
def test_no_pack_leaves_a_finding_open(matrix: Matrix, stack: str) -> None:
    """Zero open findings of any level, for the role and for the whole stack."""
    assert findings(matrix.report, "violations", stack) == set()


@pytest.mark.parametrize("stack", MATRIX_STACKS)
def test_only_the_wildcards_aws_forces_are_acknowledged(
    matrix: Matrix, stack: str
) -> None:
    assert (
        findings(matrix.report, "suppressedViolations", stack)
        == expected(matrix)[stack]
    )


def test_each_acknowledgement_gives_its_reason_on_the_policy_that_carries_it(
    matrix: Matrix,
) -> None:
    reasons = {
        violation["ruleName"]: violation
        for violation in acknowledged(matrix.report, "EcrAndLogs")
    }

    token = reasons[AUTHORIZATION_TOKEN]
    assert token["acknowledgedAt"] == "EcrAndLogs/ExecutionRole/Policy1"
    assert "GetAuthorizationToken has no resource type" in token["reason"]
    (stream,) = (v for name, v in reasons.items() if "log-stream" in name)
    assert stream["acknowledgedAt"] == "EcrAndLogs/ExecutionRole/Policy1"
    assert "TASK-ID" in stream["reason"]
