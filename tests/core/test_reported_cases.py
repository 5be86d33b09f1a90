"""Reported cases from public bug reports, each with the outcome a correct tool gives.

Each class is one report (its id in the name, its thread in the docstring). The
policies are judged the way IAM judges them: the concrete requests ECS makes
must be allowed (:mod:`.iam_oracle`), and what must not be granted is absent.
A narrower resource that still allows every such request is right: streams
named ``PREFIX/CONTAINER/TASK-ID`` are covered by ``log-group:G:log-stream:PREFIX/*``
as well as by ``log-group:G:*``.
"""

from __future__ import annotations

from typing import Any

import pytest

from ecs_exec_role import (
    InvalidReferenceError,
    InvalidSettingsError,
    PolicySizeError,
)
from ecs_exec_role import warnings as ids
from ecs_exec_role.statements import minified_size

from .iam_oracle import Request, allows, granting_statements
from .reported import (
    condition_keys,
    granted_actions,
    granted_resources,
    resources_for,
    statements_with,
)
from .tasks import derive

REGION = "eu-west-1"
ACCOUNT = "111122223333"
IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/my-app:1.4.2"
REPOSITORY = "arn:aws:ecr:eu-west-1:111122223333:repository/my-app"
GROUP = "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/my-app"
TASK_ID = "0123456789abcdef0123456789abcdef"
SM = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
SSM = "arn:aws:ssm:eu-west-1:111122223333:parameter"
PULL = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
LOGS = ("logs:CreateLogStream", "logs:PutLogEvents")
AWSLOGS = {
    "logDriver": "awslogs",
    "options": {
        "awslogs-group": "/ecs/my-app",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "app",
    },
}
MANAGED_EXECUTION_POLICY = (
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
)


def fargate(*containers: dict[str, Any]) -> dict[str, Any]:
    return {
        "family": "my-app",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": list(containers),
    }


def web(**settings: Any) -> dict[str, Any]:
    return {"name": "web", "image": IMAGE, "essential": True, **settings}


def image_pull_requests(repository: str = REPOSITORY) -> list[Request]:
    return [Request("ecr:GetAuthorizationToken", "*")] + [
        Request(action, repository) for action in PULL
    ]


def log_requests(prefix: str = "app", container: str = "web") -> list[Request]:
    stream = f"{GROUP}:log-stream:{prefix}/{container}/{TASK_ID}"
    return [Request(action, stream) for action in LOGS]


def assert_allows_all(document: dict[str, Any] | None, requests: list[Request]) -> None:
    denied = [str(request) for request in requests if not allows(document, request)]
    assert denied == []


def assert_no_wildcard_actions(document: dict[str, Any] | None) -> None:
    assert not [a for a in granted_actions(document) if "*" in a]


class TestBR01HierarchicalParameterName:
    """https://github.com/aws/aws-cdk/issues/4803: '/a/b' became 'parameter//a/b'."""

    DOCUMENT = fargate(
        web(
            logConfiguration=AWSLOGS,
            secrets=[{"name": "DB_URL", "valueFrom": "/my-app/prod/DB_URL"}],
        )
    )
    PARAMETER = f"{SSM}/my-app/prod/DB_URL"

    def test_the_parameter_is_read_by_its_one_slash_arn(self) -> None:
        document = derive(self.DOCUMENT).document

        assert_allows_all(
            document,
            [
                *image_pull_requests(),
                *log_requests(),
                Request("ssm:GetParameters", self.PARAMETER),
            ],
        )

    def test_no_double_slash_and_no_other_ssm_actions(self) -> None:
        document = derive(self.DOCUMENT).document

        assert not [r for r in granted_resources(document) if "parameter//" in r]
        assert {a for a in granted_actions(document) if a.startswith("ssm:")} == {
            "ssm:GetParameters"
        }
        assert resources_for(document, ["ssm:GetParameters"]) == {self.PARAMETER}


class TestBR02FlatParameterName:
    """https://github.com/aws/aws-cdk/issues/2777: 'X' became 'parameterX'."""

    DOCUMENT = fargate(
        {
            "name": "web",
            "image": "public.ecr.aws/docker/library/nginx:1.27",
            "essential": True,
            "secrets": [{"name": "API_TOKEN", "valueFrom": "API_TOKEN"}],
        }
    )

    def test_only_the_parameter_is_granted_with_its_slash(self) -> None:
        document = derive(self.DOCUMENT).document

        assert document == {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "SsmParameterRead",
                    "Effect": "Allow",
                    "Action": "ssm:GetParameters",
                    "Resource": f"{SSM}/API_TOKEN",
                }
            ],
        }


class TestBR04SecretSelectors:
    """https://github.com/hashicorp/terraform-aws-consul-ecs/issues/135: the
    ':json-key:version-stage:version-id' suffix was copied into the Resource."""

    SECRET = f"{SM}my-app/db-AbCdEf"
    DOCUMENT = fargate(
        web(
            logConfiguration=AWSLOGS,
            secrets=[
                {"name": "DB_USER", "valueFrom": f"{SECRET}:username::"},
                {"name": "DB_PASS_OLD", "valueFrom": f"{SECRET}:password:AWSPREVIOUS:"},
                {"name": "DB_JSON", "valueFrom": f"{SECRET}::AWSCURRENT:"},
                {
                    "name": "DB_PINNED",
                    "valueFrom": f"{SECRET}:::9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE",
                },
                {"name": "DB_FULL", "valueFrom": SECRET},
            ],
        )
    )

    def test_one_secret_arn_without_selectors_or_conditions(self) -> None:
        document = derive(self.DOCUMENT).document

        assert_allows_all(
            document,
            [
                *image_pull_requests(),
                *log_requests(),
                Request("secretsmanager:GetSecretValue", self.SECRET),
            ],
        )
        assert resources_for(document, ["secretsmanager:GetSecretValue"]) == {
            self.SECRET
        }
        for fragment in (
            ":username",
            ":password",
            "AWSPREVIOUS",
            "AWSCURRENT",
            "9d4cb84b",
        ):
            assert not [r for r in granted_resources(document) if fragment in r]
        assert granted_actions(document).isdisjoint(
            {
                "secretsmanager:DescribeSecret",
                "secretsmanager:ListSecretVersionIds",
                "secretsmanager:*",
            }
        )
        assert condition_keys(document).isdisjoint(
            {"secretsmanager:VersionStage", "secretsmanager:VersionId"}
        )


class TestBR05PartialSecretArn:
    """https://github.com/aws/aws-cdk/issues/12411: a partial ARN granted literally
    never matches the real ARN, which ends in '-' and six random characters."""

    PREFIX = f"{SM}my-app"
    DOCUMENT = fargate(
        web(
            logConfiguration=AWSLOGS,
            secrets=[
                {"name": "API_KEY", "valueFrom": f"{PREFIX}/api-key"},
                {"name": "DB_PASSWORD", "valueFrom": f"{PREFIX}/db:password::"},
            ],
        )
    )

    def test_exactly_six_more_characters_are_allowed(self) -> None:
        document = derive(self.DOCUMENT).document

        assert_allows_all(
            document,
            [
                Request(
                    "secretsmanager:GetSecretValue", f"{self.PREFIX}/api-key-Qw3rTy"
                ),
                Request("secretsmanager:GetSecretValue", f"{self.PREFIX}/db-Zx9Yw8"),
            ],
        )
        assert resources_for(document, ["secretsmanager:GetSecretValue"]) == {
            f"{self.PREFIX}/api-key-??????",
            f"{self.PREFIX}/db-??????",
        }
        assert not allows(
            document,
            Request(
                "secretsmanager:GetSecretValue", f"{self.PREFIX}/api-key-old-Qw3rTy"
            ),
        )
        assert not [r for r in granted_resources(document) if ":password" in r]

    def test_each_partial_arn_is_warned_about(self) -> None:
        warnings = derive(self.DOCUMENT, runtime_monitoring=False).derivation.warnings

        assert [(w.id, w.path) for w in warnings] == [
            (ids.PARTIAL_SECRET_ARN, "containerDefinitions[0].secrets[0].valueFrom"),
            (ids.PARTIAL_SECRET_ARN, "containerDefinitions[0].secrets[1].valueFrom"),
        ]
        assert all("prefer the complete ARN" in w.message for w in warnings)


class TestBR08CustomerManagedKey:
    """https://github.com/aws/aws-cdk/issues/12411 and #7994: a secret on a customer
    managed key also needs kms:Decrypt, restricted to Secrets Manager.

    Reported through CDK; here the key comes as the caller's hint, which is what
    the CDK reader hands the pipeline.
    """

    SECRET = f"{SM}prod/app/mysecret-Qw3rTy"
    KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    DOCUMENT = fargate(
        web(
            logConfiguration=AWSLOGS,
            secrets=[{"name": "APP_SECRET", "valueFrom": SECRET}],
        )
    )

    def test_the_key_is_decrypted_only_via_secrets_manager_in_its_region(self) -> None:
        document = derive(self.DOCUMENT, kms_keys={self.SECRET: self.KEY}).document
        via = {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}

        assert_allows_all(
            document,
            [
                *image_pull_requests(),
                *log_requests(),
                Request("secretsmanager:GetSecretValue", self.SECRET),
                Request("kms:Decrypt", self.KEY, via),
            ],
        )
        (decrypt,) = granting_statements(
            document, Request("kms:Decrypt", self.KEY, via)
        )
        assert decrypt["Condition"] == {"StringEquals": via}
        assert not allows(document, Request("kms:Decrypt", self.KEY))
        assert resources_for(document, ["kms:Decrypt"]) == {self.KEY}
        assert {a for a in granted_actions(document) if a.startswith("kms:")} == {
            "kms:Decrypt"
        }


class TestBR10AwsManagedKeys:
    """Values on the AWS managed keys need no kms:Decrypt (often granted on '*')."""

    DOCUMENT = fargate(
        web(
            logConfiguration=AWSLOGS,
            secrets=[
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": f"{SM}my-app/db-AbCdEf",
                },
                {"name": "FEATURE_KEY", "valueFrom": "/my-app/prod/FEATURE_KEY"},
            ],
        )
    )

    def test_no_kms_action_is_granted(self) -> None:
        document = derive(self.DOCUMENT).document

        assert_allows_all(
            document,
            [
                Request(
                    "secretsmanager:GetSecretValue",
                    f"{SM}my-app/db-AbCdEf",
                ),
                Request(
                    "ssm:GetParameters",
                    f"{SSM}/my-app/prod/FEATURE_KEY",
                ),
            ],
        )
        assert not [a for a in granted_actions(document) if a.startswith("kms:")]


class TestBR11KeyAlias:
    """An alias ARN in a kms:Decrypt Resource grants nothing: it is refused."""

    SECRET = f"{SM}prod/app/mysecret-Qw3rTy"
    DOCUMENT = fargate(web(secrets=[{"name": "APP_SECRET", "valueFrom": SECRET}]))

    def test_the_alias_is_refused(self) -> None:
        alias = "arn:aws:kms:eu-west-1:111122223333:alias/my-app/secrets"

        with pytest.raises(
            InvalidReferenceError,
            match=r"the KMS key for 'arn:aws:secretsmanager:.*:secret:prod/app/"
            r"mysecret-Qw3rTy' is given as an alias \(alias/my-app/secrets\); IAM "
            r"policies must name a key by its key ARN \(arn:aws:kms:eu-west-1:"
            r"111122223333:key/KEY-ID\).*pass the key ARN",
        ):
            derive(self.DOCUMENT, kms_keys={self.SECRET: alias})


class TestBR13CrossAccountImage:
    """The repository ARN takes the registry account from the image, not the stack's."""

    SHARED = "arn:aws:ecr:eu-west-1:444455556666:repository/shared/base"
    DOCUMENT = fargate(
        web(
            image="444455556666.dkr.ecr.eu-west-1.amazonaws.com/shared/base:1.4",
            logConfiguration=AWSLOGS,
        )
    )

    def test_the_other_accounts_repository_is_pulled_and_the_owner_must_allow_it(
        self,
    ) -> None:
        policy = derive(self.DOCUMENT, runtime_monitoring=False)

        assert_allows_all(
            policy.document, [*image_pull_requests(self.SHARED), *log_requests()]
        )
        assert (
            "arn:aws:ecr:eu-west-1:111122223333:repository/shared/base"
            not in granted_resources(policy.document)
        )
        assert resources_for(
            policy.document, ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        ) == {self.SHARED}
        assert granted_actions(policy.document).isdisjoint({"ecr:*", "sts:AssumeRole"})
        (warning,) = policy.derivation.warnings
        assert warning.id == ids.CROSS_ACCOUNT_RESOURCE
        assert warning.message.startswith(
            "repository shared/base is in account 444455556666"
        )
        assert "allow this role (or account 111122223333)" in warning.message


class TestBR14PullThroughCache:
    """A cache miss imports the upstream image and may create the cache repository."""

    CACHED = "arn:aws:ecr:eu-west-1:111122223333:repository/ecr-public/nginx/nginx"
    DOCUMENT = fargate(
        web(
            image="111122223333.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/nginx/nginx:1.27"
        )
    )

    def test_import_and_create_are_allowed_on_the_cache_repository_only(self) -> None:
        document = derive(
            self.DOCUMENT, pull_through_cache_prefixes=["ecr-public"]
        ).document

        assert_allows_all(
            document,
            [
                *image_pull_requests(self.CACHED),
                Request("ecr:BatchImportUpstreamImage", self.CACHED),
                Request("ecr:CreateRepository", self.CACHED),
            ],
        )
        assert resources_for(document, ["ecr:CreateRepository"]) == {self.CACHED}
        assert granted_actions(document).isdisjoint(
            {
                "ecr:CreatePullThroughCacheRule",
                "ecr:PutImage",
                "ecr:*",
                "secretsmanager:GetSecretValue",
            }
        )


class TestBR17NoRoleNeeded:
    """A public image with no logging and no secrets needs no execution role at all."""

    DOCUMENT = fargate(
        {"name": "web", "image": "docker.io/library/nginx:1.27", "essential": True}
    )

    def test_no_policy_and_a_warning_that_says_so(self) -> None:
        policy = derive(self.DOCUMENT)

        assert policy.document is None
        assert policy.policies == ()
        # Unless GuardDuty adds its agent sidecar, which this role would pull.
        assert [w.id for w in policy.derivation.warnings] == [
            ids.GUARDDUTY_AGENT_NOT_GRANTED,
            ids.NO_EXECUTION_ROLE_NEEDED,
        ]


class TestBR18SecretMakesTheRoleMandatory:
    """The same public image, with one secret: ECS requires the role."""

    DOCUMENT = fargate(
        {
            "name": "web",
            "image": "docker.io/library/nginx:1.27",
            "essential": True,
            "secrets": [{"name": "API_TOKEN", "valueFrom": "/my-app/prod/API_TOKEN"}],
        }
    )

    def test_the_parameter_and_nothing_else(self) -> None:
        policy = derive(self.DOCUMENT)

        assert policy.derivation.requires_execution_role
        assert_allows_all(
            policy.document,
            [
                Request(
                    "ssm:GetParameters",
                    f"{SSM}/my-app/prod/API_TOKEN",
                )
            ],
        )
        assert granted_actions(policy.document) == {"ssm:GetParameters"}


class TestBR19LogGroupArnForm:
    """Stream actions need 'log-group:G:*' (or narrower), not the bare group or '*'."""

    DOCUMENT = fargate(
        web(
            logConfiguration={
                **AWSLOGS,
                "options": {**AWSLOGS["options"], "awslogs-stream-prefix": "web"},
            }
        )
    )

    def test_streams_of_the_group_only(self) -> None:
        document = derive(self.DOCUMENT).document

        assert_allows_all(
            document, [*image_pull_requests(), *log_requests(prefix="web")]
        )
        assert resources_for(document, LOGS).isdisjoint(
            {"*", GROUP, "arn:aws:logs:eu-west-1:111122223333:*"}
        )
        assert granted_actions(document).isdisjoint(
            {"logs:CreateLogGroup", "logs:DescribeLogStreams", "logs:*"}
        )


class TestBR21EnvironmentFiles:
    """GetObject on each exact .env object and GetBucketLocation on its bucket."""

    DOCUMENT = fargate(
        web(
            logConfiguration=AWSLOGS,
            environmentFiles=[
                {"type": "s3", "value": "arn:aws:s3:::my-app-config/prod/app.env"},
                {"type": "s3", "value": "arn:aws:s3:::my-app-shared-config/common.env"},
            ],
        )
    )

    def test_exact_objects_and_their_buckets(self) -> None:
        document = derive(self.DOCUMENT).document

        assert_allows_all(
            document,
            [
                Request("s3:GetObject", "arn:aws:s3:::my-app-config/prod/app.env"),
                Request("s3:GetObject", "arn:aws:s3:::my-app-shared-config/common.env"),
                Request("s3:GetBucketLocation", "arn:aws:s3:::my-app-config"),
                Request("s3:GetBucketLocation", "arn:aws:s3:::my-app-shared-config"),
            ],
        )
        assert resources_for(document, ["s3:GetObject"]) == {
            "arn:aws:s3:::my-app-config/prod/app.env",
            "arn:aws:s3:::my-app-shared-config/common.env",
        }
        assert resources_for(document, ["s3:GetBucketLocation"]) == {
            "arn:aws:s3:::my-app-config",
            "arn:aws:s3:::my-app-shared-config",
        }
        assert granted_actions(document).isdisjoint(
            {"s3:ListBucket", "s3:GetObjectVersion", "s3:*", "s3:PutObject"}
        )


class TestBR23FireLensS3ConfigOnFargate:
    """Fargate supports only config-file-type 'file'; no grant can fix 's3' there."""

    DOCUMENT = fargate(
        {
            "name": "log_router",
            "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
            "essential": True,
            "firelensConfiguration": {
                "type": "fluentbit",
                "options": {
                    "config-file-type": "s3",
                    "config-file-value": (
                        "arn:aws:s3:::my-app-logging/fluent-bit/extra.conf"
                    ),
                },
            },
        }
    )

    def test_it_is_refused(self) -> None:
        with pytest.raises(
            InvalidReferenceError,
            match=r"^containerDefinitions\[0\]\.firelensConfiguration\.options\."
            r"config-file-type: "
            r"FireLens config-file-type 's3' is not supported on AWS Fargate; use "
            r"config-file-type 'file' with a path inside the image$",
        ):
            derive(self.DOCUMENT)


class TestBR24PrivateRegistryCredentials:
    """repositoryCredentials needs GetSecretValue on the secret only: no ECR, no SSM."""

    DOCUMENT = fargate(
        {
            "name": "web",
            "image": "ghcr.io/my-org/my-app:1.0",
            "essential": True,
            "repositoryCredentials": {
                "credentialsParameter": f"{SM}my-app/registry-creds-Lm5No6"
            },
        },
        {
            "name": "sidecar",
            "image": "registry.example.com/my-org/sidecar:2.1",
            "essential": False,
            "repositoryCredentials": {
                "credentialsParameter": "my-app/registry-creds-2"
            },
        },
    )

    def test_both_credentials_secrets_and_nothing_else(self) -> None:
        document = derive(self.DOCUMENT).document

        assert document == {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "SecretsManagerRead",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": [
                        f"{SM}my-app/registry-creds-2-??????",
                        f"{SM}my-app/registry-creds-Lm5No6",
                    ],
                }
            ],
        }


class TestBR25OnlyTheAgentsActions:
    """The agent calls GetSecretValue and GetParameters only; one statement each."""

    DOCUMENT = fargate(
        web(
            logConfiguration=AWSLOGS,
            secrets=[
                {
                    "name": "NEW_RELIC_ID",
                    "valueFrom": f"{SM}my-app/newrelic-Ab12Cd",
                },
                {
                    "name": "PUBNUB_KEY",
                    "valueFrom": f"{SM}my-app/pubnub-Ef34Gh",
                },
                {"name": "FLAG_A", "valueFrom": "/my-app/prod/FLAG_A"},
                {"name": "FLAG_B", "valueFrom": "/my-app/prod/FLAG_B"},
            ],
        )
    )

    def test_one_statement_per_action_and_no_reader_actions(self) -> None:
        document = derive(self.DOCUMENT).document

        assert len(statements_with(document, "secretsmanager:GetSecretValue")) == 1
        assert len(statements_with(document, "ssm:GetParameters")) == 1
        assert granted_actions(document).isdisjoint(
            {
                "secretsmanager:DescribeSecret",
                "secretsmanager:BatchGetSecretValue",
                "ssm:GetParameter",
                "ssm:GetParameterHistory",
                "ssm:DescribeParameters",
                "ssm:GetParametersByPath",
            }
        )


class TestBR26OnlyTheTokenIsOnStar:
    """Only ecr:GetAuthorizationToken needs '*', in a statement of its own."""

    DOCUMENT = fargate(
        web(
            logConfiguration={
                **AWSLOGS,
                "options": {**AWSLOGS["options"], "awslogs-stream-prefix": "web"},
            },
            secrets=[
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": f"{SM}my-app/db-AbCdEf",
                }
            ],
        )
    )

    def test_one_wildcard_statement_for_the_token_alone(self) -> None:
        """The log streams keep the one other wildcard AWS forces: the task's id."""
        document = derive(self.DOCUMENT).document

        assert document is not None
        starred = [s for s in document["Statement"] if s["Resource"] == "*"]
        assert [s["Action"] for s in starred] == ["ecr:GetAuthorizationToken"]
        wildcards = sorted(r for r in granted_resources(document) if "*" in r)
        assert wildcards == ["*", f"{GROUP}:log-stream:web/*"]
        assert MANAGED_EXECUTION_POLICY not in granted_resources(document)


class TestBR27SixtySecrets:
    """One statement per secret overflowed the 10,240-character inline quota."""

    # The random suffixes of the report's sixty secrets.
    SUFFIXES = (
        "u8jzPd",
        "e0IgxL",
        "d6Gncf",
        "BAepfJ",
        "Bd0Kh8",
        "oOOL8d",
        "KLzdoc",
        "J2isAj",
        "IhKtJ0",
        "RlgLKO",
        "mxgJTe",
        "KdNnFR",
        "IBXuDL",
        "7DxtpY",
        "lSXpfK",
        "tHF4vU",
        "CsMehG",
        "AkWvj7",
        "FAc9Qe",
        "WJKY40",
        "uvSwMF",
        "LZDe1f",
        "8rESQe",
        "dUStPK",
        "R0CsTy",
        "4Qwb8D",
        "wkNhFd",
        "nXsiVp",
        "zz63Ff",
        "kCzJr4",
        "i0B3Jr",
        "TAwR4y",
        "9ojflj",
        "oQoaF1",
        "Llqsaj",
        "AIxNKu",
        "8iS2G8",
        "NPRVdD",
        "53X83R",
        "ZJzzzz",
        "gEOzdm",
        "enCkhv",
        "MdgaKj",
        "Ig8xNb",
        "e3nNyj",
        "Oq9wMx",
        "Ehh2FD",
        "EEtfjg",
        "VvVqE1",
        "SkHbn8",
        "8HxjSI",
        "6bWHtP",
        "3fS2qH",
        "x6kwXo",
        "IIXGvO",
        "oNZYW2",
        "mZp0zV",
        "ZomHFw",
        "UbbYrE",
        "qmSM9w",
    )
    ARNS = tuple(
        f"{SM}my-app/svc-{i:02d}-{suffix}" for i, suffix in enumerate(SUFFIXES, start=1)
    )
    DOCUMENT = fargate(
        web(
            logConfiguration=AWSLOGS,
            secrets=[
                {"name": f"SECRET_{i:02d}", "valueFrom": arn}
                for i, arn in enumerate(ARNS, 1)
            ],
        )
    )

    def test_all_sixty_share_one_statement_within_the_quota(self) -> None:
        document = derive(self.DOCUMENT).document

        assert document is not None
        assert_allows_all(
            document,
            [Request("secretsmanager:GetSecretValue", arn) for arn in self.ARNS],
        )
        assert len(statements_with(document, "secretsmanager:GetSecretValue")) == 1
        assert minified_size(document["Statement"]) <= 10_240
        assert resources_for(document, ["secretsmanager:GetSecretValue"]).isdisjoint(
            {
                f"{SM}my-app/*",
                f"{SM}*",
            }
        )


class TestBR29TooManyParameters:
    """1,200 distinct parameters exceed IAM's default quotas: a clear, early error."""

    DOCUMENT = fargate(
        web(
            secrets=[
                {"name": f"PARAM_{i:04d}", "valueFrom": f"/my-app/prod/PARAM_{i:04d}"}
                for i in range(1, 1201)
            ]
        )
    )

    def test_a_policy_size_error_names_the_quota(self) -> None:
        with pytest.raises(
            PolicySizeError,
            match=r"needs about [\d,]+ characters in \d+ managed policies, more than "
            r"IAM allows with 10 managed policies of 6,144 characters each",
        ) as raised:
            derive(self.DOCUMENT)

        assert raised.value.value > 84_000


class TestBR30DynamicReference:
    """A '{{resolve:...}}' in valueFrom is CloudFormation's, and ECS rejects it."""

    DOCUMENT = fargate(
        web(
            secrets=[
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": (
                        "{{resolve:secretsmanager:my-app/db:SecretString:password}}"
                    ),
                }
            ]
        )
    )

    def test_it_is_refused_with_the_arn_form_to_use(self) -> None:
        with pytest.raises(
            InvalidReferenceError,
            match=r"^containerDefinitions\[0\]\.secrets\[0\]\.valueFrom: valueFrom "
            r"'\{\{resolve:secretsmanager:my-app/db:SecretString:password\}\}' is a "
            r"CloudFormation dynamic reference, which ECS does not resolve; use the "
            r"secret's ARN \(arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:"
            r"NAME-XXXXXX:JSON-KEY::\)",
        ):
            derive(self.DOCUMENT)


class TestBR32PartitionMismatch:
    """An ARN whose partition does not hold its Region, and an unknown partition."""

    DOCUMENT = fargate(
        web(
            image="111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/my-app:1.0",
            secrets=[
                {
                    "name": "A",
                    "valueFrom": "arn:aws:secretsmanager:cn-north-1:111122223333:"
                    "secret:my-app/a-AbCdEf",
                },
                {
                    "name": "B",
                    "valueFrom": (
                        "arn:aws-moon:ssm:cn-north-1:111122223333:parameter/my-app/b"
                    ),
                },
            ],
        )
    )

    def test_both_are_reported_together(self) -> None:
        with pytest.raises(
            InvalidSettingsError, match="2 settings cannot be granted"
        ) as raised:
            derive(self.DOCUMENT, region="cn-north-1")

        first, second = raised.value.problems
        assert first.path == "containerDefinitions[0].secrets[0].valueFrom"
        assert (
            "uses partition 'aws' but Region cn-north-1 belongs to partition 'aws-cn'"
            in str(first)
        )
        assert second.path == "containerDefinitions[0].secrets[1].valueFrom"
        assert "unknown partition 'aws-moon'" in str(second)
