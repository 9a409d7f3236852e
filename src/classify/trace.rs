//! What the call trace shows: which reliable frames a report's stack holds.

use crate::report::OomReport;

/// The first frame of `report` among `names` that the unwinder vouched for. `?` frames are
/// return addresses found on the stack, maybe stale (arch/x86/kernel/dumpstack.c
/// `printk_stack_address` marks them when `reliable` is 0), so they count only in a trace
/// with no reliable frame at all: a kernel built without frame pointers marks every frame
/// `?` (2.6-era and many 32-bit builds), and then the marked frames are all it shows.
pub(super) fn find_frame<'a>(report: &'a OomReport, names: &[&str]) -> Option<&'a str> {
    let unreliable = |position: usize| report.unreliable_frames.binary_search(&position).is_ok();
    let none_reliable = (0..report.call_trace.len()).all(unreliable);
    report
        .call_trace
        .iter()
        .enumerate()
        .filter(|&(position, _)| none_reliable || !unreliable(position))
        .map(|(_, function)| function.as_str())
        .find(|function| names.contains(function))
}

/// Frames that show a memory cgroup charge ran into its limit.
pub(super) const MEMCG_FRAMES: [&str; 10] = [
    "mem_cgroup_out_of_memory",
    // 3.10 (RHEL 7) mm/memcontrol.c.
    "__mem_cgroup_try_charge",
    "mem_cgroup_oom_synchronize",
    "mem_cgroup_oom",
    "try_charge",
    "try_charge_memcg",
    "charge_memcg",
    "__mem_cgroup_charge",
    "mem_cgroup_charge",
    "mem_cgroup_try_charge",
];

/// The page allocator's own frames: an allocation that could not be served.
pub(super) const PAGE_ALLOCATOR_FRAMES: [&str; 6] = [
    "__alloc_pages_slowpath",
    // 2.6.24 to 2.6.30, before the allocator was split into a fast and a slow path.
    "__alloc_pages_internal",
    "__alloc_pages_may_oom",
    "__alloc_pages_nodemask",
    "__alloc_pages",
    // 6.15: the allocator proper, below `__alloc_pages_noprof`.
    "__alloc_frozen_pages",
];

/// Frames of the page allocator's path into the OOM killer or its failure report.
pub(super) const ALLOCATOR_FRAMES: [&str; 9] = [
    "__alloc_pages_slowpath",
    "__alloc_pages_internal",
    "__alloc_pages_may_oom",
    "__alloc_pages_nodemask",
    "__alloc_pages",
    "__alloc_frozen_pages",
    "pagefault_out_of_memory",
    "warn_alloc",
    "warn_alloc_failed",
];

#[cfg(test)]
mod tests {
    use super::{find_frame, PAGE_ALLOCATOR_FRAMES};
    use crate::classify::testkit::Given;
    use crate::report::OomReport;

    fn with_trace(frames: &[&str]) -> OomReport {
        Given::oom().stack(frames).build()
    }

    #[test]
    fn stale_question_marked_frame_is_ignored_beside_reliable_ones() {
        let report = with_trace(&[
            "[<ffffffff813fce53>] dump_stack+0x63/0x90",
            "[<ffffffff81394d14>] ? mem_cgroup_iter+0xc4/0x1b0",
            "[<ffffffff81193eb2>] oom_kill_process+0x202/0x3c0",
        ]);
        assert_eq!(find_frame(&report, &["mem_cgroup_iter"]), None);
        assert_eq!(
            find_frame(&report, &["oom_kill_process"]),
            Some("oom_kill_process")
        );
    }

    #[test]
    fn trace_without_frame_pointers_is_read_from_its_marked_frames() {
        // 2.6.30 i386 (pastebin g6ekg90n): every frame `?`.
        let report = with_trace(&[
            "[<c016ca2e>] ? oom_kill_process+0x79/0x1f7",
            "[<c016cf72>] ? __out_of_memory+0x33/0x10b",
            "[<c016d0a4>] ? out_of_memory+0x5a/0x7c",
            "[<c016f624>] ? __alloc_pages_internal+0x2ee/0x39d",
        ]);
        assert_eq!(
            find_frame(&report, &PAGE_ALLOCATOR_FRAMES),
            Some("__alloc_pages_internal")
        );
    }
}
