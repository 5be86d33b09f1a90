"""A synthesized template as CloudFormation would deploy it, for the simulator.

:func:`deployed_stack` resolves the intrinsic functions that aws-cdk-lib writes
for an environment-bound stack (``Ref`` to pseudo parameters and resources,
``Fn::GetAtt`` of an ARN, ``Fn::Join``), giving resources made-up physical
names the way CloudFormation does. What comes out is the execution role's
policies (every managed, inline and attached policy of the role) and the task
definitions, as the account would hold them after deployment. Any other
intrinsic raises, so a template that this module cannot read fails its test
instead of passing it unread.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DeployedStack", "deployed_stack"]

# What CloudFormation appends to a generated physical name.
_PHYSICAL_SUFFIX = "A1B2C3D4E5F6"
_KEY_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


class UnreadableTemplateError(AssertionError):
    """The template holds something this module does not resolve."""


@dataclass(frozen=True)
class DeployedStack:
    """What a stack leaves in the account: the execution role's policies, tasks."""

    role_policies: tuple[Mapping[str, Any], ...]
    task_definitions: Mapping[str, Mapping[str, Any]]


@functools.cache
def _partition(region: str) -> tuple[str, str]:
    """The partition holding ``region`` and its DNS suffix, from botocore's table."""
    from botocore.loaders import Loader

    for entry in Loader().load_data("partitions")["partitions"]:
        if region in entry.get("regions", {}) or re.fullmatch(
            entry["regionRegex"], region
        ):
            return entry["id"], entry["outputs"]["dnsSuffix"]
    raise UnreadableTemplateError(f"no partition holds Region {region}")


@dataclass(frozen=True)
class _Resolver:
    stack: str
    region: str
    account: str
    resources: Mapping[str, Any]

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.value(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                return self.arn(*argument)
            if key == "Fn::Join":
                separator, parts = argument
                return separator.join(str(self.value(part)) for part in parts)
            if key.startswith("Fn::"):
                raise UnreadableTemplateError(f"{key} is not resolved here: {node}")
        return {key: self.value(item) for key, item in node.items()}

    def ref(self, name: str) -> str:
        partition, suffix = _partition(self.region)
        pseudo = {
            "AWS::Partition": partition,
            "AWS::URLSuffix": suffix,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::StackName": self.stack,
        }
        if name in pseudo:
            return pseudo[name]
        return self.physical_name(name)

    def physical_name(self, logical_id: str) -> str:
        resource = self.resources.get(logical_id)
        if resource is None:
            raise UnreadableTemplateError(f"Ref to {logical_id}, which is no resource")
        named = {
            "AWS::Logs::LogGroup": "LogGroupName",
            "AWS::IAM::Role": "RoleName",
            "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
        }.get(resource["Type"])
        properties = resource.get("Properties", {})
        if named is not None and named in properties:
            return str(self.value(properties[named]))
        return f"{self.stack}-{logical_id}-{_PHYSICAL_SUFFIX}"

    def arn(self, logical_id: str, attribute: str) -> str:
        if attribute != "Arn":
            raise UnreadableTemplateError(f"Fn::GetAtt {logical_id}.{attribute}")
        partition, _ = _partition(self.region)
        kind = self.resources[logical_id]["Type"]
        name = self.physical_name(logical_id)
        where = f"{self.region}:{self.account}"
        arns = {
            "AWS::Logs::LogGroup": f"arn:{partition}:logs:{where}:log-group:{name}:*",
            "AWS::IAM::Role": f"arn:{partition}:iam::{self.account}:role/{name}",
            "AWS::KMS::Key": f"arn:{partition}:kms:{where}:key/{_KEY_ID}",
        }
        if kind not in arns:
            raise UnreadableTemplateError(f"Fn::GetAtt of a {kind}'s ARN")
        return arns[kind]


def deployed_stack(
    template: Mapping[str, Any], *, stack: str, region: str, account: str
) -> DeployedStack:
    """The execution role's policies and the task definitions of ``template``.

    The execution role is the one a task definition names as its
    ``ExecutionRoleArn``, or else the template's only role.
    """
    raw = template["Resources"]
    resolver = _Resolver(stack, region, account, raw)
    tasks = {
        logical_id: resource
        for logical_id, resource in raw.items()
        if resource["Type"] == "AWS::ECS::TaskDefinition"
    }
    role = _execution_role(raw, tasks)
    role_properties = raw[role].get("Properties", {})
    aws_managed = role_properties.get("ManagedPolicyArns")
    if aws_managed:
        raise UnreadableTemplateError(f"{role} has AWS managed policies: {aws_managed}")
    policies = [
        policy["PolicyDocument"] for policy in role_properties.get("Policies", [])
    ]
    for resource in raw.values():
        if resource["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            attached = resource.get("Properties", {}).get("Roles", [])
            if {"Ref": role} in attached:
                policies.append(resource["Properties"]["PolicyDocument"])
    return DeployedStack(
        role_policies=tuple(resolver.value(policy) for policy in policies),
        task_definitions={
            logical_id: resolver.value(resource)
            for logical_id, resource in tasks.items()
        },
    )


def _execution_role(resources: Mapping[str, Any], tasks: Mapping[str, Any]) -> str:
    named: set[str] = {
        task["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0]
        for task in tasks.values()
        if "ExecutionRoleArn" in task.get("Properties", {})
    }
    if len(named) == 1:
        return named.pop()
    roles = [
        logical_id
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::IAM::Role"
    ]
    if named or len(roles) != 1:
        raise UnreadableTemplateError(
            f"which role executes the tasks? {named or roles}"
        )
    return roles[0]
