//! Builders for the hand-made reports of the classifier's tests, in the shape of the corpus logs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::Diagnosis;
use crate::report::{
    BuddyList, BuddyOrder, HugepagePool, MemcgStats, NodeState, OomReport, OomSummary, PageCounter,
    ReportKind, TaskRow, Trigger, Victim, ZoneState, ZoneWatermarks,
};

/// A buddy list from its printed form: `"11569*4kB (UME) 50*8kB (M) 0*16kB = 46708kB"`.
pub(super) fn buddy(text: &str) -> BuddyList {
    let mut orders: Vec<BuddyOrder> = Vec::new();
    let mut total_kb = None;
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if let Some(types) = word.strip_prefix('(') {
            orders.last_mut().unwrap().migrate_types = types.trim_end_matches(')').into();
        } else if word == "=" {
            total_kb = words
                .next()
                .map(|t| t.trim_end_matches("kB").parse().unwrap());
        } else if let Some((count, size)) = word.split_once('*') {
            orders.push(BuddyOrder {
                block_kb: size.trim_end_matches("kB").parse().unwrap(),
                count: count.parse().unwrap(),
                migrate_types: String::new(),
            });
        }
    }
    BuddyList { orders, total_kb }
}

/// An `oom-kill:` summary from its printed text after `oom-kill:`.
pub(super) fn summary(text: &str) -> OomSummary {
    let mut summary = OomSummary::default();
    for part in text.split(',') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let value = Some(value.to_string());
        match key {
            "constraint" => summary.constraint = value,
            "nodemask" => summary.nodemask = value,
            "cpuset" => summary.cpuset = value,
            "mems_allowed" => summary.mems_allowed = value,
            "oom_memcg" => summary.oom_memcg = value,
            "task_memcg" => summary.task_memcg = value,
            "task" => summary.task = value,
            "pid" => summary.pid = value.and_then(|v| v.parse().ok()),
            "uid" => summary.uid = value.and_then(|v| v.parse().ok()),
            "global_oom" => summary.global_oom = true,
            other => panic!("unknown summary key {other}"),
        }
    }
    summary
}

/// A trigger with a gfp mask and its decoded flag names, nothing else.
pub(super) fn trigger(mask: &str, flags: &[&str]) -> Trigger {
    Trigger {
        gfp_mask: Some(mask.into()),
        gfp_flags: flags.iter().map(|f| f.to_string()).collect(),
        ..Trigger::default()
    }
}

/// A report under construction.
#[derive(Debug, Default)]
pub(super) struct Given(OomReport);

impl Given {
    pub(super) fn oom() -> Self {
        Self::default()
    }

    pub(super) fn alloc_failure() -> Self {
        let mut given = Self::default();
        given.0.kind = ReportKind::AllocationFailure;
        given
    }

    /// `<comm> invoked oom-killer: gfp_mask=<mask>(<flags>), order=<order>` and `CPU: … PID: <pid>`.
    pub(super) fn header(
        mut self,
        comm: &str,
        pid: u32,
        mask: &str,
        flags: &[&str],
        order: i32,
    ) -> Self {
        let trigger = &mut self.0.trigger;
        trigger.comm = Some(comm.into());
        trigger.pid = Some(pid);
        trigger.gfp_mask = Some(mask.into());
        trigger.gfp_flags = flags.iter().map(|f| f.to_string()).collect();
        trigger.order = Some(order);
        self
    }

    /// The kernel release of the `CPU: …` line.
    pub(super) fn release(mut self, release: &str) -> Self {
        self.0.kernel.release = Some(release.into());
        self
    }

    pub(super) fn nodemask(mut self, nodemask: &str) -> Self {
        self.0.trigger.nodemask = Some(nodemask.into());
        self
    }

    /// The ≤ 4.19 `<comm> cpuset=<name> mems_allowed=<list>` line.
    pub(super) fn cpuset(mut self, name: &str, mems: &str) -> Self {
        self.0.trigger.cpuset = Some(name.into());
        self.0.trigger.mems_allowed = Some(mems.into());
        self
    }

    /// The call trace of these frame lines, read as the parser reads them; a bare name
    /// (`oom_kill_process.cold`) stands for its frame.
    pub(super) fn stack(mut self, frames: &[&str]) -> Self {
        for frame in frames {
            let bare = frame.trim_start_matches("? ").split('.').next();
            let function = crate::parse::frame_function(frame)
                .or(bare)
                .unwrap_or(frame);
            if crate::parse::frame_is_unreliable(frame) {
                self.0.unreliable_frames.push(self.0.call_trace.len());
            }
            self.0.call_trace.push(function.to_string());
        }
        self
    }

    pub(super) fn summary(mut self, text: &str) -> Self {
        self.0.summary = Some(summary(text));
        self
    }

    pub(super) fn task_in(mut self, task: &str, limit: &str) -> Self {
        self.0.memcg.task_cgroup = Some(task.into());
        self.0.memcg.limit_cgroup = Some(limit.into());
        self
    }

    pub(super) fn memory(mut self, usage_kb: u64, limit_kb: u64, failcnt: u64) -> Self {
        self.0.memcg.memory = Some(PageCounter {
            usage_kb,
            limit_kb,
            failcnt,
        });
        self
    }

    pub(super) fn memory_swap(mut self, usage_kb: u64, limit_kb: u64) -> Self {
        self.0.memcg.memory_swap = Some(PageCounter {
            usage_kb,
            limit_kb,
            failcnt: 0,
        });
        self
    }

    pub(super) fn kmem(mut self, usage_kb: u64, limit_kb: u64) -> Self {
        self.0.memcg.kmem = Some(PageCounter {
            usage_kb,
            limit_kb,
            failcnt: 0,
        });
        self
    }

    pub(super) fn swap_counter(mut self, usage_kb: u64, limit_kb: u64) -> Self {
        self.0.memcg.swap = Some(PageCounter {
            usage_kb,
            limit_kb,
            failcnt: 0,
        });
        self
    }

    /// `Memory cgroup stats for <path>:` with values in bytes.
    pub(super) fn stats(mut self, path: &str, values_bytes: &[(&str, u64)]) -> Self {
        self.0.memcg.stats.push(MemcgStats {
            cgroup: path.into(),
            values_bytes: values_bytes
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        });
        self
    }

    /// `Mem-Info:` global counters, in pages.
    pub(super) fn mem_info(mut self, counters: &[(&str, u64)]) -> Self {
        self.0.meminfo.present = true;
        self.0.meminfo.counters_pages = counters.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        self
    }

    /// `[Node N ]<zone> free:… min:… low:… high:…`.
    pub(super) fn zone(
        mut self,
        node: Option<u32>,
        name: &str,
        free_kb: u64,
        min_kb: u64,
        low_kb: u64,
        high_kb: u64,
    ) -> Self {
        self.0.meminfo.present = true;
        self.0.meminfo.zones.push(ZoneState {
            node,
            zone: name.into(),
            watermarks: Some(ZoneWatermarks {
                free_kb,
                min_kb,
                low_kb,
                high_kb,
            }),
            ..ZoneState::default()
        });
        self
    }

    /// `present:… managed:…` of the last zone.
    pub(super) fn present_managed(mut self, present_kb: u64, managed_kb: u64) -> Self {
        let zone = self.0.meminfo.zones.last_mut().unwrap();
        zone.present_kb = Some(present_kb);
        zone.managed_kb = Some(managed_kb);
        self
    }

    /// `boost:` of the last zone.
    pub(super) fn boost(mut self, boost_kb: u64) -> Self {
        self.0.meminfo.zones.last_mut().unwrap().boost_kb = Some(boost_kb);
        self
    }

    /// `lowmem_reserve[]:` after the last zone.
    pub(super) fn reserve(mut self, pages: &[u64]) -> Self {
        self.0
            .meminfo
            .zones
            .last_mut()
            .unwrap()
            .lowmem_reserve_pages = pages.to_vec();
        self
    }

    /// `[Node N ]<zone>: <buddy list>`, attached to that zone (created without watermarks if
    /// its zone line is missing).
    pub(super) fn buddy(mut self, node: Option<u32>, name: &str, text: &str) -> Self {
        let list = buddy(text);
        if self.0.meminfo.page_size_kb.is_none() {
            self.0.meminfo.page_size_kb = list.orders.first().map(|o| o.block_kb);
        }
        let zones = &mut self.0.meminfo.zones;
        match zones.iter_mut().find(|z| z.node == node && z.zone == name) {
            Some(zone) => zone.buddy = Some(list),
            None => zones.push(ZoneState {
                node,
                zone: name.into(),
                buddy: Some(list),
                ..ZoneState::default()
            }),
        }
        self
    }

    pub(super) fn node_state(mut self, node: u32, all_unreclaimable: bool) -> Self {
        self.0.meminfo.nodes.push(NodeState {
            node,
            all_unreclaimable: Some(all_unreclaimable),
        });
        self
    }

    pub(super) fn hugepages(mut self, node: u32, total: u64, free: u64, size_kb: u64) -> Self {
        self.0.meminfo.hugepages.push(HugepagePool {
            node,
            total,
            free,
            surplus: 0,
            size_kb,
        });
        self
    }

    /// `Free swap  = NkB` and `Total swap = NkB`.
    pub(super) fn swap(mut self, free_kb: u64, total_kb: u64) -> Self {
        self.0.meminfo.swap_free_kb = Some(free_kb);
        self.0.meminfo.swap_total_kb = Some(total_kb);
        self
    }

    /// `N pages RAM`.
    pub(super) fn ram(mut self, pages: u64) -> Self {
        self.0.meminfo.ram_pages = Some(pages);
        self
    }

    /// `N pages HighMem/MovableOnly`.
    pub(super) fn highmem(mut self, pages: u64) -> Self {
        self.0.meminfo.highmem_movable_pages = Some(pages);
        self
    }

    /// A task-table row (rss in pages); rows are kept largest first, as the parser keeps them.
    pub(super) fn task(mut self, pid: u32, rss_pages: u64, name: &str) -> Self {
        self.0.tasks.push(TaskRow {
            pid,
            tgid: pid,
            rss_pages,
            name: name.into(),
            ..TaskRow::default()
        });
        self.0.tasks.sort_by_key(|t| std::cmp::Reverse(t.rss_pages));
        self.0.task_rows_seen += 1;
        self.0.pause_row_seen |= name == "pause";
        self
    }

    /// `<message>: Killed process <pid> (<comm>) …`.
    pub(super) fn killed(mut self, message: &str, pid: u32, comm: &str) -> Self {
        self.0.kill_message = Some(message.into());
        self.0.victims.push(Victim {
            pid,
            comm: comm.into(),
            ..Victim::default()
        });
        self
    }

    pub(super) fn compaction_disabled(mut self) -> Self {
        self.0.compaction_disabled = true;
        self
    }

    pub(super) fn build(self) -> OomReport {
        self.0
    }
}

/// Whether some evidence line of `diagnosis` contains `needle`.
pub(super) fn has_evidence(diagnosis: &Diagnosis, needle: &str) -> bool {
    diagnosis.evidence.iter().any(|e| e.contains(needle))
}

#[track_caller]
pub(super) fn assert_evidence(diagnosis: &Diagnosis, needle: &str) {
    assert!(
        has_evidence(diagnosis, needle),
        "no evidence containing {needle:?} in {:#?}",
        diagnosis.evidence
    );
}

/// The remediation commands of `diagnosis`, in order.
pub(super) fn commands(diagnosis: &Diagnosis) -> Vec<&str> {
    diagnosis
        .remediation
        .iter()
        .filter_map(|r| r.command.as_deref())
        .collect()
}
