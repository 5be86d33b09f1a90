"""The example task definitions and the reported cases, held against the simulator.

Every request the ECS agent makes for them is allowed by the derived managed
policies, every near miss is denied, and AWS's action data bears out every
action and resource.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_exec_role import ExecutionRoleError, RolePolicy, derive_policy, read_documents

from .checks import verify
from .reported import REPORTED, ReportedCase
from .simulator import Simulator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "task-definitions"
# The example app deploys both stacks here (examples/app.py).
EXAMPLE_REGION, EXAMPLE_ACCOUNT = "eu-west-1", "111122223333"

GRANTED = {name: case for name, case in REPORTED.items() if case.refused is None}
REFUSED = {name: case for name, case in REPORTED.items() if case.refused is not None}


def derive(case: ReportedCase) -> RolePolicy:
    return derive_policy(
        read_documents(case.document),
        region=case.region,
        account=case.account,
        kms_keys=case.kms_keys,
        pull_through_cache_prefixes=case.pull_through_cache_prefixes,
    )


def test_there_are_examples_to_verify() -> None:
    assert sorted(EXAMPLES.glob("*.json"))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_example_policy_allows_what_ecs_requests_and_denies_near_misses(
    simulator: Simulator, path: Path
) -> None:
    policy = derive_policy(
        read_documents(path), region=EXAMPLE_REGION, account=EXAMPLE_ACCOUNT
    )

    problems = verify(simulator, [(path.name, policy)])

    assert policy.statements
    assert problems == []


@pytest.mark.parametrize("name", sorted(GRANTED))
def test_reported_case_policy_allows_what_ecs_requests_and_denies_near_misses(
    simulator: Simulator, name: str
) -> None:
    case = GRANTED[name]

    policy = derive(case)
    problems = verify(simulator, [(f"{name} ({case.about})", policy)])

    assert problems == []


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_reported_case_is_refused_naming_the_setting(name: str) -> None:
    case = REFUSED[name]

    with pytest.raises(ExecutionRoleError, match=r".") as raised:
        derive(case)

    assert raised.value.path == case.refused
    assert str(raised.value).startswith(f"{case.refused}: ")
