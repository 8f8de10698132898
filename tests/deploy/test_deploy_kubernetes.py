"""deploy/k8s: every manifest validated offline against the Kubernetes schemas that
kubernetes-validate ships in its wheel, plus the operational settings that matter."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

pytestmark = pytest.mark.deploy

K8S_DIR = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
# Oldest Kubernetes release the manifests must fit (CronJob.spec.timeZone is GA from 1.27).
KUBERNETES_VERSION = "1.29"
MANIFESTS = sorted(p for p in K8S_DIR.glob("*.yaml") if p.name != "kustomization.yaml")
WORKER_LABELS = {"app.kubernetes.io/name": "aidledger", "app.kubernetes.io/component": "worker"}


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def manifest(filename: str) -> dict[str, Any]:
    (doc,) = documents(K8S_DIR / filename)
    return doc


def pod_specs() -> dict[str, dict[str, Any]]:
    deployment = manifest("worker-deployment.yaml")
    job = manifest("migrate-job.yaml")
    cronjob = manifest("payroll-cronjob.yaml")
    return {
        "worker": deployment["spec"]["template"]["spec"],
        "migrate": job["spec"]["template"]["spec"],
        "payroll": cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"],
    }


def secret_ref(container: dict[str, Any], variable: str) -> str:
    (entry,) = [e for e in container["env"] if e["name"] == variable]
    return str(entry["valueFrom"]["secretKeyRef"]["name"])


@pytest.mark.parametrize("path", MANIFESTS, ids=[p.name for p in MANIFESTS])
def test_manifest_matches_its_kubernetes_schema(path: Path) -> None:
    docs = documents(path)
    assert docs, f"{path.name} holds no manifest"
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest_except_the_secret_template() -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text(encoding="utf-8"))
    expected = {p.name for p in MANIFESTS} - {"secret.template.yaml"}
    assert sorted(kustomization["resources"]) == sorted(expected)
    assert kustomization["namespace"] == manifest("namespace.yaml")["metadata"]["name"]


@pytest.mark.skipif(
    shutil.which("kubectl") is None, reason="kubectl is not installed (needed for kustomize)"
)
def test_kustomize_renders_manifests_that_match_their_schemas() -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(K8S_DIR)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    docs = [doc for doc in yaml.safe_load_all(rendered) if doc]
    assert sorted(doc["kind"] for doc in docs) == sorted(
        ["Namespace", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "Job", "CronJob"]
    )
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_configmap_holds_the_settings_the_app_reads() -> None:
    data = manifest("configmap.yaml")["data"]
    assert set(data) == {
        "KAFKA_BOOTSTRAP_SERVERS",
        "AIDLEDGER_TOPIC_PARTITIONS",
        "AIDLEDGER_REPLICATION_FACTOR",
        "AIDLEDGER_METRICS_PORT",
        "AIDLEDGER_CONSUMER_GROUP",
        "AIDLEDGER_SESSION_TIMEOUT",
        "AIDLEDGER_HEARTBEAT_INTERVAL",
        "AIDLEDGER_EMBEDDED",
    }
    assert data["AIDLEDGER_EMBEDDED"] == "false"
    assert data["AIDLEDGER_CONSUMER_GROUP"] == "aidledger-ledger"
    assert data["AIDLEDGER_REPLICATION_FACTOR"] == "3"
    assert data["AIDLEDGER_METRICS_PORT"] == "9108"
    assert len(data["KAFKA_BOOTSTRAP_SERVERS"].split(",")) == 3


def test_worker_probes_check_the_metrics_port() -> None:
    (container,) = pod_specs()["worker"]["containers"]
    (port,) = container["ports"]
    assert port == {"name": "metrics", "containerPort": 9108, "protocol": "TCP"}
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/metrics", "port": "metrics"}


def test_worker_replicas_note_says_to_scale_up_to_the_partition_count() -> None:
    text = (K8S_DIR / "worker-deployment.yaml").read_text(encoding="utf-8")
    assert "Scale up to the partition count" in text
    assert manifest("worker-deployment.yaml")["spec"]["replicas"] >= 2


def test_each_worker_reports_its_pod_name_as_worker_id() -> None:
    (container,) = pod_specs()["worker"]["containers"]
    (entry,) = [e for e in container["env"] if e["name"] == "AIDLEDGER_WORKER_ID"]
    assert entry["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"


def test_every_container_has_resource_requests_and_limits() -> None:
    for name, spec in pod_specs().items():
        for container in spec["containers"]:
            resources = container["resources"]
            assert set(resources["requests"]) == {"cpu", "memory"}, name
            assert set(resources["limits"]) == {"cpu", "memory"}, name


def test_every_container_runs_as_non_root_without_privileges() -> None:
    for name, spec in pod_specs().items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name


def test_metrics_service_is_annotated_for_prometheus_and_selects_the_workers() -> None:
    service = manifest("worker-metrics-service.yaml")
    annotations = service["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "9108"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert service["spec"]["selector"] == WORKER_LABELS
    assert service["spec"]["ports"][0]["targetPort"] == "metrics"


def test_disruption_budget_lets_one_worker_go_at_a_time() -> None:
    budget = manifest("worker-pdb.yaml")
    assert budget["spec"]["maxUnavailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"] == WORKER_LABELS
    deployment = manifest("worker-deployment.yaml")
    assert deployment["spec"]["selector"]["matchLabels"] == WORKER_LABELS


def test_migration_job_runs_as_the_schema_owner() -> None:
    (container,) = pod_specs()["migrate"]["containers"]
    assert container["args"] == ["db", "migrate"]
    owner_secret = secret_ref(container, "DATABASE_URL")
    secrets = {doc["metadata"]["name"]: doc for doc in documents(K8S_DIR / "secret.template.yaml")}
    assert "//aidledger_owner:" in secrets[owner_secret]["stringData"]["DATABASE_URL"]


def test_workers_and_payroll_connect_as_the_app_role() -> None:
    secrets = {doc["metadata"]["name"]: doc for doc in documents(K8S_DIR / "secret.template.yaml")}
    for name in ("worker", "payroll"):
        (container,) = pod_specs()[name]["containers"]
        url = secrets[secret_ref(container, "DATABASE_URL")]["stringData"]["DATABASE_URL"]
        assert "//aidledger_app:" in url, name


def test_payroll_runs_on_the_twentieth_of_every_month() -> None:
    cronjob = manifest("payroll-cronjob.yaml")["spec"]
    *_, day, month, weekday = cronjob["schedule"].split()
    assert (day, month, weekday) == ("20", "*", "*")
    assert cronjob["timeZone"] == "Asia/Ho_Chi_Minh"
    assert cronjob["concurrencyPolicy"] == "Forbid"
    (container,) = pod_specs()["payroll"]["containers"]
    (script,) = container["args"]
    assert script.startswith("exec aidledger payroll run --month ")
    assert '--province "$PAYROLL_PROVINCE"' in script
