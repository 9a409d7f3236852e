//! Where reports are classified: why memory ran out, the evidence for it, the factors that
//! contributed, and what to do about it.

mod cgroup;
mod explain;
mod factors;
mod memcg;
mod remediation;
mod rules;
#[cfg(test)]
mod testkit;
mod zones;

use serde::Serialize;

use crate::report::OomReport;

/// Why the OOM killer ran (or the allocation failed). Exactly one per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The task's own memory cgroup hit its limit.
    CgroupLimit,
    /// An ancestor of the task's memory cgroup hit its limit.
    ParentCgroupLimit,
    /// The whole machine ran out of memory.
    HostOom,
    /// The nodes the task may use (cpuset, mempolicy) ran out while others had memory.
    NumaNodeOom,
    /// A high-order allocation failed for lack of large enough free blocks.
    Fragmentation,
    /// The OOM killer was invoked by hand (sysrq-f, `order=-1`) with memory not short.
    Manual,
    /// The log does not tell.
    Unknown,
}

/// How sure the classifier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The decisive figure is printed (the constraint and both memcg paths; zone watermarks
    /// and buddy lists).
    High,
    /// Inferred from partial evidence.
    Medium,
    /// Guessed from what little the log shows.
    Low,
}

/// A contributing factor the figures show, beside the cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Factor {
    /// Huge pages reserved on the nodes at hand take memory the allocation cannot use: at
    /// least 25 % of the node's managed memory, or (node size not printed) more than the
    /// node's shortfall below its low watermark.
    HugepageReservation {
        /// The node, one factor per node.
        node: Option<u32>,
        /// Every pool's `hugepages_total` × `hugepages_size` on the node.
        reserved_kb: u64,
        /// The part of it still unused (`hugepages_free` × size).
        free_kb: u64,
    },
    /// Unreclaimable slab above 10 % of memory: a likely kernel memory leak.
    SlabLeak {
        /// Mem-Info `slab_unreclaimable` pages × page size.
        unreclaimable_kb: u64,
        /// `pages RAM` × page size.
        total_kb: u64,
    },
    /// Swap was configured and is used up: free ≤ 1 % of total, or a v2 cgroup's `swap:`
    /// usage at its (finite, non-zero) limit.
    SwapExhausted {
        /// `Total swap`, or the cgroup's swap limit.
        total_kb: u64,
        /// `Free swap`, or 0 for a full cgroup swap counter.
        free_kb: u64,
    },
    /// The limit hit is a Kubernetes pod's (sum of its containers' limits), not a container's.
    KubernetesPodLimit { pod_cgroup: String },
    /// The limit hit is a Kubernetes container's own.
    KubernetesContainerLimit { container_cgroup: String },
}

/// One remediation step, made concrete for this report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remediation {
    /// What to do, in a sentence.
    pub action: String,
    /// The command to run, with the real cgroup path or node list filled in, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// The classifier's verdict on one report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    pub cause: Cause,
    pub confidence: Confidence,
    /// One line for a person: what happened and why, with the key figure; long hex ids in
    /// cgroup paths are shortened here only, never in the other fields.
    pub explanation: String,
    /// The figures and lines the verdict rests on, one per entry.
    pub evidence: Vec<String>,
    pub factors: Vec<Factor>,
    pub remediation: Vec<Remediation>,
    /// The cgroup whose limit was hit, for cgroup causes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limiting_cgroup: Option<String>,
    /// The NUMA nodes that ran out, for node OOMs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exhausted_nodes: Vec<u32>,
    /// `v1` or `v2`, where the report tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup_version: Option<&'static str>,
}

/// Works out why memory ran out in `report`. Never panics; a report that tells nothing
/// (even `OomReport::default()`) is `Cause::Unknown`.
///
/// The rules run in a fixed order, figures before keywords: a manual trigger (`order=-1`),
/// then any memory cgroup evidence (whatever the order), then for global OOMs and allocation
/// failures a NUMA restriction, fragmentation (order ≥ 1 with free memory in blocks too
/// small), a host-wide shortage, and finally `unknown`.
pub fn diagnose(report: &OomReport) -> Diagnosis {
    let verdict = rules::decide(report);
    let (factors, factor_evidence) = factors::factors(report, &verdict);
    let remediation = remediation::remediation(report, &verdict, &factors);
    let explanation = explain::sentence(report, &verdict);
    let (limiting_cgroup, exhausted_nodes) = match &verdict.finding {
        rules::Finding::Memcg(finding) => (finding.limiting.clone(), Vec::new()),
        rules::Finding::Numa(finding) => (None, finding.exhausted.iter().copied().collect()),
        _ => (None, Vec::new()),
    };
    let mut evidence = verdict.evidence;
    evidence.extend(factor_evidence);
    Diagnosis {
        cause: verdict.cause,
        confidence: verdict.confidence,
        explanation,
        evidence,
        factors,
        remediation,
        limiting_cgroup,
        exhausted_nodes,
        cgroup_version: verdict.cgroup_version,
    }
}
