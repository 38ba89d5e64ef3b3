"""The deployment files parse, validate against their schemas and refer to what exists.

No Docker engine or cluster runs here, so this is the check they get: the Kubernetes
manifests against the Kubernetes OpenAPI schemas (kubernetes-validate), compose.yaml against
the Compose Specification JSON schema (vendored in tests/data/schemas), every server command
parsed by the installed granian's own command line, the Dockerfile copying folders that
exist, the proxy pointing at the api service, and the PostgreSQL scripts the same in both
deployments.
"""

import copy
import ipaddress
import json
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from service.settings import REPO_ROOT, Settings

DEPLOY = REPO_ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_SCHEMA = Path(__file__).parent / "data" / "schemas" / "compose-spec.json"
# The top-level project name came to the Compose Specification after the vendored schema
# (PROVENANCE.md there); everything else in compose.yaml is checked by the file as shipped.
NEWER_TOP_LEVEL_KEYS = {"name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}}
FACTORY = "service.app:app_from_env"
MIARKA_IMAGE = "registry.example.com/miarka/miarka"
Doc = dict[str, Any]


def documents(path: Path) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def k8s_docs() -> list[Doc]:
    return [doc for manifest in sorted(K8S.glob("*.yaml")) for doc in documents(manifest)]


def k8s_doc(kind: str, name: str) -> Doc:
    (doc,) = [d for d in k8s_docs() if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def pod_spec(doc: Doc) -> Doc | None:
    spec: Doc = doc.get("spec", {})
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    elif doc["kind"] not in {"Deployment", "StatefulSet", "Job", "DaemonSet"}:
        return None
    template: Doc = spec["template"]["spec"]
    return template


def compose() -> Doc:
    (doc,) = documents(DEPLOY / "compose.yaml")
    return doc


def granian_params(command: list[str]) -> dict[str, Any]:
    """The command as the installed granian parses it; a bad flag or value fails here."""
    from granian.cli import cli  # noqa: PLC0415

    assert command[0] == "granian", command
    try:
        return cli.make_context("granian", list(command[1:])).params
    except click.UsageError as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(f"granian rejects {command}: {exc}")


def assert_serves_the_factory(command: list[str], workers: int) -> None:
    params = granian_params(command)
    assert params["app"] == FACTORY
    assert params["factory"] is True
    assert params["interface"].value == "asgi"
    assert params["host"] == "0.0.0.0"  # noqa: S104 - inside a container
    assert params["port"] == 8000
    assert params["workers"] == workers


# --------------------------------------------------------------------------- Kubernetes


def test_every_kubernetes_document_has_an_api_version_kind_and_name():
    manifests = sorted(K8S.glob("*.yaml"))
    assert len(manifests) >= 9
    for manifest in manifests:
        for doc in documents(manifest):
            assert doc.get("apiVersion"), manifest.name
            assert doc.get("kind"), manifest.name
            assert doc["metadata"]["name"], manifest.name


def test_kubernetes_manifests_validate_against_the_kubernetes_schemas():
    import kubernetes_validate  # type: ignore[import-untyped]  # noqa: PLC0415

    checked = 0
    for doc in k8s_docs():
        if "." in doc["apiVersion"].split("/")[0]:
            continue  # operator CRDs (CloudNativePG) have no schema in the k8s bundle
        kubernetes_validate.validate(doc, "1.33.0", strict=True)
        checked += 1
    assert checked >= 18


def test_api_deployment_runs_granian_with_one_worker_and_probes_health_and_readiness():
    deployment = k8s_doc("Deployment", "miarka-api")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert_serves_the_factory(container["command"], workers=1)
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["ports"][0]["containerPort"] == 8000


def test_the_hpa_scales_the_api_deployment():
    hpa = k8s_doc("HorizontalPodAutoscaler", "miarka-api")
    target = hpa["spec"]["scaleTargetRef"]
    deployment = k8s_doc(target["kind"], target["name"])
    assert target["apiVersion"] == deployment["apiVersion"]
    assert 1 < hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"]["cpu"]  # the HPA's 100 %


def selects(service: Doc, workload: Doc) -> bool:
    labels: Doc = workload["spec"]["template"]["metadata"]["labels"]
    selector: Doc = service["spec"]["selector"]
    return selector.items() <= labels.items()


def test_the_api_reads_from_the_read_replica_service_given_by_the_secret():
    container = k8s_doc("Deployment", "miarka-api")["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item for item in container["env"]}
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL"):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert (ref["name"], ref["key"]) == ("miarka-secrets", name)
    secret = k8s_doc("Secret", "miarka-secrets")["stringData"]
    primary_host = urlsplit(secret["DATABASE_URL"]).hostname
    replica_host = urlsplit(secret["DATABASE_REPLICA_URL"]).hostname
    assert (primary_host, replica_host) == ("miarka-db-rw", "miarka-db-ro")
    # postgres.yaml: -ro reaches the streaming replicas only, -rw the primary only.
    primary = k8s_doc("StatefulSet", "miarka-postgres")
    replica = k8s_doc("StatefulSet", "miarka-postgres-replica")
    ro, rw = k8s_doc("Service", replica_host), k8s_doc("Service", primary_host)
    assert selects(ro, replica)
    assert not selects(ro, primary)
    assert selects(rw, primary)
    assert not selects(rw, replica)
    replica_env = {
        item["name"]: item for item in replica["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert replica_env["PRIMARY_HOST"]["value"] == primary_host


def test_the_postgres_scripts_in_the_configmap_are_the_files_of_deploy_postgres():
    scripts = k8s_doc("ConfigMap", "miarka-postgres-scripts")["data"]
    assert set(scripts) == {"primary-init.sh", "replica-entrypoint.sh"}
    for name, text in scripts.items():
        assert text == (DEPLOY / "postgres" / name).read_text(encoding="utf-8"), name
    for workload in ("miarka-postgres", "miarka-postgres-replica"):
        spec = k8s_doc("StatefulSet", workload)["spec"]["template"]["spec"]
        (volume,) = [v for v in spec["volumes"] if "configMap" in v]
        assert volume["configMap"]["name"] == "miarka-postgres-scripts"
        assert {item["key"] for item in volume["configMap"]["items"]} <= set(scripts)


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash to parse the scripts")
def test_the_postgres_scripts_are_executable_bash():
    for script in sorted((DEPLOY / "postgres").glob("*.sh")):
        assert script.stat().st_mode & stat.S_IXUSR, script.name
        subprocess.run(["bash", "-n", str(script)], check=True)  # noqa: S607


def test_loader_cronjobs_load_teryt_and_the_shipped_data():
    commands = {}
    for doc in k8s_docs():
        if doc["kind"] == "CronJob":
            assert doc["spec"]["concurrencyPolicy"] == "Forbid", doc["metadata"]["name"]
            spec = pod_spec(doc)
            assert spec is not None
            (container,) = spec["containers"]
            commands[doc["metadata"]["name"]] = container["command"]
    assert commands["miarka-load-teryt"] == ["miarka", "load", "teryt"]
    assert commands["miarka-load-shipped"] == ["miarka", "load", "shipped"]
    job = k8s_doc("Job", "miarka-migrate")["spec"]["template"]["spec"]
    assert job["containers"][0]["command"] == ["miarka", "db", "upgrade"]


def test_every_workload_runs_as_non_root_with_requests_and_limits():
    workloads = 0
    for doc in k8s_docs():
        spec = pod_spec(doc)
        if spec is None:
            continue
        workloads += 1
        name = doc["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        for container in spec["containers"]:
            assert container["resources"]["requests"], name
            assert container["resources"]["limits"], name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            if container["image"].startswith(MIARKA_IMAGE):
                assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
    assert workloads >= 7


def test_redis_runs_and_every_miarka_container_finds_it():
    redis = k8s_doc("Service", "miarka-redis")
    assert selects(redis, k8s_doc("Deployment", "miarka-redis"))
    config = k8s_doc("ConfigMap", "miarka-config")["data"]
    assert urlsplit(config["REDIS_URL"]).hostname == "miarka-redis"


def test_every_miarka_setting_the_deployments_give_is_accepted():
    """A value Settings refuses stops every container at start-up (`info` for `INFO` did)."""
    config = k8s_doc("ConfigMap", "miarka-config")["data"]
    for doc in k8s_docs():
        spec = pod_spec(doc)
        for container in spec["containers"] if spec else []:
            if not container["image"].startswith(MIARKA_IMAGE):
                continue
            env = dict(config) if container.get("envFrom") else {}
            env |= {
                item["name"]: item["value"] for item in container.get("env", []) if "value" in item
            }
            Settings.from_env(env)
    for name, service in compose()["services"].items():
        if service.get("image") == "miarka:local":
            env = {key: str(value) for key, value in service.get("environment", {}).items()}
            assert Settings.from_env(env).database_url, name


# --------------------------------------------------------------------------- Compose


def compose_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification"
    for key, subschema in NEWER_TOP_LEVEL_KEYS.items():
        assert key not in schema["properties"], f"the vendored schema has {key!r} now"
        schema["properties"][key] = subschema
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_compose_file_validates_against_the_compose_specification():
    # yaml.safe_load resolves the anchors and `<<` merges of the x- blocks, as Compose does.
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in compose_validator().iter_errors(compose())
    ]
    assert not errors, "\n".join(errors)


def test_the_compose_schema_check_rejects_what_compose_rejects():
    validator = compose_validator()
    bad = copy.deepcopy(compose())
    bad["services"]["api"]["replicas"] = 2  # belongs under deploy:
    bad["services"]["proxy"]["depends_on"]["api"]["condition"] = "service_ready"
    assert len(list(validator.iter_errors(bad))) == 2


def test_compose_runs_the_whole_stack_with_healthchecks():
    services = compose()["services"]
    assert {
        "postgres",
        "postgres-replica",
        "redis",
        "migrate",
        "loader",
        "api",
        "proxy",
    } <= set(services)
    one_shot = {name for name, s in services.items() if s.get("restart") == "no"}
    assert one_shot == {"migrate", "loader", "loader-teryt"}
    for name, service in services.items():
        if name not in one_shot:
            assert service["healthcheck"]["test"], name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
    assert services["migrate"]["command"] == ["miarka", "db", "upgrade"]
    assert services["loader"]["command"] == ["miarka", "load", "shipped"]
    assert "profiles" not in services["loader"]  # part of the one command
    assert services["loader"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_compose_api_replicas_run_granian_behind_the_proxy_and_read_the_replica():
    services = compose()["services"]
    api = services["api"]
    assert "ports" not in api  # a fixed host port would allow one replica only
    assert api["deploy"]["replicas"] >= 2
    assert_serves_the_factory(api["command"], workers=2)
    env = api["environment"]
    assert urlsplit(env["DATABASE_URL"]).hostname == "postgres"
    assert urlsplit(env["DATABASE_REPLICA_URL"]).hostname == "postgres-replica"
    assert urlsplit(env["REDIS_URL"]).hostname == "redis"
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert api["depends_on"]["postgres-replica"]["condition"] == "service_healthy"
    assert services["proxy"]["ports"] == ["127.0.0.1:8000:80"]
    assert services["proxy"]["depends_on"]["api"]["condition"] == "service_healthy"
    replica = services["postgres-replica"]
    assert replica["environment"]["PRIMARY_HOST"] == "postgres"


def test_the_api_believes_x_forwarded_for_from_the_proxy_only():
    doc = compose()
    setting = "MIARKA_FORWARDED_ALLOW_IPS"
    value = doc["services"]["api"]["environment"][setting]
    trusted = Settings.from_env({setting: value}).forwarded_allow_ips  # else start-up stops
    proxy = doc["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    assert trusted == (proxy,)  # not the network: the host's connections come from its gateway
    (network,) = doc["networks"]["default"]["ipam"]["config"]
    assert ipaddress.ip_address(proxy) in ipaddress.ip_network(network["subnet"])
    assert ipaddress.ip_address(proxy) not in ipaddress.ip_network(network["ip_range"])
    container = k8s_doc("Deployment", "miarka-api")["spec"]["template"]["spec"]["containers"][0]
    (k8s_value,) = [item["value"] for item in container["env"] if item["name"] == setting]
    assert Settings.from_env({setting: k8s_value}).forwarded_allow_ips


def test_compose_bind_mounts_files_that_exist():
    mounted = 0
    for service in compose()["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), source
                mounted += 1
    assert mounted >= 3


def test_the_proxy_forwards_to_the_api_replicas():
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    code = "\n".join(line.split("#")[0] for line in conf.splitlines())
    assert code.count("{") == code.count("}")
    (upstream,) = re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", code)
    name, body = upstream
    assert re.search(r"^\s*server\s+api:8000\s+resolve;", body, flags=re.MULTILINE)
    assert re.search(r"^\s*zone\s+\w+\s+\w+;", body, flags=re.MULTILINE)  # `resolve` needs it
    assert re.search(r"^\s*resolver\s+127\.0\.0\.11\b", code, flags=re.MULTILINE)
    assert re.search(rf"^\s*proxy_pass\s+http://{name};", code, flags=re.MULTILINE)
    (listen,) = re.findall(r"^\s*listen\s+(\d+);", code, flags=re.MULTILINE)
    assert compose()["services"]["proxy"]["ports"][0].endswith(f":{listen}")
    for line in code.splitlines():
        stripped = line.strip()
        assert not stripped or stripped.endswith(("{", "}", ";")), line


# --------------------------------------------------------------------------- Dockerfile


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(r"\\\n", " ", text)  # join continuation lines
    return [
        (match[1].upper(), match[2].strip())
        for match in re.finditer(r"^\s*([A-Za-z]+)\s+(.*)$", logical, flags=re.MULTILINE)
        if not match[0].lstrip().startswith("#")
    ]


def test_dockerfile_copies_folders_that_exist():
    copied = [args.split()[0] for op, args in dockerfile_instructions() if op == "COPY"]
    copied = [source for source in copied if not source.startswith("--")]
    assert copied
    for source in copied:
        assert (REPO_ROOT / source).exists(), source


def test_dockerfile_runs_granian_as_a_non_root_user_with_a_healthcheck():
    instructions = dockerfile_instructions()
    runtime = instructions[max(i for i, (op, args) in enumerate(instructions) if op == "FROM") :]
    (user,) = [args for op, args in runtime if op == "USER"]
    uid = user.split(":")[0]
    assert uid.isdigit(), "numeric, so that runAsNonRoot can verify it"
    assert int(uid) != 0
    (healthcheck,) = [args for op, args in runtime if op == "HEALTHCHECK"]
    assert "/health" in healthcheck
    (cmd,) = [args for op, args in runtime if op == "CMD"]
    assert_serves_the_factory(json.loads(cmd), workers=1)  # exec form: PID 1 gets SIGTERM


def test_the_granian_factory_exists():
    from service import app  # noqa: PLC0415

    module, attribute = FACTORY.split(":")
    assert module == app.__name__
    assert callable(getattr(app, attribute))


def test_the_readme_gives_the_one_command():
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "docker compose -f deploy/compose.yaml up --build" in readme
