"""Run every cdk-nag v3 rule pack on an app and fail on any finding left open.

cdk-nag v3 plugs into CDK's own policy validation: each pack is registered with
``Validations.of(app).add_plugins(...)``, a finding is acknowledged one at a time
with ``Validations.of(construct).acknowledge(Acknowledgment(id=..., reason=...))``
(the id is the pack's name, ``::``, then the finding, as synthesis prints it), and
synthesis writes ``validation-report.json`` into the cloud assembly.

CDK fails synthesis on error-level findings by itself (under the CDK CLI, the CLI
prints the report and exits non-zero), but lets warning-level findings through.
``assert_no_open_findings`` closes that gap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Stage, Validations
from aws_cdk.cx_api import CloudAssembly
from cdk_nag import (
    AwsSolutionsChecks,
    HIPAASecurityChecks,
    NagPack,
    NIST80053R5Checks,
    PCIDSS321Checks,
    ServerlessChecks,
)

__all__ = [
    "PACK_NAMES",
    "REPORT_FILE",
    "Finding",
    "add_all_packs",
    "assert_no_open_findings",
    "open_findings",
]

REPORT_FILE = "validation-report.json"
"""The report CDK writes into the cloud assembly directory when plugins run."""

PACK_NAMES = (
    "AwsSolutions",
    "HIPAA.Security",
    "NIST.800.53.R5",
    "PCI.DSS.321",
    "Serverless",
)
"""The packs' names, as the report and the acknowledgement ids spell them.

A pack with nothing to say about an app (Serverless, for an app without Lambda,
API Gateway or queues) leaves no entry in the report at all.
"""


@dataclass(frozen=True, order=True)
class Finding:
    """One open finding: a rule that one construct fails."""

    pack: str
    rule: str
    """The rule and finding, e.g. ``AwsSolutions-IAM5[Resource::*]``."""
    path: str
    """The construct path, e.g. ``Stack/ExecutionRole/Policy/Resource``."""
    severity: str
    """``error`` or ``warning``."""

    @property
    def acknowledgement_id(self) -> str:
        """The id that ``Validations.of(construct).acknowledge`` takes."""
        return f"{self.pack}::{self.rule}"

    def __str__(self) -> str:
        return f"{self.severity}: {self.acknowledgement_id} at {self.path}"


def add_all_packs(app: Stage) -> list[NagPack]:
    """Register the five cdk-nag v3 packs on ``app`` and return them.

    Packs can only be registered on an App or a Stage; they inspect every stack
    beneath it when the app synthesizes.
    """
    packs: list[NagPack] = [
        AwsSolutionsChecks(app),
        HIPAASecurityChecks(app),
        NIST80053R5Checks(app),
        PCIDSS321Checks(app),
        ServerlessChecks(app),
    ]
    Validations.of(app).add_plugins(*packs)

    return packs


def open_findings(assembly_dir: str | Path) -> list[Finding]:
    """Every finding of any level in an assembly's report that nobody acknowledged.

    Raises ``FileNotFoundError`` when the assembly has no report, which means
    that no pack was registered.
    """
    report_path = Path(assembly_dir) / REPORT_FILE
    report = json.loads(report_path.read_text(encoding="utf-8"))

    return sorted(
        Finding(
            pack=plugin["pluginName"],
            rule=violation["ruleName"],
            path=construct["constructPath"],
            severity=violation["severity"],
        )
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
        for construct in violation.get("violatingConstructs", [])
    )


def assert_no_open_findings(assembly: CloudAssembly) -> None:
    """Exit with a listing when a synthesized assembly has an open warning.

    Error-level findings have already failed synthesis (or will, under the CDK
    CLI); warning-level ones would pass unnoticed. Every open finding is listed.
    """
    findings = open_findings(assembly.directory)
    if any(finding.severity != "error" for finding in findings):
        listing = "\n  ".join(str(finding) for finding in findings)
        raise SystemExit(f"cdk-nag findings left open:\n  {listing}")
