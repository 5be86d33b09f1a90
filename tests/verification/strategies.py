"""Hypothesis strategies for task definitions, valid and broken.

:func:`fuzz_cases` draws a whole input to the pipeline: a document in one of
the shapes the library reads (RegisterTaskDefinition input, describe output,
a container array, a CloudFormation resource or template), the task's Region
and account (or none), KMS keys for some of its secrets and parameters, and
pull-through cache prefixes.

Two grammars draw the documents. The valid one writes only the forms people
write: ECR images on every host form, public registries, awslogs options,
secrets in every ``valueFrom`` form, SSM names, environment files, FireLens,
gMSA and FSx. The flawed one is the same grammar with a chance, at each
setting, of a value broken the ways real files are: junk text, template
placeholders, wrong JSON types, missing and unknown fields, ARNs of the wrong
service, partition or shape, and near-valid values with a trailing newline or
a non-ASCII digit. About two inputs in five are drawn from the flawed grammar.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

__all__ = ["FuzzCase", "fuzz_cases"]

Draw = Callable[..., Any]
Strategy = st.SearchStrategy[Any]

REGIONS = (
    "eu-west-1",
    "us-east-1",
    "ap-southeast-2",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-west-1",
)
ACCOUNTS = ("111122223333", "444455556666")
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
_TASK_DEFINITION_ARN = "arn:aws:ecs:eu-west-1:111122223333:task-definition/app:3"


@dataclass(frozen=True)
class FuzzCase:
    """One input to ``read_documents`` and ``derive_policy``."""

    document: Any
    region: str | None
    account: str | None
    kms_keys: Mapping[str, str] = field(default_factory=dict)
    pull_through_cache_prefixes: tuple[str, ...] = ()

    def options(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "account": self.account,
            "kms_keys": dict(self.kms_keys),
            "pull_through_cache_prefixes": self.pull_through_cache_prefixes,
        }


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _dns_suffix(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def _text(alphabet: str, low: int, high: int) -> Strategy:
    # A fixed alphabet draws far faster than st.from_regex.
    return st.text(alphabet=alphabet, min_size=low, max_size=high)


def _joined(part: Strategy, high: int) -> Strategy:
    return st.lists(part, min_size=1, max_size=high).map("/".join)


def _then(first: str, rest: Strategy) -> Strategy:
    """A first character from ``first``, then ``rest``."""
    return st.tuples(st.sampled_from(first), rest).map("".join)


_LOWER = string.ascii_lowercase + string.digits
_ALNUM = string.ascii_letters + string.digits

# -- names and values ---------------------------------------------------------

regions = st.sampled_from(REGIONS)
accounts = st.sampled_from(ACCOUNTS)
words = _then(string.ascii_lowercase, _text(_LOWER, 0, 7))
repository_names = _joined(
    st.one_of(
        _text(_LOWER, 1, 8),
        st.tuples(_text(_LOWER, 1, 5), st.sampled_from("._-"), _text(_LOWER, 1, 5)).map(
            "".join
        ),
    ),
    3,
)
tags = _then(_ALNUM + "_", _text(_ALNUM + "_.-", 0, 12))
digests = _text("0123456789abcdef", 64, 64).map(
    lambda hex_digits: f"sha256:{hex_digits}"
)
secret_names = _then(_ALNUM, _text(_ALNUM + "/_+=.@-", 0, 20))
suffixes = _text(_ALNUM, 6, 6)
parameter_names = _joined(_text(_ALNUM + "_.-", 1, 12), 4)
log_group_names = _text(_ALNUM + "_/.#-", 1, 40)
# Stream names take anything but ':' and '*', IAM's wildcards '?' included.
stream_prefixes = _joined(
    st.one_of(_text(_ALNUM + "_-", 1, 12), _text(_ALNUM + "?$#. ", 1, 6)), 2
)
bucket_names = st.tuples(
    st.sampled_from(_LOWER), _text(_LOWER + ".-", 1, 20), st.sampled_from(_LOWER)
).map("".join)
object_keys = _joined(_text(_ALNUM + "_.-", 1, 12), 4)

junk_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "${IMAGE}",
            "<ACCOUNT_ID>",
            "{{ secret }}",
            "$(aws sts get-caller-identity)",
            "REPLACE_ME",
            "arn:",
            "arn:aws",
            "::::::",
        ]
    ),
)
"""Text no setting accepts, or that only looks like a value."""

junk_json = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**13),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(words, st.integers(), max_size=2),
)
"""A JSON value of a type no setting expects."""

_SPOILERS = ("\n", " ", "\t", "\u0661", "\uff11", "UPPER")


def spoiled(values: Strategy) -> Strategy:
    """Near-valid text: a trailing newline, space or tab, a non-ASCII digit in
    place of an ASCII one (Arabic-Indic or full-width one), or upper case."""
    return st.tuples(values, st.sampled_from(_SPOILERS)).map(_spoil)


def _spoil(pair: tuple[str, str]) -> str:
    text, spoiler = pair
    if spoiler == "UPPER":
        return text.upper()
    if spoiler.isdigit():
        for index, char in enumerate(text):
            if char in string.digits:
                return text[:index] + spoiler + text[index + 1 :]
    return text + spoiler


# -- references that need no flaws --------------------------------------------


@st.composite
def ecr_images(draw: Draw) -> str:
    region = draw(regions)
    account = draw(accounts)
    suffix = _dns_suffix(region)
    dual_stack = "on.amazonwebservices.com.cn" if region.startswith("cn-") else "on.aws"
    host = draw(
        st.sampled_from(
            [
                f"{account}.dkr.ecr.{region}.{suffix}",
                f"{account}.dkr.ecr-fips.{region}.{suffix}",
                f"{account}.dkr-ecr.{region}.{dual_stack}",
                f"{account}.dkr-ecr-fips.{region}.{dual_stack}",
            ]
        )
    )
    image = f"{host}/{draw(repository_names)}"
    if draw(st.booleans()):
        image += f":{draw(tags)}"
    if draw(st.integers(0, 3)) == 0:
        image += f"@{draw(digests)}"
    return image


public_images = st.one_of(
    st.sampled_from(
        [
            "nginx",
            "nginx:1.27",
            "library/nginx:stable",
            "docker.io/library/nginx:1.27",
            "public.ecr.aws/docker/library/redis:7",
            "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
            "ghcr.io/my-org/my-app:1.0",
            "quay.io/prometheus/node-exporter:v1.8.0",
            "registry.example.com:5000/team/app",
            "localhost:5000/app@sha256:" + "a" * 64,
            "mcr.microsoft.com/windows/servercore:ltsc2022",
        ]
    ),
    st.tuples(
        st.sampled_from(["docker.io", "ghcr.io", "quay.io"]), repository_names, tags
    ).map(lambda parts: f"{parts[0]}/{parts[1]}:{parts[2]}"),
)


@st.composite
def secret_arns(draw: Draw, *, partial: bool = False) -> str:
    region = draw(regions)
    arn = (
        f"arn:{_partition(region)}:secretsmanager:{region}:{draw(accounts)}:"
        f"secret:{draw(secret_names)}"
    )
    if not partial:
        arn += f"-{draw(suffixes)}"
    selector: str = draw(
        st.sampled_from(
            ["", "", ":password::", ":password:AWSPREVIOUS:", "::AWSCURRENT:", ":::"]
        )
    )
    if selector == ":::":
        selector += str(draw(st.uuids()))
    return arn + selector


@st.composite
def parameter_arns(draw: Draw) -> str:
    region = draw(regions)
    name = draw(parameter_names)
    return f"arn:{_partition(region)}:ssm:{region}:{draw(accounts)}:parameter/{name}"


@st.composite
def object_arns(draw: Draw) -> str:
    partition = draw(st.sampled_from(["aws", "aws", "aws-cn", "aws-us-gov"]))
    return f"arn:{partition}:s3:::{draw(bucket_names)}/{draw(object_keys)}"


broken_images = st.one_of(
    junk_text,
    spoiled(ecr_images()),
    st.sampled_from(
        [
            "MyApp:latest",
            "web:bad tag",
            "web@sha256:xyz",
            "11112222333.dkr.ecr.eu-west-1.amazonaws.com/web",
            "111122223333.dkr.ecr.xx-1.amazonaws.com/web",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com.cn/web",
            "111122223333.dkr.ecr.cn-north-1.amazonaws.com/web",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/Web",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/web::1",
            "<ACCOUNT>.dkr.ecr.eu-west-1.amazonaws.com/web",
            "${AWS_ACCOUNT_ID}.dkr.ecr.${AWS_REGION}.amazonaws.com/web:${TAG}",
        ]
    ),
)

broken_value_froms = st.one_of(
    junk_text,
    spoiled(secret_arns()),
    spoiled(parameter_arns()),
    spoiled(parameter_names),
    # Refused today: the library reads a reference to a secret by its name only.
    secret_arns().map(lambda arn: f"/aws/reference/secretsmanager/{arn}"),
    st.sampled_from(
        [
            "{{resolve:secretsmanager:my-app/db:SecretString:password}}",
            "{{resolve:ssm:/my-app/db}}",
            "arn:aws:s3:::bucket/key",
            "arn:aws-moon:ssm:eu-west-1:111122223333:parameter/x",
            "arn:aws:secretsmanager:cn-north-1:111122223333:secret:x-AbCdEf",
            "arn:aws:ssm:eu-west-1:1111:parameter/x",
            "arn:aws:ssm:eu-west-1:111122223333:parameter//x",
            "arn:aws:ssm:eu-west-1:111122223333:parameter",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbCdEf:a:b:c:d",
            "arn:aws:secretsmanager:eu-west-1:111122223333:key:x",
            "arn:aws:secretsmanager:eu-west-1:${AWS::AccountId}:secret:x",
            "my secret with spaces",
            "/aws/reference/secretsmanager/",
        ]
    ),
)

broken_object_arns = st.one_of(
    junk_text,
    spoiled(object_arns()),
    bucket_names.map(lambda bucket: f"s3://{bucket}/app.env"),
    bucket_names.map(lambda bucket: f"arn:aws:s3:::{bucket}"),
    bucket_names.map(lambda bucket: f"arn:aws:s3:::{bucket}/"),
    bucket_names.map(lambda bucket: f"arn:aws:s3:::{bucket}/*"),
    bucket_names.map(lambda bucket: f"arn:aws:s3:eu-west-1:111122223333:{bucket}/k"),
    st.just("arn:aws:s3:::"),
)


class _Grammar:
    """Task definitions, with a flaw now and then when ``flawed``."""

    def __init__(self, *, flawed: bool) -> None:
        self.flawed = flawed
        maybe = self.maybe
        self.images = maybe(
            st.one_of(ecr_images(), ecr_images(), public_images), broken_images
        )
        self.value_froms = maybe(
            st.one_of(
                secret_arns(),
                secret_arns(partial=True),
                parameter_names,
                parameter_names.map(lambda name: f"/{name}"),
                parameter_arns(),
                parameter_names.map(
                    lambda name: f"/aws/reference/secretsmanager/{name}"
                ),
            ),
            broken_value_froms,
        )
        self.credentials_parameters = maybe(
            st.one_of(secret_arns(), secret_arns(partial=True), secret_names),
            st.one_of(broken_value_froms, parameter_arns()),
        )
        self.object_refs = maybe(object_arns(), broken_object_arns)
        self.credential_specs = maybe(
            st.one_of(
                object_arns().map(lambda arn: f"credentialspec:{arn}"),
                parameter_arns().map(lambda arn: f"credentialspec:{arn}"),
                parameter_arns().map(lambda arn: f"credentialspecdomainless:{arn}"),
            ),
            st.one_of(
                junk_text,
                object_arns(),
                secret_arns().map(lambda arn: f"credentialspec:{arn}"),
                st.sampled_from(
                    ["credentialspec:", "credentialspec:arn:aws:s3:::bucket"]
                ),
            ),
        )
        self.fsx_credentials = maybe(
            st.one_of(secret_arns(), parameter_arns()), broken_value_froms
        )
        self.log_groups = maybe(
            log_group_names, st.one_of(junk_text, spoiled(log_group_names))
        )
        self.log_regions = maybe(regions, st.one_of(junk_text, spoiled(regions)))
        self.stream_prefixes = maybe(stream_prefixes, junk_text)

    def maybe(self, valid: Strategy, broken: Strategy) -> Strategy:
        """``valid``, or in the flawed grammar ``broken`` about one time in eight."""
        return st.one_of(*[valid] * 7, broken) if self.flawed else valid

    def flaw(self, draw: Draw) -> bool:
        """Whether to spoil a setting's shape here (flawed grammar only)."""
        # Hypothesis favours the ends of a range: a flaw sits in the middle.
        return self.flawed and draw(st.integers(0, 11)) == 5

    # -- container settings ---------------------------------------------------

    def awslogs(self, draw: Draw) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if not self.flaw(draw):
            options["awslogs-group"] = draw(self.log_groups)
        if draw(st.booleans()):
            options["awslogs-region"] = draw(self.log_regions)
        if draw(st.booleans()):
            options["awslogs-stream-prefix"] = draw(self.stream_prefixes)
        if draw(st.booleans()):
            options["awslogs-create-group"] = draw(
                st.sampled_from(["true", "false", "True", "TRUE", "yes", ""])
            )
        if draw(st.integers(0, 3)) == 0:
            options["mode"] = "non-blocking"
        return {"logDriver": "awslogs", "options": options}

    def log_configuration(self, draw: Draw) -> Any:
        if self.flaw(draw):
            return draw(junk_json)
        kind = draw(st.integers(0, 7))
        if kind <= 4:
            config = self.awslogs(draw)
        elif kind == 5:
            config = {"logDriver": "awsfirelens", "options": {"Name": "cloudwatch"}}
        else:
            config = {
                "logDriver": draw(st.sampled_from(["json-file", "splunk", "fluentd"]))
            }
        if draw(st.integers(0, 3)) == 0:
            config["secretOptions"] = [
                {"name": "TOKEN", "valueFrom": draw(self.value_froms)}
                for _ in range(draw(st.integers(1, 2)))
            ]
        return config

    def secrets(self, draw: Draw) -> Any:
        if self.flaw(draw):
            return draw(
                st.one_of(
                    junk_json,
                    st.sampled_from(
                        [
                            [{"name": "X"}],
                            [{"valueFrom": "x"}],
                            [{"name": 1, "valueFrom": 2}],
                            ["x"],
                        ]
                    ),
                )
            )
        names = ["DB_PASSWORD", "API_KEY", "TOKEN", "FLAGS", "SIGNING_KEY"]
        count = draw(st.integers(1, 4))
        return [
            {"name": names[index], "valueFrom": draw(self.value_froms)}
            for index in range(count)
        ]

    def firelens(self, draw: Draw) -> dict[str, Any]:
        options: dict[str, Any] = {"enable-ecs-log-metadata": "true"}
        file_type = draw(st.sampled_from(["s3", "s3", "file", None]))
        if file_type is not None:
            options["config-file-type"] = file_type
            if not self.flaw(draw):
                options["config-file-value"] = (
                    draw(self.object_refs)
                    if file_type == "s3"
                    else "/fluent-bit/etc/extra.conf"
                )
        return {
            "type": draw(st.sampled_from(["fluentbit", "fluentd"])),
            "options": options,
        }

    def container(self, draw: Draw, index: int) -> Any:
        if self.flaw(draw) and self.flaw(draw):
            return draw(junk_json)
        container: dict[str, Any] = {}
        if not self.flaw(draw):
            container["name"] = f"app{index}" if draw(st.booleans()) else draw(words)
        if not self.flaw(draw):
            container["image"] = draw(self.images)
        container["essential"] = draw(junk_json) if self.flaw(draw) else index == 0
        if draw(st.integers(0, 3)):
            container["logConfiguration"] = self.log_configuration(draw)
        if draw(st.booleans()):
            container["secrets"] = self.secrets(draw)
        if draw(st.integers(0, 4)) == 0:
            container["repositoryCredentials"] = {
                "credentialsParameter": draw(self.credentials_parameters)
            }
        if draw(st.integers(0, 4)) == 0:
            container["environmentFiles"] = [
                {"value": draw(self.object_refs), "type": "s3"}
                for _ in range(draw(st.integers(1, 2)))
            ]
        if draw(st.integers(0, 5)) == 0:
            container["firelensConfiguration"] = self.firelens(draw)
        if draw(st.integers(0, 9)) == 0:
            container["credentialSpecs"] = [draw(self.credential_specs)]
        if draw(st.integers(0, 3)) == 0:
            container["environment"] = [{"name": "APP_ENV", "value": "prod"}]
            container["memory"] = draw(junk_json) if self.flaw(draw) else 512
        if self.flaw(draw):
            container[draw(st.sampled_from(["unknownSetting", "Image", "secret"]))] = (
                draw(junk_text)
            )
        if self.flaw(draw):
            container[draw(st.sampled_from(["image", "name", "logConfiguration"]))] = (
                None
            )
        return container

    def volume(self, draw: Draw) -> Any:
        if self.flaw(draw):
            return draw(junk_json)
        kind = draw(st.integers(0, 2))
        if kind == 0:
            return {"name": "data", "host": {"sourcePath": "/data"}}
        if kind == 1:
            return {
                "name": "shared",
                "efsVolumeConfiguration": {
                    "fileSystemId": "fs-0123456789abcdef0",
                    "transitEncryption": "ENABLED",
                    "authorizationConfig": {
                        "iam": draw(st.sampled_from(["ENABLED", "DISABLED"]))
                    },
                },
            }
        authorization: dict[str, Any] = {"domain": "example.com"}
        if not self.flaw(draw):
            authorization["credentialsParameter"] = draw(self.fsx_credentials)
        configuration: dict[str, Any] = {
            "fileSystemId": "fs-0123456789abcdef0",
            "rootDirectory": "share",
        }
        if not self.flaw(draw):
            configuration["authorizationConfig"] = authorization
        return {"name": "fsx", "fsxWindowsFileServerVolumeConfiguration": configuration}

    def register_input(self, draw: Draw) -> dict[str, Any]:
        task: dict[str, Any] = {}
        if not self.flaw(draw):
            task["family"] = draw(junk_json) if self.flaw(draw) else draw(words)
        if not self.flaw(draw):
            count = draw(st.integers(1, 3))
            task["containerDefinitions"] = (
                draw(junk_json)
                if self.flaw(draw)
                else [self.container(draw, index) for index in range(count)]
            )
        compatibility = draw(
            st.sampled_from([None, ["FARGATE"], ["EC2"], ["EC2", "FARGATE"]])
        )
        if compatibility is not None:
            task["requiresCompatibilities"] = compatibility
        if draw(st.booleans()):
            task |= {"networkMode": "awsvpc", "cpu": "256", "memory": "512"}
        if draw(st.integers(0, 4)) == 0:
            task["volumes"] = [
                self.volume(draw) for _ in range(draw(st.integers(1, 2)))
            ]
        if draw(st.integers(0, 9)) == 0:
            task["executionRoleArn"] = (
                "arn:aws:iam::111122223333:role/ecsTaskExecutionRole"
            )
        if self.flaw(draw):
            task[draw(st.sampled_from(["unknownTaskSetting", "tags", "Family"]))] = (
                draw(junk_json)
            )
        return task

    def document(self, draw: Draw) -> Any:
        if self.flaw(draw) and self.flaw(draw):
            return draw(junk_json)
        task = self.register_input(draw)
        shape = draw(st.integers(0, 9))
        if shape <= 4:
            return task
        if shape == 5:
            return {
                "taskDefinition": {
                    **task,
                    "taskDefinitionArn": _TASK_DEFINITION_ARN,
                    "revision": 3,
                    "status": "ACTIVE",
                }
            }
        if shape == 6:
            return task.get("containerDefinitions", [])
        resource: dict[str, Any] = {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": _pascal(task),
        }
        if self.flaw(draw):
            intrinsic = draw(
                st.sampled_from(
                    [
                        {"Ref": "Image"},
                        {"Fn::Sub": "${AWS::AccountId}"},
                        {"Fn::GetAtt": ["A", "B"]},
                    ]
                )
            )
            _with_intrinsic(resource["Properties"], intrinsic)
        if shape == 7:
            return resource
        return {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Task": resource},
        }


# Map-valued settings: their keys are data, which CloudFormation keeps as written.
_MAP_SETTINGS = frozenset({"options", "dockerLabels"})


def _pascal(value: Any, *, keep_keys: bool = False) -> Any:
    """camelCase API input as CloudFormation properties (``ContainerDefinitions``)."""
    if isinstance(value, dict):
        return {
            (key if keep_keys else key[:1].upper() + key[1:]): _pascal(
                item, keep_keys=key in _MAP_SETTINGS
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_pascal(item) for item in value]
    return value


def _with_intrinsic(properties: Any, intrinsic: Any) -> None:
    """Put ``intrinsic`` in place of the first string setting of the first container."""
    containers = properties.get("ContainerDefinitions")
    if isinstance(containers, list) and containers and isinstance(containers[0], dict):
        for key, item in containers[0].items():
            if isinstance(item, str):
                containers[0][key] = intrinsic
                return


_VALID = _Grammar(flawed=False)
_FLAWED = _Grammar(flawed=True)


@st.composite
def documents(draw: Draw) -> Any:
    """A document of the valid grammar three times in five, else of the flawed one."""
    grammar = _FLAWED if draw(st.integers(0, 4)) >= 3 else _VALID
    return grammar.document(draw)


# -- the whole input ----------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


_REFERENCES = frozenset({"valuefrom", "credentialsparameter", "config-file-value"})


def _references(value: Any) -> Iterator[str]:
    """The secrets, parameters and files a document names, as written."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and (
                key.lower() in _REFERENCES
                or (key.lower() == "value" and item.startswith("arn:"))
            ):
                yield item
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _key_for(reference: str, fallback_region: str) -> str:
    """A key ARN in the partition and Region of ``reference`` (when an ARN)."""
    fields = reference.removeprefix("/aws/reference/secretsmanager/").split(":")
    if len(fields) > 3 and fields[0] == "arn" and fields[3]:
        partition, region = fields[1], fields[3]
    else:
        partition, region = _partition(fallback_region), fallback_region
    return f"arn:{partition}:kms:{region}:111122223333:key/{KEY_ID}"


@st.composite
def fuzz_cases(draw: Draw) -> FuzzCase:
    document = draw(documents())
    # A name-only reference needs both; leave one out now and then.
    region = None if draw(st.integers(0, 9)) == 5 else draw(regions)
    account = None if draw(st.integers(0, 9)) == 5 else draw(accounts)
    references = sorted(set(_references(document)))
    fallback = region or "eu-west-1"
    kms_keys: dict[str, str] = {}
    if references and draw(st.integers(0, 2)) == 0:
        chosen = draw(st.lists(st.sampled_from(references), max_size=3, unique=True))
        kms_keys = {reference: _key_for(reference, fallback) for reference in chosen}
    if draw(st.integers(0, 30)) == 15:
        kms_keys["unused-secret"] = _key_for("", fallback)
    if kms_keys and draw(st.integers(0, 30)) == 15:
        kms_keys[next(iter(kms_keys))] = "arn:aws:kms:eu-west-1:111122223333:alias/app"
    prefixes: tuple[str, ...] = ()
    if draw(st.integers(0, 3)) == 0:
        repositories = sorted(
            text.split("/", 2)[1]
            for text in _strings(document)
            if ".dkr" in text and text.count("/") >= 2
        )
        prefixes = tuple(
            draw(
                st.lists(
                    st.sampled_from(["ecr-public", "docker-hub", *repositories]),
                    max_size=2,
                )
            )
        )
    return FuzzCase(document, region, account, kms_keys, prefixes)
