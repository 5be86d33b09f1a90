"""The package's public names, and that importing them loads no CDK."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import ecs_exec_role
from ecs_exec_role import warnings as ids

SRC = Path(__file__).resolve().parents[2] / "src"


def test_the_public_names_are_pinned() -> None:
    """Adding a name is fine: add it here too. Removing one breaks callers."""
    assert sorted(ecs_exec_role.__all__) == [
        "Arn",
        "Derivation",
        "ExecutionRoleError",
        "Family",
        "Grant",
        "ImagePull",
        "InvalidPolicyError",
        "InvalidReferenceError",
        "InvalidSettingsError",
        "InvalidTaskDefinitionError",
        "KeyDecrypt",
        "LogDelivery",
        "Need",
        "ObjectRead",
        "ParameterRead",
        "Policy",
        "PolicySizeError",
        "RolePolicy",
        "RoleWarning",
        "Scope",
        "SecretRead",
        "Statement",
        "TaskDefinitionDocument",
        "TaskExecutionRole",
        "build_statements",
        "derive_needs",
        "derive_policy",
        "read_documents",
        "read_task_definitions",
        "split_policies",
    ]


def test_every_warning_id_is_listed_once_and_namespaced() -> None:
    assert len(set(ids.ALL_WARNING_IDS)) == len(ids.ALL_WARNING_IDS)
    assert all(warning.startswith("ecs-exec-role:") for warning in ids.ALL_WARNING_IDS)


def test_importing_the_pure_pipeline_loads_no_cdk() -> None:
    probe = (
        "import sys, ecs_exec_role\n"
        "from ecs_exec_role import derive_policy, read_documents\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in\n"
        "          ('aws_cdk', 'jsii', 'constructs')]\n"
        "print(loaded)\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(SRC)}

    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
        timeout=120,
    )

    assert result.stdout.strip() == "[]"
