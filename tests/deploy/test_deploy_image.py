"""deploy/Dockerfile: python:3.11-slim, installed with pip, runs as a non-root user."""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined."""
    joined = path.read_text(encoding="utf-8").replace("\\\n", " ")
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            pairs.append((keyword.upper(), arguments.strip()))
    return pairs


def test_image_builds_from_python_slim_with_pip_install(deploy_dir: Path) -> None:
    steps = instructions(deploy_dir / "Dockerfile")
    bases = [args.split()[0] for keyword, args in steps if keyword == "FROM"]
    assert bases and all(base == "python:3.11-slim" for base in bases)
    assert any(keyword == "RUN" and "pip install /src" in args for keyword, args in steps)


def test_image_runs_the_aidledger_command_as_a_non_root_user(deploy_dir: Path) -> None:
    steps = instructions(deploy_dir / "Dockerfile")
    final_stage = steps[max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM") :]
    users = [args for keyword, args in final_stage if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    (entrypoint,) = [args for keyword, args in final_stage if keyword == "ENTRYPOINT"]
    assert json.loads(entrypoint) == ["aidledger"]
    assert ("EXPOSE", "9108") in final_stage
