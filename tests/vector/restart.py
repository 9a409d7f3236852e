#!/usr/bin/env python3
"""The Vector examples in a real Vector, with a real journal and journalctl (by hand: CI has
no Vector; see README.md).

    VECTOR=/path/to/vector tests/vector/restart.py [--keep DIR]

Without VECTOR the script prints `SKIP: VECTOR not set` and exits 0. Also read from the
environment:
  WASM_RUNTIME    the command that runs the wasm command (default `wasmtime run`; `jco run`
                  works too), split on spaces
  WASM            the command build (default target/wasm32-wasip2/release/oomlens.wasm)
  OOMLENS         the native CLI, the reference (default target/release/oomlens)
  JOURNAL_REMOTE  systemd-journal-remote (default /lib/systemd/systemd-journal-remote; Debian's
                  package systemd-journal-remote)

The journal: kernel records can only come from the kernel (journald reads /dev/kmsg, and a
process's write there gets facility 1, which oomlens rightly refuses as a kernel line), so
the records of real kernels' OOM kills (tests/kernel/captures/*.kmsg.log, /dev/kmsg as the
kernel printed it) are made into the entries journald makes of /dev/kmsg records
(_TRANSPORT=kernel, PRIORITY, SYSLOG_FACILITY, SYSLOG_IDENTIFIER, _SOURCE_MONOTONIC_TIMESTAMP,
this boot's _BOOT_ID) and written, while the pipeline runs, in journal export format into
systemd-journal-remote, which appends them to a journal file. journalctl and Vector's
journald source read that directory (`-D` / `journal_directory`); the examples' `-k` and
`_TRANSPORT: kernel` match are left as they are.

Each example runs as shipped except for paths: `-D DIR` after `journalctl` (shape 1) or
`journal_directory` (shape 2's journald source), the wasm path and runtime, the state
directories (data_dir, /var/lib/oomlens, /run/oomlens) and the exporter's address (loopback, a
free port). Each substitution must match as often as expected, so a changed example stops the
script instead of running unchanged. The reference is `oomlens filter` on what
`journalctl -k -o json` prints of the whole journal (shape 1) or on the records as the
socket shape's remap makes them (shape 2). Checks:

  validate   `vector validate --no-environment` of the three files as shipped, and plain
             `vector validate` of copies whose data_dir exists.
  respawn    vector.yaml: a capture in the journal before Vector starts; the command's
             process group SIGKILLed once its output is complete, a second capture written while
             Vector waits to respawn it: every record and every event exactly once.
  midstream  vector.yaml: a capture written at 150 records/s, the command's process group
             SIGKILLed 3 times meanwhile: what repeats and what is lost, measured; asserted:
             nothing is lost but the records of a report open in the killed filter, and
             every repeat is one journalctl batch.
  restart    vector.yaml, then vector-socket.yaml: Vector stopped (SIGTERM) once its output
             is complete, a capture written while it is down, Vector started again: every
             record and event exactly once, and no process of the old command left running.
  metrics    vector-metrics.yaml: oom_events_total at the exporter, by cause, kind and host,
             equals the reference's events.

Exits 1 when any check fails; prints a table of the counts.
"""

import argparse
import collections
import json
import os
import re
import shlex
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples/vector"
CAPTURES = REPO / "tests/kernel/captures"
# Three real kernels' /dev/kmsg: 7 + 3 kills (every cause but fragmentation) and a burst of
# 27, with the boot's ordinary lines around them.
FIRST = "qemu-debian-6.12-v2.kmsg.log"
SECOND = "qemu-debian-6.1-v1.kmsg.log"
STREAMED = "qemu-debian-6.12-stress.kmsg.log"
HOSTNAME = "oomlens-vector-test"
# midstream: the streamed capture's first records written before Vector starts, the rest at
# this rate (about 20 s), and the seconds into the stream at which the command is killed.
START_RECORDS = 100
STREAM_PER_SECOND = 150
KILLS_AT = (3.0, 10.0, 17.0)
STORM_WINDOW_S = 60
# Fields Vector's exec source adds to what the command printed.
EXEC_FIELDS = ("command", "pid", "source_type", "timestamp", "host")

failures = []
table = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print(f"FAIL: {what}", flush=True)
    return ok


# --- the journal -------------------------------------------------------------------------


def kmsg_records(path):
    """The entries journald (journald-kmsg.c) makes of a /dev/kmsg capture's records."""
    records = []
    for line in path.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
        if not line or line.startswith(" "):
            continue  # a record's dictionary (SUBSYSTEM=, DEVICE=): not a message
        head, _, text = line.partition(";")
        pri, _seq, usec = head.split(",")[:3]
        # /dev/kmsg escapes non-printable bytes as \xNN; journald unescapes them.
        message = re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), text)
        fields = {
            "_TRANSPORT": "kernel",
            "PRIORITY": str(int(pri) & 7),
            "SYSLOG_FACILITY": str(int(pri) >> 3),
            "SYSLOG_IDENTIFIER": "kernel",
            "_SOURCE_MONOTONIC_TIMESTAMP": usec,
            "MESSAGE": message,
        }
        records.append(fields)
    return records


class Journal:
    """A journal directory that systemd-journal-remote appends export-format entries to."""

    def __init__(self, tmp, journal_remote):
        self.dir = tmp / "journal"
        self.dir.mkdir()
        fifo = tmp / "journal.in"
        os.mkfifo(fifo)
        self.proc = subprocess.Popen(
            [journal_remote, f"--output={self.dir}/oomlens.journal", "--split-mode=none", fifo],
            stderr=open(tmp / "journal-remote.log", "wb"),
        )
        self.fifo = open(fifo, "wb")
        self.boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")
        self.machine = Path("/etc/machine-id").read_text().strip() or self.boot
        self.last_us = 0
        self.count = 0

    def write(self, records, per_second=None):
        start = time.monotonic()
        for i, fields in enumerate(records):
            if per_second:
                delay = start + i / per_second - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            self.last_us = max(int(time.time() * 1e6), self.last_us + 1)
            entry = {
                "__REALTIME_TIMESTAMP": str(self.last_us),
                "__MONOTONIC_TIMESTAMP": str(int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6)),
                "_BOOT_ID": self.boot,
                "_MACHINE_ID": self.machine,
                "_HOSTNAME": HOSTNAME,
                **fields,
            }
            out = b""
            for key, value in entry.items():
                data = value.encode("utf-8", errors="surrogateescape")
                if b"\n" in data:
                    out += key.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
                else:
                    out += key.encode() + b"=" + data + b"\n"
            self.fifo.write(out + b"\n")
            self.fifo.flush()
            self.count += 1

    def wait_written(self, timeout=20):
        """Until journalctl sees every entry written."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.dump()) >= self.count:
                return
            time.sleep(0.2)
        raise RuntimeError("journal-remote did not write the entries")

    def dump(self):
        # Before journal-remote has written its file, journalctl finds no boot and fails.
        run = subprocess.run(
            ["journalctl", "-D", str(self.dir), "-k", "-o", "json", "-q"], capture_output=True
        )
        return [json.loads(line) for line in run.stdout.splitlines()]

    def close(self):
        self.fifo.close()
        self.proc.wait(timeout=10)


# --- the reference -----------------------------------------------------------------------


def oomlens_filter(records):
    out = subprocess.run(
        [OOMLENS, "filter"],
        input="".join(json.dumps(r) + "\n" for r in records).encode(),
        capture_output=True,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def event_key(event):
    """What makes an event that one kill's: its `oom` object and its process."""
    return json.dumps([event["oom"], event.get("process")], sort_keys=True)


def split(lines):
    events = [r for r in lines if "oom" in r]
    records = [r for r in lines if "oom" not in r]
    return events, records


def socket_remap(record):
    """vector-socket.yaml's `kernel_lines` remap, on what its journald source emits."""
    return {
        "message": record.get("MESSAGE"),
        "host": record.get("_HOSTNAME"),
        "priority": record.get("PRIORITY"),
        "_TRANSPORT": record.get("_TRANSPORT"),
        "SYSLOG_FACILITY": record.get("SYSLOG_FACILITY"),
        "_PID": record.get("_PID"),
        "_UID": record.get("_UID"),
    }


# --- Vector ------------------------------------------------------------------------------


def substitute(text, replacements):
    for old, new, count in replacements:
        found = text.count(old)
        if found != count:
            raise SystemExit(f"the example changed: {old!r} found {found} times, not {count}")
        text = text.replace(old, new)
    return text


class Vector:
    def __init__(self, tmp, name, config):
        self.tmp, self.name, self.config = tmp, name, config
        self.out_path = tmp / f"{name}.out"
        self.runs = 0
        self.proc = None

    def start(self):
        self.runs += 1
        self.proc = subprocess.Popen(
            [VECTOR, "--config", str(self.config)],
            stdout=open(self.out_path, "ab"),
            stderr=open(self.tmp / f"{self.name}.{self.runs}.log", "wb"),
            start_new_session=True,
        )

    def lines(self):
        out = []
        for line in self.out_path.read_bytes().splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                out.append({"unparsed": line.decode(errors="replace")})
        return out

    def command_pids(self):
        """The exec source's command and every process under it."""
        children = collections.defaultdict(list)
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children[int(fields[1])].append(int(stat.parent.name))
        pids, todo = [], list(children[self.proc.pid])
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo.extend(children[pid])
        return pids

    def kill_command(self):
        """SIGKILL to the command's process group (its own, by the example's setsid)."""
        pids = self.command_pids()
        groups = {os.getpgid(pid) for pid in pids} - {os.getpgid(self.proc.pid)}
        check(len(groups) == 1, f"the command's processes are in groups {groups}")
        for group in groups:
            os.killpg(group, signal.SIGKILL)
        return len(pids)

    def stop(self):
        """SIGTERM, as a service manager stops Vector; the command's processes it leaves."""
        pids = self.command_pids()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        time.sleep(1.5)
        left = []
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[0] != "Z":
                left.append(pid)
                print(f"  left running: {pid} {cmdline.decode(errors='replace')[:100]}")
                os.kill(pid, signal.SIGKILL)
        return len(left)

    def wait_for(self, done, timeout=90, settle=3):
        """Until done(lines) holds, then `settle` s more for anything late (a repeat)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done(self.lines()):
                time.sleep(settle)
                return True
            time.sleep(0.3)
        return False

    def wait_quiet(self, quiet=10, timeout=120):
        deadline = time.monotonic() + timeout
        size, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now = self.out_path.stat().st_size if self.out_path.exists() else 0
            if now != size:
                size, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.3)


def shape1_config(tmp, name, journal, extra=()):
    text = (EXAMPLES / f"{name}.yaml").read_text()
    text = substitute(
        text,
        [
            ("data_dir: /var/lib/vector", f"data_dir: {tmp / 'data'}", 1),
            ("journalctl -k", f"journalctl -D {journal.dir} -k", 1),
            ("/var/lib/oomlens", str(tmp / "oomlens-state"), 2),
            ("wasmtime run /opt/oomlens/oomlens.wasm", f"{WASM_RUNTIME} {WASM}", 1),
            *extra,
        ],
    )
    path = tmp / f"{name}.yaml"
    path.write_text(text)
    return path


def caught_up(expected_records, expected_events, key):
    want_records = collections.Counter(key(r) for r in expected_records)
    want_events = collections.Counter(event_key(e) for e in expected_events)

    def done(lines):
        events, records = split(lines)
        have_records = collections.Counter(key(r) for r in records)
        have_events = collections.Counter(event_key(e) for e in events)
        return not (want_records - have_records) and not (want_events - have_events)

    return done


def compare(label, lines, expected_records, expected_events, key):
    """Every expected record and event exactly once, and nothing else."""
    events, records = split(lines)
    have_r = collections.Counter(key(r) for r in records)
    want_r = collections.Counter(key(r) for r in expected_records)
    have_e = collections.Counter(event_key(e) for e in events)
    want_e = collections.Counter(event_key(e) for e in expected_events)
    rows = {
        "records expected": sum(want_r.values()),
        "records out": sum(have_r.values()),
        "records repeated": sum((have_r - want_r).values()),
        "records lost": sum((want_r - have_r).values()),
        "events expected": sum(want_e.values()),
        "events out": sum(have_e.values()),
        "events repeated": sum((have_e - want_e).values()),
        "events lost": sum((want_e - have_e).values()),
    }
    table.append((label, rows))
    check(have_r == want_r, f"{label}: records differ from the reference")
    check(have_e == want_e, f"{label}: events differ from the reference")
    return rows


def cursor(record):
    return record.get("__CURSOR")


# --- the checks --------------------------------------------------------------------------


def check_validate(tmp):
    """Each file as shipped without the environment checks, then a copy whose data_dir
    exists with them (the components built, data_dir checked)."""
    work = tmp / "validate"
    (work / "data").mkdir(parents=True)
    for name in ("vector.yaml", "vector-socket.yaml", "vector-metrics.yaml"):
        copy = work / name
        text = (EXAMPLES / name).read_text()
        copy.write_text(substitute(text, [("data_dir: /var/lib/vector", f"data_dir: {work}/data", 1)]))
        rows = {}
        for label, argv in [
            ("as shipped, --no-environment", ["--no-environment", str(EXAMPLES / name)]),
            ("data_dir made to exist", [str(copy)]),
        ]:
            run = subprocess.run([VECTOR, "validate", *argv], capture_output=True, text=True)
            check(run.returncode == 0, f"validate {name} ({label}): {run.returncode}\n{run.stdout}")
            rows[label] = f"exit {run.returncode}"
        table.append((f"validate {name}", rows))


def workspace(tmp, name, journal_remote):
    """A check's directory under `tmp`, with its journal and an empty `data` directory."""
    work = tmp / name
    work.mkdir()
    (work / "data").mkdir()
    return work, Journal(work, journal_remote)


def check_respawn(tmp, journal_remote):
    work, journal = workspace(tmp, "respawn", journal_remote)
    journal.write(kmsg_records(CAPTURES / FIRST))
    journal.wait_written()
    vector = Vector(work, "vector", shape1_config(work, "vector", journal))
    vector.start()
    try:
        events, records = split(oomlens_filter(journal.dump()))
        if not check(vector.wait_for(caught_up(records, events, cursor)), "respawn: first capture"):
            return
        killed = vector.kill_command()
        journal.write(kmsg_records(CAPTURES / SECOND))
        journal.wait_written()
        events, records = split(oomlens_filter(journal.dump()))
        vector.wait_for(caught_up(records, events, cursor), timeout=60)
        rows = compare("respawn (vector.yaml)", vector.lines(), records, events, cursor)
        rows["processes killed"] = killed
    finally:
        vector.stop()
        journal.close()


def check_midstream(tmp, journal_remote):
    work, journal = workspace(tmp, "midstream", journal_remote)
    vector = Vector(work, "vector", shape1_config(work, "vector", journal))
    records = kmsg_records(CAPTURES / STREAMED)
    # The boot's first lines before Vector starts (journalctl -k fails, and the loop ends,
    # while the boot has no kernel record at all).
    journal.write(records[:START_RECORDS])
    journal.wait_written()
    vector.start()
    kills = []
    try:
        time.sleep(3)
        writer = threading.Thread(
            target=journal.write, args=(records[START_RECORDS:], STREAM_PER_SECOND)
        )
        writer.start()
        # Further apart than respawn_interval_secs (5), so that each finds a command running.
        for at in KILLS_AT:
            time.sleep(at - (kills[-1][0] if kills else 0))
            kills.append((at, vector.kill_command(), len(vector.lines())))
        writer.join()
        journal.wait_written()
        # The capture's victimless reports repeat: the filter holds their repeats for its
        # storm window (60 s) before the event comes out.
        vector.wait_quiet(quiet=STORM_WINDOW_S + 5, timeout=240)
        dump = journal.dump()
        events, passed = split(oomlens_filter(dump))
        out_events, out_records = split(vector.lines())
        # What a kill can cost, by the README: a batch journalctl was printing comes again
        # (its cursor not saved), and the records a killed filter held (a report's lines, a
        # pipe's worth) are gone.
        index = {cursor(r): i for i, r in enumerate(dump)}
        seen = collections.Counter(cursor(r) for r in out_records)
        repeated = sorted(index[c] for c, n in seen.items() for _ in range(n - 1))
        lost = sorted(index[cursor(r)] for r in passed if cursor(r) not in seen)
        runs = lambda xs: sum(1 for i, x in enumerate(xs) if i == 0 or xs[i - 1] != x - 1)
        want_e = collections.Counter(event_key(e) for e in events)
        have_e = collections.Counter(event_key(e) for e in out_events)
        # A kill's events: the same kill (cause, victim pid) as a reference event, but from
        # fewer of its lines (the report's head was in the killed filter); or a victimless
        # report's (no killable process) repeats, which the filter holds for the storm window.
        kill = lambda e: (e["oom"].get("cause"), (e.get("process") or {}).get("pid"))
        ref_kills = collections.Counter(kill(e) for e in events)
        out_kills = collections.Counter(kill(e) for e in out_events)
        folded = lambda es: sum(e["oom"].get("lines", 0) for e in es)
        rows = {
            "records written": len(dump),
            "records passed by the reference": len(passed),
            "kills (processes in the group)": " ".join(str(k[1]) for k in kills),
            "records repeated": len(repeated),
            "repeated runs (batches)": runs(repeated),
            "records lost": len(lost),
            "lost runs": runs(lost),
            "events expected": sum(want_e.values()),
            "events out": len(out_events),
            "events equal to the reference's": sum((have_e & want_e).values()),
            "kills with a victim expected": sum(n for k, n in ref_kills.items() if k[1]),
            "kills with a victim out": sum(n for k, n in out_kills.items() if k[1]),
            "victims out twice": sum(n - 1 for k, n in out_kills.items() if k[1] and n > 1),
            "victims not in the reference": sum(n for k, n in out_kills.items() if k not in ref_kills),
            "events incomplete (complete: false)": sum(
                1 for e in out_events if not e["oom"].get("complete")
            ),
            "report lines in events, reference": folded(events),
            "report lines in events, out": folded(out_events),
        }
        table.append(("midstream (vector.yaml, 3 x SIGKILL)", rows))
        check(
            rows["victims not in the reference"] == 0, "midstream: an event of a kill that was not"
        )
        check(runs(repeated) <= len(kills), "midstream: repeats are more than one batch a kill")
        check(runs(lost) <= len(kills), "midstream: losses are more than one run a kill")
    finally:
        vector.stop()
        journal.close()


def check_restart(tmp, journal_remote, name):
    work, journal = workspace(tmp, f"restart-{name}", journal_remote)
    if name == "vector":
        config = shape1_config(work, name, journal)

        def reference():
            dump = journal.dump()
            return split(oomlens_filter(dump))

        key = cursor
    else:
        text = substitute(
            (EXAMPLES / "vector-socket.yaml").read_text(),
            [
                ("data_dir: /var/lib/vector", f"data_dir: {work / 'data'}", 1),
                ("type: journald\n", f"type: journald\n    journal_directory: {journal.dir}\n", 1),
                ("/run/oomlens", str(work / "run"), 3),
                ("wasmtime run /opt/oomlens/oomlens.wasm", f"{WASM_RUNTIME} {WASM}", 1),
            ],
        )
        config = work / "vector-socket.yaml"
        config.write_text(text)

        def reference():
            return split(oomlens_filter([socket_remap(r) for r in journal.dump()]))

        def key(record):
            return record.get("message")

    vector = Vector(work, name, config)
    journal.write(kmsg_records(CAPTURES / FIRST))
    journal.wait_written()
    vector.start()
    try:
        events, records = reference()
        if not check(vector.wait_for(caught_up(records, events, key)), f"restart {name}: first"):
            return
        left = vector.stop()
        journal.write(kmsg_records(CAPTURES / SECOND))
        journal.wait_written()
        vector.start()
        events, records = reference()
        vector.wait_for(caught_up(records, events, key), timeout=60)
        rows = compare(f"restart ({name}.yaml)", vector.lines(), records, events, key)
        rows["old command's processes left running"] = left
        check(left == 0, f"restart {name}: {left} processes of the old command left running")
    finally:
        vector.stop()
        journal.close()


def check_metrics(tmp, journal_remote):
    work, journal = workspace(tmp, "metrics", journal_remote)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = shape1_config(
        work, "vector-metrics", journal, [("0.0.0.0:9598", f"127.0.0.1:{port}", 1)]
    )
    vector = Vector(work, "metrics", config)
    for capture in (FIRST, SECOND, STREAMED):
        journal.write(kmsg_records(CAPTURES / capture))
    journal.wait_written()
    vector.start()
    try:
        events, records = split(oomlens_filter(journal.dump()))
        vector.wait_for(caught_up(records, events, cursor))
        want = collections.Counter(
            (e["oom"].get("cause", "unknown"), e["oom"].get("kind", "unknown"), HOSTNAME)
            for e in events
        )
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
        have = collections.Counter()
        for line in body.decode().splitlines():
            m = re.match(r"oom_events_total\{(.*)\} (\S+)", line)
            if m:
                labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
                have[(labels.get("cause"), labels.get("kind"), labels.get("host"))] += int(
                    float(m.group(2))
                )
        (work / "metrics.txt").write_bytes(body)
        rows = {"events expected": sum(want.values()), "oom_events_total sum": sum(have.values())}
        for (cause, kind, _), n in sorted(want.items()):
            rows[f"{cause}/{kind}"] = f"{have.get((cause, kind, HOSTNAME), 0)} of {n}"
        table.append(("metrics (vector-metrics.yaml)", rows))
        check(have == want, f"metrics: {dict(have)} != {dict(want)}")
    finally:
        vector.stop()
        journal.close()


def main():
    global VECTOR, WASM, WASM_RUNTIME, OOMLENS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="keep the runs' files in DIR")
    parser.add_argument("checks", nargs="*", default=[], help="a subset of the checks")
    args = parser.parse_args()
    VECTOR = os.environ.get("VECTOR")
    if not VECTOR:
        print("SKIP: VECTOR not set (the path of a vector binary; see tests/vector/restart.py)")
        return 0
    WASM = os.environ.get("WASM", str(REPO / "target/wasm32-wasip2/release/oomlens.wasm"))
    WASM_RUNTIME = os.environ.get("WASM_RUNTIME", "wasmtime run")
    OOMLENS = os.environ.get("OOMLENS", str(REPO / "target/release/oomlens"))
    journal_remote = os.environ.get("JOURNAL_REMOTE", "/lib/systemd/systemd-journal-remote")
    for what, path in [("WASM", WASM), ("OOMLENS", OOMLENS), ("JOURNAL_REMOTE", journal_remote)]:
        if not Path(path).exists():
            print(f"{what}: {path} does not exist")
            return 1
    version = subprocess.run([VECTOR, "--version"], capture_output=True, text=True).stdout
    runtime = subprocess.run(
        shlex.split(WASM_RUNTIME)[:1] + ["--version"], capture_output=True, text=True
    ).stdout
    print(f"{version.strip()}; {WASM_RUNTIME}: {runtime.strip()}", flush=True)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=args.keep))
    else:
        tmp = Path(tempfile.mkdtemp(prefix="oomlens-vector-"))
    checks = {
        "validate": lambda: check_validate(tmp),
        "respawn": lambda: check_respawn(tmp, journal_remote),
        "midstream": lambda: check_midstream(tmp, journal_remote),
        "restart": lambda: (
            check_restart(tmp, journal_remote, "vector"),
            check_restart(tmp, journal_remote, "vector-socket"),
        ),
        "metrics": lambda: check_metrics(tmp, journal_remote),
    }
    for name in args.checks or checks:
        print(f"==> {name}", flush=True)
        checks[name]()
    for label, rows in table:
        print(f"\n{label}")
        for key, value in rows.items():
            print(f"  {key:<42} {value}")
    print(f"\nfiles: {tmp}")
    if failures:
        print(f"\n{len(failures)} check(s) failed")
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
