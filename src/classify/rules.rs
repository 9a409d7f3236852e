//! The decision rules: from a report's figures to one cause, how sure, and the evidence, in
//! the order manual → memory cgroup → NUMA node → fragmentation → host → unknown.

use super::factors::swap_used_up;
use super::fragmentation::{fragmentation, high_order};
use super::gfp_zone::{self, allocation_zone};
use super::global::GlobalSignals;
use super::numa::{allowed_nodes, numa};
use super::trace::{find_frame, PAGE_ALLOCATOR_FRAMES};
use super::verdict::{Finding, Verdict};
use super::zones::{self, eligible_zones, ZoneEval};
use super::{explain::human_kb, memcg, Cause, Confidence};
use crate::report::{EndNote, OomReport, ReportKind, Trigger};

/// Decides the cause of `report`.
pub(super) fn decide(report: &OomReport) -> Verdict {
    let mut verdict = decide_cause(report);
    verdict.evidence.extend(end_note_evidence(report));
    if figures_only(report) && verdict.confidence == Confidence::High {
        verdict.confidence = Confidence::Medium;
        verdict.evidence.push(
            "no header, call trace or kill line: show_mem prints these figures for an allocation failure (warn_alloc) and sysrq-m too, so the figures alone do not show that the OOM killer ran".into(),
        );
    }
    verdict
}

/// A report assembled from figures alone (its header scrolled away or was cut from a paste):
/// nothing in it shows which of `show_mem`'s callers printed it (mm/oom_kill.c `dump_header`,
/// mm/page_alloc.c `warn_alloc`, drivers/tty/sysrq.c `sysrq_handle_showmem`).
fn figures_only(report: &OomReport) -> bool {
    report.trigger.gfp_mask.is_none()
        && report.trigger.order.is_none()
        && report.call_trace.is_empty()
        && report.summary.is_none()
        && report.victims.is_empty()
        && report.selected.is_none()
        && report.kill_message.is_none()
        && report.end_note.is_none()
        && report.memcg.task_cgroup.is_none()
        && report.memcg.limit_cgroup.is_none()
}

fn decide_cause(report: &OomReport) -> Verdict {
    if let Some(verdict) = manual(report) {
        return verdict;
    }
    if let Some(verdict) = memcg::verdict(report) {
        return verdict;
    }
    if let Some(verdict) = during_boot(report).or_else(|| no_zone_with_pages(report)) {
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

/// An allocation failure whose call trace runs from `start_kernel` (init/main.c) without
/// passing its last call, `rest_init`: the boot CPU made it before the first process was
/// started, so no workload had used any memory. Such failures come from the boot's memory
/// layout (lowmem zones left empty, memory memblock has not yet handed to the page
/// allocator, a hash table sized for the whole of a huge machine), not from a shortage: no
/// cause of the running system fits. The boot CPU's idle task lives on in `rest_init` →
/// `cpu_startup_entry` under `start_kernel`, so an interrupt taken in it (a NIC's atomic skb
/// allocation in softirq) has `start_kernel` at the bottom too: the idle loop's or an
/// interrupt's frames rule that out, as old unwinders that skip `rest_init` still show
/// `ret_from_irq` or `do_IRQ`. `secondary_start_kernel` is another CPU's idle loop.
///
/// The boot goes on in the first process before user space: `kernel_init` runs the
/// initcalls (`kernel_init_freeable` → `do_initcalls`, init/main.c) and only then executes
/// `/sbin/init`, so a failure under `kernel_init` is the boot's too (an initcall sizing a
/// pool for a zone the layout left small). `do_one_initcall` alone is not: a module loaded
/// later runs its init through it as well.
fn during_boot(report: &OomReport) -> Option<Verdict> {
    const IDLE_OR_INTERRUPT_FRAMES: [&str; 13] = [
        "rest_init",
        "arch_call_rest_init",
        "cpu_startup_entry",
        "cpu_idle",
        "cpu_idle_loop",
        "do_idle",
        "ret_from_irq",
        "do_IRQ",
        "irq_exit",
        "irq_exit_rcu",
        "__do_softirq",
        "handle_softirqs",
        "do_softirq",
    ];
    if report.kind != ReportKind::AllocationFailure
        || find_frame(report, &IDLE_OR_INTERRUPT_FRAMES).is_some()
    {
        return None;
    }
    let when = if find_frame(report, &["start_kernel"]).is_some() {
        "the call trace runs from start_kernel: the allocation was made while the kernel booted, before the first process ran"
    } else if find_frame(report, &["kernel_init", "kernel_init_freeable"]).is_some() {
        "the call trace runs from kernel_init: the allocation was made while the kernel booted (its initcalls), before user space started"
    } else {
        return None;
    };
    Some(no_cause_fits(
        report,
        format!("{when}, so no workload had used the memory; the failure tells of the boot's memory layout (zones left empty or small, memory not yet handed to the page allocator), not of a shortage"),
    ))
}

/// An allocation whose every usable zone was printed empty: mm/page_alloc.c
/// `get_page_from_freelist` walks only the zones up to the class its gfp flags allow
/// (`gfp_zone`: GFP_DMA stops at ZONE_DMA), and a zone with no managed pages has nothing to
/// give. A kdump kernel whose memory lies above 4 GB, or a layout that leaves ZONE_DMA
/// without pages, fails every GFP_DMA request while gigabytes are free in the zones above:
/// neither a shortage of the machine nor fragmentation.
///
/// A GFP_DMA failure with no figures for ZONE_DMA shows no more than that the zone could
/// not serve it: ZONE_DMA is 16 MB on x86 and empty where memory starts above its limit (an
/// arm64 or kdump layout), so neither the machine's memory nor fragmentation is shown.
fn no_zone_with_pages(report: &OomReport) -> Option<Verdict> {
    let class = allocation_zone(&report.trigger);
    let dma_unshown = zones::dma_only(class)
        && report.kind == ReportKind::AllocationFailure
        && eligible_zones(report, class, None).is_empty();
    let finding = match zones::empty_class_zones(report, class) {
        Some(empty) => format!(
            "every zone this allocation's gfp flags allow ({}) manages no pages: it could not be served however much memory the other zones had; a memory layout problem (the zone left empty), not a shortage or fragmentation",
            empty.join(", ")
        ),
        None if dma_unshown => "a GFP_DMA allocation may use ZONE_DMA alone (16 MB on x86, empty where memory starts above its limit, as in many arm64 and kdump layouts), and no figures for that zone were printed: its failure shows neither the machine out of memory nor fragmentation".into(),
        None => return None,
    };
    Some(no_cause_fits(report, finding))
}

/// A report none of the causes fits, for the reason `finding` gives: unknown at
/// low, with what the report shows of the global context and the memory state.
fn no_cause_fits(report: &OomReport, finding: String) -> Verdict {
    let mut evidence = GlobalSignals::of(report).into_evidence();
    evidence.extend(memory_state_evidence(report));
    evidence.push(finding);
    Verdict::new(Cause::Unknown, Confidence::Low, evidence, Finding::Unknown)
}

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
/// older kernels ran the same request with the order of 0); or by a BPF program, through
/// the `bpf_out_of_memory` kfunc (mm/oom_kill.c of the BPF OOM series), which runs
/// `out_of_memory` for a cgroup whether or not it is at its limit.
fn manual(report: &OomReport) -> Option<Verdict> {
    let by_order = report.trigger.order == Some(-1);
    let by_stack = find_frame(report, &["moom_callback"]).is_some();
    let by_bpf = find_frame(report, &["bpf_out_of_memory"]).is_some();
    if !by_order && !by_stack && !by_bpf && !report.sysrq {
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
    if by_bpf {
        evidence.push("call trace: bpf_out_of_memory: a BPF program invoked the OOM killer on purpose, not an allocation that found no memory".into());
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

/// Rules 3c and 3d: the host ran out (zone figures, a global summary or kill line, or at least a global
/// call trace), or the log does not tell.
fn host_or_unknown(report: &OomReport, global: GlobalSignals) -> Verdict {
    let class = allocation_zone(&report.trigger);
    let allowed = allowed_nodes(report);
    let zones = eligible_zones(report, class, allowed.as_ref());
    let has_strong = !global.strong.is_empty();
    let has_any = !global.is_empty();
    let mut evidence = global.into_evidence();

    // Figures cut inside the zone section judge only the zones that made it into the paste;
    // with nothing else in the report they decide nothing.
    let cut = zones::unprinted_zones(report);
    if let Some(cut) = cut
        .as_ref()
        .filter(|_| figures_only(report) && !zones.is_empty())
    {
        evidence.extend(zones.iter().map(ZoneEval::watermark_evidence));
        evidence.push(format!(
            "the zone section is cut: {cut}, so the zones that were not printed may have had memory"
        ));
        return Verdict::new(Cause::Unknown, Confidence::Low, evidence, Finding::Unknown);
    }
    if !zones.is_empty() {
        evidence.extend(zones.iter().map(ZoneEval::watermark_evidence));
        let all_short = zones.iter().all(ZoneEval::below_low);
        let order_0 = report.trigger.order.unwrap_or(0) <= 0;
        // An order-0 OOM kill's last look at the zones (`__alloc_pages_may_oom`) asks for
        // the high watermark, and fails only when no zone has that much: a zone found
        // between min and high when the report is printed had pages freed after the
        // decision (exits, reclaim, per-cpu drains), no contradiction. Only above high is.
        let oom_killer_at_order_0 =
            order_0 && report.kind == ReportKind::OomKill && !figures_only(report);
        let order = u32::try_from(report.trigger.order.unwrap_or(0)).unwrap_or(0);
        let page = zones::page_kb(&report.meminfo);
        let section_shown = |node: Option<u32>| {
            report.meminfo.zones.iter().any(|zone| {
                zone.node == node && (zone.buddy.is_some() || !zone.lowmem_reserve_pages.is_empty())
            })
        };
        let reserve_known = |z: &ZoneEval| {
            let rank = gfp_zone::zone_rank(&z.zone.zone);
            let highest_printed =
                !report.meminfo.zones.iter().any(|other| {
                    other.node == z.zone.node && gfp_zone::zone_rank(&other.zone) > rank
                });
            !z.zone.lowmem_reserve_pages.is_empty()
                || highest_printed
                    && (rank >= gfp_zone::zone_rank("Normal") || section_shown(z.zone.node))
        };
        // mm/page_alloc.c `get_page_from_freelist`: an allocation is served by the first
        // zone of its zonelist that passes the watermark check (for order >= 1, with a free
        // block of the order it may take), so one such zone is enough to contradict a
        // failure, however short the others are (a 440 kB DMA zone at min beside a DMA32
        // zone over it).
        let legacy = zones::watermark_check_before_4_4(report);
        let would_serve = |z: &&ZoneEval| {
            reserve_known(z)
                && !z.short_for_order(order, page)
                && z.zone.buddy.as_ref().is_none_or(|buddy| {
                    zones::block_check(buddy, order, page, &z.watermarks, z.access, legacy)
                        .is_none_or(|check| !check.fails())
                })
        };
        // An allocation failure gave up after its last check at min, so one zone that would
        // pass it contradicts the failure. The OOM killer's last look
        // (`__alloc_pages_may_oom`) asks for the high watermark at any order: zones between
        // min and high beside one short zone are no contradiction, only every zone past min.
        let failure = report.kind == ReportKind::AllocationFailure;
        let passes = |z: &&ZoneEval| match failure {
            true => would_serve(z),
            false => !z.short_for_order(order, page),
        };
        let serving: Vec<String> = zones.iter().filter(passes).map(ZoneEval::label).collect();
        let some_zone_serves = match failure {
            true => !serving.is_empty(),
            false => serving.len() == zones.len(),
        };
        for zone in zones
            .iter()
            .filter(|z| z.short_for_order(order, page) && !z.cannot_serve_order_0())
        {
            evidence.push(format!(
                "{} free {}kB, less the order-{order} request's own {}kB, is under min {}kB: __zone_watermark_ok counts the request's pages as taken",
                zone.label(),
                zone.usable_free_kb(),
                zones::request_own_kb(order, page),
                zone.effective_min_kb()
            ));
        }
        for zone in zones
            .iter()
            .filter(|z| !z.below_min() && z.buddy_usable_kb() == Some(0))
        {
            evidence.push(format!(
                "{}: every free block in its buddy list is of a type this allocation may not take (highatomic (H) is for high-order atomic requests only, CMA (C) for movable ones)",
                zone.label()
            ));
        }
        // mm/page_alloc.c `warn_alloc`: an order-0 allocation failure gave up below min, then
        // printed its message and backtrace before `show_mem`, while kswapd (woken under
        // low by the slow path's `wake_all_kswapds`) reclaimed and pages were freed. Zones
        // all still under low when printed had not been restored: no contradiction.
        let failure_still_under_low = order_0
            && report.kind == ReportKind::AllocationFailure
            && zones.iter().all(ZoneEval::below_low);
        // Every zone passed the check the allocator makes (usable free above min +
        // lowmem_reserve; for order >= 1 the fragmentation rule found large blocks too): the
        // figures contradict every cause.
        if some_zone_serves && !oom_killer_at_order_0 && !failure_still_under_low {
            evidence.push(format!(
                "the figures contradict every cause: {} passed the check the allocator makes before it gives up (usable free above min with lowmem_reserve{}), and one zone that passes serves the allocation",
                serving.join(", "),
                if order > 0 { ", and a free block of the order" } else { "" }
            ));
            return Verdict::new(Cause::Unknown, Confidence::Low, evidence, Finding::Unknown);
        }
        // mm/page_alloc.c: before the OOM killer, `__alloc_pages_may_oom` tries every zone
        // once more at the high watermark, and an allocation failure gives up below min;
        // an order-0 page is any free page. A zone this allocation may use that is above
        // high (with lowmem_reserve) by more than one kswapd pass when the report is printed
        // is no moment's noise: the figures contradict the host being out of memory (a real
        // 6.1 guest showed a 3032kB zone over its 1660kB high). Only where the reserve is known:
        // printed, or none, for the highest zone of its node (`setup_per_zone_lowmem_reserve`
        // reserves a zone only against the populated zones above it). A zone below Normal is
        // the highest only where the node's zone section shows it (a buddy line, a
        // `lowmem_reserve[]`): a 16 MB DMA zone line picked out of a paste alone has Normal
        // above it on most machines.
        let pass_kb = |z: &ZoneEval| zones::reclaim_pass_kb(report, &zones, z, page);
        let serves_order_0 =
            |z: &ZoneEval| z.beyond_reclaim_since(pass_kb(z)) && !z.cannot_serve_order_0();
        let roomy: Vec<String> = zones
            .iter()
            .filter(|z| order_0 && reserve_known(z) && serves_order_0(z))
            .map(|z| {
                format!(
                    "{} free {}kB > high {}kB{} + one kswapd pass {}kB",
                    z.label(),
                    z.usable_free_kb(),
                    z.effective_high_kb(),
                    if z.reserve_kb > 0 {
                        " (with lowmem_reserve)"
                    } else {
                        ""
                    },
                    pass_kb(z)
                )
            })
            .collect();
        if !roomy.is_empty() {
            evidence.push(format!(
                "the figures contradict a host OOM: {} — an order-0 allocation would have been served there",
                roomy.join(", ")
            ));
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
        // A zone short only by its boost would have served the allocation without it: the
        // failure came from fragmentation-driven watermarks, not from every zone out of memory.
        let boosted: Vec<String> = zones
            .iter()
            .filter(|z| z.short_only_by_boost(order, page))
            .map(ZoneEval::label)
            .collect();
        // Figures with no header, kill line or trace may be an allocation failure's as well
        // as an OOM kill's (show_mem prints the same block for both): a zone that would pass
        // the failure's last check at min contradicts the one reading, so neither is sure.
        let kind_unknown = !failure && figures_only(report);
        let unknown_kind_served: Vec<String> = zones
            .iter()
            .filter(|z| kind_unknown && would_serve(z))
            .map(ZoneEval::label)
            .collect();
        if !unknown_kind_served.is_empty() && !some_zone_serves {
            evidence.push(format!(
                "no header shows whether an OOM kill or an allocation failure printed these figures, and {} passed the min check an allocation failure gives up at",
                unknown_kind_served.join(", ")
            ));
        }
        let confidence = if some_zone_serves || !unknown_kind_served.is_empty() {
            let serving = serving.join(", ");
            evidence.push(if failure_still_under_low {
                format!("{serving} passed the allocator's min check when the report was printed, but no zone was above low: pages freed between the failure and the print, while kswapd reclaimed")
            } else {
                format!("{serving} passed the allocator's min check when the report was printed, but no zone was above high: memory freed between the OOM decision and the print")
            });
            Confidence::Low
        } else if all_short && cut.is_none() && !boosted.is_empty() {
            evidence.push(format!(
                "{} under min only through its watermark boost: without it the zone would have served the allocation; boost_watermark raises the watermarks after fragmentation events and kswapd lowers them again, so it was short of unfragmented room for a while rather than of memory",
                boosted.join(", ")
            ));
            Confidence::Medium
        } else if all_short && cut.is_none() {
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
    if let Some(plenty) = plenty_free(report, class) {
        evidence.extend(memory_state_evidence(report));
        evidence.push(plenty);
        return Verdict::new(Cause::Unknown, Confidence::Low, evidence, Finding::Unknown);
    }
    // mm/page_alloc.c `__alloc_pages_slowpath`: an order-0 allocation that may reclaim and
    // retry does not fail, it invokes the OOM killer; warn_alloc reports the ones that give
    // up first (GFP_ATOMIC and GFP_NOWAIT may not reclaim, __GFP_NORETRY tries once). Such a
    // failure shows that no zone it may use had a page above its watermark at that moment:
    // the host was out of memory then, by the allocator's own test. Only where the stack
    // shows the page allocator failing: vmalloc reports a full address space (`vmap
    // allocation for size … failed`, a bogus `0 bytes`) with the same header, before any
    // page is asked for. A burst of atomic allocations can do it on a healthy host, so
    // without zone figures only at low.
    if report.kind == ReportKind::AllocationFailure
        && report.meminfo.zones.is_empty()
        && report.trigger.order == Some(0)
        && find_frame(report, &PAGE_ALLOCATOR_FRAMES).is_some()
    {
        evidence.extend(memory_state_evidence(report));
        evidence.push("an order-0 allocation that gives up without the OOM killer failed in the page allocator: no zone it may use had a free page above its watermark at that moment; no zone figures show how long it lasted".into());
        return Verdict::new(
            Cause::HostOom,
            Confidence::Low,
            evidence,
            Finding::Host { headline: None },
        );
    }
    // Without the allocator in the stack (or the stack cut) such a failure shows no more
    // than that something could not be allocated.
    if report.kind == ReportKind::AllocationFailure
        && report.meminfo.zones.is_empty()
        && ignores_watermarks(&report.trigger)
    {
        evidence.extend(memory_state_evidence(report));
        evidence.push(format!(
            "{} allocates with PF_MEMALLOC, which ignores the watermarks (__gfp_pfmemalloc_flags: ALLOC_NO_WATERMARKS): its order-0 failure means no zone it may use had a free page at all",
            report.trigger.comm.as_deref().unwrap_or("kswapd")
        ));
        return Verdict::new(
            Cause::HostOom,
            Confidence::Medium,
            evidence,
            Finding::Host { headline: None },
        );
    }
    if report.kind == ReportKind::AllocationFailure && report.meminfo.zones.is_empty() {
        evidence.extend(memory_state_evidence(report));
        evidence.push("an allocation that gives up without the OOM killer failed, and no zone figures were printed: a moment without a free page above the watermark, not shown to be the host out of memory".into());
        return Verdict::new(Cause::Unknown, Confidence::Low, evidence, Finding::Unknown);
    }
    // mm/oom_kill.c `pagefault_out_of_memory`: a fault that returned VM_FAULT_OOM ended in a
    // global out_of_memory() (until 5.16, which retries the fault instead). Before 3.12
    // every memory cgroup charge that failed in a fault got there, later those the memcg
    // OOM did not handle: with no allocator frame and no zone figures, nothing shows the
    // host out of memory.
    if report.meminfo.zones.is_empty()
        && find_frame(report, &["pagefault_out_of_memory"]).is_some()
        && find_frame(report, &PAGE_ALLOCATOR_FRAMES).is_none()
    {
        evidence.extend(memory_state_evidence(report));
        evidence.push("the OOM killer was called from pagefault_out_of_memory, not from the page allocator: a fault failed with VM_FAULT_OOM, which a memory cgroup charge gives too, and no zone figures show a host shortage".into());
        return Verdict::new(Cause::Unknown, Confidence::Low, evidence, Finding::Unknown);
    }
    // Mem-Info's totals with no zone line, header, trace or kill: show_mem prints them for
    // sysrq-m and warn_alloc too, and they judge no zone.
    if figures_only(report) {
        evidence.extend(memory_state_evidence(report));
        evidence.push("no header, call trace, kill line or zone figures: Mem-Info's totals alone do not tell why memory ran out".into());
        return Verdict::new(Cause::Unknown, Confidence::Low, evidence, Finding::Unknown);
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

/// Why Mem-Info's own totals rule out a host OOM when no zone line tells: free pages (less
/// free CMA for an allocation that may not take it) are at least half the RAM. The
/// allocator gives up only when every zone it may use is below its min watermark, and the
/// min watermarks of all zones together are `min_free_kbytes` (mm/page_alloc.c
/// `__setup_per_zone_wmarks`; at most 256 MiB unless set by hand), a small part of
/// memory. So the allocation could not use where the memory was: zones above its class,
/// which 6.x `__show_mem` does not print, or none of its class populated. Not when RAM
/// holds HighMem/MovableOnly pages the allocation may not use (32-bit lowmem), where free
/// memory may all be out of its reach.
fn plenty_free(report: &OomReport, class: Option<usize>) -> Option<String> {
    let meminfo = &report.meminfo;
    let ram = meminfo.ram_pages.filter(|&ram| ram > 0)?;
    let out_of_reach = meminfo.highmem_movable_pages.unwrap_or(0);
    if out_of_reach > 0 && !gfp_zone::may_use_highmem(class) {
        return None;
    }
    let cma = match gfp_zone::may_use_cma(&report.trigger) {
        Some(true) => 0,
        _ => meminfo.counter("free_cma").unwrap_or(0),
    };
    let usable = meminfo.counter("free")?.saturating_sub(cma);
    (usable.saturating_mul(2) >= ram).then(|| {
        format!(
            "the figures contradict a host OOM: {usable} of {ram} pages RAM were free (less free_cma), far above the min watermarks the allocator fails below; the allocation could not use where that memory was"
        )
    })
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
    // Say only what is missing: a kill line or a trace without a cause's frames may be there.
    let killed = !report.victims.is_empty() || report.selected.is_some();
    let pieces = [
        (report.memcg.limit_cgroup.is_none(), "memcg section"),
        (report.summary.is_none(), "oom-kill: summary"),
        (report.meminfo.zones.is_empty(), "Mem-Info"),
        (!killed, "kill line"),
        (report.call_trace.is_empty(), "call trace"),
    ];
    let absent: Vec<&str> = pieces
        .iter()
        .filter_map(|&(absent, piece)| absent.then_some(piece))
        .collect();
    let mut evidence = Vec::new();
    if !shown.is_empty() {
        let only = absent.len() == pieces.len();
        let lead = if only {
            "only the header is shown"
        } else {
            "the header shows"
        };
        evidence.push(format!("{lead}: {}", shown.join(", ")));
    }
    if !report.call_trace.is_empty() {
        evidence.push(
            "the call trace shows neither a memory cgroup charge nor the page allocator's path"
                .into(),
        );
    }
    if let Some((last, rest)) = absent.split_last() {
        let pieces = match rest {
            [] => last.to_string(),
            _ => format!("{} or {last}", rest.join(", ")),
        };
        evidence.push(format!("no {pieces}: nothing shows which limit was hit"));
    }
    if let Some(order) = high_order(report) {
        evidence.push(format!(
            "order={order}: had this been a global OOM, fragmentation would be suspected"
        ));
    }
    evidence
}

/// Whether the failed allocation was made by kswapd in its own context, order 0: kswapd runs
/// with PF_MEMALLOC (mm/vmscan.c `kswapd`), and `__gfp_pfmemalloc_flags` gives such a task
/// ALLOC_NO_WATERMARKS unless it is in interrupt or asks `__GFP_NOMEMALLOC`; a sleeping mask
/// (GFP_KERNEL and kin) rules out the interrupt. Only flag names tell (`%pGg`, ≥ 4.5).
fn ignores_watermarks(trigger: &Trigger) -> bool {
    const SLEEPING: [&str; 10] = [
        "GFP_KERNEL",
        "GFP_KERNEL_ACCOUNT",
        "GFP_NOFS",
        "GFP_NOIO",
        "GFP_USER",
        "GFP_HIGHUSER",
        "GFP_HIGHUSER_MOVABLE",
        "__GFP_DIRECT_RECLAIM",
        "__GFP_RECLAIM",
        "__GFP_WAIT",
    ];
    let kswapd = trigger.comm.as_deref().is_some_and(|comm| {
        comm.strip_prefix("kswapd").is_some_and(|node| {
            !node.is_empty() && node.split(':').all(|n| n.parse::<u32>().is_ok())
        })
    });
    kswapd
        && trigger.order == Some(0)
        && SLEEPING.iter().any(|name| trigger.has_gfp_flag(name))
        && !trigger.has_gfp_flag("__GFP_NOMEMALLOC")
}

#[cfg(test)]
mod tests {

    use crate::classify::testkit::{assert_evidence, commands, has_evidence, Given};
    use crate::classify::{diagnose, Cause, Confidence};

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
    fn half_the_ram_free_with_no_zone_line_contradicts_a_host_oom() {
        // 6.7 riscv64: a GFP_DMA32 failure on a machine with no populated DMA32; __show_mem
        // printed no zone of its class, and the counters show nearly all memory free.
        let report = Given::alloc_failure()
            .header(
                "(udev-worker)",
                145,
                "0x104",
                &["GFP_DMA32", "__GFP_ZERO"],
                0,
            )
            .stack(&["warn_alloc", "__alloc_pages"])
            .mem_info(&[("free", 1_984_989), ("free_cma", 0)])
            .ram(2_097_152)
            .highmem(0)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(&diagnosis, "the figures contradict a host OOM: 1984989 of 2097152 pages RAM were free (less free_cma), far above the min watermarks the allocator fails below; the allocation could not use where that memory was");
    }

    #[test]
    fn a_usable_zone_above_high_contradicts_an_order_0_host_oom() {
        // 4.10: Normal of node 0 far above high while DMA is under its reserve.
        let report = Given::oom()
            .header("x", 1, "0x24201ca", &["GFP_HIGHUSER_MOVABLE"], 0)
            .stack(&["out_of_memory", "__alloc_pages_slowpath"])
            .zone(Some(0), "DMA", 15_884, 40, 48, 60)
            .reserve(&[0, 1_880, 15_896, 15_896])
            .zone(Some(0), "Normal", 13_111_616, 43_000, 54_072, 65_000)
            .killed("Out of memory", 1, "x")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(&diagnosis, "the figures contradict a host OOM: Node 0 Normal free 13111616kB > high 65000kB + one kswapd pass 65128kB — an order-0 allocation would have been served there");
    }

    #[test]
    fn one_kswapd_pass_of_the_node_may_land_in_a_small_zone_since_4_8() {
        // i386 linux-next 5.7, mkfs.ext4's GFP_USER fault: DMA 192kB over high + lowmem_reserve
        // when printed, Normal between min and low. kswapd_shrink_node aims one pass at the
        // node's zones together (128kB + 5452kB), and the pages it frees may be DMA's.
        let report = |release: &str| {
            Given::oom()
                .header(
                    "mkfs.ext4",
                    326,
                    "0x101cc0",
                    &["GFP_USER", "__GFP_WRITE"],
                    0,
                )
                .release(release)
                .stack(&["out_of_memory", "__alloc_pages_slowpath"])
                .zone(None, "DMA", 3_588, 68, 84, 100)
                .reserve(&[0, 824, 1_947, 824])
                .zone(None, "Normal", 4_228, 3_636, 4_544, 5_452)
                .reserve(&[0, 0, 8_980, 0])
                .killed("Out of memory", 330, "mkfs.ext4")
                .build()
        };
        let node_based = diagnose(&report("5.7.0-rc6-next-20200519"));
        assert_eq!(node_based.cause, Cause::HostOom);
        // Before 4.8 kswapd_shrink_zone aimed at each zone alone: DMA's own 128kB.
        let zone_based = diagnose(&report("4.4.0"));
        assert_eq!(zone_based.cause, Cause::Unknown);
        assert_evidence(
            &zone_based,
            "DMA free 3588kB > high 3396kB (with lowmem_reserve) + one kswapd pass 128kB",
        );
    }

    #[test]
    fn a_dma_zone_too_small_for_the_order_is_short_not_fragmented() {
        // 2.6.18 x86_64, floppy_open: GFP_KERNEL|__GFP_DMA order 3 (32 kB). DMA free 44kB
        // above min 32kB, one 32kB block; less the request's own 28kB, 16kB ≤ min.
        let report = Given::oom()
            .header("floppy", 4886, "0xd1", &[], 3)
            .zone(None, "DMA", 44, 32, 40, 48)
            .reserve(&[0, 3014, 3014, 3014])
            .buddy(None, "DMA", "1*4kB 1*8kB 0*16kB 1*32kB 0*64kB = 44kB")
            .zone(None, "DMA32", 2_843_340, 7_008, 8_760, 10_512)
            .reserve(&[0, 0, 0, 0])
            .killed("Out of Memory", 4886, "dbus-daemon")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_evidence(
            &diagnosis,
            "DMA free 44kB, less the order-3 request's own 28kB, is under min 32kB",
        );
    }

    #[test]
    fn mem_info_totals_alone_decide_nothing() {
        // `Mem-Info:` and its counters, then another CPU's register dump: no zone line.
        let fragment = Given::oom()
            .mem_info(&[("free", 12_000), ("free_cma", 0)])
            .ram(4_000_000)
            .build();
        let diagnosis = diagnose(&fragment);
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_evidence(&diagnosis, "no header, call trace, kill line or zone figures: Mem-Info's totals alone do not tell why memory ran out");
    }

    #[test]
    fn figures_cut_after_the_first_zone_decide_nothing() {
        // 5.x, rsyslog #012: Mem-Info, then only Node 0 DMA, whose lowmem_reserve rises twice:
        // DMA32 and Normal have memory but the paste ends before their lines.
        let mut fragment = Given::oom()
            .zone(Some(0), "DMA", 13_312, 64, 80, 96)
            .reserve(&[0, 2660, 15_392, 15_392, 15_392])
            .build();
        fragment.meminfo.present = true;
        let diagnosis = diagnose(&fragment);
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_evidence(&diagnosis, "the zone section is cut: Node 0 DMA (lowmem_reserve 0 2660 15392 15392 15392: 2 populated zones above it, 0 printed), so the zones that were not printed may have had memory");
    }

    #[test]
    fn a_cut_zone_section_in_a_kill_report_is_not_high() {
        let report = Given::oom()
            .header("x", 1, "0x6200ca", &["GFP_HIGHUSER_MOVABLE"], 0)
            .zone(Some(0), "DMA", 1_000, 64, 80, 96)
            .reserve(&[0, 2660, 15_392, 15_392, 15_392])
            .zone(Some(0), "DMA32", 1_000, 5_000, 6_000, 7_000)
            .reserve(&[0, 0, 12_732, 12_732, 12_732])
            .killed("Out of memory", 1, "x")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
    }

    #[test]
    fn figures_without_header_or_kill_line_are_at_most_medium() {
        // Zone lines alone, every zone under min: a shortage, but show_mem also prints them
        // for warn_alloc and sysrq-m.
        let mut fragment = Given::oom()
            .zone(Some(0), "DMA32", 21_864, 27_368, 34_208, 41_048)
            .reserve(&[0, 0, 0, 0, 0])
            .build();
        fragment.meminfo.present = false;
        let diagnosis = diagnose(&fragment);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(&diagnosis, "no header, call trace or kill line: show_mem prints these figures for an allocation failure (warn_alloc) and sysrq-m too, so the figures alone do not show that the OOM killer ran");
        assert_evidence(
            &diagnosis,
            "zone figures printed: show_mem runs for global OOMs, not for memory cgroup OOMs",
        );
        let with_kill = Given::oom()
            .zone(Some(0), "DMA32", 21_864, 27_368, 34_208, 41_048)
            .reserve(&[0, 0, 0, 0, 0])
            .killed("Out of memory", 1, "x")
            .build();
        assert_eq!(diagnose(&with_kill).confidence, Confidence::High);
    }

    #[test]
    fn an_order_0_kill_with_every_zone_between_min_and_high_is_a_host_oom_at_low() {
        // 3.2 UML guest filled by tmpfs: Normal free 2040kB, 8kB above min at the print.
        let report = Given::oom()
            .header("dd", 1, "0x200da", &[], 0)
            .stack(&["dump_header", "oom_kill_process", "out_of_memory"])
            .zone(None, "Normal", 2_040, 2_032, 2_540, 3_048)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(&diagnosis, "Normal passed the allocator's min check when the report was printed, but no zone was above high");
        // An allocation that gave up without the OOM killer, the zone found over low.
        let failure = Given::alloc_failure()
            .header("dd", 1, "0x200da", &[], 0)
            .stack(&["warn_alloc", "__alloc_pages_nodemask"])
            .zone(None, "Normal", 2_600, 2_032, 2_540, 3_048)
            .build();
        let diagnosis = diagnose(&failure);
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_evidence(&diagnosis, "the figures contradict every cause");
    }

    #[test]
    fn a_kill_from_the_fault_path_without_figures_does_not_show_the_host_short() {
        // 3.2: Call Trace dump_header, oom_kill_process, out_of_memory,
        // pagefault_out_of_memory, mm_fault_error, do_page_fault; Mem-Info elided.
        let fault = Given::oom()
            .stack(&[
                "dump_header",
                "oom_kill_process",
                "out_of_memory",
                "pagefault_out_of_memory",
                "do_page_fault",
            ])
            .killed("Out of memory", 2188, "mysqld")
            .build();
        let diagnosis = diagnose(&fault);
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_evidence(
            &diagnosis,
            "the OOM killer was called from pagefault_out_of_memory, not from the page allocator",
        );
        // The allocator's own path into the OOM killer is a host OOM.
        let allocator = Given::oom()
            .stack(&[
                "out_of_memory",
                "__alloc_pages_slowpath",
                "__alloc_pages_nodemask",
            ])
            .killed("Out of memory", 2188, "mysqld")
            .build();
        assert_eq!(diagnose(&allocator).cause, Cause::HostOom);
    }

    #[test]
    fn kswapd_min_ttl_guard_is_a_machine_wide_oom() {
        // 5.10 Android: kswapd0 invoked oom-killer from lru_gen_age_node (header and stack).
        let report = Given::oom()
            .header("kswapd0", 156, "0xcc0", &["GFP_KERNEL"], 0)
            .stack(&[
                "dump_header",
                "oom_kill_process",
                "out_of_memory",
                "lru_gen_age_node",
                "balance_pgdat",
                "kswapd",
            ])
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(
            &diagnosis,
            "the multi-gen LRU's min_ttl guard called the OOM killer",
        );
        // 5.15 OpenWrt arm64: the same guard inlined, out_of_memory called from balance_pgdat.
        let inlined = Given::oom()
            .header("kswapd0", 100, "0xcc0", &["GFP_KERNEL"], 0)
            .stack(&[
                "dump_header",
                "oom_kill_process",
                "out_of_memory",
                "balance_pgdat",
                "kswapd",
            ])
            .build();
        assert_eq!(diagnose(&inlined).cause, Cause::HostOom);
    }

    #[test]
    fn a_zone_within_one_kswapd_pass_above_high_is_no_contradiction() {
        // Debian 6.1 in the kernel lab, swap used up: node 1 DMA32 was 3032kB at the print,
        // over its 1660kB high but within what kswapd reclaims in one pass.
        let report = Given::oom()
            .header("hog_swap", 205, "0x140cca", &["GFP_HIGHUSER_MOVABLE"], 0)
            .stack(&["out_of_memory", "__alloc_pages_slowpath"])
            .zone(Some(0), "DMA32", 1_336, 1_452, 1_812, 2_172)
            .reserve(&[0, 0, 0, 0, 0])
            .zone(Some(1), "DMA32", 3_032, 1_108, 1_384, 1_660)
            .reserve(&[0, 0, 0, 0, 0])
            .killed("Out of memory", 205, "hog_swap")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert!(!has_evidence(&diagnosis, "the figures contradict"));
    }

    #[test]
    fn a_zone_above_zero_watermarks_with_an_empty_buddy_list_cannot_serve() {
        // vm.min_free_kbytes=0: min = low = high = 0, so any free page passes the check; the
        // free lists hold none, so none was there to take.
        let report = Given::oom()
            .header("x", 1, "0x6200ca", &["GFP_HIGHUSER_MOVABLE"], 0)
            .stack(&["out_of_memory", "__alloc_pages_slowpath"])
            .zone(None, "Normal", 48, 0, 0, 0)
            .reserve(&[0, 0])
            .buddy(None, "Normal", "0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 0kB")
            .killed("Out of memory", 1, "x")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert!(!has_evidence(
            &diagnosis,
            "the figures contradict a host OOM"
        ));
    }

    #[test]
    fn a_zone_above_high_with_no_usable_block_in_its_buddy_list_is_no_contradiction() {
        // free: counts the highatomic and CMA blocks an ordinary allocation may not take.
        let report = Given::oom()
            .header("x", 1, "0x6200ca", &["GFP_HIGHUSER_MOVABLE"], 0)
            .stack(&["out_of_memory", "__alloc_pages_slowpath"])
            .zone(None, "DMA32", 5_000, 6_000, 7_000, 8_000)
            .reserve(&[0, 0])
            .zone(None, "Normal", 70_000, 20_000, 25_000, 30_000)
            .reserve(&[0, 0])
            .buddy(None, "Normal", "0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 17*4096kB (H) = 69632kB")
            .killed("Out of memory", 1, "x")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert!(!has_evidence(
            &diagnosis,
            "the figures contradict a host OOM"
        ));
    }

    #[test]
    fn a_low_zone_without_its_reserve_printed_is_no_contradiction() {
        // lowmem_reserve elided: DMA keeps an unknown reserve from a movable allocation.
        let report = Given::oom()
            .header(
                "stress",
                1,
                "0x6280ca",
                &["GFP_HIGHUSER_MOVABLE", "__GFP_ZERO"],
                0,
            )
            .stack(&["out_of_memory", "__alloc_pages_slowpath"])
            .zone(Some(0), "DMA", 7_280, 384, 480, 576)
            .zone(Some(0), "DMA32", 44_564, 44_668, 55_832, 66_996)
            .killed("Out of memory", 1, "stress")
            .build();
        assert_eq!(diagnose(&report).cause, Cause::HostOom);
    }

    #[test]
    fn a_lone_zone_line_without_its_reserve_or_buddy_section_is_no_contradiction() {
        // A 4.x build host's paste: the 16 MB DMA zone line (free 15904kB over high 28kB)
        // picked out beside the kill lines; with no buddy section, the zones above it and so
        // its lowmem_reserve are not shown.
        let lone = |buddy: bool| {
            let given = Given::oom()
                .header("soong_ui", 1, "0x24201ca", &[], 0)
                .zone(Some(0), "DMA", 15_904, 20, 24, 28);
            let given = if buddy {
                given.buddy(Some(0), "DMA", "0*4kB 0*8kB 0*16kB 1*32kB 2*64kB 1*128kB 1*256kB 0*512kB 1*1024kB 1*2048kB 3*4096kB = 15904kB")
            } else {
                given
            };
            diagnose(&given.killed("Out of memory", 29_494, "javac").build())
        };
        let picked = lone(false);
        assert_eq!(picked.cause, Cause::HostOom);
        assert!(!has_evidence(&picked, "the figures contradict a host OOM"));
        // With the buddy section printed, DMA is the node's only zone: no reserve holds it.
        assert_evidence(&lone(true), "the figures contradict a host OOM");
    }

    #[test]
    fn order_0_atomic_failure_in_the_page_allocator_without_zone_figures_is_host_at_low() {
        let failure = |frames: &[&str]| {
            Given::alloc_failure()
                .header(
                    "java",
                    111_104,
                    "0x2084120",
                    &["GFP_ATOMIC", "__GFP_COLD", "__GFP_COMP"],
                    0,
                )
                .stack(frames)
                .build()
        };
        let diagnosis = diagnose(&failure(&["warn_alloc", "__alloc_pages_nodemask"]));
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(&diagnosis, "failed in the page allocator: no zone it may use had a free page above its watermark at that moment");
        // No allocator frame (a vmalloc address-space failure prints the same header).
        let diagnosis = diagnose(&failure(&["warn_alloc", "__vmalloc_node_range"]));
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_evidence(&diagnosis, "an allocation that gives up without the OOM killer failed, and no zone figures were printed");
    }

    #[test]
    fn kswapd_order_0_failure_without_figures_is_the_host_out_of_memory() {
        // A 6.13 laptop: kswapd0 itself failed an order-0 GFP_KERNEL allocation; it ignores
        // the watermarks, so every zone was empty.
        let failure = |comm: &str, flags: &[&str]| {
            Given::alloc_failure()
                .header(comm, 95, "0x40cc0", flags, 0)
                .build()
        };
        let kswapd = diagnose(&failure("kswapd0", &["GFP_KERNEL", "__GFP_COMP"]));
        assert_eq!(kswapd.cause, Cause::HostOom);
        assert_eq!(kswapd.confidence, Confidence::Medium);
        assert_evidence(&kswapd, "kswapd0 allocates with PF_MEMALLOC");
        // Atomic (maybe in an interrupt on kswapd's CPU) or another task: a moment only.
        let atomic = diagnose(&failure("kswapd0", &["GFP_ATOMIC"]));
        assert_eq!(atomic.cause, Cause::Unknown);
        let other = diagnose(&failure("kworker/0:1", &["GFP_KERNEL"]));
        assert_eq!(other.cause, Cause::Unknown);
        let opted_out = diagnose(&failure("kswapd1", &["GFP_KERNEL", "__GFP_NOMEMALLOC"]));
        assert_eq!(opted_out.cause, Cause::Unknown);
    }

    #[test]
    fn order_0_atomic_failure_with_only_highatomic_blocks_free_is_a_shortage() {
        // A 4.9 armv7 board (64 MB): free 1492kB is over min 964kB, but every free block is
        // highatomic, which rmqueue hands out only for order > 0.
        let report = Given::alloc_failure()
            .header("nc.traditional", 1288, "0x2080020", &["GFP_ATOMIC"], 0)
            .stack(&["warn_alloc", "__alloc_pages_nodemask"])
            .zone(None, "Normal", 1492, 964, 1204, 1444)
            .reserve(&[0, 0])
            .buddy(None, "Normal", "7*4kB (H) 5*8kB (H) 7*16kB (H) 5*32kB (H) 6*64kB (H) 2*128kB (H) 2*256kB (H) 0*512kB 0*1024kB 0*2048kB 0*4096kB = 1492kB")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_evidence(
            &diagnosis,
            "Normal: every free block in its buddy list is of a type this allocation may not take",
        );
        assert!(!has_evidence(
            &diagnosis,
            "the figures contradict every cause"
        ));
    }

    #[test]
    fn order_0_failure_with_every_zone_between_min_and_low_is_a_shortage_at_low() {
        // A 2.6.3x ARM board: kswapd0's order-0 GFP_KERNEL allocation (in an interrupt on its
        // CPU) failed; show_mem then printed Normal free 1724kB over min 1396kB, under low
        // 1744kB: freed since, still under low, where kswapd reclaims.
        let failure = |free_kb: u64| {
            Given::alloc_failure()
                .header("kswapd0", 95, "0xd0", &[], 0)
                .stack(&["__alloc_pages_nodemask", "__alloc_skb"])
                .zone(None, "Normal", free_kb, 1396, 1744, 2092)
                .reserve(&[0, 0])
                .build()
        };
        let under_low = diagnose(&failure(1724));
        assert_eq!(under_low.cause, Cause::HostOom);
        assert_eq!(under_low.confidence, Confidence::Low);
        assert_evidence(
            &under_low,
            "but no zone was above low: pages freed between the failure",
        );
        // Above low the zone would have served the page: the figures contradict the failure.
        let above_low = diagnose(&failure(1800));
        assert_eq!(above_low.cause, Cause::Unknown);
        assert_evidence(&above_low, "the figures contradict every cause");
    }

    #[test]
    fn a_zone_under_min_only_through_its_boost_is_no_high_confidence_shortage() {
        // A 6.7 NIC's order-5 GFP_KERNEL allocation under `stress -m`: DMA and DMA32 held
        // back by lowmem_reserve, Normal 12kB under a min that holds a 90112kB boost.
        let report = |boost_kb: u64| {
            Given::alloc_failure()
                .header("ifconfig", 1432, "0x140dc0", &["GFP_KERNEL", "__GFP_COMP", "__GFP_ZERO"], 5)
                .stack(&["warn_alloc", "__alloc_pages_slowpath", "__kmalloc_large_node"])
                .zone(Some(0), "DMA32", 63_608, 9_884, 12_352, 14_820)
                .reserve(&[0, 0, 13_439, 13_439, 13_439])
                .zone(Some(0), "Normal", 147_728, 147_740, 162_144, 176_548)
                .boost(boost_kb)
                .reserve(&[0, 0, 0, 0, 0])
                .buddy(Some(0), "Normal", "7073*4kB (UME) 1922*8kB (UME) 756*16kB (UME) 464*32kB (UME) 830*64kB (UME) 197*128kB (UM) 6*256kB (M) 0*512kB 0*1024kB 0*2048kB 0*4096kB = 147728kB")
                .build()
        };
        let boosted = diagnose(&report(90_112));
        assert_eq!(boosted.cause, Cause::HostOom);
        assert_eq!(boosted.confidence, Confidence::Medium);
        assert_evidence(
            &boosted,
            "Node 0 Normal under min only through its watermark boost",
        );
        let unboosted = diagnose(&report(0));
        assert_eq!(unboosted.confidence, Confidence::High);
    }

    #[test]
    fn a_gfp_dma_failure_with_zone_dma_empty_or_unshown_is_no_shortage_nor_fragmentation() {
        // A 5.7 arm64 kdump kernel: dma_atomic_pool_init's order-6 GFP_DMA request, the DMA
        // zone present 128kB, managed 0kB, while DMA32 and Normal hold 6 GB free.
        let empty = Given::alloc_failure()
            .header("swapper/0", 1, "0x1", &["GFP_DMA"], 6)
            .stack(&[
                "warn_alloc",
                "__alloc_pages_slowpath",
                "dma_atomic_pool_init",
            ])
            .zone(Some(0), "DMA", 0, 0, 0, 0)
            .present_managed(128, 0)
            .reserve(&[0, 250, 6063, 6063])
            .zone(Some(0), "DMA32", 256_000, 408, 664, 920)
            .present_managed(269_700, 256_000)
            .reserve(&[0, 0, 5813, 5813])
            .build();
        let diagnosis = diagnose(&empty);
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_evidence(
            &diagnosis,
            "every zone this allocation's gfp flags allow (Node 0 DMA) manages no pages",
        );
        // No figures at all: GFP_DMA says nothing of the machine, GFP_KERNEL is the
        // suspected fragmentation of an order-2 failure.
        let bare = |mask: &str, flags: &[&str]| {
            Given::alloc_failure()
                .header("swapper/0", 1, mask, flags, 2)
                .stack(&[
                    "warn_alloc",
                    "__alloc_pages_nodemask",
                    "dma_atomic_pool_init",
                ])
                .build()
        };
        let dma = diagnose(&bare("0x1", &["GFP_DMA"]));
        assert_eq!(dma.cause, Cause::Unknown);
        assert_evidence(&dma, "a GFP_DMA allocation may use ZONE_DMA alone");
        let kernel = diagnose(&bare("0xcc0", &["GFP_KERNEL"]));
        assert_eq!(kernel.cause, Cause::Fragmentation);
    }

    #[test]
    fn a_failure_under_start_kernel_before_rest_init_is_a_boot_problem_not_a_shortage() {
        // A 6.3 parisc boot: set_fixmap's page table allocation from start_kernel, before
        // mem_init gave memory to the buddy allocator: every zone at free 0, min 0.
        let failure = |frames: &[&str]| {
            Given::alloc_failure()
                .header("swapper", 0, "0x100", &["__GFP_ZERO"], 0)
                .stack(frames)
                .zone(None, "Normal", 0, 0, 0, 0)
                .reserve(&[0, 0])
                .build()
        };
        let boot = diagnose(&failure(&[
            "warn_alloc",
            "__alloc_pages",
            "__get_free_pages",
            "set_fixmap",
            "start_kernel",
        ]));
        assert_eq!(boot.cause, Cause::Unknown);
        assert_evidence(&boot, "the call trace runs from start_kernel");
        // The boot CPU's idle task sits under start_kernel too: a softirq's allocation there
        // is the running system's.
        let idle = diagnose(&failure(&[
            "warn_alloc",
            "__alloc_pages",
            "__netdev_alloc_skb",
            "__do_softirq",
            "irq_exit",
            "do_idle",
            "cpu_startup_entry",
            "rest_init",
            "start_kernel",
        ]));
        assert!(!has_evidence(
            &idle,
            "the call trace runs from start_kernel"
        ));
    }

    #[test]
    fn one_zone_that_passes_the_min_check_contradicts_a_failure_but_not_a_kill() {
        // A 6.12 syzkaller guest: an order-1 GFP_KERNEL|__GFP_NORETRY allocation failed with
        // DMA at its min (440kB = 440kB fails `free <= min`) but DMA32 54664kB over its
        // 44612kB min, with 8kB blocks free: get_page_from_freelist would have served it
        // from DMA32, so the figures contradict the failure.
        let report = |given: Given| {
            given
                .header("repro", 9810, "0x10cc0", &["GFP_KERNEL", "__GFP_NORETRY"], 1)
                .stack(&["warn_alloc", "__alloc_pages_slowpath", "kimage_alloc_pages"])
                .zone(Some(0), "DMA", 440, 440, 548, 656)
                .reserve(&[0, 1507, 0, 0, 0])
                .buddy(Some(0), "DMA", "0*4kB 1*8kB (U) 1*16kB (U) 1*32kB (U) 0*64kB 1*128kB (U) 1*256kB (U) 0*512kB 0*1024kB 0*2048kB 0*4096kB = 440kB")
                .zone(Some(0), "DMA32", 54664, 44612, 55764, 66916)
                .reserve(&[0, 0, 0, 0, 0])
                .buddy(Some(0), "DMA32", "2970*4kB (UME) 1123*8kB (UME) 532*16kB (UME) 280*32kB (UM) 126*64kB (UM) 27*128kB (UME) 9*256kB (UM) 0*512kB 0*1024kB 0*2048kB 0*4096kB = 54664kB")
                .build()
        };
        let failure = diagnose(&report(Given::alloc_failure()));
        assert_eq!(failure.cause, Cause::Unknown);
        assert_eq!(failure.confidence, Confidence::Low);
        assert_evidence(
            &failure,
            "the figures contradict every cause: Node 0 DMA32 passed the check",
        );
        // The OOM killer decides at the high watermark: DMA32 under high is no contradiction.
        let kill = diagnose(&report(Given::oom()));
        assert_eq!(kill.cause, Cause::HostOom);
        assert!(!has_evidence(&kill, "the figures contradict"));
    }

    #[test]
    fn a_zone_whose_one_large_block_fails_the_order_check_could_not_serve() {
        // A 5.13 Hyper-V hot-add (vmemmap, order 9): DMA has a 2048kB block and is above
        // min + lowmem_reserve, until __zone_watermark_ok takes the request's own 511 pages
        // first; DMA32 is far above min with no block of 2048kB: fragmentation.
        let report = Given::alloc_failure()
            .header(
                "kworker/0:1",
                18,
                "0x4cc0",
                &["GFP_KERNEL", "__GFP_RETRY_MAYFAIL"],
                9,
            )
            .stack(&["warn_alloc", "vmemmap_alloc_block"])
            .zone(Some(0), "DMA", 6496, 480, 600, 720)
            .reserve(&[0, 1384, 1384, 1384, 1384])
            .zone(Some(0), "DMA32", 159_056, 44_572, 55_712, 66_852)
            .reserve(&[0, 0, 0, 0, 0])
            .buddy(Some(0), "DMA", "17*4kB (UM) 13*8kB (M) 10*16kB (M) 3*32kB (ME) 3*64kB (UME) 4*128kB (UME) 1*256kB (E) 2*512kB (UE) 2*1024kB (ME) 1*2048kB (E) 0*4096kB = 6508kB")
            .buddy(Some(0), "DMA32", "8061*4kB (UME) 5892*8kB (UME) 2449*16kB (UME) 604*32kB (UME) 207*64kB (UME) 49*128kB (UM) 7*256kB (M) 1*512kB (M) 0*1024kB 0*2048kB 0*4096kB = 159716kB")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Fragmentation);
        assert_evidence(&diagnosis, "with the request's own 2044kB taken first 4452kB is left, not above min + lowmem_reserve 6016kB");
        assert!(!has_evidence(&diagnosis, "could have served"));
    }

    #[test]
    fn free_highmem_out_of_a_lowmem_allocations_reach_is_no_contradiction() {
        // 32-bit: most free memory may be HighMem, which GFP_KERNEL may not use.
        let report = Given::oom()
            .header("x", 1, "0xd0", &["GFP_KERNEL"], 0)
            .stack(&["out_of_memory", "__alloc_pages_slowpath"])
            .mem_info(&[("free", 600_000)])
            .ram(1_000_000)
            .highmem(700_000)
            .killed("Out of memory", 1, "x")
            .build();
        assert_eq!(diagnose(&report).cause, Cause::HostOom);
    }

    #[test]
    fn free_cma_does_not_count_for_an_unmovable_allocation() {
        let report = Given::oom()
            .header("x", 1, "0xcc0", &["GFP_KERNEL"], 0)
            .stack(&["out_of_memory", "__alloc_pages_slowpath"])
            .mem_info(&[("free", 600_000), ("free_cma", 500_000)])
            .ram(1_000_000)
            .killed("Out of memory", 1, "x")
            .build();
        assert_eq!(diagnose(&report).cause, Cause::HostOom);
    }

    #[test]
    fn a_bpf_program_invoking_the_oom_killer_is_manual() {
        // 6.16 with the BPF OOM series: a PSI handler's kworker, the memcg far from its limit.
        let report = Given::oom()
            .header("kworker/u17:0", 74, "0x0", &[], 0)
            .stack(&[
                "dump_header",
                "oom_kill_process",
                "out_of_memory",
                "bpf_out_of_memory",
            ])
            .killed("Memory cgroup out of memory", 675, "test_progs")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Manual);
        assert_evidence(
            &diagnosis,
            "call trace: bpf_out_of_memory: a BPF program invoked the OOM killer on purpose",
        );
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
        // Memory above high on the only node the task may use contradicts every cause.
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_eq!(
            diagnosis.confidence,
            Confidence::Low,
            "memory above high on the allowed node"
        );
        assert_evidence(
            &diagnosis,
            "the figures contradict a host OOM: Node 0 Normal free 900000kB > high 67000kB + one kswapd pass 67000kB",
        );
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
    fn without_buddy_lists_a_zone_held_back_by_lowmem_reserve_suspects_no_fragmentation() {
        // 5.7 LTP pty04: an order-1 GFP_ATOMIC slab page, DMA32 far under min, DMA over its
        // own low but under min + the 1548 pages lowmem_reserve keeps from DMA32-class
        // requests; the buddy lines were cut by the console width.
        let report = |dma_free_kb: u64| {
            Given::alloc_failure()
                .header(
                    "reproducer",
                    1092,
                    "0x40a20",
                    &["GFP_ATOMIC", "__GFP_COMP"],
                    1,
                )
                .stack(&["warn_alloc", "__alloc_pages_slowpath", "new_slab"])
                .zone(Some(0), "DMA", dma_free_kb, 444, 552, 660)
                .reserve(&[0, 1_548, 1_548, 1_548, 1_548])
                .zone(Some(0), "DMA32", 16_612, 44_608, 55_760, 66_912)
                .reserve(&[0, 0, 0, 0, 0])
                .build()
        };
        let held_back = diagnose(&report(6_340));
        assert_eq!(held_back.cause, Cause::HostOom);
        // DMA over min + reserve: the missing block is the suspect again.
        let over = diagnose(&report(7_000));
        assert_eq!(over.cause, Cause::Fragmentation);
        assert_eq!(over.confidence, Confidence::Low);
    }

    #[test]
    fn order_2_allocation_failure_without_figures_is_suspected_fragmentation() {
        let report = Given::alloc_failure()
            .header("kworker", 9, "0xa20", &["GFP_ATOMIC"], 2)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Fragmentation);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(&diagnosis, "may not reclaim or retry, and then when no free block of its order is above the watermark: only suspected fragmentation");
        // An OOM kill at order 2 reclaimed and compacted to the end: either, without figures.
        let kill = Given::oom()
            .header("kthreadd", 2, "0x2dc2", &["GFP_KERNEL"], 2)
            .stack(&["out_of_memory", "__alloc_pages_slowpath"])
            .killed("Out of memory", 1_576_622, "influxd")
            .build();
        let diagnosis = diagnose(&kill);
        assert_eq!(diagnosis.cause, Cause::Unknown);
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

    #[test]
    fn headerless_figures_with_a_zone_past_min_are_a_host_oom_at_low_only() {
        // The Mem-Info of a mail's follow-up (rpi4, 6.12): DMA32 under min, Normal past min
        // but under low, with free blocks. An OOM kill's figures would say host_oom; an
        // allocation failure's would be contradicted by Normal.
        let figures = || {
            Given::oom()
                .zone(Some(0), "DMA32", 30_000, 36_236, 42_732, 49_228)
                .reserve(&[0, 0, 3954, 3954])
                .zone(Some(0), "Normal", 54_540, 50_560, 59_104, 67_648)
                .reserve(&[0, 0, 0, 0])
                .buddy(Some(0), "Normal", "3*4kB (U) 6*8kB (U) 10*16kB (UE) 31*32kB (UME) 35*64kB (UME) 45*128kB (UM) 13*256kB (M) 74*512kB (M) 4*1024kB (U) 0*2048kB 0*4096kB = 54524kB")
        };
        let diagnosis = diagnose(&figures().build());
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert!(diagnosis
            .evidence
            .iter()
            .any(|e| e.contains("no header shows whether an OOM kill or an allocation failure")));
        // With the header of an order-0 OOM kill, Normal between min and high is no
        // contradiction: the figures decide.
        let kill = figures()
            .header("b2sum", 5_101, "0xcc0", &["GFP_KERNEL"], 0)
            .build();
        assert_ne!(diagnose(&kill).confidence, Confidence::Low);
    }
}
