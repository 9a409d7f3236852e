//! The memory cgroup verdict: whether a cgroup limit was hit, whose, and whether it is the
//! task's own cgroup or an ancestor of it.

use super::cgroup::{self, is_ancestor, kube_level, normalize, same_cgroup, Identity, KubeLevel};
use super::trace::{find_frame, MEMCG_FRAMES};
use super::verdict::{Finding, MemcgFinding, Verdict};
use super::{Cause, Confidence};
use crate::report::{OomReport, PageCounter};

/// A cgroup path and the line that named it (`oom_memcg`, `task_memcg`, `Task in`, …).
#[derive(Debug, Clone, Copy)]
struct Named<'a> {
    path: &'a str,
    source: &'static str,
}

/// Where the limit sits relative to the task, and how that was worked out.
#[derive(Debug)]
struct Placement {
    cause: Cause,
    confidence: Confidence,
    limiting: Option<String>,
    evidence: Vec<String>,
}

impl Placement {
    fn new(cause: Cause, confidence: Confidence, limiting: Option<&str>, evidence: String) -> Self {
        Self {
            cause,
            confidence,
            limiting: limiting.map(str::to_string),
            evidence: vec![evidence],
        }
    }
}

/// Rule 2, a memory cgroup OOM, whatever the allocation order; `None` when nothing in the report
/// is specific to memcg OOMs.
pub(super) fn verdict(report: &OomReport) -> Option<Verdict> {
    let memcg = &report.memcg;
    let mut evidence = signals(report);
    let has_counters = memcg.memory.is_some()
        || memcg.memory_swap.is_some()
        || memcg.kmem.is_some()
        || memcg.swap.is_some();
    if evidence.is_empty() && !has_counters && memcg.stats.is_empty() {
        return None;
    }

    let limiting = named_limiting(report);
    let mut task = named_task(report);
    if let (Some(l), Some(t)) = (limiting, task) {
        if cut_short_of(t.path, l.path) {
            evidence.push(format!(
                "{} {} is {} {} cut short inside a name (a line cut at a width): not read",
                t.source, t.path, l.source, l.path
            ));
            task = None;
        }
    }
    let mut placement = match (limiting, task) {
        (Some(limiting), Some(task)) => compare(limiting, task),
        (limiting, _) => without_task(report, limiting),
    };
    evidence.append(&mut placement.evidence);

    let counters = counter_evidence(report);
    if counters.contradicts && placement.confidence == Confidence::High {
        placement.confidence = Confidence::Medium;
    }
    evidence.extend(counters.evidence);

    let memory_limit_kb = memcg
        .memory
        .filter(|m| !m.is_unlimited())
        .map(|m| m.limit_kb);
    let memsw_limit_kb = memcg
        .memory_swap
        .filter(|m| !m.is_unlimited())
        .map(|m| m.limit_kb);
    let hit_limit_kb = match (memcg.memory, memcg.memory_swap) {
        (Some(mem), Some(memsw)) if !at_limit(mem) && at_limit(memsw) => memsw_limit_kb,
        _ => memory_limit_kb,
    };
    Some(Verdict {
        cause: placement.cause,
        confidence: placement.confidence,
        evidence,
        finding: Finding::Memcg(MemcgFinding {
            limiting: placement.limiting,
            task: task.map(|t| t.path.to_string()),
            memory_limit_kb,
            memsw_limit_kb,
            hit_limit_kb,
        }),
        cgroup_version: cgroup::version(report),
    })
}

/// The lines that only memcg OOMs print.
fn signals(report: &OomReport) -> Vec<String> {
    let memcg = &report.memcg;
    let mut signals = Vec::new();
    if let Some(summary) = &report.summary {
        if summary.constraint.as_deref().map(str::trim) == Some("CONSTRAINT_MEMCG") {
            signals.push("oom-kill: constraint=CONSTRAINT_MEMCG".into());
        } else if let Some(oom_memcg) = &summary.oom_memcg {
            signals.push(format!(
                "oom-kill: oom_memcg={oom_memcg} (printed for memcg OOMs only)"
            ));
        }
    }
    if let Some(limit) = limit_line(report) {
        let task = memcg.task_cgroup.as_deref().unwrap_or("?");
        signals.push(format!(
            "Task in {task} killed as a result of limit of {limit}"
        ));
    }
    if let Some(path) = &memcg.limit_reached_cgroup {
        signals.push(format!("Memory limit reached of cgroup {path}"));
    }
    if report
        .kill_message
        .as_deref()
        .is_some_and(|m| m.trim() == "Memory cgroup out of memory")
    {
        signals.push("kill message: Memory cgroup out of memory".into());
    }
    // OpenVZ kernels kill for a container's user beancounter (kernel/bc/oom_kill.c), the
    // container's own memory limit; `UB -1` is their global OOM.
    if let Some(ub) = report
        .kill_message
        .as_deref()
        .and_then(|m| m.trim().strip_prefix("Out of memory in UB "))
        .filter(|id| *id != "-1")
    {
        signals.push(format!(
            "kill message: Out of memory in UB {ub}: an OpenVZ container hit its beancounter limit"
        ));
    }
    if let Some(frame) = find_frame(report, &MEMCG_FRAMES) {
        signals.push(format!(
            "call trace: {frame} (a memory cgroup charge failed)"
        ));
    }
    if report.went_on_after_no_killable {
        signals.push(
            "no killable processes, and the kernel went on without the deadlock panic a global OOM ends with (4.19+): a memory cgroup OOM".into(),
        );
    }
    signals
}

/// The `limit of` path of a `Task in` line, unless it is Alibaba's `host` (a global OOM).
fn limit_line(report: &OomReport) -> Option<&str> {
    report
        .memcg
        .limit_cgroup
        .as_deref()
        .filter(|limit| limit.trim() != "host")
}

fn named_limiting(report: &OomReport) -> Option<Named<'_>> {
    let summary = report.summary.as_ref();
    let candidates = [
        (summary.and_then(|s| s.oom_memcg.as_deref()), "oom_memcg"),
        (limit_line(report), "limit of"),
        (
            report.memcg.limit_reached_cgroup.as_deref(),
            "Memory limit reached of cgroup",
        ),
    ];
    candidates.into_iter().find_map(|(path, source)| {
        let path = normalize(path?)?;
        Some(Named { path, source })
    })
}

fn named_task(report: &OomReport) -> Option<Named<'_>> {
    let summary = report.summary.as_ref();
    let task_in = report
        .memcg
        .task_cgroup
        .as_deref()
        .filter(|_| limit_line(report).is_some());
    let candidates = [
        (summary.and_then(|s| s.task_memcg.as_deref()), "task_memcg"),
        (task_in, "Task in"),
    ];
    candidates.into_iter().find_map(|(path, source)| {
        let path = normalize(path?)?;
        Some(Named { path, source })
    })
}

/// Whether the task's path is the limiting one's cut short inside a name
/// (`…-poda8b8a570_9d92_4702_aac` of `…-poda8b8a570_9d92_4702_aac3_9264b667146c.slice`): a
/// line cut at a console's or a command's width, since the victim is chosen inside the OOM
/// cgroup's subtree (mm/memcontrol.c `mem_cgroup_scan_tasks`) and its cgroup is never a
/// piece of that one's name.
fn cut_short_of(task: &str, limiting: &str) -> bool {
    !task.ends_with('/')
        && limiting
            .strip_prefix(task)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|next| next.is_ascii_alphanumeric() || "-_.@".contains(next))
}

/// Both cgroups are printed: equal, or the limiting one above the task's.
fn compare(limiting: Named, task: Named) -> Placement {
    let (l, t) = (limiting.path, task.path);
    let (ls, ts) = (limiting.source, task.source);
    if same_cgroup(l, t) {
        Placement::new(
            Cause::CgroupLimit,
            Confidence::High,
            Some(l),
            format!("{ls} = {ts} = {l}: the task's own cgroup hit its limit"),
        )
    } else if is_ancestor(l, t) {
        Placement::new(
            Cause::ParentCgroupLimit,
            Confidence::High,
            Some(l),
            format!("{ls} {l} is an ancestor of {ts} {t}"),
        )
    } else if let Some(identity) = cgroup::by_identity(l, t) {
        // The paths differ as printed (elided, redacted, mistyped) but name the same pod or
        // container: mem_cgroup_print_oom_context prints both from one hierarchy.
        let (cause, relation) = match identity {
            Identity::Same(what) => (
                Cause::CgroupLimit,
                format!("both name {what}: the same cgroup"),
            ),
            Identity::Above(what) => (
                Cause::ParentCgroupLimit,
                format!("{ls} names {what}, above {ts}"),
            ),
        };
        Placement::new(
            cause,
            Confidence::High,
            Some(l),
            format!("{relation} (matched by identity, not by literal prefix: {ls} {l}, {ts} {t})"),
        )
    } else {
        Placement::new(
            Cause::CgroupLimit,
            Confidence::Medium,
            Some(l),
            format!(
                "{ts} {t} is not below {ls} {l}: the task may have moved cgroups after the charge"
            ),
        )
    }
}

/// The task's cgroup is not printed: infer from the limiting cgroup's Kubernetes level, the
/// stats dumps of its subtree, or the task table; else say own vs ancestor is not visible.
fn without_task(report: &OomReport, limiting: Option<Named>) -> Placement {
    let memcg = &report.memcg;
    // mm/memcontrol.c `mem_cgroup_print_oom_info` (v1): the stats of every cgroup in the OOM
    // cgroup's subtree, the OOM cgroup's first (`for_each_mem_cgroup_tree`). Dumps of
    // cgroups the first does not hold come from a subtree whose first line was cut: the
    // OOM cgroup is their common ancestor or above.
    let stats_paths: Vec<&str> = memcg
        .stats
        .iter()
        .filter_map(|s| normalize(&s.cgroup))
        .collect();
    let stats_root_cut = stats_paths
        .split_first()
        .is_some_and(|(first, rest)| rest.iter().any(|p| p != first && !is_ancestor(first, p)));
    let first_stats = if stats_root_cut {
        cgroup::common_ancestor(&stats_paths)
    } else {
        stats_paths.first().copied()
    };
    let (path, source, from_stats) = match (limiting, first_stats) {
        (Some(named), _) => (named.path, named.source, false),
        (None, Some(path)) if stats_root_cut => (path, "the stats dumps' common ancestor", true),
        (None, Some(path)) => (path, "Memory cgroup stats for", true),
        (None, None) => {
            return sandbox_among_candidates(report).unwrap_or_else(|| {
                Placement::new(
                Cause::CgroupLimit,
                Confidence::Low,
                None,
                "no cgroup is named: a memory cgroup limit was hit, own vs ancestor not visible"
                    .into(),
            )
            })
        }
    };
    // The memcg section opens with the limit line or the counters; without them the first
    // stats dump may be a child's (the window starts mid-section).
    let section_start_seen = !from_stats
        || memcg.memory.is_some()
        || memcg.limit_cgroup.is_some()
        || memcg.limit_reached_cgroup.is_some();
    let mut placement = match kube_level(path) {
        Some(KubeLevel::Pod { .. }) => Placement::new(
            Cause::ParentCgroupLimit,
            Confidence::Medium,
            Some(path),
            format!("{source} {path} is a Kubernetes pod-level cgroup: it holds no processes itself (its containers, including the pause container, are its children), so the task is in a container below it"),
        ),
        Some(KubeLevel::Container { pod_path, .. }) => {
            kube_container(report, path, source, &pod_path, section_start_seen)
        }
        None => subtree(report, path, source, section_start_seen),
    };
    if from_stats && stats_root_cut {
        placement.evidence.insert(
            0,
            format!("Memory cgroup stats for {}: none holds the others, so the OOM cgroup, whose subtree mem_cgroup_print_oom_info prints, is their common ancestor {path} or above", stats_paths.join(", ")),
        );
    } else if from_stats && placement.limiting.as_deref() == Some(path) {
        placement.evidence.insert(
            0,
            format!("Memory cgroup stats for {path}: taken as the OOM cgroup (a memcg OOM dumps the OOM cgroup's stats first)"),
        );
    }
    placement
}

/// The Kubernetes pod sandbox's `pause` process among the tasks a memory cgroup OOM chose
/// from, when no cgroup is named: `select_bad_process` and `dump_tasks` (mm/oom_kill.c) walk
/// only the OOM cgroup's subtree (`mem_cgroup_scan_tasks`), and the sandbox has a cgroup of
/// its own beside the containers', whose few hundred kB never reach a limit. So the OOM
/// cgroup is the pod's or one above it, an ancestor of every container's.
fn sandbox_among_candidates(report: &OomReport) -> Option<Placement> {
    let killed_pause = report.victims.iter().any(|v| v.comm == "pause");
    let evidence = if killed_pause {
        "the victim is the pod's pause process: its own cgroup holds a few hundred kB and hits no limit, so the OOM cgroup that chose it is the pod's or above"
    } else if report.pause_row_seen && report.tasks.iter().any(|t| t.name != "pause") {
        "the task table lists the pod's pause process: a memory cgroup OOM lists only its own subtree's tasks, and the pause container has a cgroup of its own, so the OOM cgroup spans the pod"
    } else {
        return None;
    };
    Some(Placement::new(
        Cause::ParentCgroupLimit,
        Confidence::Medium,
        None,
        evidence.into(),
    ))
}

/// The limiting (or first dumped) cgroup is a Kubernetes container's.
fn kube_container(
    report: &OomReport,
    path: &str,
    source: &'static str,
    pod_path: &str,
    section_start_seen: bool,
) -> Placement {
    if section_start_seen {
        return Placement::new(
            Cause::CgroupLimit,
            Confidence::Medium,
            Some(path),
            format!("{source} {path} is a Kubernetes container cgroup, which has no child cgroups: the task is in it"),
        );
    }
    // All rows kept: the table is the OOM cgroup's whole subtree.
    let table_complete = !report.tasks.is_empty()
        && u64::try_from(report.tasks.len()).is_ok_and(|kept| kept >= report.task_rows_seen);
    let names: Vec<&str> = report.tasks.iter().map(|t| t.name.as_str()).collect();
    if report.pause_row_seen {
        Placement::new(
            Cause::ParentCgroupLimit,
            Confidence::Medium,
            Some(pod_path),
            format!("the task table lists the pod's pause process beside {}: the OOM cgroup spans the whole pod {pod_path}", names.join(", ")),
        )
    } else if table_complete {
        Placement::new(
            Cause::CgroupLimit,
            Confidence::Medium,
            Some(path),
            format!("the task table lists only {} and no pause process: a pod-level limit would list the pod's pause container too, so the container's own limit was hit", names.join(", ")),
        )
    } else {
        Placement::new(
            Cause::CgroupLimit,
            Confidence::Low,
            Some(path),
            format!(
                "only a stats dump for the container cgroup {path}: own vs pod limit not visible"
            ),
        )
    }
}

/// The limiting cgroup outside Kubernetes: ≤ 5.2 kernels dump the stats of every cgroup of
/// the OOM subtree with the cgroup's own (not hierarchical) `rss`, which tells whether the
/// memory sits in the limiting cgroup or in its children.
fn subtree(
    report: &OomReport,
    path: &str,
    source: &'static str,
    section_start_seen: bool,
) -> Placement {
    let stats = &report.memcg.stats;
    let own = stats.iter().find(|s| same_cgroup(&s.cgroup, path));
    let whole_subtree = section_start_seen
        && own.is_some_and(|s| s.get("cache").is_some() || s.get("rss").is_some());
    if !whole_subtree {
        return Placement::new(
            Cause::CgroupLimit,
            Confidence::Low,
            Some(path),
            format!("only {source} {path} is named: a memory cgroup limit was hit, own vs ancestor not visible"),
        );
    }
    let children: Vec<_> = stats
        .iter()
        .filter(|s| is_ancestor(path, &s.cgroup))
        .collect();
    if children.is_empty() {
        return Placement::new(
            Cause::CgroupLimit,
            Confidence::Medium,
            Some(path),
            format!("kernels ≤ 5.2 dump the stats of every cgroup in the OOM subtree and only {path} was dumped: it has no child cgroups, so the task is in it"),
        );
    }
    let own_rss = own.and_then(|s| s.get("rss")).unwrap_or(0);
    let children_rss: u64 = children
        .iter()
        .filter_map(|s| s.get("rss"))
        .fold(0, u64::saturating_add);
    if own_rss == 0 && children_rss > 0 {
        Placement::new(
            Cause::ParentCgroupLimit,
            Confidence::Medium,
            Some(path),
            format!("{path} itself holds rss 0 while its {} child cgroup(s) hold rss {}kB: the tasks are below it", children.len(), children_rss / 1024),
        )
    } else {
        Placement::new(
            Cause::CgroupLimit,
            Confidence::Low,
            Some(path),
            format!("{path} holds rss {}kB itself and its {} child cgroup(s) rss {}kB: the victim's cgroup is not printed", own_rss / 1024, children.len(), children_rss / 1024),
        )
    }
}

/// Whether a counter's usage reached its limit, give or take a charge batch: 256 kB or 1 %.
fn at_limit(counter: PageCounter) -> bool {
    let slack = (counter.limit_kb / 100).max(256);
    !counter.is_unlimited() && counter.usage_kb.saturating_add(slack) >= counter.limit_kb
}

/// The counters' evidence, and whether they contradict a limit being hit.
struct CounterEvidence {
    evidence: Vec<String>,
    contradicts: bool,
}

fn counter_evidence(report: &OomReport) -> CounterEvidence {
    let memcg = &report.memcg;
    let mut evidence = Vec::new();
    let mut contradicts = false;
    let memsw_full = memcg.memory_swap.is_some_and(at_limit);
    if let Some(mem) = memcg.memory {
        let PageCounter {
            usage_kb,
            limit_kb,
            failcnt,
        } = mem;
        evidence.push(if mem.is_unlimited() {
            format!("memory: usage {usage_kb}kB, no limit set: the memory+swap limit or an ancestor's was hit")
        } else if at_limit(mem) {
            let sign = if usage_kb >= limit_kb { "=" } else { "≈" };
            format!("memory: usage {usage_kb}kB {sign} limit {limit_kb}kB (failcnt {failcnt})")
        } else {
            contradicts = !memsw_full;
            format!("memory: usage {usage_kb}kB < limit {limit_kb}kB (failcnt {failcnt}): below the limit when printed")
        });
    }
    if let Some(memsw) = memcg.memory_swap.filter(|m| !m.is_unlimited()) {
        let mem_limit = memcg.memory.map(|m| m.limit_kb);
        if mem_limit == Some(memsw.limit_kb) {
            evidence.push(format!(
                "memory+swap: limit {}kB = memory limit: swap is disabled for this cgroup",
                memsw.limit_kb
            ));
        } else if memsw_full && !memcg.memory.is_some_and(at_limit) {
            evidence.push(format!(
                "memory+swap: usage {}kB ≈ limit {}kB: the memory+swap limit was hit",
                memsw.usage_kb, memsw.limit_kb
            ));
        }
    }
    if let Some(swap) = memcg.swap {
        if swap.limit_kb == 0 {
            evidence.push("swap: limit 0kB: swap is disabled for this cgroup".into());
        } else if at_limit(swap) {
            evidence.push(format!(
                "swap: usage {}kB = limit {}kB: the cgroup's swap is full",
                swap.usage_kb, swap.limit_kb
            ));
        }
    }
    CounterEvidence {
        evidence,
        contradicts,
    }
}

#[cfg(test)]
mod tests {

    use super::cut_short_of;
    use crate::classify::testkit::{assert_evidence, commands, Given};
    use crate::classify::{diagnose, Cause, Confidence};

    #[test]
    fn a_pause_row_among_the_tasks_of_an_unnamed_memcg_oom_is_the_pod_limit() {
        // dmesg -T excerpt from the task table on: ECK pod, every task at -998.
        let report = Given::oom()
            .task(1_108_749, 1, "pause")
            .task(1_111_184, 1_305_755, "java")
            .killed("Memory cgroup out of memory", 1_111_184, "java")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(&diagnosis, "the task table lists the pod's pause process");
    }

    #[test]
    fn task_memcg_cut_inside_the_pod_name_is_not_read_as_a_moved_task() {
        // `dmesg -T | … | cut -c1-400` stopped the summary inside task_memcg's pod segment.
        let pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda8b8a570_9d92_4702_aac3_9264b667146c.slice";
        let report = Given::oom()
            .summary(&format!("constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-c44d.scope,mems_allowed=0,oom_memcg={pod},task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda8b8a570_9d92_4702_aac"))
            .killed("Memory cgroup out of memory", 11_342, "python")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_evidence(&diagnosis, "is a Kubernetes pod-level cgroup");
        assert!(diagnosis
            .evidence
            .iter()
            .any(|e| e.contains("cut short inside a name")));
        // Cut at a `/`, the path is an ancestor: read as printed (the task moved).
        assert!(!cut_short_of("/a/b", "/a/b/c"));
        assert!(!cut_short_of("/", "/lxc/VM_A"));
        // A limit path with text glued after it is no cut of the task's.
        assert!(!cut_short_of(
            "/docker/35",
            "/docker/35 2019-10-06 12:57:33"
        ));
        assert!(cut_short_of("/a/b/c-1", "/a/b/c-12"));
    }

    #[test]
    fn killing_the_pause_process_in_a_memcg_oom_is_the_pod_limit() {
        let report = Given::oom()
            .killed("Memory cgroup out of memory", 605_624, "pause")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_evidence(&diagnosis, "the victim is the pod's pause process");
    }

    #[test]
    fn a_memcg_kill_without_cgroups_or_pause_is_own_vs_ancestor_unknown() {
        let report = Given::oom()
            .task(4_015, 9_000, "python")
            .killed("Memory cgroup out of memory", 4_015, "python")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Low);
    }

    #[test]
    fn sibling_stats_dumps_put_the_oom_cgroup_at_their_common_ancestor() {
        // A 3.10 Kubernetes node's excerpt from inside the memcg section: the stats of two
        // containers of one pod, the pod's own line above the cut.
        let pod = "/kubepods/pod21198eae-6a36-11e8-a0e1-525400bcf250";
        let report = Given::oom()
            .stats(&format!("{pod}/c5e5ecf03a2e"), &[("cache", 0), ("rss", 0)])
            .stats(&format!("{pod}/82d7805a09d6"), &[("cache", 0), ("rss", 0)])
            .task(61_659, 595, "runc:[2:INIT]")
            .killed("Memory cgroup out of memory", 61_659, "runc:[2:INIT]")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(
            &diagnosis,
            &format!("is their common ancestor {pod} or above"),
        );
        // One container's dump alone is taken as the OOM cgroup's.
        let one = Given::oom()
            .stats(&format!("{pod}/c5e5ecf03a2e"), &[("cache", 0), ("rss", 0)])
            .killed("Memory cgroup out of memory", 61_659, "runc:[2:INIT]")
            .build();
        assert_evidence(&diagnose(&one), "taken as the OOM cgroup");
    }

    const POD_017: &str = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice";

    #[test]
    fn memcg_oom_at_order_3_is_still_a_cgroup_limit() {
        let report = Given::oom()
            .header("java", 7, "0xcc0", &["GFP_KERNEL"], 3)
            .summary("constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/app,task_memcg=/app,task=java,pid=7,uid=0")
            .memory(1_048_576, 1_048_576, 3)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::High);
    }

    #[test]
    fn usage_well_below_the_limit_lowers_confidence() {
        let report = Given::oom()
            .task_in("/app", "/app")
            .memory(500_000, 1_048_576, 3)
            .memory_swap(500_000, 9_007_199_254_740_988)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(
            &diagnosis,
            "memory: usage 500000kB < limit 1048576kB (failcnt 3): below the limit when printed",
        );
    }

    #[test]
    fn usage_within_a_charge_batch_of_the_limit_confirms() {
        let report = Given::oom()
            .task_in("/app", "/app")
            .memory(1_048_320, 1_048_576, 3)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_evidence(&diagnosis, "memory: usage 1048320kB ≈ limit 1048576kB");
    }

    #[test]
    fn memory_swap_limit_hit_names_that_limit_and_raises_memsw_first() {
        let report = Given::oom()
            .task_in("/app", "/app")
            .memory(800_000, 1_048_576, 0)
            .memory_swap(1_572_864, 1_572_864)
            .kmem(0, 9_007_199_254_740_988)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.confidence, Confidence::High);
        assert_evidence(
            &diagnosis,
            "memory+swap: usage 1572864kB ≈ limit 1572864kB: the memory+swap limit was hit",
        );
        assert!(
            diagnosis.explanation.contains("its limit of 1.5 GiB"),
            "{}",
            diagnosis.explanation
        );
        // memory: 1 GiB × 1.5 = 1536 MiB; memory+swap keeps its 512 MiB of swap on top.
        assert!(commands(&diagnosis).contains(
            &"sudo sh -c 'echo 2147483648 > /sys/fs/cgroup/memory/app/memory.memsw.limit_in_bytes && echo 1610612736 > /sys/fs/cgroup/memory/app/memory.limit_in_bytes'"
        ));
    }

    #[test]
    fn task_outside_the_limiting_cgroup_is_own_limit_at_medium() {
        let report = Given::oom().task_in("/b/c", "/a").memory(10, 10, 1).build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(&diagnosis, "Task in /b/c is not below limit of /a");
    }

    #[test]
    fn string_prefix_is_not_ancestry() {
        let report = Given::oom()
            .task_in("/mm_test2", "/mm_test")
            .memory(10, 10, 1)
            .build();
        assert_ne!(diagnose(&report).cause, Cause::ParentCgroupLimit);
    }

    #[test]
    fn v1_subtree_dump_with_memory_only_in_children_is_parent_limit() {
        let mut report = Given::oom()
            .memory(204_800, 204_800, 5)
            .stats("/mm_test", &[("cache", 0), ("rss", 0)])
            .stats("/mm_test/1", &[("cache", 0), ("rss", 100 * 1024 * 1024)])
            .stats("/mm_test/2", &[("cache", 0), ("rss", 100 * 1024 * 1024)])
            .build();
        report.memcg.limit_reached_cgroup = Some("/mm_test".into());
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(
            &diagnosis,
            "/mm_test itself holds rss 0 while its 2 child cgroup(s) hold rss 204800kB",
        );
    }

    #[test]
    fn v1_subtree_dump_of_a_single_cgroup_is_own_limit() {
        let report = Given::oom()
            .memory(204_800, 204_800, 5)
            .stats("/mm_test", &[("cache", 0), ("rss", 200 * 1024 * 1024)])
            .killed("Memory cgroup out of memory", 9, "test")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::CgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_eq!(diagnosis.limiting_cgroup.as_deref(), Some("/mm_test"));
        assert_evidence(
            &diagnosis,
            "only /mm_test was dumped: it has no child cgroups",
        );
    }

    #[test]
    fn pod_level_limit_without_task_cgroup_is_parent_limit() {
        let report = Given::oom()
            .memory(102_400, 102_400, 1)
            .swap_counter(0, 9_007_199_254_740_988)
            .stats(POD_017, &[("anon", 98_742_272)])
            .killed("Memory cgroup out of memory", 5, "x")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::ParentCgroupLimit);
        assert_eq!(diagnosis.confidence, Confidence::Medium);
        assert_evidence(
            &diagnosis,
            "is a Kubernetes pod-level cgroup: it holds no processes itself",
        );
    }
}
