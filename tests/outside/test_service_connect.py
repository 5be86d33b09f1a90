"""Service Connect: the proxy's logs, delivered with the task's execution role."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecs_exec_role import (
    InvalidReferenceError,
    InvalidTaskDefinitionError,
    LogDelivery,
    RolePolicy,
    derive_policy,
)
from ecs_exec_role import warnings as ids
from ecs_exec_role.pipeline import read_documents
from ecs_exec_role.service_connect import ServiceDocument, read_services

from .documents import (
    ACCOUNT,
    KEY_ARN,
    REGION,
    awslogs,
    create_service,
    deployment,
    described_service,
    logs_write,
    service_connect,
    task,
)

PROXY_LOGS = awslogs("/ecs/my-app/proxy", **{"awslogs-stream-prefix": "proxy"})
PROXY_STREAMS = (
    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/my-app/proxy:log-stream:proxy/*"
)


def derive(services: list[ServiceDocument], **options: Any) -> RolePolicy:
    """The policy of a Fargate task with a public image, run by ``services``."""
    return derive_policy(
        read_documents(task()),
        region=REGION,
        account=ACCOUNT,
        services=services,
        runtime_monitoring=False,
        **options,
    )


class TestCreateServiceInput:
    def test_the_proxys_log_group_is_granted_like_a_containers(self) -> None:
        document = create_service(
            serviceConnectConfiguration=service_connect(PROXY_LOGS)
        )

        policy = derive(read_services(document))

        assert policy.document == {
            "Version": "2012-10-17",
            "Statement": [logs_write(PROXY_STREAMS)],
        }

    def test_the_need_names_the_json_path_in_the_service_file(self) -> None:
        document = create_service(
            serviceConnectConfiguration=service_connect(PROXY_LOGS)
        )

        policy = derive(read_services(json.dumps(document), label="service.json"))

        (need,) = policy.derivation.needs
        assert isinstance(need, LogDelivery)
        assert policy.derivation.sources[need] == (
            (
                "service.json:serviceConnectConfiguration.logConfiguration.options"
                ".awslogs-group"
            ),
        )

    def test_create_group_adds_the_groups_creation(self) -> None:
        logs = awslogs("/ecs/proxy", **{"awslogs-create-group": "true"})
        document = create_service(serviceConnectConfiguration=service_connect(logs))

        policy = derive(read_services(document))

        group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/proxy"
        assert policy.document is not None
        assert policy.document["Statement"] == [
            logs_write(f"{group}:log-stream:*"),
            {
                "Sid": "LogsCreateGroup",
                "Effect": "Allow",
                "Action": "logs:CreateLogGroup",
                "Resource": f"{group}:*",
            },
        ]

    def test_awslogs_region_names_the_groups_region(self) -> None:
        logs = awslogs("/ecs/proxy", **{"awslogs-region": "us-east-1"})
        document = create_service(serviceConnectConfiguration=service_connect(logs))

        policy = derive(read_services(document))

        assert policy.document is not None
        assert policy.document["Statement"] == [
            logs_write(
                f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/proxy:log-stream:*"
            )
        ]

    def test_a_secret_option_is_read_and_its_key_used_via_secrets_manager(
        self,
    ) -> None:
        secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:splunk-AbC123"
        logs = {
            "logDriver": "splunk",
            "options": {"splunk-url": "https://splunk.example.com:8088"},
            "secretOptions": [{"name": "splunk-token", "valueFrom": secret}],
        }
        document = create_service(serviceConnectConfiguration=service_connect(logs))

        policy = derive(read_services(document), kms_keys={secret: KEY_ARN})

        assert policy.document is not None
        assert policy.document["Statement"] == [
            {
                "Sid": "SecretsManagerRead",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret,
            },
            {
                "Sid": "KmsDecryptViaSecretsmanagerEuWest1",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": KEY_ARN,
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"
                    }
                },
            },
        ]

    def test_a_service_without_service_connect_needs_nothing(self) -> None:
        policy = derive(read_services(create_service()))

        assert policy.document is None

    def test_service_connect_without_logs_needs_nothing(self) -> None:
        config = {"enabled": True, "namespace": "my-namespace"}
        document = create_service(serviceConnectConfiguration=config)

        policy = derive(read_services(document))

        assert policy.document is None

    def test_tls_is_said_to_use_the_infrastructure_role(self) -> None:
        tls = {
            "issuerCertificateAuthority": {
                "awsPcaAuthorityArn": (
                    f"arn:aws:acm-pca:{REGION}:{ACCOUNT}:certificate-authority/ca"
                )
            },
            "roleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole",
        }
        config = service_connect(
            PROXY_LOGS, services=[{"portName": "http", "tls": tls}]
        )

        policy = derive(
            read_services(create_service(serviceConnectConfiguration=config))
        )

        assert policy.document is not None
        assert policy.document["Statement"] == [logs_write(PROXY_STREAMS)]
        assert [(w.id, w.path) for w in policy.derivation.warnings] == [
            (ids.NOT_EXECUTION_ROLE, "serviceConnectConfiguration.services[0].tls")
        ]

    def test_an_unknown_key_is_dropped_with_a_warning(self) -> None:
        document = create_service(
            serviceConnectConfiguration=service_connect(PROXY_LOGS), colour="blue"
        )

        policy = derive(read_services(document))

        assert [(w.id, w.path) for w in policy.derivation.warnings] == [
            (ids.UNKNOWN_SETTING, "colour")
        ]


class TestDescribeServicesOutput:
    def test_every_deployments_service_connect_logs_are_granted(self) -> None:
        """Tasks of the older deployment keep running until the newer one is done."""
        old = awslogs("/ecs/my-app/proxy-v1")
        document = {
            "services": [
                described_service(
                    deployment(
                        4,
                        "PRIMARY",
                        serviceConnectConfiguration=service_connect(PROXY_LOGS),
                    ),
                    deployment(
                        3, "ACTIVE", serviceConnectConfiguration=service_connect(old)
                    ),
                )
            ],
            "failures": [],
        }

        policy = derive(read_services(document, label="describe.json"))

        group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group"
        assert policy.document is not None
        assert policy.document["Statement"] == [
            logs_write(
                f"{group}:/ecs/my-app/proxy-v1:log-stream:*",
                f"{group}:/ecs/my-app/proxy:log-stream:proxy/*",
            )
        ]
        assert [list(paths) for paths in policy.derivation.sources.values()] == [
            [
                (
                    "describe.json:services[0].deployments[0]"
                    ".serviceConnectConfiguration.logConfiguration.options"
                    ".awslogs-group"
                )
            ],
            [
                (
                    "describe.json:services[0].deployments[1]"
                    ".serviceConnectConfiguration.logConfiguration.options"
                    ".awslogs-group"
                )
            ],
        ]

    def test_each_described_service_is_read(self) -> None:
        first = described_service(
            deployment(
                1, "PRIMARY", serviceConnectConfiguration=service_connect(PROXY_LOGS)
            )
        )
        second = {**described_service(), "serviceName": "api"}

        services = read_services({"services": [first, second], "failures": []})

        assert [(s.name, s.shape, s.prefix) for s in services] == [
            ("web", "Service", "services[0]"),
            ("api", "Service", "services[1]"),
        ]

    def test_create_service_output_is_read_under_its_service_key(self) -> None:
        document = {
            "service": described_service(
                deployment(
                    1,
                    "PRIMARY",
                    serviceConnectConfiguration=service_connect(PROXY_LOGS),
                )
            )
        }

        policy = derive(read_services(document))

        (paths,) = policy.derivation.sources.values()
        assert paths == (
            (
                "service.deployments[0].serviceConnectConfiguration.logConfiguration"
                ".options.awslogs-group"
            ),
        )

    def test_a_single_described_service_is_read_as_it_is(self) -> None:
        document = described_service(
            deployment(
                1, "PRIMARY", serviceConnectConfiguration=service_connect(PROXY_LOGS)
            )
        )

        policy = derive(read_services(document))

        assert policy.document is not None
        assert policy.document["Statement"] == [logs_write(PROXY_STREAMS)]

    def test_output_keys_that_the_model_does_not_know_are_dropped_quietly(
        self,
    ) -> None:
        """Newer APIs describe more than botocore's model knows; nobody wrote it."""
        service = {**described_service(), "someNewField": {"x": 1}}

        policy = derive(read_services({"services": [service]}))

        assert ids.UNKNOWN_SETTING not in [w.id for w in policy.derivation.warnings]

    def test_no_service_described_is_an_error_with_the_failures(self) -> None:
        document = {
            "services": [],
            "failures": [
                {
                    "arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/my-cluster/web",
                    "reason": "MISSING",
                }
            ],
        }

        with pytest.raises(InvalidTaskDefinitionError, match="describes no service"):
            read_services(document, label="describe.json")


class TestExplicitLogConfiguration:
    def test_a_log_configuration_alone_is_read_as_a_services(self) -> None:
        service = ServiceDocument.from_log_configuration(PROXY_LOGS, label="web")

        policy = derive([service])

        assert policy.document is not None
        assert policy.document["Statement"] == [logs_write(PROXY_STREAMS)]
        assert service.name == "web"


class TestBadDocuments:
    def test_a_document_of_no_service_shape_is_refused(self) -> None:
        with pytest.raises(
            InvalidTaskDefinitionError, match="is not an ECS service: it has no"
        ):
            read_services({"containerDefinitions": []})

    def test_a_json_array_is_refused(self) -> None:
        with pytest.raises(InvalidTaskDefinitionError, match="is a JSON list"):
            read_services([create_service()])

    def test_a_setting_of_the_wrong_type_names_its_path(self) -> None:
        document = create_service(
            serviceConnectConfiguration={"enabled": "yes", "namespace": "ns"}
        )

        with pytest.raises(InvalidTaskDefinitionError) as raised:
            read_services(document, label="service.json")

        assert raised.value.path == "service.json:serviceConnectConfiguration.enabled"
        assert "expects a boolean" in str(raised.value)

    def test_a_described_service_of_the_wrong_type_names_its_path(self) -> None:
        with pytest.raises(InvalidTaskDefinitionError) as raised:
            read_services({"services": [{"serviceName": 7}]})

        assert raised.value.path == "services[0].serviceName"

    def test_an_awslogs_configuration_without_a_group_is_refused(self) -> None:
        logs = {"logDriver": "awslogs", "options": {"awslogs-region": REGION}}
        document = create_service(serviceConnectConfiguration=service_connect(logs))

        with pytest.raises(InvalidReferenceError, match="needs an 'awslogs-group'"):
            derive(read_services(document))

    def test_a_file_that_cannot_be_read_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(InvalidTaskDefinitionError, match="cannot read"):
            read_services(tmp_path / "missing.json")

    def test_a_file_is_read_by_its_path(self, tmp_path: Path) -> None:
        path = tmp_path / "service.json"
        document = create_service(
            serviceConnectConfiguration=service_connect(PROXY_LOGS)
        )
        path.write_text(json.dumps(document), encoding="utf-8")

        (service,) = read_services(path)

        assert service.label == ""
        assert service.path("serviceConnectConfiguration") == (
            "serviceConnectConfiguration"
        )
