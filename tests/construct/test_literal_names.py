"""Literal names are held to the document reader's rules, and arguments to their types.

A name ends up in a policy's Resource, where ``*`` and ``?`` are wildcards: a
secret imported as ``prod/*`` would grant every secret under ``prod/``. The
document reader refuses such names; the construct refuses them too, whether
they come as a keyword argument (raised at once) or from a container of a task
definition (reported when the app synthesizes). CDK tokens are only carried,
never checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Match, Template

from ecs_exec_role import InvalidReferenceError, TaskExecutionRole
from tests.construct.tasks import (
    ACCOUNT,
    ENV,
    KEY_ARN,
    REGION,
    SECRET_ARN,
    new_app,
    synthesis_error,
)

SECRETS = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret"
KEYS = f"arn:aws:kms:{REGION}:{ACCOUNT}:key"


@pytest.fixture
def stack(tmp_path: Path) -> cdk.Stack:
    return cdk.Stack(new_app(tmp_path), "Names", env=ENV)


def _role(stack: cdk.Stack, **options: Any) -> TaskExecutionRole:
    return TaskExecutionRole(
        stack, "ExecutionRole", runtime_monitoring=False, **options
    )


Arguments = Callable[[cdk.Stack], dict[str, Any]]

# Keyword arguments, each with one name that the document reader refuses, the
# setting the error must name, and what it must say.
REFUSED_ARGUMENTS: dict[str, tuple[Arguments, str, str]] = {
    "a repository ARN ending in *": (
        lambda _: {"repositories": [f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"]},
        "repositories[0]",
        r"repository name '\*' .* is not an ECR repository name",
    ),
    "a repository ARN with a prefix wildcard": (
        lambda _: {"repositories": [f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/a*"]},
        "repositories[0]",
        r"repository name 'a\*'",
    ),
    "a repository imported by the name *": (
        lambda stack: {
            "repositories": [ecr.Repository.from_repository_name(stack, "R", "*")]
        },
        "repositories[0]",
        r"repository name '\*' is not an ECR repository name",
    ),
    "a log group name with a colon": (
        lambda _: {"log_groups": ["bad:*"]},
        "log_groups[0]",
        r"log group name 'bad:\*' is not a log group name",
    ),
    "a log group imported by the name *": (
        lambda stack: {
            "log_groups": [logs.LogGroup.from_log_group_name(stack, "L", "*")]
        },
        "log_groups[0]",
        r"log group name '\*' is not a log group name",
    ),
    "a log stream prefix of *": (
        lambda _: {"log_groups": ["/ecs/web"], "log_stream_prefix": "*"},
        "log_stream_prefix",
        r"the log stream prefix '\*' holds ':' or '\*'",
    ),
    "an S3 key of *": (
        lambda _: {"s3_objects": [("web-config", "*")]},
        "s3_objects[0]",
        r"S3 key '\*' of bucket 'web-config' does not name one object",
    ),
    "an S3 key with a wildcard": (
        lambda stack: {
            "s3_objects": [
                (s3.Bucket.from_bucket_name(stack, "B", "web-config"), "env/*.env")
            ]
        },
        "s3_objects[0]",
        r"S3 key 'env/\*\.env'",
    ),
    "an S3 key holding a policy variable": (
        lambda _: {"s3_objects": [("web-config", "${aws:username}.env")]},
        "s3_objects[0]",
        r"S3 key '\$\{aws:username\}\.env' holds the template placeholder",
    ),
    "an S3 bucket name with a wildcard": (
        lambda _: {"s3_objects": [("web-*", "prod/web.env")]},
        "s3_objects[0]",
        r"'web-\*' is not an S3 bucket name",
    ),
    "a secret ARN ending in *": (
        lambda _: {"secrets": [f"{SECRETS}:web*"]},
        "secrets[0]",
        r"secret name 'web\*' in .* has characters that Secrets Manager does not",
    ),
    "a secret name with a ?": (
        lambda _: {"secrets": ["web/d?"]},
        "secrets[0]",
        r"secret name 'web/d\?'",
    ),
    "a secret imported by a name with *": (
        lambda stack: {
            "secrets": [secretsmanager.Secret.from_secret_name_v2(stack, "S", "prod/*")]
        },
        "secrets[0]",
        r"secret name 'prod/\*' has characters",
    ),
    "a secret imported by a partial ARN with *": (
        lambda stack: {
            "secrets": [
                secretsmanager.Secret.from_secret_partial_arn(
                    stack, "S", f"{SECRETS}:prod*"
                )
            ]
        },
        "secrets[0]",
        r"secret name 'prod\*'",
    ),
    "a parameter name with *": (
        lambda _: {"parameters": ["/app/*"]},
        "parameters[0]",
        r"parameter name 'app/\*' in '/app/\*' is not an SSM parameter name",
    ),
    "a parameter ARN with *": (
        lambda _: {"parameters": [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/*"]},
        "parameters[0]",
        r"parameter name 'app/\*'",
    ),
    "a parameter imported by a name with *": (
        lambda stack: {
            "parameters": [
                ssm.StringParameter.from_secure_string_parameter_attributes(
                    stack, "P", parameter_name="/app/*"
                )
            ]
        },
        "parameters[0]",
        r"parameter name '/app/\*' is not an SSM parameter name",
    ),
}


class TestKeywordArgumentsAreRaisedAtOnce:
    @pytest.mark.parametrize(
        ("arguments", "path", "message"),
        REFUSED_ARGUMENTS.values(),
        ids=REFUSED_ARGUMENTS.keys(),
    )
    def test_a_name_the_document_reader_refuses(
        self, stack: cdk.Stack, arguments: Arguments, path: str, message: str
    ) -> None:
        """Granting it would grant every resource its wildcard matches."""
        with pytest.raises(
            InvalidReferenceError, match=rf"^{re.escape(path)}: {message}"
        ):
            _role(stack, **arguments(stack))

    @pytest.mark.parametrize(
        ("arguments", "action", "resource"),
        [
            (
                {"s3_objects": [("web-config", "prod/web?.env")]},
                "s3:GetObject",
                "arn:aws:s3:::web-config/prod/web${?}.env",
            ),
            (
                {"log_groups": ["/ecs/web"], "log_stream_prefix": "web?"},
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/web:log-stream:web${{?}}/*",
            ),
        ],
        ids=["an S3 key", "a log stream prefix"],
    )
    def test_a_question_mark_is_that_character(
        self, stack: cdk.Stack, arguments: dict[str, Any], action: Any, resource: str
    ) -> None:
        """IAM reads ``?`` as any one character; ``${?}`` is the character itself.

        The app synthesizes: CDK's template rules, which do not know ``${?}``,
        have that one finding acknowledged.
        """
        _role(stack, **arguments)

        stack.node.root.synth()
        Template.from_stack(stack).has_resource_properties(
            "AWS::IAM::ManagedPolicy",
            {
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [Match.object_like({"Action": action, "Resource": resource})]
                    )
                }
            },
        )


Container = Callable[[cdk.Stack, ecs.TaskDefinition], None]

NGINX = "public.ecr.aws/nginx/nginx:1.27"


def _with_secret(secret: ecs.Secret) -> Callable[[ecs.TaskDefinition], None]:
    return lambda task: task.add_container(
        "web", image=ecs.ContainerImage.from_registry(NGINX), secrets={"A": secret}
    )


# Containers, each with one setting that names a wildcard, the setting the
# synthesis error must name, and what it must say.
REFUSED_CONTAINERS: dict[str, tuple[Container, str, str]] = {
    "an image of a repository imported by the name *": (
        lambda stack, task: task.add_container(
            "web",
            image=ecs.ContainerImage.from_ecr_repository(
                ecr.Repository.from_repository_name(stack, "R", "*")
            ),
        ),
        "Names/Task/web.image",
        "repository name '*' is not an ECR repository name",
    ),
    "a log group imported by the name *": (
        lambda stack, task: task.add_container(
            "web",
            image=ecs.ContainerImage.from_registry(NGINX),
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix="web",
                log_group=logs.LogGroup.from_log_group_name(stack, "L", "*"),
            ),
        ),
        "Names/Task/web.logging.awslogs-group",
        "log group name '*' is not a log group name",
    ),
    "a stream prefix of *": (
        lambda stack, task: task.add_container(
            "web",
            image=ecs.ContainerImage.from_registry(NGINX),
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix="*",
                log_group=logs.LogGroup.from_log_group_name(stack, "L", "/ecs/web"),
            ),
        ),
        "Names/Task/web.logging.awslogs-stream-prefix",
        "awslogs-stream-prefix '*' holds ':' or '*'",
    ),
    "an environment file named *": (
        lambda stack, task: task.add_container(
            "web",
            image=ecs.ContainerImage.from_registry(NGINX),
            environment_files=[
                ecs.EnvironmentFile.from_bucket(
                    s3.Bucket.from_bucket_name(stack, "B", "web-config"), "*"
                )
            ],
        ),
        "Names/Task/web.environmentFiles[0]",
        "S3 key '*' of bucket 'web-config' does not name one object",
    ),
    "a secret imported by a name with *": (
        lambda stack, task: _with_secret(
            ecs.Secret.from_secrets_manager(
                secretsmanager.Secret.from_secret_name_v2(stack, "S", "prod/*")
            )
        )(task),
        "Names/Task/web.secrets.A",
        "secret name 'prod/*' has characters that Secrets Manager does not allow",
    ),
    "a secret imported by a partial ARN with *": (
        lambda stack, task: _with_secret(
            ecs.Secret.from_secrets_manager(
                secretsmanager.Secret.from_secret_partial_arn(
                    stack, "S", f"{SECRETS}:prod*"
                )
            )
        )(task),
        "Names/Task/web.secrets.A",
        "secret name 'prod*' has characters",
    ),
    "a parameter imported by a name with *": (
        lambda stack, task: _with_secret(
            ecs.Secret.from_ssm_parameter(
                ssm.StringParameter.from_secure_string_parameter_attributes(
                    stack, "P", parameter_name="/app/*"
                )
            )
        )(task),
        "Names/Task/web.secrets.A",
        "parameter name '/app/*' is not an SSM parameter name",
    ),
}


class TestContainerSettingsAreReportedAtSynthesis:
    @pytest.mark.parametrize(
        ("container", "path", "message"),
        REFUSED_CONTAINERS.values(),
        ids=REFUSED_CONTAINERS.keys(),
    )
    def test_a_name_the_document_reader_refuses(
        self, stack: cdk.Stack, container: Container, path: str, message: str
    ) -> None:
        role = _role(stack)
        task = ecs.FargateTaskDefinition(stack, "Task", execution_role=role)
        container(stack, task)

        error = synthesis_error(stack.node.root)

        assert f"{path}: {message}" in error


class TestKmsKeys:
    @pytest.mark.parametrize("key_id", ["*", "1234abcd-*", "abc?", "alias-like"])
    def test_a_key_string_that_is_not_one_key_id_is_refused(
        self, stack: cdk.Stack, key_id: str
    ) -> None:
        """``key/*`` would decrypt with every key of the account."""
        with pytest.raises(
            InvalidReferenceError,
            match=r"^kms_keys\['/web/token'\]: .* is not the ARN of one KMS key",
        ):
            _role(
                stack,
                parameters=["/web/token"],
                kms_keys={"/web/token": f"{KEYS}/{key_id}"},
            )

    def test_a_key_object_imported_with_a_wildcard_is_refused(
        self, stack: cdk.Stack
    ) -> None:
        key = kms.Key.from_key_arn(stack, "Key", f"{KEYS}/*")
        secret = secretsmanager.Secret.from_secret_attributes(
            stack, "Secret", secret_complete_arn=SECRET_ARN, encryption_key=key
        )

        with pytest.raises(
            InvalidReferenceError, match=r"^secrets\[0\]: .* is not the ARN of one KMS"
        ):
            _role(stack, secrets=[secret])

    def test_a_multi_region_key_is_one_key(self, stack: cdk.Stack) -> None:
        key = f"{KEYS}/mrk-{'0123456789abcdef' * 2}"

        _role(stack, parameters=["/web/token"], kms_keys={"/web/token": key})

        Template.from_stack(stack).has_resource_properties(
            "AWS::IAM::ManagedPolicy",
            {
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [Match.object_like({"Action": "kms:Decrypt", "Resource": key})]
                    )
                }
            },
        )

    def test_a_uuid_key_is_one_key(self, stack: cdk.Stack) -> None:
        _role(stack, parameters=["/web/token"], kms_keys={"/web/token": KEY_ARN})

        Template.from_stack(stack).has_resource_properties(
            "AWS::IAM::ManagedPolicy",
            {
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {"Action": "kms:Decrypt", "Resource": KEY_ARN}
                            )
                        ]
                    )
                }
            },
        )


# Arguments of the wrong type, the setting the error must name, and what it
# must say: the value received and the types accepted.
WRONG_TYPES: dict[str, tuple[dict[str, Any], str, str]] = {
    "a number among secrets": (
        {"secrets": [5]},
        "secrets[0]",
        r"received 5 \(int\); expected secretsmanager\.ISecret, or a secret ARN",
    ),
    "one string where a list goes": (
        {"secrets": SECRET_ARN},
        "secrets",
        (
            r"received '.*web/db-AbCdEf' \(str\); expected a list \(or tuple\) of "
            r"items, each secretsmanager\.ISecret.*; for one value, write secrets=\['"
        ),
    ),
    "a set of repositories": (
        {"repositories": {"web"}},
        "repositories",
        r"received \{'web'\} \(set\); expected a list",
    ),
    "a bucket and no key": (
        {"s3_objects": [("web-config",)]},
        "s3_objects[0]",
        r"received \('web-config',\) \(tuple\); expected a \(bucket, key\) pair",
    ),
    "a number for a key": (
        {"parameters": ["/web/token"], "kms_keys": {"/web/token": 5}},
        r"kms_keys['/web/token']",
        r"received 5 \(int\); expected kms\.IKey, or a key ARN \(str\)",
    ),
    "a list for kms_keys": (
        {"kms_keys": [KEY_ARN]},
        "kms_keys",
        r"received \[.*\] \(list\); expected a mapping of a resource",
    ),
    "a number for the stream prefix": (
        {"log_groups": ["/ecs/web"], "log_stream_prefix": 5},
        "log_stream_prefix",
        r"received 5 \(int\); expected str or None",
    ),
    "a string for the number of policies": (
        {"max_managed_policies": "3"},
        "max_managed_policies",
        r"received '3' \(str\); expected int",
    ),
    "a string for a task definition": (
        {"task_definitions": ["web"]},
        "task_definitions[0]",
        r"received 'web' \(str\); expected ecs\.TaskDefinition",
    ),
}


class TestArgumentTypes:
    @pytest.mark.parametrize(
        ("arguments", "path", "message"),
        WRONG_TYPES.values(),
        ids=WRONG_TYPES.keys(),
    )
    def test_a_wrong_type_names_the_argument_the_value_and_the_types(
        self, stack: cdk.Stack, arguments: dict[str, Any], path: str, message: str
    ) -> None:
        with pytest.raises(
            InvalidReferenceError, match=rf"^{re.escape(path)}: {message}"
        ):
            _role(stack, **arguments)

    def test_it_is_a_value_error_raised_before_anything_is_built(
        self, stack: cdk.Stack
    ) -> None:
        with pytest.raises(ValueError, match=r"secrets\[0\]: received 5"):
            _role(stack, secrets=[5])

        assert stack.node.try_find_child("ExecutionRole") is None
