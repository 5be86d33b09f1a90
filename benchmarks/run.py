"""Benchmarks: each figure a ratio against a baseline timed in the same run.

    python benchmarks/run.py            # everything, prints a Markdown table
    python benchmarks/run.py --quick    # fewer repetitions, for a smoke run

Targets: synthesis with the construct at most 1.10 times aws-cdk-lib's default
execution role; the pure pipeline at most 5 times the floor of json.loads plus
json.dumps of the same document; 1,000 secrets at most 12 times 100; the
``policy`` command at most 0.3 s over ``python -c pass``. Nothing here asserts:
a missed target is reported as missed.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "task-definitions"
EXAMPLE = ROOT / "examples" / "task-definitions" / "web-with-sidecar.json"
REGION, ACCOUNT = "eu-west-1", "111122223333"
STARTUP_TARGET = 0.3  # seconds over a bare interpreter

sys.path.insert(0, str(ROOT / "src"))

from ecs_exec_role.documents import read_task_definitions  # noqa: E402
from ecs_exec_role.errors import ExecutionRoleError  # noqa: E402
from ecs_exec_role.pipeline import derive_policy  # noqa: E402


def best_of(function: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds: the least disturbed by noise."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def task_definition(containers: int, secrets: int) -> dict[str, Any]:
    """A synthetic Fargate task definition: images, logs, secrets and parameters."""
    definitions = []
    for c in range(containers):
        values = []
        for s in range(secrets):
            if s % 2:
                value = f"/app{c}/prod/PARAMETER_{s:04d}"
            else:
                value = (
                    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:"
                    f"app{c}/secret-{s:04d}-AbCdEf:password::"
                )
            values.append({"name": f"VALUE_{s:04d}", "valueFrom": value})
        definitions.append(
            {
                "name": f"container-{c}",
                "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app-{c}:1.0",
                "essential": c == 0,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": f"/ecs/app-{c}",
                        "awslogs-region": REGION,
                        "awslogs-stream-prefix": f"c{c}",
                    },
                },
                "secrets": values,
            }
        )
    return {
        "family": "benchmark",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "1024",
        "memory": "2048",
        "containerDefinitions": definitions,
    }


def pipeline(text: str) -> object:
    documents = read_task_definitions(json.loads(text))
    return derive_policy(documents, region=REGION, account=ACCOUNT, max_policies=20)


def floor(text: str) -> object:
    return json.dumps(json.loads(text))


def throughput(rows: list[list[str]], repeat: int) -> None:
    corpus = []
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*.json")):
            text = path.read_text(encoding="utf-8")
            try:
                pipeline(text)
            except ExecutionRoleError:
                continue
            corpus.append(text)
    if corpus:
        ours = best_of(lambda: [pipeline(t) for t in corpus], repeat)
        base = best_of(lambda: [floor(t) for t in corpus], repeat)
        rows.append(
            _row(
                f"pipeline, corpus ({len(corpus)} files)",
                ours=ours,
                base=base,
                target=5.0,
                baseline="json floor",
                rate=len(corpus) / ours,
            )
        )
    big = json.dumps(task_definition(10, 100))
    ours = best_of(lambda: pipeline(big), repeat)
    base = best_of(lambda: floor(big), repeat)
    rows.append(
        _row(
            f"pipeline, {len(big) // 1024} KiB task definition",
            ours=ours,
            base=base,
            target=5.0,
            baseline="json floor",
            rate=1 / ours,
        )
    )


def scaling(rows: list[list[str]], repeat: int) -> None:
    timings = {}
    for count in (10, 100, 1000):
        text = json.dumps(task_definition(1, count))
        timings[count] = best_of(lambda t=text: pipeline(t), repeat)
    rows.append(
        _row(
            "1,000 secrets against 100",
            ours=timings[1000],
            base=timings[100],
            target=12.0,
            baseline="100 secrets",
        )
    )
    rows.append(
        _row(
            "100 secrets against 10",
            ours=timings[100],
            base=timings[10],
            target=12.0,
            baseline="10 secrets",
        )
    )


def startup(rows: list[list[str]], repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder) / "small.json"
        small.write_text(json.dumps(task_definition(1, 2)), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "ecs_exec_role.cli",
            "policy",
            str(small),
            "--region",
            REGION,
            "--account",
            ACCOUNT,
        ]
        env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
        ours = best_of(
            lambda: subprocess.run(command, check=True, capture_output=True, env=env),
            repeat,
        )
        base = best_of(
            lambda: subprocess.run([sys.executable, "-c", "pass"], check=True, env=env),
            repeat,
        )
    extra = ours - base
    verdict = "met" if extra <= STARTUP_TARGET else "missed"
    rows.append(
        [
            "`policy` command start-up",
            f"{ours * 1000:.0f} ms",
            f"{base * 1000:.0f} ms (python -c pass)",
            f"+{extra * 1000:.0f} ms",
            "+300 ms",
            verdict,
        ]
    )


def _row(
    name: str,
    *,
    ours: float,
    base: float,
    target: float,
    baseline: str,
    rate: float | None = None,
) -> list[str]:
    ratio = ours / base
    label = f"{ours * 1000:.2f} ms" + (f" ({rate:,.0f}/s)" if rate else "")
    return [
        name,
        label,
        f"{base * 1000:.2f} ms ({baseline})",
        f"{ratio:.2f}x",
        f"{target:g}x",
        "met" if ratio <= target else "missed",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--skip-synth", action="store_true", help="only the pure pipeline"
    )
    args = parser.parse_args()
    repeat = 3 if args.quick else 15
    rows: list[list[str]] = []
    if not args.skip_synth:
        from synth import synthesis

        synthesis(rows, 1 if args.quick else 3)
    throughput(rows, repeat)
    scaling(rows, repeat)
    startup(rows, 3 if args.quick else 10)
    header = ["measure", "ours", "baseline", "ratio", "target", "verdict"]
    print(
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {_cores()} cores"
    )
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _cores() -> int:
    import os

    return (
        len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count() or 1
    )


if __name__ == "__main__":
    main()
