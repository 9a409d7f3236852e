#!/usr/bin/env python3
"""Splits a QEMU boot's serial console into kernel-log captures, and checks oomlens's events
against the scenarios the guest ran (see init.sh). Python 3 standard library only.

    check.py extract --boot B --raw CONSOLE --out DIR --seconds S --kernel-package P [--panic]
    check.py check --out DIR --oomlens BIN [--formats dmesg,dmesg-r,kmsg,console] BOOT...
    check.py save --out DIR --captures DIR BOOT...
    check.py modules --tree LIB_MODULES --out DIR MODULE...

A boot B is named KERNEL-KIND (`6.12-stress`): KIND is init.sh's scenario set.

A scenario (one JSON line from init.sh) expects, per capture:
- for each of its `victims` (comm, pid), exactly one event with that process.pid, the
  scenario's cause, that process.name and oom.kind oom_kill; with `factor`, oom.factors
  names that kind;
- for each of its `reports` ({trigger_pid or trigger_comm prefix, count}), `count` events
  without process.pid whose oom.trigger is that task, each with the scenario's cause (the
  kernel printed a report and killed nothing: no killable task, or a panic);
- with `panic`, that line in the capture (else the scenario did not happen as built).
Besides, each `COMM: page allocation failure: order:N` line the kernel printed (warn_alloc,
e.g. for an OOM victim whose own allocation then failed) is a report: one event of oom.kind
allocation_failure by that trigger, whatever the scenario.
"""

import argparse
import json
import lzma
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


# init.sh echoes each scenario line on the console too: a panicking boot has no other copy.
CONSOLE_SCENARIO = re.compile(r"^oomlens-init: scenario (\{.*\})$")
PANIC = "Kernel panic - not syncing"


def extract(args):
    out = Path(args.out)
    raw = Path(args.raw).read_bytes().decode("utf-8", errors="replace")
    # The serial line ends lines with CRLF (tty onlcr); the kernel log has plain LF.
    console, sections = split_console(raw.replace("\r\n", "\n").replace("\r", ""))
    while console and console[-1] == "":
        console.pop()
    write_lines(out / f"{args.boot}.console.log", console)
    if args.panic:
        # Nothing after the panic: the console is the only capture, and it holds the
        # scenario lines (printed before each OOM was let happen).
        formats = ["console"]
        scenario_lines = [m.group(1) for m in map(CONSOLE_SCENARIO.match, console) if m]
        complete = any(PANIC in line for line in console)
        log_lines = console
    else:
        formats = FORMATS
        for section, suffix in SECTIONS.items():
            write_lines(out / f"{args.boot}.{suffix}.log", sections.get(section, []))
        scenario_lines = sections.get("scenarios", [])
        complete = all(name in sections for name in ["scenarios", *SECTIONS])
        log_lines = sections.get("dmesg", [])

    scenarios = []
    for line in scenario_lines:
        if line.strip():
            try:
                scenarios.append(json.loads(line))
            except json.JSONDecodeError:
                print(f"check.py: bad scenario line in {args.boot}: {line!r}", file=sys.stderr)
    release = None
    for line in log_lines:
        found = KERNEL_RELEASE.search(line)
        if found:
            release = f"{found.group(1)} {found.group(2)}"
            break
    expected = {
        "boot": args.boot,
        "kernel_package": args.kernel_package,
        "kernel": release,
        "boot_seconds": args.seconds,
        "complete": complete,
        "formats": formats,
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


# warn_alloc's line, after any prefix (`[ts] `, `<4>[ts] `, kmsg's `4,seq,usec,-;`).
ALLOCATION_FAILURE = re.compile(r"(?:^|[\s;\]>])([^\s;\]>]+): page allocation failure: order:(\d+)")


def allocation_failures(text):
    """The (comm, order) of each page allocation failure the kernel printed in `text`."""
    return [(m.group(1), int(m.group(2)))
            for m in map(ALLOCATION_FAILURE.search, text.splitlines()) if m]


def has_factor(event, kind):
    factors = field(event, "oom.factors")
    return isinstance(factors, list) and any(
        isinstance(f, dict) and f.get("kind") == kind for f in factors)


def is_trigger(event, report):
    """Whether `event`'s oom.trigger is the task a `reports` expectation names."""
    if "trigger_pid" in report:
        return field(event, "oom.trigger.pid") == report["trigger_pid"]
    return str(field(event, "oom.trigger.comm") or "").startswith(report["trigger_comm"])


def check_capture(scenarios, events, text):
    """Matches events to the scenarios' victims by pid and reports by trigger.

    Returns rows (scenario, expected cause, victim, got cause, got name, result). Each victim
    must have exactly one event (a pid printed twice by a memory.oom.group kill is one kill)
    with the scenario's cause, the victim's comm and kind oom_kill. An event whose pid no
    scenario expects, or an event without pid that no `reports` expectation takes, is a
    failure too. `text` is the capture, where a `panic` line must be.
    """
    # The console holds init.sh's own lines too, the scenario lines with their `panic` text.
    text = "\n".join(line for line in text.splitlines() if "oomlens-init: " not in line)
    by_pid = {}
    for event in events:
        by_pid.setdefault(field(event, "process.pid"), []).append(event)
    without_victim = list(by_pid.pop(None, []))
    rows = []
    expected_pids = set()
    for scenario in scenarios:
        name, cause = scenario["name"], scenario["cause"]
        victims = scenario.get("victims", [])
        reports = scenario.get("reports", [])
        # What init.sh saw (the kernel's doing, not oomlens's): each victim killed, or the
        # reports printed, or the panic still to come.
        statuses = scenario["status"].split("/")
        built = (statuses == ["killed"] * len(victims) if victims
                 else statuses in (["reported"], ["panic"]) and bool(reports))
        panic = scenario.get("panic")
        if not victims and not reports:
            rows.append((name, cause, "-", "-", "-", f"FAIL scenario {scenario['status']}"))
            continue
        for victim in victims:
            pid, comm = victim["pid"], victim["comm"]
            expected_pids.add(pid)
            matched = by_pid.get(pid, [])
            problems = [] if built else [f"scenario {scenario['status']}"]
            got_cause = got_name = "-"
            if not matched:
                problems.append("no event")
            else:
                event = matched[0]
                got_cause = str(field(event, "oom.cause"))
                got_name = str(field(event, "process.name"))
                if got_cause != cause:
                    problems.append("cause")
                if got_name != comm:
                    problems.append("name")
                if field(event, "oom.kind") != "oom_kill":
                    problems.append(f"kind {field(event, 'oom.kind')}")
                if scenario.get("factor") and not has_factor(event, scenario["factor"]):
                    problems.append(f"no factor {scenario['factor']}")
                if len(matched) > 1:
                    problems.append(f"{len(matched)} events")
            rows.append((name, cause, f"{comm}:{pid}", got_cause, got_name,
                         "ok" if not problems else "FAIL " + ", ".join(problems)))
        for report in reports:
            matched = [e for e in without_victim if is_trigger(e, report)]
            for event in matched:
                without_victim.remove(event)
            trigger = report.get("trigger_pid", report.get("trigger_comm"))
            problems = [] if built else [f"scenario {scenario['status']}"]
            if panic and panic not in text:
                problems.append("no panic line in the capture")
            causes = sorted({str(field(e, "oom.cause")) for e in matched})
            if len(matched) != report["count"]:
                problems.append(f"{len(matched)} of {report['count']} events")
            if any(field(e, "oom.cause") != cause for e in matched):
                problems.append("cause")
            rows.append((name, cause, f"none (trigger {trigger}, {report['count']} report(s))",
                         ",".join(causes) or "-", "-",
                         "ok" if not problems else "FAIL " + ", ".join(problems)))
    for comm, order in allocation_failures(text):
        matched = [e for e in without_victim
                   if field(e, "oom.kind") == "allocation_failure"
                   and field(e, "oom.trigger.comm") == comm]
        if matched:
            without_victim.remove(matched[0])
        rows.append(("(allocation failure)", "-", f"none (warn_alloc by {comm}, order {order})",
                     str(field(matched[0], "oom.cause")) if matched else "-", "-",
                     "ok" if matched else "FAIL no allocation_failure event"))
    for pid, extra in by_pid.items():
        if pid not in expected_pids:
            for event in extra:
                rows.append(("(unexpected)", "-", "-", str(field(event, "oom.cause")),
                             f"{field(event, 'process.name')}:{pid}", "FAIL extra event"))
    for event in without_victim:
        rows.append(("(unexpected)", "-", "-", str(field(event, "oom.cause")),
                     f"no victim, trigger {field(event, 'oom.trigger.comm')}:"
                     f"{field(event, 'oom.trigger.pid')}", "FAIL extra event"))
    return rows


def print_table(table):
    widths = [max(len(str(row[i])) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


def check(args):
    out = Path(args.out)
    header = ("boot", "format", "scenario", "expected", "victim", "got cause", "got name",
              "result")
    table = [header]
    # (boot, scenario) -> formats checked, and the failing rows' format: result
    verdicts = {}
    boot_lines = []
    for boot in args.boots:
        expected_path = out / f"{boot}.expected.json"
        if not expected_path.exists():
            table.append((boot, "-", "-", "-", "-", "-", "-", "FAIL no capture"))
            verdicts[(boot, "(boot)")] = ({"-"}, {"no capture": ({"-"}, {"-"})})
            continue
        expected = json.loads(expected_path.read_text())
        formats = [f for f in args.formats.split(",") if f in expected.get("formats", FORMATS)]
        boot_lines.append(f"{boot}: {expected['kernel']}, {expected['boot_seconds']}s, "
                          f"{len(expected['scenarios'])} scenario(s), formats "
                          f"{','.join(formats)}"
                          + ("" if expected["complete"] else ", captures INCOMPLETE"))
        for scenario in expected["scenarios"]:
            verdicts.setdefault((boot, scenario["name"]), (set(), {}))
        for fmt in formats:
            capture = out / f"{boot}.{fmt}.log"
            text = capture.read_text(errors="replace")
            events, error = run_oomlens(args.oomlens, capture)
            (out / f"{boot}.{fmt}.events.ndjson").write_text(
                "".join(json.dumps(e) + "\n" for e in events))
            rows = check_capture(expected["scenarios"], events, text)
            if error:
                rows.append(("(oomlens)", "-", "-", "-", "-", f"FAIL {error}"))
            for row in rows:
                table.append((boot, fmt, *row))
                seen, failures = verdicts.setdefault((boot, row[0]), (set(), {}))
                seen.add(fmt)
                if row[-1] != "ok":
                    # problem -> the formats and victims it was seen with
                    where = failures.setdefault(row[-1][5:], (set(), set()))
                    where[0].add(fmt)
                    where[1].add(row[2])
    print_table(table)
    print()
    for line in boot_lines:
        print(f"boot {line}")
    print()
    passed = failed = 0
    for (boot, scenario), (seen, failures) in verdicts.items():
        if failures:
            failed += 1
            print(f"FAIL {boot} {scenario}: " + "; ".join(
                f"{problem} ({','.join(sorted(fmts))}; "
                + (next(iter(victims)) if len(victims) == 1 else f"{len(victims)} victims")
                + ")"
                for problem, (fmts, victims) in failures.items()))
        else:
            passed += 1
            print(f"PASS {boot} {scenario} ({len(seen)} format(s))")
    print(f"kernel: {passed} scenario(s) passed, {failed} failed")
    return 1 if failed else 0


def save(args):
    """Copies each boot's captures into the fixtures folder with a corpus-style sidecar."""
    out, captures = Path(args.out), Path(args.captures)
    captures.mkdir(parents=True, exist_ok=True)
    for boot in args.boots:
        expected = json.loads((out / f"{boot}.expected.json").read_text())
        kernel, kind = boot.rsplit("-", 1)
        events = [
            {"scenario": s["name"], "cause": s["cause"], "victim": victim,
             **({"factor": s["factor"]} if s.get("factor") else {})}
            for s in expected["scenarios"] for victim in s["victims"]
        ]
        reports = [
            {"scenario": s["name"], "cause": s["cause"], **report,
             **({"panic": s["panic"]} if s.get("panic") else {})}
            for s in expected["scenarios"] for report in s.get("reports", [])
        ]
        for fmt in expected.get("formats", FORMATS):
            name = f"qemu-debian-{boot}.{fmt}"
            text = (out / f"{boot}.{fmt}.log").read_text(errors="replace")
            (captures / f"{name}.log").write_text(text)
            sidecar = {
                "source": "tests/kernel/run.sh: Debian kernel booted under QEMU (TCG), "
                          "OOMs provoked by tests/kernel/init.sh",
                "kernel": f"{expected['kernel']} (package {expected['kernel_package']})",
                "format": fmt,
                "expected_events": events,
                **({"expected_reports_without_victim": reports} if reports else {}),
                **({"expected_allocation_failures": [
                    {"trigger_comm": comm, "order": order}
                    for comm, order in allocation_failures(text)]}
                   if allocation_failures(text) else {}),
                "notes": " ".join([KERNEL_NOTES[kernel], NOTES[kind], FORMAT_NOTES[fmt]]),
            }
            (captures / f"{name}.json").write_text(json.dumps(sidecar, indent=2) + "\n")
            print(f"check.py: saved {captures / name}.log ({len(text)} bytes)")


KERNEL_NOTES = {
    "6.1": "x86-64 (qemu-system-x86_64, TCG), 2 NUMA nodes x 256 MiB.",
    "6.12": "x86-64 (qemu-system-x86_64, TCG), 2 NUMA nodes x 256 MiB.",
    "6.1-arm64": "arm64 (qemu-system-aarch64 -machine virt -cpu cortex-a57, TCG), 2 NUMA "
                 "nodes x 256 MiB.",
}
NOTES = {
    "v2": "cgroup v2 boot, no swap. In order: own (memory.max=32M on "
          "the hog's cgroup /own), pod (memory.max=32M on /pod, hog in /pod/ctr), group "
          "(memory.oom.group=1 on /grp: hog_grp chosen, idle_grp killed with it; hog_grp's "
          "Killed line is printed twice - one kill), numa (cpuset.mems=1, "
          "CONSTRAINT_CPUSET, node 0 free), manual (sysrq-f, order=-1, victim has "
          "oom_score_adj=1000), host (hog in the root cgroup until the global OOM killer).",
    "v1": "cgroup v1 boot (memory and cpuset controllers on v1 hierarchies), no swap. In "
          "order: v1_own (memory.limit_in_bytes=32M on /own), v1_pod "
          "(limit on the Kubernetes-style pod cgroup, hog in the container cgroup below it), "
          "v1_numa (v1 cpuset /numa with cpuset.mems=1).",
    "stress": "cgroup v2 boot. In order: nokill (memory.max=32M on /nokill, its only task "
              "has oom_score_adj=-1000: each report ends in 'Out of memory and no killable "
              "processes...', no kill, the fault is retried until the hog is SIGKILLed from "
              "outside; expected_reports_without_victim counts those reports, trigger the "
              "hog), burst (24 hogs let go at once into memory.max=24M on /burst, then one "
              "more 6 s later: dump_header is rate-limited to 10 per 5 s in "
              "oom_kill_process, so later kills show only their 'Memory cgroup out of "
              "memory: Killed process' line, and the last one is preceded by "
              "'oom_kill_process: N callbacks suppressed'; the console loglevel is 4 during "
              "the burst, so the console shows its kill lines only), hugepages (vm.nr_hugepages=160, "
              "320 of 512 MiB, then a hog in the root cgroup: host OOM), swap (32 MiB "
              "virtio-blk swap disk used up, then host OOM).",
    "panic": "cgroup v2 boot with vm.panic_on_oom=2, ending in a panic (console capture only). "
             "In order: manual (sysrq-f: check_panic_on_oom does not panic for a sysrq OOM, "
             "the victim with oom_score_adj=1000 is killed), panic (memory.max=32M on "
             "/panic: the memcg OOM's dump_header, then 'Kernel panic - not syncing: Out of "
             "memory: compulsory panic_on_oom is enabled'; no victim).",
    "deadlock": "boot where every task has oom_score_adj=-1000 (cgroups not mounted), ending "
                "in a panic (console capture only). In order: manual_nokill (sysrq-f: 'Out "
                "of memory and no killable processes...' from a kworker, no panic for a "
                "sysrq OOM), deadlock (a hog in the root cgroup: host OOM, no killable "
                "process, 'Kernel panic - not syncing: System is deadlocked on memory').",
}
FORMAT_NOTES = {
    "dmesg": "Format: busybox dmesg, '[seconds.micros] text'. memory.stat is one record with "
             "embedded newlines: its lines repeat the record's timestamp, and syslog(2) cuts "
             "the prefixed copy at about 1 KiB.",
    "dmesg-r": "Format: busybox dmesg -r, '<prio>[seconds.micros] text' (syslog(2) raw); "
               "continuation lines of a multi-line record carry the prefix too. memory.stat "
               "is cut as in dmesg.",
    "kmsg": "Format: /dev/kmsg records 'prio,seq,usec,flags;text'; embedded newlines are "
            "escaped as \\x0a, so memory.stat is one line, cut where the stored record "
            "ends, later than dmesg's copy.",
    "console": "Format: the live serial console (loglevel=7): firmware output with terminal "
               "escapes first, then kernel lines with timestamps interleaved with the init "
               "script's own 'oomlens-init:' lines. memory.stat is cut later than in dmesg.",
}


def modules(args):
    """Copies MODULE and what it depends on (its .modinfo `depends=`), uncompressed, from
    the kernel package's lib/modules tree into --out, with `order`: the files in load order.

    A module the tree does not hold is taken to be built in and left out.
    """
    tree, out = Path(args.tree), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for path in tree.glob("*/kernel/**/*.ko*"):
        files[path.name.split(".ko")[0].replace("-", "_")] = path
    order = []

    def load(name):
        if name in order or not name:
            return
        path = files.get(name.replace("-", "_"))
        if path is None:
            print(f"check.py: module {name}: not in the package, taken as built in")
            return
        data = path.read_bytes()
        if path.name.endswith(".xz"):
            data = lzma.decompress(data)
        elif not path.name.endswith(".ko"):
            sys.exit(f"check.py: module {path.name}: compression not handled")
        depends = re.search(rb"(?:^|\0)depends=([^\0]*)\0", data)
        for dependency in (depends.group(1).decode().split(",") if depends else []):
            load(dependency)
        (out / f"{name}.ko").write_bytes(data)
        order.append(name)

    for name in args.names:
        load(name)
    (out / "order").write_text("".join(f"{name}.ko\n" for name in order))
    print(f"check.py: modules for the swap disk: {' '.join(order) or '(all built in)'}")


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
    p.add_argument("--panic", action="store_true",
                   help="the boot ends in a kernel panic: the console is the only capture")
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
    p = commands.add_parser("modules")
    p.add_argument("--tree", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("names", nargs="+")
    args = parser.parse_args()
    if args.command == "extract":
        extract(args)
        return 0
    if args.command == "save":
        save(args)
        return 0
    if args.command == "modules":
        modules(args)
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
