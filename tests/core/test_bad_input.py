"""Bad input: the package's own error, naming the JSON path, quoting the value,
saying what would be right; never a broader policy, never a traceback."""

from __future__ import annotations

import pytest

from ecs_exec_role import (
    ExecutionRoleError,
    InvalidReferenceError,
    InvalidSettingsError,
    InvalidTaskDefinitionError,
    read_documents,
)

from .tasks import KEY_ARN, container, derive, secret, task

VALUE_FROM = r"containerDefinitions\[0\]\.secrets\[0\]\.valueFrom: "


def with_value_from(value_from: str) -> dict[str, object]:
    return task(container(secrets=[secret(value_from)]))


def test_every_error_is_a_value_error() -> None:
    assert issubclass(ExecutionRoleError, ValueError)
    assert issubclass(InvalidReferenceError, ExecutionRoleError)
    assert issubclass(InvalidTaskDefinitionError, ExecutionRoleError)
    assert issubclass(InvalidSettingsError, ExecutionRoleError)


class TestMalformedArns:
    def test_too_few_fields(self) -> None:
        document = with_value_from("arn:aws:ssm:eu-west-1")

        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM + r"'arn:aws:ssm:eu-west-1' is not an ARN of the form "
            r"arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE",
        ) as raised:
            derive(document)

        assert raised.value.path == "containerDefinitions[0].secrets[0].valueFrom"
        assert raised.value.value == "arn:aws:ssm:eu-west-1"

    def test_a_missing_field_shifts_the_others(self) -> None:
        value = "arn:aws:secretsmanager:eu-west-1:secret:db-AbCdEf"

        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM + f"'{value}' has 'secret' where the account goes, not "
            r"a 12-digit AWS account id \(arn:PARTITION:SERVICE:REGION:ACCOUNT:"
            r"RESOURCE\)",
        ):
            derive(with_value_from(value))

    def test_an_eleven_digit_account(self) -> None:
        value = "arn:aws:secretsmanager:eu-west-1:11112222333:secret:db-AbCdEf"

        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM + f"'{value}' has '11112222333' where the account goes",
        ):
            derive(with_value_from(value))

    def test_an_eleven_digit_account_in_an_image_host(self) -> None:
        image = "11112222333.dkr.ecr.eu-west-1.amazonaws.com/my-app:1"

        with pytest.raises(
            InvalidReferenceError,
            match=r"containerDefinitions\[0\]\.image: the account of image "
            f"'{image}' is '11112222333', not a 12-digit AWS account id",
        ):
            derive(task(container(image=image)))

    def test_a_parameter_arn_with_a_colon_for_a_slash(self) -> None:
        value = "arn:aws:ssm:eu-west-1:111122223333:parameter:my-app/flag"

        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM + f"'{value}' is not an SSM parameter ARN; expected "
            r"arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME",
        ):
            derive(with_value_from(value))

    def test_a_parameter_arn_with_a_double_slash(self) -> None:
        value = "arn:aws:ssm:eu-west-1:111122223333:parameter//my-app/flag"

        with pytest.raises(InvalidReferenceError, match=VALUE_FROM + f"'{value}'"):
            derive(with_value_from(value))

    def test_an_arn_of_another_service(self) -> None:
        value = "arn:aws:s3:::bucket/key"

        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM
            + f"valueFrom '{value}' is an ARN of service 's3'; expected "
            "the ARN of a Secrets Manager secret or an SSM parameter",
        ):
            derive(with_value_from(value))


class TestPartitions:
    def test_a_partition_that_does_not_hold_the_region(self) -> None:
        value = "arn:aws:secretsmanager:cn-north-1:111122223333:secret:my-app/a-AbCdEf"

        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM + f"'{value}' uses partition 'aws' but Region cn-north-1 "
            "belongs to partition 'aws-cn'",
        ):
            derive(with_value_from(value), region="cn-north-1")

    def test_an_unknown_partition(self) -> None:
        value = "arn:aws-moon:ssm:cn-north-1:111122223333:parameter/my-app/b"

        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM + f"'{value}': unknown partition 'aws-moon'; expected one "
            r"of aws, aws-cn, .*aws-us-gov",
        ):
            derive(with_value_from(value))

    def test_an_image_host_of_another_partition(self) -> None:
        image = "111122223333.dkr.ecr.us-gov-west-1.amazonaws.com.cn/my-app"

        with pytest.raises(
            InvalidReferenceError,
            match=r"containerDefinitions\[0\]\.image: image host .* ends in "
            r"'amazonaws\.com\.cn', but Region us-gov-west-1 belongs to partition "
            "'aws-us-gov'",
        ):
            derive(task(container(image=image)))

    def test_a_task_partition_that_does_not_hold_the_task_region(self) -> None:
        with pytest.raises(
            InvalidReferenceError,
            match="partition 'aws-cn' does not hold Region eu-west-1, which belongs "
            "to partition 'aws'",
        ):
            derive(task(container()), region="eu-west-1", partition="aws-cn")

    def test_an_unknown_task_partition(self) -> None:
        with pytest.raises(InvalidReferenceError, match="unknown partition 'aws-moon'"):
            derive(task(container()), region=None, partition="aws-moon")

    def test_an_unknown_region(self) -> None:
        with pytest.raises(
            InvalidReferenceError,
            match="'moon-1' is not an AWS Region name such as 'eu-west-1'",
        ):
            derive(task(container()), region="moon-1")


class TestReferencesThatCannotBeGranted:
    def test_a_cloudformation_dynamic_reference(self) -> None:
        value = "{{resolve:secretsmanager:my-app/db:SecretString:password}}"

        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM + r"valueFrom '\{\{resolve:secretsmanager:my-app/db:"
            r"SecretString:password\}\}' is a CloudFormation dynamic reference, which "
            r"ECS does not resolve; use the secret's ARN \(arn:PARTITION:"
            r"secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX:JSON-KEY::\)",
        ):
            derive(with_value_from(value))

    def test_a_kms_alias(self) -> None:
        alias = "arn:aws:kms:eu-west-1:111122223333:alias/my-app/secrets"

        with pytest.raises(
            InvalidReferenceError,
            match=r"kms_keys\['db'\]: the KMS key for 'db' is given as an alias "
            r"\(alias/my-app/secrets\); IAM policies must name a key by its key ARN "
            r"\(arn:aws:kms:eu-west-1:111122223333:key/KEY-ID\)",
        ) as raised:
            derive(with_value_from("db"), kms_keys={"db": alias})

        assert raised.value.value == alias

    @pytest.mark.parametrize(
        "key_id",
        ["*", "abc?", "1234abcd-*", "ab c", "abcd", "mrk-1234"],
    )
    def test_a_key_that_is_not_one_key_id(self, key_id: str) -> None:
        """A wildcard would let the role decrypt with every key it matches."""
        key = f"arn:aws:kms:eu-west-1:111122223333:key/{key_id}"

        with pytest.raises(
            InvalidReferenceError,
            match=r"kms_keys\['db'\]: .* is not the ARN of one KMS key: expected "
            r"…:key/ followed by a key id",
        ):
            derive(with_value_from("db"), kms_keys={"db": key})

    def test_a_multi_region_key_is_one_key(self) -> None:
        key = "arn:aws:kms:eu-west-1:111122223333:key/mrk-" + "0123456789abcdef" * 2

        policy = derive(with_value_from("db"), kms_keys={"db": key})

        assert policy.document is not None
        assert [s["Resource"] for s in policy.document["Statement"]][-1] == key

    def test_a_key_for_nothing_the_task_uses(self) -> None:
        with pytest.raises(
            InvalidReferenceError,
            match=r"kms_keys: KMS keys were given for 'other', which no secret, "
            "parameter or S3 file of the task definitions uses",
        ):
            derive(with_value_from("db"), kms_keys={"other": KEY_ARN})

    def test_a_name_without_a_region(self) -> None:
        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM + r"'/my-app/flag' names no Region, and none was given "
            r"for the task; pass the task's region \(--region\) or use a full ARN",
        ):
            derive(with_value_from("/my-app/flag"), region=None)

    def test_a_name_without_an_account(self) -> None:
        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM + r"'/my-app/flag' names no account, and none was given "
            r"for the task; pass the task's account \(--account\) or use a full ARN",
        ):
            derive(with_value_from("/my-app/flag"), account=None)

    def test_an_awslogs_group_without_a_region_says_how_to_name_one(self) -> None:
        document = task(
            container(
                logConfiguration={
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "g"},
                }
            )
        )

        with pytest.raises(
            InvalidReferenceError,
            match=r"awslogs-group: 'g' names no Region, .* or set awslogs-region$",
        ):
            derive(document, region=None)

    def test_an_s3_url_where_an_arn_belongs(self) -> None:
        document = task(
            container(environmentFiles=[{"type": "s3", "value": "s3://cfg/app.env"}])
        )

        with pytest.raises(
            InvalidReferenceError,
            match=r"environmentFiles\[0\]\.value: 's3://cfg/app\.env' is an S3 URL; "
            r"ECS needs the object's ARN, arn:aws:s3:::cfg/app\.env",
        ):
            derive(document)

    def test_a_template_placeholder(self) -> None:
        with pytest.raises(
            InvalidReferenceError,
            match=VALUE_FROM + r"valueFrom 'arn:aws:ssm:eu-west-1:\$\{ACCOUNT\}:"
            r"parameter/x' holds the template placeholder '\$\{ACCOUNT\}'",
        ):
            derive(with_value_from("arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/x"))

    def test_every_bad_setting_is_reported_at_once(self) -> None:
        document = task(
            container(secrets=[secret("{{resolve:ssm:/a}}", "A"), secret("/ok", "B")]),
            container(
                name="b",
                image="11112222333.dkr.ecr.eu-west-1.amazonaws.com/x",
            ),
        )

        with pytest.raises(
            InvalidSettingsError, match="2 settings cannot be granted"
        ) as raised:
            derive(document)

        assert [problem.path for problem in raised.value.problems] == [
            "containerDefinitions[0].secrets[0].valueFrom",
            "containerDefinitions[1].image",
        ]


class TestDocuments:
    def test_text_that_is_not_json(self) -> None:
        with pytest.raises(
            InvalidTaskDefinitionError,
            match=r"^task\.json: not valid JSON: Expecting property name enclosed in "
            r"double quotes at line 1 column 16$",
        ):
            read_documents('{"family": "x",}', label="task.json")

    def test_json_that_is_not_an_object(self) -> None:
        with pytest.raises(
            InvalidTaskDefinitionError,
            match="the document is a JSON string; expected a task definition object, a "
            "list of container definitions or a CloudFormation template",
        ):
            read_documents('"family"')

    @pytest.mark.parametrize(
        ("text", "kind"), [("null", "null"), ("42", "number"), ("true", "boolean")]
    )
    def test_json_types_are_named_as_json_names_them(
        self, text: str, kind: str
    ) -> None:
        with pytest.raises(InvalidTaskDefinitionError, match=f"is a JSON {kind};"):
            read_documents(text)

    @pytest.mark.parametrize(
        "text",
        ["[" * 100_000 + "]" * 100_000, '{"a":' * 900 + "1" + "}" * 900],
    )
    def test_a_document_nested_past_any_task_definition_is_refused(
        self, text: str
    ) -> None:
        with pytest.raises(
            InvalidTaskDefinitionError, match="nests objects and arrays more than 64"
        ):
            read_documents(text)

    def test_an_object_that_is_not_a_task_definition(self) -> None:
        with pytest.raises(
            InvalidTaskDefinitionError,
            match=r"the document is not a task definition: it has no "
            r"'containerDefinitions' \(RegisterTaskDefinition input\)",
        ) as raised:
            read_documents({"services": []})

        assert raised.value.value == ["services"]

    def test_a_value_of_the_wrong_type_names_its_path(self) -> None:
        document = task(container(memory="lots"))

        with pytest.raises(
            InvalidTaskDefinitionError,
            match=r"^containerDefinitions\[0\]\.memory: 'lots' is a JSON string; the "
            "ECS API expects a number$",
        ) as raised:
            read_documents(document)

        assert raised.value.path == "containerDefinitions[0].memory"
        assert raised.value.value == "lots"

    def test_a_missing_required_setting(self) -> None:
        with pytest.raises(
            InvalidTaskDefinitionError,
            match=r"^containerDefinitions\[0\]\.secrets\[0\]: the required setting "
            "'valueFrom' is missing$",
        ):
            read_documents(task(container(secrets=[{"name": "A"}])))

    def test_several_mismatches_are_listed_together(self) -> None:
        document = {"containerDefinitions": [{"name": "a", "memory": "x"}]}

        with pytest.raises(
            InvalidTaskDefinitionError,
            match=r"does not match the ECS API's RegisterTaskDefinition shape in 2 "
            r"places:\n  - the document: the required setting 'family' is missing\n"
            r"  - containerDefinitions\[0\]\.memory: 'x' is a JSON string",
        ):
            read_documents(document)
