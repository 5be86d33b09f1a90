"""Near misses: requests one step away from those the ECS agent makes.

Each request that the role must be allowed has neighbours that it must not be:
another secret, parameter, repository, log group or object of the same account;
the same names in another Region or account; a secret whose name extends this
one's (what ``NAME-*`` would grant) or whose random suffix has five or seven
characters where AWS always makes six; a log stream outside the
stream prefix; the right KMS key used directly or through another service; the
right resource with an action ECS never calls; another character where a name
holds a '?' (which IAM reads as a wildcard unless it is escaped). A
least-privilege policy allows the request and denies every neighbour.

This module reads the requests' ARNs itself, with nothing from the library, so
that a mistake in the library's ARN handling cannot hide here too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from ecs_exec_role.requests import Request

__all__ = ["NearMiss", "near_misses"]

OTHER_ACCOUNTS = ("444455556666", "777788889999")

# Actions ECS never calls with the execution role, on the resources it does use.
_OTHER_ACTIONS = {
    "ecr:BatchGetImage": "ecr:PutImage",
    "ecr:GetAuthorizationToken": "ecr:DescribeRegistry",
    "logs:CreateLogStream": "logs:GetLogEvents",
    "logs:CreateLogGroup": "logs:DeleteLogGroup",
    "secretsmanager:GetSecretValue": "secretsmanager:PutSecretValue",
    "ssm:GetParameters": "ssm:PutParameter",
    "kms:Decrypt": "kms:Encrypt",
    "s3:GetObject": "s3:PutObject",
    "s3:GetBucketLocation": "s3:ListBucket",
}

# A stream ECS names PREFIX/CONTAINER/TASK-ID: the last two parts are its own.
_STREAM_OWN_PARTS = 2
_SECRET_SUFFIX_LENGTH = 6


@dataclass(frozen=True)
class NearMiss:
    """A request that must be denied, and what makes it a near miss."""

    kind: str
    request: Request
    of: Request


@dataclass(frozen=True)
class _Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> _Arn | None:
        fields = text.split(":", 5)
        if len(fields) != 6 or fields[0] != "arn":
            return None
        return cls(*fields[1:])

    def render(self) -> str:
        return ":".join(
            (
                "arn",
                self.partition,
                self.service,
                self.region,
                self.account,
                self.resource,
            )
        )

    def with_resource(self, resource: str) -> str:
        return replace(self, resource=resource).render()


def near_misses(requests: Sequence[Request]) -> list[NearMiss]:
    """Every near miss of ``requests`` that none of ``requests`` covers.

    A neighbour of one request may be another request of the same task (two
    log groups ``/ecs/a`` and ``/ecs/a-other``, one secret in two Regions), or
    differ from one only where ECS fills in a name at run time (a secret's
    suffix, a task's log stream): such a neighbour is legitimately allowed,
    and left out.
    """
    found: dict[tuple[str, str, tuple[tuple[str, str], ...]], NearMiss] = {}
    for request in requests:
        for miss in _neighbours(request):
            key = _key(miss.request)
            if key in found or any(_covers(legit, miss.request) for legit in requests):
                continue
            found[key] = miss
    return list(found.values())


def _key(request: Request) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return (request.action, request.resource, tuple(sorted(request.context.items())))


def _covers(legit: Request, other: Request) -> bool:
    """Whether ECS, making ``legit``, may as well make ``other``."""
    action, resource, context = _key(legit)
    other_action, other_resource, other_context = _key(other)
    same_context = _services(context) == _services(other_context)
    if action.lower() != other_action.lower() or not same_context:
        return False
    if resource == other_resource:
        return True
    arn, other_arn = _Arn.parse(resource), _Arn.parse(other_resource)
    if arn is None or other_arn is None or arn.service != other_arn.service:
        return False
    if arn.service == "secretsmanager" and _has_suffix(arn.resource):
        # The random suffix: any six characters after the name and a '-'.
        return (
            len(resource) == len(other_resource)
            and resource[:-_SECRET_SUFFIX_LENGTH]
            == other_resource[:-_SECRET_SUFFIX_LENGTH]
        )
    if arn.service == "logs" and ":log-stream:" in arn.resource:
        head, _, stream = resource.partition(":log-stream:")
        other_head, marker, other_stream = other_resource.partition(":log-stream:")
        prefix = "/".join(stream.split("/")[:-_STREAM_OWN_PARTS])
        # A stream of any task and container, under the prefix when one is set.
        return (
            bool(marker)
            and head == other_head
            and (not prefix or other_stream.startswith(f"{prefix}/"))
        )
    return False


def _services(context: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """``context`` with each service named one way.

    In China a service answers as ``SERVICE.REGION.amazonaws.com`` and as
    ``SERVICE.REGION.amazonaws.com.cn``, and a grant names both (see
    ``ecs_exec_role.needs.via_service``): either is that one service.
    """
    return tuple(
        (key, value.removesuffix(".cn") if key == "kms:ViaService" else value)
        for key, value in context
    )


def _has_suffix(resource: str) -> bool:
    name = resource.removeprefix("secret:")
    return (
        len(name) > _SECRET_SUFFIX_LENGTH and name[-(_SECRET_SUFFIX_LENGTH + 1)] == "-"
    )


def _neighbours(request: Request) -> Iterator[NearMiss]:
    other_action = _OTHER_ACTIONS.get(request.action)
    if other_action is not None:
        yield NearMiss(
            "an action ECS does not call",
            replace(request, action=other_action),
            request,
        )
    arn = _Arn.parse(request.resource)
    if arn is None:
        return
    by_service = {
        "ecr": _repository,
        "logs": _log_stream,
        "secretsmanager": _secret,
        "ssm": _parameter,
        "kms": _key_use,
        "s3": _object,
    }
    for kind, resource in by_service.get(arn.service, _nothing)(arn):
        yield NearMiss(kind, replace(request, resource=resource), request)
    if "?" in arn.resource:
        # A '?' in a name is that character, not IAM's one-character wildcard.
        yield NearMiss(
            "another character where the name has a '?'",
            replace(
                request, resource=arn.with_resource(arn.resource.replace("?", "x"))
            ),
            request,
        )
    if arn.region:
        for kind, context in _context_misses(request, arn):
            yield NearMiss(kind, replace(request, context=context), request)
        other_region = _other_region(arn.partition, arn.region)
        yield NearMiss(
            "the same name in another Region",
            replace(request, resource=replace(arn, region=other_region).render()),
            request,
        )
    if arn.account:
        other = next(account for account in OTHER_ACCOUNTS if account != arn.account)
        yield NearMiss(
            "the same name in another account",
            replace(request, resource=replace(arn, account=other).render()),
            request,
        )


def _nothing(arn: _Arn) -> Iterable[tuple[str, str]]:
    return ()


def _repository(arn: _Arn) -> Iterable[tuple[str, str]]:
    name = arn.resource.removeprefix("repository/")
    yield "another repository", arn.with_resource(f"repository/{name}-staging")
    yield "a repository under this one", arn.with_resource(f"repository/{name}/cache")


def _log_stream(arn: _Arn) -> Iterable[tuple[str, str]]:
    group, marker, stream = arn.resource.partition(":log-stream:")
    yield "another log group", arn.with_resource(f"{group}-other{marker}{stream}")
    yield (
        "a log group under this one",
        arn.with_resource(f"{group}/other{marker}{stream}"),
    )
    parts = stream.split("/")
    if len(parts) > _STREAM_OWN_PARTS:
        prefix, own = (
            "/".join(parts[:-_STREAM_OWN_PARTS]),
            "/".join(parts[-_STREAM_OWN_PARTS:]),
        )
        yield (
            "a log stream outside the prefix",
            arn.with_resource(f"{group}{marker}other/{own}"),
        )
        yield (
            "a log stream under a longer prefix",
            arn.with_resource(f"{group}{marker}{prefix}x/{own}"),
        )


def _secret(arn: _Arn) -> Iterable[tuple[str, str]]:
    name = arn.resource.removeprefix("secret:")
    yield "another secret", arn.with_resource(f"secret:{name[:-7]}x{name[-7:]}")
    # What 'NAME-*' would also grant: another secret named NAME-SOMETHING.
    yield (
        "a secret whose name extends this one's",
        arn.with_resource(f"secret:{name[:-7]}-staging{name[-7:]}"),
    )
    yield (
        "a secret whose suffix has 5 characters",
        arn.with_resource(f"secret:{name[:-1]}"),
    )
    yield "a secret whose suffix has 7 characters", arn.with_resource(f"secret:{name}7")


def _parameter(arn: _Arn) -> Iterable[tuple[str, str]]:
    name = arn.resource.removeprefix("parameter/")
    yield "another parameter", arn.with_resource(f"parameter/{name}x")
    yield "a parameter under this one", arn.with_resource(f"parameter/{name}/child")
    parent, slash, _ = name.rpartition("/")
    if slash and parent:
        yield "the parameter's parent path", arn.with_resource(f"parameter/{parent}")


def _key_use(arn: _Arn) -> Iterable[tuple[str, str]]:
    key_id = arn.resource.removeprefix("key/")
    other = key_id[:-1] + ("1" if key_id.endswith("0") else "0")
    yield "another KMS key", arn.with_resource(f"key/{other}")


def _object(arn: _Arn) -> Iterable[tuple[str, str]]:
    bucket, slash, key = arn.resource.partition("/")
    if slash:
        yield "another object in the bucket", arn.with_resource(f"{bucket}/{key}.bak")
        yield (
            "the same key in another bucket",
            arn.with_resource(f"{bucket}-other/{key}"),
        )
    else:
        yield "another bucket", arn.with_resource(f"{bucket}-other")


def _context_misses(
    request: Request, arn: _Arn
) -> Iterable[tuple[str, dict[str, str]]]:
    """The KMS key used directly, through another service, or from another Region."""
    service = request.context.get("kms:ViaService")
    if service is None:
        return
    name, _, rest = service.partition(".")
    region, _, suffix = rest.partition(".")
    others = {"secretsmanager": "ssm", "ssm": "secretsmanager", "s3": "secretsmanager"}
    without = {k: v for k, v in request.context.items() if k != "kms:ViaService"}
    yield "the key used directly, through no service", without
    yield (
        "the key through another service",
        {
            **request.context,
            "kms:ViaService": f"{others.get(name, 's3')}.{region}.{suffix}",
        },
    )
    other_region = _other_region(_partition_holding(region) or arn.partition, region)
    yield (
        "the key through the service in another Region",
        {**request.context, "kms:ViaService": f"{name}.{other_region}.{suffix}"},
    )


@functools.cache
def _regions(partition: str) -> tuple[str, ...]:
    from botocore.loaders import Loader

    for entry in Loader().load_data("partitions")["partitions"]:
        if entry["id"] == partition:
            return tuple(sorted(entry.get("regions", {})))
    return ()


@functools.cache
def _partition_holding(region: str) -> str | None:
    from botocore.loaders import Loader

    for entry in Loader().load_data("partitions")["partitions"]:
        if region in entry.get("regions", {}):
            return str(entry["id"])
    return None


def _other_region(partition: str, region: str) -> str:
    """Another Region of the same partition (a made-up one if it has no other)."""
    for other in _regions(partition):
        if other != region and not other.endswith("-global"):
            return other
    head, _, number = region.rpartition("-")
    return f"{head}-{int(number) + 1 if number.isdigit() else 9}"
