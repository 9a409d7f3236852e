"""The events every platform test checks: what `oomlens analyze` writes for every fixture log
(tests/fixtures/corpus/*.log and tests/fixtures/extra/*.log), from the release CLI
(`OOMLENS`, default target/release/oomlens, built by tests/wasm/build.sh)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE_LOGS = sorted(REPO.glob("tests/fixtures/corpus/*.log")) + sorted(
    REPO.glob("tests/fixtures/extra/*.log")
)


def oomlens_binary():
    path = Path(os.environ.get("OOMLENS", REPO / "target/release/oomlens"))
    if not path.is_file():
        pytest.fail(f"{path} is missing: build it with tests/wasm/build.sh (or set OOMLENS)")
    return path


def analyze(log, *args):
    """The events `oomlens analyze [args] log` prints, parsed."""
    out = subprocess.run(
        [oomlens_binary(), "analyze", *args, log], check=True, capture_output=True
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def events_by_log():
    """{fixture log name: its events}, every fixture log (some have none)."""
    return {log.name: analyze(log) for log in FIXTURE_LOGS}


@pytest.fixture(scope="session")
def events(events_by_log):
    """Every event of every fixture log, in file order."""
    everything = [event for evs in events_by_log.values() for event in evs]
    # Guard against a silently empty run: the corpus holds dozens of kills.
    assert len(everything) >= 50, f"only {len(everything)} events from {len(FIXTURE_LOGS)} logs"
    return everything


def leaves(value, path=""):
    """(dotted path, scalar) for every scalar in `value`; array items share their path."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaves(child, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, path)
    else:
        yield path, value
