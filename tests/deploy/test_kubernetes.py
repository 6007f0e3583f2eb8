"""deploy/kubernetes: every manifest is valid against the Kubernetes OpenAPI schemas (strict:
an unknown or misspelt field fails), shipped offline by the kubernetes-validate package, and
the pieces fit: a Deployment per role running a real gridhub command, probes on the port the
web listens on, secrets only by reference, Services that select pods and name their ports."""

from __future__ import annotations

import copy
import shlex
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest

from hub.config import Settings
from tests.deploy.manifests import KUBERNETES, kubernetes_documents, of_kind
from tests.test_compose import _resolve

KUBERNETES_VERSION = "1.30"  # the oldest release still supported upstream when this was written
DOCUMENTS = kubernetes_documents()


def test_kustomization_lists_every_manifest():
    listed = {name for name, _ in DOCUMENTS}
    on_disk = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk


@pytest.mark.parametrize(("name", "doc"), DOCUMENTS,
                         ids=[f"{n}:{d['kind']}/{d['metadata']['name']}" for n, d in DOCUMENTS])
def test_every_manifest_is_valid_against_the_kubernetes_schema(name, doc):
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_catches_a_misspelt_field_and_a_wrong_type():
    deployment = copy.deepcopy(of_kind("Deployment")[0])
    deployment["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    deployment = copy.deepcopy(of_kind("Deployment")[0])
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "x"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def _container(deployment):
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def _config() -> dict:
    (configmap,) = [c for c in of_kind("ConfigMap") if c["metadata"]["name"] == "gridhub"]
    return tomllib.loads(configmap["data"]["gridhub.toml"])


def test_one_deployment_per_role_each_running_a_real_gridhub_command():
    roles = {}
    for deployment in of_kind("Deployment"):
        argv = _container(deployment)["command"]
        _resolve(argv)  # parses with the real CLI: a wrong option fails here
        roles[argv[argv.index("--role") + 1]] = deployment["metadata"]["name"]
    assert set(roles) == set(Settings.model_fields["roles"].default)


def test_a_job_migrates_the_store_before_the_pods_of_a_new_release_start():
    (job,) = of_kind("Job")
    argv = _container(job)["command"]
    _resolve(argv)  # parses with the real CLI
    assert argv[-2:] == ["db", "upgrade"]
    env = {e["name"]: e for e in _container(job)["env"]}
    assert env["GRIDHUB_STORE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "gridhub",
                                                                     "key": "store-url"}


def test_the_shared_settings_load_and_the_probes_use_the_port_the_web_listens_on(tmp_path):
    config = _config()
    (tmp_path / "gridhub.toml").write_text(
        (KUBERNETES / "configmap.yaml").read_text().split("gridhub.toml: |\n")[1]
        .split("---")[0].replace("\n    ", "\n").strip() + "\n")
    Settings.load(tmp_path / "gridhub.toml")  # the mounted file is valid settings
    web_port = int(config["web_listen"].rsplit(":", 1)[1])
    for deployment in of_kind("Deployment"):
        container = _container(deployment)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["web"] == web_port
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "web"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "web"}
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        config_file = Path(container["command"][container["command"].index("--config") + 1])
        assert str(config_file.parent) == mounts["config"]


def test_secrets_only_by_reference():
    for deployment in of_kind("Deployment"):
        env = {e["name"]: e for e in _container(deployment)["env"]}
        for name in ("GRIDHUB_BROKER_URL", "GRIDHUB_STORE_URL", "GRIDHUB_WEB_SECRET"):
            assert "secretKeyRef" in env[name]["valueFrom"], name
        for entry in env.values():
            value = str(entry.get("value", "")).lower()
            assert "://" not in value and "password" not in entry["name"].lower()
    assert not of_kind("Secret")  # the operator creates it; no secret is shipped


def test_every_service_selects_pods_and_names_a_port_they_have():
    pods = [(d["spec"]["template"]["metadata"]["labels"],
             {p["name"] for p in _container(d)["ports"]}) for d in of_kind("Deployment")]
    for service in of_kind("Service"):
        selector = service["spec"]["selector"]
        matched = [ports for labels, ports in pods if selector.items() <= labels.items()]
        assert matched, f"{service['metadata']['name']} selects no pod"
        for port in service["spec"]["ports"]:
            assert all(port["targetPort"] in ports for ports in matched), port


def test_the_portal_service_reaches_the_inbound_listener():
    (inbound,) = [d for d in of_kind("Deployment") if "inbound" in _container(d)["command"]]
    env = {e["name"]: e.get("value") for e in _container(inbound)["env"]}
    ports = {p["name"]: p["containerPort"] for p in _container(inbound)["ports"]}
    assert int(env["GRIDHUB_ELSMART_LISTEN_PORT"]) == ports["portal"]
    assert env["GRIDHUB_ELSMART_LISTEN_HOST"] == "0.0.0.0"
    assert shlex.join(_container(inbound)["command"]).endswith("--role inbound")
