"""The template that the construct synthesizes for a task-definition file.

Only ``ecs-exec-role export --to cloudformation`` loads this module: it is the one
command that needs aws-cdk-lib, and so Node.js.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from .construct import TaskExecutionRole
from .documents import load_json

__all__ = ["export_cloudformation"]


def export_cloudformation(
    text: bytes, out: Path, *, role_name: str, options: dict[str, Any]
) -> list[Path]:
    """``execution-role.template.json``: one stack holding the role for ``text``."""
    region, account = options.get("region"), options.get("account")
    environment = (
        cdk.Environment(account=account, region=region) if region and account else None
    )
    with tempfile.TemporaryDirectory() as assembly:
        app = cdk.App(outdir=assembly, analytics_reporting=False)
        stack = cdk.Stack(
            app,
            "ExecutionRole",
            env=environment,
            synthesizer=cdk.CliCredentialsStackSynthesizer(),
        )
        TaskExecutionRole.from_task_definition_file(
            stack,
            "ExecutionRole",
            load_json(text),
            region=region,
            account=account,
            kms_keys=options.get("kms_keys") or None,
            pull_through_cache_prefixes=options.get("prefixes", ()),
            runtime_monitoring=options.get("runtime_monitoring"),
            role_name=role_name,
        )
        template = app.synth().get_stack_by_name(stack.stack_name).template
    out.mkdir(parents=True, exist_ok=True)
    path = out / "execution-role.template.json"
    path.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    return [path]
