#!/usr/bin/env python3
"""Runs the examples in a real Fluent Bit and checks what comes out (by hand: Fluent Bit is
not packaged here; see README.md, "Checked in a real Fluent Bit").

    examples/fluent-bit/check-in-fluent-bit.py FLUENT_BIT [MODULE] [OOMLENS]

FLUENT_BIT is a fluent-bit binary built with FLB_WASM (plugins stdin, dummy, wasm,
log_to_metrics, stdout, prometheus_exporter); MODULE defaults to
target/wasm32-wasip1/release/oomlens_fluent_bit.wasm, OOMLENS (the native CLI, the
reference) to target/release/oomlens. Needs PyYAML.

Every line of every fixture log goes in as a record {"log": line} through the `stdin` input
(in place of the examples' kernel input), then, after flush_timeout_ms, the lines of one more
report (the first corpus log that ends with its kill line, again): what a live kernel log brings sooner or later, and what
releases, in the processors form, the events that could not take a record's place (that form
has no heartbeat; see README.md). For fluent-bit-metrics.yaml (the `filters`
form) and fluent-bit-processors.yaml (the `processors` form), each run as the example
configures it but for the input and paths, the check is:
- Fluent Bit's stdout carries JSON records only (no runtime warning ahead of them);
- the records and events out are those of `oomlens filter` on the same records;
- /metrics (filters form) has oom_events_total equal to the events, label by label.
"""

import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
METRICS_PORT = 2021


def fixture_logs():
    return sorted(REPO.glob("tests/fixtures/corpus/*.log")) + sorted(
        REPO.glob("tests/fixtures/extra/*.log")
    )


def records(logs):
    return [{"log": line} for log in logs for line in log.read_text(errors="replace").splitlines()]


def labels(event):
    return (
        event["oom"]["cause"],
        event["oom"]["kind"],
        (event.get("host") or {}).get("name", ""),
        (event.get("container") or {}).get("runtime", ""),
    )


def fact(event):
    """What identifies an event across runs (Fluent Bit adds a `date` key to records)."""
    return json.dumps({k: v for k, v in event.items() if k != "date"}, sort_keys=True)


def reference(oomlens, lines):
    out = subprocess.run(
        [oomlens, "filter"],
        input="".join(json.dumps(r) + "\n" for r in lines).encode(),
        capture_output=True,
        check=True,
    ).stdout
    outputs = [json.loads(line) for line in out.splitlines()]
    events = [o for o in outputs if "oom" in o]
    return events, len(outputs) - len(events)


def config_for(example, module, config_dir):
    """The example with the stdin input in place of its kernel input, and local paths."""
    config = yaml.safe_load((HERE / example).read_text())
    inputs = config["pipeline"]["inputs"]
    kernel = inputs[0]
    stdin = {"name": "stdin", "tag": "kern.stdin"}
    if "processors" in kernel:
        stdin["processors"] = kernel["processors"]
    inputs[0] = stdin
    wasm_filters = [f for f in config["pipeline"].get("filters", []) if f["name"] == "wasm"]
    wasm_filters += [p for p in stdin.get("processors", {}).get("logs", []) if p["name"] == "wasm"]
    assert wasm_filters, example
    for wasm in wasm_filters:
        wasm["wasm_path"] = str(module)
        wasm["accessible_paths"] = str(config_dir)
    for output in config["pipeline"]["outputs"]:
        if output["name"] == "prometheus_exporter":
            output["host"] = "127.0.0.1"
    return config


def scrape():
    text = urllib.request.urlopen(f"http://127.0.0.1:{METRICS_PORT}/metrics", timeout=5).read()
    counts = Counter()
    for line in text.decode().splitlines():
        if line.startswith("oom_events_total{"):
            label_text, value = line[len("oom_events_total{") :].rsplit("} ", 1)
            pairs = dict(
                part.split("=", 1) for part in label_text.split('",') if part
            )
            got = {k: v.strip('"') for k, v in pairs.items()}
            key = (got["cause"], got["kind"], got["host"], got["runtime"])
            counts[key] += int(float(value))
    return counts


def run(fluent_bit, example, module, lines, trailer, flush_wait_s):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "oomlens").mkdir()
        (tmp / "oomlens/oomlens.json").write_text((HERE / "oomlens.json").read_text())
        config = tmp / "fluent-bit.yaml"
        config.write_text(yaml.safe_dump(config_for(example, module, tmp / "oomlens")))
        log = (tmp / "fluent-bit.log").open("wb")
        started = time.monotonic()
        process = subprocess.Popen(
            [fluent_bit, "-c", str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        process.stdin.write("".join(json.dumps(r) + "\n" for r in lines).encode())
        process.stdin.flush()
        time.sleep(flush_wait_s)
        process.stdin.write("".join(json.dumps(r) + "\n" for r in trailer).encode())
        process.stdin.flush()
        time.sleep(3)
        metrics = scrape() if "metrics" in example else None
        process.stdin.close()
        stdout = process.stdout.read()
        process.wait(timeout=30)
        elapsed = time.monotonic() - started
        stderr = (tmp / "fluent-bit.log").read_text(errors="replace")
    not_json = []
    outputs = []
    for line in stdout.decode(errors="replace").splitlines():
        try:
            outputs.append(json.loads(line))
        except json.JSONDecodeError:
            not_json.append(line)
    return outputs, not_json, metrics, stderr, elapsed


def main(argv):
    fluent_bit = argv[1]
    module = Path(argv[2] if len(argv) > 2 else REPO / "target/wasm32-wasip1/release/oomlens_fluent_bit.wasm")
    oomlens = argv[3] if len(argv) > 3 else str(REPO / "target/release/oomlens")
    logs = fixture_logs()
    # The trailing report: the first corpus log that ends with its kill (nothing left open).
    last = next(
        log
        for log in logs
        if re.search(r"Killed process|oom_reaper: reaped", log.read_text().splitlines()[-1])
    )
    lines, trailer = records(logs), records([last])
    events, passed = reference(oomlens, lines + trailer)
    print(
        f"input: {len(lines)} + {len(trailer)} records; reference (oomlens filter): "
        f"{len(events)} events, {passed} records passed"
    )
    failures = 0
    results = {}
    for example in ["fluent-bit-metrics.yaml", "fluent-bit-processors.yaml"]:
        outputs, not_json, metrics, stderr, elapsed = run(fluent_bit, example, module, lines, trailer, 7)
        got_events = [o for o in outputs if "oom" in o]
        got_passed = len(outputs) - len(got_events)
        results[example] = Counter(map(fact, got_events))
        checks = {
            "stdout is JSON records only": not not_json,
            "events equal the reference": Counter(map(fact, got_events)) == Counter(map(fact, events)),
            "passed records equal the reference": got_passed == passed,
            "no oomlens warning": "oomlens:" not in stderr,
        }
        if metrics is not None:
            checks["oom_events_total equals the events, label by label"] = metrics == Counter(map(labels, events))
        print(f"\n{example}: {len(got_events)} events, {got_passed} records, {elapsed:.1f} s")
        if not_json:
            print(f"  not JSON on stdout: {not_json[:3]}")
        if metrics is not None:
            print(f"  oom_events_total: {sum(metrics.values())} over {len(metrics)} series")
            for key, value in sorted(metrics.items()):
                print(f"    {dict(zip(['cause', 'kind', 'host', 'runtime'], key))} {value}")
        for name, ok in checks.items():
            print(f"  {'ok  ' if ok else 'FAIL'} {name}")
            failures += not ok
    same = results["fluent-bit-metrics.yaml"] == results["fluent-bit-processors.yaml"]
    print(f"\n{'ok  ' if same else 'FAIL'} filters and processors forms: the same events")
    failures += not same
    print(f"\n{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
