//! What the call trace shows: which reliable frames a report's stack holds.

use crate::report::OomReport;

/// A call-trace frame's function name without `? `, offsets and compiler suffixes
/// (`oom_kill_process.cold+0xb/0x10` → `oom_kill_process`); `None` for unreliable `?` frames.
fn frame_name(frame: &str) -> Option<&str> {
    // Old kernels print `[<ffffffff812eb122>] ? dump_stack+0x63/0x81`: drop the address first.
    let frame = frame.rsplit("] ").next().unwrap_or(frame).trim();
    if frame.starts_with('?') {
        return None;
    }
    let end = frame.find(['+', '.', ' ']).unwrap_or(frame.len());
    let name = frame.get(..end).filter(|name| !name.is_empty())?;
    // Memory allocation profiling (6.10, include/linux/alloc_tag.h `alloc_hooks`) renamed the
    // allocator's functions `*_noprof` behind macros of the old names.
    Some(name.strip_suffix("_noprof").unwrap_or(name))
}

/// The first reliable frame of `report` among `names`.
pub(super) fn find_frame<'a>(report: &'a OomReport, names: &[&str]) -> Option<&'a str> {
    report
        .call_trace
        .iter()
        .filter_map(|frame| frame_name(frame))
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
pub(super) const PAGE_ALLOCATOR_FRAMES: [&str; 5] = [
    "__alloc_pages_slowpath",
    "__alloc_pages_may_oom",
    "__alloc_pages_nodemask",
    "__alloc_pages",
    // 6.15: the allocator proper, below `__alloc_pages_noprof`.
    "__alloc_frozen_pages",
];

/// Frames of the page allocator's path into the OOM killer or its failure report.
pub(super) const ALLOCATOR_FRAMES: [&str; 8] = [
    "__alloc_pages_slowpath",
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
    use super::frame_name;

    #[test]
    fn frame_names_drop_addresses_offsets_and_suffixes() {
        assert_eq!(
            frame_name("oom_kill_process.cold+0xb/0x10"),
            Some("oom_kill_process")
        );
        assert_eq!(
            frame_name(" __alloc_pages_slowpath.constprop.0"),
            Some("__alloc_pages_slowpath")
        );
        assert_eq!(
            frame_name("__alloc_pages_noprof+0xadc/0xfc8"),
            Some("__alloc_pages")
        );
        assert_eq!(
            frame_name("[<ffffffff812eb122>] dump_stack+0x63/0x81"),
            Some("dump_stack")
        );
        assert_eq!(
            frame_name("nvkms_alloc+0x27/0x60 [nvidia_modeset]"),
            Some("nvkms_alloc")
        );
        assert_eq!(frame_name("? mem_cgroup_iter+0x204/0x3a0"), None);
        assert_eq!(
            frame_name("[<ffffffff81205514>] ? mem_cgroup_iter+0x204/0x3a0"),
            None
        );
        assert_eq!(frame_name(""), None);
    }
}
