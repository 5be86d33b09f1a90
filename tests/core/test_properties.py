"""Properties over many generated task definitions, judged by the IAM oracle."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ecs_exec_role.statements import MANAGED_POLICY_MAX_CHARS

from .iam_oracle import Request, allows
from .tasks import container, derive, secret, task

SEGMENT = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12
)
PARAMETER_NAMES = st.lists(SEGMENT, min_size=1, max_size=3).map("/".join)
SUFFIX = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    min_size=6,
    max_size=6,
)
PARAMETERS = "arn:aws:ssm:eu-west-1:111122223333:parameter/"
SECRETS = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:"


def parameters_task(names: list[str], *, slash: bool) -> dict[str, object]:
    values = [f"/{n}" if slash else n for n in names]
    return task(container(secrets=[secret(v, f"V{i}") for i, v in enumerate(values)]))


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(PARAMETER_NAMES, min_size=1, max_size=8, unique=True),
    slash=st.booleans(),
    other=PARAMETER_NAMES,
)
def test_exactly_the_named_parameters_are_readable(
    names: list[str], slash: bool, other: str
) -> None:
    policy = derive(parameters_task(names, slash=slash)).document

    for name in names:
        assert allows(policy, Request("ssm:GetParameters", PARAMETERS + name))
    if other not in names:
        assert not allows(policy, Request("ssm:GetParameters", PARAMETERS + other))


# A name ending in a hyphen and six letters reads as a complete ARN: that
# ambiguity is Secrets Manager's own (its docs advise against such names).
PARTIAL_NAMES = PARAMETER_NAMES.filter(lambda n: not re.search(r"-[A-Za-z0-9]{6}$", n))


@settings(max_examples=60, deadline=None)
@given(name=PARTIAL_NAMES, suffix=SUFFIX, extra=SEGMENT)
def test_a_partial_secret_allows_its_suffix_and_nothing_longer(
    name: str, suffix: str, extra: str
) -> None:
    document = task(container(secrets=[secret(SECRETS + name)]))

    policy = derive(document).document

    assert allows(
        policy, Request("secretsmanager:GetSecretValue", f"{SECRETS}{name}-{suffix}")
    )
    assert not allows(
        policy,
        Request("secretsmanager:GetSecretValue", f"{SECRETS}{name}-{extra}-{suffix}"),
    )


@settings(max_examples=15, deadline=None)
@given(count=st.integers(min_value=60, max_value=600))
def test_split_policies_each_fit_and_together_grant_every_parameter(count: int) -> None:
    names = [f"app/p{i:04d}" for i in range(count)]

    policy = derive(parameters_task(names, slash=True))

    assert all(p.size <= MANAGED_POLICY_MAX_CHARS for p in policy.policies)
    for name in names[:: max(1, count // 25)]:
        assert any(
            allows(p.to_json(), Request("ssm:GetParameters", PARAMETERS + name))
            for p in policy.policies
        )
    granted = sum(
        len(s.resources)
        for p in policy.policies
        for s in p.statements
        if s.sid.startswith("SsmParameterRead")
    )
    assert granted == count
