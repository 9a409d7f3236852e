#!/usr/bin/env python3
"""A real Fluent Bit's `tail` input and the oomlens wasm filter against `oomlens filter` and
`oomlens analyze`, over every fixture log (by hand: CI has no Fluent Bit; see README.md).

    FLUENT_BIT=/path/to/fluent-bit tests/fluent-bit/compare-tail.py \
        [--keep DIR] [--no-heartbeat] [--together]

FLUENT_BIT is a fluent-bit (>= 4.1) built with FLB_WASM and the `tail`, `dummy` inputs, the
`wasm` filter and the `file` output. Without it the script prints `SKIP: FLUENT_BIT not set`
and exits 0. MODULE (default target/wasm32-wasip1/release/oomlens_fluent_bit.wasm) and
OOMLENS (default target/release/oomlens) may be set in the environment too.

Each fixture (tests/fixtures/corpus, tests/fixtures/extra, tests/kernel/captures) is first
written as `analyze` reads it: a quoted-printable mail body decoded, records glued into one
physical line cut apart, a log exported newest first reversed (the rules of
src/prefix/quoted_printable.rs, src/prefix/glued.rs and src/analyze.rs `reads_newest_first`,
reimplemented here simply). One Fluent Bit per fixture then reads that copy with a `tail`
input (one record per physical line, Read_from_Head on, no DB), through the `wasm` filter as
examples/fluent-bit/fluent-bit.conf configures it (`Function_Name oomlens_filter`,
`Event_Format json`, `Wasm_Stack_Size 256K`, examples/fluent-bit/oomlens.json under
`Accessible_Paths`), with the example's `.tick` heartbeat so that a report cut at the end of a
log comes out after flush_timeout_ms, into a `file` output. Its events are compared, on their
essence (cause, confidence, process.pid, oom.kind, oom.trigger, oom.cgroup, oom.evidence), with
(a) `oomlens filter` fed the same lines as records {"log": line} and (b) `oomlens analyze` on
the original fixture. Exits 1 when any fixture differs.

--keep DIR keeps each run's copy, configuration, output and log. --no-heartbeat leaves the
tick input out (then the reports cut at a log's end never come out, and those fixtures differ:
a check that the check can fail). --together also runs every fixture in one Fluent Bit, a
`tail` input each, and compares all its events with those of `oomlens filter` on each fixture,
in any order and under any tag.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples/fluent-bit"
FIXTURE_DIRS = ["tests/fixtures/corpus", "tests/fixtures/extra", "tests/kernel/captures"]
# A short flush timeout (the example's is 5000): a cut report comes out at the first
# heartbeat after it, and each fixture's run waits that long.
FLUSH_TIMEOUT_MS = 1000
PARALLEL_RUNS = 4

# src/prefix/glued.rs RECORD_START: the prefixes a glued line is cut before.
RECORD_START = re.compile(
    r"\[ *[0-9]{1,10}\.[0-9]{3,9}\]"
    r"|\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}\]"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)  ?[0-9]{1,2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
    r" \S+ kernel:"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\S* \S+ kernel:"
)
# Times for the newest-first test: a dmesg uptime stamp, a syslog or ISO wall clock.
UPTIME = re.compile(r"\[ *([0-9]+\.[0-9]+)\]")
ISO_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# A log UI's table cell (Kibana: `Jun 25, 2021 @ 12:42:13.029 | kernel | ...`).
TABLE_TIME = re.compile(r"^[\s|]*([A-Z][a-z]{2}) ([0-9]{1,2}), ([0-9]{4}) @ ([0-9:.]+)")
SYSLOG_TIME = re.compile(
    r"^\s*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)  ?([0-9]{1,2}) ([0-9:]{8})"
)

KEYS = ["cause", "confidence", "pid", "kind", "trigger", "cgroup", "evidence"]


def fixture_logs():
    return sorted(p for d in FIXTURE_DIRS for p in (REPO / d).glob("*.log"))


def is_quoted_printable(text):
    soft = sum(1 for line in text.split("\n") if line.rstrip("\r").endswith("="))
    return soft >= 2 and "=3D" in text


def decode_quoted_printable(raw):
    import quopri

    return quopri.decodestring(raw).decode("utf-8", errors="replace")


def split_glued(line):
    """The records of one physical line. Simplified from src/prefix/glued.rs: a line is cut
    before a record prefix only when the piece before it holds a record prefix followed by
    message text, so prefixes that nest (`host kernel: [ 12.345678] msg`, `<6>[ 1.0] msg`) and
    decorations before the first prefix (a prompt, a pipe template, a quote) stay whole."""
    if sum(1 for c in line if c in "[:") < 2:
        return [line]
    pieces, start, stamp_end = [], 0, None
    for found in RECORD_START.finditer(line):
        if stamp_end is not None and line[stamp_end : found.start()].strip():
            pieces.append(line[start : found.start()])
            start = found.start()
            stamp_end = found.end()
        elif stamp_end is None:
            stamp_end = found.end()
        else:
            stamp_end = max(stamp_end, found.end())
    pieces.append(line[start:])
    return pieces


def line_time(line):
    m = TABLE_TIME.match(line)
    if m and m.group(1) in MONTHS:
        month, day, year, clock = m.groups()
        return ("table", (int(year), MONTHS.index(month), int(day), clock))
    m = SYSLOG_TIME.match(line)
    if m:
        return ("wall", (int(m.group(1)), m.group(2)))
    m = ISO_TIME.search(line)
    if m and m.start() < 40:
        return ("iso", m.group(1))
    m = UPTIME.search(line)
    if m and m.start() < 40:
        return ("uptime", float(m.group(1)))
    return None


def reads_newest_first(lines):
    back = forward = 0
    previous = None
    for line in lines[:2000]:
        t = line_time(line)
        if t is None:
            continue
        if previous is not None and previous[0] == t[0]:
            back += t[1] < previous[1]
            forward += t[1] > previous[1]
        previous = t
    return back >= 3 and back > forward * 3


def lines_as_analyze_reads(path):
    """The physical lines analyze reads, and what was undone to get them."""
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    undone = []
    if is_quoted_printable(text):
        text = decode_quoted_printable(raw)
        undone.append("quoted-printable")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    if reads_newest_first(lines):
        lines.reverse()
        undone.append("newest first")
    split = [piece for line in lines for piece in split_glued(line)]
    if len(split) != len(lines):
        undone.append("glued")
    return split, undone


def essence(event):
    oom = event.get("oom", {})
    got = {k: oom.get(k) for k in KEYS if k != "pid"}
    got["pid"] = (event.get("process") or {}).get("pid")
    return got


def events_of(outputs):
    return [essence(o) for o in outputs if isinstance(o.get("oom"), dict) and "cause" in o["oom"]]


def oomlens_filter(oomlens, lines):
    """`oomlens filter` on the lines as records, storm folding off (as for Fluent Bit)."""
    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "oomlens.json"
        config.write_text(json.dumps({"storm_window_ms": 0}))
        out = subprocess.run(
            [oomlens, "filter", "--config", str(config)],
            input="".join(json.dumps({"log": line}) + "\n" for line in lines).encode(),
            capture_output=True,
            check=True,
        ).stdout
    return events_of(json.loads(line) for line in out.splitlines() if line.strip())


def oomlens_analyze(oomlens, path):
    out = subprocess.run([oomlens, "analyze", str(path)], capture_output=True, check=True).stdout
    return events_of(json.loads(line) for line in out.splitlines() if line.strip())


def fluent_bit_config(module, config_dir, copies, out_dir, heartbeat):
    """The example's configuration with a `tail` input per copy, tagged `kern.fNNN`."""
    tick = """
[INPUT]
    Name   dummy
    Tag    kern.tick
    Dummy  {"tick":1}
    Rate   1
"""
    tails = "".join(f"""
[INPUT]
    Name             tail
    Tag              kern.f{index:03d}
    Path             {copy}
    Read_from_Head   On
    Buffer_Max_Size  1M
    Refresh_Interval 1
""" for index, copy in enumerate(copies))
    return f"""
[SERVICE]
    Flush      1
    Grace      1
    Log_Level  info
{tails}{tick if heartbeat else ""}
[FILTER]
    Name              wasm
    Match             kern.*
    Wasm_Path         {module}
    Function_Name     oomlens_filter
    Event_Format      json
    Accessible_Paths  {config_dir}
    Wasm_Stack_Size   256K

[OUTPUT]
    Name   file
    Match  kern.*
    Path   {out_dir}
    File   out.txt
"""


def read_output(path):
    """out_file's default format, `TAG: [TIME, {RECORD}]` a line: the (tag, record) pairs and
    the lines not in that format."""
    records, bad = [], []
    if not path.exists():
        return records, bad
    for line in path.read_text(errors="replace").splitlines():
        tag, _, rest = line.partition(": ")
        try:
            records.append((tag, json.loads(rest)[1]))
        except (json.JSONDecodeError, IndexError, TypeError, KeyError):
            bad.append(line)
    return records, bad


def run_fluent_bit(fluent_bit, module, copies, work, heartbeat):
    """One Fluent Bit reading the copies: its (tag, record) pairs out, bad lines, its log."""
    config_dir = work / "oomlens"
    config_dir.mkdir(parents=True)
    config = json.loads((EXAMPLE / "oomlens.json").read_text())
    config["flush_timeout_ms"] = FLUSH_TIMEOUT_MS
    # Storm folding off, as in tests/modes.rs: analyze does not fold, and a follow-up still
    # waiting for its window when Fluent Bit stops would never come out (no call at exit).
    config["storm_window_ms"] = 0
    (config_dir / "oomlens.json").write_text(json.dumps(config))
    out_dir = work / "out"
    out_dir.mkdir()
    (work / "fluent-bit.conf").write_text(
        fluent_bit_config(module, config_dir, copies, out_dir, heartbeat)
    )
    out = out_dir / "out.txt"
    with (work / "fluent-bit.log").open("wb") as log:
        process = subprocess.Popen(
            [fluent_bit, "-c", str(work / "fluent-bit.conf")], stdout=log, stderr=log
        )
        # The copies are read at once; a report cut at a copy's end comes out at a tick after
        # flush_timeout_ms (one event a tick). Stop once the output has been quiet for longer.
        quiet_s = FLUSH_TIMEOUT_MS / 1000 + 2.5
        started = last_change = time.monotonic()
        last_size = -1
        while time.monotonic() - last_change < quiet_s and time.monotonic() - started < 300:
            time.sleep(0.25)
            size = out.stat().st_size if out.exists() else 0
            if size != last_size:
                last_size, last_change = size, time.monotonic()
            if process.poll() is not None:
                break
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return (*read_output(out), (work / "fluent-bit.log").read_text(errors="replace"))


def version(fluent_bit):
    out = subprocess.run([fluent_bit, "--version"], capture_output=True, text=True).stdout
    return out.split("\n")[0].strip()


def describe(a, b):
    """The first essence key where two event lists part."""
    if len(a) != len(b):
        return f"{len(a)} vs {len(b)} events"
    for i, (x, y) in enumerate(zip(a, b)):
        for key in KEYS:
            if x[key] != y[key]:
                return (
                    f"event {i + 1}: {key} {json.dumps(x[key])[:80]} vs {json.dumps(y[key])[:80]}"
                )
    return "same"


def main(argv):
    fluent_bit = os.environ.get("FLUENT_BIT")
    if not fluent_bit:
        print("SKIP: FLUENT_BIT not set (a fluent-bit >= 4.1 built with FLB_WASM; CI has none)")
        return 0
    module = Path(
        os.environ.get("MODULE", REPO / "target/wasm32-wasip1/release/oomlens_fluent_bit.wasm")
    )
    oomlens = Path(os.environ.get("OOMLENS", REPO / "target/release/oomlens"))
    for needed in (module, oomlens):
        if not needed.exists():
            print(f"error: {needed} not built (see tests/fluent-bit/README.md)", file=sys.stderr)
            return 2
    keep = Path(argv[argv.index("--keep") + 1]) if "--keep" in argv else None
    heartbeat = "--no-heartbeat" not in argv
    logs = fixture_logs()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = keep or Path(tmp)
        prepared = []
        for index, log in enumerate(logs):
            lines, undone = lines_as_analyze_reads(log)
            work = tmp / f"{index:03d}-{log.stem}"
            work.mkdir(parents=True)
            copy = work / log.name
            copy.write_text("".join(line + "\n" for line in lines))
            prepared.append((log, lines, undone, copy, work))
        started = time.monotonic()
        with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
            runs = list(
                pool.map(
                    lambda p: run_fluent_bit(fluent_bit, module, [p[3]], p[4], heartbeat), prepared
                )
            )
        elapsed = time.monotonic() - started
        together = None
        if "--together" in argv:
            work = tmp / "together"
            copies = [p[3] for p in prepared]
            together = run_fluent_bit(fluent_bit, module, copies, work, heartbeat)

    rows, differ, bad, warnings, ticked = [], [], [], [], 0
    totals = {d: {"fixtures": 0, "events": 0, "filter": 0, "analyze": 0} for d in FIXTURE_DIRS}
    for (log, lines, undone, _, _), (tagged, bad_lines, fb_log) in zip(prepared, runs):
        outputs = [record for _, record in tagged]
        fb = events_of(outputs)
        filtered = oomlens_filter(oomlens, lines)
        analyzed = oomlens_analyze(oomlens, log)
        name = str(log.relative_to(REPO))
        bad += bad_lines
        ticked += sum(1 for tag, record in tagged if tag == "kern.tick")
        warnings += [
            f"{log.name}: {line}"
            for line in fb_log.splitlines()
            if "[error]" in line
            or ("[ warn]" in line and "shutdown" not in line)
            or "oomlens:" in line
        ]
        total = totals[str(log.parent.relative_to(REPO))]
        total["fixtures"] += 1
        total["events"] += len(fb)
        total["filter"] += fb == filtered
        total["analyze"] += fb == analyzed
        if fb != filtered or fb != analyzed:
            note = f" (input: {', '.join(undone)})" if undone else ""
            differ.append(
                f"| {name}{note} | {len(fb)} | "
                f"{'yes' if fb == filtered else describe(fb, filtered)} | "
                f"{'yes' if fb == analyzed else describe(fb, analyzed)} |"
            )
        rows.append((name, len(lines), len(outputs), len(fb), undone, filtered))

    records_in = sum(r[1] for r in rows)
    records_out = sum(r[2] for r in rows)
    print(
        f"{version(fluent_bit)}, module {module.stat().st_size} bytes, {time.strftime('%Y-%m-%d')}"
    )
    print(
        f"{len(rows)} Fluent Bit runs ({PARALLEL_RUNS} at a time) in {elapsed:.1f} s; "
        f"{records_in} lines in, {records_out} records out, "
        f"{ticked} of them events released by the heartbeat"
        f"{'' if heartbeat else ' (heartbeat off: --no-heartbeat)'}"
    )
    undone = {}
    for name, _, _, _, what, _ in rows:
        for w in what:
            undone.setdefault(w, []).append(
                Path(name).name.split("-")[0] if "corpus" in name else Path(name).stem
            )
    for w, names in undone.items():
        print(f"input undone as analyze does ({w}): {', '.join(names)}")
    if bad:
        print(f"output lines that are not `TAG: [TIME, RECORD]`: {len(bad)}: {bad[0][:120]}")
    if warnings:
        print(f"Fluent Bit log warnings/errors: {len(warnings)}, first: {warnings[0][:200]}")
    print()
    print(
        "| fixtures | logs | events (Fluent Bit) | same events as `oomlens filter` "
        "| same events as `oomlens analyze` |"
    )
    print("|---|---:|---:|---:|---:|")
    for directory, total in totals.items():
        print(
            f"| `{directory}` | {total['fixtures']} | {total['events']} "
            f"| {total['filter']} | {total['analyze']} |"
        )
    print(
        f"| all | {sum(t['fixtures'] for t in totals.values())} "
        + " ".join(
            f"| {sum(t[k] for t in totals.values())}" for k in ("events", "filter", "analyze")
        )
        + " |"
    )
    if differ:
        print()
        print("| fixture that differs | events (Fluent Bit) | vs filter | vs analyze |")
        print("|---|---|---|---|")
        print("\n".join(differ))
    if together:
        differ += report_together(together, [row[5] for row in rows])
    return 1 if differ or bad else 0


def report_together(run, expected_by_fixture):
    """All fixtures in one Fluent Bit, a `tail` input (and so a stream) each: the events out
    must be those of `oomlens filter` on each, in any order and under any tag, since an event
    takes the place of whichever record the module drops next (a report line of another
    stream, or a tick). Returns the differences."""
    tagged, bad, _log = run
    events = [(tag, e) for tag, r in tagged for e in events_of([r])]
    expected = [json.dumps(e, sort_keys=True) for es in expected_by_fixture for e in es]
    got = [json.dumps(e, sort_keys=True) for _, e in events]
    own = sum(
        1
        for tag, e in events
        if tag.startswith("kern.f")
        and json.dumps(e, sort_keys=True)
        in [json.dumps(x, sort_keys=True) for x in expected_by_fixture[int(tag[6:])]]
    )
    ticked = sum(1 for tag, _ in events if tag == "kern.tick")
    print()
    print(
        f"--together: one Fluent Bit, {len(expected_by_fixture)} tail inputs: {len(got)} events "
        f"({own} under their own fixture's tag, {ticked} under the tick's, "
        f"{len(got) - own - ticked} under another fixture's), {len(expected)} expected"
    )
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    same = sorted(expected) == sorted(got)
    print(f"same events as `oomlens filter` on each: {'yes' if same else 'no'}")
    for text, what in [(m, "missing") for m in missing] + [(x, "unexpected") for x in extra]:
        print(f"  {what}: {text[:160]}")
    return [] if same and not bad else ["together"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
