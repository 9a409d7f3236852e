"""examples/kubernetes: the manifests against the Kubernetes API schemas (kubernetes-validate,
strict: an unknown field is an error), the configurations they carry against the volumes
they mount, and the Helm values files against the keys of the official charts' values.yaml
(recorded in helm-chart-keys.json; values files are not manifests)."""

import json

import pytest
import yaml

kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="pip install kubernetes-validate (tests/platforms/run.sh)"
)

from conftest import REPO  # noqa: E402

EXAMPLES = REPO / "examples/kubernetes"
MANIFESTS = sorted((EXAMPLES / "fluent-bit").glob("*.yaml")) + sorted(
    (EXAMPLES / "vector").glob("*.yaml")
)
# The oldest Kubernetes each manifest is for, and the newest schemas the package carries.
OLDEST = {"daemonset-image-volume.yaml": "1.33.0"}
DEFAULT_OLDEST = "1.29.0"
NEWEST = "1.37.0"
CHART_KEYS = json.loads((REPO / "tests/platforms/helm-chart-keys.json").read_text())


def documents(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_there_are_manifests_for_both_shippers():
    names = {f"{p.parent.name}/{p.name}" for p in MANIFESTS}
    assert {"fluent-bit/daemonset.yaml", "vector/daemonset.yaml"} <= names


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_manifest_is_valid_kubernetes(path):
    docs = documents(path)
    assert docs
    for version in (OLDEST.get(path.name, DEFAULT_OLDEST), NEWEST):
        for doc in docs:
            kubernetes_validate.validate(doc, version, strict=True)


def test_strict_validation_refuses_an_unknown_field():
    doc = documents(EXAMPLES / "fluent-bit/daemonset.yaml")[-2]
    assert doc["kind"] == "DaemonSet"
    doc["spec"]["template"]["spec"]["containers"][0]["privileged"] = True  # wrong level
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, NEWEST, strict=True)


def pod_spec(path):
    (daemonset,) = [d for d in documents(path) if d["kind"] == "DaemonSet"]
    return daemonset["spec"]["template"]["spec"]


def mounts(container):
    return {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_least_privilege(path):
    spec = pod_spec(path)
    assert not spec.get("hostNetwork") and not spec.get("hostPID")
    for container in spec.get("initContainers", []) + spec["containers"]:
        context = container["securityContext"]
        assert context["capabilities"]["drop"] == ["ALL"] and "add" not in context["capabilities"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["readOnlyRootFilesystem"] is True
        assert not context.get("privileged")
    host_paths = {v["hostPath"]["path"] for v in spec["volumes"] if "hostPath" in v}
    assert host_paths <= {
        "/var/log/journal",
        "/etc/machine-id",
        "/var/lib/fluent-bit-oomlens",
        "/var/lib/vector-oomlens",
    }
    # Host paths are read-only but the shipper's own state directory.
    (main,) = spec["containers"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    for mount in main["volumeMounts"]:
        host_path = volumes[mount["name"]].get("hostPath", {}).get("path")
        if host_path in ("/var/log/journal", "/etc/machine-id"):
            assert mount.get("readOnly") is True, mount


def config_map(path, key):
    manifest = REPO / "examples/kubernetes/fluent-bit/daemonset.yaml" if "fluent" in str(path) else path
    (cm,) = [d for d in documents(manifest) if d["kind"] == "ConfigMap"]
    return cm["data"][key]


@pytest.mark.parametrize(
    "path", [p for p in MANIFESTS if p.parent.name == "fluent-bit"], ids=lambda p: p.name
)
def test_fluent_bit_finds_its_module_and_oomlens_json_where_the_pod_mounts_them(path):
    spec = pod_spec(path)
    (fluent_bit,) = spec["containers"]
    config = yaml.safe_load(config_map(path, "fluent-bit.yaml"))
    (wasm,) = [f for f in config["pipeline"]["filters"] if f["name"] == "wasm"]
    module_dir, module_name = wasm["wasm_path"].rsplit("/", 1)
    where = mounts(fluent_bit)
    volumes = {v["name"]: v for v in spec["volumes"]}
    module_volume = volumes[where[module_dir]]
    if "image" in module_volume:
        assert module_name == "oomlens_fluent_bit.wasm"
    else:
        # The init container copies the module into the same volume.
        (init,) = spec["initContainers"]
        assert init["command"][-2].endswith("/" + module_name)
        copy_to = init["command"][-1].rstrip("/")
        assert mounts(init)[copy_to] == where[module_dir]
    config_dir = wasm["accessible_paths"].split(",")[0].strip()
    config_volume = volumes[where[config_dir]]
    assert any(item["path"] == "oomlens.json" for item in config_volume["configMap"]["items"])
    json.loads(config_map(path, "oomlens.json"))
    # The journal input reads the mounted journal and keeps its cursor in the writable state.
    (journal,) = [i for i in config["pipeline"]["inputs"] if i["name"] == "systemd"]
    assert journal["path"] in where
    assert journal["db"].rsplit("/", 1)[0] in where


def test_vector_finds_the_journal_and_its_data_dir():
    path = EXAMPLES / "vector/daemonset.yaml"
    (vector,) = pod_spec(path)["containers"]
    config = yaml.safe_load(config_map(path, "vector.yaml"))
    where = mounts(vector)
    assert config["data_dir"] in where
    command = config["sources"]["kernel_with_oom_events"]["command"][-1]
    assert "--directory=/var/log/journal" in command and "/var/log/journal" in where
    assert config["sinks"]["prometheus"]["address"].endswith(":9598")


def value_paths(node, prefix=""):
    """Dotted key paths of a values file, maps descended, lists and scalars leaves."""
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        yield path
        if isinstance(value, dict):
            yield from value_paths(value, path)


@pytest.mark.parametrize("chart", ["fluent-bit", "vector"])
def test_helm_values_use_only_keys_the_chart_defines(chart):
    values = yaml.safe_load((EXAMPLES / f"helm/{chart}-values.yaml").read_text())
    keys, open_keys = set(CHART_KEYS[chart]["keys"]), set(CHART_KEYS[chart]["open"])
    unknown = [
        path
        for path in value_paths(values)
        if path not in keys
        and not any(path.startswith(o + ".") for o in open_keys)
    ]
    assert not unknown, f"keys the {chart} chart {CHART_KEYS[chart]['chart_version']} lacks: {unknown}"


def test_key_check_refuses_a_made_up_key():
    keys = set(CHART_KEYS["fluent-bit"]["keys"])
    assert "image.repository" in keys and "image.registry" not in keys


@pytest.mark.parametrize("chart", ["fluent-bit", "vector"])
def test_helm_values_pod_parts_are_valid_kubernetes(chart):
    """The parts of the values the charts put into the pod spec, as one Pod."""
    values = yaml.safe_load((EXAMPLES / f"helm/{chart}-values.yaml").read_text())
    if chart == "fluent-bit":
        volumes = values["daemonSetVolumes"] + values["extraVolumes"]
        volume_mounts = values["daemonSetVolumeMounts"] + values["extraVolumeMounts"]
        ports = [
            {"name": p["name"], "containerPort": p["containerPort"], "protocol": p["protocol"]}
            for p in values["extraPorts"]
        ]
        # The chart's own config volume, which it always mounts.
        volumes.append({"name": "config", "configMap": {"name": "fluent-bit"}})
    else:
        volumes = values["defaultVolumes"] + values["extraVolumes"]
        volume_mounts = values["defaultVolumeMounts"] + values["extraVolumeMounts"]
        ports = values["containerPorts"]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": chart},
        "spec": {
            "initContainers": values.get("initContainers", []),
            "containers": [
                {
                    "name": chart,
                    "image": f"{values['image']['repository']}:{values['image']['tag']}",
                    "securityContext": values["securityContext"],
                    "env": values.get("env", []),
                    "ports": ports,
                    "volumeMounts": volume_mounts,
                }
            ],
            "volumes": volumes,
            "tolerations": values["tolerations"],
        },
    }
    kubernetes_validate.validate(pod, NEWEST, strict=True)
    names = {v["name"] for v in volumes}
    for container in pod["spec"]["initContainers"] + pod["spec"]["containers"]:
        assert {m["name"] for m in container.get("volumeMounts", [])} <= names
