"""The two checks every derived policy must pass, in a form that batches well.

1. Simulation: each request that the ECS agent makes (from
   :func:`ecs_exec_role.requests.requests_for`) is allowed by the role's
   managed policies, with its context keys taken into account; each of its
   near misses is denied.
2. AWS's action data: every action exists and every resource matches a
   resource type the action accepts (:mod:`action_data`).

:func:`probes` turns a policy into the simulations of check 1 without running
them, so that a test can collect the probes of many policies and send them to
the simulator at once; :func:`failures` reads the decisions back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ecs_exec_role import RolePolicy
from ecs_exec_role.requests import Request, requests_for

from .action_data import findings
from .near_misses import near_misses
from .simulator import FALLBACK_ACCOUNT, Decision, Simulation, Simulator

__all__ = ["TALLY", "Probe", "failures", "policy_findings", "probes", "verify"]


@dataclass
class Tally:
    """What the verification suite has checked in this run, for its summary."""

    requests_allowed: int = 0
    near_misses_denied: int = 0
    policies: int = 0
    examples_fuzzed: int = 0
    errors_named: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


TALLY = Tally()


@dataclass(frozen=True)
class Probe:
    """A simulation and what its decision must be."""

    simulation: Simulation
    must_allow: bool
    kind: str
    label: str

    def describe(self, decision: Decision) -> str:
        expected = "allowed" if self.must_allow else "denied"
        request = self.simulation.request
        sources = f" (from {', '.join(request.sources)})" if request.sources else ""
        detail = f": {decision.errors}" if decision.errors else ""
        ignored = (
            f", context keys ignored: {list(decision.ignored_context_keys)}"
            if decision.ignored_context_keys
            else ""
        )
        return (
            f"{self.label}: {self.kind} must be {expected}, but the simulator says "
            f"{decision.result}{detail}{ignored}: {request}{sources}"
        )


def probes(policy: RolePolicy, *, label: str) -> list[Probe]:
    """The simulations that check 1 runs for ``policy``: requests, then near misses."""
    derivation = policy.derivation
    requests = requests_for(derivation.needs, derivation.sources)
    documents = tuple(managed.to_json() for managed in policy.policies)
    account = derivation.scope.account or FALLBACK_ACCOUNT
    partition = derivation.scope.partition or _partition_of(requests)

    def simulation(request: Request) -> Simulation:
        return Simulation(documents, request, account=account, partition=partition)

    found = [
        Probe(simulation(request), True, "a request ECS makes", label)
        for request in requests
    ]
    found += [
        Probe(simulation(miss.request), False, f"{miss.kind} (near {miss.of})", label)
        for miss in near_misses(requests)
    ]
    return found


def failures(
    found: Sequence[Probe], decisions: Sequence[Decision], *, tally: bool = True
) -> list[str]:
    """What went wrong among ``found``, decided as ``decisions``; counts the rest."""
    problems = []
    for probe, decision in zip(found, decisions, strict=True):
        if probe.must_allow:
            passed = decision.allowed and not decision.ignored_context_keys
        else:
            passed = decision.denied
        if not passed:
            problems.append(probe.describe(decision))
        elif tally:
            if probe.must_allow:
                TALLY.requests_allowed += 1
            else:
                TALLY.near_misses_denied += 1
                kind = probe.kind.split(" (near ", 1)[0]
                TALLY.kinds[kind] = TALLY.kinds.get(kind, 0) + 1
    return problems


def policy_findings(policy: RolePolicy, *, label: str) -> list[str]:
    """Check 2 for every managed policy of ``policy``."""
    return [
        f"{label}: policy {index}: {finding}"
        for index, managed in enumerate(policy.policies, 1)
        for finding in findings(managed.to_json())
    ]


def verify(
    simulator: Simulator, policies: Iterable[tuple[str, RolePolicy]]
) -> list[str]:
    """Both checks for each labelled policy, with one simulator round trip."""
    found: list[Probe] = []
    problems: list[str] = []
    for label, policy in policies:
        found += probes(policy, label=label)
        problems += policy_findings(policy, label=label)
        TALLY.policies += 1
    decisions = simulator.decide([probe.simulation for probe in found])
    return problems + failures(found, decisions)


def _partition_of(requests: Sequence[Request]) -> str:
    for request in requests:
        fields = request.resource.split(":", 2)
        if len(fields) == 3 and fields[0] == "arn":
            return fields[1]
    return "aws"
