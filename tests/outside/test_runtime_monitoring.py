"""GuardDuty Runtime Monitoring: the agent sidecar's image, pulled with the role."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from ecs_exec_role import InvalidReferenceError, RolePolicy, derive_policy
from ecs_exec_role import warnings as ids
from ecs_exec_role.arns import partition_for_region
from ecs_exec_role.pipeline import read_documents
from ecs_exec_role.runtime_monitoring import (
    AGENT_REPOSITORIES_FILE,
    guardduty_agent_repositories,
    guardduty_agent_repository,
    is_guardduty_agent_repository,
)

from .documents import (
    ACCOUNT,
    AGENT_REPOSITORY,
    OTHER_ACCOUNT,
    REGION,
    container,
    ecr_authorization,
    ecr_pull,
    task,
    task_definition_arn,
)

USER_GUIDE_PAGE = "https://docs.aws.amazon.com/guardduty/latest/ug/ecs-runtime-agent-ecr-image-uri.html"


def derive(document: Any, *, region: str | None = REGION, **options: Any) -> RolePolicy:
    return derive_policy(
        read_documents(document), region=region, account=ACCOUNT, **options
    )


class TestTheRegionTable:
    """The table copied from the GuardDuty user guide, and its lookups."""

    @pytest.mark.parametrize(
        ("region", "account"),
        [
            ("us-east-1", "593207742271"),
            ("us-west-2", "733349766148"),
            ("eu-west-1", "694911143906"),
            ("eu-central-1", "323658145986"),
            ("ap-southeast-2", "005257825471"),
            ("me-central-1", "000014521398"),
            ("ap-east-2", "259886477082"),
        ],
    )
    def test_a_region_names_the_account_the_user_guide_lists(
        self, region: str, account: str
    ) -> None:
        """Accounts with leading zeros stay strings of 12 digits."""
        agent = guardduty_agent_repository(region)

        assert agent.repository.render() == (
            f"arn:aws:ecr:{region}:{account}:repository/aws-guardduty-agent-fargate"
        )
        assert agent.source == USER_GUIDE_PAGE

    def test_govcloud_regions_come_from_the_govcloud_user_guide(self) -> None:
        east = guardduty_agent_repository("us-gov-east-1")
        west = guardduty_agent_repository("us-gov-west-1")

        assert east.repository.render() == (
            "arn:aws-us-gov:ecr:us-gov-east-1:383115532789:"
            "repository/aws-guardduty-agent-fargate"
        )
        assert west.repository.render() == (
            "arn:aws-us-gov:ecr:us-gov-west-1:383110348953:"
            "repository/aws-guardduty-agent-fargate"
        )
        assert east.source == west.source
        assert east.source.startswith("https://docs.aws.amazon.com/govcloud-us/")

    def test_the_table_holds_the_33_listed_regions_and_the_two_govcloud_ones(
        self,
    ) -> None:
        table = guardduty_agent_repositories()

        assert len(table) == 35
        assert list(table)[:3] == ["us-west-2", "eu-west-3", "ap-south-1"]
        assert {r for r in table if r.startswith("us-gov-")} == {
            "us-gov-east-1",
            "us-gov-west-1",
        }
        assert not [r for r in table if r.startswith("cn-")]

    def test_every_row_is_one_repository_in_its_regions_own_partition(self) -> None:
        for region, agent in guardduty_agent_repositories().items():
            assert agent.region == region
            assert agent.repository.region == region
            assert agent.repository.partition == partition_for_region(region).name
            assert agent.repository.resource == "repository/aws-guardduty-agent-fargate"
            assert len(agent.repository.account) == 12

    def test_each_region_has_its_own_account(self) -> None:
        accounts = [
            a.repository.account for a in guardduty_agent_repositories().values()
        ]

        assert len(set(accounts)) == len(accounts)

    def test_the_data_file_is_package_data_that_names_its_sources(self) -> None:
        text = (
            resources.files("ecs_exec_role")
            .joinpath(AGENT_REPOSITORIES_FILE)
            .read_text(encoding="utf-8")
        )
        table = json.loads(text)

        assert table["sources"]["guardduty-user-guide"]["url"] == USER_GUIDE_PAGE
        assert "refused, never guessed" in table["completeness"]

    def test_a_region_the_table_lacks_is_an_error_naming_it_and_the_source(
        self,
    ) -> None:
        with pytest.raises(InvalidReferenceError) as raised:
            guardduty_agent_repository("cn-north-1")

        message = str(raised.value)
        assert message.startswith("runtime_monitoring: ")
        assert "not known for Region cn-north-1" in message
        assert AGENT_REPOSITORIES_FILE in message
        assert USER_GUIDE_PAGE in message
        assert raised.value.value == "cn-north-1"

    def test_a_malformed_region_is_refused_as_no_region_at_all(self) -> None:
        with pytest.raises(InvalidReferenceError, match="is not an AWS Region name"):
            guardduty_agent_repository("ireland")

    def test_only_the_tables_repositories_are_guarddutys(self) -> None:
        ours = guardduty_agent_repository("eu-west-1").repository
        other = ours.with_resource("repository/my-app")

        assert is_guardduty_agent_repository(ours)
        assert not is_guardduty_agent_repository(other)


class TestTheGrant:
    """runtime_monitoring=True: exactly the pull of the agent image."""

    def test_the_agent_image_is_pulled_from_the_tasks_region(self) -> None:
        policy = derive(task(), runtime_monitoring=True)

        assert policy.document == {
            "Version": "2012-10-17",
            "Statement": [ecr_authorization(), ecr_pull(AGENT_REPOSITORY)],
        }
        assert policy.derivation.warnings == ()

    def test_the_pull_joins_the_tasks_own_pulls_in_one_statement(self) -> None:
        image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/my-app:1.4.2"
        own = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/my-app"

        policy = derive(task(container(image=image)), runtime_monitoring=True)

        assert policy.document is not None
        assert policy.document["Statement"] == [
            ecr_authorization(),
            ecr_pull(own, AGENT_REPOSITORY),
        ]

    def test_the_need_says_the_option_made_it(self) -> None:
        policy = derive(task(), runtime_monitoring=True)

        (need,) = policy.derivation.needs
        assert policy.derivation.sources[need] == ("runtime_monitoring",)
        assert policy.statements[1].sources == {
            AGENT_REPOSITORY: ("runtime_monitoring",)
        }

    def test_guarddutys_account_is_no_cross_account_resource(self) -> None:
        """GuardDuty lets every account pull: no owner has anything to allow."""
        policy = derive(task(), runtime_monitoring=True)

        assert ids.CROSS_ACCOUNT_RESOURCE not in [
            w.id for w in policy.derivation.warnings
        ]

    def test_a_govcloud_task_pulls_from_the_govcloud_repository(self) -> None:
        policy = derive(task(), region="us-gov-west-1", runtime_monitoring=True)

        assert policy.document is not None
        assert policy.document["Statement"][1]["Resource"] == (
            "arn:aws-us-gov:ecr:us-gov-west-1:383110348953:"
            "repository/aws-guardduty-agent-fargate"
        )

    def test_a_region_the_table_lacks_is_refused(self) -> None:
        with pytest.raises(
            InvalidReferenceError, match="not known for Region cn-north-1"
        ):
            derive(task(), region="cn-north-1", runtime_monitoring=True)

    def test_without_the_tasks_region_the_agent_repository_is_unknown(self) -> None:
        with pytest.raises(
            InvalidReferenceError,
            match=r"^runtime_monitoring: GuardDuty's agent repository differs by",
        ):
            derive(task(), region=None, runtime_monitoring=True)

    def test_a_task_that_cannot_run_on_fargate_gets_no_sidecar_to_grant(self) -> None:
        """On EC2, GuardDuty's agent runs on the instance, not with this role."""
        document = task(requiresCompatibilities=["EC2"], networkMode="bridge")

        with pytest.raises(
            InvalidReferenceError, match="only to Fargate tasks"
        ) as raised:
            derive(document, runtime_monitoring=True)

        assert raised.value.path == "runtime_monitoring"
        assert raised.value.value == ["EC2"]

    def test_one_fargate_task_among_several_is_enough_for_the_grant(self) -> None:
        ec2 = task(requiresCompatibilities=["EC2"], networkMode="bridge")
        documents = [*read_documents(ec2), *read_documents(task())]

        policy = derive_policy(
            documents, region=REGION, account=ACCOUNT, runtime_monitoring=True
        )

        assert policy.document is not None
        assert policy.document["Statement"][1] == ecr_pull(AGENT_REPOSITORY)

    def test_a_task_that_says_nothing_of_its_launch_type_is_granted_as_asked(
        self,
    ) -> None:
        document = {"family": "my-app", "containerDefinitions": [container()]}

        policy = derive(document, runtime_monitoring=True)

        assert policy.document is not None
        assert policy.document["Statement"][1] == ecr_pull(AGENT_REPOSITORY)


class TestTheWarning:
    """Nothing said of GuardDuty: a Fargate task is warned, others are not."""

    def test_a_fargate_task_is_warned_that_the_agent_needs_the_option(self) -> None:
        policy = derive(task())

        warning = policy.derivation.warnings[0]
        assert warning.id == ids.GUARDDUTY_AGENT_NOT_GRANTED
        assert warning.path == "requiresCompatibilities"
        assert "runtime_monitoring=True (--runtime-monitoring)" in warning.message
        assert "runtime_monitoring=False (--no-runtime-monitoring)" in warning.message
        assert policy.document is None

    def test_the_warning_names_the_file_it_is_about(self) -> None:
        documents = read_documents(json.dumps(task()), label="web.json")

        policy = derive_policy(documents, region=REGION, account=ACCOUNT)

        assert policy.derivation.warnings[0].path == "web.json:requiresCompatibilities"

    def test_describe_output_is_read_by_its_compatibilities(self) -> None:
        described = {
            "taskDefinition": {
                **task(),
                "requiresCompatibilities": [],
                "compatibilities": ["EC2", "FARGATE"],
                "taskDefinitionArn": task_definition_arn(3),
                "revision": 3,
                "status": "ACTIVE",
            }
        }

        policy = derive(described)

        warning = policy.derivation.warnings[0]
        assert (warning.id, warning.path) == (
            ids.GUARDDUTY_AGENT_NOT_GRANTED,
            "taskDefinition.compatibilities",
        )

    def test_saying_guardduty_does_not_monitor_the_task_silences_it(self) -> None:
        policy = derive(task(), runtime_monitoring=False)

        assert ids.GUARDDUTY_AGENT_NOT_GRANTED not in [
            w.id for w in policy.derivation.warnings
        ]
        assert policy.document is None

    def test_an_ec2_task_is_not_warned(self) -> None:
        document = task(requiresCompatibilities=["EC2"], networkMode="bridge")

        policy = derive(document)

        assert ids.GUARDDUTY_AGENT_NOT_GRANTED not in [
            w.id for w in policy.derivation.warnings
        ]

    def test_each_fargate_task_definition_is_warned_once(self) -> None:
        documents = [
            *read_documents(json.dumps(task()), label="a.json"),
            *read_documents(json.dumps(task()), label="b.json"),
        ]

        policy = derive_policy(documents, region=REGION, account=ACCOUNT)

        assert [
            w.path
            for w in policy.derivation.warnings
            if w.id == ids.GUARDDUTY_AGENT_NOT_GRANTED
        ] == ["a.json:requiresCompatibilities", "b.json:requiresCompatibilities"]


class TestCrossAccountTasks:
    def test_a_task_of_another_account_pulls_the_same_regional_repository(
        self,
    ) -> None:
        """The repository depends on the Region only, never on the task's account."""
        policy = derive_policy(
            read_documents(task()),
            region=REGION,
            account=OTHER_ACCOUNT,
            runtime_monitoring=True,
        )

        assert policy.document is not None
        assert policy.document["Statement"][1] == ecr_pull(AGENT_REPOSITORY)
