"""Every container counts; one need from several settings is granted once."""

from __future__ import annotations

from ecs_exec_role import warnings as ids

from .tasks import (
    ECR_AUTHORIZATION,
    allow,
    awslogs,
    container,
    derive,
    ecr_pull,
    secret,
    task,
)

APP = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/my-app:1.4.2"
SIDECAR = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/envoy:v1.29"
INIT = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/migrate:7"
SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/db-AbCdEf"


def test_sidecars_and_init_containers_are_granted_like_the_main_container() -> None:
    document = task(
        container(name="app", image=APP),
        container(name="envoy", image=SIDECAR, essential=False),
        container(
            name="migrate",
            image=INIT,
            essential=False,
            secrets=[secret("/my-app/migrate/url")],
            logConfiguration=awslogs("/ecs/migrate"),
        ),
    )

    policy = derive(document)

    assert policy.document == {
        "Version": "2012-10-17",
        "Statement": [
            ECR_AUTHORIZATION,
            ecr_pull(
                "arn:aws:ecr:eu-west-1:111122223333:repository/envoy",
                "arn:aws:ecr:eu-west-1:111122223333:repository/migrate",
                "arn:aws:ecr:eu-west-1:111122223333:repository/my-app",
            ),
            allow(
                "LogsWrite",
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [
                    "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/migrate:log-stream:*"
                ],
            ),
            allow(
                "SsmParameterRead",
                ["ssm:GetParameters"],
                ["arn:aws:ssm:eu-west-1:111122223333:parameter/my-app/migrate/url"],
            ),
        ],
    }


def test_the_same_need_from_two_places_is_granted_once_with_both_sources() -> None:
    document = task(
        container(
            name="app",
            image=APP,
            secrets=[secret(f"{SECRET}:username::", "USER")],
            logConfiguration=awslogs("/ecs/my-app"),
        ),
        container(
            name="worker",
            image=APP.replace("1.4.2", "1.4.3"),
            secrets=[secret(f"{SECRET}:password::", "PASSWORD")],
            logConfiguration=awslogs("/ecs/my-app"),
        ),
    )

    policy = derive(document)

    read = next(s for s in policy.statements if s.sid == "SecretsManagerRead")
    assert read.resources == (SECRET,)
    assert read.sources == {
        SECRET: (
            "containerDefinitions[0].secrets[0].valueFrom",
            "containerDefinitions[1].secrets[0].valueFrom",
        )
    }
    pull = next(s for s in policy.statements if s.sid == "EcrImagePull")
    assert pull.sources == {
        "arn:aws:ecr:eu-west-1:111122223333:repository/my-app": (
            "containerDefinitions[0].image",
            "containerDefinitions[1].image",
        )
    }
    assert len(policy.derivation.needs) == 3
    assert [list(paths) for paths in policy.derivation.sources.values()] == [
        ["containerDefinitions[0].image", "containerDefinitions[1].image"],
        [
            "containerDefinitions[0].logConfiguration.options.awslogs-group",
            "containerDefinitions[1].logConfiguration.options.awslogs-group",
        ],
        [
            "containerDefinitions[0].secrets[0].valueFrom",
            "containerDefinitions[1].secrets[0].valueFrom",
        ],
    ]


def test_a_parameter_named_two_ways_is_one_need() -> None:
    document = task(
        container(
            secrets=[
                secret("/my-app/flag", "A"),
                secret("my-app/flag", "B"),
                secret("arn:aws:ssm:eu-west-1:111122223333:parameter/my-app/flag", "C"),
            ]
        )
    )

    policy = derive(document)

    (read,) = policy.statements
    assert read.resources == (
        "arn:aws:ssm:eu-west-1:111122223333:parameter/my-app/flag",
    )
    assert len(read.sources[read.resources[0]]) == 3


class TestNoRoleNeeded:
    def test_a_task_using_no_role_yields_no_policy_and_says_so(self) -> None:
        document = task(
            container(name="web", image="nginx:1.27"),
            container(name="cache", image="public.ecr.aws/docker/library/redis:7"),
        )

        policy = derive(document)

        assert policy.document is None
        assert policy.statements == ()
        assert policy.policies == ()
        assert not policy.derivation.requires_execution_role
        (warning,) = policy.derivation.warnings
        assert warning.id == ids.NO_EXECUTION_ROLE_NEEDED
        assert "needs none" in warning.message

    def test_it_needs_no_region_or_account_either(self) -> None:
        document = task(container(image="nginx:1.27"))

        policy = derive(document, region=None, account=None)

        assert policy.document is None
