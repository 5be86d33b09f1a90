"""Secrets Manager and Parameter Store values, in every form valueFrom takes."""

from __future__ import annotations

import pytest

from ecs_exec_role import warnings as ids

from .iam_oracle import Request, allows
from .tasks import allow, container, derive, secret, statements, task

SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/db-AbCdEf"
GET_SECRET = ["secretsmanager:GetSecretValue"]
GET_PARAMETERS = ["ssm:GetParameters"]


def secrets_read(*resources: str) -> dict[str, object]:
    return allow("SecretsManagerRead", GET_SECRET, resources)


def parameters_read(*resources: str) -> dict[str, object]:
    return allow("SsmParameterRead", GET_PARAMETERS, resources)


class TestSecretsManager:
    @pytest.mark.parametrize(
        "value_from",
        [
            pytest.param(SECRET, id="full-arn"),
            pytest.param(f"{SECRET}:password::", id="json-key"),
            pytest.param(f"{SECRET}::AWSPREVIOUS:", id="version-stage"),
            pytest.param(
                f"{SECRET}:::9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE", id="version-id"
            ),
            pytest.param(f"{SECRET}:password:AWSCURRENT:", id="json-key-and-stage"),
        ],
    )
    def test_selectors_are_stripped_to_the_secrets_own_arn(
        self, value_from: str
    ) -> None:
        document = task(container(secrets=[secret(value_from)]))

        policy = derive(document)

        assert policy.document == {
            "Version": "2012-10-17",
            "Statement": [secrets_read(SECRET)],
        }
        assert policy.derivation.warnings == ()

    def test_a_partial_arn_grants_exactly_six_more_characters_and_warns(self) -> None:
        partial = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/api-key"
        document = task(container(secrets=[secret(partial)]))

        policy = derive(document)

        assert policy.document is not None
        assert policy.document["Statement"] == [secrets_read(f"{partial}-??????")]
        (warning,) = policy.derivation.warnings
        assert warning.id == ids.PARTIAL_SECRET_ARN
        assert warning.path == "containerDefinitions[0].secrets[0].valueFrom"
        assert allows(policy.document, Request(GET_SECRET[0], f"{partial}-Qw3rTy"))
        assert not allows(
            policy.document, Request(GET_SECRET[0], f"{partial}-old-Qw3rTy")
        )

    def test_an_arn_ending_in_a_word_is_granted_as_written_and_warned(self) -> None:
        """'my-secret' may be the secret 'my' with suffix 'secret', or a partial ARN.

        Granting 'my-secret-??????' too would reach a second secret; the user is
        told instead.
        """
        arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-secret"
        document = task(container(secrets=[secret(arn)]))

        policy = derive(document)

        assert policy.document is not None
        assert policy.document["Statement"] == [secrets_read(arn)]
        (warning,) = policy.derivation.warnings
        assert warning.id == ids.PARTIAL_SECRET_ARN
        assert (
            "if 'my-secret' is the whole name, the grant misses it" in warning.message
        )

    def test_a_random_looking_suffix_is_not_warned(self) -> None:
        arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/db-AbC12x"

        policy = derive(task(container(secrets=[secret(arn)])))

        assert policy.derivation.warnings == ()

    def test_a_partial_arn_with_a_json_key_is_stripped_then_widened(self) -> None:
        partial = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/db"
        document = task(container(secrets=[secret(f"{partial}:password::")]))

        result = statements(document)

        assert result == [secrets_read(f"{partial}-??????")]

    def test_log_secret_options_are_read_like_secrets(self) -> None:
        token = (
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:splunk-token-Zx9Yw8"
        )
        document = task(
            container(
                logConfiguration={
                    "logDriver": "splunk",
                    "options": {"splunk-url": "https://splunk.example.com:8088"},
                    "secretOptions": [secret(token, name="splunk-token")],
                }
            )
        )

        result = statements(document)

        assert result == [secrets_read(token)]

    def test_only_get_secret_value_is_granted(self) -> None:
        document = task(container(secrets=[secret(SECRET)]))

        result = statements(document)

        assert [s["Action"] for s in result] == ["secretsmanager:GetSecretValue"]


class TestParameterStore:
    PARAMETER = "arn:aws:ssm:eu-west-1:111122223333:parameter/my-app/prod/DB_URL"

    @pytest.mark.parametrize(
        ("value_from", "resource"),
        [
            pytest.param("/my-app/prod/DB_URL", PARAMETER, id="leading-slash"),
            pytest.param(
                "API_TOKEN",
                "arn:aws:ssm:eu-west-1:111122223333:parameter/API_TOKEN",
                id="flat-name",
            ),
            pytest.param("my-app/prod/DB_URL", PARAMETER, id="path-without-slash"),
            pytest.param(PARAMETER, PARAMETER, id="arn"),
            pytest.param(
                "arn:aws:ssm:us-east-1:111122223333:parameter/shared/flag",
                "arn:aws:ssm:us-east-1:111122223333:parameter/shared/flag",
                id="other-region",
            ),
        ],
    )
    def test_every_form_names_one_parameter_arn(
        self, value_from: str, resource: str
    ) -> None:
        document = task(container(secrets=[secret(value_from)]))

        result = statements(document)

        assert result == [parameters_read(resource)]

    def test_a_bare_name_is_in_the_tasks_region_and_account(self) -> None:
        document = task(container(secrets=[secret("/app/flag")]))

        result = statements(document, region="ap-southeast-2", account="777788889999")

        assert result == [
            parameters_read(
                "arn:aws:ssm:ap-southeast-2:777788889999:parameter/app/flag"
            )
        ]

    def test_a_bare_name_in_govcloud_takes_the_govcloud_partition(self) -> None:
        document = task(container(secrets=[secret("/app/flag")]))

        result = statements(document, region="us-gov-west-1")

        assert result == [
            parameters_read(
                "arn:aws-us-gov:ssm:us-gov-west-1:111122223333:parameter/app/flag"
            )
        ]

    def test_a_secrets_manager_reference_reads_the_parameter_and_the_secret(
        self,
    ) -> None:
        document = task(
            container(secrets=[secret("/aws/reference/secretsmanager/my-app/db")])
        )

        result = statements(document)

        assert result == [
            secrets_read(
                "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/db-??????"
            ),
            parameters_read(
                "arn:aws:ssm:eu-west-1:111122223333:parameter/aws/reference/secretsmanager/my-app/db"
            ),
        ]


class TestKeys:
    """A customer-managed key is decrypted only via the service that holds the value."""

    KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    def decrypt(
        self, sid: str, service: str, key: str | None = None
    ) -> dict[str, object]:
        return allow(
            sid,
            ["kms:Decrypt"],
            [key or self.KEY],
            condition={"StringEquals": {"kms:ViaService": service}},
        )

    def test_a_secrets_key_is_decrypted_via_secrets_manager_in_its_region(self) -> None:
        document = task(container(secrets=[secret(f"{SECRET}:password::")]))

        result = statements(document, kms_keys={SECRET: self.KEY})

        assert result == [
            secrets_read(SECRET),
            self.decrypt(
                "KmsDecryptViaSecretsmanagerEuWest1",
                "secretsmanager.eu-west-1.amazonaws.com",
            ),
        ]

    def test_a_parameters_key_is_decrypted_via_ssm_in_the_parameters_region(
        self,
    ) -> None:
        parameter = "arn:aws:ssm:us-east-1:111122223333:parameter/shared/token"
        key = (
            "arn:aws:kms:us-east-1:111122223333:key/"
            "0000abcd-12ab-34cd-56ef-1234567890ab"
        )
        document = task(container(secrets=[secret(parameter)]))

        result = statements(document, kms_keys={parameter: key})

        assert result == [
            parameters_read(parameter),
            self.decrypt("KmsDecryptViaSsmUsEast1", "ssm.us-east-1.amazonaws.com", key),
        ]

    def test_a_key_may_be_named_by_the_parameters_name(self) -> None:
        document = task(container(secrets=[secret("/my-app/token")]))

        result = statements(document, kms_keys={"/my-app/token": self.KEY})

        assert result[-1] == self.decrypt(
            "KmsDecryptViaSsmEuWest1", "ssm.eu-west-1.amazonaws.com"
        )

    def test_a_referenced_secrets_key_is_decrypted_via_secrets_manager(self) -> None:
        """Parameter Store passes the request on; Secrets Manager calls KMS."""
        reference = "/aws/reference/secretsmanager/my-app/db"
        document = task(container(secrets=[secret(reference)]))

        policy = derive(document, kms_keys={reference: self.KEY}).document

        via_secrets_manager = {
            "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"
        }
        assert allows(policy, Request("kms:Decrypt", self.KEY, via_secrets_manager))

    def test_a_china_key_is_decrypted_via_either_name_of_the_china_endpoint(
        self,
    ) -> None:
        secret_arn = (
            "arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:db-AbCdEf"
        )
        key = (
            "arn:aws-cn:kms:cn-north-1:111122223333:key/"
            "0000abcd-12ab-34cd-56ef-1234567890ab"
        )
        document = task(container(secrets=[secret(secret_arn)]))

        result = statements(document, region="cn-north-1", kms_keys={secret_arn: key})

        assert result[-1] == allow(
            "KmsDecryptViaSecretsmanagerCnNorth1",
            ["kms:Decrypt"],
            [key],
            condition={
                "StringEquals": {
                    "kms:ViaService": [
                        "secretsmanager.cn-north-1.amazonaws.com",
                        "secretsmanager.cn-north-1.amazonaws.com.cn",
                    ]
                }
            },
        )

    def test_values_on_aws_managed_keys_need_no_decrypt(self) -> None:
        document = task(container(secrets=[secret(SECRET), secret("/my-app/flag")]))

        result = statements(document)

        assert all(not s["Sid"].startswith("Kms") for s in result)
