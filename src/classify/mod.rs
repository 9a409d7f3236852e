//! Where reports are classified: why memory ran out, the evidence for it, the factors that
//! contributed, and what to do about it.

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
    High,
    Medium,
    Low,
}

/// A contributing factor the figures show, beside the cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Factor {
    /// Huge pages reserved on the nodes at hand take memory the allocation cannot use.
    HugepageReservation {
        node: Option<u32>,
        reserved_kb: u64,
        free_kb: u64,
    },
    /// Unreclaimable slab above 10 % of memory: a likely kernel memory leak.
    SlabLeak {
        unreclaimable_kb: u64,
        total_kb: u64,
    },
    /// Swap was configured and is used up.
    SwapExhausted { total_kb: u64, free_kb: u64 },
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
    /// One line for a person: what happened and why.
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

/// Works out why memory ran out in `report`.
pub fn diagnose(report: &OomReport) -> Diagnosis {
    todo!("classify helper: {report:?}")
}
