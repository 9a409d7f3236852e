//! What a rule decides: the cause, how sure, the evidence, and the cause-specific finding the
//! sentence, the factors and the remediation read.

use std::collections::BTreeSet;

use super::{Cause, Confidence};

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
    pub(super) fn new(
        cause: Cause,
        confidence: Confidence,
        evidence: Vec<String>,
        finding: Finding,
    ) -> Self {
        Self {
            cause,
            confidence,
            evidence,
            finding,
            cgroup_version: None,
        }
    }
}
