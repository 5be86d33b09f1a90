"""Least-privilege ECS task execution roles, derived from what the task uses.

The pure pipeline (:func:`derive_policy` and friends) imports nothing from CDK;
:class:`TaskExecutionRole`, the construct, loads ``aws_cdk`` only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .arns import Arn, Scope
from .documents import TaskDefinitionDocument, read_task_definitions
from .errors import (
    ExecutionRoleError,
    InvalidPolicyError,
    InvalidReferenceError,
    InvalidSettingsError,
    InvalidTaskDefinitionError,
    PolicySizeError,
)
from .needs import (
    Family,
    Grant,
    ImagePull,
    KeyDecrypt,
    LogDelivery,
    Need,
    ObjectRead,
    ParameterRead,
    SecretRead,
)
from .pipeline import RolePolicy, derive_policy, read_documents
from .reading import Derivation, derive_needs
from .statements import Policy, Statement, build_statements, split_policies
from .warnings import RoleWarning

if TYPE_CHECKING:
    from .construct import TaskExecutionRole

__all__ = [
    "Arn",
    "Derivation",
    "ExecutionRoleError",
    "Family",
    "Grant",
    "ImagePull",
    "InvalidPolicyError",
    "InvalidReferenceError",
    "InvalidSettingsError",
    "InvalidTaskDefinitionError",
    "KeyDecrypt",
    "LogDelivery",
    "Need",
    "ObjectRead",
    "ParameterRead",
    "Policy",
    "PolicySizeError",
    "RolePolicy",
    "RoleWarning",
    "Scope",
    "SecretRead",
    "Statement",
    "TaskDefinitionDocument",
    "TaskExecutionRole",
    "build_statements",
    "derive_needs",
    "derive_policy",
    "read_documents",
    "read_task_definitions",
    "split_policies",
]


def __getattr__(name: str) -> Any:
    # The construct needs aws_cdk (and Node.js); the pure pipeline must not.
    if name == "TaskExecutionRole":
        from .construct import TaskExecutionRole

        return TaskExecutionRole
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
