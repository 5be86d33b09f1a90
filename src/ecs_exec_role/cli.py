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
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from .errors import ExecutionRoleError
from .pipeline import derive_policy, read_documents
from .service_connect import ServiceDocument, read_services
from .statements import MANAGED_POLICY_MAX_CHARS
from .warnings import NO_EXECUTION_ROLE_NEEDED, RoleWarning

__all__ = ["main"]

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


@main.command()
@click.argument("file", type=click.File("rb"), metavar="FILE")
@click.option(
    "--region",
    metavar="REGION",
    help="The task's Region, for names that carry none (a parameter name, an "
    "awslogs group without awslogs-region). Without it, such names are refused.",
)
@click.option(
    "--account",
    metavar="ACCOUNT",
    help="The task's 12-digit account, for names that carry none. Without it, "
    "such names are refused.",
)
@click.option(
    "--partition",
    metavar="PARTITION",
    help="The task's partition (aws, aws-cn, aws-us-gov, ...). Follows from "
    "--region when not given; given, it must hold that Region.",
)
@click.option(
    "--kms-key",
    "kms_keys",
    multiple=True,
    callback=_key_pairs,
    metavar="RESOURCE=KEY_ARN",
    help="The customer-managed key that encrypts a secret, parameter or S3 "
    "bucket, named as the task definition names it (its valueFrom, ARN or name). "
    "Repeatable. Resources not named are taken to use the AWS managed key, which "
    "needs no grant.",
)
@click.option(
    "--pull-through-cache",
    "prefixes",
    multiple=True,
    metavar="PREFIX",
    help="An ECR repository prefix of a pull-through cache rule; images under it "
    "may also import the upstream image and create their repository. Repeatable.",
)
@click.option(
    "--service",
    "service_files",
    multiple=True,
    type=click.File("rb"),
    metavar="FILE",
    help="An ECS service that runs the task, as CreateService input or "
    "describe-services output: the log configuration of its Service Connect proxy "
    "is granted like a container's. Repeatable.",
)
@click.option(
    "--runtime-monitoring/--no-runtime-monitoring",
    default=None,
    help="Whether GuardDuty Runtime Monitoring adds its agent sidecar to the "
    "(Fargate) task: --runtime-monitoring grants the pull of the agent image from "
    "GuardDuty's repository in --region; --no-runtime-monitoring says it does not. "
    "Not given: a Fargate task gets a warning.",
)
def policy(
    *,
    file: IO[bytes],
    region: str | None,
    account: str | None,
    partition: str | None,
    kms_keys: dict[str, str],
    prefixes: tuple[str, ...],
    service_files: tuple[IO[bytes], ...],
    runtime_monitoring: bool | None,
) -> None:
    """Print the execution-role policy that FILE needs, as a JSON document.

    FILE is a RegisterTaskDefinition document, describe-task-definition output,
    an array of container definitions, or a CloudFormation template or
    AWS::ECS::TaskDefinition resource; '-' reads standard input.

    The policy document goes to standard output, warnings to standard error.
    When the task definition needs no execution role, standard output stays
    empty, a note on standard error says so, and the exit status is 0. Bad
    input exits with status 2 and the error on standard error.
    """
    try:
        services = [
            service
            for service_file in service_files
            for service in _read_services(service_file)
        ]
        role = derive_policy(
            read_documents(file.read(), label=_label(file)),
            region=region,
            account=account,
            partition=partition,
            kms_keys=kms_keys,
            pull_through_cache_prefixes=prefixes,
            services=services,
            runtime_monitoring=runtime_monitoring,
        )
    except ExecutionRoleError as error:
        _fail(error)
    _report(role.derivation.warnings)
    document = role.document
    if document is None:
        return
    click.echo(_dumps(document))
    if len(role.policies) > 1:
        click.echo(
            f"{_PROGRAM}: note: this policy needs {len(role.policies)} managed "
            f"policies of at most {MANAGED_POLICY_MAX_CHARS:,} characters each; "
            "the TaskExecutionRole construct splits it",
            err=True,
        )


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
