"""Builders for the task definitions that the core tests derive policies from.

Each test writes out the containers it is about; these helpers only fill in
what every RegisterTaskDefinition document has, and run the pure pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ecs_exec_role import RolePolicy, derive_policy, read_documents

REGION = "eu-west-1"
ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
PUBLIC_IMAGE = "public.ecr.aws/docker/library/nginx:1.27"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"


def container(
    name: str = "web", image: str = PUBLIC_IMAGE, **settings: Any
) -> dict[str, Any]:
    """A container definition with ``settings`` in camelCase."""
    return {"name": name, "image": image, "essential": True, **settings}


def task(*containers: Mapping[str, Any], **properties: Any) -> dict[str, Any]:
    """A RegisterTaskDefinition document holding ``containers``."""
    return {
        "family": "my-app",
        "containerDefinitions": list(containers),
        **properties,
    }


def awslogs(group: str = "/ecs/my-app", **options: str) -> dict[str, Any]:
    """A logConfiguration for the awslogs driver."""
    return {
        "logDriver": "awslogs",
        "options": {"awslogs-group": group, **options},
    }


def secret(value_from: str, name: str = "VALUE") -> dict[str, str]:
    return {"name": name, "valueFrom": value_from}


def derive(
    document: Any,
    *,
    region: str | None = REGION,
    account: str | None = ACCOUNT,
    partition: str | None = None,
    kms_keys: Mapping[str, str] | None = None,
    pull_through_cache_prefixes: Sequence[str] = (),
    runtime_monitoring: bool | None = None,
    max_policies: int = 10,
) -> RolePolicy:
    """The pipeline from a document (any accepted shape) to the role's policy."""
    return derive_policy(
        read_documents(document),
        region=region,
        account=account,
        partition=partition,
        kms_keys=kms_keys,
        pull_through_cache_prefixes=pull_through_cache_prefixes,
        runtime_monitoring=runtime_monitoring,
        max_policies=max_policies,
    )


def statements(document: Any, **options: Any) -> list[dict[str, Any]]:
    """Only the ``Statement`` list of the derived policy document."""
    policy = derive(document, **options).document
    assert policy is not None, "expected a policy, got none"
    return list(policy["Statement"])


def warning_ids(document: Any, **options: Any) -> list[str]:
    return [warning.id for warning in derive(document, **options).derivation.warnings]


ECR_AUTHORIZATION = {
    "Sid": "EcrAuthorizationToken",
    "Effect": "Allow",
    "Action": "ecr:GetAuthorizationToken",
    "Resource": "*",
}


def ecr_pull(*repositories: str) -> dict[str, Any]:
    """The EcrImagePull statement for ``repositories`` (ARNs, in sorted order)."""
    return {
        "Sid": "EcrImagePull",
        "Effect": "Allow",
        "Action": [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
        ],
        "Resource": repositories[0] if len(repositories) == 1 else list(repositories),
    }


def one_or_list(values: Sequence[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def allow(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[str],
    *,
    condition: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An expected Allow statement, written as the library renders it."""
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": one_or_list(actions),
        "Resource": one_or_list(resources),
    }
    if condition is not None:
        statement["Condition"] = dict(condition)
    return statement
