"""The composition root refuses the embedded pair where production says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.bootstrap import NotConfigured, Runtime
from connectors.settings import Settings


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.model_validate({"AIDLEDGER_DATA_DIR": str(tmp_path), **env})


def test_without_urls_and_embedded_refused_both_connection_points_name_their_variable(
    tmp_path: Path,
) -> None:
    runtime = Runtime(_settings(tmp_path, AIDLEDGER_EMBEDDED="false"))
    with pytest.raises(NotConfigured, match="DATABASE_URL is not set and AIDLEDGER_EMBEDDED"):
        _ = runtime.database_url
    with pytest.raises(NotConfigured, match="KAFKA_BOOTSTRAP_SERVERS is not set"):
        _ = runtime.bootstrap_servers
    assert not list(tmp_path.iterdir())  # nothing was started or created


def test_configured_urls_are_used_as_given_when_embedded_is_refused(tmp_path: Path) -> None:
    runtime = Runtime(
        _settings(
            tmp_path,
            AIDLEDGER_EMBEDDED="false",
            DATABASE_URL="postgresql+psycopg2://app@127.0.0.1:5432/aidledger",
            KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9092",
        )
    )
    assert runtime.database_url == "postgresql+psycopg2://app@127.0.0.1:5432/aidledger"
    assert runtime.bootstrap_servers == "127.0.0.1:9092"


def test_the_deploy_files_refuse_the_embedded_pair() -> None:
    root = Path(__file__).resolve().parents[3]
    assert 'AIDLEDGER_EMBEDDED: "false"' in (root / "deploy/compose.yaml").read_text()
    assert 'AIDLEDGER_EMBEDDED: "false"' in (root / "deploy/k8s/configmap.yaml").read_text()
