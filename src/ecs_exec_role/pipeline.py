"""The whole pure pipeline in one call: document in, policies out.

This is what the command line and the construct's file reader drive; it imports
nothing from CDK.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .arns import Scope
from .documents import TaskDefinitionDocument, load_source, read_task_definitions
from .reading import Derivation, derive_needs
from .service_connect import ServiceDocument
from .statements import (
    DEFAULT_MAX_MANAGED_POLICIES,
    Policy,
    Statement,
    build_statements,
    split_policies,
)

__all__ = ["RolePolicy", "derive_policy", "read_documents"]


@dataclass(frozen=True)
class RolePolicy:
    """What an execution role needs: the derivation, its statements, its policies.

    ``policies`` is empty when the task definitions need no execution role.
    """

    derivation: Derivation
    statements: tuple[Statement, ...]
    policies: tuple[Policy, ...]

    @property
    def document(self) -> dict[str, Any] | None:
        """All statements as one policy document, or ``None`` when none is needed."""
        if not self.statements:
            return None
        return Policy(self.statements).to_json()


def read_documents(source: Any, *, label: str = "") -> list[TaskDefinitionDocument]:
    """Task definitions from a path, JSON text or bytes, or an already parsed value."""
    return read_task_definitions(load_source(source, label=label), label=label)


def derive_policy(
    documents: Sequence[TaskDefinitionDocument],
    *,
    region: str | None = None,
    account: str | None = None,
    partition: str | None = None,
    kms_keys: Mapping[str, str] | None = None,
    pull_through_cache_prefixes: Sequence[str] = (),
    services: Sequence[ServiceDocument] = (),
    runtime_monitoring: bool | None = None,
    max_policies: int = DEFAULT_MAX_MANAGED_POLICIES,
) -> RolePolicy:
    """The least-privilege execution-role policy for ``documents``.

    ``region``, ``account`` and ``partition`` are the task's own and serve
    references that name none; the partition follows from the Region when not
    given. See :func:`ecs_exec_role.reading.derive_needs` for ``kms_keys``,
    ``pull_through_cache_prefixes``, ``services`` (read them with
    :func:`ecs_exec_role.service_connect.read_services`) and
    ``runtime_monitoring``.
    """
    derivation = derive_needs(
        documents,
        scope=Scope(region=region, account=account, partition=partition),
        kms_keys=kms_keys,
        pull_through_cache_prefixes=pull_through_cache_prefixes,
        services=services,
        runtime_monitoring=runtime_monitoring,
    )
    statements = build_statements(derivation.needs, derivation.sources)
    policies = (
        split_policies(statements, max_policies=max_policies) if statements else ()
    )
    return RolePolicy(derivation, statements, policies)
