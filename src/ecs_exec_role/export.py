"""The scoped role as files for people who deploy without CDK.

``aws-cli`` writes the trust and permissions policies as JSON with a script of
``aws iam`` commands; ``terraform`` writes Terraform's JSON syntax. Both keep
the grants in customer-managed policies, split as the construct splits them.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .arns import Scope
from .errors import InvalidReferenceError
from .pipeline import RolePolicy

__all__ = ["check_role_name", "export_aws_cli", "export_terraform", "trust_policy"]

_ECS_TASKS = "ecs-tasks.amazonaws.com"
# IAM's rule for role names; policy names take "-N" after it.
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}\Z", re.ASCII)


def check_role_name(name: str, *, path: str = "--role-name") -> str:
    """``name``, when IAM accepts it as a role name; else a clear error."""
    if not _ROLE_NAME.match(name):
        raise InvalidReferenceError(
            f"{name!r} is not a role name IAM accepts: 1 to 64 of letters, digits "
            "and + = , . @ _ -",
            path=path,
            value=name,
        )
    return name


def trust_policy(
    scope: Scope, *, confused_deputy_protection: bool = True
) -> dict[str, Any]:
    """Lets ECS tasks assume the role, only for this account's tasks when it is known.

    ``aws:SourceAccount`` needs the account; ``aws:SourceArn`` also the Region.
    """
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": _ECS_TASKS},
        "Action": "sts:AssumeRole",
    }
    if confused_deputy_protection and scope.account:
        condition: dict[str, Any] = {
            "StringEquals": {"aws:SourceAccount": scope.account}
        }
        if scope.region:
            tasks = f"arn:{scope.partition}:ecs:{scope.region}:{scope.account}:*"
            condition["ArnLike"] = {"aws:SourceArn": tasks}
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _write_json(path: Path, document: Mapping[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def export_aws_cli(role: RolePolicy, out: Path, *, role_name: str) -> list[Path]:
    """Policy files and ``create-role.sh``, which creates the role with the AWS CLI."""
    out.mkdir(parents=True, exist_ok=True)
    written = [
        _write_json(out / "trust-policy.json", trust_policy(role.derivation.scope))
    ]
    name = shlex.quote(role_name)
    lines = [
        "#!/bin/sh",
        "# Creates the ECS task execution role and its customer-managed policies.",
        "# Run from this folder with credentials for the task's account.",
        "set -eu",
        f"ROLE_NAME={name}",
        'aws iam create-role --role-name "$ROLE_NAME" \\',
        "  --assume-role-policy-document file://trust-policy.json",
    ]
    for index, policy in enumerate(role.policies, 1):
        file = _write_json(out / f"policy-{index}.json", policy.to_json())
        written.append(file)
        lines += [
            f'arn=$(aws iam create-policy --policy-name "$ROLE_NAME-{index}" \\',
            f"  --policy-document file://{file.name} --query Policy.Arn --output text)",
            'aws iam attach-role-policy --role-name "$ROLE_NAME" --policy-arn "$arn"',
        ]
    script = out / "create-role.sh"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    script.chmod(0o755)
    return [*written, script]


def export_terraform(role: RolePolicy, out: Path, *, role_name: str) -> list[Path]:
    """``execution-role.tf.json``: the role, its policies and their attachments."""
    out.mkdir(parents=True, exist_ok=True)
    policies = {
        f"execution_{index}": {
            "name": f"{role_name}-{index}",
            "policy": json.dumps(policy.to_json(), separators=(",", ":")),
        }
        for index, policy in enumerate(role.policies, 1)
    }
    attachments = {
        name: {
            "role": "${aws_iam_role.execution.name}",
            "policy_arn": f"${{aws_iam_policy.{name}.arn}}",
        }
        for name in policies
    }
    resources: dict[str, Any] = {
        "aws_iam_role": {
            "execution": {
                "name": role_name,
                "assume_role_policy": json.dumps(
                    trust_policy(role.derivation.scope), separators=(",", ":")
                ),
            }
        }
    }
    if policies:
        resources["aws_iam_policy"] = policies
        resources["aws_iam_role_policy_attachment"] = attachments
    document = {
        "resource": resources,
        "output": {"execution_role_arn": {"value": "${aws_iam_role.execution.arn}"}},
    }
    return [_write_json(out / "execution-role.tf.json", document)]
