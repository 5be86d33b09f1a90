"""The role against aws-cdk-lib's default execution role, case by case.

Each case of the matrix is built twice: with a TaskExecutionRole, and with no
execution role, so that aws-cdk-lib creates its own. A grant is an action on a
resource (conditions aside: ours only narrow). The role must grant nothing the
default lacks but the documented additions (what the ECS agent needs and
aws-cdk-lib forgets), and must drop the default's over-grants. (Where both
grant ``kms:Decrypt`` on a key, the default's is unconditioned; ours holds only
through the service that reads the secret or parameter, see test_policies.)
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from ecs_exec_role import TaskExecutionRole
from ecs_exec_role.cdk_reading import flatten_reference
from tests.construct.tasks import (
    ACCOUNT,
    CASES,
    ENV,
    KEY_ARN,
    REGION,
    SECRET_ARN,
    new_app,
)

Grant = tuple[str, str]

COMPARED = [case for case in CASES if case.name != "ManySecrets"]
LOGS = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group"
PARAMETERS = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/web"
CACHED = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/docker-hub/library/nginx"

ADDITIONS: dict[str, set[Grant]] = {
    # aws-cdk-lib grants nothing for an environment file in a bucket, nor its key.
    "EnvironmentFilesAndFirelens": {
        ("s3:GetObject", "arn:aws:s3:::web-config/prod/web.env"),
        ("kms:Decrypt", KEY_ARN),
    },
    # Nor for an ECR image named by its URI (it warns instead).
    "PullThroughCache": {
        ("ecr:GetAuthorizationToken", "*"),
        *(
            (action, CACHED)
            for action in (
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchImportUpstreamImage",
                "ecr:CreateRepository",
            )
        ),
    },
}

OVER_GRANTS: dict[str, set[Grant]] = {
    # Whole log groups, where the agent writes streams under one prefix (the
    # log group of this case is the stack's own: {log_group} is its logical id).
    "EcrAndLogs": {
        ("logs:CreateLogStream", f"{LOGS}:<{{log_group}}>:*"),
        ("logs:PutLogEvents", f"{LOGS}:<{{log_group}}>:*"),
    },
    "SecretsParametersKeys": {
        ("logs:CreateLogStream", f"{LOGS}:/ecs/web:*"),
        ("logs:PutLogEvents", f"{LOGS}:/ecs/web:*"),
        ("secretsmanager:DescribeSecret", SECRET_ARN),
        *(
            (action, f"{PARAMETERS}/{name}")
            for action in (
                "ssm:DescribeParameters",
                "ssm:GetParameter",
                "ssm:GetParameterHistory",
            )
            for name in ("api-token", "flags")
        ),
    },
    "EnvironmentFilesAndFirelens": {
        ("logs:CreateLogStream", f"{LOGS}:/ecs/firelens:*"),
        ("logs:PutLogEvents", f"{LOGS}:/ecs/firelens:*"),
    },
    "CrossAccountImage": {
        ("logs:CreateLogStream", f"{LOGS}:/ecs/web:*"),
        ("logs:PutLogEvents", f"{LOGS}:/ecs/web:*"),
    },
    "PullThroughCache": {
        ("logs:CreateLogStream", f"{LOGS}:/ecs/web:*"),
        ("logs:PutLogEvents", f"{LOGS}:/ecs/web:*"),
    },
    "PrivateRegistry": {
        ("logs:CreateLogStream", f"{LOGS}:/ecs/web:*"),
        ("logs:PutLogEvents", f"{LOGS}:/ecs/web:*"),
        (
            "secretsmanager:DescribeSecret",
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ghcr/token-XyZ123",
        ),
    },
}


@pytest.fixture(scope="module")
def grants(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, dict[str, set[Grant]]]:
    """For each case, the grants of ours and of theirs."""
    app = new_app(tmp_path_factory.mktemp("cdk.out"))
    stacks = {}
    for case in COMPARED:
        ours = cdk.Stack(app, f"Ours{case.name}", env=ENV)
        role = TaskExecutionRole(
            ours, "ExecutionRole", runtime_monitoring=False, **case.role_options
        )
        case.build(ours, role)
        theirs = cdk.Stack(app, f"Theirs{case.name}", env=ENV)
        case.build(theirs, None)
        stacks[case.name] = (ours, theirs)

    app.synth()

    return {
        name: {
            "ours": policy_grants(Template.from_stack(ours), "AWS::IAM::ManagedPolicy"),
            "theirs": policy_grants(Template.from_stack(theirs), "AWS::IAM::Policy"),
            "log_groups": set(
                Template.from_stack(theirs).find_resources("AWS::Logs::LogGroup")
            ),
        }
        for name, (ours, theirs) in stacks.items()
    }


def policy_grants(template: Template, resource_type: str) -> set[Grant]:
    """Every (action, resource) of the template's policies of ``resource_type``."""
    log_groups = set(template.find_resources("AWS::Logs::LogGroup"))
    return {
        (action, resource)
        for policy in template.find_resources(resource_type).values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in listed(statement["Action"])
        for resource in (
            readable(value, log_groups) for value in listed(statement["Resource"])
        )
    }


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def readable(resource: Any, log_groups: set[str]) -> str:
    """A resource as one string; a log group's ``Arn`` as the ARN it stands for."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        logical_id, attribute = resource["Fn::GetAtt"]
        if logical_id in log_groups and attribute == "Arn":
            return f"{LOGS}:<{logical_id}>:*"
    return flatten_reference(resource)


def covered(grant: Grant, by: set[Grant]) -> bool:
    action, resource = grant
    return any(
        fnmatchcase(action, their_action) and fnmatchcase(resource, their_resource)
        for their_action, their_resource in by
    )


@pytest.mark.parametrize("case", [case.name for case in COMPARED])
def test_the_role_grants_nothing_the_default_lacks_but_documented_additions(
    grants: dict[str, dict[str, Any]], case: str
) -> None:
    ours, theirs = grants[case]["ours"], grants[case]["theirs"]

    additions = {grant for grant in ours if not covered(grant, theirs)}

    assert additions == ADDITIONS.get(case, set())


@pytest.mark.parametrize("case", [case.name for case in COMPARED])
def test_the_defaults_over_grants_are_dropped(
    grants: dict[str, dict[str, Any]], case: str
) -> None:
    ours, theirs = grants[case]["ours"], grants[case]["theirs"]
    log_group = next(iter(grants[case]["log_groups"]), "")

    dropped = theirs - ours

    assert dropped == {
        (action, resource.format(log_group=log_group))
        for action, resource in OVER_GRANTS[case]
    }
