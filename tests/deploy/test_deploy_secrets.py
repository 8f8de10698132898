"""No password is committed: templates hold placeholders, real env files are git-ignored."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.deploy

PLACEHOLDER = "CHANGE_ME"
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|DATABASE_URL", re.IGNORECASE)


def env_file_entries(path: Path) -> dict[str, str]:
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            entries[key.strip()] = value.strip()
    return entries


def test_no_secret_value_is_committed_in_kubernetes_secrets(deploy_dir: Path) -> None:
    secrets = [
        doc
        for path in sorted((deploy_dir / "k8s").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc and doc.get("kind") == "Secret"
    ]
    assert secrets, "expected the Secret template in deploy/k8s"
    for secret in secrets:
        # base64 `data` would hide a real value from review: only readable placeholders.
        assert "data" not in secret, secret["metadata"]["name"]
        for key, value in secret["stringData"].items():
            assert PLACEHOLDER in value, f"{secret['metadata']['name']}.{key}"
            password = re.match(r"^[a-z0-9+]+://[^:/]+:([^@]*)@", value)
            assert password is None or password.group(1) == PLACEHOLDER, key


def test_no_secret_value_is_committed_in_the_env_example(deploy_dir: Path) -> None:
    entries = env_file_entries(deploy_dir / "env.example")
    secret_keys = [key for key in entries if SECRET_NAME.search(key)]
    assert "POSTGRES_PASSWORD" in secret_keys
    assert {key: entries[key] for key in secret_keys} == dict.fromkeys(secret_keys, PLACEHOLDER)


def test_no_secret_value_is_committed_in_the_compose_file(deploy_dir: Path) -> None:
    compose: dict[str, Any] = yaml.safe_load((deploy_dir / "compose.yaml").read_text("utf-8"))
    for name, service in compose["services"].items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), name
        for key, value in environment.items():
            if SECRET_NAME.search(key):
                password = re.match(r"^[a-z0-9+]+://[^:/]+:([^@]*)@", str(value))
                secret = password.group(1) if password else str(value)
                assert secret.startswith("${") and secret.endswith("}"), f"{name}.{key}"


def test_real_env_files_and_filled_in_secrets_are_git_ignored(deploy_dir: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"],
        cwd=deploy_dir,
        capture_output=True,
        timeout=30,
        check=False,
    )
    if inside.returncode != 0:
        pytest.skip("deploy/ is not inside a git work tree")

    def ignored(relative: str) -> bool:
        check = subprocess.run(
            ["git", "check-ignore", "--quiet", "--no-index", relative],
            cwd=deploy_dir,
            capture_output=True,
            timeout=30,
            check=False,
        )
        assert check.returncode in (0, 1), check.stderr
        return check.returncode == 0

    assert ignored(".env")
    assert ignored(".env.production")
    assert ignored("k8s/secret.yaml")
    assert not ignored("env.example")
    assert not ignored("k8s/secret.template.yaml")


def test_image_build_leaves_env_files_and_the_repository_history_out(deploy_dir: Path) -> None:
    patterns = env_file_entries(deploy_dir / "Dockerfile.dockerignore")
    assert {"**/.env", "**/.env.*", "**/*.env", ".git", "**/.venv"} <= set(patterns)
