"""The deployment files parse and refer to what the repository really has.

No Docker engine or cluster runs here, so this is the check they get: valid YAML, every
Kubernetes document typed, the Dockerfile copying folders that exist, the API probed on the
endpoints the service serves.
"""

import re
from pathlib import Path

import yaml

from service.settings import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def test_every_kubernetes_document_has_an_api_version_kind_and_name():
    manifests = sorted((DEPLOY / "k8s").glob("*.yaml"))
    assert len(manifests) >= 8
    for manifest in manifests:
        for doc in documents(manifest):
            assert doc.get("apiVersion"), manifest.name
            assert doc.get("kind"), manifest.name
            assert doc["metadata"]["name"], manifest.name


def test_api_deployment_probes_health_and_readiness():
    (deployment,) = [
        d for d in documents(DEPLOY / "k8s" / "api-deployment.yaml") if d["kind"] == "Deployment"
    ]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"


def test_compose_runs_api_postgres_and_redis():
    (compose,) = documents(DEPLOY / "compose.yaml")
    assert {"api", "postgres", "redis"} <= set(compose["services"])
    env = compose["services"]["api"]["environment"]
    assert "DATABASE_URL" in env
    assert "REDIS_URL" in env


def test_dockerfile_copies_folders_that_exist():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    copied = re.findall(r"^COPY (?!--)(\S+)", dockerfile, flags=re.MULTILINE)
    assert copied
    for source in copied:
        assert (REPO_ROOT / source).exists(), source


def test_kubernetes_manifests_validate_against_the_kubernetes_schemas():
    import kubernetes_validate  # noqa: PLC0415

    checked = 0
    for manifest in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in documents(manifest):
            if "." in doc["apiVersion"].split("/")[0]:
                continue  # operator CRDs (CloudNativePG) have no schema in the k8s bundle
            kubernetes_validate.validate(doc, "1.33.0", strict=True)
            checked += 1
    assert checked >= 12
