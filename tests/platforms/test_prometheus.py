"""The alerting rules of examples/prometheus/oom-alerts.yaml, evaluated by Prometheus's own
engine (`promtool test rules`, Debian's prometheus package) over oom_events_total as the
shippers export it for the corpus's events: one series per label set of
examples/fluent-bit/fluent-bit-metrics.yaml, born at its first event. Each alert must fire
for exactly the hosts whose events it names, with their counts, both on a shipper that has
just started (every series new) and on one that has run for hours (every series older)."""

import re
import shutil
import subprocess
from collections import Counter

import pytest
import yaml

from conftest import REPO

RULES = REPO / "examples/prometheus/oom-alerts.yaml"
QUESTIONS = REPO / "examples/prometheus/questions.yaml"
METRICS_CONFIG = REPO / "examples/fluent-bit/fluent-bit-metrics.yaml"

# alert name -> (the causes it is about, the kinds, its window in minutes)
ALERTS = {
    "OOMKillByPodLimit": ({"parent_cgroup_limit"}, {"oom_kill"}, 15),
    "HostOutOfMemory": ({"host_oom", "numa_node_oom"}, None, 15),
    "MemoryFragmented": ({"fragmentation"}, None, 60),
}
SUMMARIES = {
    "OOMKillByPodLimit": "{n} process(es) on {host} killed at a pod or parent cgroup limit",
    "HostOutOfMemory": "{host} ran out of memory {n} time(s) in 15 minutes",
    "MemoryFragmented": "{host}: {n} allocation(s) failed on fragmented memory in 1 hour",
}


def promtool():
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool is missing: tests/platforms/run.sh installs Debian's prometheus")
    return path


def label_paths():
    """{label: event field path} from the log_to_metrics filter's `add_label` entries
    (`cause $oom['cause']` -> ("oom", "cause"))."""
    config = yaml.safe_load(METRICS_CONFIG.read_text())
    (entry,) = [f for f in config["pipeline"]["filters"] if f["name"] == "log_to_metrics"]
    paths = {}
    for label in entry["add_label"]:
        name, accessor = label.split()
        head = re.match(r"\$(\w+)", accessor)
        assert head, accessor
        paths[name] = (head.group(1), *re.findall(r"\['([^']+)'\]", accessor))
    return paths


def field(event, path):
    for key in path:
        event = event.get(key) if isinstance(event, dict) else None
    return "" if event is None else str(event)


def label_sets(events):
    """Counter({label tuple: events}) as log_to_metrics counts them."""
    paths = label_paths()
    names = sorted(paths)
    counts = Counter(tuple((n, field(e, paths[n])) for n in names) for e in events)
    # Guard against reading no field at all: the corpus has every cause and many hosts.
    causes = {dict(labels)["cause"] for labels in counts}
    assert {"parent_cgroup_limit", "host_oom", "fragmentation"} <= causes, causes
    return counts


def series_name(labels):
    # An empty label value is no label at all in Prometheus.
    inner = ",".join(f'{k}="{v}"' for k, v in labels if v)
    return f"oom_events_total{{{inner}}}"


def expected_alerts(counts, alert):
    causes, kinds, _ = ALERTS[alert]
    by_host = hosts_with(counts, causes, kinds)
    severity = yaml.safe_load(RULES.read_text())["groups"][0]["rules"]
    (rule,) = [r for r in severity if r["alert"] == alert]
    out = []
    for host, n in sorted(by_host.items()):
        labels = {"severity": rule["labels"]["severity"]}
        if host:
            labels["host"] = host
        out.append(
            {
                "exp_labels": labels,
                "exp_annotations": {"summary": SUMMARIES[alert].format(n=n, host=host)},
            }
        )
    return out


def hosts_with(counts, causes, kinds):
    by_host = Counter()
    for labels, n in counts.items():
        values = dict(labels)
        if values["cause"] in causes and (kinds is None or values["kind"] in kinds):
            by_host[values["host"]] += n
    return by_host


def expected_answers(counts):
    """What each question of questions.yaml must answer: [(expr, {host: events})]."""
    questions = yaml.safe_load(QUESTIONS.read_text())
    assert [q["question"].split()[0] for q in questions] == ["kills", "nodes"]
    return [
        (questions[0]["expr"], hosts_with(counts, {"parent_cgroup_limit"}, {"oom_kill"})),
        (questions[1]["expr"], hosts_with(counts, {"host_oom", "numa_node_oom"}, None)),
    ]


def run_promtool(
    tmp_path, input_series, eval_minute, counts, interval="1m", alerts=True, questions=True
):
    """Asks promtool, over `input_series`, at `eval_minute`, the alerts and the questions
    (either may be left out) and fails unless each answers what `counts` says."""
    test = {
        "rule_files": [str(RULES)],
        "evaluation_interval": interval,
        "tests": [
            {
                "interval": interval,
                "input_series": input_series,
                "alert_rule_test": [
                    {
                        "eval_time": f"{eval_minute}m",
                        "alertname": alert,
                        "exp_alerts": expected_alerts(counts, alert),
                    }
                    for alert in (ALERTS if alerts else [])
                ],
                "promql_expr_test": [
                    {
                        "expr": expr,
                        "eval_time": f"{eval_minute}m",
                        "exp_samples": [
                            {"labels": series_name([("host", host)])[len("oom_events_total"):], "value": n}
                            for host, n in sorted(answer.items())
                        ],
                    }
                    for expr, answer in (expected_answers(counts) if questions else [])
                ],
            }
        ],
    }
    path = tmp_path / "oom-alerts.test.yaml"
    path.write_text(yaml.safe_dump(test, sort_keys=False))
    result = subprocess.run([promtool(), "test", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rules_are_valid_for_prometheus():
    result = subprocess.run(
        [promtool(), "check", "rules", str(RULES)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert {r["alert"] for r in yaml.safe_load(RULES.read_text())["groups"][0]["rules"]} == set(
        ALERTS
    )


def test_alerts_fire_on_series_born_with_the_first_events(events, tmp_path):
    # A shipper that has just started: no series for 5 minutes, then each label set's
    # series appears holding all its events (the corpus arrives within one scrape).
    counts = label_sets(events)
    series = [{"series": series_name(k), "values": f"_x4 {n}x20"} for k, n in counts.items()]
    run_promtool(tmp_path, series, 10, counts)


def test_alerts_fire_on_series_that_existed_before_the_window(events, tmp_path):
    # A shipper running for two hours whose every series already counted one event: the
    # corpus arrives at minute 120, the alerts are asked at 125 (inside every window).
    counts = label_sets(events)
    series = [
        {"series": series_name(k), "values": f"1x119 {1 + n}x20"} for k, n in counts.items()
    ]
    run_promtool(tmp_path, series, 125, counts, questions=False)


def test_alerts_are_quiet_once_the_window_has_passed(events, tmp_path):
    # Two hours after the events, no alert fires: each window has slid past them.
    counts = label_sets(events)
    series = [{"series": series_name(k), "values": f"_x4 {n}x200"} for k, n in counts.items()]
    quiet = Counter()  # no events in any window
    test = tmp_path / "quiet"
    test.mkdir()
    run_promtool(test, series, 185, quiet, questions=False)


def test_questions_count_series_older_than_the_week_by_their_increase(events, tmp_path):
    # Hourly samples, every series holding one event for 200 hours (over a week), then the
    # corpus at hour 200; asked at hour 205. (The 15-minute alerts need finer samples.)
    counts = label_sets(events)
    series = [
        {"series": series_name(k), "values": f"1x199 {1 + n}x20"} for k, n in counts.items()
    ]
    run_promtool(tmp_path, series, 205 * 60, counts, interval="1h", alerts=False)
