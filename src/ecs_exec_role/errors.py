"""The exceptions that the library raises.

Every problem with a caller's input is an :class:`ExecutionRoleError`, a
``ValueError``, so code that already catches bad values keeps working. The
message names the field (its JSON path, for a task definition), quotes the
value received and says what would be right.
"""

from __future__ import annotations

__all__ = [
    "ExecutionRoleError",
    "InvalidPolicyError",
    "InvalidReferenceError",
    "InvalidSettingsError",
    "InvalidTaskDefinitionError",
    "PolicySizeError",
]


class ExecutionRoleError(ValueError):
    """Base class: the input cannot be turned into an execution-role policy.

    ``path`` is the JSON path of the offending setting (``""`` when the problem
    is not tied to one field), ``value`` the value received.
    """

    def __init__(self, message: str, *, path: str = "", value: object = None) -> None:
        self.path = path
        self.value = value
        super().__init__(f"{path}: {message}" if path else message)


class InvalidTaskDefinitionError(ExecutionRoleError):
    """The document is not JSON, or not a task definition the ECS API accepts."""


class InvalidPolicyError(ExecutionRoleError):
    """A policy given to the audit is not an identity policy that IAM accepts.

    ``policy`` names the policy (and the file it came from); ``path`` is the JSON
    path of the offending field within its document, such as
    ``Statement[1].Action``.
    """

    def __init__(
        self, message: str, *, policy: str, path: str = "", value: object = None
    ) -> None:
        self.policy = policy
        super().__init__(message, path=path, value=value)

    def __str__(self) -> str:
        return f"{self.policy}: {super().__str__()}"


class InvalidReferenceError(ExecutionRoleError):
    """An ARN, image, name or key reference is malformed or cannot be granted."""


class InvalidSettingsError(ExecutionRoleError):
    """Several settings are wrong at once; ``problems`` lists each one's error."""

    def __init__(self, problems: list[ExecutionRoleError]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} settings cannot be granted:\n{listing}")


class PolicySizeError(ExecutionRoleError):
    """The grants do not fit in the managed policies that IAM allows a role."""
