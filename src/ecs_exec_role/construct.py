"""The TaskExecutionRole construct: the exact execution role of ECS task definitions.

A :class:`TaskExecutionRole` is an ``iam.Role`` to hand to any
``ecs.TaskDefinition`` as ``execution_role``. What it grants comes from three
places, which may be combined:

- keyword arguments naming resources (CDK objects or ARN strings);
- the CDK task definitions that use it, read once the construct tree is
  complete, so the order of ``add_container`` calls does not matter, and the
  Service Connect logs of the CDK services that run them;
- a task-definition document (:meth:`TaskExecutionRole.from_task_definition_file`),
  read by the same pipeline as the command line.

How it keeps to that, against aws-cdk-lib's habits:

- **No grant reaches it from aws-cdk-lib.** Task definitions and containers
  grant their execution role more than it needs (``DescribeSecret``,
  ``ssm:GetParameterHistory``, whole log groups). The role answers every
  ``add_to_principal_policy`` the way ``Role.without_policy_updates()`` does:
  statement added, nothing written. Because the answer is "added",
  ``Grant.add_to_principal_or_resource`` never falls back to a resource
  policy either, so no repository, secret or parameter policy appears.
- **Grants are derived at synthesis.** An aspect on the role, with mutating
  priority, reads the task definitions when it visits the role and creates
  the customer-managed policies then, as ``ecs.Cluster`` creates its capacity
  provider associations: the number of policies is known only once every
  container is. Problems found then are reported by a validation of the role,
  all together, when the app synthesizes.
- **Managed policies, never inline**: the HIPAA, NIST 800-53 and PCI DSS packs
  of cdk-nag reject inline policies. Each document is handed to CDK whole
  (``PolicyDocument.from_json``) and split across as few managed policies as
  IAM's 6,144-character limit allows.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import (
    Construct,
    DependencyGroup,
    IConstruct,
    IDependable,
    IValidation,
)

from . import warnings as ids
from .arns import Arn, Scope, parse_arn
from .cdk_policies import (
    forced_wildcard_findings,
    literal_character_findings,
    split_for_deployment,
    stable_statements,
)
from .cdk_reading import CdkReader, KeyMap, TokenArn, offers
from .errors import ExecutionRoleError, InvalidReferenceError, InvalidSettingsError
from .needs import ImagePull, KeyDecrypt, Need
from .pipeline import read_documents
from .reading import Derivation, derive_needs
from .runtime_monitoring import guardduty_agent_repository
from .service_connect import ServiceDocument
from .statements import (
    DEFAULT_MAX_MANAGED_POLICIES,
    MAX_MANAGED_POLICIES,
    build_statements,
)
from .warnings import RoleWarning

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["RoleOptions", "TaskExecutionRole"]

ECS_TASKS = "ecs-tasks.amazonaws.com"


class RoleOptions(TypedDict, total=False):
    """The keyword arguments of :class:`TaskExecutionRole` that shape the role."""

    confused_deputy_conditions: bool
    max_managed_policies: int
    runtime_monitoring: bool | None
    role_name: str | None
    path: str | None
    permissions_boundary: iam.IManagedPolicy | None
    description: str | None
    max_session_duration: cdk.Duration | None
    tags: Mapping[str, str] | None


class TaskExecutionRole(iam.Role):
    """An ECS task execution role that grants exactly what its tasks need.

    Hand it to task definitions as ``execution_role``: their containers are
    read at synthesis. Resources that no task definition of the app names
    (a task registered by another tool, say) can be given directly:

    :param task_definitions: task definitions to read besides those whose
        ``execution_role`` is this role, which are found on their own.
    :param services: ECS services whose Service Connect logs (an ``awslogs``
        ``log_driver``) to grant, besides those running a task definition
        whose ``execution_role`` is this role, which are found on their own.
    :param repositories: ECR repositories to pull from: ``ecr.IRepository``
        objects, repository ARNs or private image URIs.
    :param log_groups: CloudWatch Logs groups to write container logs to
        (``logs.ILogGroup``, names or ARNs); streams under
        ``log_stream_prefix`` only, when given, else any stream.
    :param secrets: Secrets Manager secrets to read (``ISecret``, ARNs or
        names); a secret object's ``encryption_key`` is granted too.
    :param parameters: SSM parameters to read (``IParameter``, ARNs or names);
        a parameter imported with its ``encryption_key`` brings it.
    :param s3_objects: S3 objects to download (``(bucket, key)`` pairs or
        object ARNs), as environment files or FireLens configuration.
    :param kms_keys: the customer-managed key of each resource that is given
        by ARN or name (as written) and whose object does not know its key.
    :param pull_through_cache_prefixes: ECR pull-through cache prefixes: an
        image under one may also import its upstream image.
    :param runtime_monitoring: whether GuardDuty Runtime Monitoring adds its
        agent sidecar to Fargate tasks (``True`` grants pulling it). Not said
        (``None``), nothing is granted and each Fargate task definition warns.
    :param confused_deputy_conditions: trust ``ecs-tasks.amazonaws.com`` only
        for tasks of this stack's account (``aws:SourceAccount``) and Region
        (``aws:SourceArn``). Turn off when tasks of another Region or account
        use the role.
    :param max_managed_policies: how many managed policies the grants may
        fill: IAM allows 10 per role by default, 20 with a quota increase.

    The remaining keywords (``role_name``, ``path``, ``permissions_boundary``,
    ``description``, ``max_session_duration``, ``tags``) are those of
    ``iam.Role``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        task_definitions: Sequence[ecs.TaskDefinition] = (),
        services: Sequence[ecs.BaseService] = (),
        repositories: Sequence[ecr.IRepository | str] = (),
        log_groups: Sequence[logs.ILogGroup | str] = (),
        log_stream_prefix: str | None = None,
        secrets: Sequence[secretsmanager.ISecret | str] = (),
        parameters: Sequence[ssm.IParameter | str] = (),
        s3_objects: Sequence[tuple[s3.IBucket | str, str] | str] = (),
        kms_keys: Mapping[str, kms.IKey | str] | None = None,
        pull_through_cache_prefixes: Sequence[str] = (),
        runtime_monitoring: bool | None = None,
        confused_deputy_conditions: bool = True,
        max_managed_policies: int = DEFAULT_MAX_MANAGED_POLICIES,
        role_name: str | None = None,
        path: str | None = None,
        permissions_boundary: iam.IManagedPolicy | None = None,
        description: str | None = None,
        max_session_duration: cdk.Duration | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        _check_arguments(
            task_definitions=task_definitions,
            services=services,
            repositories=repositories,
            log_groups=log_groups,
            log_stream_prefix=log_stream_prefix,
            secrets=secrets,
            parameters=parameters,
            s3_objects=s3_objects,
            kms_keys=kms_keys,
            pull_through_cache_prefixes=pull_through_cache_prefixes,
            runtime_monitoring=runtime_monitoring,
            confused_deputy_conditions=confused_deputy_conditions,
            max_managed_policies=max_managed_policies,
        )
        stack = cdk.Stack.of(scope)
        super().__init__(
            scope,
            construct_id,
            assumed_by=_ecs_tasks(stack, confused_deputy_conditions),
            role_name=role_name,
            path=path,
            permissions_boundary=permissions_boundary,
            description=description,
            max_session_duration=max_session_duration,
        )
        for key in sorted(tags or {}):
            cdk.Tags.of(self).add(key, (tags or {})[key])

        self._max_policies = max_managed_policies
        self._policy_path = path
        self._runtime_monitoring = runtime_monitoring
        self._task_definitions: list[ecs.TaskDefinition] = list(task_definitions)
        self._services: list[ecs.BaseService] = list(services)
        self._documents: list[Derivation] = []
        self._granted = DependencyGroup()
        self._problems: list[str] = []
        self._derived = False
        self._managed_policies: list[iam.ManagedPolicy] = []

        self._reader = CdkReader(
            stack,
            grantee=self,
            kms_keys=KeyMap(kms_keys),
            pull_through_cache_prefixes=pull_through_cache_prefixes,
        )
        self._reader.repositories(repositories)
        self._reader.log_groups(log_groups, log_stream_prefix)
        self._reader.secrets(secrets)
        self._reader.parameters(parameters)
        self._reader.s3_objects(s3_objects)
        _raise_problems(self._reader.collector.problems)

        self.node.add_validation(_ReportProblems(self))
        cdk.Aspects.of(self).add(
            _DerivePolicies(self), priority=cdk.AspectPriority.MUTATING
        )

    @classmethod
    def from_task_definition_file(
        cls,
        scope: Construct,
        construct_id: str,
        source: str | os.PathLike[str] | Mapping[str, Any] | Sequence[Any],
        *,
        region: str | None = None,
        account: str | None = None,
        kms_keys: Mapping[str, kms.IKey | str] | None = None,
        pull_through_cache_prefixes: Sequence[str] = (),
        services: Sequence[ServiceDocument] = (),
        **role_props: Unpack[RoleOptions],
    ) -> TaskExecutionRole:
        """The execution role of a task-definition document another tool registers.

        ``source`` is a path to a JSON file, or the parsed document, in any
        shape the command line reads (RegisterTaskDefinition input,
        ``describe-task-definition`` output, a CloudFormation template or
        ``AWS::ECS::TaskDefinition`` resource). ``region`` and ``account`` are
        the task's, for references that name neither: the stack's, when
        concrete. ``kms_keys`` maps resources as the document writes them to
        their keys (CDK keys or key ARNs). ``services`` are the ECS services
        that run the task (:func:`ecs_exec_role.service_connect.read_services`):
        their Service Connect log configurations are granted like a
        container's. Errors in the documents are raised at once, naming the
        JSON path.
        """
        _check_arguments(
            kms_keys=kms_keys, pull_through_cache_prefixes=pull_through_cache_prefixes
        )
        stack = cdk.Stack.of(scope)
        region = region or _concrete(stack.region)
        account = account or _concrete(stack.account)
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            documents = read_documents(path, label=path.name)
        else:
            documents = read_documents(source)
        stand_ins = _KeyStandIns(kms_keys or {}, Scope(region=region, account=account))
        derivation = derive_needs(
            documents,
            scope=Scope(region=region, account=account),
            kms_keys=stand_ins.arns,
            pull_through_cache_prefixes=pull_through_cache_prefixes,
            services=services,
            runtime_monitoring=role_props.get("runtime_monitoring"),
        )

        role = cls(
            scope,
            construct_id,
            pull_through_cache_prefixes=pull_through_cache_prefixes,
            **role_props,
        )
        role._documents.append(stand_ins.restore(derivation))
        return role

    # -- the role refuses every statement but its own ------------------------

    def add_to_principal_policy(
        self, statement: iam.PolicyStatement
    ) -> iam.AddToPrincipalPolicyResult:
        """Report ``statement`` as added, and add nothing.

        aws-cdk-lib calls this to grant a task definition's execution role what
        it thinks a container needs; the role's grants come from reading the
        containers instead. Saying "added" keeps aws-cdk-lib from writing a
        resource policy in its place, and the dependable it returns holds the
        role's managed policies once they exist. For permissions the
        derivation does not cover, attach a managed policy
        (``add_managed_policy``).
        """
        return iam.AddToPrincipalPolicyResult(
            statement_added=True, policy_dependable=self._granted
        )

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        """Like :meth:`add_to_principal_policy`: accepted, and not added."""
        return self.add_to_principal_policy(statement).statement_added

    def add_task_definition(self, task_definition: ecs.TaskDefinition) -> None:
        """Read ``task_definition`` too, though its execution role is another.

        Task definitions whose ``execution_role`` is this role (or a view of
        it, such as ``without_policy_updates()``) are read without this.
        """
        self._task_definitions.append(task_definition)

    def add_service(self, service: ecs.BaseService) -> None:
        """Grant ``service``'s Service Connect logs too.

        Services running a task definition whose ``execution_role`` is this
        role are read without this.
        """
        self._services.append(service)

    @property
    def managed_policies(self) -> Sequence[iam.ManagedPolicy]:
        """The customer-managed policies holding the grants, once synthesized."""
        return tuple(self._managed_policies)

    @property
    def policy_dependable(self) -> IDependable:
        """Depend on this to come after the role's grants exist.

        Task definitions that use the role depend on its policies already; a
        construct that starts tasks otherwise (a custom resource running a
        task, say) should ``node.add_dependency(role.policy_dependable)``. The
        policies are created at synthesis; the dependable holds them then.
        """
        return self._granted

    # -- synthesis -----------------------------------------------------------

    def _derive(self) -> None:
        """Read the task definitions and write the policies; called once."""
        if self._derived:
            return
        self._derived = True
        stack = cdk.Stack.of(self)
        task_definitions = self._task_definitions_to_read()
        reader = self._reader
        reader.read_at_synthesis()
        for task_definition in task_definitions:
            reader.task_definition(task_definition)
        for service in self._services_to_read():
            reader.service(service)
        self._runtime_monitoring_needs(task_definitions)

        problems: list[ExecutionRoleError] = list(reader.collector.problems)
        unused = reader.keys.unused()
        if unused:
            problems.append(
                InvalidReferenceError(
                    f"KMS keys were given for {', '.join(map(repr, unused))}, which "
                    "no secret, parameter or S3 object of the role uses; name the "
                    "resource as it is written (its ARN or name)",
                    path="kms_keys",
                    value=unused,
                )
            )
        if problems:
            self._problems.extend(str(problem) for problem in problems)
            return

        derivation = _merge(reader.collector.derivation(), *self._documents)
        self._report(derivation.warnings, task_definitions, derivation.needs)
        if not derivation.needs:
            return
        statements = stable_statements(
            build_statements(derivation.needs, derivation.sources), stack
        )
        try:
            policies = split_for_deployment(
                statements, stack, max_policies=self._max_policies
            )
        except ExecutionRoleError as error:
            self._problems.append(str(error))
            return

        # A policy's description cannot change without replacing the policy:
        # it says whose grants these are, not how many parts they make.
        description = f"ECS task execution grants of {self.node.path}"
        for number, policy in enumerate(policies, 1):
            # The policy names the role, not the role its policies: a key
            # policy that aws-cdk-lib points at the role must not close a loop
            # role -> policy -> secret -> key -> role.
            managed = iam.ManagedPolicy(
                self,
                f"Policy{number}",
                document=iam.PolicyDocument.from_json(policy.to_json()),
                description=description,
                path=self._policy_path,
                roles=[self],
            )
            findings = (
                *forced_wildcard_findings(policy, stack),
                *literal_character_findings(policy),
            )
            for finding, reason in findings:
                cdk.Validations.of(managed).acknowledge(
                    cdk.Acknowledgment(id=finding, reason=reason)
                )
            self._granted.add(managed)
            self._managed_policies.append(managed)
        # Whatever launches tasks does so through the task definition, which
        # must not exist before the grants its tasks start with; nothing else
        # orders them, since the role does not depend on its policies.
        for task_definition in task_definitions:
            resource = task_definition.node.default_child
            if resource is not None:
                resource.node.add_dependency(*self._managed_policies)

    def _task_definitions_to_read(self) -> list[ecs.TaskDefinition]:
        found: dict[str, ecs.TaskDefinition] = {}
        for construct in self.node.root.node.find_all():
            if isinstance(construct, ecs.TaskDefinition):
                role = construct.execution_role
                if role is not None and role.role_arn == self.role_arn:
                    found[construct.node.path] = construct
        for task_definition in self._task_definitions:
            found.setdefault(task_definition.node.path, task_definition)
        return [found[path] for path in sorted(found)]

    def _services_to_read(self) -> list[ecs.BaseService]:
        # ECS runs a service's Service Connect proxy with its task's
        # execution role, the role aws-cdk-lib binds the proxy's log driver to.
        found: dict[str, ecs.BaseService] = {}
        for construct in self.node.root.node.find_all():
            if isinstance(construct, ecs.BaseService):
                role = construct.task_definition.execution_role
                if role is not None and role.role_arn == self.role_arn:
                    found[construct.node.path] = construct
        for service in self._services:
            found.setdefault(service.node.path, service)
        return [found[path] for path in sorted(found)]

    def _runtime_monitoring_needs(
        self, task_definitions: Sequence[ecs.TaskDefinition]
    ) -> None:
        on_fargate = [
            t
            for t in task_definitions
            if t.compatibility
            in (ecs.Compatibility.FARGATE, ecs.Compatibility.EC2_AND_FARGATE)
        ]
        collector = self._reader.collector
        if self._runtime_monitoring is None:
            for task_definition in on_fargate:
                collector.warn(
                    ids.GUARDDUTY_AGENT_NOT_GRANTED,
                    "the task can run on Fargate, where GuardDuty Runtime Monitoring "
                    "adds an agent sidecar that this role pulls; say whether it does "
                    "with runtime_monitoring=True or False",
                    task_definition.node.path,
                )
        elif self._runtime_monitoring:
            if not task_definitions and self._documents:
                return  # The documents' derivation granted the pull already.
            if task_definitions and not on_fargate:
                collector.problems.append(
                    InvalidReferenceError(
                        "GuardDuty adds its agent sidecar only to Fargate tasks, and "
                        "no task definition of this role can run on Fargate; on EC2 "
                        "the agent runs on the instance and does not use the "
                        "execution role: leave runtime_monitoring off",
                        path="runtime_monitoring",
                        value=True,
                    )
                )
                return
            region = cdk.Stack.of(self).region
            if cdk.Token.is_unresolved(region):
                collector.problems.append(
                    InvalidReferenceError(
                        "GuardDuty's agent repository differs by Region, and the "
                        "stack has none: give the stack an env, or leave "
                        "runtime_monitoring off",
                        path="runtime_monitoring",
                        value=True,
                    )
                )
                return
            collector.attempt(self._add_agent_pull, region)

    def _add_agent_pull(self, region: str) -> None:
        agent = guardduty_agent_repository(region)
        self._reader.collector.add(
            ImagePull(agent.repository, source="runtime_monitoring")
        )

    def _report(
        self,
        warnings: Sequence[RoleWarning],
        task_definitions: Sequence[ecs.TaskDefinition],
        needs: Sequence[Need],
    ) -> None:
        annotations = cdk.Annotations.of(self)
        for warning in warnings:
            if warning.id != ids.NO_EXECUTION_ROLE_NEEDED:
                where = f"{warning.path}: " if warning.path else ""
                annotations.add_warning_v2(warning.id, f"{where}{warning.message}")
        if not needs:
            what = (
                "the task definitions that use it need none (public images, no "
                "awslogs, no secrets)"
                if task_definitions or self._documents
                else "no task definition uses it and no resource was given"
            )
            annotations.add_warning_v2(
                ids.NO_EXECUTION_ROLE_NEEDED,
                f"the role grants nothing: {what}",
            )


@jsii.implements(cdk.IAspect)
class _DerivePolicies:
    """Derives the role's policies when the aspect visits the role itself."""

    def __init__(self, role: TaskExecutionRole) -> None:
        self._role = role

    def visit(self, node: IConstruct) -> None:
        if node is self._role:
            self._role._derive()


@jsii.implements(IValidation)
class _ReportProblems:
    """Every problem the synthesis-time reading found, reported together."""

    def __init__(self, role: TaskExecutionRole) -> None:
        self._role = role

    def validate(self) -> list[str]:
        return list(self._role._problems)


class _KeyStandIns:
    """Key ARNs for the document pipeline, which parses them: tokens stand in.

    A CDK key's ARN is a token until deployment; the pipeline gets a literal
    ARN in its place, and the derivation gets the token back.
    """

    def __init__(self, keys: Mapping[str, kms.IKey | str], scope: Scope) -> None:
        self.arns: dict[str, str] = {}
        self._tokens: dict[Arn, kms.IKey] = {}
        region = scope.region or "us-east-1"
        account = scope.account or "000000000000"
        partition = scope.partition or "aws"
        for number, (resource, key) in enumerate(sorted(keys.items()), 1):
            if isinstance(key, str):
                self.arns[resource] = key
            elif not cdk.Token.is_unresolved(key.key_arn):
                self.arns[resource] = key.key_arn
            else:
                # A well-formed key id, as the pipeline checks; no real key's
                # UUID is all zeros but for the number.
                stand_in = (
                    f"arn:{partition}:kms:{region}:{account}:"
                    f"key/00000000-0000-0000-0000-{number:012x}"
                )
                self.arns[resource] = stand_in
                self._tokens[parse_arn(stand_in, path="kms_keys")] = key

    def restore(self, derivation: Derivation) -> Derivation:
        if not self._tokens:
            return derivation
        renamed = {need: self._restored(need) for need in derivation.needs}
        return dataclasses.replace(
            derivation,
            needs=tuple(renamed.values()),
            sources={renamed[n]: paths for n, paths in derivation.sources.items()},
        )

    def _restored(self, need: Need) -> Need:
        if not isinstance(need, KeyDecrypt) or need.key not in self._tokens:
            return need
        key = self._tokens[need.key]
        env = key.env
        token = TokenArn(
            cdk.Stack.of(key).partition,
            "kms",
            env.region,
            env.account,
            "key/",
            token=key.key_arn,
        )
        return dataclasses.replace(need, key=token)


def _ecs_tasks(stack: cdk.Stack, conditions: bool) -> iam.IPrincipal:
    if not conditions:
        return iam.ServicePrincipal(ECS_TASKS)
    # The confused-deputy conditions of the ECS Developer Guide: only tasks of
    # this account, in this Region, may assume the role.
    return iam.ServicePrincipal(
        ECS_TASKS,
        conditions={
            "ArnLike": {
                "aws:SourceArn": stack.format_arn(
                    service="ecs",
                    resource="*",
                    arn_format=cdk.ArnFormat.NO_RESOURCE_NAME,
                )
            },
            "StringEquals": {"aws:SourceAccount": stack.account},
        },
    )


# -- the keyword arguments, checked before anything is built -----------------


def _offering(attribute: str) -> Callable[[Any], bool]:
    """A string, or a CDK object of the interface that offers ``attribute``."""
    return lambda item: isinstance(item, str) or offers(item, attribute)


_PAIR = 2  # An S3 object is a bucket and a key.


def _is_s3_object(item: Any) -> bool:
    if isinstance(item, str):
        return True
    if not isinstance(item, (tuple, list)) or len(item) != _PAIR:
        return False
    bucket, key = item
    return _offering("arn_for_objects")(bucket) and isinstance(key, str)


# What each sequence argument holds: a test of one item, and its description.
_ITEMS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "task_definitions": (
        lambda item: isinstance(item, ecs.TaskDefinition),
        "ecs.TaskDefinition",
    ),
    "services": (
        lambda item: isinstance(item, ecs.BaseService),
        "ecs.BaseService (an ecs.FargateService or ecs.Ec2Service, say)",
    ),
    "repositories": (
        _offering("repository_uri_for_tag"),
        "ecr.IRepository, or a repository ARN or private image URI (str)",
    ),
    "log_groups": (
        _offering("add_stream"),
        "logs.ILogGroup, or a log group name or ARN (str)",
    ),
    "secrets": (
        _offering("secret_value_from_json"),
        "secretsmanager.ISecret, or a secret ARN or name (str)",
    ),
    "parameters": (
        _offering("parameter_arn"),
        "ssm.IParameter, or a parameter ARN or name (str)",
    ),
    "s3_objects": (
        _is_s3_object,
        (
            "a (bucket, key) pair of an s3.IBucket or bucket name and a key "
            "(str), or an object ARN (str)"
        ),
    ),
    "pull_through_cache_prefixes": (
        lambda item: isinstance(item, str),
        "a repository prefix (str)",
    ),
}


def _check_arguments(**arguments: Any) -> None:
    """Raise, naming each argument that is not of the types it accepts.

    Without this, a wrong type fails deep inside (``secrets=[5]``), or worse
    reads as something else: a string where a list goes is a list of
    characters.
    """
    problems: list[ExecutionRoleError] = []
    for name, value in arguments.items():
        if name in _ITEMS:
            problems.extend(_sequence_problems(name, value, *_ITEMS[name]))
        elif name == "kms_keys":
            problems.extend(_key_map_problems(value))
        else:
            problems.extend(_value_problems(name, value))
    _raise_problems(problems)


def _sequence_problems(
    name: str, value: Any, accepts: Callable[[Any], bool], expected: str
) -> list[ExecutionRoleError]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        hint = (
            f"; for one value, write {name}=[{value!r}]"
            if isinstance(value, str)
            else ""
        )
        return [
            _type_error(
                name, value, f"a list (or tuple) of items, each {expected}{hint}"
            )
        ]
    return [
        _type_error(f"{name}[{index}]", item, expected)
        for index, item in enumerate(value)
        if not accepts(item)
    ]


def _key_map_problems(value: Any) -> list[ExecutionRoleError]:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [
            _type_error(
                "kms_keys",
                value,
                "a mapping of a resource as written (str) to its kms.IKey or key "
                "ARN (str)",
            )
        ]
    problems = [
        _type_error(f"kms_keys[{resource!r}]", resource, "a resource ARN or name (str)")
        for resource in value
        if not isinstance(resource, str)
    ]
    problems.extend(
        _type_error(f"kms_keys[{resource!r}]", key, "kms.IKey, or a key ARN (str)")
        for resource, key in value.items()
        if not _offering("grant_decrypt")(key)
    )
    return problems


# The other arguments: a test of the value, and its description.
_VALUES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "log_stream_prefix": (lambda v: v is None or isinstance(v, str), "str or None"),
    "runtime_monitoring": (lambda v: v is None or isinstance(v, bool), "bool or None"),
    "confused_deputy_conditions": (lambda v: isinstance(v, bool), "bool"),
    # A bool is an int to Python, never a number of policies.
    "max_managed_policies": (
        lambda v: isinstance(v, int) and not isinstance(v, bool),
        "int",
    ),
}


def _value_problems(name: str, value: Any) -> list[ExecutionRoleError]:
    accepts, expected = _VALUES[name]
    if not accepts(value):
        return [_type_error(name, value, expected)]
    if name == "max_managed_policies":
        return _max_policies_problems(value)
    return []


def _max_policies_problems(value: int) -> list[ExecutionRoleError]:
    if 1 <= value <= MAX_MANAGED_POLICIES:
        return []
    return [
        InvalidReferenceError(
            f"max_managed_policies must be between 1 and {MAX_MANAGED_POLICIES} "
            f"(IAM's highest quota of managed policies per role), not {value}",
            path="max_managed_policies",
            value=value,
        )
    ]


def _type_error(path: str, value: Any, expected: str) -> ExecutionRoleError:
    return InvalidReferenceError(
        f"received {value!r} ({type(value).__name__}); expected {expected}",
        path=path,
        value=value,
    )


def _raise_problems(problems: Sequence[ExecutionRoleError]) -> None:
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidSettingsError(list(problems))


def _concrete(value: str) -> str | None:
    return None if cdk.Token.is_unresolved(value) else value


def _merge(*derivations: Derivation) -> Derivation:
    needs: dict[Need, list[str]] = {}
    warnings: dict[RoleWarning, None] = {}
    for derivation in derivations:
        for need in derivation.needs:
            paths = needs.setdefault(need, [])
            paths.extend(p for p in derivation.sources.get(need, ()) if p not in paths)
        warnings.update(dict.fromkeys(derivation.warnings))
    return Derivation(
        needs=tuple(needs),
        sources={need: tuple(paths) for need, paths in needs.items()},
        warnings=tuple(warnings),
    )
