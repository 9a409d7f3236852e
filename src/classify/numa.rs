//! Rule 3a: the nodes an allocation was confined to ran out while others had memory.

use std::collections::BTreeSet;

use super::gfp_zone::allocation_zone;
use super::nodes::{format_node_list, nodes_seen, parse_node_list};
use super::verdict::{Finding, NumaFinding, Verdict};
use super::zones::{self, eligible_zones, ZoneEval};
use super::{explain::human_kb, Cause, Confidence};
use crate::report::{OomReport, ReportKind};

/// The nodes the allocation may use as printed (mems_allowed, else nodemask), for filtering
/// zones; `None` when neither is printed (all nodes).
pub(super) fn allowed_nodes(report: &OomReport) -> Option<BTreeSet<u32>> {
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

/// Whether the zones the report prints for `nodes` hold all of the machine's memory, so no
/// other node has any and a mask of `nodes` confines nothing: `constrained_alloc`
/// (mm/oom_kill.c) says CONSTRAINT_MEMORY_POLICY only when node_states[N_MEMORY] is not a
/// subset of the nodemask. `show_mem` sums `N pages RAM` over the zones of every online node,
/// whatever nodes it filtered from the zone lines, and each zone line prints `present:`. A
/// ppc64 LPAR may have its only memory on node 7 (`nodemask=7` is then every node).
fn holds_all_memory(report: &OomReport, nodes: &BTreeSet<u32>) -> bool {
    let meminfo = &report.meminfo;
    let Some(ram_kb) = meminfo
        .ram_pages
        .filter(|&pages| pages > 0)
        .map(|pages| pages.saturating_mul(zones::page_kb(meminfo)))
    else {
        return false;
    };
    let mut printed = meminfo
        .zones
        .iter()
        .filter(|zone| zone.node.is_some_and(|node| nodes.contains(&node)))
        .filter(|zone| zone.watermarks.is_some())
        .peekable();
    printed.peek().is_some()
        && printed
            .map(|zone| zone.present_kb)
            .try_fold(0u64, |sum, kb| kb.map(|kb| sum.saturating_add(kb)))
            .is_some_and(|present_kb| present_kb >= ram_kb)
}

/// The nodes the report shows holding memory: a zone with pages or free memory, or a
/// hugepages line (`hugetlb_show_meminfo` prints only nodes with memory).
fn nodes_with_memory(report: &OomReport) -> BTreeSet<u32> {
    let zones = report.meminfo.zones.iter().filter(|zone| {
        zone.managed_kb.or(zone.present_kb).is_some_and(|kb| kb > 0)
            || zone.watermarks.is_some_and(|wm| wm.free_kb > 0)
    });
    zones
        .filter_map(|zone| zone.node)
        .chain(report.meminfo.hugepages.iter().map(|h| h.node))
        .collect()
}

/// The nodes `show_mem` kept when it left out others with memory, where the report shows it.
///
/// `dump_header` prints with SHOW_MEM_FILTER_NODES and the allocation's nodemask (or the
/// cpuset's mems_allowed): `show_free_areas` skips every node outside it
/// (`show_mem_node_skip`, mm/show_mem.c, before 6.1 mm/page_alloc.c) for its per-node, zone
/// and buddy lines, while `hugetlb_show_meminfo` (before 6.1) printed a hugepages line for
/// every node with memory. A node with a hugepages line but neither zone nor buddy lines,
/// between a zone line and a buddy line of the kept nodes (the report runs from the zone
/// section into the buddy section, where the node's lines would be), was filtered out.
fn nodes_kept_by_show_mem(report: &OomReport) -> Option<(BTreeSet<u32>, BTreeSet<u32>)> {
    let zones = &report.meminfo.zones;
    let printed: BTreeSet<u32> = zones
        .iter()
        .filter(|z| z.watermarks.is_some() || z.buddy.is_some())
        .filter_map(|z| z.node)
        .chain(report.meminfo.nodes.iter().map(|n| n.node))
        .collect();
    let spans_both_sections = zones
        .iter()
        .any(|z| z.watermarks.is_some() && z.node.is_some())
        && zones.iter().any(|z| z.buddy.is_some() && z.node.is_some());
    let with_memory: BTreeSet<u32> = report.meminfo.hugepages.iter().map(|h| h.node).collect();
    let left_out: BTreeSet<u32> = with_memory.difference(&printed).copied().collect();
    (spans_both_sections && !printed.is_empty() && !left_out.is_empty())
        .then_some((printed, left_out))
}

/// Rule 3a, a NUMA node OOM: the kernel says the OOM was constrained to some nodes
/// (CONSTRAINT_CPUSET, CONSTRAINT_MEMORY_POLICY), or the old format shows a cpuset's
/// `mems_allowed` or a header `nodemask=` leaving out nodes the report shows.
pub(super) fn numa(report: &OomReport) -> Option<Verdict> {
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
    let leaves_out =
        |nodes: &BTreeSet<u32>| leaves_out_nodes(nodes, &seen) && !holds_all_memory(report, nodes);
    // The root cpuset holds every node with memory, so a task in it whose mems_allowed leaves
    // out a node has had them narrowed (kernel/cgroup/cpuset.c `cpuset_attach` moves a task's
    // mems before its pages) only if that node shows memory; a memoryless node is left out of
    // every mems_allowed. The allocator enforces the task's own mems_allowed
    // (`__cpuset_node_allowed`), whatever its cpuset's name.
    let with_memory = nodes_with_memory(report);
    let leaves_out_memory =
        |nodes: &BTreeSet<u32>| with_memory.iter().any(|node| !nodes.contains(node));
    let kept_by_show_mem = nodes_kept_by_show_mem(report);
    let inferred =
        constraint.is_none() && mems.is_none() && nodemask.is_none() && kept_by_show_mem.is_some();
    let policy_guess = (constraint.is_none() && nodemask_text.is_none())
        .then(|| unprinted_policy_nodes(report))
        .flatten();
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
    // The confinement is guessed from which nodes had memory: low confidence at most.
    let mut guessed = false;
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
            (None, None) if inferred => {
                let (kept, left_out) = kept_by_show_mem.unwrap_or_default();
                evidence.push(format!(
                    "zone and buddy lines only for node(s) {} while hugepages lines show node(s) {} with memory: show_mem leaves out the nodes outside the allocation's nodemask or cpuset (SHOW_MEM_FILTER_NODES), so the allocation was confined to node(s) {}",
                    format_node_list(&kept),
                    format_node_list(&left_out),
                    format_node_list(&kept)
                ));
                (Some(kept), false, false)
            }
            (_, Some(mems))
                if leaves_out(&mems) && (cpuset != Some("/") || leaves_out_memory(&mems)) =>
            {
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
            _ => match &policy_guess {
                Some((short, roomy)) => {
                    evidence.push(format!(
                        "no nodemask printed (dump_header prints none before 4.8) and node(s) {} had memory above high by more than a kswapd pass: an unconfined allocation falls back to them, and __alloc_pages_may_oom never OOM-kills for __GFP_THISNODE, so a memory policy confined it to node(s) {} (constrained_alloc: CONSTRAINT_MEMORY_POLICY), a guess the log cannot confirm",
                        format_node_list(roomy),
                        format_node_list(short)
                    ));
                    guessed = true;
                    (Some(short.clone()), true, false)
                }
                None => return None,
            },
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

    // Confinement read from which nodes were printed is an inference; the nodes may be ones
    // the poster cut. It never gives more than medium.
    let confidence = if guessed {
        Confidence::Low
    } else if (decisive || from_figures) && !inferred {
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

/// For an OOM kill of a kernel that prints no nodemask (before 4.8) and no constraint (before
/// 5.0): the nodes all of whose zones this allocation may use were short (failed
/// `__zone_watermark_ok` for its order) and those with a zone above high by more than a
/// kswapd pass, when the report shows both. A mems_allowed that leaves the roomy nodes out
/// is a cpuset's doing and is read elsewhere.
fn unprinted_policy_nodes(report: &OomReport) -> Option<(BTreeSet<u32>, BTreeSet<u32>)> {
    if report.kind != ReportKind::OomKill || report.summary.is_some() {
        return None;
    }
    let order = u32::try_from(report.trigger.order?).ok()?;
    let page = zones::page_kb(&report.meminfo);
    let zones = eligible_zones(report, allocation_zone(&report.trigger), None);
    let nodes: BTreeSet<u32> = zones.iter().filter_map(|z| z.zone.node).collect();
    let of_node = |node: u32| zones.iter().filter(move |z| z.zone.node == Some(node));
    let short: BTreeSet<u32> = nodes
        .iter()
        .copied()
        .filter(|&n| of_node(n).all(|z| z.short_for_order(order, page)))
        .collect();
    let roomy: BTreeSet<u32> = nodes
        .iter()
        .copied()
        .filter(|&n| {
            of_node(n)
                .any(|z| z.beyond_reclaim_since(zones::reclaim_pass_kb(report, &zones, z, page)))
        })
        .collect();
    let mems = report
        .trigger
        .mems_allowed
        .as_deref()
        .and_then(parse_node_list);
    let reachable = mems.is_none_or(|mems| roomy.is_subset(&mems));
    (!short.is_empty() && !roomy.is_empty() && reachable).then_some((short, roomy))
}

#[cfg(test)]
mod tests {
    use crate::classify::testkit::{assert_evidence, Given};
    use crate::classify::{diagnose, Cause, Confidence};

    const BUDDY: &str = "423*4kB (UE) 320*8kB (UME) 187*16kB (UE) 0*32kB 0*64kB = 10976kB";

    #[test]
    fn before_4_8_one_short_node_beside_roomy_ones_is_a_guessed_memory_policy() {
        // A SLES 11 (3.0) host: no nodemask in the header, no summary; node 0 under min,
        // node 1 hundreds of GB above high, cpuset / with every node.
        let given = || {
            Given::oom()
                .header("PoolThread", 1, "0x280da", &[], 0)
                .release("3.0.101-63-default")
                .cpuset("/", "0-1")
                .zone(Some(0), "Normal", 8_120, 8_160, 10_200, 12_240)
                .reserve(&[0, 0, 0, 0])
                .zone(Some(1), "Normal", 476_718_144, 8_192, 10_240, 12_288)
                .reserve(&[0, 0, 0, 0])
        };
        let diagnosis = diagnose(&given().build());
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(
            &diagnosis,
            "no nodemask printed (dump_header prints none before 4.8)",
        );
        // 4.8 to 4.19 print `nodemask=(null)`: no policy, the figures stay a contradiction.
        let mut printed = given().build();
        printed.trigger.nodemask = Some("(null)".into());
        assert_ne!(diagnose(&printed).cause, Cause::NumaNodeOom);
    }

    #[test]
    fn a_node_with_hugepages_but_no_zone_or_buddy_lines_was_filtered_out() {
        // 6.0: show_free_areas printed node 1 only; hugetlb_show_meminfo both nodes.
        let report = Given::oom()
            .zone(Some(1), "Normal", 45_100, 45_576, 56_968, 68_360)
            .reserve(&[0, 0, 0, 0, 0])
            .buddy(Some(1), "Normal", BUDDY)
            .hugepages(0, 0, 0, 2048)
            .hugepages(1, 0, 0, 2048)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_eq!(diagnosis.exhausted_nodes, vec![1]);
        assert_evidence(&diagnosis, "zone and buddy lines only for node(s) 1 while hugepages lines show node(s) 0 with memory");
    }

    /// 4.4 ppc64 LPAR at boot: `nodemask=7`, node 7 present 52428800kB (819200 pages of
    /// 64 kB) and empty, with `ram_pages` as show_mem summed them over every node.
    fn node_7_lpar(ram_pages: u64) -> crate::report::OomReport {
        Given::oom()
            .header("kthreadd", 2, "0x16040c0", &["GFP_KERNEL", "__GFP_COMP"], 0)
            .nodemask("7")
            .cpuset("/", "7")
            .zone(Some(7), "DMA", 0, 0, 0, 0)
            .present_managed(52_428_800, 110_016)
            .buddy(Some(7), "DMA", "0*64kB 0*128kB 0*256kB = 0kB")
            .ram(ram_pages)
            .build()
    }

    #[test]
    fn a_nodemask_of_the_only_node_with_memory_confines_nothing() {
        // All of pages RAM is node 7's: node 7 is N_MEMORY, constrained_alloc says
        // CONSTRAINT_NONE.
        assert_eq!(diagnose(&node_7_lpar(819_200)).cause, Cause::HostOom);
    }

    #[test]
    fn a_nodemask_of_a_node_holding_part_of_the_memory_still_confines() {
        // Pages RAM counts a node the zone lines leave out.
        assert_eq!(diagnose(&node_7_lpar(1_638_400)).cause, Cause::NumaNodeOom);
    }

    #[test]
    fn zone_lines_without_buddy_lines_may_be_a_cut_excerpt() {
        // Node 0's zone lines may have been above where the paste starts.
        let report = Given::oom()
            .zone(Some(1), "Normal", 45_100, 45_576, 56_968, 68_360)
            .reserve(&[0, 0, 0, 0, 0])
            .hugepages(0, 0, 0, 2048)
            .hugepages(1, 0, 0, 2048)
            .build();
        assert_ne!(diagnose(&report).cause, Cause::NumaNodeOom);
    }

    #[test]
    fn printed_mems_allowed_covering_every_node_is_no_confinement() {
        let report = Given::oom()
            .header("x", 1, "0x6200ca", &["GFP_HIGHUSER_MOVABLE"], 0)
            .cpuset("/", "0-1")
            .zone(Some(1), "Normal", 45_100, 45_576, 56_968, 68_360)
            .reserve(&[0, 0, 0, 0, 0])
            .buddy(Some(1), "Normal", BUDDY)
            .hugepages(0, 0, 0, 2048)
            .hugepages(1, 0, 0, 2048)
            .build();
        assert_eq!(diagnose(&report).cause, Cause::HostOom);
    }
}
