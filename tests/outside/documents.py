"""Documents and expected statements shared by the tests of needs from outside.

Each test writes out what it is about; these helpers only fill in what every
document of its kind has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

REGION = "eu-west-1"
ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
PUBLIC_IMAGE = "public.ecr.aws/docker/library/nginx:1.27"
KEY_ARN = (
    f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

# GuardDuty's agent repository in eu-west-1, as the user guide's table gives it.
AGENT_REPOSITORY = (
    "arn:aws:ecr:eu-west-1:694911143906:repository/aws-guardduty-agent-fargate"
)

ECR_PULL_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
]


def container(name: str = "web", image: str = PUBLIC_IMAGE, **settings: Any) -> dict:
    return {"name": name, "image": image, "essential": True, **settings}


def task(*containers: Mapping[str, Any], **properties: Any) -> dict[str, Any]:
    """A RegisterTaskDefinition document; a Fargate one unless told otherwise."""
    return {
        "family": "my-app",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": list(containers or [container()]),
        **properties,
    }


def awslogs(group: str, **options: str) -> dict[str, Any]:
    return {"logDriver": "awslogs", "options": {"awslogs-group": group, **options}}


def service_connect(log_configuration: Mapping[str, Any], **settings: Any) -> dict:
    return {
        "enabled": True,
        "namespace": "my-namespace",
        "logConfiguration": dict(log_configuration),
        **settings,
    }


def create_service(**settings: Any) -> dict[str, Any]:
    """CreateService input, as ``aws ecs create-service --cli-input-json`` takes it."""
    return {
        "cluster": "my-cluster",
        "serviceName": "web",
        "taskDefinition": "my-app:3",
        "desiredCount": 2,
        "launchType": "FARGATE",
        **settings,
    }


def described_service(*deployments: Mapping[str, Any]) -> dict[str, Any]:
    """One service as describe-services gives it, with ``deployments``."""
    return {
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/my-cluster/web",
        "serviceName": "web",
        "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/my-cluster",
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 2,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "taskDefinition": task_definition_arn(3),
        "deployments": list(deployments),
        "createdAt": "2025-05-01T12:00:00.000000+00:00",
    }


def deployment(number: int, status: str, **settings: Any) -> dict[str, Any]:
    return {
        "id": f"ecs-svc/{number:019d}",
        "status": status,
        "taskDefinition": task_definition_arn(number),
        "desiredCount": 2,
        "runningCount": 2,
        "createdAt": 1746100800.0,
        **settings,
    }


def task_definition_arn(revision: int) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/my-app:{revision}"


def ecr_authorization() -> dict[str, Any]:
    return {
        "Sid": "EcrAuthorizationToken",
        "Effect": "Allow",
        "Action": "ecr:GetAuthorizationToken",
        "Resource": "*",
    }


def ecr_pull(*repositories: str) -> dict[str, Any]:
    return {
        "Sid": "EcrImagePull",
        "Effect": "Allow",
        "Action": ECR_PULL_ACTIONS,
        "Resource": one_or_list(repositories),
    }


def logs_write(*resources: str) -> dict[str, Any]:
    return {
        "Sid": "LogsWrite",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": one_or_list(resources),
    }


def one_or_list(values: Sequence[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)
