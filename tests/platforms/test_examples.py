"""The shipper examples as files: they parse, the Vector ones have a data_dir a user can
create, and the metrics configurations make oom_events_total with the bounded labels only
(pod and container labels stay opt-in). Running them is check-in-fluent-bit.py's job."""

import re

import pytest
import yaml

from conftest import REPO

FLUENT_BIT = REPO / "examples/fluent-bit"
VECTOR = REPO / "examples/vector"
KUBERNETES = REPO / "examples/kubernetes"
LABELS = ["cause", "kind", "host", "runtime"]


def fluent_bit_counters():
    """(where, log_to_metrics settings) in every Fluent Bit YAML configuration we ship."""
    configs = [(p.name, yaml.safe_load(p.read_text())) for p in FLUENT_BIT.glob("*.yaml")]
    for doc in yaml.safe_load_all((KUBERNETES / "fluent-bit/daemonset.yaml").read_text()):
        if doc and doc["kind"] == "ConfigMap":
            configs.append(("daemonset.yaml", yaml.safe_load(doc["data"]["fluent-bit.yaml"])))
    for name, config in configs:
        for entry in config["pipeline"].get("filters", []):
            if entry["name"] == "log_to_metrics":
                (exporter,) = [
                    o for o in config["pipeline"]["outputs"] if o["name"] == "prometheus_exporter"
                ]
                yield name, entry, exporter


def labels_of(entry, exporter):
    """The counter's labels: log_to_metrics's from the record, then the exporter's static
    ones (which Fluent Bit prints first; the set is what matters)."""
    static = exporter.get("add_label")
    static = [static] if isinstance(static, str) else static or []
    return sorted(label.split()[0] for label in entry["add_label"] + static)


def vector_configs():
    configs = [(p.name, yaml.safe_load(p.read_text())) for p in VECTOR.glob("*.yaml")]
    for doc in yaml.safe_load_all((KUBERNETES / "vector/daemonset.yaml").read_text()):
        if doc and doc["kind"] == "ConfigMap":
            configs.append(("daemonset.yaml", yaml.safe_load(doc["data"]["vector.yaml"])))
    values = yaml.safe_load((KUBERNETES / "helm/vector-values.yaml").read_text())
    configs.append(("vector-values.yaml", values["customConfig"]))
    return configs


def test_fluent_bit_counts_oom_events_total_by_the_bounded_labels():
    counters = list(fluent_bit_counters())
    assert {name for name, _, _ in counters} == {"fluent-bit-metrics.yaml", "daemonset.yaml"}
    for name, entry, exporter in counters:
        # cmetrics names a counter namespace_subsystem_name.
        full = "_".join([entry["metric_namespace"], entry["metric_subsystem"], entry["metric_name"]])
        assert full == "oom_events_total", name
        assert labels_of(entry, exporter) == sorted(LABELS), name
        assert entry["regex"].startswith("$oom['cause'] "), name
        # A literal add_label value comes out empty in log_to_metrics: record fields only.
        assert all(label.split()[1].startswith("$") for label in entry["add_label"]), name
    helm = (KUBERNETES / "helm/fluent-bit-values.yaml").read_text()
    assert sorted(re.findall(r"Add_Label\s+(\w+)", helm)) == sorted(LABELS)


def test_vector_data_dir_is_one_a_user_can_create():
    for name, config in vector_configs():
        data_dir = config["data_dir"]
        # Written out: Vector 0.57 reads "${VAR}" literally unless run with
        # --dangerously-allow-env-var-interpolation.
        assert "$" not in data_dir, name
        if name.startswith("vector"):
            assert data_dir in ("/var/lib/vector", "/vector-data-dir"), name
        else:
            assert data_dir.startswith("/"), name


@pytest.mark.parametrize("name,config", vector_configs(), ids=lambda v: v if isinstance(v, str) else "")
def test_vector_counts_oom_events_total_by_the_bounded_labels(name, config):
    counters = [t for t in config.get("transforms", {}).values() if t["type"] == "log_to_metric"]
    if name in ("vector.yaml", "vector-socket.yaml"):
        assert not counters
        return
    (counter,) = counters
    (metric,) = counter["metrics"]
    assert metric["type"] == "counter"
    assert f"{metric['namespace']}_{metric['name']}" == "oom_events_total"
    assert list(metric["tags"]) == LABELS
