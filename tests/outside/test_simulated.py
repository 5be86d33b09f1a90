"""The new grants, held against an IAM simulator the project did not write.

Two checks. The grants for GuardDuty's agent and for Service Connect logs go
through the verification suite's checks: every request the ECS agent makes is
allowed, every near miss denied, every action and resource borne out by AWS's
action data. The counterpart statements are simulated as what they are: the
owner's resource policy, which must allow the role's cross-account requests,
and without which those requests are denied.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from verification.checks import verify
from verification.simulator import (
    SIMULATOR_PACKAGE,
    Simulation,
    Simulator,
    node_executable,
)

from ecs_exec_role import RolePolicy, derive_policy
from ecs_exec_role.pipeline import read_documents
from ecs_exec_role.requests import Request, requests_for
from ecs_exec_role.resource_policies import resource_policy_statements
from ecs_exec_role.service_connect import read_services

from .documents import (
    ACCOUNT,
    KEY_ARN,
    OTHER_ACCOUNT,
    REGION,
    awslogs,
    container,
    create_service,
    deployment,
    described_service,
    service_connect,
    task,
)

ROLE_NAME = "ecsTaskExecutionRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"
SHARED_IMAGE = f"{OTHER_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shared/base:1.0"
SHARED_SECRET = f"arn:aws:secretsmanager:{REGION}:{OTHER_ACCOUNT}:secret:db-AbCdEf"


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    """The verification suite's simulator, one Node process for this module."""
    node = node_executable()
    if node is None or not SIMULATOR_PACKAGE.is_dir():
        pytest.fail(
            "the IAM simulator needs Node.js and @cloud-copilot/iam-simulate: "
            "run `make setup` (npm ci installs the package pinned in package.json)"
        )
    running = Simulator(node)
    yield running
    running.close()


def derive(document: Any, **options: Any) -> RolePolicy:
    options.setdefault("region", REGION)
    options.setdefault("account", ACCOUNT)
    return derive_policy(read_documents(document), **options)


class TestNewGrants:
    @pytest.mark.parametrize(
        "region", ["eu-west-1", "us-east-1", "ap-southeast-2", "us-gov-west-1"]
    )
    def test_the_agent_pull_allows_the_agents_image_and_no_neighbour(
        self, simulator: Simulator, region: str
    ) -> None:
        policy = derive(task(), region=region, runtime_monitoring=True)

        problems = verify(simulator, [(f"GuardDuty agent in {region}", policy)])

        assert policy.statements
        assert problems == []

    def test_the_agent_pull_beside_the_tasks_own_pulls(
        self, simulator: Simulator
    ) -> None:
        image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/my-app:1.4.2"

        policy = derive(task(container(image=image)), runtime_monitoring=True)

        assert verify(simulator, [("agent and own image", policy)]) == []

    def test_service_connect_logs_of_both_document_shapes(
        self, simulator: Simulator
    ) -> None:
        proxy = awslogs(
            "/ecs/my-app/proxy",
            **{"awslogs-stream-prefix": "proxy", "awslogs-create-group": "true"},
        )
        created = create_service(serviceConnectConfiguration=service_connect(proxy))
        described = {
            "services": [
                described_service(
                    deployment(
                        4, "PRIMARY", serviceConnectConfiguration=service_connect(proxy)
                    ),
                    deployment(
                        3,
                        "ACTIVE",
                        serviceConnectConfiguration=service_connect(
                            awslogs("/ecs/my-app/proxy-v1")
                        ),
                    ),
                )
            ]
        }
        policies = [
            (
                label,
                derive(task(), runtime_monitoring=False, services=read_services(doc)),
            )
            for label, doc in [("create-service", created), ("describe", described)]
        ]

        assert verify(simulator, policies) == []

    def test_service_connect_secret_options_with_their_key(
        self, simulator: Simulator
    ) -> None:
        secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:splunk-AbC123"
        key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        logs = {
            "logDriver": "splunk",
            "options": {"splunk-url": "https://splunk.example.com:8088"},
            "secretOptions": [{"name": "splunk-token", "valueFrom": secret}],
        }
        service = create_service(serviceConnectConfiguration=service_connect(logs))

        policy = derive(
            task(),
            runtime_monitoring=False,
            services=read_services(service),
            kms_keys={secret: key},
        )

        assert verify(simulator, [("Service Connect secret", policy)]) == []


@dataclass(frozen=True)
class OwnedBy(Simulation):
    """The role's request, decided with the owner's own resource policy."""

    owner_policy: Mapping[str, Any] | None = None

    def resource_policy(self) -> dict[str, Any] | None:  # type: ignore[override]
        return dict(self.owner_policy) if self.owner_policy is not None else None


class TestCounterparts:
    """The owner's statement is what lets the role's cross-account requests through."""

    def policy(self) -> RolePolicy:
        secrets = [{"name": "DB", "valueFrom": SHARED_SECRET}]
        document = task(container(image=SHARED_IMAGE, secrets=secrets))
        return derive(
            document, runtime_monitoring=False, kms_keys={SHARED_SECRET: KEY_ARN}
        )

    def cross_account_requests(self, policy: RolePolicy) -> list[Request]:
        derivation = policy.derivation
        return [
            request
            for request in requests_for(derivation.needs, derivation.sources)
            if f":{OTHER_ACCOUNT}:" in request.resource
        ]

    def decide(
        self,
        simulator: Simulator,
        policy: RolePolicy,
        owner_policies: Mapping[str, Mapping[str, Any] | None],
    ) -> list[str]:
        """Each cross-account request, with the owner policy of its resource."""
        identity = tuple(managed.to_json() for managed in policy.policies)
        simulations = [
            OwnedBy(
                identity,
                request,
                account=ACCOUNT,
                owner_policy=owner_policies[_owner(request.resource)],
            )
            for request in self.cross_account_requests(policy)
        ]
        return [decision.result for decision in simulator.decide(simulations)]

    def test_every_cross_account_request_is_allowed_with_the_counterparts(
        self, simulator: Simulator
    ) -> None:
        policy = self.policy()
        counterparts = {
            counterpart.resource: counterpart.document()
            for counterpart in resource_policy_statements(policy, ROLE_ARN)
        }

        results = self.decide(simulator, policy, counterparts)

        assert len(counterparts) == 3
        assert len(results) == 5  # three pull actions, the secret, the key
        assert results == ["Allowed"] * len(results)

    def test_without_the_counterparts_the_same_requests_are_denied(
        self, simulator: Simulator
    ) -> None:
        policy = self.policy()
        none = {
            counterpart.resource: None
            for counterpart in resource_policy_statements(policy, ROLE_ARN)
        }

        results = self.decide(simulator, policy, none)

        assert results
        assert "Allowed" not in results

    def test_a_counterpart_for_another_role_lets_nothing_through(
        self, simulator: Simulator
    ) -> None:
        policy = self.policy()
        other_role = f"arn:aws:iam::{ACCOUNT}:role/someOtherRole"
        counterparts = {
            counterpart.resource: counterpart.document()
            for counterpart in resource_policy_statements(policy, other_role)
        }

        results = self.decide(simulator, policy, counterparts)

        assert results
        assert "Allowed" not in results


def _owner(resource: str) -> str:
    """The resource whose owner policy decides ``resource`` (a secret, whole)."""
    if ":secretsmanager:" in resource:
        return SHARED_SECRET
    if ":kms:" in resource:
        return KEY_ARN
    return resource
