//! The decision rules: from a report's figures to one cause, how sure, and the evidence, in
//! the order manual → memory cgroup → NUMA node → fragmentation → host → unknown.

use std::collections::BTreeSet;

use super::factors::swap_used_up;
use super::zones::{
    self, allocation_zone, block_check, eligible_zones, format_node_list, nodes_seen,
    parse_node_list, BlockAccess, BlockCheck, ZoneEval,
};
use super::{explain::human_kb, memcg, Cause, Confidence};
use crate::report::{BuddyOrder, EndNote, OomReport};

/// What the rules found: the cause, how sure, the figures, and what the remediation and the
/// sentence need to know about it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Verdict {
    pub cause: Cause,
    pub confidence: Confidence,
    /// The figures and lines the verdict rests on, one per entry.
    pub evidence: Vec<String>,
    pub finding: Finding,
    pub cgroup_version: Option<&'static str>,
}

/// The cause-specific part of a verdict.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Finding {
    Memcg(MemcgFinding),
    Numa(NumaFinding),
    Fragmentation(FragmentationFinding),
    /// The machine ran out; `headline` is the figure the sentence quotes.
    Host {
        headline: Option<String>,
    },
    /// The OOM killer was invoked by hand; `headline` shows memory was (or was not) short.
    Manual {
        headline: Option<String>,
    },
    Unknown,
}

/// Which memory cgroup's limit was hit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct MemcgFinding {
    /// The cgroup whose limit was hit, where the report names or implies it.
    pub limiting: Option<String>,
    /// The victim's (or failing task's) cgroup, where printed.
    pub task: Option<String>,
    /// The `memory:` limit in kB, when it is set (not unlimited).
    pub memory_limit_kb: Option<u64>,
    /// The v1 `memory+swap:` limit in kB, when it is set: `memory.limit_in_bytes` cannot be
    /// raised above it.
    pub memsw_limit_kb: Option<u64>,
    /// The limit that was hit, in kB: `memory:`, or `memory+swap:` when only that one was full.
    pub hit_limit_kb: Option<u64>,
}

/// Which NUMA nodes ran out, and what confined the task to them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct NumaFinding {
    /// The nodes the task may allocate from (cpuset `mems_allowed` or mempolicy nodemask).
    pub allowed: BTreeSet<u32>,
    /// Every node the report shows.
    pub seen: BTreeSet<u32>,
    /// The allowed nodes whose zones were below their low watermark.
    pub exhausted: BTreeSet<u32>,
    /// The cpuset's name, when a cpuset (not a memory policy) confined the task.
    pub cpuset: Option<String>,
    /// True when a memory policy (`CONSTRAINT_MEMORY_POLICY`, a header `nodemask=`) confined it.
    pub by_mempolicy: bool,
    /// Free memory machine-wide (Mem-Info `free:`), in kB.
    pub machine_free_kb: Option<u64>,
    /// The first exhausted zone's figures, which the sentence quotes.
    pub headline: Option<String>,
}

/// A high-order allocation that found no large enough free block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct FragmentationFinding {
    pub order: u32,
    /// The block size the allocation needed: 2^order pages, in kB.
    pub block_kb: u64,
    /// The zone figure the sentence quotes; `None` when no buddy list was printed.
    pub headline: Option<String>,
}

impl Verdict {
    fn new(cause: Cause, confidence: Confidence, evidence: Vec<String>, finding: Finding) -> Self {
        Self {
            cause,
            confidence,
            evidence,
            finding,
            cgroup_version: None,
        }
    }
}

/// Decides the cause of `report`.
pub(super) fn decide(report: &OomReport) -> Verdict {
    let mut verdict = decide_cause(report);
    verdict.evidence.extend(end_note_evidence(report));
    verdict
}

fn decide_cause(report: &OomReport) -> Verdict {
    if let Some(verdict) = manual(report) {
        return verdict;
    }
    if let Some(verdict) = memcg::verdict(report) {
        return verdict;
    }
    let global = GlobalSignals::of(report);
    if let Some(verdict) = numa(report) {
        return verdict;
    }
    if let Some(verdict) = fragmentation(report, &global) {
        return verdict;
    }
    host_or_unknown(report, global)
}

/// A call-trace frame's function name without `? `, offsets and compiler suffixes
/// (`oom_kill_process.cold+0xb/0x10` → `oom_kill_process`); `None` for unreliable `?` frames.
fn frame_name(frame: &str) -> Option<&str> {
    // Old kernels print `[<ffffffff812eb122>] ? dump_stack+0x63/0x81`: drop the address first.
    let frame = frame.rsplit("] ").next().unwrap_or(frame).trim();
    if frame.starts_with('?') {
        return None;
    }
    let end = frame.find(['+', '.', ' ']).unwrap_or(frame.len());
    frame.get(..end).filter(|name| !name.is_empty())
}

/// The first reliable frame of `report` among `names`.
pub(super) fn find_frame<'a>(report: &'a OomReport, names: &[&str]) -> Option<&'a str> {
    report
        .call_trace
        .iter()
        .filter_map(|frame| frame_name(frame))
        .find(|name| names.contains(name))
}

/// Frames that show a memory cgroup charge ran into its limit.
pub(super) const MEMCG_FRAMES: [&str; 9] = [
    "mem_cgroup_out_of_memory",
    "mem_cgroup_oom_synchronize",
    "mem_cgroup_oom",
    "try_charge",
    "try_charge_memcg",
    "charge_memcg",
    "__mem_cgroup_charge",
    "mem_cgroup_charge",
    "mem_cgroup_try_charge",
];

/// Frames of the page allocator's path into the OOM killer or its failure report.
const ALLOCATOR_FRAMES: [&str; 7] = [
    "__alloc_pages_slowpath",
    "__alloc_pages_may_oom",
    "__alloc_pages_nodemask",
    "__alloc_pages",
    "pagefault_out_of_memory",
    "warn_alloc",
    "warn_alloc_failed",
];

/// How a report that killed nothing ended, as evidence (mm/oom_kill.c `out_of_memory`,
/// `check_panic_on_oom`).
fn end_note_evidence(report: &OomReport) -> Option<String> {
    let note = match report.end_note? {
        EndNote::NoKillable => "Out of memory and no killable processes...: every task was unkillable (oom_score_adj -1000, kernel threads or already exiting); nothing was killed",
        EndNote::Deadlocked => "System is deadlocked on memory: nothing was killable and the kernel panicked",
        EndNote::CompulsoryPanic => "Out of memory: compulsory panic_on_oom is enabled (vm.panic_on_oom=2): the kernel panicked instead of killing",
        EndNote::SystemWidePanic => "Out of memory: system-wide panic_on_oom is enabled (vm.panic_on_oom=1): the kernel panicked instead of killing",
        EndNote::RequestIgnored => "OOM request ignored. No task eligible: the sysrq-f request killed nothing",
    };
    Some(note.into())
}

/// Rule 1, the OOM killer invoked by hand: `order=-1` (sysrq-f, ≥ 4.5), the `moom_callback`
/// work item in the call trace, or the sysrq line before the report (drivers/tty/sysrq.c:
/// older kernels ran the same request with the order of 0).
fn manual(report: &OomReport) -> Option<Verdict> {
    let by_order = report.trigger.order == Some(-1);
    let by_stack = find_frame(report, &["moom_callback"]).is_some();
    if !by_order && !by_stack && !report.sysrq {
        return None;
    }
    let mut evidence = Vec::new();
    if report.sysrq {
        evidence.push("sysrq: Manual OOM execution: the OOM killer was invoked by hand".into());
    }
    if by_order {
        evidence.push(
            "order=-1: no allocation failed; the OOM killer was invoked by hand (sysrq-f)".into(),
        );
    }
    if by_stack {
        evidence.push("call trace: moom_callback, the sysrq-f work item".into());
    }
    let zones: Vec<_> = report
        .meminfo
        .zones
        .iter()
        .filter_map(|zone| Some((zones::zone_label(zone), zone.watermarks?)))
        .collect();
    let short: Vec<String> = zones
        .iter()
        .filter(|(_, wm)| wm.free_kb < wm.min_kb)
        .map(|(label, wm)| {
            format!(
                "memory was also short: {label} free {}kB < min {}kB",
                wm.free_kb, wm.min_kb
            )
        })
        .collect();
    let (confidence, headline) = if zones.is_empty() {
        evidence.push("no zone figures printed: whether memory was also short is not shown".into());
        (Confidence::Medium, None)
    } else if short.is_empty() {
        evidence.extend(zones.iter().map(|(label, wm)| {
            format!(
                "memory not short: {label} free {}kB > min {}kB",
                wm.free_kb, wm.min_kb
            )
        }));
        let richest = zones
            .iter()
            .max_by_key(|(_, wm)| wm.free_kb)
            .map(|(label, wm)| format!("{label} free {}kB", wm.free_kb));
        (Confidence::High, richest)
    } else {
        let headline = short.first().cloned();
        evidence.extend(short);
        (Confidence::Medium, headline)
    };
    Some(Verdict::new(
        Cause::Manual,
        confidence,
        evidence,
        Finding::Manual { headline },
    ))
}

/// Lines that show an OOM (or allocation failure) was global, not a memory cgroup's.
#[derive(Debug, Default)]
struct GlobalSignals {
    /// Printed only for global OOMs or failures: the summary's constraint, `limit of host`,
    /// `Out of memory:`, `page allocation failure`, Mem-Info.
    strong: Vec<String>,
    /// Suggestive only: the page allocator's path into the OOM killer in the call trace.
    weak: Vec<String>,
}

impl GlobalSignals {
    fn of(report: &OomReport) -> Self {
        let mut signals = Self::default();
        if let Some(summary) = &report.summary {
            let constraint = summary.constraint.as_deref().map(str::trim);
            match (constraint, summary.global_oom) {
                (Some(c), true) => signals
                    .strong
                    .push(format!("oom-kill: constraint={c}, global_oom")),
                (Some(c), false) => signals.strong.push(format!("oom-kill: constraint={c}")),
                (None, true) => signals.strong.push("oom-kill: global_oom".into()),
                (None, false) => {}
            }
        }
        if report
            .memcg
            .limit_cgroup
            .as_deref()
            .is_some_and(|limit| limit.trim() == "host")
        {
            let task = report.memcg.task_cgroup.as_deref().unwrap_or("?");
            signals.strong.push(format!(
                "Task in {task} killed as a result of limit of host: a global (host) OOM on Alibaba Cloud Linux"
            ));
        }
        if let Some(message) = report
            .kill_message
            .as_deref()
            .filter(|m| m.trim_start().starts_with("Out of memory"))
        {
            signals.strong.push(format!(
                "kill message `{}` (not `Memory cgroup out of memory`)",
                message.trim()
            ));
        }
        // mm/oom_kill.c: `check_panic_on_oom` panics for panic_on_oom=1 only when the OOM is
        // unconstrained (CONSTRAINT_NONE); `out_of_memory` panics with nothing to kill only
        // for a global OOM (before 4.19 with the no-killable text, since then as a deadlock).
        match (report.end_note, report.panicked) {
            (Some(EndNote::SystemWidePanic), _) => signals.strong.push(
                "system-wide panic_on_oom panicked: the kernel does so only for an unconstrained, machine-wide OOM (CONSTRAINT_NONE)".into(),
            ),
            (Some(EndNote::Deadlocked), _) | (Some(EndNote::NoKillable), true) => signals.strong.push(
                "the kernel panicked with nothing to kill: it does so only for a global OOM, not a memory cgroup's".into(),
            ),
            (Some(EndNote::NoKillable), false)
                if find_frame(report, &MEMCG_FRAMES).is_none()
                    && !report.went_on_after_no_killable =>
            {
                signals.weak.push(
                    "no killable processes, and no memory cgroup charge path (try_charge, mem_cgroup_out_of_memory) in a call trace".into(),
                );
            }
            _ => {}
        }
        if report.kind == crate::report::ReportKind::AllocationFailure {
            signals.strong.push(
                "page allocation failure: the page allocator failed; nothing was killed".into(),
            );
        }
        if report.meminfo.present || !report.meminfo.zones.is_empty() {
            signals.strong.push(
                "Mem-Info printed: show_mem runs for global OOMs, not for memory cgroup OOMs"
                    .into(),
            );
        }
        let into_oom = find_frame(report, &["out_of_memory"]);
        if let Some(allocator) = find_frame(report, &ALLOCATOR_FRAMES) {
            let path = if into_oom.is_some() {
                format!("call trace: {allocator} → out_of_memory with no mem_cgroup frame")
            } else {
                format!("call trace: {allocator} with no mem_cgroup frame")
            };
            signals.weak.push(path);
        }
        signals
    }

    fn is_empty(&self) -> bool {
        self.strong.is_empty() && self.weak.is_empty()
    }

    fn into_evidence(self) -> Vec<String> {
        let mut evidence = self.strong;
        evidence.extend(self.weak);
        evidence
    }
}

/// The nodes the allocation may use as printed (mems_allowed, else nodemask), for filtering
/// zones; `None` when neither is printed (all nodes).
fn allowed_nodes(report: &OomReport) -> Option<BTreeSet<u32>> {
    let summary = report.summary.as_ref();
    let mems = report
        .trigger
        .mems_allowed
        .as_deref()
        .or_else(|| summary.and_then(|s| s.mems_allowed.as_deref()))
        .and_then(parse_node_list);
    let nodemask = summary
        .and_then(|s| s.nodemask.as_deref())
        .or(report.trigger.nodemask.as_deref())
        .and_then(parse_node_list);
    match (mems, nodemask) {
        (Some(mems), Some(mask)) => Some(mems.intersection(&mask).copied().collect()),
        (mems, mask) => mems.or(mask),
    }
}

/// Whether `nodes` leaves out a node that exists: one the report prints, or node 0, which
/// every Linux machine has, so a mask without it (`nodemask=1`) is a strict subset even when
/// the excerpt prints no per-node lines.
fn leaves_out_nodes(nodes: &BTreeSet<u32>, seen: &BTreeSet<u32>) -> bool {
    !nodes.contains(&0) || seen.iter().any(|node| !nodes.contains(node))
}

/// Rule 3a, a NUMA node OOM: the kernel says the OOM was constrained to some nodes
/// (CONSTRAINT_CPUSET, CONSTRAINT_MEMORY_POLICY), or the old format shows a cpuset's
/// `mems_allowed` or a header `nodemask=` leaving out nodes the report shows.
fn numa(report: &OomReport) -> Option<Verdict> {
    let summary = report.summary.as_ref();
    let constraint = summary.and_then(|s| s.constraint.as_deref()).map(str::trim);
    let seen = nodes_seen(&report.meminfo);
    let cpuset = report
        .trigger
        .cpuset
        .as_deref()
        .or_else(|| summary.and_then(|s| s.cpuset.as_deref()))
        .map(str::trim);
    let mems_text = report
        .trigger
        .mems_allowed
        .as_deref()
        .or_else(|| summary.and_then(|s| s.mems_allowed.as_deref()));
    let mems = mems_text.and_then(parse_node_list);
    let nodemask_text = summary
        .and_then(|s| s.nodemask.as_deref())
        .or(report.trigger.nodemask.as_deref());
    let nodemask = nodemask_text.and_then(parse_node_list);
    let leaves_out = |nodes: &BTreeSet<u32>| leaves_out_nodes(nodes, &seen);
    let seen_text = format_node_list(&seen);
    // What a mask leaves out: nodes the report prints, else node 0 (`nodemask=1` with the
    // per-node lines cut from the excerpt).
    let left_out = |nodes: &BTreeSet<u32>, shown: String| {
        if seen.iter().any(|n| !nodes.contains(n)) {
            shown
        } else {
            "leaves out node 0, which every machine has".to_string()
        }
    };

    let mut evidence = Vec::new();
    let (allowed, by_mempolicy, decisive) = match constraint {
        Some("CONSTRAINT_MEMORY_POLICY") => {
            evidence.push(format!(
                "oom-kill: constraint=CONSTRAINT_MEMORY_POLICY, nodemask={}: the task's memory policy confines it to some nodes",
                nodemask_text.unwrap_or("?")
            ));
            (nodemask.or(mems), true, true)
        }
        Some("CONSTRAINT_CPUSET") => {
            evidence.push(format!(
                "oom-kill: constraint=CONSTRAINT_CPUSET, cpuset={}, mems_allowed={}: the cpuset confines the task to these nodes",
                cpuset.unwrap_or("?"),
                mems_text.unwrap_or("?")
            ));
            (mems, false, true)
        }
        Some(_) => return None,
        None => match (nodemask, mems) {
            (Some(mask), _) if leaves_out(&mask) => {
                evidence.push(format!(
                    "nodemask={} in the header {}: a memory policy confines the allocation",
                    format_node_list(&mask),
                    left_out(
                        &mask,
                        format!("leaves out nodes the report shows ({seen_text})")
                    )
                ));
                (Some(mask), true, false)
            }
            (_, Some(mems)) if leaves_out(&mems) && cpuset != Some("/") => {
                evidence.push(format!(
                    "mems_allowed={} (cpuset {}) {}",
                    format_node_list(&mems),
                    cpuset.unwrap_or("?"),
                    left_out(
                        &mems,
                        format!("is a strict subset of the NUMA nodes seen ({seen_text})")
                    )
                ));
                (Some(mems), false, false)
            }
            _ => return None,
        },
    };

    let class = allocation_zone(&report.trigger);
    let allowed_set = allowed.clone().unwrap_or_default();
    let zones = eligible_zones(report, class, allowed.as_ref());
    let mut exhausted = BTreeSet::new();
    let mut headline = None;
    for node in allowed_set.iter() {
        let node_zones: Vec<&ZoneEval> = zones
            .iter()
            .filter(|z| z.zone.node == Some(*node))
            .collect();
        if !node_zones.is_empty() && node_zones.iter().all(|z| z.below_low()) {
            exhausted.insert(*node);
        }
    }
    for zone in &zones {
        let text = zone.watermark_evidence();
        if headline.is_none() && zone.below_low() {
            headline = Some(text.clone());
        }
        evidence.push(text);
    }
    let from_figures = !exhausted.is_empty();
    if zones.is_empty() {
        if !allowed_set.is_empty() {
            let why = if decisive {
                "the constraint says they ran out"
            } else {
                "taken to be the ones that ran out"
            };
            // Zones printed for the allowed nodes that the allocation may not use (a
            // movable-only node for a GFP_HIGHUSER allocation) are not "no figures".
            let unusable: Vec<String> = report
                .meminfo
                .zones
                .iter()
                .filter(|z| z.node.is_some_and(|n| allowed_set.contains(&n)))
                .map(zones::zone_label)
                .collect();
            evidence.push(if unusable.is_empty() {
                format!(
                    "no zone figures for node(s) {}: {why}",
                    format_node_list(&allowed_set)
                )
            } else {
                format!(
                    "no zone of node(s) {} can serve this allocation ({} cannot): {why}",
                    format_node_list(&allowed_set),
                    unusable.join(", ")
                )
            });
            exhausted.clone_from(&allowed_set);
        }
    } else if !from_figures && !decisive {
        // The allowed nodes still had memory: the restriction did not cause this OOM.
        return None;
    }

    let page = zones::page_kb(&report.meminfo);
    let machine_free_kb = report
        .meminfo
        .counter("free")
        .map(|pages| pages.saturating_mul(page));
    if let Some(free_kb) = machine_free_kb {
        let allowed_free = zones
            .iter()
            .map(|z| z.watermarks.free_kb)
            .fold(0u64, u64::saturating_add);
        let pages = report.meminfo.counter("free").unwrap_or(0);
        evidence.push(if zones.is_empty() {
            format!(
                "Mem-Info free:{pages} pages ({}) machine-wide",
                human_kb(free_kb)
            )
        } else {
            format!(
                "Mem-Info free:{pages} pages ({}) machine-wide, against {} free on the allowed nodes",
                human_kb(free_kb),
                human_kb(allowed_free)
            )
        });
    }
    for zone in report.meminfo.zones.iter().filter(|z| {
        z.node.is_some_and(|n| !allowed_set.contains(&n))
            && z.watermarks.is_some_and(|wm| wm.free_kb > wm.low_kb)
    }) {
        if let Some(wm) = zone.watermarks {
            evidence.push(format!(
                "{} free {}kB > low {}kB: memory left outside the allowed nodes",
                zones::zone_label(zone),
                wm.free_kb,
                wm.low_kb
            ));
        }
    }

    let confidence = if decisive || from_figures {
        Confidence::High
    } else {
        Confidence::Medium
    };
    Some(Verdict::new(
        Cause::NumaNodeOom,
        confidence,
        evidence,
        Finding::Numa(NumaFinding {
            allowed: allowed_set,
            seen,
            exhausted,
            cpuset: (!by_mempolicy)
                .then(|| cpuset.map(str::to_string))
                .flatten(),
            by_mempolicy,
            machine_free_kb,
            headline,
        }),
    ))
}

/// mm/internal.h: orders above this are "costly"; the OOM killer is never invoked for them.
const PAGE_ALLOC_COSTLY_ORDER: u32 = 3;

/// The allocation order when it is 1 or more.
fn high_order(report: &OomReport) -> Option<u32> {
    report
        .trigger
        .order
        .and_then(|order| u32::try_from(order).ok())
        .filter(|order| *order >= 1)
}

/// Rule 3b, fragmentation: an order ≥ 1 global allocation, while an eligible zone had free memory
/// above its low watermark but no free block it could take as large as the allocation.
fn fragmentation(report: &OomReport, global: &GlobalSignals) -> Option<Verdict> {
    let order = high_order(report)?;
    let class = allocation_zone(&report.trigger);
    let allowed = allowed_nodes(report);
    let zones = eligible_zones(report, class, allowed.as_ref());
    let page = zones::page_kb(&report.meminfo);
    let block_kb = page.checked_shl(order)?;
    let access = BlockAccess::of(&report.trigger, class);
    let mut evidence = vec![allocation_evidence(report, order, block_kb)];
    let finding = |headline| {
        Finding::Fragmentation(FragmentationFinding {
            order,
            block_kb,
            headline,
        })
    };

    if zones.is_empty() {
        let bare = bare_buddy_evidence(report, class, allowed.as_ref(), block_kb);
        if global.is_empty() && bare.is_none() {
            return None;
        }
        evidence.extend(global.strong.iter().chain(&global.weak).cloned());
        let confidence = match bare {
            Some(text) => {
                evidence.push(text);
                Confidence::Medium
            }
            // mm/page_alloc.c `__alloc_pages_may_oom`: "The OOM killer will not help higher
            // order allocs": above PAGE_ALLOC_COSTLY_ORDER a request fails once compaction
            // cannot make a block, while a real shortage shows as order-0 OOMs. So a costly
            // failure is suspected fragmentation; a cheaper order, with no zone figures,
            // may be either.
            // Without compaction nothing makes a free block of an order the lists lack.
            None if report.compaction_disabled => {
                evidence.push(format!(
                    "COMPACTION is disabled!!!: the kernel cannot defragment free memory into the order-{order} block it needs; no zone figures printed: suspected fragmentation"
                ));
                Confidence::Low
            }
            None if order > PAGE_ALLOC_COSTLY_ORDER
                && report.kind == crate::report::ReportKind::AllocationFailure =>
            {
                evidence.push(format!(
                    "no zone watermarks or buddy lists printed: an order-{order} allocation (above PAGE_ALLOC_COSTLY_ORDER {PAGE_ALLOC_COSTLY_ORDER}) fails when compaction cannot make a block: only suspected fragmentation"
                ));
                Confidence::Low
            }
            None => {
                evidence.push(format!(
                    "no zone watermarks or buddy lists printed: an order-{order} global failure may be fragmentation or a shortage, the log does not tell"
                ));
                return Some(Verdict::new(
                    Cause::Unknown,
                    Confidence::Low,
                    evidence,
                    Finding::Unknown,
                ));
            }
        };
        return Some(Verdict::new(
            Cause::Fragmentation,
            confidence,
            evidence,
            finding(None),
        ));
    }

    let checked: Vec<(&ZoneEval, Option<BlockCheck>)> = zones
        .iter()
        .map(|zone| {
            let check = zone
                .zone
                .buddy
                .as_ref()
                .and_then(|b| block_check(b, order, page, &zone.watermarks, access));
            (zone, check)
        })
        .collect();
    // The slow path of an order ≥ 1 allocation checks the min watermark (mm/page_alloc.c
    // `__zone_watermark_ok` with ALLOC_WMARK_MIN: usable free above min + lowmem_reserve),
    // then needs a free block of at least that order: a zone that passes the first test and
    // fails the second is short of large blocks, not of memory, even below its low mark.
    // A zone above its own low mark that only lowmem_reserve held back counts too: its free
    // memory was there, in blocks too small for reclaim alone to help (corpus 004).
    let above_min =
        |zone: &ZoneEval| !zone.below_min() || zone.usable_free_kb() > zone.watermarks.low_kb;
    let fragmented: Vec<&(&ZoneEval, Option<BlockCheck>)> = checked
        .iter()
        .filter(|(zone, check)| above_min(zone) && check.as_ref().is_some_and(BlockCheck::fails))
        .collect();

    if fragmented.is_empty() {
        let no_buddy = checked.iter().all(|(_, check)| check.is_none());
        let roomy = zones.iter().find(|zone| above_min(zone));
        return match (no_buddy, roomy) {
            (true, Some(zone)) => {
                evidence.push(zone.watermark_evidence());
                evidence.push(format!(
                    "no buddy lists printed: fragmentation at order {order} is suspected, not shown"
                ));
                Some(Verdict::new(
                    Cause::Fragmentation,
                    Confidence::Low,
                    evidence,
                    finding(None),
                ))
            }
            // Every eligible zone is short of free memory: not a matter of block sizes.
            _ => None,
        };
    }

    let mut headline = None;
    for (zone, check) in &fragmented {
        if let Some(check) = check {
            headline.get_or_insert_with(|| fragmentation_headline(zone, check));
            evidence.push(fragmentation_evidence(zone, check));
            if zone.below_low() {
                evidence.push(zone.watermark_evidence());
            }
        }
    }
    let mut could_serve = false;
    for (zone, check) in checked
        .iter()
        .filter(|(zone, check)| !(above_min(zone) && check.as_ref().is_some_and(BlockCheck::fails)))
    {
        match check {
            Some(check) if !check.fails() && !zone.below_min() => {
                could_serve = true;
                evidence.push(format!(
                    "{}; it could have served the allocation ({}kB free in blocks ≥ {block_kb}kB)",
                    zone.watermark_evidence(),
                    check.usable_kb
                ));
            }
            Some(check) if check.usable_kb == 0 && check.reserved_kb > 0 => evidence.push(format!(
                "{}; its only free blocks ≥ {block_kb}kB are reserved (highatomic/CMA): {}kB",
                zone.watermark_evidence(),
                check.reserved_kb
            )),
            Some(check) if !check.fails() => evidence.push(format!(
                "{}: short although it has blocks ≥ {block_kb}kB",
                zone.watermark_evidence()
            )),
            _ => evidence.push(zone.watermark_evidence()),
        }
    }
    if report.compaction_disabled {
        evidence.push("COMPACTION is disabled!!!: the kernel cannot defragment free memory".into());
    }
    let clear = fragmented.iter().any(|(zone, _)| !zone.below_low());
    // A zone that could have served contradicts every cause the figures can show: the guess
    // stays, at low confidence.
    let confidence = if could_serve {
        evidence.push(
            "the figures contradict a failure: another usable zone had memory above min and blocks of the needed order free".into(),
        );
        Confidence::Low
    } else if clear {
        Confidence::High
    } else {
        Confidence::Medium
    };
    Some(Verdict::new(
        Cause::Fragmentation,
        confidence,
        evidence,
        finding(headline),
    ))
}

/// A buddy list printed without its zone's watermark line (an excerpt) that has free memory
/// but no block of `block_kb` or larger, in a zone the allocation may use. The list must reach
/// that block size (a list cut before it proves nothing).
fn bare_buddy_evidence(
    report: &OomReport,
    class: Option<usize>,
    allowed: Option<&BTreeSet<u32>>,
    block_kb: u64,
) -> Option<String> {
    report
        .meminfo
        .zones
        .iter()
        .filter(|zone| zone.watermarks.is_none())
        .filter(|zone| match (zones::zone_rank(&zone.zone), class) {
            (Some(rank), Some(class)) => rank <= class,
            _ => true,
        })
        .filter(|zone| match (zone.node, allowed) {
            (Some(node), Some(allowed)) => allowed.contains(&node),
            _ => true,
        })
        .find_map(|zone| {
            let buddy = zone.buddy.as_ref()?;
            let kb_of = |order: &BuddyOrder| order.count.saturating_mul(order.block_kb);
            let free_kb = buddy.orders.iter().map(kb_of).fold(0, u64::saturating_add);
            let large: Vec<&BuddyOrder> = buddy
                .orders
                .iter()
                .filter(|order| order.block_kb >= block_kb)
                .collect();
            let large_kb = large.iter().copied().map(kb_of).fold(0, u64::saturating_add);
            let reaches = !large.is_empty();
            (reaches && free_kb > 0 && large_kb == 0).then(|| {
                format!(
                    "{} buddy list (its watermark line is not shown): {free_kb}kB free, none of it in blocks ≥ {block_kb}kB",
                    zones::zone_label(zone)
                )
            })
        })
}

/// `order=3 allocation (32kB blocks), gfp_mask=0x24040c0 (GFP_KERNEL|__GFP_COMP)`.
fn allocation_evidence(report: &OomReport, order: u32, block_kb: u64) -> String {
    let trigger = &report.trigger;
    let mut text = format!("order={order} allocation ({block_kb}kB blocks)");
    if let Some(mask) = &trigger.gfp_mask {
        text.push_str(&format!(", gfp_mask={mask}"));
        if !trigger.gfp_flags.is_empty() {
            text.push_str(&format!(" ({})", trigger.gfp_flags.join("|")));
        }
    }
    text
}

/// Why a zone with free memory above low could not serve a high-order allocation.
fn fragmentation_evidence(zone: &ZoneEval, check: &BlockCheck) -> String {
    let label = zone.label();
    let (free, low, min) = (
        zone.watermarks.free_kb,
        zone.watermarks.low_kb,
        zone.watermarks.min_kb,
    );
    let (order, needed) = (check.order, check.needed_kb);
    let mut text = if check.usable_kb == 0 {
        format!("order={order} allocation; {label} has no free block ≥ {needed}kB (free {free}kB > low {low}kB)")
    } else {
        format!("order={order} allocation; {label} free {free}kB > low {low}kB, but only {}kB of it is in blocks ≥ {needed}kB", check.usable_kb)
    };
    if check.reserved_kb > 0 {
        text.push_str(&format!(
            "; {}kB more is in reserved (highatomic/CMA) blocks it may not take",
            check.reserved_kb
        ));
    }
    if let Some(failed) = check.failed_check {
        let orders = match failed.after_order {
            0 => "order 0".to_string(),
            last => format!("orders 0-{last}"),
        };
        text.push_str(&format!(
            "; order-aware watermark check: after discounting the free blocks of {orders}, {} pages remain ≤ min {min}kB halved per order ({} pages)",
            failed.remaining_pages, failed.min_pages
        ));
    }
    text
}

/// `Node 0 DMA32 had 45980kB free, above low 35184kB, but no free block of 32kB or larger`.
fn fragmentation_headline(zone: &ZoneEval, check: &BlockCheck) -> String {
    let (label, free, low) = (
        zone.label(),
        zone.watermarks.free_kb,
        zone.watermarks.low_kb,
    );
    let needed = check.needed_kb;
    if check.usable_kb == 0 {
        format!("{label} had {free}kB free, above low {low}kB, but no free block of {needed}kB or larger")
    } else {
        format!(
            "{label} had {free}kB free, above low {low}kB, but only {}kB of it in blocks of {needed}kB or larger",
            check.usable_kb
        )
    }
}

/// Rules 3c and 3d: the host ran out (zone figures, a global summary or kill line, or at least a global
/// call trace), or the log does not tell.
fn host_or_unknown(report: &OomReport, global: GlobalSignals) -> Verdict {
    let class = allocation_zone(&report.trigger);
    let allowed = allowed_nodes(report);
    let zones = eligible_zones(report, class, allowed.as_ref());
    let has_strong = !global.strong.is_empty();
    let has_any = !global.is_empty();
    let mut evidence = global.into_evidence();

    if !zones.is_empty() {
        evidence.extend(zones.iter().map(ZoneEval::watermark_evidence));
        let all_short = zones.iter().all(ZoneEval::below_low);
        // Every zone passed the check the allocator makes (usable free above min +
        // lowmem_reserve; for order >= 1 the fragmentation rule found large blocks too): the
        // figures contradict every cause.
        if !zones.iter().any(ZoneEval::below_min) {
            evidence.extend(zones.iter().map(ZoneEval::watermark_evidence));
            evidence.push(
                "the figures contradict every cause: each zone this allocation may use was above its min watermark (with lowmem_reserve), which the allocator checks before it gives up".into(),
            );
            return Verdict::new(Cause::Unknown, Confidence::Low, evidence, Finding::Unknown);
        }
        if !all_short {
            let roomy: Vec<String> = zones
                .iter()
                .filter(|z| !z.below_low())
                .map(ZoneEval::label)
                .collect();
            evidence.push(format!(
                "memory was still above the low watermark in {}: freed after the OOM decision, or out of this allocation's reach",
                roomy.join(", ")
            ));
        }
        // Quote a zone plainly under its own min first, then one under min only through
        // lowmem_reserve, then one under low.
        let headline = zones
            .iter()
            .find(|z| z.watermarks.free_kb <= z.watermarks.min_kb)
            .or_else(|| zones.iter().find(|z| z.below_min()))
            .or_else(|| zones.iter().find(|z| z.below_low()))
            .map(ZoneEval::watermark_evidence);
        evidence.extend(memory_state_evidence(report));
        let confidence = if all_short {
            Confidence::High
        } else {
            Confidence::Medium
        };
        return Verdict::new(
            Cause::HostOom,
            confidence,
            evidence,
            Finding::Host { headline },
        );
    }
    if has_any {
        evidence.extend(memory_state_evidence(report));
        let (confidence, note) = if has_strong {
            (Confidence::Medium, "no zone watermarks printed: the host OOM is told by the lines above, not by figures")
        } else {
            (
                Confidence::Low,
                "only the lines above tell: no summary, memcg section, Mem-Info or kill message",
            )
        };
        evidence.push(note.into());
        return Verdict::new(
            Cause::HostOom,
            confidence,
            evidence,
            Finding::Host { headline: None },
        );
    }
    Verdict::new(
        Cause::Unknown,
        Confidence::Low,
        unknown_evidence(report),
        Finding::Unknown,
    )
}

/// Node reclaim state, swap, Mem-Info totals and the largest task: what a host OOM left.
fn memory_state_evidence(report: &OomReport) -> Vec<String> {
    let meminfo = &report.meminfo;
    let page = zones::page_kb(meminfo);
    let mut evidence = Vec::new();
    for node in meminfo
        .nodes
        .iter()
        .filter(|n| n.all_unreclaimable == Some(true))
    {
        evidence.push(format!(
            "Node {} all_unreclaimable? yes: reclaim gave up",
            node.node
        ));
    }
    match (meminfo.swap_free_kb, meminfo.swap_total_kb) {
        (Some(free), Some(0)) => {
            evidence.push(format!("no swap: Free swap = {free}kB, Total swap = 0kB"));
        }
        // A used-up swap is told by the swap factor.
        (Some(free), Some(total)) if !swap_used_up(free, total) => {
            evidence.push(format!(
                "Free swap = {free}kB of Total swap = {total}kB: swap was still available"
            ));
        }
        _ => {}
    }
    if let (Some(free), Some(ram)) = (meminfo.counter("free"), meminfo.ram_pages) {
        evidence.push(format!(
            "Mem-Info free:{free} pages ({}) of {ram} pages RAM ({})",
            human_kb(free.saturating_mul(page)),
            human_kb(ram.saturating_mul(page))
        ));
    }
    if let Some(task) = report.tasks.first() {
        evidence.push(format!(
            "largest task in the table: {} (pid {}) rss {} pages ({})",
            task.name,
            task.pid,
            task.rss_pages,
            human_kb(task.rss_pages.saturating_mul(page))
        ));
    }
    evidence
}

/// What a report that tells no cause does show.
fn unknown_evidence(report: &OomReport) -> Vec<String> {
    let trigger = &report.trigger;
    let mut shown = Vec::new();
    if let Some(order) = trigger.order {
        shown.push(format!("order={order}"));
    }
    if let Some(mask) = &trigger.gfp_mask {
        shown.push(format!("gfp_mask={mask}"));
    }
    if let Some(nodemask) = &trigger.nodemask {
        shown.push(format!("nodemask={nodemask}"));
    }
    if let (Some(cpuset), Some(mems)) = (&trigger.cpuset, &trigger.mems_allowed) {
        shown.push(format!("cpuset={cpuset} mems_allowed={mems}"));
    }
    let mut evidence = Vec::new();
    if !shown.is_empty() {
        evidence.push(format!("only the header is shown: {}", shown.join(", ")));
    }
    evidence.push(
        "no memcg section, oom-kill: summary, Mem-Info, kill line or call trace: nothing shows which limit was hit"
            .into(),
    );
    if let Some(order) = high_order(report) {
        evidence.push(format!(
            "order={order}: had this been a global OOM, fragmentation would be suspected"
        ));
    }
    evidence
}

#[cfg(test)]
mod tests {

    use super::frame_name;
    use crate::classify::testkit::{assert_evidence, commands, Given};
    use crate::classify::{diagnose, Cause, Confidence};

    #[test]
    fn frame_names_drop_addresses_offsets_and_suffixes() {
        assert_eq!(
            frame_name("oom_kill_process.cold+0xb/0x10"),
            Some("oom_kill_process")
        );
        assert_eq!(
            frame_name(" __alloc_pages_slowpath.constprop.0"),
            Some("__alloc_pages_slowpath")
        );
        assert_eq!(
            frame_name("[<ffffffff812eb122>] dump_stack+0x63/0x81"),
            Some("dump_stack")
        );
        assert_eq!(
            frame_name("nvkms_alloc+0x27/0x60 [nvidia_modeset]"),
            Some("nvkms_alloc")
        );
        assert_eq!(frame_name("? mem_cgroup_iter+0x204/0x3a0"), None);
        assert_eq!(
            frame_name("[<ffffffff81205514>] ? mem_cgroup_iter+0x204/0x3a0"),
            None
        );
        assert_eq!(frame_name(""), None);
    }

    #[test]
    fn unreliable_memcg_frames_do_not_make_a_memcg_oom() {
        let report = Given::oom()
            .header("x", 1, "0xcc0", &["GFP_KERNEL"], 0)
            .stack(&[
                "out_of_memory",
                "? mem_cgroup_iter",
                "__alloc_pages_slowpath",
            ])
            .build();
        assert_eq!(diagnose(&report).cause, Cause::HostOom);
    }

    #[test]
    fn manual_without_zone_figures_is_medium() {
        let report = Given::oom()
            .header("bash", 1, "0xcc0", &["GFP_KERNEL"], -1)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Manual);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
    }

    #[test]
    fn header_nodemask_leaving_out_a_node_is_a_memory_policy_node_oom() {
        let report = Given::oom()
            .header("db", 3, "0x24280ca", &["GFP_HIGHUSER_MOVABLE"], 0)
            .nodemask("1")
            .cpuset("/", "0-1")
            .zone(Some(0), "Normal", 900_000, 45_000, 56_000, 67_000)
            .zone(Some(1), "Normal", 40_000, 45_000, 56_000, 67_000)
            .killed("Out of memory", 3, "db")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.exhausted_nodes, vec![1]);
        assert_evidence(
            &diagnosis,
            "nodemask=1 in the header leaves out nodes the report shows (0-1)",
        );
        assert_evidence(
            &diagnosis,
            "Node 0 Normal free 900000kB > low 56000kB: memory left outside the allowed nodes",
        );
        assert!(diagnosis
            .explanation
            .contains("allowed by its memory policy"));
        assert!(commands(&diagnosis).contains(&"numactl --hardware"));
    }

    #[test]
    fn header_nodemask_without_node_0_and_no_zone_lines_is_a_node_oom() {
        // 4.14 LTP oom02 excerpt: `nodemask=1,  order=0`, Mem-Info snipped by the poster.
        let report = Given::oom()
            .header("oom02", 4583, "0x16080c0", &["GFP_KERNEL"], 0)
            .nodemask("1")
            .killed("Out of memory", 4578, "oom02")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(
            &diagnosis,
            "nodemask=1 in the header leaves out node 0, which every machine has: a memory policy confines the allocation",
        );
    }

    #[test]
    fn header_nodemask_with_node_0_and_no_zone_lines_is_not_a_node_oom() {
        // A cpuset-enabled 4.9 kernel prints its whole mems_allowed as the nodemask.
        let report = Given::oom()
            .header("a.out", 1, "0x24280ca", &["GFP_HIGHUSER_MOVABLE"], 0)
            .nodemask("0")
            .cpuset("/", "0")
            .killed("Out of memory", 1, "a.out")
            .build();
        assert_eq!(diagnose(&report).cause, Cause::HostOom);
    }

    #[test]
    fn cpuset_on_a_movable_only_node_names_the_zone_it_cannot_use() {
        // 5.8 docker --cpuset-mems 4: node 4 has only ZONE_MOVABLE, GFP_HIGHUSER may not use it.
        let report = Given::oom()
            .header("runc:[2:INIT]", 8291, "0x500cc2", &["GFP_HIGHUSER", "__GFP_ACCOUNT"], 0)
            .zone(Some(4), "Movable", 130_021_408, 9_140, 139_160, 269_180)
            .summary("constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=docker-9976.scope,mems_allowed=4,global_oom,task_memcg=/system.slice/containerd.service,task=containerd,pid=4100,uid=0")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert_evidence(
            &diagnosis,
            "no zone of node(s) 4 can serve this allocation (Node 4 Movable cannot): the constraint says they ran out",
        );
    }

    #[test]
    fn constraint_none_overrides_a_mems_subset() {
        let report = Given::oom()
            .cpuset("app", "0")
            .zone(Some(0), "Normal", 40_000, 45_000, 56_000, 67_000)
            .hugepages(1, 0, 0, 2048)
            .summary("constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=app,mems_allowed=0,global_oom,task=x,pid=1,uid=0")
            .build();
        assert_eq!(diagnose(&report).cause, Cause::HostOom);
    }

    #[test]
    fn mems_subset_whose_nodes_still_have_memory_is_not_a_node_oom() {
        let report = Given::oom()
            .header("x", 1, "0xcc0", &["GFP_KERNEL"], 0)
            .cpuset("app", "0")
            .zone(Some(0), "Normal", 900_000, 45_000, 56_000, 67_000)
            .zone(Some(1), "Normal", 40_000, 45_000, 56_000, 67_000)
            .killed("Out of memory", 1, "x")
            .build();
        let diagnosis = diagnose(&report);
        // Memory above min on the only node the task may use contradicts every cause.
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_eq!(
            diagnosis.confidence,
            Confidence::Low,
            "memory above min on the allowed node"
        );
        assert_evidence(&diagnosis, "the figures contradict every cause");
        assert_evidence(&diagnosis, "Node 0 Normal free 900000kB > low 56000kB");
    }

    #[test]
    fn buddy_list_without_its_watermark_line_shows_fragmentation() {
        // 6.8 RPi 5 excerpt: the header and the Normal buddy list, no zone line.
        let report = Given::alloc_failure()
            .header(
                "kworker/u8:7",
                1,
                "0x60820",
                &["GFP_ATOMIC", "__GFP_COMP"],
                3,
            )
            .buddy(
                None,
                "Normal",
                "53200*4kB (UME) 8437*8kB (UM) 0*16kB 0*32kB 0*64kB",
            )
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Fragmentation);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(
            &diagnosis,
            "Normal buddy list (its watermark line is not shown): 280296kB free, none of it in blocks ≥ 32kB",
        );
    }

    #[test]
    fn buddy_list_cut_before_the_block_size_proves_nothing() {
        let report = Given::alloc_failure()
            .header(
                "kworker/u8:7",
                1,
                "0x60820",
                &["GFP_ATOMIC", "__GFP_COMP"],
                3,
            )
            .buddy(None, "Normal", "53200*4kB (UME) 8437*8kB (UM) 0*16kB")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.confidence, Confidence::Low);
    }

    #[test]
    fn order_2_allocation_failure_without_figures_is_unknown() {
        let report = Given::alloc_failure()
            .header("kworker", 9, "0xa20", &["GFP_ATOMIC"], 2)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(&diagnosis, "may be fragmentation or a shortage");
    }

    #[test]
    fn order_2_kill_with_compaction_disabled_and_no_figures_is_suspected_fragmentation() {
        let report = Given::oom()
            .header("VDecChn0", 9, "0x242c2c2", &[], 2)
            .compaction_disabled()
            .killed("Out of memory", 1267, "zkgui_ui")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Fragmentation);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(
            &diagnosis,
            "cannot defragment free memory into the order-2 block",
        );
    }

    #[test]
    fn costly_order_allocation_failure_without_figures_is_suspected_fragmentation() {
        let report = Given::alloc_failure()
            .header(
                "clinfo",
                9,
                "0x194dc2",
                &["GFP_HIGHUSER", "__GFP_NORETRY"],
                9,
            )
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Fragmentation);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(&diagnosis, "only suspected fragmentation");
        assert!(diagnosis.explanation.contains("fragmentation is suspected"));
    }

    #[test]
    fn high_order_header_alone_is_unknown() {
        let report = Given::oom()
            .header("x", 1, "0xcc0", &["GFP_KERNEL"], 3)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_evidence(
            &diagnosis,
            "order=3: had this been a global OOM, fragmentation would be suspected",
        );
    }

    #[test]
    fn high_order_with_every_zone_short_is_host_oom() {
        let report = Given::oom()
            .header("x", 1, "0xcc0", &["GFP_KERNEL"], 2)
            .zone(Some(0), "Normal", 30_000, 39_000, 49_000, 58_000)
            .buddy(Some(0), "Normal", "7500*4kB (U) 0*8kB 0*16kB")
            .killed("Out of memory", 1, "x")
            .build();
        assert_eq!(diagnose(&report).cause, Cause::HostOom);
    }

    #[test]
    fn fragmentation_when_another_zone_could_serve_is_low() {
        let report = Given::oom()
            .header("x", 1, "0xcc0", &["GFP_KERNEL"], 3)
            .zone(Some(0), "DMA32", 90_000, 28_000, 35_000, 42_000)
            .buddy(Some(0), "DMA32", "22500*4kB (U) 0*8kB 0*16kB 0*32kB")
            .zone(Some(0), "Normal", 200_000, 39_000, 49_000, 58_000)
            .buddy(
                Some(0),
                "Normal",
                "10000*4kB (U) 0*8kB 0*16kB 5000*32kB (M)",
            )
            .killed("Out of memory", 1, "x")
            .compaction_disabled()
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Fragmentation);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(&diagnosis, "the figures contradict a failure");
        assert_evidence(
            &diagnosis,
            "it could have served the allocation (160000kB free in blocks ≥ 32kB)",
        );
        assert_evidence(&diagnosis, "COMPACTION is disabled!!!");
        assert!(diagnosis
            .remediation
            .iter()
            .any(|r| r.action.contains("CONFIG_COMPACTION")));
    }
}
