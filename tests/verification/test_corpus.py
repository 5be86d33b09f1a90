"""Real task definitions from public repositories, held against the simulator.

The corpus sits beside the checkout (``../shared/corpus``, see its README) and
is optional: the module skips, saying so, when it is absent. Each file that
gives a policy (with the corpus's anonymized account and one Region for names
that carry neither) goes through both checks; the files that are refused are
the core suite's to judge (``tests/core/test_corpus.py``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from ecs_exec_role import ExecutionRoleError, RolePolicy, derive_policy, read_documents

from .checks import verify
from .simulator import Simulator

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "task-definitions"
FILES = sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []
REGION, ACCOUNT = "eu-west-1", "111122223333"

# The corpus as collected: most files are clean enough to give a policy.
FEWEST_POLICIES = 30

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="task definition corpus not present (../shared/corpus)"
)


@cache
def outcome(path: Path) -> RolePolicy | ExecutionRoleError:
    try:
        return derive_policy(read_documents(path), region=REGION, account=ACCOUNT)
    except ExecutionRoleError as error:
        return error


GRANTED = [path for path in FILES if isinstance(outcome(path), RolePolicy)]


def test_most_of_the_corpus_gives_a_policy() -> None:
    """Guards the test below, which would pass on no file at all."""
    assert len(GRANTED) >= FEWEST_POLICIES


@pytest.mark.parametrize("path", GRANTED, ids=lambda path: path.name)
def test_corpus_policy_allows_what_ecs_requests_and_denies_near_misses(
    simulator: Simulator, path: Path
) -> None:
    policy = outcome(path)
    assert isinstance(policy, RolePolicy)

    problems = verify(simulator, [(path.name, policy)])

    assert problems == []
