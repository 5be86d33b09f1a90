"""The CloudFormation templates that the example app synthesizes.

The app (``examples/app.py``) is synthesized once for the module, with the
feature flags of cdk.json, into a temporary cloud assembly. Each stack's
template must draw no cfn-lint error and no warning. (Informational notes are
about how aws-cdk-lib writes tokens, such as I1022's "use Fn::Sub instead of
Fn::Join"; cdk-nag's verdict on the same app is ``make synth``'s to give, since
its packs do not change a template.)

And the execution role, as the template would deploy it (its every policy, the
construct's rendering of tokens resolved as CloudFormation would), passes both
checks for the task it runs: the task definition in the same template, or the
document a ``from_task_definition_file`` stack was derived from.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ecs_exec_role import derive_policy, read_documents

from .action_data import findings
from .checks import TALLY, failures, probes
from .deployed import deployed_stack
from .simulator import Simulator

REPO_ROOT = Path(__file__).resolve().parents[2]
STACKS = ("CdkTaskDefinitionStack", "TaskDefinitionFileStack")
# The Region the example app deploys to (examples/app.py), which cfn-lint checks for.
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def cloud_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example app's stacks, synthesized into a temporary directory."""
    import aws_cdk as cdk

    from examples.app import ENV, CdkTaskDefinitionStack, TaskDefinitionFileStack

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(context=_cdk_json_context(), outdir=str(outdir))
    CdkTaskDefinitionStack(app, "CdkTaskDefinitionStack", env=ENV)
    TaskDefinitionFileStack(app, "TaskDefinitionFileStack", env=ENV)
    app.synth()

    return outdir


def _cdk_json_context() -> dict[str, Any]:
    document = json.loads((REPO_ROOT / "cdk.json").read_text(encoding="utf-8"))
    context: dict[str, Any] = document["context"]
    return context


def test_the_example_app_synthesizes_one_template_a_stack(cloud_assembly: Path) -> None:
    templates = {path.name for path in cloud_assembly.glob("*.template.json")}

    assert templates == {f"{stack}.template.json" for stack in STACKS}


@pytest.mark.parametrize("stack", STACKS)
def test_cfn_lint_finds_no_error_or_warning_in_the_template(
    cloud_assembly: Path, stack: str
) -> None:
    from cfnlint.api import ManualArgs, lint_file

    template = cloud_assembly / f"{stack}.template.json"

    matches = lint_file(template, config=ManualArgs(regions=[REGION]))

    assert [str(match) for match in matches] == []


def test_cfn_lint_finds_an_unknown_action_in_a_managed_policy(tmp_path: Path) -> None:
    """The linter is wired up to judge policies: it is no test that cannot fail."""
    from cfnlint.api import ManualArgs, lint_file

    template = tmp_path / "broken.template.json"
    statement = {
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValues",
        "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf",
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    template.write_text(
        json.dumps(
            {
                "Resources": {
                    "Policy": {
                        "Type": "AWS::IAM::ManagedPolicy",
                        "Properties": {"PolicyDocument": policy},
                    }
                }
            }
        ),
        encoding="utf-8",
    )

    matches = lint_file(template, config=ManualArgs(regions=[REGION]))

    assert [match.rule.id for match in matches] == ["W3037"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_deployed_role_allows_what_the_task_requests_and_denies_near_misses(
    cloud_assembly: Path, simulator: Simulator, stack: str
) -> None:
    from examples.app import ENV, TASK_DEFINITION_FILE

    template = json.loads((cloud_assembly / f"{stack}.template.json").read_text())
    deployed = deployed_stack(
        template, stack=stack, region=str(ENV.region), account=str(ENV.account)
    )
    # The task the role runs: the template's own, or the file the role was read from.
    task = (
        {"Resources": dict(deployed.task_definitions)}
        if deployed.task_definitions
        else json.loads(TASK_DEFINITION_FILE.read_text())
    )
    needed = derive_policy(
        read_documents(task), region=str(ENV.region), account=str(ENV.account)
    )
    found = [
        replace(
            probe, simulation=replace(probe.simulation, policies=deployed.role_policies)
        )
        for probe in probes(needed, label=stack)
    ]

    problems = failures(found, simulator.decide([probe.simulation for probe in found]))
    problems += [
        finding for policy in deployed.role_policies for finding in findings(policy)
    ]

    TALLY.policies += 1
    assert deployed.role_policies
    assert problems == []
