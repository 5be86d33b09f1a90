"""Image pulls: private ECR repositories on every host form, or no grant at all."""

from __future__ import annotations

import pytest

from ecs_exec_role import InvalidReferenceError
from ecs_exec_role import warnings as ids

from .iam_oracle import Request, allows
from .tasks import (
    ACCOUNT,
    ECR_AUTHORIZATION,
    OTHER_ACCOUNT,
    allow,
    container,
    derive,
    ecr_pull,
    statements,
    task,
    warning_ids,
)

DIGEST = "sha256:" + "0123456789abcdef" * 4


class TestEcrHosts:
    """Region, account and partition of the repository come from the image host."""

    @pytest.mark.parametrize(
        ("image", "repository"),
        [
            pytest.param(
                "111122223333.dkr.ecr.eu-west-1.amazonaws.com/my-app:1.4.2",
                "arn:aws:ecr:eu-west-1:111122223333:repository/my-app",
                id="standard",
            ),
            pytest.param(
                "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/my-app:1.4.2",
                "arn:aws-cn:ecr:cn-north-1:111122223333:repository/my-app",
                id="china",
            ),
            pytest.param(
                "111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/my-app:1.4.2",
                "arn:aws:ecr:us-east-1:111122223333:repository/my-app",
                id="fips",
            ),
            pytest.param(
                "111122223333.dkr-ecr.eu-west-1.on.aws/my-app:1.4.2",
                "arn:aws:ecr:eu-west-1:111122223333:repository/my-app",
                id="dual-stack",
            ),
            pytest.param(
                "111122223333.dkr.ecr.us-gov-west-1.amazonaws.com/my-app:1.4.2",
                "arn:aws-us-gov:ecr:us-gov-west-1:111122223333:repository/my-app",
                id="govcloud",
            ),
            pytest.param(
                "111122223333.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn/my-app",
                "arn:aws-cn:ecr:cn-northwest-1:111122223333:repository/my-app",
                id="china-dual-stack",
            ),
        ],
    )
    def test_each_host_form_names_its_own_repository(
        self, image: str, repository: str
    ) -> None:
        document = task(container(image=image))

        result = statements(document)

        assert result == [ECR_AUTHORIZATION, ecr_pull(repository)]

    @pytest.mark.parametrize(
        "reference",
        [
            "my-app:1.4.2",
            f"my-app@{DIGEST}",
            f"my-app:1.4.2@{DIGEST}",
            "my-app",
        ],
    )
    def test_tags_and_digests_are_stripped_from_the_repository(
        self, reference: str
    ) -> None:
        document = task(
            container(image=f"111122223333.dkr.ecr.eu-west-1.amazonaws.com/{reference}")
        )

        result = statements(document)

        assert result[1] == ecr_pull(
            "arn:aws:ecr:eu-west-1:111122223333:repository/my-app"
        )

    def test_a_namespaced_repository_keeps_every_path_component(self) -> None:
        document = task(
            container(
                image="111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/sub/my-app:1"
            )
        )

        result = statements(document)

        assert result[1] == ecr_pull(
            "arn:aws:ecr:eu-west-1:111122223333:repository/team/sub/my-app"
        )

    def test_the_authorization_token_stands_alone_on_the_only_wildcard(self) -> None:
        """ecr:GetAuthorizationToken has no resource type, so IAM only takes "*"."""
        document = task(
            container(image="111122223333.dkr.ecr.eu-west-1.amazonaws.com/my-app")
        )

        result = statements(document)

        wildcards = [s for s in result if s["Resource"] == "*"]
        assert wildcards == [ECR_AUTHORIZATION]


class TestOtherAccountsAndRegions:
    def test_a_cross_region_image_is_pulled_from_its_own_region(self) -> None:
        document = task(
            container(image="111122223333.dkr.ecr.us-east-2.amazonaws.com/my-app:1")
        )

        result = statements(document, region="eu-west-1")

        assert result == [
            ECR_AUTHORIZATION,
            ecr_pull("arn:aws:ecr:us-east-2:111122223333:repository/my-app"),
        ]

    def test_a_cross_account_image_names_the_registry_account_and_warns(self) -> None:
        document = task(
            container(
                image="444455556666.dkr.ecr.eu-west-1.amazonaws.com/shared/base:1.4"
            )
        )

        policy = derive(document, account=ACCOUNT)

        assert policy.document == {
            "Version": "2012-10-17",
            "Statement": [
                ECR_AUTHORIZATION,
                ecr_pull("arn:aws:ecr:eu-west-1:444455556666:repository/shared/base"),
            ],
        }
        (warning,) = policy.derivation.warnings
        assert warning.id == ids.CROSS_ACCOUNT_RESOURCE
        assert warning.path == "containerDefinitions[0].image"
        assert OTHER_ACCOUNT in warning.message
        assert ACCOUNT in warning.message


class TestEcrHostsWrittenOtherwise:
    """A host that ECR would serve, written another way, is refused, not ignored."""

    @pytest.mark.parametrize(
        "image",
        [
            "111122223333.DKR.ECR.EU-WEST-1.AMAZONAWS.COM/my-app:1",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com./my-app:1",
        ],
    )
    def test_an_uppercase_or_dotted_ecr_host_is_refused(self, image: str) -> None:
        with pytest.raises(
            InvalidReferenceError,
            match=r"containerDefinitions\[0\]\.image: .* names an ECR registry, but "
            r"not as ECR writes its hosts: write "
            r"'111122223333\.dkr\.ecr\.eu-west-1\.amazonaws\.com'",
        ):
            derive(task(container(image=image)))

    def test_a_port_that_is_not_a_number_is_refused(self) -> None:
        image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com:abc/my-app:1"

        with pytest.raises(InvalidReferenceError, match=r"has the port 'abc'"):
            derive(task(container(image=image)))


class TestRegistriesThatNeedNothing:
    @pytest.mark.parametrize(
        "image",
        [
            "nginx",
            "nginx:1.27",
            "library/nginx:1.27",
            "docker.io/library/nginx:1.27",
            "public.ecr.aws/docker/library/nginx:1.27",
            "ghcr.io/my-org/my-app:1.0",
            "quay.io/my-org/my-app:1.0",
            "registry.example.com:5000/my-org/my-app:1.0",
            f"mcr.microsoft.com/windows/servercore@{DIGEST}",
        ],
    )
    def test_a_public_or_third_party_image_needs_no_grant(self, image: str) -> None:
        document = task(container(image=image))

        policy = derive(document)

        assert policy.document is None
        assert policy.policies == ()
        assert warning_ids(document) == [ids.NO_EXECUTION_ROLE_NEEDED]


class TestPullThroughCache:
    IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/nginx/nginx:1.27"
    REPOSITORY = "arn:aws:ecr:eu-west-1:111122223333:repository/ecr-public/nginx/nginx"

    def test_an_image_under_a_cache_prefix_may_import_and_create_its_repository(
        self,
    ) -> None:
        document = task(container(image=self.IMAGE))

        result = statements(document, pull_through_cache_prefixes=["ecr-public"])

        assert result == [
            ECR_AUTHORIZATION,
            ecr_pull(self.REPOSITORY),
            allow(
                "EcrPullThroughCache",
                ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                [self.REPOSITORY],
            ),
        ]

    def test_a_prefix_is_matched_as_whole_path_components(self) -> None:
        document = task(
            container(
                image="111122223333.dkr.ecr.eu-west-1.amazonaws.com/ecr-publicity/app:1"
            )
        )

        result = statements(document, pull_through_cache_prefixes=["/ecr-public/"])

        assert [s["Sid"] for s in result] == ["EcrAuthorizationToken", "EcrImagePull"]

    def test_images_outside_every_prefix_get_plain_pulls_only(self) -> None:
        document = task(
            container(name="cached", image=self.IMAGE),
            container(
                name="own",
                image="111122223333.dkr.ecr.eu-west-1.amazonaws.com/my-app:1",
            ),
        )

        result = statements(document, pull_through_cache_prefixes=["ecr-public"])

        assert result[1:] == [
            ecr_pull(
                self.REPOSITORY, "arn:aws:ecr:eu-west-1:111122223333:repository/my-app"
            ),
            allow(
                "EcrPullThroughCache",
                ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                [self.REPOSITORY],
            ),
        ]


class TestRepositoryCredentials:
    def test_a_private_registry_reads_its_credentials_secret_and_nothing_else(
        self,
    ) -> None:
        arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/creds-Lm5No6"
        document = task(
            container(
                image="ghcr.io/my-org/my-app:1.0",
                repositoryCredentials={"credentialsParameter": arn},
            )
        )

        result = statements(document)

        assert result == [
            allow("SecretsManagerRead", ["secretsmanager:GetSecretValue"], [arn])
        ]

    def test_a_credentials_secret_named_without_arn_is_in_the_tasks_region(
        self,
    ) -> None:
        document = task(
            container(
                image="registry.example.com/my-org/sidecar:2.1",
                repositoryCredentials={"credentialsParameter": "my-app/registry-creds"},
            )
        )

        result = statements(document)

        assert result == [
            allow(
                "SecretsManagerRead",
                ["secretsmanager:GetSecretValue"],
                [
                    "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/registry-creds-??????"
                ],
            )
        ]

    def test_a_name_that_looks_suffixed_is_still_a_name(self) -> None:
        """A name never carries the random suffix that only the ARN has.

        'docker-hubpwd' ends in a hyphen and six letters, like an ARN's suffix,
        but as a name it is the whole name: its ARN is 'docker-hubpwd-XXXXXX'.
        """
        document = task(
            container(
                image="registry.example.com/app:1",
                repositoryCredentials={"credentialsParameter": "docker-hubpwd"},
            )
        )
        policy = derive(document).document

        allowed = Request(
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:docker-hubpwd-AbCdEf",
        )

        assert allows(policy, allowed)

    def test_credentials_in_parameter_store_are_refused(self) -> None:
        """repositoryCredentials takes a Secrets Manager secret only."""
        parameter = "arn:aws:ssm:eu-west-1:111122223333:parameter/registry/creds"
        document = task(
            container(
                image="registry.example.com/app:1",
                repositoryCredentials={"credentialsParameter": parameter},
            )
        )

        with pytest.raises(
            InvalidReferenceError,
            match=r"containerDefinitions\[0\]\.repositoryCredentials\."
            r"credentialsParameter: .* is an ARN of service 'ssm'; "
            r"expected the ARN of a Secrets Manager secret$",
        ):
            derive(document)
