"""An independent IAM simulator for the tests: @cloud-copilot/iam-simulate on Node.

:class:`Simulator` keeps one Node process (``simulate.mjs``) and sends it
batches of requests; the tests build each batch whole and send it once, so a
test module costs one process and a handful of round trips (a line for each
5,000 requests), never one process a request.

What is simulated is the execution role making a request as the ECS agent
does: the principal is a role in the task's account, the identity policies are
the role's policies, and the resource's owner trusts the role's account (the
default key policy of a KMS key, and the repository or secret policy that a
cross-account owner must write), so that the decision rests on the role's own
policies, as it does in AWS.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecs_exec_role.requests import Request

__all__ = ["Decision", "Simulation", "Simulator", "node_executable"]

SCRIPT = Path(__file__).with_name("simulate.mjs")
REPO_ROOT = Path(__file__).resolve().parents[2]
SIMULATOR_PACKAGE = REPO_ROOT / "node_modules" / "@cloud-copilot" / "iam-simulate"

# Whose role makes the requests when the task's account is not known.
FALLBACK_ACCOUNT = "999988887777"
ROLE_NAME = "ecsTaskExecutionRole"

ALLOWED = "Allowed"
# Requests a line: a batch is one JSON text, which must stay well below the
# longest string Node holds (about 512 MiB) and return in seconds.
BATCH_SIZE = 5_000


def node_executable() -> str | None:
    """The Node.js on PATH; tests/conftest.py puts the virtual environment's first."""
    return shutil.which("node")


@dataclass(frozen=True)
class Simulation:
    """One request, made by the execution role under ``policies``."""

    policies: tuple[Mapping[str, Any], ...]
    request: Request
    account: str = FALLBACK_ACCOUNT
    partition: str = "aws"

    @property
    def principal(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role/{ROLE_NAME}"

    @property
    def resource_account(self) -> str:
        """The account that owns the resource: the ARN's, else the role's own."""
        fields = self.request.resource.split(":", 5)
        if len(fields) == 6 and fields[4]:
            return fields[4]
        return self.account

    def resource_policy(self) -> dict[str, Any]:
        """The owner's policy: it trusts the role's account, and so the role's policies.

        A statement naming an account (its root) delegates to that account's
        IAM policies without granting anything itself; the simulator, as IAM,
        then decides by the identity policies.
        """
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "TrustTheRoleAccount",
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": f"arn:{self.partition}:iam::{self.account}:root"
                    },
                    "Action": "*",
                    "Resource": "*",
                }
            ],
        }


@dataclass(frozen=True)
class Decision:
    """The simulator's answer to one :class:`Simulation`."""

    result: str
    errors: Any = None
    ignored_context_keys: tuple[str, ...] = ()
    resource_type: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def allowed(self) -> bool:
        return self.result == ALLOWED

    @property
    def denied(self) -> bool:
        """Denied after a real evaluation: a refused simulation is no denial."""
        return self.result in ("ImplicitlyDenied", "ExplicitlyDenied")


class SimulatorError(RuntimeError):
    """The Node process failed or answered something that is not a batch."""


class Simulator:
    """One Node process running ``simulate.mjs``, fed a batch at a time."""

    def __init__(self, node: str) -> None:
        env = {**os.environ, "NODE_OPTIONS": ""}
        self._process = subprocess.Popen(
            [node, str(SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=REPO_ROOT,
            env=env,
        )
        self.simulated = 0

    def decide(self, simulations: Sequence[Simulation]) -> list[Decision]:
        """Decide every simulation, in order, a batch of at most BATCH_SIZE a line."""
        decisions: list[Decision] = []
        for start in range(0, len(simulations), BATCH_SIZE):
            decisions += self._round_trip(simulations[start : start + BATCH_SIZE])
        return decisions

    def _round_trip(self, simulations: Sequence[Simulation]) -> list[Decision]:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None
        assert stdout is not None
        try:
            stdin.write(json.dumps(_batch(simulations), separators=(",", ":")) + "\n")
            stdin.flush()
        except BrokenPipeError:
            raise SimulatorError(f"the simulator exited: {self._stderr()}") from None
        line = stdout.readline()
        if not line:
            raise SimulatorError(f"the simulator exited: {self._stderr()}")
        answer = json.loads(line)
        if "failure" in answer:
            raise SimulatorError(answer["failure"])
        decisions = [
            Decision(
                result=item["result"],
                errors=item.get("errors"),
                ignored_context_keys=tuple(item.get("ignoredContextKeys", ())),
                resource_type=item.get("resourceType"),
                raw=item,
            )
            for item in answer["decisions"]
        ]
        if len(decisions) != len(simulations):
            raise SimulatorError(
                f"{len(simulations)} requests sent, {len(decisions)} decisions received"
            )
        self.simulated += len(decisions)
        return decisions

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()

    def _stderr(self) -> str:
        self._process.wait(timeout=10)
        stderr = self._process.stderr
        return stderr.read() if stderr is not None else ""


def _batch(simulations: Sequence[Simulation]) -> dict[str, Any]:
    # Policies are sent once per distinct set and referred to by name.
    names: dict[str, str] = {}
    policy_sets: dict[str, Any] = {}
    requests = []
    for simulation in simulations:
        text = json.dumps(simulation.policies, sort_keys=True)
        name = names.setdefault(text, f"set{len(names)}")
        policy_sets.setdefault(name, simulation.policies)
        requests.append(
            {
                "policySet": name,
                "principal": simulation.principal,
                "action": simulation.request.action,
                "resource": simulation.request.resource,
                "resourceAccount": simulation.resource_account,
                "context": dict(simulation.request.context),
                "resourcePolicy": simulation.resource_policy(),
            }
        )
    return {"policySets": policy_sets, "requests": requests}
