"""ARNs, partitions and image references: parsed once, rendered once.

Partitions and their DNS suffixes come from the table that botocore ships, so a
new partition reaches us with a botocore release rather than an edit here.
Values are never inspected twice: a reference is parsed into a small typed value
and everything downstream reads its fields.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import InvalidReferenceError

__all__ = [
    "Arn",
    "EcrImage",
    "Partition",
    "Scope",
    "check_account",
    "parse_arn",
    "parse_ecr_image",
    "partition_for_region",
    "partition_named",
]

# \Z, not $: "$" also matches before a trailing newline. [0-9], not \d: ASCII only.
_ACCOUNT = re.compile(r"^[0-9]{12}\Z")
# arn, partition, service, region, account, resource
_ARN_FIELDS = 6
_REGION = re.compile(r"^[a-z]{2,5}(-[a-z]+)+-[0-9]+\Z")


@dataclass(frozen=True)
class Partition:
    """An AWS partition: its name, the regions it holds, its DNS suffix."""

    name: str
    region_regex: str
    dns_suffix: str
    regions: frozenset[str]

    def holds(self, region: str) -> bool:
        return region in self.regions or re.match(self.region_regex, region) is not None


@functools.cache
def _partitions() -> tuple[Partition, ...]:
    from botocore.loaders import Loader

    data = Loader().load_data("partitions")
    return tuple(
        Partition(
            name=entry["id"],
            region_regex=entry["regionRegex"],
            dns_suffix=entry["outputs"]["dnsSuffix"],
            regions=frozenset(entry.get("regions", {})),
        )
        for entry in data["partitions"]
    )


def partition_named(name: str, *, path: str = "") -> Partition:
    """The partition called ``name``; an unknown name is an error."""
    for partition in _partitions():
        if partition.name == name:
            return partition
    known = ", ".join(p.name for p in _partitions())
    raise InvalidReferenceError(
        f"unknown partition {name!r}; expected one of {known}", path=path, value=name
    )


def partition_for_region(region: str, *, path: str = "") -> Partition:
    """The partition that holds ``region``; a malformed region is an error."""
    found = _partition_holding(region)
    if found is not None:
        return found
    raise InvalidReferenceError(
        f"{region!r} is not an AWS Region name such as 'eu-west-1' or 'cn-north-1'",
        path=path,
        value=region,
    )


@functools.lru_cache(maxsize=256)
def _partition_holding(region: str) -> Partition | None:
    if _REGION.match(region):
        for partition in _partitions():
            if partition.holds(region):
                return partition
    return None


def check_account(account: str, *, path: str, what: str = "the account") -> str:
    if not _ACCOUNT.match(account):
        raise InvalidReferenceError(
            f"{what} is {account!r}, not a 12-digit AWS account id",
            path=path,
            value=account,
        )
    return account


@dataclass(frozen=True)
class Scope:
    """Where the task runs: serves references that name no region or account.

    Any field may be ``None`` when the caller did not say; a reference that needs
    a missing field is refused with an error that names it.
    """

    region: str | None = None
    account: str | None = None
    partition: str | None = None

    def __post_init__(self) -> None:
        if self.account is not None:
            check_account(self.account, path="", what="the task's account")
        if self.region is not None:
            derived = partition_for_region(self.region).name
            if self.partition is not None and self.partition != derived:
                partition_named(self.partition)
                raise InvalidReferenceError(
                    f"partition {self.partition!r} does not hold Region {self.region}, "
                    f"which belongs to partition {derived!r}",
                    value=self.partition,
                )
            object.__setattr__(self, "partition", derived)
        elif self.partition is not None:
            partition_named(self.partition)

    def require_region(
        self, *, path: str, value: str, remedy: str = "use a full ARN"
    ) -> str:
        if self.region is None:
            raise InvalidReferenceError(
                f"{value!r} names no Region, and none was given for the task; "
                f"pass the task's region (--region) or {remedy}",
                path=path,
                value=value,
            )
        return self.region

    def require_account(
        self, *, path: str, value: str, remedy: str | None = "use a full ARN"
    ) -> str:
        if self.account is None:
            alternative = f" or {remedy}" if remedy else ""
            raise InvalidReferenceError(
                f"{value!r} names no account, and none was given for the task; "
                f"pass the task's account (--account){alternative}",
                path=path,
                value=value,
            )
        return self.account


@dataclass(frozen=True, order=True)
class Arn:
    """An Amazon Resource Name, as its six fields.

    Fields are plain strings; the construct may fill them with CDK tokens, which
    are only ever carried into :meth:`render`, never inspected.
    """

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def render(self) -> str:
        return (
            f"arn:{self.partition}:{self.service}:{self.region}:"
            f"{self.account}:{self.resource}"
        )

    def __str__(self) -> str:
        return self.render()

    def with_resource(self, resource: str, *, service: str | None = None) -> Arn:
        """The same partition, Region and account, naming another resource."""
        return Arn(
            self.partition, service or self.service, self.region, self.account, resource
        )


# Services whose ARNs carry no Region: S3 names no account either, IAM does.
_GLOBAL_SERVICES = frozenset({"s3", "iam"})
_ACCOUNTLESS_SERVICES = frozenset({"s3"})


def parse_arn(text: str, *, path: str, service: str | None = None) -> Arn:
    """Parse ``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``.

    The resource keeps any further colons; the caller decides what they mean.
    The partition must exist and hold the region; the account must have 12
    digits. S3 ARNs must have neither, IAM ARNs no Region.
    """
    fields = text.split(":", _ARN_FIELDS - 1)
    if len(fields) != _ARN_FIELDS or fields[0] != "arn" or not fields[-1]:
        raise InvalidReferenceError(
            f"{text!r} is not an ARN of the form "
            "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE",
            path=path,
            value=text,
        )
    arn = Arn(*fields[1:])
    if service is not None and arn.service != service:
        raise InvalidReferenceError(
            f"{text!r} is an ARN of service {arn.service!r}; expected {service!r}",
            path=path,
            value=text,
        )
    partition = _quoting(text, partition_named, arn.partition, path=path)
    if arn.service in _ACCOUNTLESS_SERVICES:
        if arn.region or arn.account:
            raise InvalidReferenceError(
                f"{text!r} carries a Region or account; {arn.service} ARNs have "
                f"neither (arn:{arn.partition}:{arn.service}:::...)",
                path=path,
                value=text,
            )
        return arn
    if arn.service in _GLOBAL_SERVICES:
        if arn.region:
            raise InvalidReferenceError(
                f"{text!r} carries a Region; {arn.service} ARNs have none "
                f"(arn:{arn.partition}:{arn.service}::ACCOUNT:...)",
                path=path,
                value=text,
            )
        return _with_account(arn, text, path=path)
    region_partition = _quoting(text, partition_for_region, arn.region, path=path)
    if region_partition.name != partition.name:
        raise InvalidReferenceError(
            f"{text!r} uses partition {partition.name!r} but Region {arn.region} "
            f"belongs to partition {region_partition.name!r}",
            path=path,
            value=text,
        )
    return _with_account(arn, text, path=path)


def _with_account(arn: Arn, text: str, *, path: str) -> Arn:
    if not _ACCOUNT.match(arn.account):
        raise InvalidReferenceError(
            f"{text!r} has {arn.account!r} where the account goes, not a 12-digit "
            "AWS account id (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)",
            path=path,
            value=text,
        )
    return arn


def _quoting(
    text: str, check: Callable[..., Partition], field: str, *, path: str
) -> Partition:
    """``check(field)``, with an error that quotes the whole ARN ``text``."""
    try:
        return check(field, path=path)
    except InvalidReferenceError as error:
        reason = str(error).removeprefix(f"{path}: ") if path else str(error)
        raise InvalidReferenceError(
            f"{text!r}: {reason}", path=path, value=text
        ) from None


@dataclass(frozen=True)
class EcrImage:
    """A private ECR image: the repository it is pulled from."""

    repository: Arn
    name: str


def _ecr_host_pattern() -> re.Pattern[str]:
    # A.dkr.ecr.R.SUFFIX, A.dkr.ecr-fips.R.SUFFIX, and the dual-stack
    # A.dkr-ecr.R.on.aws / A.dkr-ecr-fips.R.on.aws (China: on.amazonwebservices.com.cn).
    suffixes = sorted(
        {re.escape(p.dns_suffix) for p in _partitions()}
        | {r"on\.aws", r"on\.amazonwebservices\.com\.cn"},
        key=len,
        reverse=True,
    )
    return re.compile(
        r"^(?P<account>[^.]+)\.(?:dkr\.ecr|dkr\.ecr-fips|dkr-ecr|dkr-ecr-fips)"
        r"\.(?P<region>[^.]+)\.(?P<suffix>" + "|".join(suffixes) + r")\Z"
    )


_ECR_HOST = functools.cache(_ecr_host_pattern)
_REPOSITORY = re.compile(
    r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*\Z"
)
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}\Z")


def split_image(image: str, *, path: str) -> tuple[str | None, str]:
    """Split ``[HOST/]NAME[:TAG][@DIGEST]`` into host and repository name.

    The host is the first component when it holds a dot or a colon or is
    ``localhost``, as Docker reads references; tags and digests are checked and
    dropped.
    """
    rest, _, digest = image.partition("@")
    if digest and not _DIGEST.match(digest):
        raise InvalidReferenceError(
            f"image {image!r} has a malformed digest; expected @sha256:<hex>",
            path=path,
            value=image,
        )
    host: str | None = None
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        host, rest = first, remainder
    name, colon, tag = rest.rpartition(":") if ":" in rest else (rest, "", "")
    if colon and not _TAG.match(tag):
        raise InvalidReferenceError(
            f"image {image!r} has a malformed tag {tag!r}", path=path, value=image
        )
    if not _REPOSITORY.match(name):
        raise InvalidReferenceError(
            f"image {image!r} is not a valid image reference "
            "([REGISTRY/]REPOSITORY[:TAG][@DIGEST], lowercase repository)",
            path=path,
            value=image,
        )
    return host, name


def parse_ecr_image(image: str, *, path: str) -> EcrImage | None:
    """The ECR repository behind ``image``, or ``None`` for any other registry.

    Region, account and partition come from the image host, never from the
    stack, so cross-account and cross-region pulls name the right repository.
    """
    host, name = split_image(image, path=path)
    if host is None:
        return None
    hostname, colon, port = host.partition(":")
    match = _ECR_HOST().match(hostname)
    if match is None:
        if _ECR_HOST().match(hostname.lower().rstrip(".")):
            # Not granting would be an outage, guessing a pull the agent may not
            # recognise as ECR's no better: ask for the host as ECR writes it.
            raise InvalidReferenceError(
                f"image {image!r} names an ECR registry, but not as ECR writes "
                f"its hosts: write {hostname.lower().rstrip('.')!r} (lowercase, no "
                "trailing dot)",
                path=path,
                value=image,
            )
        return None
    if colon and not port.isdigit():
        raise InvalidReferenceError(
            f"image {image!r} has the port {port!r}; a registry port is a number",
            path=path,
            value=image,
        )
    account, region = match["account"], match["region"]
    check_account(account, path=path, what=f"the account of image {image!r}")
    partition = partition_for_region(region, path=path)
    suffix = match["suffix"]
    dual_stack = (
        "on.amazonwebservices.com.cn" if partition.name == "aws-cn" else "on.aws"
    )
    expected = {partition.dns_suffix, dual_stack}
    if suffix not in expected:
        raise InvalidReferenceError(
            f"image host {host!r} ends in {suffix!r}, but Region {region} belongs "
            f"to partition {partition.name!r}, whose hosts end in "
            f"{partition.dns_suffix!r}",
            path=path,
            value=image,
        )
    return EcrImage(
        Arn(partition.name, "ecr", region, account, f"repository/{name}"), name
    )
