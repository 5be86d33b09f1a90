"""Fuzzing: generated task definitions, valid and broken, through the pipeline.

Each generated input either gives a policy that passes both checks for its own
needs (AWS's action data at once, inside hypothesis, so a finding shrinks to
its smallest input; the simulator afterwards, for all examples in one batch),
or is refused with the package's error naming a JSON path of the input. Any
other exception is a bug, and hypothesis shrinks it too.

``HYPOTHESIS_PROFILE=deep`` runs 50,000 examples instead of the 2,000 of CI.
"""

from __future__ import annotations

import json

from hypothesis import given

from ecs_exec_role import ExecutionRoleError, RolePolicy, derive_policy, read_documents

from .checks import TALLY, Probe, failures, policy_findings, probes
from .paths import unresolved_paths
from .simulator import Decision, Simulation, Simulator
from .strategies import FuzzCase, fuzz_cases

# Enough failing inputs to see the pattern, few enough to read.
SHOWN = 5


def test_fuzzed_task_definitions_give_a_verified_policy_or_a_named_error(
    simulator: Simulator,
) -> None:
    granted: dict[str, RolePolicy] = {}

    @given(fuzz_cases())
    def derive(case: FuzzCase) -> None:
        TALLY.examples_fuzzed += 1
        try:
            policy = derive_policy(read_documents(case.document), **case.options())
        except ExecutionRoleError as error:
            refused = error
        else:
            assert policy_findings(policy, label="fuzzed") == []
            granted.setdefault(_label(case), policy)
            return
        # The refusal must name where: a path of the document (or argument).
        assert unresolved_paths(refused, case.document) == [], str(refused)
        TALLY.errors_named += 1

    derive()

    found: list[Probe] = []
    for label, policy in granted.items():
        found += probes(policy, label=label)
        TALLY.policies += 1
    problems = failures(found, _decide(simulator, found))

    assert granted, "no fuzzed input gave a policy: the strategies are broken"
    assert not problems, f"{len(problems)} failed, first:\n" + "\n".join(
        problems[:SHOWN]
    )


def _label(case: FuzzCase) -> str:
    return json.dumps(
        {"document": case.document, **case.options()}, sort_keys=True, default=str
    )


def _decide(simulator: Simulator, found: list[Probe]) -> list[Decision]:
    """One simulator run for every probe; the same simulation is sent once."""
    unique: dict[str, Simulation] = {}
    for probe in found:
        unique.setdefault(_simulation_key(probe), probe.simulation)
    keys = list(unique)
    decided = dict(
        zip(keys, simulator.decide([unique[key] for key in keys]), strict=True)
    )
    return [decided[_simulation_key(probe)] for probe in found]


def _simulation_key(probe: Probe) -> str:
    simulation = probe.simulation
    return json.dumps(
        [
            simulation.policies,
            simulation.principal,
            simulation.request.action,
            simulation.request.resource,
            sorted(simulation.request.context.items()),
        ],
        sort_keys=True,
    )
