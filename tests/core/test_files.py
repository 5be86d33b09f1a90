"""S3 files (environment files, FireLens configuration), gMSA credential specs, FSx."""

from __future__ import annotations

import pytest

from ecs_exec_role import InvalidReferenceError
from ecs_exec_role import warnings as ids

from .iam_oracle import Request, allows
from .tasks import allow, container, derive, statements, task, warning_ids


def object_read(*objects: str) -> dict[str, object]:
    return allow("S3ObjectRead", ["s3:GetObject"], objects)


def bucket_location(*buckets: str) -> dict[str, object]:
    return allow("S3BucketLocation", ["s3:GetBucketLocation"], buckets)


class TestEnvironmentFiles:
    def test_each_file_is_read_and_its_bucket_located(self) -> None:
        document = task(
            container(
                environmentFiles=[
                    {"type": "s3", "value": "arn:aws:s3:::my-app-config/prod/app.env"},
                    {"type": "s3", "value": "arn:aws:s3:::my-app-shared/common.env"},
                ]
            )
        )

        result = statements(document)

        assert result == [
            object_read(
                "arn:aws:s3:::my-app-config/prod/app.env",
                "arn:aws:s3:::my-app-shared/common.env",
            ),
            bucket_location("arn:aws:s3:::my-app-config", "arn:aws:s3:::my-app-shared"),
        ]

    def test_a_question_mark_in_a_key_is_granted_as_itself(self) -> None:
        """IAM reads '?' as any one character; '${?}' is the character itself."""
        document = task(
            container(
                environmentFiles=[{"type": "s3", "value": "arn:aws:s3:::cfg/a?b.env"}]
            )
        )

        policy = derive(document).document

        assert object_read("arn:aws:s3:::cfg/a${?}b.env") in policy["Statement"]  # type: ignore[index]
        assert allows(policy, Request("s3:GetObject", "arn:aws:s3:::cfg/a?b.env"))
        assert not allows(policy, Request("s3:GetObject", "arn:aws:s3:::cfg/aXb.env"))

    def test_a_file_in_china_keeps_the_china_partition(self) -> None:
        document = task(
            container(
                environmentFiles=[{"type": "s3", "value": "arn:aws-cn:s3:::cfg/a.env"}]
            )
        )

        result = statements(document, region="cn-north-1")

        assert result == [
            object_read("arn:aws-cn:s3:::cfg/a.env"),
            bucket_location("arn:aws-cn:s3:::cfg"),
        ]

    def test_a_files_key_is_decrypted_via_s3(self) -> None:
        file = "arn:aws:s3:::my-app-config/prod/app.env"
        key = (
            "arn:aws:kms:eu-west-1:111122223333:key/"
            "0000abcd-12ab-34cd-56ef-1234567890ab"
        )
        document = task(container(environmentFiles=[{"type": "s3", "value": file}]))

        result = statements(document, kms_keys={"my-app-config": key})

        (decrypt,) = [s for s in result if s["Sid"].startswith("Kms")]
        assert decrypt == allow(
            "KmsDecryptViaS3EuWest1",
            ["kms:Decrypt"],
            [key],
            condition={
                "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
            },
        )


class TestFireLens:
    CONFIG = "arn:aws:s3:::my-app-logging/fluent-bit/extra.conf"

    def router(self) -> dict[str, object]:
        return container(
            name="log_router",
            image="public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
            firelensConfiguration={
                "type": "fluentbit",
                "options": {"config-file-type": "s3", "config-file-value": self.CONFIG},
            },
        )

    def test_an_s3_configuration_on_ec2_is_read_like_a_file(self) -> None:
        document = task(self.router(), requiresCompatibilities=["EC2"])

        policy = derive(document)

        assert policy.document == {
            "Version": "2012-10-17",
            "Statement": [
                object_read(self.CONFIG),
                bucket_location("arn:aws:s3:::my-app-logging"),
            ],
        }
        assert policy.derivation.warnings == ()

    def test_an_s3_configuration_on_a_fargate_only_task_is_refused(self) -> None:
        document = task(self.router(), requiresCompatibilities=["FARGATE"])

        with pytest.raises(
            InvalidReferenceError,
            match=r"containerDefinitions\[0\]\.firelensConfiguration\.options"
            r"\.config-file-type: .*'s3' is not supported on AWS Fargate; use "
            r"config-file-type 'file'",
        ):
            derive(document)

    def test_a_described_fargate_only_task_is_refused_whatever_it_is_compatible_with(
        self,
    ) -> None:
        """describe-task-definition adds 'compatibilities'; the requirement decides."""
        document = task(
            self.router(),
            requiresCompatibilities=["FARGATE"],
            compatibilities=["EC2", "FARGATE"],
            taskDefinitionArn="arn:aws:ecs:eu-west-1:111122223333:task-definition/a:1",
            revision=1,
            status="ACTIVE",
        )

        with pytest.raises(InvalidReferenceError, match="not supported on AWS Fargate"):
            derive(document)

    def test_a_described_task_requiring_nothing_is_judged_by_its_compatibilities(
        self,
    ) -> None:
        document = task(
            self.router(),
            compatibilities=["EC2", "FARGATE"],
            taskDefinitionArn="arn:aws:ecs:eu-west-1:111122223333:task-definition/a:1",
            revision=1,
            status="ACTIVE",
        )

        policy = derive(document, runtime_monitoring=False)

        assert [w.id for w in policy.derivation.warnings] == [
            ids.FIRELENS_S3_CONFIG_ON_FARGATE
        ]

    def test_an_s3_configuration_for_ec2_and_fargate_is_granted_with_a_warning(
        self,
    ) -> None:
        document = task(self.router(), requiresCompatibilities=["EC2", "FARGATE"])

        result = statements(document)

        assert [s["Sid"] for s in result] == ["S3ObjectRead", "S3BucketLocation"]
        assert warning_ids(document) == [
            ids.FIRELENS_S3_CONFIG_ON_FARGATE,
            ids.GUARDDUTY_AGENT_NOT_GRANTED,
        ]

    def test_a_file_configuration_needs_no_grant(self) -> None:
        document = task(
            container(
                firelensConfiguration={
                    "type": "fluentbit",
                    "options": {
                        "config-file-type": "file",
                        "config-file-value": "/fluent-bit/etc/extra.conf",
                    },
                }
            ),
            requiresCompatibilities=["FARGATE"],
        )

        policy = derive(document)

        assert policy.document is None


class TestCredentialSpecs:
    def test_a_credential_spec_in_s3_is_read_with_its_bucket_located(self) -> None:
        document = task(
            container(
                credentialSpecs=["credentialspec:arn:aws:s3:::gmsa/specs/web.json"]
            )
        )

        result = statements(document)

        assert result == [
            object_read("arn:aws:s3:::gmsa/specs/web.json"),
            bucket_location("arn:aws:s3:::gmsa"),
        ]

    def test_a_domainless_spec_in_ssm_is_read_and_warns_about_its_domain_secret(
        self,
    ) -> None:
        spec = "arn:aws:ssm:eu-west-1:111122223333:parameter/gmsa/web"
        document = task(container(credentialSpecs=[f"credentialspecdomainless:{spec}"]))

        policy = derive(document)

        assert policy.document is not None
        assert policy.document["Statement"] == [
            allow("SsmParameterRead", ["ssm:GetParameters"], [spec])
        ]
        (warning,) = policy.derivation.warnings
        assert warning.id == ids.DOMAINLESS_GMSA_SECRET
        assert warning.path == "containerDefinitions[0].credentialSpecs[0]"


class TestFsxForWindows:
    def fsx_task(self, credentials: str) -> dict[str, object]:
        return task(
            container(image="mcr.microsoft.com/windows/servercore/iis"),
            volumes=[
                {
                    "name": "fsx",
                    "fsxWindowsFileServerVolumeConfiguration": {
                        "fileSystemId": "fs-0123456789abcdef0",
                        "rootDirectory": "share",
                        "authorizationConfig": {
                            "credentialsParameter": credentials,
                            "domain": "example.com",
                        },
                    },
                }
            ],
        )

    def test_credentials_in_secrets_manager_are_read(self) -> None:
        arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:fsx-creds-AbCdEf"

        result = statements(self.fsx_task(arn))

        assert result == [
            allow("SecretsManagerRead", ["secretsmanager:GetSecretValue"], [arn])
        ]

    def test_credentials_in_parameter_store_are_read(self) -> None:
        arn = "arn:aws:ssm:eu-west-1:111122223333:parameter/fsx/creds"

        result = statements(self.fsx_task(arn))

        assert result == [allow("SsmParameterRead", ["ssm:GetParameters"], [arn])]

    def test_credentials_given_by_name_are_refused(self) -> None:
        """The API takes the ARN of the secret or parameter here, never a name."""
        document = self.fsx_task("fsx-creds")

        with pytest.raises(
            InvalidReferenceError,
            match=r"volumes\[0\]\.fsxWindowsFileServerVolumeConfiguration"
            r"\.authorizationConfig\.credentialsParameter: credentialsParameter "
            r"'fsx-creds' is not an ARN",
        ):
            derive(document)
