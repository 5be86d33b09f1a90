"""Every shape a task definition is kept in gives the same needs, and its own paths."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_exec_role import (
    InvalidReferenceError,
    InvalidTaskDefinitionError,
    read_documents,
)
from ecs_exec_role import warnings as ids

from .tasks import ACCOUNT, container, derive, secret, statements, task

IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/my-app:1.4.2"
SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:my-app/db-AbCdEf"
WEB = container(image=IMAGE, secrets=[secret(f"{SECRET}:password::", "DB_PASSWORD")])
EXPECTED = [
    {
        "Sid": "EcrAuthorizationToken",
        "Effect": "Allow",
        "Action": "ecr:GetAuthorizationToken",
        "Resource": "*",
    },
    {
        "Sid": "EcrImagePull",
        "Effect": "Allow",
        "Action": [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
        ],
        "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/my-app",
    },
    {
        "Sid": "SecretsManagerRead",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": SECRET,
    },
]


def cloudformation_resource(**properties: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::ECS::TaskDefinition",
        "Properties": {
            "Family": "my-app",
            "RequiresCompatibilities": ["FARGATE"],
            "Cpu": "256",
            "Memory": "512",
            "ContainerDefinitions": [
                {
                    "Name": "web",
                    "Image": IMAGE,
                    "Essential": "true",
                    "Secrets": [
                        {"Name": "DB_PASSWORD", "ValueFrom": f"{SECRET}:password::"}
                    ],
                }
            ],
            **properties,
        },
    }


DESCRIBED = {
    **task(WEB),
    "taskDefinitionArn": "arn:aws:ecs:eu-west-1:111122223333:task-definition/my-app:7",
    "revision": 7,
    "status": "ACTIVE",
    "compatibilities": ["EC2", "FARGATE"],
    "requiresAttributes": [
        {"name": "ecs.capability.secrets.asm.environment-variables"}
    ],
    "registeredAt": "2025-09-01T12:38:29.912000+00:00",
    "registeredBy": "arn:aws:iam::111122223333:user/deployer",
}


@pytest.mark.parametrize(
    ("document", "source"),
    [
        pytest.param(
            task(WEB), "containerDefinitions[0]", id="register-task-definition"
        ),
        pytest.param(DESCRIBED, "containerDefinitions[0]", id="describe-flattened"),
        pytest.param(
            {"taskDefinition": DESCRIBED, "tags": [{"key": "team", "value": "a"}]},
            "taskDefinition.containerDefinitions[0]",
            id="describe-wrapped",
        ),
        pytest.param([WEB], "[0]", id="container-array"),
        pytest.param(WEB, "", id="one-container"),
        pytest.param(
            cloudformation_resource(),
            "Properties.ContainerDefinitions[0]",
            id="cfn-resource",
        ),
        pytest.param(
            {
                "AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {
                    "Bucket": {"Type": "AWS::S3::Bucket"},
                    "Task": cloudformation_resource(),
                },
            },
            "Resources.Task.Properties.ContainerDefinitions[0]",
            id="cfn-template",
        ),
    ],
)
def test_each_shape_gives_the_same_statements_and_its_own_paths(
    document: Any, source: str
) -> None:
    cloudformation = source.startswith(("Properties", "Resources"))
    image = "Image" if cloudformation else "image"
    image_path = f"{source}.{image}" if source else image

    policy = derive(document)

    assert policy.document is not None
    assert policy.document["Statement"] == EXPECTED
    assert policy.statements[1].sources == {
        "arn:aws:ecr:eu-west-1:111122223333:repository/my-app": (image_path,)
    }


def test_json_text_and_bytes_are_read_like_parsed_documents() -> None:
    text = json.dumps(task(WEB))

    from_text = derive(text).document
    from_bytes = derive(text.encode()).document

    assert from_text == from_bytes == derive(task(WEB)).document


def test_a_label_prefixes_every_path() -> None:
    documents = read_documents(json.dumps(task(WEB)), label="web.json")

    (document,) = documents

    assert document.path("containerDefinitions[0].image") == (
        "web.json:containerDefinitions[0].image"
    )


class TestCloudFormation:
    def test_a_template_with_two_task_definitions_gives_one_role_for_both(self) -> None:
        other = cloudformation_resource()
        other["Properties"]["ContainerDefinitions"][0]["Image"] = IMAGE.replace(
            "my-app", "worker"
        )
        template = {"Resources": {"Web": cloudformation_resource(), "Worker": other}}

        result = statements(template)

        assert result[1]["Resource"] == [
            "arn:aws:ecr:eu-west-1:111122223333:repository/my-app",
            "arn:aws:ecr:eu-west-1:111122223333:repository/worker",
        ]

    def test_family_may_be_left_to_cloudformation(self) -> None:
        resource = cloudformation_resource()
        del resource["Properties"]["Family"]

        result = statements(resource)

        assert result == EXPECTED

    def test_an_intrinsic_in_a_setting_nobody_reads_is_carried(self) -> None:
        resource = cloudformation_resource(
            ExecutionRoleArn={"Fn::GetAtt": ["Role", "Arn"]},
            Memory={"Ref": "Memory"},
        )

        result = statements(resource)

        assert result == EXPECTED

    def test_an_intrinsic_in_a_needed_setting_is_refused_with_its_path(self) -> None:
        resource = cloudformation_resource()
        secrets = resource["Properties"]["ContainerDefinitions"][0]["Secrets"]
        secrets[0]["ValueFrom"] = {"Ref": "DbSecret"}

        with pytest.raises(
            InvalidReferenceError,
            match=r"^Properties\.ContainerDefinitions\[0\]\.Secrets\[0\]\.ValueFrom: "
            "is a CloudFormation Ref expression, which only deployment resolves, "
            "and the execution role depends on it",
        ):
            derive(resource)

    def test_a_sub_in_the_image_is_refused(self) -> None:
        resource = cloudformation_resource()
        resource["Properties"]["ContainerDefinitions"][0]["Image"] = {
            "Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/my-app"
        }

        with pytest.raises(
            InvalidReferenceError,
            match=r"Properties\.ContainerDefinitions\[0\]\.Image: is a "
            "CloudFormation Fn::Sub expression",
        ):
            derive(resource)

    @pytest.mark.parametrize(
        ("setting", "value", "path"),
        [
            pytest.param(
                "Secrets",
                {"Fn::If": ["Prod", [{"Name": "A", "ValueFrom": "/a"}], []]},
                "Secrets",
                id="a-list-of-secrets",
            ),
            pytest.param(
                "LogConfiguration",
                {"LogDriver": {"Ref": "Driver"}, "Options": {"awslogs-group": "g"}},
                "LogConfiguration.LogDriver",
                id="the-log-driver",
            ),
            pytest.param(
                "LogConfiguration",
                {
                    "LogDriver": "awslogs",
                    "Options": {
                        "awslogs-group": "g",
                        "awslogs-create-group": {"Fn::If": ["New", "true", "false"]},
                    },
                },
                "LogConfiguration.Options.awslogs-create-group",
                id="awslogs-create-group",
            ),
        ],
    )
    def test_an_intrinsic_that_would_read_as_empty_is_refused(
        self, setting: str, value: Any, path: str
    ) -> None:
        """A stand-in "" or [] would silently grant less than the task needs."""
        resource = cloudformation_resource()
        resource["Properties"]["ContainerDefinitions"][0][setting] = value

        with pytest.raises(
            InvalidReferenceError,
            match=rf"^Properties\.ContainerDefinitions\[0\]\.{path}: is a "
            "CloudFormation (Fn::If|Ref) expression",
        ):
            derive(resource)

    def test_an_intrinsic_in_an_option_nobody_reads_is_carried(self) -> None:
        resource = cloudformation_resource()
        resource["Properties"]["ContainerDefinitions"][0]["LogConfiguration"] = {
            "LogDriver": "awslogs",
            "Options": {
                "awslogs-group": "/ecs/my-app",
                "awslogs-datetime-format": {"Ref": "Format"},
            },
        }

        result = statements(resource)

        assert [s["Sid"] for s in result] == [
            "EcrAuthorizationToken",
            "EcrImagePull",
            "LogsWrite",
            "SecretsManagerRead",
        ]

    def test_an_unknown_property_is_refused_as_cloudformation_would(self) -> None:
        resource = cloudformation_resource()
        resource["Properties"]["ContainerDefinitions"][0]["Memoryy"] = 512

        with pytest.raises(
            InvalidTaskDefinitionError,
            match=r"^Properties\.ContainerDefinitions\[0\]\.Memoryy: 'Memoryy' is not "
            "a setting the ECS API knows here; expected one of name, image",
        ):
            derive(resource)

    def test_a_template_without_a_task_definition_is_refused(self) -> None:
        template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}

        with pytest.raises(
            InvalidTaskDefinitionError,
            match="the template holds no AWS::ECS::TaskDefinition resource",
        ):
            read_documents(template)


class TestSettingsEcsDoesNotKnow:
    def test_an_unknown_key_is_dropped_with_a_warning(self) -> None:
        """ECS and the SDKs drop keys their model lacks: a value there is never read."""
        document = task(
            container(
                image=IMAGE,
                environment=[
                    {"name": "MODE", "value": "prod"},
                    {"name": "TOKEN", "valueFrom": f"{SECRET}:token::"},
                ],
            )
        )

        policy = derive(document)

        assert [s["Sid"] for s in policy.document["Statement"]] == [  # type: ignore[index]
            "EcrAuthorizationToken",
            "EcrImagePull",
        ]
        (warning,) = policy.derivation.warnings
        assert warning.id == ids.UNKNOWN_SETTING
        assert warning.path == "containerDefinitions[0].environment[1].valueFrom"

    def test_an_unknown_key_in_a_container_array_is_dropped_too(self) -> None:
        document = [
            {**container(image=IMAGE), "executionRoleArn": "arn:aws:iam::1:role/x"}
        ]

        policy = derive(document)

        assert [w.path for w in policy.derivation.warnings] == ["[0].executionRoleArn"]


class TestContainersWithoutImages:
    """Deploy tools fill the image in later; the rest of the task is still granted."""

    def test_a_container_without_an_image_is_granted_the_rest_with_a_warning(
        self,
    ) -> None:
        document = task({"name": "app", "secrets": [secret("/my-app/flag")]})

        policy = derive(document)

        assert [s["Sid"] for s in policy.document["Statement"]] == ["SsmParameterRead"]  # type: ignore[index]
        (warning,) = policy.derivation.warnings
        assert warning.id == ids.IMAGE_NOT_GIVEN
        assert warning.path == "containerDefinitions[0]"
        assert "'app' has no image yet" in warning.message

    def test_an_empty_image_warns_at_the_image(self) -> None:
        document = task(container(name="session", image=""))

        policy = derive(document)

        assert [(w.id, w.path) for w in policy.derivation.warnings] == [
            (ids.IMAGE_NOT_GIVEN, "containerDefinitions[0].image"),
            (ids.NO_EXECUTION_ROLE_NEEDED, ""),
        ]


def test_nulls_are_read_as_unset() -> None:
    document = task(container(image=IMAGE, secrets=None, logConfiguration=None))

    result = statements(document, account=ACCOUNT)

    assert [s["Sid"] for s in result] == ["EcrAuthorizationToken", "EcrImagePull"]
