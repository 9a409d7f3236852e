//! What the call trace shows: which reliable frames a report's stack holds.

use crate::report::OomReport;

/// A call-trace frame's function name without `? `, addresses, offsets and compiler
/// suffixes (`oom_kill_process.cold+0xb/0x10` → `oom_kill_process`), and whether the unwinder
/// vouched for it (no `?`).
fn frame_name(frame: &str) -> Option<(&str, bool)> {
    // Old kernels print `[<ffffffff812eb122>] ? dump_stack+0x63/0x81`: drop the address first.
    let frame = frame.rsplit("] ").next().unwrap_or(frame).trim();
    let unreliable = frame.strip_prefix('?');
    let reliable = unreliable.is_none();
    let frame = unreliable.map_or(frame, str::trim_start);
    let end = frame.find(['+', '.', ' ']).unwrap_or(frame.len());
    let name = frame.get(..end).filter(|name| !name.is_empty())?;
    // Memory allocation profiling (6.10, include/linux/alloc_tag.h `alloc_hooks`) renamed the
    // allocator's functions `*_noprof` behind macros of the old names.
    Some((name.strip_suffix("_noprof").unwrap_or(name), reliable))
}

/// The first frame of `report` among `names` that the unwinder vouched for. `?` frames are
/// return addresses found on the stack, maybe stale (arch/x86/kernel/dumpstack.c
/// `printk_stack_address` marks them when `reliable` is 0), so they count only in a trace
/// with no reliable frame at all: a kernel built without frame pointers marks every frame
/// `?` (2.6-era and many 32-bit builds), and then the marked frames are all it shows.
pub(super) fn find_frame<'a>(report: &'a OomReport, names: &[&str]) -> Option<&'a str> {
    let frames = || {
        report
            .call_trace
            .iter()
            .filter_map(|frame| frame_name(frame))
    };
    let none_reliable = frames().all(|(_, reliable)| !reliable);
    frames()
        .filter(|&(_, reliable)| reliable || none_reliable)
        .map(|(name, _)| name)
        .find(|name| names.contains(name))
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
    use super::{find_frame, frame_name, PAGE_ALLOCATOR_FRAMES};
    use crate::classify::testkit::Given;
    use crate::report::OomReport;

    #[test]
    fn frame_names_drop_addresses_offsets_and_suffixes() {
        let name = |frame| frame_name(frame).map(|(name, _)| name);
        assert_eq!(
            name("oom_kill_process.cold+0xb/0x10"),
            Some("oom_kill_process")
        );
        assert_eq!(
            name(" __alloc_pages_slowpath.constprop.0"),
            Some("__alloc_pages_slowpath")
        );
        assert_eq!(
            name("__alloc_pages_noprof+0xadc/0xfc8"),
            Some("__alloc_pages")
        );
        assert_eq!(
            name("[<ffffffff812eb122>] dump_stack+0x63/0x81"),
            Some("dump_stack")
        );
        assert_eq!(
            name("nvkms_alloc+0x27/0x60 [nvidia_modeset]"),
            Some("nvkms_alloc")
        );
        assert_eq!(name(""), None);
    }

    #[test]
    fn question_marked_frames_are_named_unreliable() {
        assert_eq!(
            frame_name("? mem_cgroup_iter+0x204/0x3a0"),
            Some(("mem_cgroup_iter", false))
        );
        assert_eq!(
            frame_name("[<ffffffff81205514>] ? mem_cgroup_iter+0x204/0x3a0"),
            Some(("mem_cgroup_iter", false))
        );
        assert_eq!(
            frame_name("[<ffffffff81205514>] mem_cgroup_iter+0x204/0x3a0"),
            Some(("mem_cgroup_iter", true))
        );
    }

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
