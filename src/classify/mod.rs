//! Where reports are classified: why memory ran out, the evidence for it, the factors that
//! contributed, and what to do about it.

mod cgroup;
mod explain;
mod factors;
mod fragmentation;
mod gfp_zone;
mod global;
mod memcg;
mod nodes;
mod numa;
mod remediation;
mod rules;
#[cfg(test)]
mod testkit;
mod trace;
mod verdict;
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

/// For each zone of `report.meminfo.zones`, in order: the `lowmem_reserve` in kB that the
/// zone keeps back from the report's allocation (its entry for the allocation's highest zone,
/// from the GFP mask), the figure the watermark checks of [`diagnose`] add to `min` and
/// `low`. `None` for a zone the allocation may not use, or without a `lowmem_reserve[]` line.
pub fn allocation_reserve_kb(report: &OomReport) -> Vec<Option<u64>> {
    zones::allocation_reserve_kb(report)
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
        verdict::Finding::Memcg(finding) => (finding.limiting.clone(), Vec::new()),
        verdict::Finding::Numa(finding) => (None, finding.exhausted.iter().copied().collect()),
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

#[cfg(test)]
mod tests {

    use super::testkit::{assert_evidence, commands, has_evidence, Given};
    use super::*;

    const POD_017: &str = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice";
    const CONTAINER_017: &str =
        "cri-containerd-25a38b5b8d556d7983d975577f5ac75ebbcfb4b269e6deaa0a0440c1ffc969ca.scope";

    // ---- the seed document's five examples and its header-only excerpt ----

    #[test]
    fn default_report_is_unknown_without_panicking() {
        let diagnosis = diagnose(&OomReport::default());
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert!(diagnosis.factors.is_empty());
        assert!(!diagnosis.remediation.is_empty());
        assert!(diagnosis.explanation.contains("does not show why"));
    }

    #[test]
    fn extreme_and_damaged_figures_do_not_panic() {
        use crate::report::{BuddyList, BuddyOrder, PageCounter, ZoneState, ZoneWatermarks};
        let max = u64::MAX;
        for order in [i32::MIN, -1, 0, 1, 11, 64, i32::MAX] {
            let mut report = Given::oom()
                .header("ünï\u{0}", u32::MAX, "0x", &["", "GFP_DMA"], order)
                .nodemask("0-99999999")
                .cpuset("", "x-y")
                .summary(
                    "constraint=,nodemask=,cpuset=,mems_allowed=3-1,oom_memcg=,task_memcg=////",
                )
                .task_in("ab", "/")
                .memory(max, max, max)
                .memory_swap(max, 1 << 50)
                .swap_counter(max, 0)
                .stats("", &[("rss", max), ("cache", max)])
                .stats("/kubepods/pod/", &[])
                .mem_info(&[("free", max), ("slab_unreclaimable", max)])
                .zone(Some(u32::MAX), "", max, max, max, max)
                .reserve(&[max; 9])
                .zone(None, "Normal", max, 0, 0, 0)
                .hugepages(u32::MAX, max, max, max)
                .swap(max, max)
                .ram(max)
                .task(1, max, "")
                .killed("", 0, "")
                .build();
            report.meminfo.page_size_kb = Some(max);
            report.meminfo.zones.push(ZoneState {
                zone: "DMA".into(),
                watermarks: Some(ZoneWatermarks {
                    free_kb: 0,
                    min_kb: max,
                    low_kb: max,
                    high_kb: 0,
                }),
                buddy: Some(BuddyList {
                    orders: vec![
                        BuddyOrder {
                            block_kb: 0,
                            count: max,
                            migrate_types: "(H)".into(),
                        },
                        BuddyOrder {
                            block_kb: max,
                            count: max,
                            migrate_types: String::new(),
                        },
                    ],
                    total_kb: Some(max),
                }),
                ..ZoneState::default()
            });
            report.memcg.kmem = Some(PageCounter {
                usage_kb: 0,
                limit_kb: 0,
                failcnt: 0,
            });
            let diagnosis = diagnose(&report);
            assert!(!diagnosis.explanation.is_empty());
            let _ = serde_json::to_string(&diagnosis).unwrap();
        }
    }

    #[test]
    fn huge_figures_on_a_cpuset_node_do_not_overflow() {
        let max = u64::MAX;
        let report = Given::oom()
            .summary("constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=a,mems_allowed=0")
            .mem_info(&[("free", max)])
            .zone(Some(0), "DMA32", max, max, max, max)
            .present_managed(max, max)
            .zone(Some(0), "Normal", max, max, max, max)
            .present_managed(max, max)
            .hugepages(0, max, max, max)
            .hugepages(0, max, max, max)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert_eq!(diagnosis.exhausted_nodes, vec![0]);
    }

    #[test]
    fn seed_0_header_only_is_unknown() {
        let report = Given::oom()
            .header(
                "test",
                29748,
                "0x62****",
                &["GFP_HIGHUSER_MOVABLE", "__GFP_ZERO"],
                0,
            )
            .nodemask("(null)")
            .cpuset("/", "0")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Unknown);
        assert_evidence(&diagnosis, "only the header is shown: order=0, gfp_mask=0x62****, nodemask=(null), cpuset=/ mems_allowed=0");
        assert_eq!(
            diagnosis.explanation,
            "The OOM killer ran for test (pid 29748); the log does not show why memory ran out."
        );
    }

    fn seed_1() -> OomReport {
        let mut report = Given::oom()
            .header("test", 0, "0x240****", &["GFP_KERNEL"], 0)
            .nodemask("0")
            .task_in("/mm_test", "/mm_test")
            .memory(204_800, 204_800, 26)
            .build();
        report.trigger.pid = None;
        report
    }

    #[test]
    fn seed_1_task_in_equals_limit_is_cgroup_limit() {
        let diagnosis = diagnose(&seed_1());
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.limiting_cgroup.as_deref(), Some("/mm_test"));
        assert_eq!(diagnosis.cgroup_version, Some("v1"));
        assert_evidence(&diagnosis, "limit of = Task in = /mm_test");
        assert_evidence(
            &diagnosis,
            "memory: usage 204800kB = limit 204800kB (failcnt 26)",
        );
        assert_eq!(
            diagnosis.explanation,
            "The OOM killer ran for test because cgroup /mm_test reached its limit of 200.0 MiB."
        );
        assert!(
            diagnosis.exhausted_nodes.is_empty(),
            "nodemask=0 of a memcg OOM is no node OOM"
        );
    }

    #[test]
    fn seed_1_remediation_writes_the_v1_limit_file() {
        let diagnosis = diagnose(&seed_1());
        // 204800kB × 1.5 = 300 MiB.
        assert!(commands(&diagnosis).contains(
            &"sudo sh -c 'echo 314572800 > /sys/fs/cgroup/memory/mm_test/memory.limit_in_bytes'"
        ));
        assert!(!commands(&diagnosis)
            .iter()
            .any(|c| c.contains("memory.max")));
        assert!(diagnosis
            .remediation
            .iter()
            .any(|r| r.action.contains("instance type with more memory")));
    }

    #[test]
    fn seed_2_task_below_limit_is_parent_cgroup_limit() {
        let report = Given::oom()
            .header("test", 1, "0x240****", &["GFP_KERNEL"], 0)
            .nodemask("0")
            .task_in("/mm_test/2", "/mm_test")
            .memory(204_800, 204_800, 1607)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.limiting_cgroup.as_deref(), Some("/mm_test"));
        assert_evidence(
            &diagnosis,
            "limit of /mm_test is an ancestor of Task in /mm_test/2",
        );
        assert!(diagnosis
            .explanation
            .contains("(task cgroup /mm_test/2 is below it)"));
    }

    #[test]
    fn seed_3_limit_of_host_below_min_is_host_oom() {
        let report = Given::oom()
            .header(
                "test",
                1,
                "0x62****",
                &["GFP_HIGHUSER_MOVABLE", "__GFP_ZERO"],
                0,
            )
            .nodemask("(null)")
            .task_in("/user.slice", "host")
            .zone(Some(0), "DMA32", 155_160, 152_412, 190_512, 228_612)
            .zone(Some(0), "Normal", 46_592, 46_712, 58_388, 70_064)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.limiting_cgroup, None);
        assert_evidence(&diagnosis, "limit of host: a global (host) OOM");
        assert_evidence(&diagnosis, "Node 0 Normal free 46592kB < min 46712kB");
        assert_evidence(
            &diagnosis,
            "Node 0 DMA32 free 155160kB > min 152412kB but < low 190512kB",
        );
        assert_eq!(
            diagnosis.explanation,
            "The OOM killer ran for test (pid 1) because the machine ran out of memory (Node 0 Normal free 46592kB < min 46712kB < low 58388kB)."
        );
        assert!(commands(&diagnosis).contains(&"grep SUnreclaim /proc/meminfo"));
        assert!(commands(&diagnosis).contains(&"grep RssAnon /proc/1/status"));
        assert!(commands(&diagnosis).contains(&"cat /sys/kernel/mm/transparent_hugepage/enabled"));
    }

    fn seed_4() -> OomReport {
        Given::oom()
            .header("main", 1, "0x62****", &["GFP_HIGHUSER_MOVABLE", "__GFP_ZERO"], 0)
            .nodemask("(null)")
            .cpuset("mm_cpuset", "1")
            .task_in("/", "host")
            .mem_info(&[("active_anon", 172), ("inactive_anon", 4_518_735), ("free", 4_111_496), ("free_pcp", 1), ("free_cma", 0)])
            .zone(Some(1), "Normal", 43_636, 45_148, 441_424, 837_700)
            .buddy(Some(1), "Normal", "856*4kB (UME) 375*8kB (UME) 183*16kB (UME) 184*32kB (UME) 87*64kB (ME) 45*128kB (UME) 16*256kB (UME) 5*512kB (UE) 14*1024kB (UME) 0*2048kB 0*4096kB = 47560kB")
            .hugepages(0, 360, 360, 1_048_576)
            .hugepages(0, 0, 0, 2048)
            .hugepages(1, 360, 360, 1_048_576)
            .hugepages(1, 0, 0, 2048)
            .build()
    }

    #[test]
    fn seed_4_cpuset_node_below_low_while_machine_has_memory_is_numa_node_oom() {
        let diagnosis = diagnose(&seed_4());
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.exhausted_nodes, vec![1]);
        assert_evidence(
            &diagnosis,
            "mems_allowed=1 (cpuset mm_cpuset) is a strict subset of the NUMA nodes seen (0-1)",
        );
        assert_evidence(
            &diagnosis,
            "Node 1 Normal free 43636kB < min 45148kB < low 441424kB",
        );
        assert_evidence(
            &diagnosis,
            "Mem-Info free:4111496 pages (15.7 GiB) machine-wide",
        );
        assert_eq!(
            diagnosis.explanation,
            "The OOM killer ran for main (pid 1) because NUMA node 1 allowed by cpuset mm_cpuset ran out of memory (Node 1 Normal free 43636kB < min 45148kB < low 441424kB) while the machine had 15.7 GiB free."
        );
    }

    #[test]
    fn seed_4_hugepages_reserved_on_the_node_are_a_factor() {
        let diagnosis = diagnose(&seed_4());
        assert_eq!(
            diagnosis.factors,
            vec![Factor::HugepageReservation {
                node: Some(1),
                reserved_kb: 360 * 1_048_576,
                free_kb: 360 * 1_048_576
            }]
        );
        assert_evidence(
            &diagnosis,
            "Node 1 reserves 360 × 1048576kB = 360.0 GiB of huge pages",
        );
        assert_evidence(&diagnosis, "more than the node's shortfall of 397788kB");
        assert!(commands(&diagnosis).contains(
            &"sudo sh -c 'echo 359 > /sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages'"
        ));
    }

    #[test]
    fn seed_4_remediation_allows_all_nodes_in_the_cpuset() {
        let diagnosis = diagnose(&seed_4());
        let commands = commands(&diagnosis);
        assert!(commands.contains(&"cat /proc/buddyinfo"));
        assert!(commands
            .contains(&"sudo sh -c 'echo 0-1 > /sys/fs/cgroup/cpuset/mm_cpuset/cpuset.mems'"));
    }

    #[test]
    fn seed_5_order3_without_32k_blocks_is_fragmentation() {
        let report = Given::oom()
            .header("insmod", 1, "0x60****", &["GFP_KERNEL"], 3)
            .nodemask("(null)")
            .cpuset("/", "0")
            .task_in("/user.slice", "host")
            .zone(Some(0), "Normal", 23_500, 15_892, 19_864, 23_836)
            .present_managed(917_504, 852_784)
            .buddy(Some(0), "Normal", "1325*4kB (UME) 966*8kB (UME) 675*16kB (UME) 0*32kB (M) 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Fragmentation);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_evidence(&diagnosis, "order=3 allocation; Node 0 Normal has no free block ≥ 32kB (free 23500kB > low 19864kB)");
        assert!(
            diagnosis.explanation.contains("order-3 (32kB) allocation"),
            "{}",
            diagnosis.explanation
        );
        assert!(commands(&diagnosis).contains(&"sudo sh -c 'echo 1 > /proc/sys/vm/compact_memory'"));
    }

    // ---- the corpus logs ----

    #[test]
    fn corpus_002_constraint_cpuset_is_numa_node_oom() {
        let report = Given::oom()
            .summary("constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=test,mems_allowed=0,global_oom,task_memcg=/user.slice/user-0.slice/session-4.scope,task=memkiller,pid=1968,uid=0")
            .killed("Out of memory", 1968, "memkiller")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.exhausted_nodes, vec![0]);
        assert_evidence(
            &diagnosis,
            "constraint=CONSTRAINT_CPUSET, cpuset=test, mems_allowed=0",
        );
        assert!(diagnosis.explanation.starts_with(
            "memkiller (pid 1968) was killed because NUMA node 0 allowed by cpuset test ran out"
        ));
        // Other nodes are not shown: allow every online node; the v2 cgroup is not named.
        assert!(commands(&diagnosis).contains(
            &"sudo sh -c 'cat /sys/devices/system/node/online > /sys/fs/cgroup/cpuset/test/cpuset.mems'"
        ));
    }

    #[test]
    fn corpus_003_abridged_constraint_cpuset_is_numa_node_oom() {
        let mut report = Given::oom()
            .task(13432, 786_745, "mem_on_node1")
            .task(13457, 785_504, "mem_on_node0")
            .summary("constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=test,mems_allowed=0")
            .killed("Out of memory", 13432, "mem_on_node1")
            .build();
        report.trigger.comm = Some("mem_on_node0".into());
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert_eq!(diagnosis.exhausted_nodes, vec![0]);
    }

    fn corpus_004() -> OomReport {
        Given::oom()
            .header("Xorg", 2119, "0x24040c0", &["GFP_KERNEL", "__GFP_COMP"], 3)
            .cpuset("/", "0")
            .stack(&["dump_stack", "dump_header", "oom_kill_process", "out_of_memory", "? find_next_bit", "__alloc_pages_nodemask", "alloc_pages_current", "alloc_kmem_pages", "kmalloc_order_trace", "__kmalloc", "nvkms_alloc"])
            .mem_info(&[("active_anon", 861_397), ("inactive_anon", 23_397), ("active_file", 146_274), ("inactive_file", 144_248), ("slab_reclaimable", 697_630), ("slab_unreclaimable", 24_397), ("free", 25_159)])
            .zone(Some(0), "DMA", 15_516, 136, 168, 200)
            .present_managed(15_984, 15_900)
            .reserve(&[0, 3196, 7658, 7658])
            .zone(Some(0), "DMA32", 45_980, 28_148, 35_184, 42_220)
            .present_managed(3_617_864, 3_280_092)
            .reserve(&[0, 0, 4462, 4462])
            .zone(Some(0), "Normal", 39_140, 39_296, 49_120, 58_944)
            .present_managed(4_702_208, 4_569_312)
            .reserve(&[0, 0, 0, 0])
            .buddy(Some(0), "DMA", "1*4kB (U) 1*8kB (U) 1*16kB (U) 0*32kB 2*64kB (U) 0*128kB 0*256kB 0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15516kB")
            .buddy(Some(0), "DMA32", "11569*4kB (UME) 50*8kB (M) 2*16kB (M) 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 46708kB")
            .buddy(Some(0), "Normal", "9282*4kB (UE) 0*8kB 4*16kB (H) 2*32kB (H) 3*64kB (H) 1*128kB (H) 2*256kB (H) 2*512kB (H) 0*1024kB 0*2048kB 0*4096kB = 39112kB")
            .hugepages(0, 0, 0, 1_048_576)
            .hugepages(0, 0, 0, 2048)
            .swap(0, 0)
            .ram(2_084_014)
            .task(2866, 219_730, "chromium")
            .task(9185, 164_602, "chromium")
            .killed("Out of memory", 9185, "chromium")
            .build()
    }

    #[test]
    fn corpus_004_order3_dma32_without_large_blocks_is_fragmentation() {
        let diagnosis = diagnose(&corpus_004());
        assert_eq!(diagnosis.cause, Cause::Fragmentation);
        assert_evidence(&diagnosis, "order=3 allocation; Node 0 DMA32 has no free block ≥ 32kB (free 45980kB > low 35184kB)");
        // 4.7 prints no reserved_highatomic: the (H) blocks are its floor, and not free for GFP_KERNEL.
        assert_evidence(&diagnosis, "Node 0 Normal free 39140kB (free (H) blocks, at least 1984kB of it only high-order atomic allocations may use), usable free 37156kB < min 39296kB < low 49120kB; its only free blocks ≥ 32kB are reserved (highatomic/CMA): 1920kB");
        // Normal-zone allocations see DMA32 through lowmem_reserve[2] = 4462 pages: the
        // fragmented zone is also short by the kernel's own arithmetic, so not High.
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(&diagnosis, "Node 0 DMA32 free 45980kB > min 28148kB, but min + lowmem_reserve 4462 pages (17848kB) = 45996kB > free");
        assert!(diagnosis.factors.is_empty(), "{:?}", diagnosis.factors);
        assert_eq!(
            diagnosis.explanation,
            "chromium (pid 9185) was killed because an order-3 (32kB) allocation by Xorg (pid 2119) failed for lack of a free block that large: Node 0 DMA32 had 45980kB free, above low 35184kB, but no free block of 32kB or larger."
        );
    }

    #[test]
    fn corpus_006_pod_slice_above_container_scope_is_parent_cgroup_limit() {
        let pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice";
        let container =
            "cri-containerd-f69706726f784bfb90a8a6378a41d684f1ed23508ef32ba586e477509f121867.scope";
        let report = Given::oom()
            .summary(&format!("constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset={container},mems_allowed=0,oom_memcg={pod},task_memcg={pod}/{container},task=python,pid=988370,uid=0"))
            .killed("Memory cgroup out of memory", 988_370, "python")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.limiting_cgroup.as_deref(), Some(pod));
        assert_eq!(
            diagnosis.cgroup_version, None,
            "no counters: the version is not shown"
        );
        assert_eq!(
            diagnosis.factors,
            vec![Factor::KubernetesPodLimit {
                pod_cgroup: pod.into()
            }]
        );
        assert_evidence(
            &diagnosis,
            &format!("oom_memcg {pod} is an ancestor of task_memcg {pod}/{container}"),
        );
        assert_evidence(&diagnosis, "sum of the container limits");
        assert_eq!(
            diagnosis.explanation,
            "python (pid 988370) was killed because Kubernetes pod cgroup /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b….slice reached its limit (task cgroup /kubepods.slice/…/cri-containerd-f697….scope is below it)."
        );
        // Kubernetes: change the pod spec, never the kubelet's cgroup files.
        assert!(commands(&diagnosis)
            .iter()
            .any(|c| c.starts_with("kubectl get pods -A")
                && c.ends_with("grep 233b806c-04ce-433c-9e64-cf4c323e6c16")));
        assert!(!commands(&diagnosis)
            .iter()
            .any(|c| c.contains("/sys/fs/cgroup")));
    }

    fn corpus_008() -> OomReport {
        Given::oom()
            .header("irqbalance", 2992, "0x24280ca", &["GFP_HIGHUSER_MOVABLE", "__GFP_ZERO"], 0)
            .nodemask("0-1")
            .cpuset("/", "0-1")
            .stack(&["? dump_stack", "? dump_header.isra.20", "? oom_kill_process", "? out_of_memory", "? __alloc_pages_slowpath", "? __alloc_pages_nodemask"])
            .mem_info(&[("active_file", 6_752_598), ("inactive_file", 999_166), ("slab_reclaimable", 203_122), ("slab_unreclaimable", 202_102), ("free", 39_250)])
            .node_state(0, true)
            .node_state(1, true)
            .zone(Some(0), "Normal", 44_968, 45_192, 61_736, 78_280)
            .present_managed(16_777_216, 16_546_296)
            .reserve(&[0, 0, 0, 0])
            .zone(Some(1), "DMA", 15_896, 40, 52, 64)
            .present_managed(15_996, 15_896)
            .reserve(&[0, 3216, 16045, 16045])
            .zone(Some(1), "DMA32", 60_288, 8_996, 12_288, 15_580)
            .present_managed(3_378_660, 3_304_640)
            .reserve(&[0, 0, 12828, 12828])
            .zone(Some(1), "Normal", 35_848, 35_880, 49_016, 62_152)
            .present_managed(13_369_344, 13_136_800)
            .reserve(&[0, 0, 0, 0])
            .buddy(Some(0), "Normal", "11132*4kB (UMH) 31*8kB (H) 12*16kB (H) 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 44968kB")
            .buddy(Some(1), "DMA", "0*4kB 1*8kB (U) 1*16kB (U) 0*32kB 2*64kB (U) 1*128kB (U) 1*256kB (U) 0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15896kB")
            .buddy(Some(1), "DMA32", "14990*4kB (UME) 41*8kB (UM) 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 60288kB")
            .buddy(Some(1), "Normal", "8958*4kB (M) 2*8kB (M) 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 35848kB")
            .hugepages(0, 0, 0, 1_048_576)
            .hugepages(1, 0, 0, 1_048_576)
            .swap(48_055_104, 48_300_028)
            .ram(8_385_304)
            .task(3714, 15_661, "dsm_om_connsvcd")
            .killed("Out of memory", 3714, "dsm_om_connsvcd")
            .build()
    }

    #[test]
    fn corpus_008_numa2_below_min_everywhere_is_host_oom() {
        let diagnosis = diagnose(&corpus_008());
        assert_eq!(
            diagnosis.cause,
            Cause::HostOom,
            "nodemask 0-1 covers every node: not a node OOM"
        );
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert!(diagnosis.exhausted_nodes.is_empty());
        assert_evidence(&diagnosis, "Node 0 Normal free 44968kB (free (H) blocks, at least 444kB of it only high-order atomic allocations may use), usable free 44524kB < min 45192kB");
        assert_evidence(&diagnosis, "Node 1 Normal free 35848kB < min 35880kB");
        assert_evidence(&diagnosis, "Node 1 DMA32 free 60288kB > min 8996kB, but min + lowmem_reserve 12828 pages (51312kB) = 60308kB > free");
        assert_evidence(&diagnosis, "Node 1 all_unreclaimable? yes");
        assert!(diagnosis.factors.is_empty(), "{:?}", diagnosis.factors);
    }

    #[test]
    fn corpus_009_docker_v1_own_limit_is_cgroup_limit() {
        let path = "/docker/34186d9bd07706222bd427bb647ceed81e8e108eb653ff73c7137099fca1cab6";
        let report = Given::oom()
            .header("main", 11345, "0x24000c0", &[], 0)
            .cpuset(
                "34186d9bd07706222bd427bb647ceed81e8e108eb653ff73c7137099fca1cab6",
                "0",
            )
            .stack(&[
                "dump_stack",
                "dump_header",
                "oom_kill_process",
                "? mem_cgroup_iter",
                "mem_cgroup_out_of_memory",
                "mem_cgroup_oom_synchronize",
                "pagefault_out_of_memory",
            ])
            .task_in(path, path)
            .memory(204_800, 204_800, 4563)
            .memory_swap(0, 9_007_199_254_740_988)
            .kmem(7524, 9_007_199_254_740_988)
            .stats(
                path,
                &[
                    ("cache", 108 * 1024),
                    ("rss", 197_168 * 1024),
                    ("rss_huge", 0),
                ],
            )
            .task(10517, 4784, "go")
            .task(11344, 46_185, "main")
            .killed("Memory cgroup out of memory", 11344, "main")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.cgroup_version, Some("v1"));
        assert_evidence(&diagnosis, "call trace: mem_cgroup_out_of_memory");
        assert!(
            !has_evidence(&diagnosis, "swap is disabled"),
            "memory+swap is unlimited"
        );
        assert!(
            diagnosis
                .explanation
                .contains("cgroup /docker/3418… reached its limit of 200.0 MiB"),
            "{}",
            diagnosis.explanation
        );
        let commands = commands(&diagnosis);
        assert!(commands.contains(&"docker update --memory 314572800 34186d9bd077"));
        assert!(commands.contains(
            &format!(
                "sudo sh -c 'echo 314572800 > /sys/fs/cgroup/memory{path}/memory.limit_in_bytes'"
            )
            .as_str()
        ));
    }

    #[test]
    fn corpus_011_docker_v1_rejoined_task_in_is_cgroup_limit() {
        let path = "/docker/0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53";
        let report = Given::oom()
            .header("java", 27424, "0x14000c0", &["GFP_KERNEL"], 0)
            .nodemask("(null)")
            .cpuset(
                "0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53",
                "0",
            )
            .stack(&[
                "dump_stack",
                "dump_header",
                "oom_kill_process",
                "out_of_memory",
                "mem_cgroup_out_of_memory",
                "mem_cgroup_oom_synchronize",
                "? mem_cgroup_css_online",
                "pagefault_out_of_memory",
            ])
            .task_in(path, path)
            .memory(524_288, 524_288, 77)
            .memory_swap(0, 9_007_199_254_740_988)
            .kmem(3708, 9_007_199_254_740_988)
            .stats(
                path,
                &[
                    ("cache", 0),
                    ("rss", 520_580 * 1024),
                    ("rss_huge", 450_560 * 1024),
                ],
            )
            .task(27281, 134_371, "java")
            .killed("Memory cgroup out of memory", 27281, "java")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.limiting_cgroup.as_deref(), Some(path));
        assert_evidence(
            &diagnosis,
            "memory: usage 524288kB = limit 524288kB (failcnt 77)",
        );
        assert!(diagnosis
            .explanation
            .starts_with("java (pid 27281) was killed"));
    }

    #[test]
    fn corpus_013_order2_dma_allocation_failure_is_fragmentation() {
        let report = Given::alloc_failure()
            .header("sManagerService", 1361, "0x2000d1", &[], 2)
            .release("4.1.18-g09f547b")
            .stack(&["dump_backtrace", "show_stack", "dump_stack", "warn_alloc_failed", "__alloc_pages_nodemask", "alloc_kmem_pages_node", "copy_process.part.46", "do_fork", "SyS_clone"])
            .mem_info(&[("active_anon", 491_074), ("inactive_anon", 118_072), ("slab_reclaimable", 11_788), ("slab_unreclaimable", 28_068), ("free", 118_678)])
            .zone(None, "DMA", 470_628, 6800, 29_116, 30_816)
            .present_managed(3_446_780, 3_307_056)
            .reserve(&[0, 415, 415])
            .zone(None, "Normal", 4084, 872, 3740, 3960)
            .present_managed(524_288, 425_480)
            .reserve(&[0, 0, 0])
            .buddy(None, "DMA", "68324*4kB (UEM) 24706*8kB (UER) 2*16kB (U) 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 470976kB")
            .buddy(None, "Normal", "270*4kB (UMR) 82*8kB (UMR) 48*16kB (MR) 25*32kB (R) 12*64kB (R) 2*128kB (R) 1*256kB (R) 0*512kB 0*1024kB 0*2048kB 0*4096kB = 4584kB")
            .swap(0, 524_284)
            .ram(992_767)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Fragmentation);
        assert_eq!(
            diagnosis.confidence,
            Confidence::High,
            "{:#?}",
            diagnosis.evidence
        );
        assert_evidence(&diagnosis, "order=2 allocation; DMA free 470628kB > low 29116kB, but only 32kB of it is in blocks ≥ 16kB");
        assert_evidence(
            &diagnosis,
            "orders 0-1, -82 pages remain ≤ min 6800kB halved per order (425 pages)",
        );
        assert!(
            !has_evidence(&diagnosis, "Normal free 4084kB"),
            "GFP_DMA cannot use Normal"
        );
        assert_eq!(
            diagnosis.factors,
            vec![Factor::SwapExhausted {
                total_kb: 524_284,
                free_kb: 0
            }]
        );
        assert_eq!(
            diagnosis.explanation,
            "An order-2 (16kB) allocation by sManagerService (pid 1361) failed for lack of a free block that large: DMA had 470628kB free, above low 29116kB, but only 32kB of it in blocks of 16kB or larger."
        );
    }

    #[test]
    fn corpus_015_global_summary_without_figures_is_host_oom_medium() {
        let report = Given::oom()
            .task(12041, 14_572, "/home/alex/farm")
            .summary("constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/monit.service,task=/home/alex/farm,pid=12041,uid=1000")
            .killed("Out of memory", 12041, "/home/alex/farm")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_eq!(
            diagnosis.limiting_cgroup, None,
            "task_memcg of a global OOM is no limit"
        );
        assert_evidence(
            &diagnosis,
            "oom-kill: constraint=CONSTRAINT_NONE, global_oom",
        );
        assert_evidence(&diagnosis, "kill message `Out of memory`");
    }

    fn corpus_017() -> OomReport {
        Given::oom()
            .header("stress-ng-vm", 183_960, "0x1100cca", &["GFP_HIGHUSER_MOVABLE"], 0)
            .stack(&["show_stack", "dump_stack_lvl", "dump_stack", "dump_header", "oom_kill_process.cold", "out_of_memory", "mem_cgroup_out_of_memory", "try_charge_memcg", "? kernel_init_free_pages.part.0", "charge_memcg", "__mem_cgroup_charge"])
            .memory(102_400, 102_400, 6402)
            .swap_counter(0, 9_007_199_254_740_988)
            .stats(POD_017, &[("anon", 98_742_272), ("file", 2_469_888), ("kernel_stack", 131_072), ("workingset_restore_anon", 0)])
            .task(181_505, 1, "pause")
            .task(181_537, 1835, "nginx")
            .task(183_960, 23_376, "stress-ng-vm")
            .summary(&format!("constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset={CONTAINER_017},mems_allowed=0,oom_memcg={POD_017},task_memcg={POD_017}/{CONTAINER_017},task=stress-ng-vm,pid=183960,uid=0"))
            .killed("Memory cgroup out of memory", 183_960, "stress-ng-vm")
            .build()
    }

    #[test]
    fn corpus_017_aks_pod_slice_is_parent_cgroup_limit_v2() {
        let diagnosis = diagnose(&corpus_017());
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.cgroup_version, Some("v2"));
        assert_eq!(diagnosis.limiting_cgroup.as_deref(), Some(POD_017));
        assert_eq!(
            diagnosis.factors,
            vec![Factor::KubernetesPodLimit {
                pod_cgroup: POD_017.into()
            }]
        );
        assert_evidence(
            &diagnosis,
            "memory: usage 102400kB = limit 102400kB (failcnt 6402)",
        );
        assert!(
            !diagnosis
                .factors
                .iter()
                .any(|f| matches!(f, Factor::SwapExhausted { .. })),
            "unlimited swap is not exhausted"
        );
        assert_eq!(
            diagnosis.explanation,
            "stress-ng-vm (pid 183960) was killed because Kubernetes pod cgroup /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931….slice reached its limit of 100.0 MiB (task cgroup /kubepods.slice/…/cri-containerd-25a3….scope is below it)."
        );
        assert!(diagnosis.remediation.iter().any(|r| r.action.contains(
            "resources.limits.memory of the containers of pod 5931aa75-4603-4e65-b552-7c71cf55cfb5"
        )));
    }

    #[test]
    fn corpus_018_grepped_pod_parent_is_parent_cgroup_limit() {
        let pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod94eb36cd_29e1_478b_b365_4cb5dfc7d6fb.slice";
        let container =
            "cri-containerd-46b3e0a4df44b752b841aecca454e6e78995d567912a84950390bae6f6777a63.scope";
        let mut report = Given::oom()
            .header("Thread-2", 0, "0xcc0", &["GFP_KERNEL"], 0)
            .stack(&["oom_kill_process", "out_of_memory", "mem_cgroup_out_of_memory", "__mem_cgroup_charge"])
            .memory(4_194_304, 4_194_304, 1_273_284)
            .stats(pod, &[])
            .summary(&format!("constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset={container},mems_allowed=0,oom_memcg={pod},task_memcg={pod}/{container},task=node,pid=22609,uid=0"))
            .killed("Memory cgroup out of memory", 22609, "node")
            .build();
        report.trigger.pid = None;
        report.trigger.oom_score_adj = Some(969);
        report.oom_group = Some(format!("{pod}/{container}"));
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.cgroup_version, Some("v2"));
        assert!(
            diagnosis
                .explanation
                .contains("reached its limit of 4.0 GiB"),
            "{}",
            diagnosis.explanation
        );
    }

    #[test]
    fn corpus_023_k8s_v1_container_scope_own_limit_swap_disabled() {
        let pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0330b2c1_a15b_4cdd_b5e5_72d4a90bee82.slice";
        let path = format!(
            "{pod}/docker-b27201334a41cd0749d053b18378d7ea65617b8e26277197ea25c974da1a5a8a.scope"
        );
        let report = Given::oom()
            .task_in(&path, &path)
            .memory(1_048_576, 1_048_576, 189)
            .memory_swap(1_048_576, 1_048_576)
            .kmem(0, 9_007_199_254_740_988)
            .stats(
                &path,
                &[("cache", 24 * 1024), ("rss", 1_048_552 * 1024), ("swap", 0)],
            )
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.cgroup_version, Some("v1"));
        assert_eq!(
            diagnosis.factors,
            vec![Factor::KubernetesContainerLimit {
                container_cgroup: path.clone()
            }]
        );
        assert_evidence(
            &diagnosis,
            "memory+swap: limit 1048576kB = memory limit: swap is disabled for this cgroup",
        );
        assert!(diagnosis.explanation.starts_with("The OOM killer ran because Kubernetes container cgroup /kubepods.slice/…/docker-b272….scope reached its limit of 1.0 GiB"), "{}", diagnosis.explanation);
        assert!(diagnosis.remediation.iter().any(|r| r.action.contains("container b27201334a41cd0749d053b18378d7ea65617b8e26277197ea25c974da1a5a8a in pod 0330b2c1-a15b-4cdd-b5e5-72d4a90bee82") && r.action.contains("e.g. to 1536Mi")));
        assert!(!commands(&diagnosis)
            .iter()
            .any(|c| c.contains("/sys/fs/cgroup") || c.starts_with("docker")));
    }

    #[test]
    fn corpus_024_rhel7_container_stats_without_pause_is_cgroup_limit_medium() {
        let path = "/kubepods/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e/6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b";
        let mut report = Given::oom()
            .stats(
                path,
                &[
                    ("cache", 32 * 1024),
                    ("rss", 524_188 * 1024),
                    ("rss_huge", 370_688 * 1024),
                    ("swap", 524_356 * 1024),
                ],
            )
            .task(28438, 119_961, "java")
            .killed("Memory cgroup out of memory", 28438, "java")
            .build();
        report.selected = Some(crate::report::SelectedTask {
            pid: 24572,
            comm: "java".into(),
            score: Some(0),
        });
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_eq!(diagnosis.limiting_cgroup.as_deref(), Some(path));
        assert_eq!(diagnosis.cgroup_version, Some("v1"));
        assert_evidence(
            &diagnosis,
            "the task table lists only java and no pause process",
        );
        assert_eq!(
            diagnosis.factors,
            vec![Factor::KubernetesContainerLimit {
                container_cgroup: path.into()
            }]
        );
    }

    #[test]
    fn corpus_024_variant_with_pause_in_the_table_is_the_pod_limit() {
        let path = "/kubepods/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e/6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b";
        let report = Given::oom()
            .stats(path, &[("cache", 0), ("rss", 4096)])
            .task(28438, 119_961, "java")
            .task(1000, 1, "pause")
            .killed("Memory cgroup out of memory", 28438, "java")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_eq!(
            diagnosis.limiting_cgroup.as_deref(),
            Some("/kubepods/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e")
        );
        assert!(matches!(
            diagnosis.factors.as_slice(),
            [Factor::KubernetesPodLimit { .. }]
        ));
    }

    #[test]
    fn corpus_025_global_call_trace_only_is_host_oom_low() {
        let report = Given::oom()
            .header(
                "google_osconfig",
                872_592,
                "0x1100cca",
                &["GFP_HIGHUSER_MOVABLE"],
                0,
            )
            .stack(&[
                "dump_stack_lvl",
                "dump_stack",
                "dump_header",
                "oom_kill_process.cold",
                "out_of_memory",
                "__alloc_pages_slowpath.constprop.0",
                "? __alloc_pages_slowpath.constprop.0",
            ])
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_evidence(
            &diagnosis,
            "call trace: __alloc_pages_slowpath → out_of_memory with no mem_cgroup frame",
        );
        assert_eq!(
            diagnosis.explanation,
            "The OOM killer ran for google_osconfig (pid 872592) because the machine ran out of memory."
        );
    }

    #[test]
    fn corpus_027_memcg_kill_line_only_is_cgroup_limit_low() {
        let report = Given::oom()
            .killed("Memory cgroup out of memory", 1_949_510, "envoy")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_eq!(diagnosis.limiting_cgroup, None);
        assert_evidence(&diagnosis, "own vs ancestor not visible");
        assert_eq!(
            diagnosis.explanation,
            "envoy (pid 1949510) was killed because a memory cgroup reached its limit (the log does not name the cgroup)."
        );
        assert!(
            !diagnosis.remediation[0].action.contains("task table"),
            "no task table to point at"
        );
        assert!(
            diagnosis.remediation.iter().all(|r| r.command.is_none()),
            "no path, no command"
        );
    }

    #[test]
    fn corpus_027_with_its_garden_stats_line_names_the_cgroup_but_stays_low() {
        let path = "/system.slice/garden.service/garden/good/db315859-a870-4d77-50f9-02b6";
        let report = Given::oom()
            .stats(path, &[])
            .killed("Memory cgroup out of memory", 2_009_943, "envoy")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_eq!(diagnosis.limiting_cgroup.as_deref(), Some(path));
        assert!(
            diagnosis
                .explanation
                .contains("cgroup /system.slice/…/db31…"),
            "{}",
            diagnosis.explanation
        );
    }

    fn archlinux() -> OomReport {
        Given::oom()
            .header("doxygen", 473_206, "0x140dca", &["GFP_HIGHUSER_MOVABLE", "__GFP_COMP", "__GFP_ZERO"], 0)
            .stack(&["dump_stack_lvl", "dump_header", "oom_kill_process.cold", "out_of_memory", "__alloc_pages_slowpath.constprop.0", "__alloc_pages"])
            .mem_info(&[("active_anon", 1_413_442), ("inactive_anon", 1_509_191), ("slab_reclaimable", 130_091), ("slab_unreclaimable", 89_303), ("free", 34_629)])
            .node_state(0, false)
            .zone(Some(0), "DMA", 13_312, 64, 80, 96)
            .present_managed(15_984, 15_360)
            .reserve(&[0, 3191, 15659, 15659, 15659])
            .zone(Some(0), "DMA32", 63_304, 13_760, 17_200, 20_640)
            .present_managed(3_348_656, 3_283_120)
            .reserve(&[0, 0, 12468, 12468, 12468])
            .zone(Some(0), "Normal", 61_900, 61_948, 75_384, 88_820)
            .present_managed(13_096_960, 12_774_792)
            .reserve(&[0, 0, 0, 0, 0])
            .buddy(Some(0), "Normal", "6676*4kB (UME) 2120*8kB (UE) 595*16kB (UME) 188*32kB (UME) 50*64kB (UME) 1*128kB (M) 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 62528kB")
            .hugepages(0, 0, 0, 2048)
            .swap(84, 25_165_820)
            .ram(4_115_400)
            .summary("constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-504.slice/session-2.scope,task=doxygen,pid=473206,uid=504")
            .killed("Out of memory", 473_206, "doxygen")
            .build()
    }

    #[test]
    fn oomanalyser_archlinux_below_min_with_swap_used_up_is_host_oom() {
        let diagnosis = diagnose(&archlinux());
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_evidence(&diagnosis, "Node 0 Normal free 61900kB < min 61948kB");
        // Movable class on a kernel with ZONE_DEVICE: lowmem_reserve[3] of a 5-entry array.
        assert_evidence(&diagnosis, "Node 0 DMA32 free 63304kB > min 13760kB, but min + lowmem_reserve 12468 pages (49872kB) = 63632kB > free");
        assert_eq!(
            diagnosis.factors,
            vec![Factor::SwapExhausted {
                total_kb: 25_165_820,
                free_kb: 84
            }]
        );
        assert!(commands(&diagnosis).contains(&"swapon --show"));
        assert!(
            diagnosis
                .explanation
                .ends_with("(Node 0 Normal free 61900kB < min 61948kB < low 75384kB)."),
            "the zone under its own min is quoted, not one under min only by reserve: {}",
            diagnosis.explanation
        );
        let swap_lines = diagnosis
            .evidence
            .iter()
            .filter(|e| e.contains("Free swap"));
        assert_eq!(swap_lines.count(), 1, "the used-up swap is told once");
    }

    #[test]
    fn oomanalyser_proxmox_lxc_container_below_lxc_limit_is_parent_cgroup_limit() {
        let task = "/lxc/39004/ns/system.slice/docker-a59e4e7d3090c04c6ce5a4b7a8bc85228eb9b96ac00b1284643a8c7c11dda661.scope";
        let report = Given::oom()
            .header("php-fpm", 3_923_954, "0x1100cca", &["GFP_HIGHUSER_MOVABLE"], 0)
            .stack(&["dump_stack_lvl", "dump_stack", "dump_header", "oom_kill_process.cold", "out_of_memory", "mem_cgroup_out_of_memory", "try_charge_memcg", "charge_memcg", "__mem_cgroup_charge"])
            .memory(31_211_520, 31_211_520, 83_420)
            .swap_counter(0, 0)
            .stats("/lxc/39004", &[("anon", 31_154_200_576), ("file", 688_283_648)])
            .summary(&format!("constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=docker-a59e4e7d3090c04c6ce5a4b7a8bc85228eb9b96ac00b1284643a8c7c11dda661.scope,mems_allowed=0,oom_memcg=/lxc/39004,task_memcg={task},task=php-fpm,pid=3902942,uid=1000"))
            .killed("Memory cgroup out of memory", 3_902_942, "php-fpm")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_eq!(diagnosis.cgroup_version, Some("v2"));
        assert_eq!(diagnosis.limiting_cgroup.as_deref(), Some("/lxc/39004"));
        assert!(
            diagnosis.factors.is_empty(),
            "swap limit 0 is disabled swap, not exhausted: {:?}",
            diagnosis.factors
        );
        assert_evidence(
            &diagnosis,
            "swap: limit 0kB: swap is disabled for this cgroup",
        );
        // 31211520kB × 1.5 = 45720 MiB.
        assert!(commands(&diagnosis)
            .contains(&"sudo sh -c 'echo 47940894720 > /sys/fs/cgroup/lxc/39004/memory.max'"));
        assert!(!commands(&diagnosis)
            .iter()
            .any(|c| c.contains("limit_in_bytes")));
    }

    #[test]
    fn oomanalyser_rhel7_two_nodes_below_watermarks_is_host_oom() {
        let report = Given::oom()
            .header("sed", 29481, "0x201da", &[], 0)
            .cpuset("/", "0-1")
            .stack(&["dump_stack", "dump_header", "? ktime_get_ts64", "oom_kill_process", "out_of_memory", "__alloc_pages_slowpath", "__alloc_pages_nodemask"])
            .mem_info(&[("active_anon", 7_355_653), ("slab_unreclaimable", 13_708), ("free", 39_513)])
            .zone(Some(0), "DMA", 15_872, 40, 48, 60)
            .reserve(&[0, 2780, 15835, 15835])
            .zone(Some(0), "DMA32", 59_728, 7_832, 9_788, 11_748)
            .reserve(&[0, 0, 13055, 13055])
            .zone(Some(0), "Normal", 36_692, 36_784, 45_980, 55_176)
            .reserve(&[0, 0, 0, 0])
            .zone(Some(1), "Normal", 49_436, 45_444, 56_804, 68_164)
            .reserve(&[0, 0, 0, 0])
            .buddy(Some(0), "Normal", "1231*4kB (UEM) 391*8kB (UEM) 456*16kB (UEM) 342*32kB (UEM) 141*64kB (UEM) 23*128kB (UEM) 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 38260kB")
            .hugepages(0, 0, 0, 1_048_576)
            .hugepages(1, 0, 0, 1_048_576)
            .swap(0, 8_388_604)
            .ram(8_379_834)
            .task(6576, 5_157_063, "mysqld")
            .task(27502, 2_716_569, "java")
            .killed("Out of memory", 6576, "mysqld")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::HostOom);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_evidence(&diagnosis, "Node 0 Normal free 36692kB < min 36784kB");
        assert_evidence(
            &diagnosis,
            "Node 1 Normal free 49436kB > min 45444kB but < low 56804kB",
        );
        assert_evidence(
            &diagnosis,
            "largest task in the table: mysqld (pid 6576) rss 5157063 pages (19.7 GiB)",
        );
        assert_eq!(
            diagnosis.factors,
            vec![Factor::SwapExhausted {
                total_kb: 8_388_604,
                free_kb: 0
            }]
        );
        assert!(diagnosis.remediation[0]
            .action
            .ends_with("the task table's largest is mysqld (pid 6576)"));
    }

    fn ubuntu2110() -> OomReport {
        Given::oom()
            .header("kworker/0:2", 735, "0xcc0", &["GFP_KERNEL"], -1)
            .stack(&["show_stack", "dump_stack", "dump_header", "oom_kill_process.cold", "out_of_memory.part.0", "out_of_memory", "moom_callback", "process_one_work", "worker_thread", "kthread"])
            .mem_info(&[("active_anon", 221), ("inactive_anon", 14_331), ("slab_unreclaimable", 6546), ("free", 427_891)])
            .zone(Some(0), "DMA", 15_036, 352, 440, 528)
            .reserve(&[0, 1893, 1893, 1893, 1893])
            .zone(Some(0), "DMA32", 1_696_528, 44_700, 55_872, 67_044)
            .reserve(&[0, 0, 0, 0, 0])
            .swap(0, 0)
            .ram(524_158)
            .summary("constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/unattended-upgrades.service,task=unattended-upgr,pid=651,uid=0")
            .killed("Out of memory", 651, "unattended-upgr")
            .build()
    }

    #[test]
    fn oomanalyser_ubuntu2110_sysrq_f_is_manual() {
        let diagnosis = diagnose(&ubuntu2110());
        assert_eq!(diagnosis.cause, Cause::Manual);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_evidence(&diagnosis, "order=-1");
        assert_evidence(&diagnosis, "moom_callback");
        assert_evidence(
            &diagnosis,
            "memory not short: Node 0 DMA32 free 1696528kB > min 44700kB",
        );
        assert_eq!(
            diagnosis.explanation,
            "unattended-upgr (pid 651) was killed because the OOM killer was invoked by hand (sysrq-f, order=-1), not by a failed allocation; memory was not short (Node 0 DMA32 free 1696528kB)."
        );
        assert!(diagnosis.remediation[0]
            .action
            .starts_with("No memory action needed"));
        assert!(
            diagnosis.factors.is_empty(),
            "no swap configured is not swap exhausted"
        );
    }

    // ---- rule edges beyond the corpus ----

    #[test]
    fn manual_with_a_zone_below_min_is_still_manual_at_medium_confidence() {
        let mut report = ubuntu2110();
        report.meminfo.zones[1].watermarks.as_mut().unwrap().free_kb = 40_000;
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::Manual);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(
            &diagnosis,
            "memory was also short: Node 0 DMA32 free 40000kB < min 44700kB",
        );
        assert!(diagnosis
            .explanation
            .contains("memory was short too (Node 0 DMA32 free 40000kB < min 44700kB)"));
    }

    #[test]
    fn cpuset_root_leaving_out_a_memoryless_node_is_not_a_node_oom() {
        // mems_allowed=1 in the root cpuset: node 0 shows no memory of its own.
        let mut report = seed_4();
        report.trigger.cpuset = Some("/".into());
        report.meminfo.hugepages.retain(|pool| pool.node != 0);
        for zone in report
            .meminfo
            .zones
            .iter_mut()
            .filter(|z| z.node == Some(0))
        {
            zone.present_kb = Some(0);
        }
        assert_eq!(diagnose(&report).cause, Cause::HostOom);
    }

    #[test]
    fn cpuset_root_leaving_out_a_node_with_memory_is_a_node_oom() {
        // RHEL 6 moving a task between cpusets (cpuset_attach): cpuset=/ mems_allowed=3 on
        // four nodes; node 3 below min, the others with memory.
        let mut report = seed_4();
        report.trigger.cpuset = Some("/".into());
        assert_eq!(diagnose(&report).cause, Cause::NumaNodeOom);
    }

    #[test]
    fn seed_4_without_its_zone_line_is_still_a_node_oom_at_medium() {
        let mut report = seed_4();
        report.meminfo.zones.clear();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_eq!(diagnosis.exhausted_nodes, vec![1]);
        assert_evidence(
            &diagnosis,
            "no zone figures for node(s) 1: taken to be the ones that ran out",
        );
    }

    #[test]
    fn diagnosis_serializes_with_snake_case_causes() {
        let json = serde_json::to_value(diagnose(&corpus_017())).unwrap();
        assert_eq!(json["cause"], "parent_cgroup_limit");
        assert_eq!(json["confidence"], "high");
        assert_eq!(json["factors"][0]["kind"], "kubernetes_pod_limit");
        assert_eq!(json["cgroup_version"], "v2");
        assert!(json.get("exhausted_nodes").is_none());
    }
}
