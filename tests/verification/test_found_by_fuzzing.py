"""Inputs that the verification suite found wrong, kept as tests once fixed.

Each class is one kind of fault, with the smallest input that showed it.
"""

from __future__ import annotations

import pytest

from ecs_exec_role import InvalidTaskDefinitionError, read_documents


class TestTopLevelProblemsSayWhere:
    """A lone problem at the top level named no place at all."""

    def test_a_missing_family_is_a_problem_of_the_document(self) -> None:
        document = {"containerDefinitions": [{"name": "web", "image": "nginx"}]}

        with pytest.raises(
            InvalidTaskDefinitionError,
            match=r"^the document: the required setting 'family' is missing$",
        ) as raised:
            read_documents(document)

        assert raised.value.path == ""
