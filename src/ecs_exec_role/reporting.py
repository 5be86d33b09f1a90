"""Audit reports and grant tables, for people (text, Markdown) and for tools (JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .audit import AuditReport
from .pipeline import RolePolicy
from .resource_policies import ResourcePolicyStatement

__all__ = ["FORMATS", "counterparts_json", "render_audit", "render_explain"]

FORMATS = ("text", "json", "markdown")


def audit_json(report: AuditReport) -> dict[str, Any]:
    return {
        "clean": report.clean,
        "requestsChecked": report.checked,
        "missing": [
            {
                "action": item.request.action,
                "resource": item.request.resource,
                "context": dict(item.request.context),
                "outcome": item.outcome.value,
                "reason": item.reason,
                "neededBy": list(item.request.sources),
            }
            for item in report.missing
        ],
        "excess": [
            {
                "policy": item.policy,
                "statement": item.statement,
                "actions": list(item.actions),
                "resource": item.resource,
                "reason": item.reason,
            }
            for item in report.excess
        ],
    }


def render_audit(report: AuditReport, output_format: str) -> str:
    """The report in ``output_format``, one of :data:`FORMATS`."""
    if output_format == "json":
        return json.dumps(audit_json(report), indent=2)
    markdown = output_format == "markdown"
    lines = ["## Execution role audit" if markdown else "Execution role audit"]
    lines.append("")
    if report.clean:
        lines.append(
            f"Clean: all {report.checked} requests that the task definitions make "
            "are allowed, and nothing more is granted."
        )
        return "\n".join(lines)
    if report.missing:
        lines.append(_heading(f"Missing ({len(report.missing)})", markdown))
        rows = [
            [
                item.request.action,
                item.request.resource,
                item.outcome.value,
                ", ".join(item.request.sources),
            ]
            for item in report.missing
        ]
        header = ["action", "resource", "outcome", "needed by"]
        lines += _table(header, rows, markdown=markdown)
        lines.append("")
    if report.excess:
        lines.append(_heading(f"Excess ({len(report.excess)})", markdown))
        rows = [
            [
                f"{item.policy} / {item.statement}",
                ", ".join(item.actions),
                item.resource,
                item.reason,
            ]
            for item in report.excess
        ]
        lines += _table(
            ["statement", "actions", "resource", "why"], rows, markdown=markdown
        )
    return "\n".join(lines).rstrip()


def counterparts_json(
    counterparts: Sequence[ResourcePolicyStatement],
) -> list[dict[str, Any]]:
    return [
        {
            "policy": item.policy.value,
            "resource": item.resource,
            "account": item.account,
            "statement": item.to_json(),
            "neededBy": list(item.sources),
            **({"note": item.note} if item.note else {}),
        }
        for item in counterparts
    ]


def render_explain(
    role: RolePolicy,
    output_format: str,
    counterparts: Sequence[ResourcePolicyStatement] = (),
) -> str:
    """Every grant with the settings that need it, then what owners must allow."""
    grants = [
        (
            statement.sid,
            statement.actions,
            resource,
            statement.sources.get(resource, ()),
        )
        for statement in role.statements
        for resource in statement.resources
    ]
    if output_format == "json":
        document = {
            "grants": [
                {
                    "sid": sid,
                    "actions": list(actions),
                    "resource": resource,
                    "neededBy": list(paths),
                }
                for sid, actions, resource, paths in grants
            ],
            "resourcePolicies": counterparts_json(counterparts),
        }
        return json.dumps(document, indent=2)
    if not grants:
        return "The task definitions need no execution role."
    markdown = output_format == "markdown"
    rows = [
        [sid, ", ".join(actions), resource, ", ".join(paths)]
        for sid, actions, resource, paths in grants
    ]
    lines = _table(
        ["statement", "actions", "resource", "needed by"], rows, markdown=markdown
    )
    for item in counterparts:
        lines += [
            "",
            _heading(
                f"Account {item.account} must add to the {item.policy.value} "
                f"of {item.resource}",
                markdown,
            ),
        ]
        block = json.dumps(item.to_json(), indent=2)
        lines += ["```json", block, "```"] if markdown else block.splitlines()
        if item.note:
            lines.append(f"Note: {item.note}")
    return "\n".join(lines)


def _heading(text: str, markdown: bool) -> str:
    return f"### {text}\n" if markdown else f"{text}:"


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, markdown: bool
) -> list[str]:
    if markdown:
        escaped = [[cell.replace("|", "\\|") for cell in row] for row in rows]
        return [
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in escaped),
        ]
    widths = [
        max(len(str(cell)) for cell in column)
        for column in zip(header, *rows, strict=False)
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return [
        line(header),
        line(["-" * width for width in widths]),
        *(line(row) for row in rows),
    ]
