//! The lines that show an OOM (or an allocation failure) was global, not a memory cgroup's.

use super::trace::{find_frame, ALLOCATOR_FRAMES, MEMCG_FRAMES};
use super::zones::kernel_older_than;
use crate::report::{EndNote, OomReport};

/// Lines that show an OOM (or allocation failure) was global, not a memory cgroup's.
#[derive(Debug, Default)]
pub(super) struct GlobalSignals {
    /// Printed only for global OOMs or failures: the summary's constraint, `limit of host`,
    /// `Out of memory:`, `page allocation failure`, Mem-Info.
    pub(super) strong: Vec<String>,
    /// Suggestive only: the page allocator's path into the OOM killer in the call trace.
    pub(super) weak: Vec<String>,
}

impl GlobalSignals {
    pub(super) fn of(report: &OomReport) -> Self {
        let mut signals = Self::default();
        if let Some(summary) = &report.summary {
            let constraint = summary.constraint.as_deref().map(str::trim);
            match (constraint, summary.global_oom) {
                (Some(c), true) => signals
                    .strong
                    .push(format!("oom-kill: constraint={c}, global_oom")),
                (Some(c), false) => signals.strong.push(format!("oom-kill: constraint={c}")),
                (None, true) => signals.strong.push("oom-kill: global_oom".into()),
                (None, false) => {}
            }
        }
        if report
            .memcg
            .limit_cgroup
            .as_deref()
            .is_some_and(|limit| limit.trim() == "host")
        {
            let task = report.memcg.task_cgroup.as_deref().unwrap_or("?");
            signals.strong.push(format!(
                "Task in {task} killed as a result of limit of host: a global (host) OOM on Alibaba Cloud Linux"
            ));
        }
        if let Some(message) = report.kill_message.as_deref().filter(|m| {
            m.trim_start()
                .to_ascii_lowercase()
                .starts_with("out of memory")
        }) {
            signals.strong.push(format!(
                "kill message `{}` (not `Memory cgroup out of memory`)",
                message.trim()
            ));
        }
        // mm/oom_kill.c: `check_panic_on_oom` panics for panic_on_oom=1 only when the OOM is
        // unconstrained (CONSTRAINT_NONE); `out_of_memory` panics with nothing to kill only
        // for a global OOM (before 4.19 with the no-killable text, since then as a deadlock).
        match (report.end_note, report.panicked) {
            (Some(EndNote::SystemWidePanic), _) => signals.strong.push(
                "system-wide panic_on_oom panicked: the kernel does so only for an unconstrained, machine-wide OOM (CONSTRAINT_NONE)".into(),
            ),
            (Some(EndNote::Deadlocked), _) | (Some(EndNote::NoKillable), true) => signals.strong.push(
                "the kernel panicked with nothing to kill: it does so only for a global OOM, not a memory cgroup's".into(),
            ),
            (Some(EndNote::NoKillable), false)
                if find_frame(report, &MEMCG_FRAMES).is_none()
                    && !report.went_on_after_no_killable =>
            {
                signals.weak.push(
                    "no killable processes, and no memory cgroup charge path (try_charge, mem_cgroup_out_of_memory) in a call trace".into(),
                );
            }
            _ => {}
        }
        if report.kind == crate::report::ReportKind::AllocationFailure {
            signals.strong.push(
                "page allocation failure: the page allocator failed; nothing was killed".into(),
            );
        }
        if report.meminfo.present || !report.meminfo.zones.is_empty() {
            let printed = if report.meminfo.present {
                "Mem-Info printed"
            } else {
                "zone figures printed"
            };
            signals.strong.push(format!(
                "{printed}: show_mem runs for global OOMs, not for memory cgroup OOMs"
            ));
        }
        let into_oom = find_frame(report, &["out_of_memory"]);
        if let Some(allocator) = find_frame(report, &ALLOCATOR_FRAMES) {
            let path = if into_oom.is_some() {
                format!("call trace: {allocator} → out_of_memory with no mem_cgroup frame")
            } else {
                format!("call trace: {allocator} with no mem_cgroup frame")
            };
            signals.weak.push(path);
        } else if into_oom.is_some()
            && find_frame(report, &MEMCG_FRAMES).is_none()
            && kernel_older_than(report, 4, 8)
        {
            // mm/memcontrol.c before 4.8 (`mm: oom: deduplicate victim selection code for
            // memcg and global oom`): `mem_cgroup_out_of_memory` chose its victim itself and
            // called oom_kill_process; out_of_memory() ran only for the page allocator
            // (`__alloc_pages_may_oom`), a faulting task (`pagefault_out_of_memory`) and
            // sysrq. Seen in a trace cut before its caller, it was a global OOM.
            signals.weak.push(
                "call trace: out_of_memory, which before 4.8 only the global OOM path called (a memory cgroup's OOM chose and killed its victim in mem_cgroup_out_of_memory)".into(),
            );
        } else if into_oom.is_some()
            && find_frame(report, &["lru_gen_age_node", "balance_pgdat"]).is_some()
        {
            // mm/vmscan.c `lru_gen_age_node`: when kswapd cannot keep the working set of the
            // last vm.lru_gen_min_ttl_ms it calls the OOM killer itself, with no memcg. The
            // function is static and often inlined into `balance_pgdat`, and it is the only
            // caller of out_of_memory on kswapd's reclaim path.
            signals.weak.push(
                "call trace: lru_gen_age_node → out_of_memory: the multi-gen LRU's min_ttl guard called the OOM killer for the whole machine, to stop thrashing".into(),
            );
        }
        signals
    }

    pub(super) fn is_empty(&self) -> bool {
        self.strong.is_empty() && self.weak.is_empty()
    }

    pub(super) fn into_evidence(self) -> Vec<String> {
        let mut evidence = self.strong;
        evidence.extend(self.weak);
        evidence
    }
}

#[cfg(test)]
mod tests {
    use super::GlobalSignals;
    use crate::classify::testkit::Given;

    /// `dump_header` → `oom_kill_process` → `out_of_memory`, cut before the caller (a 4.4 AWS
    /// kernel's paste ends there).
    fn cut_trace(release: &str) -> GlobalSignals {
        let report = Given::oom()
            .header("java", 31758, "0x24201ca", &[], 0)
            .release(release)
            .stack(&[
                "[<ffffffff813fce53>] dump_stack+0x63/0x90",
                "[<ffffffff8120d1ba>] dump_header+0x5a/0x1c5",
                "[<ffffffff81193eb2>] oom_kill_process+0x202/0x3c0",
                "[<ffffffff811942d9>] out_of_memory+0x219/0x460",
            ])
            .build();
        GlobalSignals::of(&report)
    }

    #[test]
    fn out_of_memory_before_4_8_is_the_global_path() {
        let signals = cut_trace("4.4.0-1052-aws");
        assert!(signals.strong.is_empty());
        assert!(signals.weak[0].contains("before 4.8"), "{:?}", signals.weak);
    }

    #[test]
    fn out_of_memory_since_4_8_is_shared_with_memcg_ooms() {
        // Since 4.8 mem_cgroup_out_of_memory calls out_of_memory too.
        assert!(cut_trace("4.8.0").is_empty());
        assert!(cut_trace("5.15.0-91-generic").is_empty());
    }
}
