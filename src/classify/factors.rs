//! Contributing factors the figures show beside the cause: huge page reservations, an
//! unreclaimable slab leak, exhausted swap, and Kubernetes pod or container limits.

use std::collections::BTreeSet;

use super::cgroup::{kube_level, KubeLevel};
use super::explain::human_kb;
use super::verdict::{Finding, Verdict};
use super::zones::page_kb;
use super::{Cause, Factor};
use crate::report::OomReport;

/// The factors of `report` under `verdict`, each with the evidence line that shows it.
pub(super) fn factors(report: &OomReport, verdict: &Verdict) -> (Vec<Factor>, Vec<String>) {
    let mut found = Found::default();
    kubernetes(verdict, &mut found);
    hugepages(report, verdict, &mut found);
    slab_leak(report, &mut found);
    swap_exhausted(report, &mut found);
    (found.factors, found.evidence)
}

#[derive(Default)]
struct Found {
    factors: Vec<Factor>,
    evidence: Vec<String>,
}

impl Found {
    fn add(&mut self, factor: Factor, evidence: String) {
        self.factors.push(factor);
        self.evidence.push(evidence);
    }
}

/// A pod-level limit above the task's container, or a container's own limit.
fn kubernetes(verdict: &Verdict, found: &mut Found) {
    let Finding::Memcg(finding) = &verdict.finding else {
        return;
    };
    let Some(limiting) = &finding.limiting else {
        return;
    };
    match kube_level(limiting) {
        Some(KubeLevel::Pod { .. }) if verdict.cause == Cause::ParentCgroupLimit => found.add(
            Factor::KubernetesPodLimit {
                pod_cgroup: limiting.clone(),
            },
            format!("{limiting} is a Kubernetes pod cgroup: Kubernetes sets its limit to the sum of the container limits and charges the pause container to it too, so a pod-level OOM is often read as a container limit"),
        ),
        Some(KubeLevel::Container { .. }) => found.add(
            Factor::KubernetesContainerLimit {
                container_cgroup: limiting.clone(),
            },
            format!("{limiting} is a Kubernetes container cgroup: the container's resources.limits.memory was reached"),
        ),
        _ => {}
    }
}

/// Huge pages reserved on the nodes that ran out: at least a quarter of the node's memory, or,
/// where the node's size is not printed, more than the node's shortfall below its low watermark.
fn hugepages(report: &OomReport, verdict: &Verdict, found: &mut Found) {
    let meminfo = &report.meminfo;
    let nodes: BTreeSet<u32> = match &verdict.finding {
        Finding::Numa(numa) if !numa.exhausted.is_empty() => numa.exhausted.clone(),
        Finding::Numa(numa) => numa.allowed.clone(),
        Finding::Host { .. } => meminfo.hugepages.iter().map(|pool| pool.node).collect(),
        _ => return,
    };
    for node in nodes {
        let pools = meminfo
            .hugepages
            .iter()
            .filter(|pool| pool.node == node && pool.total > 0);
        let (reserved_kb, free_kb, pages) =
            pools.fold((0u64, 0u64, Vec::new()), |(r, f, mut p), pool| {
                p.push(format!("{} × {}kB", pool.total, pool.size_kb));
                (
                    r.saturating_add(pool.total.saturating_mul(pool.size_kb)),
                    f.saturating_add(pool.free.saturating_mul(pool.size_kb)),
                    p,
                )
            });
        if reserved_kb == 0 {
            continue;
        }
        let zones = meminfo.zones.iter().filter(|zone| zone.node == Some(node));
        let node_kb = zones
            .clone()
            .filter_map(|zone| zone.managed_kb.or(zone.present_kb))
            .fold(0u64, u64::saturating_add);
        let shortfall_kb = zones
            .filter_map(|zone| zone.watermarks)
            .map(|wm| wm.low_kb.saturating_sub(wm.free_kb))
            .fold(0u64, u64::saturating_add);
        let why = if node_kb > 0 {
            (u128::from(reserved_kb) * 4 >= u128::from(node_kb))
                .then(|| format!("≥ 25 % of the node's {} of memory", human_kb(node_kb)))
        } else {
            (shortfall_kb > 0 && reserved_kb > shortfall_kb).then(|| {
                format!(
                    "more than the node's shortfall of {shortfall_kb}kB below its low watermark"
                )
            })
        };
        if let Some(why) = why {
            found.add(
                Factor::HugepageReservation {
                    node: Some(node),
                    reserved_kb,
                    free_kb,
                },
                format!(
                    "Node {node} reserves {} = {} of huge pages ({} of it unused): {why}",
                    pages.join(" + "),
                    human_kb(reserved_kb),
                    human_kb(free_kb)
                ),
            );
        }
    }
}

/// Unreclaimable slab above 10 % of RAM.
fn slab_leak(report: &OomReport, found: &mut Found) {
    let meminfo = &report.meminfo;
    let (Some(slab), Some(ram)) = (meminfo.counter("slab_unreclaimable"), meminfo.ram_pages) else {
        return;
    };
    if u128::from(slab) * 10 <= u128::from(ram) {
        return;
    }
    let page = page_kb(meminfo);
    let (unreclaimable_kb, total_kb) = (slab.saturating_mul(page), ram.saturating_mul(page));
    let mut evidence = format!(
        "slab_unreclaimable:{slab} pages ({}) > 10 % of {ram} pages RAM ({}): a likely kernel memory leak",
        human_kb(unreclaimable_kb),
        human_kb(total_kb)
    );
    if let Some(cache) = report.unreclaimable_slab.iter().max_by_key(|c| c.total_kb) {
        evidence.push_str(&format!(
            "; largest unreclaimable cache {} ({})",
            cache.name,
            human_kb(cache.total_kb)
        ));
    }
    found.add(
        Factor::SlabLeak {
            unreclaimable_kb,
            total_kb,
        },
        evidence,
    );
}

/// Whether configured swap is used up: free ≤ 1 % of total.
pub(super) fn swap_used_up(free_kb: u64, total_kb: u64) -> bool {
    total_kb > 0 && u128::from(free_kb) * 100 <= u128::from(total_kb)
}

/// Swap configured and used up: `Free swap` ≤ 1 % of `Total swap`, or a v2 cgroup's `swap:`
/// counter at its (finite, non-zero) limit.
fn swap_exhausted(report: &OomReport, found: &mut Found) {
    let meminfo = &report.meminfo;
    if let (Some(free_kb), Some(total_kb)) = (meminfo.swap_free_kb, meminfo.swap_total_kb) {
        if swap_used_up(free_kb, total_kb) {
            found.add(
                Factor::SwapExhausted { total_kb, free_kb },
                format!(
                    "Free swap = {free_kb}kB of Total swap = {total_kb}kB (≤ 1 %): swap is used up"
                ),
            );
        }
    }
    if let Some(swap) = report.memcg.swap {
        if swap.limit_kb > 0 && !swap.is_unlimited() && swap.usage_kb >= swap.limit_kb {
            found.add(
                Factor::SwapExhausted {
                    total_kb: swap.limit_kb,
                    free_kb: 0,
                },
                format!(
                    "swap: usage {}kB ≥ limit {}kB: the cgroup's swap is used up",
                    swap.usage_kb, swap.limit_kb
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {

    use crate::classify::testkit::{commands, Given};
    use crate::classify::{diagnose, Factor};
    use crate::report::OomReport;

    #[test]
    fn cgroup_v2_swap_counter_at_its_limit_is_swap_exhausted() {
        let full = Given::oom()
            .task_in("/a", "/a")
            .memory(10, 10, 1)
            .swap_counter(2048, 2048)
            .build();
        assert_eq!(
            diagnose(&full).factors,
            vec![Factor::SwapExhausted {
                total_kb: 2048,
                free_kb: 0
            }]
        );
        let room = Given::oom()
            .task_in("/a", "/a")
            .memory(10, 10, 1)
            .swap_counter(2047, 2048)
            .build();
        assert!(diagnose(&room).factors.is_empty());
    }

    fn host_with(ram_pages: u64, slab_pages: u64) -> OomReport {
        Given::oom()
            .mem_info(&[("slab_unreclaimable", slab_pages), ("free", 100)])
            .ram(ram_pages)
            .killed("Out of memory", 1, "x")
            .build()
    }

    #[test]
    fn slab_leak_needs_more_than_ten_percent_of_ram() {
        assert!(
            diagnose(&host_with(1000, 100)).factors.is_empty(),
            "exactly 10 % is not a leak"
        );
        assert_eq!(
            diagnose(&host_with(1000, 101)).factors,
            vec![Factor::SlabLeak {
                unreclaimable_kb: 404,
                total_kb: 4000
            }]
        );
        assert!(diagnose(&host_with(1000, 101))
            .remediation
            .iter()
            .any(|r| r.command.as_deref() == Some("sudo slabtop -o -s c | head -n 20")));
    }

    #[test]
    fn swap_exhausted_at_one_percent_free_or_less() {
        let swap = |free, total| {
            Given::oom()
                .swap(free, total)
                .killed("Out of memory", 1, "x")
                .build()
        };
        assert_eq!(
            diagnose(&swap(100, 10_000)).factors,
            vec![Factor::SwapExhausted {
                total_kb: 10_000,
                free_kb: 100
            }]
        );
        assert!(diagnose(&swap(101, 10_000)).factors.is_empty());
        assert!(
            diagnose(&swap(0, 0)).factors.is_empty(),
            "no swap configured"
        );
    }

    fn hugepage_host(reserved_pages: u64, managed_kb: u64) -> OomReport {
        Given::oom()
            .zone(Some(0), "Normal", 40_000, 45_000, 56_000, 67_000)
            .present_managed(managed_kb, managed_kb)
            .hugepages(0, reserved_pages, 0, 2048)
            .killed("Out of memory", 1, "x")
            .build()
    }

    #[test]
    fn hugepages_count_from_a_quarter_of_the_node() {
        // Node of 8 GiB: 1024 × 2 MiB = 2 GiB is exactly 25 %. The node is 16000kB below low:
        // releasing 8 pages of 2 MiB covers it.
        let quarter = diagnose(&hugepage_host(1024, 8 * 1024 * 1024));
        assert_eq!(
            quarter.factors,
            vec![Factor::HugepageReservation {
                node: Some(0),
                reserved_kb: 2 * 1024 * 1024,
                free_kb: 0
            }]
        );
        assert!(commands(&quarter).contains(&"sudo sh -c 'echo 1016 > /sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages'"));
        assert!(diagnose(&hugepage_host(1023, 8 * 1024 * 1024))
            .factors
            .is_empty());
    }

    #[test]
    fn hugepages_on_a_node_of_unknown_size_count_above_its_shortfall() {
        // Node 1 is 16000kB below low: 8 × 2 MiB is more, 7 × 2 MiB is not.
        let host = |pages| {
            Given::oom()
                .zone(Some(1), "Normal", 40_000, 45_000, 56_000, 67_000)
                .hugepages(1, pages, pages, 2048)
                .killed("Out of memory", 1, "x")
                .build()
        };
        assert!(matches!(
            diagnose(&host(8)).factors.as_slice(),
            [Factor::HugepageReservation {
                node: Some(1),
                reserved_kb: 16_384,
                free_kb: 16_384
            }]
        ));
        assert!(diagnose(&host(7)).factors.is_empty());
    }
}
