#!/usr/bin/env python3
"""Splits a QEMU boot's serial console into kernel-log captures, and checks oomlens's events
against the scenarios the guest ran (see init.sh). Python 3 standard library only.

    check.py extract --boot B --raw CONSOLE --out DIR --seconds S --kernel-package P
    check.py check --out DIR --oomlens BIN [--formats dmesg,dmesg-r,kmsg,console] BOOT...
    check.py save --out DIR --captures DIR BOOT...
"""

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

# The captures init.sh prints between markers, and the file suffix each is written to.
SECTIONS = {"dmesg": "dmesg", "dmesg-r": "dmesg-r", "kmsg": "kmsg"}
# Every capture of a boot that is checked: the three above and the live serial console.
FORMATS = ["dmesg", "dmesg-r", "kmsg", "console"]
MARKER = re.compile(r"^=====OOMLENS (BEGIN|END) ([a-z-]+)=====$")
KERNEL_RELEASE = re.compile(r"Linux version (\S+) .*?(#\d+ .*)$")


def split_console(text):
    """Returns (console, sections): the text before the first marker, and each marked section.

    A section without its END marker (boot cut short) keeps what was printed of it.
    """
    console, sections, current = [], {}, None
    seen_marker = False
    for line in text.split("\n"):
        marker = MARKER.match(line)
        if marker:
            seen_marker = True
            kind, name = marker.groups()
            current = name if kind == "BEGIN" else None
            if current is not None:
                sections[current] = []
            continue
        if current is not None:
            sections[current].append(line)
        elif not seen_marker:
            console.append(line)
    return console, sections


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8", errors="replace")


def extract(args):
    out = Path(args.out)
    raw = Path(args.raw).read_bytes().decode("utf-8", errors="replace")
    # The serial line ends lines with CRLF (tty onlcr); the kernel log has plain LF.
    console, sections = split_console(raw.replace("\r\n", "\n").replace("\r", ""))
    while console and console[-1] == "":
        console.pop()
    write_lines(out / f"{args.boot}.console.log", console)
    for section, suffix in SECTIONS.items():
        write_lines(out / f"{args.boot}.{suffix}.log", sections.get(section, []))

    scenarios = []
    for line in sections.get("scenarios", []):
        if line.strip():
            try:
                scenarios.append(json.loads(line))
            except json.JSONDecodeError:
                print(f"check.py: bad scenario line in {args.boot}: {line!r}", file=sys.stderr)
    release = None
    for line in sections.get("dmesg", []):
        found = KERNEL_RELEASE.search(line)
        if found:
            release = f"{found.group(1)} {found.group(2)}"
            break
    expected = {
        "boot": args.boot,
        "kernel_package": args.kernel_package,
        "kernel": release,
        "boot_seconds": args.seconds,
        "complete": all(name in sections for name in ["scenarios", *SECTIONS]),
        "scenarios": scenarios,
    }
    (out / f"{args.boot}.expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    print(
        f"check.py: {args.boot}: {len(scenarios)} scenario(s), "
        + ", ".join(f"{s['name']}={s['status']}" for s in scenarios)
        + ("" if expected["complete"] else " (captures INCOMPLETE)")
    )


def field(event, dotted):
    """Reads a nested field (`oom.cause`) or, failing that, a flat key of the same name."""
    value = event
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return event.get(dotted) if isinstance(event, dict) else None
        value = value[part]
    return value


def run_oomlens(oomlens, path):
    """Returns (events, error): the JSON events oomlens printed for `path`, or why it failed."""
    try:
        done = subprocess.run(
            [oomlens, "analyze", str(path)], capture_output=True, text=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as failure:
        return [], str(failure)
    events, bad = [], 0
    for line in done.stdout.splitlines():
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            bad += 1
    error = None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        # A Rust panic's message is on the line after "panicked at"; the last is a hint.
        why = next((line[line.index("panicked at"):] + " " + after
                    for line, after in zip(lines, lines[1:]) if "panicked at" in line),
                   lines[-1] if lines else "(no stderr)")
        how = (f"signal {-done.returncode}" if done.returncode < 0
               else f"exit {done.returncode}")
        error = f"{how}: {why.strip()}"
    elif bad:
        error = f"{bad} output line(s) are not JSON"
    return events, error


def check_capture(scenarios, events):
    """Matches events to the scenarios' victims by pid. Returns (rows, failures).

    Each victim must have exactly one event (a pid printed twice by a memory.oom.group kill
    is one kill) with the scenario's cause, the victim's comm and kind oom_kill. An event
    whose pid no scenario expects is a failure too.
    """
    by_pid = {}
    for event in events:
        by_pid.setdefault(field(event, "process.pid"), []).append(event)
    rows, failures = [], 0
    expected_pids = set()
    for scenario in scenarios:
        victims = scenario.get("victims", [])
        if not victims:
            rows.append((scenario["name"], scenario["cause"], "-", "-", "-",
                         f"FAIL scenario {scenario['status']}"))
            failures += 1
            continue
        for victim in victims:
            pid, comm = victim["pid"], victim["comm"]
            expected_pids.add(pid)
            matched = by_pid.get(pid, [])
            problems = []
            if not scenario["status"].split("/") == ["killed"] * len(victims):
                problems.append(f"scenario {scenario['status']}")
            got_cause = got_name = "-"
            if not matched:
                problems.append("no event")
            else:
                event = matched[0]
                got_cause = str(field(event, "oom.cause"))
                got_name = str(field(event, "process.name"))
                if got_cause != scenario["cause"]:
                    problems.append("cause")
                if got_name != comm:
                    problems.append("name")
                if field(event, "oom.kind") != "oom_kill":
                    problems.append(f"kind {field(event, 'oom.kind')}")
                if len(matched) > 1:
                    problems.append(f"{len(matched)} events")
            failures += bool(problems)
            rows.append((scenario["name"], scenario["cause"], f"{comm}:{pid}", got_cause,
                         got_name, "ok" if not problems else "FAIL " + ", ".join(problems)))
    for pid, extra in by_pid.items():
        if pid not in expected_pids:
            for event in extra:
                rows.append(("(unexpected)", "-", "-", str(field(event, "oom.cause")),
                             f"{field(event, 'process.name')}:{pid}", "FAIL extra event"))
                failures += 1
    return rows, failures


def check(args):
    out = Path(args.out)
    header = ("boot", "format", "scenario", "expected", "victim", "got cause", "got name",
              "result")
    table, passed, failed = [header], 0, 0
    for boot in args.boots:
        expected_path = out / f"{boot}.expected.json"
        if not expected_path.exists():
            table.append((boot, "-", "-", "-", "-", "-", "-", "FAIL no capture"))
            failed += 1
            continue
        expected = json.loads(expected_path.read_text())
        for fmt in args.formats.split(","):
            capture = out / f"{boot}.{fmt}.log"
            events, error = run_oomlens(args.oomlens, capture)
            (out / f"{boot}.{fmt}.events.ndjson").write_text(
                "".join(json.dumps(e) + "\n" for e in events))
            rows, failures = check_capture(expected["scenarios"], events)
            if error:
                rows.append(("(oomlens)", "-", "-", "-", "-", f"FAIL {error}"))
                failures += 1
            for row in rows:
                table.append((boot, fmt, *row))
            failed += failures
            passed += sum(1 for row in rows if row[-1] == "ok")
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    print(f"kernel: {passed} passed, {failed} failed")
    return 1 if failed else 0


def save(args):
    """Copies each boot's captures into the fixtures folder with a corpus-style sidecar."""
    out, captures = Path(args.out), Path(args.captures)
    captures.mkdir(parents=True, exist_ok=True)
    for boot in args.boots:
        expected = json.loads((out / f"{boot}.expected.json").read_text())
        events = [
            {"scenario": s["name"], "cause": s["cause"], "victim": victim}
            for s in expected["scenarios"] for victim in s["victims"]
        ]
        for fmt in FORMATS:
            name = f"qemu-debian-6.1-{boot}.{fmt}"
            text = (out / f"{boot}.{fmt}.log").read_text(errors="replace")
            (captures / f"{name}.log").write_text(text)
            sidecar = {
                "source": "tests/kernel/run.sh: Debian kernel booted under QEMU (TCG), "
                          "OOMs provoked by tests/kernel/init.sh",
                "kernel": f"{expected['kernel']} (package {expected['kernel_package']})",
                "format": fmt,
                "expected_events": events,
                "notes": NOTES[boot] + " " + FORMAT_NOTES[fmt],
            }
            (captures / f"{name}.json").write_text(json.dumps(sidecar, indent=2) + "\n")
            print(f"check.py: saved {captures / name}.log ({len(text)} bytes)")


NOTES = {
    "v2": "cgroup v2 boot, 2 NUMA nodes x 256 MiB, no swap. In order: own (memory.max=32M on "
          "the hog's cgroup /own), pod (memory.max=32M on /pod, hog in /pod/ctr), group "
          "(memory.oom.group=1 on /grp: hog_grp chosen, idle_grp killed with it; hog_grp's "
          "Killed line is printed twice - one kill), numa (cpuset.mems=1, "
          "CONSTRAINT_CPUSET, node 0 free), manual (sysrq-f, order=-1, victim has "
          "oom_score_adj=1000), host (hog in the root cgroup until the global OOM killer).",
    "v1": "cgroup v1 boot (memory and cpuset controllers on v1 hierarchies), 2 NUMA nodes x "
          "256 MiB, no swap. In order: v1_own (memory.limit_in_bytes=32M on /own), v1_pod "
          "(limit on the Kubernetes-style pod cgroup, hog in the container cgroup below it), "
          "v1_numa (v1 cpuset /numa with cpuset.mems=1).",
}
FORMAT_NOTES = {
    "dmesg": "Format: busybox dmesg, '[seconds.micros] text'. memory.stat is one record with "
             "embedded newlines: its lines repeat the record's timestamp, and syslog(2) cuts "
             "the prefixed copy at about 1 KiB (here after 'workingset_activate_anon').",
    "dmesg-r": "Format: busybox dmesg -r, '<prio>[seconds.micros] text' (syslog(2) raw); "
               "continuation lines of a multi-line record carry the prefix too. memory.stat "
               "is cut as in dmesg.",
    "kmsg": "Format: /dev/kmsg records 'prio,seq,usec,flags;text'; embedded newlines are "
            "escaped as \\x0a, so memory.stat is one line, cut where the stored record "
            "ends (here after 'thp_collapse_alloc'), later than dmesg's copy.",
    "console": "Format: the live serial console (loglevel=7): firmware output with terminal "
               "escapes first, then kernel lines with timestamps interleaved with the init "
               "script's own 'oomlens-init:' lines. memory.stat is cut after "
               "'workingset_restore_file': the console's copy keeps more than dmesg's.",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("extract")
    p.add_argument("--boot", required=True)
    p.add_argument("--raw", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seconds", type=int, required=True)
    p.add_argument("--kernel-package", required=True)
    p = commands.add_parser("check")
    p.add_argument("--out", required=True)
    p.add_argument("--oomlens", required=True)
    p.add_argument("--formats", default=",".join(FORMATS),
                   help="captures to check, comma-separated (default: all)")
    p.add_argument("boots", nargs="+")
    p = commands.add_parser("save")
    p.add_argument("--out", required=True)
    p.add_argument("--captures", required=True)
    p.add_argument("boots", nargs="+")
    args = parser.parse_args()
    if args.command == "extract":
        extract(args)
        return 0
    if args.command == "save":
        save(args)
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
