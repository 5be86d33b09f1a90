"""Set-up for the verification suite: hypothesis profiles and the IAM simulator.

Profiles (choose with ``HYPOTHESIS_PROFILE``):

- ``ci``, the default: 2,000 fuzzed task definitions, derandomized so that a
  run is reproducible and its figures stable, no deadline (the first examples
  pay for botocore's model loading);
- ``deep``: 50,000 random ones, for a long local run.

The ``simulator`` fixture starts one Node process for a test module and ends
it with the module; the suite fails, rather than skips, when Node or the npm
package is missing, since ``make setup`` installs both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from .checks import TALLY
from .simulator import SIMULATOR_PACKAGE, Simulator, node_executable

settings.register_profile(
    "ci",
    max_examples=2_000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=50_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    """One @cloud-copilot/iam-simulate process for the whole test module."""
    node = node_executable()
    if node is None or not SIMULATOR_PACKAGE.is_dir():
        pytest.fail(
            "the IAM simulator needs Node.js and @cloud-copilot/iam-simulate: "
            "run `make setup` (npm ci installs the package pinned in package.json)"
        )
    running = Simulator(node)
    yield running
    running.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print what the verification suite checked, the figures of "How we verify"."""
    if not (TALLY.requests_allowed or TALLY.examples_fuzzed):
        return
    terminalreporter.section("verification")
    terminalreporter.write_line(
        f"{TALLY.policies:,} policies checked against AWS's action data and simulated: "
        f"{TALLY.requests_allowed:,} requests allowed, "
        f"{TALLY.near_misses_denied:,} near misses denied"
    )
    terminalreporter.write_line(
        f"{TALLY.examples_fuzzed:,} fuzzed task definitions, "
        f"{TALLY.errors_named:,} of them refused with an error naming a JSON path"
    )
    for kind, count in sorted(TALLY.kinds.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"  {count:>8,}  {kind}")
