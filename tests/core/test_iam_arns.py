"""IAM ARNs name an account and no Region, unlike S3's and unlike regional ones."""

from __future__ import annotations

import pytest

from ecs_exec_role.arns import Arn, parse_arn
from ecs_exec_role.errors import InvalidReferenceError


def test_a_role_arn_parses_with_its_account_and_no_region() -> None:
    arn = parse_arn("arn:aws:iam::111122223333:role/web-execution", path="role_arn")

    assert arn == Arn("aws", "iam", "", "111122223333", "role/web-execution")


def test_a_role_arn_with_a_region_is_refused() -> None:
    with pytest.raises(
        InvalidReferenceError, match="carries a Region; iam ARNs have none"
    ):
        parse_arn("arn:aws:iam:eu-west-1:111122223333:role/x", path="role_arn")


def test_a_role_arn_with_a_short_account_is_refused() -> None:
    with pytest.raises(InvalidReferenceError, match="'1111' where the account goes"):
        parse_arn("arn:aws:iam::1111:role/x", path="role_arn")
