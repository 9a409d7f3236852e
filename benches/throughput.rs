//! Throughput benchmark of the filter: a generated kernel log of journald-style records, about
//! one line in a thousand from a real OOM report, through oomlens and through the naive
//! alternative (parse every record, run the report regexes on every line).
//!
//! `cargo bench --bench throughput -- [--records N] [--write FILE]` prints a table; `--write`
//! also saves the workload as NDJSON for the wasm faces' benchmark (`bench/run.sh`).

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use oomlens::filter::{Emitted, FilterConfig, Transform};
use regex::Regex;
use serde_json::Value;

/// Lines of ordinary kernel chatter, with `{n}` replaced by a varying number.
const CHATTER: &[&str] = &[
    "IPv6: ADDRCONF(NETDEV_CHANGE): veth{n}: link becomes ready",
    "cni0: port {n}(veth{n}) entered forwarding state",
    "EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null). Quota mode: none.",
    "audit: type=1400 audit({n}.123:{n}): apparmor=\"DENIED\" operation=\"open\" profile=\"snap.lxd\" name=\"/proc/{n}/mounts\"",
    "usb 1-1: new high-speed USB device number {n} using xhci_hcd",
    "TCP: request_sock_TCP: Possible SYN flooding on port {n}. Sending cookies.",
    "nf_conntrack: nf_conntrack: table full, dropping packet",
    "device veth{n} entered promiscuous mode",
    "overlayfs: upperdir is in-use as upperdir/workdir of another mount, accessing files from both mounts will result in undefined behavior.",
    "hv_balloon: Balloon request will be partially fulfilled. Balloon floor reached.",
    "perf: interrupt took too long ({n} > 2500), lowering kernel.perf_event_max_sample_rate to {n}",
    "xfs filesystem being remounted at /var/lib/kubelet/pods/{n} supports timestamps until 2038 (0x7fffffff)",
];

/// Complete real reports from the corpus, spliced into the chatter.
const REPORTS: &[&str] = &[
    include_str!("../tests/fixtures/corpus/004-frag-order3-xorg-nvidia-4.7.log"),
    include_str!("../tests/fixtures/corpus/009-docker-v1-tmux-paste-dup-4.4.log"),
    include_str!("../tests/fixtures/corpus/011-docker-v1-tomcat-path-wrapped-4.15-azure.log"),
    include_str!("../tests/fixtures/corpus/oomanalyser-archlinux_6_1_1.log"),
    include_str!("../tests/fixtures/corpus/oomanalyser-proxmox_cgroup_oom.log"),
    include_str!("../tests/fixtures/corpus/oomanalyser-rhel7.log"),
];

/// A small deterministic generator (xorshift64*): the same workload on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A journald record as Vector's journald source emits it.
fn record(host: usize, uptime: f64, message: &str) -> String {
    serde_json::json!({
        "message": message,
        "host": format!("node-{host:03}"),
        "_TRANSPORT": "kernel",
        "PRIORITY": "6",
        "SYSLOG_FACILITY": "0",
        "_SOURCE_MONOTONIC_TIMESTAMP": format!("{}", (uptime * 1e6) as u64),
        "source_type": "journald",
    })
    .to_string()
}

/// `records` records from 50 hosts; returns them with how many belong to OOM reports.
fn workload(records: usize) -> (Vec<String>, usize) {
    let mut rng = Rng(0x00f0_0d00_dead_beef);
    let report_lines: Vec<Vec<&str>> = REPORTS.iter().map(|r| r.lines().collect()).collect();
    let mean_report = report_lines.iter().map(Vec::len).sum::<usize>() / report_lines.len();
    // One report every `gap` chatter lines puts about one line in a thousand in a report.
    let gap = mean_report * 1000;
    let mut out = Vec::with_capacity(records);
    let mut oom_lines = 0;
    let mut uptime = 1000.0;
    while out.len() < records {
        let host = rng.below(50);
        if rng.below(gap) == 0 {
            let report = &report_lines[rng.below(report_lines.len())];
            for line in report.iter().take(records - out.len()) {
                out.push(record(host, uptime, line));
                oom_lines += 1;
            }
            continue;
        }
        uptime += 0.001;
        let template = CHATTER[rng.below(CHATTER.len())];
        let line = template.replace("{n}", &rng.below(100_000).to_string());
        out.push(record(host, uptime, &format!("[{uptime:>12.6}] {line}")));
    }
    (out, oom_lines)
}

/// What a user would write instead: parse every record and try every report regex on it.
struct NaiveFilter {
    patterns: Vec<Regex>,
}

impl NaiveFilter {
    fn new() -> Self {
        let sources = [
            r"(\S+) invoked oom-killer: gfp_mask=(0x[0-9a-f*]+)(?:\(([^)]*)\))?, (?:nodemask=(\S+), )?order=(-?\d+), oom_score_adj=(-?\d+)",
            r"oom-kill:constraint=(\w+),nodemask=([^,]*),cpuset=([^,]*),mems_allowed=([^,]*),(?:oom_memcg=([^,]*)|global_oom),task_memcg=([^,]*),task=([^,]*),pid=(\d+),uid=(\d+)",
            r"Killed process (\d+) \(([^)]*)\) total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB",
            r"Task in (\S+) killed as a result of limit of (\S+)",
            r"memory: usage (\d+)kB, limit (\d+)kB, failcnt (\d+)",
            r"Node (\d+) (\w+) free:(\d+)kB min:(\d+)kB low:(\d+)kB high:(\d+)kB",
            r"Node (\d+) (\w+): ((?:\d+\*\d+kB (?:\([A-Z]+\) )?)+)= (\d+)kB",
            r"^\[\s*(\d+)\]\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(-?\d+)\s+(.+)$",
            r"Memory cgroup stats for (\S+):",
            r"page allocation failure: order:(\d+), mode:(0x[0-9a-f]+)",
        ];
        Self {
            patterns: sources
                .iter()
                .map(|s| Regex::new(s).expect("baseline regex"))
                .collect(),
        }
    }

    /// Returns how many patterns matched, so the work cannot be optimised away.
    fn process(&self, record: &str) -> usize {
        let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(record) else {
            return 0;
        };
        let Some(message) = fields.get("message").and_then(Value::as_str) else {
            return 0;
        };
        self.patterns
            .iter()
            .filter(|p| p.captures(message).is_some())
            .count()
    }
}

/// Peak resident memory of this process so far, in kB (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run_oomlens(records: &[String]) -> (f64, usize) {
    let mut transform = Transform::new(FilterConfig::default()).expect("default config");
    let mut out = Vec::new();
    let mut events = 0;
    let started = Instant::now();
    for (i, record) in records.iter().enumerate() {
        transform.process(record.as_bytes(), "", i as u64, &mut out);
        events += out
            .iter()
            .filter(|e| matches!(e, Emitted::Event(_)))
            .count();
        out.clear();
    }
    transform.finish(&mut out);
    (started.elapsed().as_secs_f64(), events + out.len())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut records = 1_000_000;
    let mut write: Option<PathBuf> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => {
                records = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--records N")
            }
            "--write" => write = args.next().map(PathBuf::from),
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    let (workload, oom_lines) = workload(records);
    let bytes: usize = workload.iter().map(|r| r.len() + 1).sum();
    if let Some(path) = write {
        let mut file =
            std::io::BufWriter::new(std::fs::File::create(&path).expect("workload file"));
        for record in &workload {
            writeln!(file, "{record}").expect("write workload");
        }
    }
    let chatter: Vec<String> = workload
        .iter()
        .filter(|r| !oomlens::parse::may_open_report(r.as_bytes()) && !r.contains("Node "))
        .cloned()
        .collect();
    let rss_before = peak_rss_kb().unwrap_or(0);

    let (oomlens_s, events) = run_oomlens(&workload);
    let (chatter_s, _) = run_oomlens(&chatter);
    let rss_after = peak_rss_kb().unwrap_or(0);

    let naive = NaiveFilter::new();
    let started = Instant::now();
    let matched: usize = workload.iter().map(|r| naive.process(black_box(r))).sum();
    let naive_s = started.elapsed().as_secs_f64();
    black_box(matched);

    let mb = bytes as f64 / 1e6;
    println!("workload: {records} records, {mb:.1} MB, {oom_lines} lines from OOM reports, {events} events");
    println!("| implementation | records/s | MB/s | ns per non-OOM record |");
    println!("|---|---|---|---|");
    println!(
        "| oomlens filter (native) | {:.0} | {:.1} | {:.0} |",
        records as f64 / oomlens_s,
        mb / oomlens_s,
        chatter_s * 1e9 / chatter.len().max(1) as f64
    );
    println!(
        "| naive: parse + regexes on every line | {:.0} | {:.1} | - |",
        records as f64 / naive_s,
        mb / naive_s
    );
    println!(
        "oomlens is {:.1}x the naive throughput",
        naive_s / oomlens_s
    );
    println!("peak RSS of the benchmark process: {rss_before} kB after building the workload, {rss_after} kB after filtering it");
}
