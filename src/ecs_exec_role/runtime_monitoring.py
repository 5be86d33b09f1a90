"""GuardDuty Runtime Monitoring on Fargate: the agent image the execution role pulls.

When GuardDuty manages its security agent automatically, it adds a sidecar to
every new Fargate task, and the task's execution role pulls that sidecar's
image from GuardDuty's own ECR repository, in an account that differs by
Region. Nothing in the task definition says so: the caller does, with the
``runtime_monitoring`` option.

The repositories come from one data file,
``data/guardduty-agent-repositories.json``, copied from the GuardDuty user
guide page "ECR repository for the GuardDuty agent on AWS Fargate (Amazon ECS
only)" and, for the GovCloud Regions, from the AWS GovCloud (US) user guide.
A Region the file lacks is refused, never guessed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

from . import warnings as ids
from .arns import Arn, Scope, check_account, partition_for_region
from .documents import TaskDefinitionDocument
from .errors import InvalidReferenceError
from .needs import ImagePull
from .warnings import RoleWarning

__all__ = [
    "AGENT_REPOSITORIES_FILE",
    "OPTION",
    "AgentRepository",
    "guardduty_agent_repositories",
    "guardduty_agent_repository",
    "is_guardduty_agent_repository",
    "runtime_monitoring_needs",
]

AGENT_REPOSITORIES_FILE = "data/guardduty-agent-repositories.json"
"""The table of GuardDuty's agent repositories, inside the package."""

OPTION = "runtime_monitoring"
"""The option's name: the source of the need it adds, and the path of its errors."""

_FARGATE = "FARGATE"


@dataclass(frozen=True)
class AgentRepository:
    """GuardDuty's repository for the Fargate agent in one Region.

    ``region_name`` is the Region's name as the page writes it ("Europe
    (Ireland)"); ``source`` the address of the page that lists it.
    """

    region: str
    region_name: str
    repository: Arn
    source: str


@functools.cache
def guardduty_agent_repositories() -> Mapping[str, AgentRepository]:
    """Every Region of the table, and its agent repository, in the page's order."""
    text = (
        resources.files(__package__)
        .joinpath(AGENT_REPOSITORIES_FILE)
        .read_text(encoding="utf-8")
    )
    table = json.loads(text)
    sources: Mapping[str, Mapping[str, str]] = table["sources"]
    return MappingProxyType(
        {
            region: _entry(region, row, sources)
            for region, row in table["regions"].items()
        }
    )


def _entry(
    region: str, row: Mapping[str, Any], sources: Mapping[str, Mapping[str, str]]
) -> AgentRepository:
    """One row of the table, checked: a typo there must not become a grant."""
    where = f"{AGENT_REPOSITORIES_FILE}: regions.{region}"
    partition = partition_for_region(region, path=where)
    if row["partition"] != partition.name:
        raise InvalidReferenceError(
            f"Region {region} belongs to partition {partition.name!r}, not "
            f"{row['partition']!r}",
            path=where,
            value=row["partition"],
        )
    account = check_account(row["account"], path=where, what="GuardDuty's account")
    repository = Arn(
        partition.name, "ecr", region, account, f"repository/{row['repository']}"
    )
    return AgentRepository(
        region, row["name"], repository, sources[row["source"]]["url"]
    )


def guardduty_agent_repository(region: str) -> AgentRepository:
    """GuardDuty's agent repository for ``region``, which must be in the table."""
    table = guardduty_agent_repositories()
    found = table.get(region)
    if found is not None:
        return found
    partition_for_region(region, path=OPTION)
    page = next(iter(table.values())).source
    raise InvalidReferenceError(
        f"GuardDuty's agent repository for Fargate is not known for Region "
        f"{region}: the table in the package ({AGENT_REPOSITORIES_FILE}, copied "
        f"from the GuardDuty user guide, {page}) lists {len(table)} Regions and "
        f"not this one. If the page lists {region} now, add its row (account "
        "and repository) to the table; if GuardDuty offers no Runtime Monitoring "
        "for Fargate there, leave runtime_monitoring off",
        path=OPTION,
        value=region,
    )


def is_guardduty_agent_repository(repository: Arn) -> bool:
    """Whether ``repository`` is one of GuardDuty's agent repositories.

    GuardDuty's repositories allow every account to pull, so they need no
    resource policy from their owner, unlike another account's repository.
    """
    found = guardduty_agent_repositories().get(repository.region)
    return found is not None and found.repository == repository


def runtime_monitoring_needs(
    documents: Iterable[TaskDefinitionDocument],
    scope: Scope,
    *,
    enabled: bool | None,
) -> tuple[tuple[ImagePull, ...], tuple[RoleWarning, ...]]:
    """The pull of GuardDuty's agent image, and what the user must be told.

    ``enabled=True`` adds the pull (the image in the repository of the task's
    Region, with ``ecr:GetAuthorizationToken`` as for any private image);
    the task's Region must be known and in the table, and at least one
    task definition must be able to run on Fargate, since GuardDuty adds the
    sidecar only there (on EC2 its agent runs on the instance, without the
    execution role). ``enabled=False`` says GuardDuty does not monitor these
    tasks: nothing is added and nothing said. ``enabled=None``, not said,
    adds nothing but warns for each task definition that runs on Fargate.
    """
    documents = tuple(documents)
    if enabled is None:
        return (), tuple(
            _unsaid(document) for document in documents if _on_fargate(document)
        )
    if not enabled:
        return (), ()
    if documents and all(_compatibilities(d) and not _on_fargate(d) for d in documents):
        raise InvalidReferenceError(
            "GuardDuty adds its agent sidecar only to Fargate tasks, and no task "
            "definition here can run on Fargate (requiresCompatibilities); on EC2 "
            "the agent runs on the instance and does not use the execution role: "
            "leave runtime_monitoring off",
            path=OPTION,
            value=sorted({c for d in documents for c in _compatibilities(d)}),
        )
    if scope.region is None:
        raise InvalidReferenceError(
            "GuardDuty's agent repository differs by Region, and no Region was "
            "given for the task; pass the task's region (--region) or leave "
            "runtime_monitoring off",
            path=OPTION,
            value=None,
        )
    region = scope.region
    agent = guardduty_agent_repository(region)
    return (ImagePull(agent.repository, source=OPTION),), ()


def _compatibilities(document: TaskDefinitionDocument) -> frozenset[str]:
    body = document.body
    return frozenset(body.get("requiresCompatibilities", ())) | frozenset(
        body.get("compatibilities", ())
    )


def _on_fargate(document: TaskDefinitionDocument) -> bool:
    return _FARGATE in _compatibilities(document)


def _unsaid(document: TaskDefinitionDocument) -> RoleWarning:
    field = (
        "requiresCompatibilities"
        if _FARGATE in document.body.get("requiresCompatibilities", ())
        else "compatibilities"
    )
    return RoleWarning(
        ids.GUARDDUTY_AGENT_NOT_GRANTED,
        "the task runs on Fargate: if GuardDuty Runtime Monitoring manages its "
        "agent automatically in this account, each new task gets a sidecar whose "
        "image the execution role pulls from GuardDuty's ECR repository, which "
        "this policy does not grant; set runtime_monitoring=True "
        "(--runtime-monitoring) to grant that pull, or runtime_monitoring=False "
        "(--no-runtime-monitoring) to say GuardDuty does not monitor the task",
        document.path(field),
    )
