//! Rule 3b: a high-order allocation found no free block large enough.

use std::collections::BTreeSet;

use super::gfp_zone::{self, allocation_zone};
use super::global::GlobalSignals;
use super::numa::allowed_nodes;
use super::verdict::{Finding, FragmentationFinding, Verdict};
use super::zones::{
    self, block_check, eligible_zones, request_own_kb, BlockAccess, BlockCheck, ZoneEval,
};
use super::{Cause, Confidence};
use crate::report::{BuddyOrder, OomReport};

/// mm/internal.h: orders above this are "costly"; the OOM killer is never invoked for them.
const PAGE_ALLOC_COSTLY_ORDER: u32 = 3;

/// The allocation order when it is 1 or more.
pub(super) fn high_order(report: &OomReport) -> Option<u32> {
    report
        .trigger
        .order
        .and_then(|order| u32::try_from(order).ok())
        .filter(|order| *order >= 1)
}

/// Rule 3b, fragmentation: an order ≥ 1 global allocation, while an eligible zone had free memory
/// above its low watermark but no free block it could take as large as the allocation.
pub(super) fn fragmentation(report: &OomReport, global: &GlobalSignals) -> Option<Verdict> {
    let order = high_order(report)?;
    let class = allocation_zone(&report.trigger);
    let allowed = allowed_nodes(report);
    let zones = eligible_zones(report, class, allowed.as_ref());
    let page = zones::page_kb(&report.meminfo);
    let block_kb = page.checked_shl(order)?;
    let access = BlockAccess::of(&report.trigger, class);
    let legacy = zones::watermark_check_before_4_4(report);
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
            // Without compaction nothing makes a free block of an order the lists lack.
            None if report.compaction_disabled => {
                evidence.push(format!(
                    "COMPACTION is disabled!!!: the kernel cannot defragment free memory into the order-{order} block it needs; no zone figures printed: suspected fragmentation"
                ));
                Confidence::Low
            }
            // mm/page_alloc.c `__alloc_pages_slowpath`: "The OOM killer will not help higher
            // order allocs": above PAGE_ALLOC_COSTLY_ORDER a request fails once compaction
            // cannot make a block. At or below it, one that may reclaim and retry never fails
            // (it invokes the OOM killer instead); warn_alloc reports those that may not
            // (GFP_ATOMIC, GFP_NOWAIT, __GFP_NORETRY), which fail when no free block of their
            // order is above the watermark at that instant. Either way the missing block is
            // the suspect; with no zone figures, only suspected. An OOM kill at order 1 to 3
            // ran reclaim and compaction to the end and may be either.
            None if report.kind == crate::report::ReportKind::AllocationFailure => {
                evidence.push(if order > PAGE_ALLOC_COSTLY_ORDER {
                    format!(
                        "no zone watermarks or buddy lists printed: an order-{order} allocation (above PAGE_ALLOC_COSTLY_ORDER {PAGE_ALLOC_COSTLY_ORDER}) fails when compaction cannot make a block: only suspected fragmentation"
                    )
                } else {
                    format!(
                        "no zone watermarks or buddy lists printed: an order-{order} allocation fails without the OOM killer only when it may not reclaim or retry, and then when no free block of its order is above the watermark: only suspected fragmentation"
                    )
                });
                Confidence::Low
            }
            None => {
                let printed = if report.meminfo.zones.iter().any(|z| z.buddy.is_some()) {
                    "no zone watermarks printed (the buddy lists shown hold blocks of the order)"
                } else {
                    "no zone watermarks or buddy lists printed"
                };
                evidence.push(format!(
                    "{printed}: an order-{order} global failure may be fragmentation or a shortage, the log does not tell"
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
                .and_then(|b| block_check(b, order, page, &zone.watermarks, access, legacy));
            (zone, check)
        })
        .collect();
    // The slow path of an order ≥ 1 allocation checks the min watermark (mm/page_alloc.c
    // `__zone_watermark_ok` with ALLOC_WMARK_MIN: usable free above min + lowmem_reserve),
    // then needs a free block of at least that order: a zone that passes the first test and
    // fails the second is short of large blocks, not of memory, even below its low mark.
    // A zone above its own low mark that only lowmem_reserve held back counts too: its free
    // memory was there, in blocks too small for reclaim alone to help (corpus 004).
    // The check counts the request's own pages as taken first: `free_pages -= (1 << order)
    // - 1` in every version of `__zone_watermark_ok`, so a small zone (a 16 MB DMA zone
    // asked for 32 kB) can fail it for the order alone: that is a shortage, not fragmentation.
    // A zone above min before the request's pages are taken but holding no free block of
    // the order it may take fails the block test whatever the first test says: with nothing
    // to hand out, the missing block is why (order 9 takes 2 MB off free first, a shortage
    // only in name when no 2 MB block is there either).
    let above_min = |zone: &ZoneEval| {
        let free_kb = zone.free_after_request_kb(order, page);
        free_kb > zone.effective_min_kb() || free_kb > zone.watermarks.low_kb
    };
    // Unless the zone's free memory is less than one block of the order: no arrangement of
    // its free pages makes the block, so it is short of memory, not fragmented (a 16 MB DMA
    // zone with 160 kB free asked for 4 MB at boot).
    let could_hold_block = |zone: &ZoneEval| zone.usable_free_kb() >= block_kb;
    let no_block_above_min = |zone: &ZoneEval, check: &Option<BlockCheck>| {
        !zone.below_min()
            && could_hold_block(zone)
            && check.as_ref().is_some_and(|check| check.usable_kb == 0)
    };
    let is_fragmented = |zone: &ZoneEval, check: &Option<BlockCheck>| {
        (above_min(zone) && check.as_ref().is_some_and(BlockCheck::fails))
            || no_block_above_min(zone, check)
    };
    let fragmented: Vec<&(&ZoneEval, Option<BlockCheck>)> = checked
        .iter()
        .filter(|(zone, check)| is_fragmented(zone, check))
        .collect();

    if fragmented.is_empty() {
        // Without buddy lists only a zone the watermark check passes (free above min +
        // lowmem_reserve) leaves the missing block as the suspect: one that lowmem_reserve
        // holds back is kept from this allocation by design, and whether its free memory
        // was in small blocks is not shown.
        let no_buddy = checked.iter().all(|(_, check)| check.is_none());
        let roomy = zones
            .iter()
            .find(|zone| zone.free_after_request_kb(order, page) > zone.effective_min_kb());
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
        .filter(|(zone, check)| !is_fragmented(zone, check))
    {
        match check {
            // It could serve only if it passes `__zone_watermark_ok` with the request's own
            // pages taken first: a 16 MB DMA zone with one 2 MB block fails an order-9 check.
            Some(check) if !check.fails() && !zone.short_for_order(order, page) => {
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
            Some(check) if !check.fails() && !zone.below_min() => evidence.push(format!(
                "{}; with the request's own {}kB taken first {}kB is left, not above min + lowmem_reserve {}kB: short although it has blocks ≥ {block_kb}kB",
                zone.watermark_evidence(),
                request_own_kb(order, page),
                zone.free_after_request_kb(order, page),
                zone.effective_min_kb()
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
        .filter(|zone| match (gfp_zone::zone_rank(&zone.zone), class) {
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
    let level = if free > low {
        format!("free {free}kB > low {low}kB")
    } else if free > min {
        format!("free {free}kB > min {min}kB, ≤ low {low}kB")
    } else {
        format!("free {free}kB")
    };
    let mut text = if check.usable_kb == 0 {
        format!("order={order} allocation; {label} has no free block ≥ {needed}kB ({level})")
    } else {
        format!(
            "order={order} allocation; {label} {level}, but only {}kB of it is in blocks ≥ {needed}kB",
            check.usable_kb
        )
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
