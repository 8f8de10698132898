"""Shared paths for the deployment tests (the `deploy` marker is registered in pyproject)."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DIR = REPO_ROOT / "deploy"


@pytest.fixture(scope="session")
def deploy_dir() -> Path:
    return DEPLOY_DIR
