"""The verification tools themselves: each can fail, and says why.

A simulator that allowed everything, a near-miss generator that produced
nothing, or an action-data check that matched any string would let every
other test in this folder pass; these tests show that they do not.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from ecs_exec_role import derive_policy, read_documents
from ecs_exec_role.requests import Request

from .action_data import findings
from .checks import Probe, failures, probes
from .near_misses import near_misses
from .simulator import Simulation, Simulator

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRETS_MANAGER = "secretsmanager.eu-west-1.amazonaws.com"

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "SecretsManagerRead",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:db-??????",
        },
        {
            "Sid": "KmsDecrypt",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": KEY,
            "Condition": {"StringEquals": {"kms:ViaService": SECRETS_MANAGER}},
        },
    ],
}


def simulate(simulator: Simulator, *requests: Request) -> list[str]:
    decisions = simulator.decide(
        [Simulation((POLICY,), request, account=ACCOUNT) for request in requests]
    )
    return [decision.result for decision in decisions]


class TestSimulator:
    def test_allows_what_a_statement_grants_and_denies_the_rest(
        self, simulator: Simulator
    ) -> None:
        secret = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:db-AbC123"
        other = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:dbx-AbC123"

        results = simulate(
            simulator,
            Request("secretsmanager:GetSecretValue", secret),
            Request("secretsmanager:GetSecretValue", other),
            Request("secretsmanager:DescribeSecret", secret),
        )

        assert results == ["Allowed", "ImplicitlyDenied", "ImplicitlyDenied"]

    def test_decides_kms_by_the_via_service_context_key(
        self, simulator: Simulator
    ) -> None:
        """The key policy is simulated too: KMS trusts IAM only where it says so."""
        through_ssm = "ssm.eu-west-1.amazonaws.com"

        results = simulate(
            simulator,
            Request("kms:Decrypt", KEY, {"kms:ViaService": SECRETS_MANAGER}),
            Request("kms:Decrypt", KEY, {"kms:ViaService": through_ssm}),
            Request("kms:Decrypt", KEY),
        )

        assert results == ["Allowed", "ImplicitlyDenied", "ImplicitlyDenied"]

    def test_refuses_unknown_actions_and_resources_of_the_wrong_type(
        self, simulator: Simulator
    ) -> None:
        repository = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/web"

        decisions = simulator.decide(
            [
                Simulation((POLICY,), Request("secretsmanager:GetSecretValues", "*")),
                Simulation((POLICY,), Request("ecr:GetAuthorizationToken", repository)),
                Simulation((POLICY,), Request("kms:Decrypt", repository)),
            ]
        )

        assert [d.result for d in decisions] == ["Error"] * 3
        assert [d.errors["message"] for d in decisions] == [
            "invalid.action",
            "must.use.wildcard",
            "no.resource.types",
        ]


class TestNearMisses:
    def test_a_secret_has_neighbours_by_name_suffix_region_account_and_action(
        self,
    ) -> None:
        secret = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:app/db-AbC123"

        kinds = {
            miss.kind
            for miss in near_misses([Request("secretsmanager:GetSecretValue", secret)])
        }

        assert kinds == {
            "an action ECS does not call",
            "another secret",
            "a secret whose name extends this one's",
            "a secret whose suffix has 5 characters",
            "a secret whose suffix has 7 characters",
            "the same name in another Region",
            "the same name in another account",
        }

    def test_a_neighbour_that_the_task_itself_uses_is_no_near_miss(self) -> None:
        """Two log groups /ecs/a and /ecs/a-other: each is the other's neighbour."""
        stream = "log-stream:container/0123456789abcdef"
        group = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/ecs/a"
        requests = [
            Request("logs:CreateLogStream", f"{group}:{stream}"),
            Request("logs:CreateLogStream", f"{group}-other:{stream}"),
        ]

        resources = {
            miss.request.resource
            for miss in near_misses(requests)
            if miss.request.action == "logs:CreateLogStream"
        }

        assert f"{group}-other:{stream}" not in resources
        assert f"{group}-other-other:{stream}" in resources

    def test_a_question_mark_in_a_name_has_a_neighbour_with_another_character(
        self,
    ) -> None:
        group = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/ecs/a"
        request = Request("logs:CreateLogStream", f"{group}:log-stream:a?b/c/0123")

        resources = {miss.request.resource for miss in near_misses([request])}

        assert f"{group}:log-stream:axb/c/0123" in resources

    def test_a_service_in_china_has_two_names_and_neither_is_a_near_miss(
        self,
    ) -> None:
        """Found by fuzzing: the key of a China parameter, given by its name, also
        served a parameter of that name in eu-west-1; 'through the service in
        another Region' of the latter then named the China one's other name."""
        key = KEY.replace("arn:aws:", "arn:aws-cn:").replace("eu-west-1", "cn-north-1")
        requests = [
            Request(
                "kms:Decrypt",
                key,
                {"kms:ViaService": "ssm.cn-north-1.amazonaws.com.cn"},
            ),
            Request(
                "kms:Decrypt", key, {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"}
            ),
        ]

        contexts = {
            miss.request.context["kms:ViaService"]
            for miss in near_misses(requests)
            if miss.request.resource == key and "kms:ViaService" in miss.request.context
        }

        assert "ssm.cn-north-1.amazonaws.com" not in contexts
        assert "ssm.af-south-1.amazonaws.com" in contexts

    def test_the_key_has_neighbours_through_other_services_and_none(self) -> None:
        request = Request("kms:Decrypt", KEY, {"kms:ViaService": SECRETS_MANAGER})

        contexts = [
            dict(miss.request.context)
            for miss in near_misses([request])
            if miss.request.resource == KEY and miss.request.action == "kms:Decrypt"
        ]

        assert contexts == [
            {},
            {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"},
            {"kms:ViaService": "secretsmanager.af-south-1.amazonaws.com"},
        ]


class TestActionData:
    def test_a_policy_of_real_actions_on_their_resource_types_has_no_finding(
        self,
    ) -> None:
        assert findings(POLICY) == []

    def test_finds_unknown_actions_wrong_resource_types_and_stray_wildcards(
        self,
    ) -> None:
        repository = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/web"
        china_stream = f"arn:aws:logs:cn-north-1:{ACCOUNT}:log-group:g:log-stream:s"
        document = {
            "Statement": [
                {
                    "Sid": "A",
                    "Action": "ecr:GetAuthorizationToken",
                    "Resource": repository,
                },
                {"Sid": "B", "Action": "ecr:BatchGetImage", "Resource": "*"},
                {"Sid": "C", "Action": "ecr:BatchGetImages", "Resource": repository},
                {
                    "Sid": "D",
                    "Action": "s3:GetBucketLocation",
                    "Resource": "arn:aws:s3:::b/k",
                },
                {
                    "Sid": "E",
                    "Action": "ssm:GetParameters",
                    "Resource": f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter//a/b",
                },
                {
                    "Sid": "F",
                    "Action": "logs:PutLogEvents",
                    "Resource": china_stream,
                },
            ]
        }

        sids = [finding.split(":", 1)[0] for finding in findings(document)]

        assert sids == ["A", "B", "C", "D", "E", "F"]


class TestChecks:
    """The checks catch a policy that grants too much, or too little."""

    SECRET = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:web/db-AbCdEf"
    DOCUMENT: ClassVar[dict[str, Any]] = {
        "family": "web",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx",
                "secrets": [{"name": "A", "valueFrom": SECRET}],
            }
        ],
    }

    def simulate_with(
        self, simulator: Simulator, resource: str
    ) -> tuple[list[Probe], list[str]]:
        policy = derive_policy(read_documents(self.DOCUMENT), region="eu-west-1")
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": resource,
                }
            ],
        }
        found = [
            replace(probe, simulation=replace(probe.simulation, policies=(document,)))
            for probe in probes(policy, label="web")
        ]

        return found, failures(
            found, simulator.decide([p.simulation for p in found]), tally=False
        )

    def test_a_wildcard_suffix_lets_near_misses_through(
        self, simulator: Simulator
    ) -> None:
        _, problems = self.simulate_with(
            simulator, self.SECRET.replace("-AbCdEf", "-*")
        )

        kinds = {
            problem.split(": ", 1)[1].split(" (near", 1)[0] for problem in problems
        }
        assert kinds == {
            "a secret whose name extends this one's",
            "a secret whose suffix has 5 characters",
            "a secret whose suffix has 7 characters",
        }

    def test_a_policy_without_the_secret_denies_the_request(
        self, simulator: Simulator
    ) -> None:
        other = self.SECRET.replace("web/db", "web/cache")

        found, problems = self.simulate_with(simulator, other)

        assert len(problems) == 1
        assert problems[0].startswith("web: a request ECS makes must be allowed")
        assert len(found) > 1
