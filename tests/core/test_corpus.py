"""Real task definitions from public repositories: each gives a policy or a clear error.

The corpus sits beside the checkout (``../shared/corpus``) and is optional: the
tests skip when it is absent. Every file is derived with one Region and the
corpus's anonymized account; a policy must then allow every concrete request
that the file's settings make ECS send, judged by :mod:`.iam_oracle`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ecs_exec_role import (
    ExecutionRoleError,
    InvalidSettingsError,
    InvalidTaskDefinitionError,
    RolePolicy,
    derive_policy,
    read_documents,
)

from .iam_oracle import Request, allows

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "task-definitions"
MANIFEST = CORPUS.parent / "MANIFEST.md"
FILES = sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []

REGION = "eu-west-1"
ACCOUNT = "111122223333"

# Files whose manifest entry carries no placeholder mark, though they hold one
# the manifest's detector missed: each must be refused, for the reason given.
UNMARKED_PLACEHOLDERS = {
    "019-public-ecr-ssm-arn.json": "a $(aws sts get-caller-identity ...) account",
    "039-cli-skeleton-empty-values.json": "a --generate-cli-skeleton of empty values",
    "050-quay-create-group.json": "awslogs-region 'AWS_REGION'",
}
_MARKS = re.compile(r"BROKEN|placeholder|templat", re.IGNORECASE)

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="task definition corpus not present"
)


@cache
def manifest_entries() -> dict[str, str]:
    """File name to its manifest line."""
    entries = {}
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^- `([^`]+)`", line)
        if match:
            entries[match.group(1)] = line
    return entries


def marked(path: Path) -> bool:
    return bool(_MARKS.search(manifest_entries().get(path.name, "BROKEN")))


def derive(path: Path) -> RolePolicy:
    return derive_policy(read_documents(path), region=REGION, account=ACCOUNT)


def _containers(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, list):
        return document
    if "taskDefinition" in document:
        document = document["taskDefinition"]
    if "containerDefinitions" in document:
        return document["containerDefinitions"] or []
    return [document]


def _secret_request(arn: str) -> Request:
    # arn:P:secretsmanager:R:A:secret:NAME[:JSON-KEY:STAGE:ID]
    base = ":".join(arn.split(":")[:7])
    if not re.search(r"-[A-Za-z0-9]{6}$", base):
        base += "-AbC123"  # ECS asks for the real secret, suffix and all
    return Request("secretsmanager:GetSecretValue", base)


def requests_of(document: Any) -> list[Request]:
    """The requests ECS makes for a file's images, log groups and secrets.

    Written independently of the library, from the ECS Developer Guide: a
    private ECR image is pulled from its repository, an awslogs group gets a
    stream PREFIX/CONTAINER/TASK-ID, a valueFrom is read from Secrets Manager
    or Parameter Store (a bare name in the task's own Region and account).
    """
    requests = []
    for container in _containers(document):
        image = container.get("image") or ""
        ecr = re.match(
            r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/([^:@]+)", image
        )
        if ecr:
            account, region, china, name = ecr.groups()
            partition = "aws-cn" if china else "aws"
            repository = f"arn:{partition}:ecr:{region}:{account}:repository/{name}"
            requests += [
                Request("ecr:GetAuthorizationToken", "*"),
                Request("ecr:BatchGetImage", repository),
                Request("ecr:GetDownloadUrlForLayer", repository),
            ]
        logging = container.get("logConfiguration") or {}
        options = logging.get("options") or {}
        if logging.get("logDriver") == "awslogs":
            region = options.get("awslogs-region", REGION)
            prefix = options.get("awslogs-stream-prefix")
            stream = f"{prefix}/{container['name']}/0123abcd" if prefix else "0123abcd"
            group = (
                f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{options['awslogs-group']}"
            )
            requests.append(
                Request("logs:PutLogEvents", f"{group}:log-stream:{stream}")
            )
            requests.append(
                Request("logs:CreateLogStream", f"{group}:log-stream:{stream}")
            )
        values = [s["valueFrom"] for s in container.get("secrets") or []]
        values += [s["valueFrom"] for s in logging.get("secretOptions") or []]
        for value in values:
            if ":secretsmanager:" in value:
                requests.append(_secret_request(value))
            elif value.startswith("arn:"):
                requests.append(Request("ssm:GetParameters", value))
            else:
                name = value.lstrip("/")
                requests.append(
                    Request(
                        "ssm:GetParameters",
                        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{name}",
                    )
                )
        credentials = (container.get("repositoryCredentials") or {}).get(
            "credentialsParameter"
        )
        if credentials:
            requests.append(_secret_request(credentials))
    return requests


def outcome(path: Path) -> RolePolicy | ExecutionRoleError:
    """The policy for ``path``, or the package's error; anything else escapes."""
    try:
        return derive(path)
    except ExecutionRoleError as error:
        return error


def paths_named(error: ExecutionRoleError) -> list[str]:
    if isinstance(error, InvalidSettingsError):
        return [problem.path for problem in error.problems]
    return [error.path]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_each_file_gives_a_policy_or_an_error_naming_a_path(path: Path) -> None:
    result = outcome(path)

    if isinstance(result, RolePolicy):
        assert (result.document is None) == (not result.statements)
    elif "not valid JSON" in str(result):
        # Text that is not JSON has no path yet: the file, line and column.
        assert re.search(r"at line \d+ column \d+$", str(result))
    else:
        assert all(paths_named(result)), str(result)


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in FILES
        if p.suffix == ".json" and not marked(p) and p.name not in UNMARKED_PLACEHOLDERS
    ],
    ids=lambda path: path.name,
)
def test_each_clean_file_gives_a_policy_that_allows_every_request(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    expected = requests_of(document)

    policy = derive(path)

    denied = [str(r) for r in expected if not allows(policy.document, r)]
    assert denied == []
    assert all(p.size <= 6144 for p in policy.policies)


@pytest.mark.parametrize("name", sorted(UNMARKED_PLACEHOLDERS))
def test_placeholders_the_manifest_does_not_mark_are_refused(name: str) -> None:
    with pytest.raises(ExecutionRoleError) as raised:
        derive(CORPUS / name)

    assert raised.value.path, UNMARKED_PLACEHOLDERS[name]


@pytest.mark.parametrize(
    "path", [p for p in FILES if p.suffix == ".txt"], ids=lambda p: p.name
)
def test_files_that_are_not_json_are_refused_with_their_line(path: Path) -> None:
    with pytest.raises(
        InvalidTaskDefinitionError, match=r"not valid JSON: .* at line \d+ column \d+"
    ):
        derive(path)


def test_the_corpus_is_mostly_granted() -> None:
    """A guard on the reader's reach: most real files must derive."""
    granted = [path for path in FILES if isinstance(outcome(path), RolePolicy)]

    assert len(FILES) == 60
    assert len(granted) >= 33
