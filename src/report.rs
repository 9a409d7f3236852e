//! The typed OOM report: every figure the parser could read from one assembled report.
//!
//! Every field is optional or may be empty: a report cut short, redacted or damaged costs
//! only the fields of the lines that are missing. Memory figures carry their unit in their
//! name (`_kb`, `_pages`, `_bytes`); nothing here is converted behind the reader's back.

use serde::Serialize;

/// What kind of kernel report this is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The OOM killer ran (`invoked oom-killer`, `oom-kill:`, `Killed process`).
    #[default]
    OomKill,
    /// `warn_alloc` reported a failed allocation (`page allocation failure`): no kill.
    AllocationFailure,
}

/// One parsed report. Built line by line by [`crate::parse::ReportBuilder`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OomReport {
    pub kind: ReportKind,
    /// The task whose allocation (or charge) failed, from the header line.
    pub trigger: Trigger,
    /// `CPU: … Comm: … <release>` and `Hardware name:` from `dump_stack`.
    pub kernel: KernelInfo,
    /// Function names of the call trace, innermost first, without offsets
    /// (`mem_cgroup_out_of_memory`, `__alloc_pages_slowpath`, `moom_callback`). Compiler clone
    /// suffixes (`.cold`, `.constprop.0`, `.isra.20`) are dropped; frames the kernel marks `?`
    /// (unreliable) are kept, since kernels without frame pointers mark every frame so, and
    /// their positions are in `unreliable_frames`.
    pub call_trace: Vec<String>,
    /// Positions in `call_trace`, ascending, of the frames the kernel marked `?`: return
    /// addresses found on the stack that the unwinder could not vouch for.
    pub unreliable_frames: Vec<usize>,
    /// The `oom-kill:constraint=…` summary line (kernel ≥ 5.0, RHEL8).
    pub summary: Option<OomSummary>,
    /// The memory cgroup section (memcg OOMs only).
    pub memcg: MemcgSection,
    /// `Mem-Info:` and everything `show_mem` prints after it.
    pub meminfo: MemInfo,
    /// The task table, at most [`crate::parse::TASK_ROWS_KEPT`] rows, largest rss first.
    pub tasks: Vec<TaskRow>,
    /// How many task-table rows the report had (all of them, not only those kept).
    pub task_rows_seen: u64,
    /// Whether a task-table row named `pause` was read, kept or not: the Kubernetes pod
    /// sandbox's process, whose tiny rss leaves it out of the rows kept.
    pub pause_row_seen: bool,
    /// `<msg>: Kill process P (comm) score N or sacrifice child` (≤ 5.0): the task selected.
    pub selected: Option<SelectedTask>,
    /// Which message prefixed the kill: `Out of memory`, `Memory cgroup out of memory`,
    /// or `Out of memory (oom_kill_allocating_task)`.
    pub kill_message: Option<String>,
    /// Every process killed, in the order the kernel printed them, each pid once.
    /// The first is the victim; more appear with `memory.oom.group`.
    pub victims: Vec<Victim>,
    /// `<msg>: OOM victim P (comm) is already exiting. Skip killing the task` (≥ 5.10): the task
    /// the OOM killer chose was already dying, so this report killed nothing.
    pub exiting_victim: Option<SelectedTask>,
    /// The cgroup path of `Tasks in <path> are going to be killed due to memory.oom.group set`.
    pub oom_group: Option<String>,
    /// `oom_reaper:` lines about the victims.
    pub reaper: Vec<ReaperResult>,
    /// How the report ended when it killed nothing, or how the kernel stopped after it.
    pub end_note: Option<EndNote>,
    /// The kernel panicked on this OOM (`Kernel panic - not syncing: …`): `panic_on_oom`, or
    /// no killable process in a global OOM.
    pub panicked: bool,
    /// After `Out of memory and no killable processes...` the kernel printed another line
    /// instead of panicking `System is deadlocked on memory`. The note is a warning since 4.19
    /// (before, it was the panic's own text, printed only for global OOMs), and since then a
    /// global OOM panics right after it: only a memory cgroup or sysrq OOM goes on
    /// (mm/oom_kill.c `out_of_memory`).
    pub went_on_after_no_killable: bool,
    /// `sysrq: Manual OOM execution` (older: `SysRq : Manual OOM execution`) came before the
    /// report: the OOM killer was invoked by hand, whatever the header's order says.
    pub sysrq: bool,
    /// The `N` of `oom_kill_process: N callbacks suppressed` before the header: how many OOM
    /// headers the kernel's rate limit (`oom_rs` in `oom_kill_process`) left out before this one.
    pub headers_suppressed: u64,
    /// `COMPACTION is disabled!!!` was printed.
    pub compaction_disabled: bool,
    /// `Unreclaimable slab info:` rows (≥ 4.15, printed when slab exceeds the LRU).
    pub unreclaimable_slab: Vec<SlabCache>,
}

/// The line that ends a report with no kill (mm/oom_kill.c `out_of_memory`,
/// `check_panic_on_oom`; drivers/tty/sysrq.c `moom_callback`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndNote {
    /// `Out of memory and no killable processes...`: every task was unkillable
    /// (`oom_score_adj -1000`, kernel threads, already exiting); nothing was killed.
    NoKillable,
    /// `System is deadlocked on memory`: a global (not memcg, not sysrq) OOM found nothing to
    /// kill, and the kernel panicked.
    Deadlocked,
    /// `Out of memory: compulsory panic_on_oom is enabled` (`vm.panic_on_oom=2`: any OOM panics).
    CompulsoryPanic,
    /// `Out of memory: system-wide panic_on_oom is enabled` (`vm.panic_on_oom=1`: only an
    /// unconstrained, machine-wide OOM panics).
    SystemWidePanic,
    /// `OOM request ignored. No task eligible`: a sysrq-f request that killed nothing.
    RequestIgnored,
}

/// The header: `<comm> invoked oom-killer: gfp_mask=…, [nodemask=…,] order=N, oom_score_adj=N`
/// or `<comm>: page allocation failure: order:N, mode:0x…`, plus the ≤ 4.19 cpuset line and
/// the `CPU: … PID: P Comm: …` line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Trigger {
    pub comm: Option<String>,
    /// From `CPU: n PID: P Comm: …`.
    pub pid: Option<u32>,
    /// The mask as printed, e.g. `0xcc0` or a redacted `0x62****`.
    pub gfp_mask: Option<String>,
    /// Decoded flag names, e.g. `["GFP_HIGHUSER_MOVABLE", "__GFP_ZERO"]`.
    pub gfp_flags: Vec<String>,
    /// Allocation order; `-1` means the OOM killer was invoked by hand (sysrq-f).
    pub order: Option<i32>,
    pub oom_score_adj: Option<i32>,
    /// `nodemask=` of the header (4.8–4.19) or of the allocation failure: `(null)`, `0-1`.
    pub nodemask: Option<String>,
    /// cpuset cgroup name from the separate ≤ 4.19 `cpuset=… mems_allowed=…` line.
    pub cpuset: Option<String>,
    pub mems_allowed: Option<String>,
}

impl Trigger {
    /// Whether the decoded flag names include `name` (`GFP_KERNEL`, `__GFP_HIGH`).
    pub fn has_gfp_flag(&self, name: &str) -> bool {
        self.gfp_flags.iter().any(|flag| flag.trim() == name)
    }
}

/// What `dump_stack` says about the machine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KernelInfo {
    /// Kernel release, e.g. `5.15.0-1041-azure`.
    pub release: Option<String>,
    /// The `Hardware name:` text.
    pub hardware: Option<String>,
    /// The taint string (`G  OE`), when the kernel is tainted.
    pub tainted: Option<String>,
    /// The CPU that printed the report.
    pub cpu: Option<u32>,
}

/// The `oom-kill:` summary line, key by key. `global_oom` is true when the line says so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OomSummary {
    /// `CONSTRAINT_NONE`, `CONSTRAINT_CPUSET`, `CONSTRAINT_MEMORY_POLICY` or `CONSTRAINT_MEMCG`.
    pub constraint: Option<String>,
    pub nodemask: Option<String>,
    pub cpuset: Option<String>,
    pub mems_allowed: Option<String>,
    /// The memory cgroup whose limit was hit (memcg OOMs).
    pub oom_memcg: Option<String>,
    pub global_oom: bool,
    /// The victim's memory cgroup.
    pub task_memcg: Option<String>,
    pub task: Option<String>,
    pub pid: Option<u32>,
    pub uid: Option<u32>,
    /// The line stops before its last key, `uid=` (cut by the printk record limit, a pager or
    /// a poster): the last value read may be cut short, and the keys after it are missing.
    /// A cut `pid=` is dropped rather than kept wrong.
    pub truncated: bool,
}

/// A page counter line: `memory: usage 204800kB, limit 204800kB, failcnt 26`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PageCounter {
    pub usage_kb: u64,
    pub limit_kb: u64,
    pub failcnt: u64,
}

impl PageCounter {
    /// The kernel prints "no limit" as PAGE_COUNTER_MAX (9007199254740988kB) or, on
    /// 3.x res_counter kernels, 18014398509481983kB; anything at or above 2^50 kB is unlimited.
    pub fn is_unlimited(&self) -> bool {
        self.limit_kb >= 1 << 50
    }
}

/// The memory cgroup section of a memcg OOM report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemcgSection {
    /// ≤ 4.19: `Task in <task_cgroup> killed as a result of limit of <limit_cgroup>`.
    pub task_cgroup: Option<String>,
    /// The limiting cgroup; Alibaba kernels print the literal `host` for a global OOM.
    pub limit_cgroup: Option<String>,
    /// `Memory limit reached of cgroup <path>` (no victim chosen yet).
    pub limit_reached_cgroup: Option<String>,
    pub memory: Option<PageCounter>,
    /// cgroup v1 `memory+swap:`.
    pub memory_swap: Option<PageCounter>,
    /// cgroup v1 `kmem:`.
    pub kmem: Option<PageCounter>,
    /// cgroup v2 `swap:`.
    pub swap: Option<PageCounter>,
    /// One entry per `Memory cgroup stats for <path>:` dump.
    pub stats: Vec<MemcgStats>,
}

/// One `Memory cgroup stats for <path>:` dump, values normalised to bytes
/// (v1 prints `rss:1048552KB`, v2 memory.stat prints `anon 98742272` in bytes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemcgStats {
    pub cgroup: String,
    /// Key and value in bytes, in the order printed; each key once.
    pub values_bytes: Vec<(String, u64)>,
}

impl MemcgStats {
    /// The value of `key` in bytes, if it was printed.
    pub fn get(&self, key: &str) -> Option<u64> {
        self.values_bytes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    }
}

/// `show_mem` output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemInfo {
    /// Whether a `Mem-Info:` line was seen.
    pub present: bool,
    /// The global counters after `Mem-Info:` (`active_anon`, `free`, `slab_unreclaimable`, …),
    /// in pages, in the order printed; each key once.
    pub counters_pages: Vec<(String, u64)>,
    /// The per-node `Node N active_anon:… all_unreclaimable? yes` lines.
    pub nodes: Vec<NodeState>,
    /// One entry per zone, with its watermarks, reserves and buddy list where printed.
    pub zones: Vec<ZoneState>,
    pub hugepages: Vec<HugepagePool>,
    /// `Free swap  = NkB`.
    pub swap_free_kb: Option<u64>,
    /// `Total swap = NkB`.
    pub swap_total_kb: Option<u64>,
    pub pagecache_pages: Option<u64>,
    pub swap_cache_pages: Option<u64>,
    pub ram_pages: Option<u64>,
    pub reserved_pages: Option<u64>,
    /// `N pages HighMem/MovableOnly`: RAM only highmem or movable allocations may use.
    pub highmem_movable_pages: Option<u64>,
    /// Page size in kB, from the smallest buddy block (4 on x86); `None` when no buddy list.
    pub page_size_kb: Option<u64>,
}

impl MemInfo {
    /// The global counter `key` in pages, if printed.
    pub fn counter(&self, key: &str) -> Option<u64> {
        self.counters_pages
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    }
}

/// A per-node line of `show_mem`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NodeState {
    pub node: u32,
    /// `all_unreclaimable? yes|no`.
    pub all_unreclaimable: Option<bool>,
}

/// A zone's free memory against its watermarks: `free:46592kB min:46712kB low:58388kB high:70064kB`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ZoneWatermarks {
    pub free_kb: u64,
    pub min_kb: u64,
    pub low_kb: u64,
    pub high_kb: u64,
}

/// One zone of one node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ZoneState {
    /// `None` on kernels without CONFIG_NUMA (the line has no `Node N`).
    pub node: Option<u32>,
    /// `DMA`, `DMA32`, `Normal`, `Movable`, `HighMem`.
    pub zone: String,
    pub watermarks: Option<ZoneWatermarks>,
    pub present_kb: Option<u64>,
    pub managed_kb: Option<u64>,
    /// `free_cma:` of the zone line: free pages in CMA areas, which only movable allocations
    /// may take.
    pub free_cma_kb: Option<u64>,
    /// `reserved_highatomic:` (≥ 5.10): pages held for high-order atomic allocations.
    pub reserved_highatomic_kb: Option<u64>,
    /// `boost:` (≥ 5.0): the temporary rise of the zone's watermarks after fragmentation
    /// events, already inside the printed `min:`, `low:` and `high:`.
    pub boost_kb: Option<u64>,
    /// `lowmem_reserve[]:` after this zone's line, in pages, one per zone index.
    pub lowmem_reserve_pages: Vec<u64>,
    /// The zone's buddy list, when its `Node N Zone: n*4kB …` line was printed.
    pub buddy: Option<BuddyList>,
    /// `all_unreclaimable? yes|no` on the zone line (3.10 prints it per zone, not per node).
    pub all_unreclaimable: Option<bool>,
}

/// A buddy free list: `1325*4kB (UME) 966*8kB (UME) 0*32kB … = 23500kB`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BuddyList {
    /// One entry per order, smallest block first.
    pub orders: Vec<BuddyOrder>,
    /// The `= NkB` total, when printed.
    pub total_kb: Option<u64>,
}

/// Free blocks of one order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BuddyOrder {
    pub block_kb: u64,
    pub count: u64,
    /// Migrate-type letters as printed (`UME`, `H`), empty when none.
    pub migrate_types: String,
}

/// `Node N hugepages_total=… hugepages_free=… hugepages_surp=… hugepages_size=…kB`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HugepagePool {
    pub node: u32,
    pub total: u64,
    pub free: u64,
    pub surplus: u64,
    pub size_kb: u64,
}

/// One task-table row. Memory columns are in pages, `pgtables_bytes` in bytes, as printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaskRow {
    pub pid: u32,
    pub uid: u32,
    pub tgid: u32,
    pub total_vm_pages: u64,
    pub rss_pages: u64,
    /// ≥ 6.8 tables split rss into anon, file and shmem.
    pub rss_anon_pages: Option<u64>,
    pub rss_file_pages: Option<u64>,
    pub rss_shmem_pages: Option<u64>,
    /// ≥ 4.15 tables; older tables print `nr_ptes` (pages) instead.
    pub pgtables_bytes: Option<u64>,
    pub swapents_pages: Option<u64>,
    pub oom_score_adj: i32,
    pub name: String,
}

/// `Kill process P (comm) score N or sacrifice child`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SelectedTask {
    pub pid: u32,
    pub comm: String,
    pub score: Option<u64>,
}

/// A killed process, from `Killed process P (comm) total-vm:…` (or, where no such line was
/// printed, from the `oom_reaper`, the summary's `task=…,pid=…`, or the selection line).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Victim {
    pub pid: u32,
    pub comm: String,
    pub total_vm_kb: Option<u64>,
    pub anon_rss_kb: Option<u64>,
    pub file_rss_kb: Option<u64>,
    pub shmem_rss_kb: Option<u64>,
    pub uid: Option<u32>,
    pub pgtables_kb: Option<u64>,
    pub oom_score_adj: Option<i32>,
    /// Which line named this victim: `killed`, `reaper`, `summary` or `selected`.
    pub source: VictimSource,
}

/// Which line of the report named a victim.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VictimSource {
    #[default]
    Killed,
    Reaper,
    Summary,
    Selected,
}

/// `oom_reaper: reaped process P (comm), now anon-rss:…` or `unable to reap pid:P (comm)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReaperResult {
    pub pid: u32,
    pub comm: String,
    pub reaped: bool,
    pub anon_rss_kb: Option<u64>,
    pub file_rss_kb: Option<u64>,
    pub shmem_rss_kb: Option<u64>,
}

/// A row of `Unreclaimable slab info:`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SlabCache {
    pub name: String,
    pub used_kb: u64,
    pub total_kb: u64,
}
