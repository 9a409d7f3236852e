//! Contributing factors the figures show beside the cause: huge page reservations, an
//! unreclaimable slab leak, exhausted swap, and Kubernetes pod or container limits.

use std::collections::BTreeSet;

use super::cgroup::{kube_level, KubeLevel};
use super::explain::human_kb;
use super::rules::{Finding, Verdict};
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
