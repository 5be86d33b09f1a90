"""Reported cases as fixtures: the problems people hit with execution roles.

Each is a small task definition of one kind of report (a hierarchical
parameter name granted as ``parameter//``, a ``:json-key::`` selector copied
into the resource, a secret named without its suffix, ...), with what the task
definition cannot say (its Region and account, the key behind a secret, the
pull-through cache prefixes). ``refused`` cases must be refused with an error
that names the setting; the others must give a policy that the simulator
upholds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["REPORTED", "ReportedCase"]

REGION = "eu-west-1"
ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shop-api:2.3.1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


@dataclass(frozen=True)
class ReportedCase:
    """One reported problem as an input, and whether it must be refused."""

    about: str
    document: Mapping[str, Any]
    region: str = REGION
    account: str = ACCOUNT
    kms_keys: Mapping[str, str] = field(default_factory=dict)
    pull_through_cache_prefixes: Sequence[str] = ()
    refused: str | None = None
    """The JSON path the error must name, when the input must be refused."""


def _task(*containers: Mapping[str, Any], fargate: bool = True) -> dict[str, Any]:
    task: dict[str, Any] = {
        "family": "shop-api",
        "containerDefinitions": list(containers),
    }
    if fargate:
        task |= {
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "cpu": "256",
            "memory": "512",
        }
    return task


def _container(image: str = IMAGE, **settings: Any) -> dict[str, Any]:
    return {
        "name": settings.pop("name", "api"),
        "image": image,
        "essential": True,
        **settings,
    }


def _logs(group: str = "/ecs/shop-api", **options: str) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": group,
            "awslogs-region": REGION,
            "awslogs-stream-prefix": "api",
            **options,
        },
    }


def _secrets(*values: str) -> list[dict[str, str]]:
    return [
        {"name": f"VALUE_{index}", "valueFrom": value}
        for index, value in enumerate(values)
    ]


_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/db-Xy12Zq"
_REGISTRY_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/ghcr-Lm5No6"
_LOG_ROUTER = _container(
    "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
    name="log_router",
    firelensConfiguration={
        "type": "fluentbit",
        "options": {
            "config-file-type": "s3",
            "config-file-value": "arn:aws:s3:::shop-logging/fluent-bit/extra.conf",
        },
    },
)

REPORTED: dict[str, ReportedCase] = {
    "BR-01": ReportedCase(
        "a hierarchical parameter name, whose leading '/' must not double the slash",
        _task(
            _container(logConfiguration=_logs(), secrets=_secrets("/shop/prod/DB_URL"))
        ),
    ),
    "BR-02": ReportedCase(
        "a flat parameter name, which still needs 'parameter/' before it",
        _task(
            _container(
                "public.ecr.aws/docker/library/nginx:1.27",
                secrets=_secrets("PAYMENT_TOKEN"),
            )
        ),
    ),
    "BR-04": ReportedCase(
        "secrets with :json-key:version-stage:version-id selectors",
        _task(
            _container(
                logConfiguration=_logs(),
                secrets=_secrets(
                    f"{_SECRET}:username::",
                    f"{_SECRET}:password:AWSPREVIOUS:",
                    f"{_SECRET}::AWSCURRENT:",
                    f"{_SECRET}:::0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
                    _SECRET,
                ),
            )
        ),
    ),
    "BR-05": ReportedCase(
        "secrets given by partial ARN, without the 6-character suffix",
        _task(
            _container(
                logConfiguration=_logs(),
                secrets=_secrets(
                    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/api-key",
                    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/db:password::",
                ),
            )
        ),
    ),
    "BR-08": ReportedCase(
        "a secret and a parameter encrypted with a customer-managed key",
        _task(
            _container(
                logConfiguration=_logs(),
                secrets=_secrets(_SECRET, "/shop/prod/SIGNING_KEY"),
            )
        ),
        kms_keys={_SECRET: KEY, "/shop/prod/SIGNING_KEY": KEY},
    ),
    "BR-10": ReportedCase(
        "secrets on the AWS managed keys, which need no kms:Decrypt",
        _task(
            _container(
                logConfiguration=_logs(), secrets=_secrets(_SECRET, "/shop/prod/FLAGS")
            )
        ),
    ),
    "BR-11": ReportedCase(
        "a key given by its alias, which cannot authorize anything",
        _task(_container(secrets=_secrets(_SECRET))),
        kms_keys={_SECRET: f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/shop/secrets"},
        refused=f"kms_keys[{_SECRET!r}]",
    ),
    "BR-13": ReportedCase(
        "an image in another account's repository",
        _task(
            _container(
                f"{OTHER_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/platform/base:1.4",
                logConfiguration=_logs(),
            )
        ),
    ),
    "BR-14": ReportedCase(
        "an image pulled through a pull-through cache rule",
        _task(
            _container(
                f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/ecr-public/nginx/nginx:1.27"
            )
        ),
        pull_through_cache_prefixes=("ecr-public",),
    ),
    "BR-17": ReportedCase(
        "a public image, no logs, no secrets: no execution role at all",
        _task(_container("docker.io/library/nginx:1.27")),
    ),
    "BR-18": ReportedCase(
        "a public image with a parameter: the role reads the parameter only",
        _task(
            _container(
                "docker.io/library/nginx:1.27", secrets=_secrets("/shop/prod/API_TOKEN")
            )
        ),
    ),
    "BR-19": ReportedCase(
        "awslogs to a log group, with and without awslogs-create-group",
        _task(
            _container(logConfiguration=_logs()),
            _container(
                name="worker",
                logConfiguration=_logs(
                    "/ecs/shop-worker", **{"awslogs-create-group": "true"}
                ),
            ),
        ),
    ),
    "BR-21": ReportedCase(
        "environment files in S3",
        _task(
            _container(
                logConfiguration=_logs(),
                environmentFiles=[
                    {"type": "s3", "value": "arn:aws:s3:::shop-config/prod/api.env"},
                    {"type": "s3", "value": "arn:aws:s3:::shop-shared/common.env"},
                ],
            )
        ),
    ),
    "BR-23": ReportedCase(
        "a FireLens configuration file in S3, on EC2 (Fargate supports only 'file')",
        _task(
            _LOG_ROUTER,
            fargate=False,
        ),
    ),
    "BR-23-fargate": ReportedCase(
        "the same FireLens S3 configuration on Fargate, which is refused",
        _task(_LOG_ROUTER),
        refused=(
            "containerDefinitions[0].firelensConfiguration.options.config-file-type"
        ),
    ),
    "BR-24": ReportedCase(
        "private registries with repositoryCredentials, by ARN and by name",
        _task(
            _container(
                "ghcr.io/shop/api:1.0",
                repositoryCredentials={"credentialsParameter": _REGISTRY_SECRET},
            ),
            _container(
                "registry.example.com/shop/sidecar:2.1",
                name="sidecar",
                repositoryCredentials={"credentialsParameter": "shop/registry-creds"},
            ),
        ),
    ),
    "BR-27": ReportedCase(
        "sixty secrets, more than one managed policy holds",
        _task(
            _container(
                logConfiguration=_logs(),
                secrets=_secrets(
                    *(
                        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/service-{index:02d}-Ab{index:02d}Cd"
                        for index in range(60)
                    ),
                    *(
                        f"/shop/prod/setting-with-a-long-name-{index:02d}"
                        for index in range(60)
                    ),
                ),
            )
        ),
    ),
    "BR-30": ReportedCase(
        "a CloudFormation dynamic reference in valueFrom, which ECS does not resolve",
        _task(
            _container(
                secrets=_secrets(
                    "{{resolve:secretsmanager:shop/db:SecretString:password}}"
                )
            )
        ),
        refused="containerDefinitions[0].secrets[0].valueFrom",
    ),
    "BR-32": ReportedCase(
        "an ARN of partition 'aws' in a China Region",
        _task(
            _container(
                f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/shop-api:1.0",
                secrets=_secrets(
                    f"arn:aws:secretsmanager:cn-north-1:{ACCOUNT}:secret:shop/a-AbCdEf"
                ),
            )
        ),
        region="cn-north-1",
        refused="containerDefinitions[0].secrets[0].valueFrom",
    ),
    "BR-32-china": ReportedCase(
        "the same task in China with the partition right: aws-cn throughout",
        _task(
            _container(
                f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/shop-api:1.0",
                logConfiguration={
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "/ecs/shop-api",
                        "awslogs-region": "cn-north-1",
                    },
                },
                secrets=_secrets(
                    f"arn:aws-cn:secretsmanager:cn-north-1:{ACCOUNT}:secret:shop/a-AbCdEf",
                    f"arn:aws-cn:ssm:cn-north-1:{ACCOUNT}:parameter/shop/b",
                ),
            )
        ),
        region="cn-north-1",
        kms_keys={
            f"arn:aws-cn:ssm:cn-north-1:{ACCOUNT}:parameter/shop/b": (
                f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
            )
        },
    ),
}
