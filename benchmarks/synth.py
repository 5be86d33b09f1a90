"""Synthesis cost: our construct against aws-cdk-lib's default execution roles.

Both apps hold the same task definitions (a few containers each, with images,
logs, secrets and parameters) and are synthesized in this one process, turn
about, so that jsii's start-up and the machine's state weigh on both alike.
"""

from __future__ import annotations

import tempfile
import time

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm

from ecs_exec_role import TaskExecutionRole

REGION, ACCOUNT = "eu-west-1", "111122223333"
CONTAINERS = 3
TARGET = 1.10


def build(task_definitions: int, *, ours: bool) -> cdk.App:
    app = cdk.App(outdir=tempfile.mkdtemp(), analytics_reporting=False)
    stack = cdk.Stack(app, "Bench", env=cdk.Environment(account=ACCOUNT, region=REGION))
    log_group = logs.LogGroup.from_log_group_name(stack, "Logs", "/ecs/bench")
    for t in range(task_definitions):
        role = TaskExecutionRole(stack, f"Role{t}") if ours else None
        task = ecs.FargateTaskDefinition(stack, f"Task{t}", execution_role=role)
        for c in range(CONTAINERS):
            name = f"t{t}c{c}"
            repository = ecr.Repository.from_repository_name(
                stack, f"Repo{name}", f"app-{name}"
            )
            secret = secretsmanager.Secret.from_secret_complete_arn(
                stack,
                f"Secret{name}",
                f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbCdEf",
            )
            parameter = ssm.StringParameter.from_string_parameter_name(
                stack, f"Param{name}", f"/bench/{name}"
            )
            task.add_container(
                name,
                image=ecs.ContainerImage.from_ecr_repository(repository, "1.0"),
                essential=c == 0,
                logging=ecs.LogDrivers.aws_logs(
                    stream_prefix=name, log_group=log_group
                ),
                secrets={
                    "SECRET": ecs.Secret.from_secrets_manager(secret, "password"),
                    "PARAMETER": ecs.Secret.from_ssm_parameter(parameter),
                },
            )
    return app


def timed(task_definitions: int, *, ours: bool) -> float:
    start = time.perf_counter()
    build(task_definitions, ours=ours).synth()
    return time.perf_counter() - start


def synthesis(rows: list[list[str]], repeat: int) -> None:
    """One row per app size: the best of ``repeat`` synths of each, ours over theirs."""
    timed(1, ours=True)  # warm jsii and both code paths before measuring
    timed(1, ours=False)
    for size in (1, 10, 50):
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(repeat):
            theirs.append(timed(size, ours=False))
            ours.append(timed(size, ours=True))
        ratio = min(ours) / min(theirs)
        rows.append(
            [
                f"synth, {size} task definition{'s' if size > 1 else ''}",
                f"{min(ours) * 1000:.0f} ms",
                f"{min(theirs) * 1000:.0f} ms (aws-cdk-lib default role)",
                f"{ratio:.2f}x",
                f"{TARGET:g}x",
                "met" if ratio <= TARGET else "missed",
            ]
        )
