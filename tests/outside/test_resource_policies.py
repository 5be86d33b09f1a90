"""The statements that owners of cross-account resources must add for the role."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_exec_role import InvalidReferenceError, RolePolicy, derive_policy
from ecs_exec_role.pipeline import read_documents
from ecs_exec_role.resource_policies import (
    ROLE_NAME_PLACEHOLDER,
    ResourcePolicy,
    resource_policy_statements,
)

from .documents import (
    ACCOUNT,
    ECR_PULL_ACTIONS,
    KEY_ARN,
    OTHER_ACCOUNT,
    REGION,
    container,
    task,
)

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/my-app-execution"
PLACEHOLDER_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME_PLACEHOLDER}"
SHARED_IMAGE = f"{OTHER_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shared/base:1.0"
SHARED_REPOSITORY = f"arn:aws:ecr:{REGION}:{OTHER_ACCOUNT}:repository/shared/base"
SHARED_SECRET = f"arn:aws:secretsmanager:{REGION}:{OTHER_ACCOUNT}:secret:db-AbCdEf"
OWN_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:api-XyZ123"


def derive(*containers: dict[str, Any], **options: Any) -> RolePolicy:
    return derive_policy(
        read_documents(task(*containers)),
        region=REGION,
        account=options.pop("account", ACCOUNT),
        runtime_monitoring=options.pop("runtime_monitoring", False),
        **options,
    )


def secrets(*arns: str) -> list[dict[str, str]]:
    return [
        {"name": f"VALUE{index}", "valueFrom": arn} for index, arn in enumerate(arns)
    ]


class TestRepositories:
    def test_a_cross_account_repository_allows_the_role_to_pull(self) -> None:
        policy = derive(container(image=SHARED_IMAGE))

        (counterpart,) = resource_policy_statements(policy, ROLE_ARN)

        assert counterpart.policy is ResourcePolicy.REPOSITORY
        assert counterpart.resource == SHARED_REPOSITORY
        assert counterpart.account == OTHER_ACCOUNT
        assert counterpart.sources == ("containerDefinitions[0].image",)
        assert counterpart.to_json() == {
            "Sid": "AllowEcsTaskExecutionRolePull",
            "Effect": "Allow",
            "Principal": {"AWS": ROLE_ARN},
            "Action": ECR_PULL_ACTIONS,
        }

    def test_the_repository_policy_takes_no_authorization_token_action(self) -> None:
        """GetAuthorizationToken is the role's own call, to its own registry."""
        policy = derive(container(image=SHARED_IMAGE))

        (counterpart,) = resource_policy_statements(policy, ROLE_ARN)

        assert "ecr:GetAuthorizationToken" not in counterpart.to_json()["Action"]

    def test_a_pull_through_cache_also_needs_the_owners_registry_policy(self) -> None:
        image = f"{OTHER_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/docker-hub/nginx:1"
        repository = f"arn:aws:ecr:{REGION}:{OTHER_ACCOUNT}:repository/docker-hub/nginx"

        policy = derive(
            container(image=image), pull_through_cache_prefixes=["docker-hub"]
        )
        pull, cache = resource_policy_statements(policy, ROLE_ARN)

        assert (pull.policy, pull.resource) == (ResourcePolicy.REPOSITORY, repository)
        assert cache.policy is ResourcePolicy.REGISTRY
        assert cache.to_json() == {
            "Sid": "AllowEcsTaskExecutionRolePullThroughCache",
            "Effect": "Allow",
            "Principal": {"AWS": ROLE_ARN},
            "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
            "Resource": repository,
        }

    def test_guarddutys_agent_repository_needs_nothing_from_its_owner(self) -> None:
        policy = derive(container(), runtime_monitoring=True)

        assert resource_policy_statements(policy, ROLE_ARN) == ()

    def test_a_repository_of_the_tasks_own_account_needs_nothing(self) -> None:
        image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/my-app:1"

        policy = derive(container(image=image))

        assert resource_policy_statements(policy, ROLE_ARN) == ()


class TestSecretsAndKeys:
    def test_a_cross_account_secret_allows_get_secret_value_only(self) -> None:
        policy = derive(container(secrets=secrets(SHARED_SECRET)))

        (counterpart,) = resource_policy_statements(policy, ROLE_ARN)

        assert counterpart.policy is ResourcePolicy.SECRET
        assert counterpart.resource == SHARED_SECRET
        assert counterpart.to_json() == {
            "Sid": "AllowEcsTaskExecutionRoleGetSecretValue",
            "Effect": "Allow",
            "Principal": {"AWS": ROLE_ARN},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }

    def test_a_secret_without_a_named_key_says_it_needs_a_customer_key(self) -> None:
        policy = derive(container(secrets=secrets(SHARED_SECRET)))

        (counterpart,) = resource_policy_statements(policy, ROLE_ARN)

        assert "customer-managed KMS key" in counterpart.note
        assert "kms_keys" in counterpart.note

    def test_the_key_policy_allows_decrypt_via_the_same_service(self) -> None:
        policy = derive(
            container(secrets=secrets(SHARED_SECRET)),
            kms_keys={SHARED_SECRET: KEY_ARN},
        )

        secret, key = resource_policy_statements(policy, ROLE_ARN)

        assert secret.note == ""
        assert key.policy is ResourcePolicy.KEY
        assert key.resource == KEY_ARN
        assert key.to_json() == {
            "Sid": "AllowEcsTaskExecutionRoleDecrypt",
            "Effect": "Allow",
            "Principal": {"AWS": ROLE_ARN},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"
                }
            },
        }

    def test_one_key_behind_a_secret_and_a_parameter_names_both_services(
        self,
    ) -> None:
        parameter = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/my-app/flag"

        policy = derive(
            container(secrets=secrets(SHARED_SECRET, parameter)),
            kms_keys={SHARED_SECRET: KEY_ARN, parameter: KEY_ARN},
        )
        *_, key = resource_policy_statements(policy, ROLE_ARN)

        assert key.to_json()["Condition"] == {
            "StringEquals": {
                "kms:ViaService": [
                    "secretsmanager.eu-west-1.amazonaws.com",
                    "ssm.eu-west-1.amazonaws.com",
                ]
            }
        }
        assert key.sources == (
            "containerDefinitions[0].secrets[0].valueFrom",
            "containerDefinitions[0].secrets[1].valueFrom",
        )

    def test_a_secret_of_the_tasks_own_account_needs_nothing(
        self,
    ) -> None:
        policy = derive(container(secrets=secrets(OWN_SECRET)))

        assert resource_policy_statements(policy, ROLE_ARN) == ()

    def test_an_own_secret_encrypted_by_another_accounts_key_needs_the_key_policy(
        self,
    ) -> None:
        policy = derive(
            container(secrets=secrets(OWN_SECRET)), kms_keys={OWN_SECRET: KEY_ARN}
        )

        (key,) = resource_policy_statements(policy, ROLE_ARN)

        assert (key.policy, key.account) == (ResourcePolicy.KEY, OTHER_ACCOUNT)

    def test_a_cross_account_parameter_has_no_resource_policy_to_write(self) -> None:
        """A parameter is shared through AWS RAM, not by a resource policy."""
        parameter = f"arn:aws:ssm:{REGION}:{OTHER_ACCOUNT}:parameter/shared/flag"

        policy = derive(container(secrets=secrets(parameter)))

        assert resource_policy_statements(policy, ROLE_ARN) == ()


class TestPrincipalAndOrder:
    def test_without_the_roles_arn_the_principal_holds_a_placeholder(self) -> None:
        policy = derive(container(image=SHARED_IMAGE))

        (counterpart,) = resource_policy_statements(policy)

        assert counterpart.to_json()["Principal"] == {"AWS": PLACEHOLDER_ARN}

    def test_the_roles_arn_decides_the_roles_account_when_the_task_has_none(
        self,
    ) -> None:
        policy = derive(container(image=SHARED_IMAGE), account=None)

        (counterpart,) = resource_policy_statements(policy, ROLE_ARN)

        assert counterpart.resource == SHARED_REPOSITORY

    def test_without_any_account_which_resources_are_foreign_is_unknown(
        self,
    ) -> None:
        policy = derive(container(image=SHARED_IMAGE), account=None)

        with pytest.raises(InvalidReferenceError, match="pass the role's ARN"):
            resource_policy_statements(policy)

    @pytest.mark.parametrize(
        "role_arn",
        [
            "my-app-execution",
            f"arn:aws:iam::{ACCOUNT}:user/alice",
            f"arn:aws:iam:{REGION}:{ACCOUNT}:role/x",
            f"arn:aws:sts::{ACCOUNT}:assumed-role/x/y",
            f"arn:aws:iam::{ACCOUNT}:role/",
        ],
    )
    def test_anything_but_a_role_arn_is_refused(self, role_arn: str) -> None:
        policy = derive(container(image=SHARED_IMAGE))

        with pytest.raises(InvalidReferenceError, match="is not an IAM role ARN"):
            resource_policy_statements(policy, role_arn)

    def test_a_role_of_another_account_than_the_tasks_is_refused(self) -> None:
        policy = derive(container(image=SHARED_IMAGE))

        with pytest.raises(
            InvalidReferenceError, match="belongs to the task's account"
        ):
            resource_policy_statements(
                policy, f"arn:aws:iam::{OTHER_ACCOUNT}:role/my-app-execution"
            )

    def test_statements_come_repositories_secrets_keys_each_sorted(self) -> None:
        second = f"arn:aws:secretsmanager:{REGION}:{OTHER_ACCOUNT}:secret:a-key-QwErTy"

        policy = derive(
            container(image=SHARED_IMAGE, secrets=secrets(SHARED_SECRET, second)),
            kms_keys={SHARED_SECRET: KEY_ARN, second: KEY_ARN},
        )
        found = resource_policy_statements(policy, ROLE_ARN)

        assert [(c.policy, c.resource) for c in found] == [
            (ResourcePolicy.REPOSITORY, SHARED_REPOSITORY),
            (ResourcePolicy.SECRET, second),
            (ResourcePolicy.SECRET, SHARED_SECRET),
            (ResourcePolicy.KEY, KEY_ARN),
        ]
        assert found == resource_policy_statements(policy, ROLE_ARN)

    def test_a_statement_comes_as_a_whole_policy_document_too(self) -> None:
        policy = derive(container(image=SHARED_IMAGE))

        (counterpart,) = resource_policy_statements(policy, ROLE_ARN)

        assert counterpart.document() == {
            "Version": "2012-10-17",
            "Statement": [counterpart.to_json()],
        }
