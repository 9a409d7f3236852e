//! Throughput benchmark of the filter: a generated kernel log of journald-style records, about
//! one line in a thousand from a real OOM report, through oomlens and through the naive
//! alternative (parse every record, run the report regexes on every line), with the heap the
//! transform uses and the allocations it makes for records that are not part of a report.
//!
//! `cargo bench --bench throughput -- [--records N] [--write FILE] [--write-chatter FILE]
//! [--json FILE] [--storm N] [--write-storm FILE]` prints a table. `--write` saves the workload
//! as NDJSON and `--write-chatter` its non-OOM records alone, for the faces' benchmark
//! (`bench/run.sh`), which reads this benchmark's results from `--json`. `--storm N` also runs
//! the workload with a storm of N records beside it (one memory cgroup with nothing killable,
//! reporting again and again), with storm folding on (the default) and off, and
//! `--write-storm` saves that workload.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use oomlens::filter::{Emitted, FilterConfig, NdjsonFilter, Transform};
use regex::Regex;
use serde_json::{json, Value};

/// The system allocator, counting allocations and live and peak heap bytes, so the benchmark
/// can show that a non-OOM record allocates nothing and that the heap does not grow with the
/// number of records.
///
/// The counters are updated with a plain load and store, not a locked read-modify-write:
/// this benchmark is single-threaded, and a locked update on every allocation would slow the
/// naive baseline (which allocates for every record) and bias the comparison.
struct CountingAllocator;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

impl CountingAllocator {
    /// One allocation (or reallocation) that took a block of `old_size` bytes to `new_size`.
    fn grew(old_size: usize, new_size: usize) {
        ALLOCATIONS.store(ALLOCATIONS.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        let live = LIVE_BYTES.load(Ordering::Relaxed).saturating_sub(old_size) + new_size;
        LIVE_BYTES.store(live, Ordering::Relaxed);
        if live > PEAK_BYTES.load(Ordering::Relaxed) {
            PEAK_BYTES.store(live, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated besides.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            Self::grew(0, layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            Self::grew(0, layout.size());
        }
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            Self::grew(layout.size(), new_size);
        }
        moved
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) };
        let live = LIVE_BYTES
            .load(Ordering::Relaxed)
            .saturating_sub(layout.size());
        LIVE_BYTES.store(live, Ordering::Relaxed);
    }
}

/// Heap activity from the moment it was started: allocations made, and the most bytes live
/// above the level at the start.
struct HeapWatch {
    allocations_before: u64,
    live_before: usize,
}

impl HeapWatch {
    fn start() -> Self {
        let live_before = LIVE_BYTES.load(Ordering::Relaxed);
        PEAK_BYTES.store(live_before, Ordering::Relaxed);
        Self {
            allocations_before: ALLOCATIONS.load(Ordering::Relaxed),
            live_before,
        }
    }

    fn allocations(&self) -> u64 {
        ALLOCATIONS.load(Ordering::Relaxed) - self.allocations_before
    }

    fn peak_bytes(&self) -> usize {
        PEAK_BYTES
            .load(Ordering::Relaxed)
            .saturating_sub(self.live_before)
    }
}

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

/// What `mem_cgroup_out_of_memory` prints when the cgroup has nothing it may kill:
/// `dump_header` (the header, `dump_stack`, `mem_cgroup_print_oom_meminfo`, the task table),
/// then `Out of memory and no killable processes...` (mm/oom_kill.c `out_of_memory`). A
/// cgroup whose only tasks have `oom_score_adj` -1000 prints it on every charge that fails.
const STORM_REPORT: &[&str] = &[
    "agent invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=-1000",
    "CPU: 3 PID: 48121 Comm: agent Not tainted 6.1.0-18-amd64 #1  Debian 6.1.76-1",
    "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
    "Call Trace:",
    " <TASK>",
    " dump_stack_lvl+0x44/0x5c",
    " dump_header+0x4a/0x211",
    " out_of_memory.cold+0x5a/0x76",
    " mem_cgroup_out_of_memory+0x13a/0x150",
    " try_charge_memcg+0x6d8/0x7a0",
    " </TASK>",
    "memory: usage 262144kB, limit 262144kB, failcnt 91311",
    "swap: usage 0kB, limit 9007199254740988kB, failcnt 0",
    "Memory cgroup stats for /system.slice/agent.service:",
    "anon 267890688",
    "Tasks state (memory values in pages):",
    "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
    "[  48121]     0 48121    70112    65402   577536        0         -1000 agent",
    "Out of memory and no killable processes...",
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

/// The generated records, and the non-OOM ones (every record not taken from a report) apart.
struct Workload {
    records: Vec<String>,
    chatter: Vec<String>,
    oom_lines: usize,
}

/// `records` records from 50 hosts, always the same ones: chatter, with a whole report spliced
/// in after every 999 chatter lines per report line, so that one line in a thousand belongs to
/// a report (the first report comes halfway through its gap).
fn workload(records: usize) -> Workload {
    let mut rng = Rng(0x00f0_0d00_dead_beef);
    let report_lines: Vec<Vec<&str>> = REPORTS.iter().map(|r| r.lines().collect()).collect();
    let mut next_report = rng.below(report_lines.len());
    let mut chatter_before_report = report_lines[next_report].len() * 999 / 2;
    let mut out = Vec::with_capacity(records);
    let mut chatter = Vec::with_capacity(records);
    let mut oom_lines = 0;
    let mut uptime = 1000.0;
    while out.len() < records {
        let host = rng.below(50);
        if chatter_before_report == 0 {
            let report = &report_lines[next_report];
            for line in report.iter().take(records - out.len()) {
                out.push(record(host, uptime, line));
                oom_lines += 1;
            }
            next_report = rng.below(report_lines.len());
            chatter_before_report = report_lines[next_report].len() * 999;
            continue;
        }
        chatter_before_report -= 1;
        uptime += 0.001;
        let template = CHATTER[rng.below(CHATTER.len())];
        let line = template.replace("{n}", &rng.below(100_000).to_string());
        let chat = record(host, uptime, &format!("[{uptime:>12.6}] {line}"));
        chatter.push(chat.clone());
        out.push(chat);
    }
    Workload {
        records: out,
        chatter,
        oom_lines,
    }
}

/// `base` with `storm` records of [`STORM_REPORT`] repeated from one more host spread evenly
/// through it, as a storm beside a fleet's ordinary traffic.
fn with_storm(base: &[String], storm: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(base.len() + storm);
    let every = (base.len() / storm.max(1)).max(1);
    let mut storm_lines = STORM_REPORT.iter().cycle();
    let mut uptime = 2000.0;
    let mut left = storm;
    for (i, record) in base.iter().enumerate() {
        out.push(record.clone());
        if left > 0 && i % every == 0 {
            uptime += 0.000_01;
            let line = storm_lines.next().copied().unwrap_or_default();
            out.push(self::record(
                99,
                uptime,
                &format!("[{uptime:>12.6}] {line}"),
            ));
            left -= 1;
        }
    }
    for line in storm_lines.take(left) {
        out.push(record(99, uptime, &format!("[{uptime:>12.6}] {line}")));
    }
    out
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

/// Wall-clock and CPU time of one measured stretch. CPU time is this thread's, from
/// `/proc/thread-self/stat` (10 ms ticks): on a shared, busy machine it is the figure that
/// stays comparable between runs; on a quiet one the two agree.
#[derive(Clone, Copy)]
struct Timing {
    wall: f64,
    cpu: f64,
}

/// A started stopwatch for [`Timing`].
struct Stopwatch {
    started: Instant,
    cpu_started: f64,
}

impl Stopwatch {
    fn start() -> Self {
        Self {
            started: Instant::now(),
            cpu_started: thread_cpu_seconds(),
        }
    }

    fn stop(&self) -> Timing {
        Timing {
            wall: self.started.elapsed().as_secs_f64(),
            cpu: thread_cpu_seconds() - self.cpu_started,
        }
    }
}

/// CPU seconds (user and system) this thread has used, or 0 where Linux's proc files are
/// missing. Fields 14 and 15 of `stat`, counted after the command name (which may hold spaces).
fn thread_cpu_seconds() -> f64 {
    /// Linux reports these times in USER_HZ, 100 per second on every architecture.
    const TICKS_PER_SECOND: f64 = 100.0;
    let Ok(stat) = std::fs::read_to_string("/proc/thread-self/stat") else {
        return 0.0;
    };
    let Some((_, after_name)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|field| field.parse::<u64>().ok())
        .sum();
    ticks as f64 / TICKS_PER_SECOND
}

/// Each figure is the best of this many runs: on a shared machine the fastest run is the one
/// other work disturbed least. bench/common.mjs runs the other faces as many times.
const RUNS: usize = 3;

/// `run` done [`RUNS`] times: the first run's result, with the least wall-clock time and the
/// least CPU time any run took.
fn best_of<T>(run: impl Fn() -> T, timing: impl Fn(&mut T) -> &mut Timing) -> T {
    let mut best = run();
    for _ in 1..RUNS {
        let mut again = run();
        let (time, best_time) = (*timing(&mut again), timing(&mut best));
        best_time.wall = best_time.wall.min(time.wall);
        best_time.cpu = best_time.cpu.min(time.cpu);
    }
    best
}

/// What one pass of the transform over some records measured.
struct Pass {
    time: Timing,
    events: usize,
    /// Allocations made while processing, after the first record (which sizes the reused
    /// output buffer).
    allocations: u64,
    /// The most heap the transform held above what was live before it was created.
    peak_heap_bytes: usize,
}

/// Runs the transform over `records` as a face does (one reused output buffer), then `finish`.
fn run_oomlens(records: &[String]) -> Pass {
    run_oomlens_with(records, FilterConfig::default())
}

/// [`run_oomlens`] with `config`.
fn run_oomlens_with(records: &[String], config: FilterConfig) -> Pass {
    let heap = HeapWatch::start();
    let mut transform = Transform::new(config).expect("config");
    let mut out = Vec::new();
    let mut events = 0;
    let mut allocations_before = 0;
    let stopwatch = Stopwatch::start();
    for (i, record) in records.iter().enumerate() {
        transform.process(record.as_bytes(), "", i as u64, &mut out);
        events += out
            .iter()
            .filter(|e| matches!(e, Emitted::Event(_)))
            .count();
        out.clear();
        if i == 0 {
            allocations_before = heap.allocations();
        }
    }
    let allocations = heap.allocations() - allocations_before;
    transform.finish(&mut out);
    Pass {
        time: stopwatch.stop(),
        events: events + out.len(),
        allocations,
        peak_heap_bytes: heap.peak_bytes(),
    }
}

/// The chunk size of the NDJSON runs: what a read from a pipe returns, and what bench/run.sh
/// gives the component's `ndjson-filter`.
const NDJSON_CHUNK_BYTES: usize = 64 * 1024;

/// Runs [`NdjsonFilter`] over `records` as NDJSON bytes in chunks of [`NDJSON_CHUNK_BYTES`], as
/// the CLI does with its reads (the clock a millisecond a record on average, as above). The
/// bytes are laid out before the clock starts.
fn run_ndjson(records: &[String]) -> (Timing, u64) {
    run_ndjson_with(records, FilterConfig::default())
}

/// [`run_ndjson`] with `config`.
fn run_ndjson_with(records: &[String], config: FilterConfig) -> (Timing, u64) {
    let bytes: Vec<u8> = records
        .iter()
        .flat_map(|record| record.bytes().chain(std::iter::once(b'\n')))
        .collect();
    let bytes_per_record = bytes.len() / records.len().max(1);
    let transform = Transform::new(config).expect("config");
    let mut filter = NdjsonFilter::new(transform);
    let mut out = Vec::new();
    let stopwatch = Stopwatch::start();
    for (i, chunk) in bytes.chunks(NDJSON_CHUNK_BYTES).enumerate() {
        let now_ms = (i * NDJSON_CHUNK_BYTES / bytes_per_record.max(1)) as u64;
        filter.push(black_box(chunk), "", now_ms, &mut out);
        black_box(&out);
        out.clear();
    }
    filter.finish("", records.len() as u64, &mut out);
    (stopwatch.stop(), filter.counters().events)
}

/// How long the opening-marker byte scan alone takes over `records`: the floor a non-OOM
/// record can cost.
fn byte_scan(records: &[String]) -> Timing {
    let stopwatch = Stopwatch::start();
    let openers = records
        .iter()
        .filter(|r| oomlens::parse::may_open_report(black_box(r.as_bytes())))
        .count();
    black_box(openers);
    stopwatch.stop()
}

/// How long the naive filter takes over `records`.
fn run_naive(naive: &NaiveFilter, records: &[String]) -> Timing {
    let stopwatch = Stopwatch::start();
    let matched: usize = records.iter().map(|r| naive.process(black_box(r))).sum();
    black_box(matched);
    stopwatch.stop()
}

/// Writes `records` as NDJSON to `path`.
fn write_ndjson(path: &Path, records: &[String]) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for record in records {
        writeln!(file, "{record}")?;
    }
    file.flush()
}

/// NDJSON bytes of `records`: each with its newline.
fn ndjson_bytes(records: &[String]) -> usize {
    records.iter().map(|r| r.len() + 1).sum()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut records = 1_000_000;
    let mut write: Option<PathBuf> = None;
    let mut write_chatter: Option<PathBuf> = None;
    let mut json_out: Option<PathBuf> = None;
    let mut storm = 0;
    let mut write_storm: Option<PathBuf> = None;
    while let Some(arg) = args.next() {
        let mut path = || args.next().map(PathBuf::from).ok_or(format!("{arg} FILE"));
        match arg.as_str() {
            "--records" => {
                records = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--records N")?
            }
            "--storm" => {
                storm = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--storm N")?
            }
            "--write-storm" => write_storm = Some(path()?),
            "--write" => write = Some(path()?),
            "--write-chatter" => write_chatter = Some(path()?),
            "--json" => json_out = Some(path()?),
            "--bench" => {}
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let load = workload(records);
    let bytes = ndjson_bytes(&load.records);
    let chatter_bytes = ndjson_bytes(&load.chatter);
    if let Some(path) = &write {
        write_ndjson(path, &load.records)?;
    }
    if let Some(path) = &write_chatter {
        write_ndjson(path, &load.chatter)?;
    }

    let storm_rows = if storm > 0 {
        storm_table(&load.records, storm, write_storm.as_deref())?
    } else {
        Vec::new()
    };
    let full = best_of(|| run_oomlens(&load.records), |pass| &mut pass.time);
    let chatter = best_of(|| run_oomlens(&load.chatter), |pass| &mut pass.time);
    let (ndjson_full, ndjson_events) = best_of(|| run_ndjson(&load.records), |r| &mut r.0);
    let (ndjson_chatter, _) = best_of(|| run_ndjson(&load.chatter), |r| &mut r.0);
    let scan = best_of(|| byte_scan(&load.chatter), |t| t);
    let naive = NaiveFilter::new();
    let naive_full = best_of(|| run_naive(&naive, &load.records), |t| t);
    let naive_chatter = best_of(|| run_naive(&naive, &load.chatter), |t| t);

    let mb = bytes as f64 / 1e6;
    let per_chatter = |seconds: f64| seconds * 1e9 / load.chatter.len().max(1) as f64;
    let allocations_per_record = chatter.allocations as f64 / load.chatter.len().max(1) as f64;
    println!(
        "workload: {records} records, {mb:.1} MB, {} lines from OOM reports, {} events; {} non-OOM records",
        load.oom_lines,
        full.events,
        load.chatter.len()
    );
    println!("| implementation | records/s | MB/s | ns per non-OOM record | records per CPU-second | peak heap |");
    println!("|---|---|---|---|---|---|");
    // One table row: what ran, its whole-workload and chatter-only timings, its peak heap.
    let row = |name: &str, full: &Timing, chatter: &Timing, heap: &str| {
        println!(
            "| {name} | {:.0} | {:.1} | {:.0} | {:.0} | {heap} |",
            records as f64 / full.wall,
            mb / full.wall,
            per_chatter(chatter.wall),
            records as f64 / full.cpu,
        );
    };
    row(
        "oomlens filter (native)",
        &full.time,
        &chatter.time,
        &format!("{} kB", full.peak_heap_bytes / 1024),
    );
    row(
        "oomlens NDJSON framing, 64 KiB chunks (native)",
        &ndjson_full,
        &ndjson_chatter,
        "-",
    );
    row(
        "naive: parse + regexes on every line",
        &naive_full,
        &naive_chatter,
        "-",
    );
    println!(
        "oomlens is {:.1}x the naive throughput ({:.1}x in CPU time)",
        naive_full.wall / full.time.wall,
        naive_full.cpu / full.time.cpu
    );
    println!(
        "byte scan alone (opening markers over the record): {:.0} ns per non-OOM record",
        per_chatter(scan.wall)
    );
    println!("allocations per non-OOM record: {allocations_per_record}");

    if let Some(path) = &json_out {
        let row = |id: &str, face: &str, full: Timing, chatter: Timing| {
            json!({
                "id": id,
                "face": face,
                "host": "native, in-process",
                "reference": "native-core",
                "records": records,
                "bytes": bytes,
                "seconds": full.wall,
                "cpu_seconds": full.cpu,
                "chatter_records": load.chatter.len(),
                "chatter_bytes": chatter_bytes,
                "chatter_seconds": chatter.wall,
                "chatter_cpu_seconds": chatter.cpu,
            })
        };
        let mut core = row("native-core", "core (`Transform`)", full.time, chatter.time);
        core["events"] = json!(full.events);
        core["memory"] = json!([{ "what": "peak heap", "bytes": full.peak_heap_bytes }]);
        core["allocations_per_non_oom_record"] = json!(allocations_per_record);
        core["byte_scan_ns"] = json!(per_chatter(scan.wall));
        core["byte_scan_cpu_ns"] = json!(per_chatter(scan.cpu));
        let mut ndjson = row(
            "native-ndjson",
            "core (`NdjsonFilter`, 64 KiB chunks)",
            ndjson_full,
            ndjson_chatter,
        );
        ndjson["reference"] = json!("native-ndjson");
        ndjson["events"] = json!(ndjson_events);
        ndjson["memory"] = json!([]);
        let mut naive_row = row("naive", "naive baseline", naive_full, naive_chatter);
        naive_row["memory"] = json!([]);
        let results = json!({
            "workload": { "records": records, "bytes": bytes, "oom_lines": load.oom_lines },
            "rows": [core, ndjson, naive_row],
            "storm": storm_rows,
        });
        std::fs::write(path, serde_json::to_string_pretty(&results)?)?;
    }
    Ok(())
}

/// Runs the workload with a storm of `storm` records beside it, folding on and off, prints
/// records/s and events out, and returns the rows for `--json`.
fn storm_table(
    base: &[String],
    storm: usize,
    write: Option<&Path>,
) -> Result<Vec<Value>, Box<dyn std::error::Error>> {
    let records = with_storm(base, storm);
    if let Some(path) = write {
        write_ndjson(path, &records)?;
    }
    let mb = ndjson_bytes(&records) as f64 / 1e6;
    let unfolded = FilterConfig {
        storm_window_ms: 0,
        ..FilterConfig::default()
    };
    println!(
        "storm: {} records ({} of them a memory cgroup with nothing killable, {} lines a report), {mb:.1} MB, clock 1 ms a record",
        records.len(),
        storm,
        STORM_REPORT.len()
    );
    println!("| run | records/s | MB/s | events out | peak heap |");
    println!("|---|---|---|---|---|");
    let mut rows = Vec::new();
    for (name, config) in [
        (
            "storm folding on (default, 60 s windows)",
            FilterConfig::default(),
        ),
        ("storm folding off (`storm_window_ms: 0`)", unfolded),
    ] {
        let pass = best_of(
            || run_oomlens_with(&records, config.clone()),
            |pass| &mut pass.time,
        );
        let (ndjson, ndjson_events) =
            best_of(|| run_ndjson_with(&records, config.clone()), |r| &mut r.0);
        let rate = records.len() as f64 / pass.time.wall;
        println!(
            "| core, record by record, {name} | {rate:.0} | {:.1} | {} | {} kB |",
            mb / pass.time.wall,
            pass.events,
            pass.peak_heap_bytes / 1024
        );
        println!(
            "| core, NDJSON 64 KiB chunks, {name} | {:.0} | {:.1} | {ndjson_events} | - |",
            records.len() as f64 / ndjson.wall,
            mb / ndjson.wall,
        );
        rows.push(json!({
            "run": name,
            "records": records.len(),
            "storm_records": storm,
            "records_per_s": rate,
            "events": pass.events,
            "ndjson_records_per_s": records.len() as f64 / ndjson.wall,
            "ndjson_events": ndjson_events,
            "peak_heap_bytes": pass.peak_heap_bytes,
        }));
    }
    Ok(rows)
}
