//! Zone arithmetic: which zones an allocation may use, their watermarks raised by
//! `lowmem_reserve`, and whether their buddy lists hold a block as large as the allocation
//! (the allocation's zone class is [`super::gfp_zone`]'s).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::gfp_zone::{
    allocation_zone, may_use_cma, zone_rank, DEVICE_RANK, DMA_RANK, MOVABLE_RANK,
};
use crate::report::{BuddyList, MemInfo, OomReport, Trigger, ZoneState, ZoneWatermarks};

/// The largest allocation order the buddy checks consider; anything above is not a real order.
const MAX_CHECKED_ORDER: u32 = 20;

/// The zone types of this report's kernel in `lowmem_reserve[]` index order, as far as the
/// report tells: the zone types it prints, plus `Movable` (always configured) and `Device`
/// when the reserve arrays are longer than that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ZoneLayout {
    ranks: Vec<usize>,
}

impl ZoneLayout {
    pub(super) fn of(meminfo: &MemInfo) -> Self {
        let mut ranks: Vec<usize> = meminfo
            .zones
            .iter()
            .filter_map(|zone| zone_rank(&zone.zone))
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let longest = meminfo
            .zones
            .iter()
            .map(|zone| zone.lowmem_reserve_pages.len())
            .max()
            .unwrap_or(0);
        for extra in [MOVABLE_RANK, DEVICE_RANK] {
            if !ranks.contains(&extra) && longest > ranks.len() {
                ranks.push(extra);
            }
        }
        Self { ranks }
    }

    /// The `lowmem_reserve[]` index for allocations whose highest zone type is `rank`.
    fn class_index(&self, rank: usize) -> Option<usize> {
        self.ranks.iter().rposition(|r| *r <= rank)
    }

    /// The pages `zone` keeps back from allocations whose highest zone type is `class`:
    /// its `lowmem_reserve[class]`. When the layout does not match the array (zones not
    /// printed) or the class is unknown, the largest entry, so a zone is never made to look
    /// richer than it was. 0 when no reserve line was printed.
    pub(super) fn reserve_pages(&self, zone: &ZoneState, class: Option<usize>) -> u64 {
        let entries = &zone.lowmem_reserve_pages;
        if entries.len() == self.ranks.len() {
            if let Some(index) = class.and_then(|rank| self.class_index(rank)) {
                return entries.get(index).copied().unwrap_or(0);
            }
        }
        entries.iter().copied().max().unwrap_or(0)
    }
}

/// A zone whose `lowmem_reserve[]` shows more populated zones above it on its node than the
/// report prints, as `Node 0 DMA (lowmem_reserve 0 2660 15392 15392 15392: 2 populated zones
/// above it, 0 printed)`: the excerpt was cut inside the zone section.
/// `setup_per_zone_lowmem_reserve` (mm/page_alloc.c) sets entry j of zone i (j > i) from the
/// managed pages of zones i+1..=j, so each rise from one entry to the next is a zone above
/// with memory, and `show_free_areas` prints every populated zone of a node it prints.
/// Not from 6.1, whose `__show_mem` skips the zones above the allocation's highest zone
/// (`max_zone_idx`): where the release is not printed, a zone line with
/// `reserved_highatomic:` (5.10+) may be of such a kernel.
pub(super) fn unprinted_zones(report: &OomReport) -> Option<String> {
    let meminfo = &report.meminfo;
    let may_skip_zones = match report.kernel.release {
        Some(_) => !kernel_older_than(report, 6, 1),
        None => meminfo
            .zones
            .iter()
            .any(|zone| zone.reserved_highatomic_kb.is_some()),
    };
    if may_skip_zones {
        return None;
    }
    meminfo.zones.iter().find_map(|zone| {
        let entries = &zone.lowmem_reserve_pages;
        let rises = entries
            .iter()
            .zip(entries.iter().skip(1))
            .filter(|(below, above)| above > below)
            .count();
        let rank = zone_rank(&zone.zone)?;
        let printed = meminfo
            .zones
            .iter()
            .filter(|other| other.node == zone.node && zone_rank(&other.zone) > Some(rank))
            .count();
        let shown: Vec<String> = entries.iter().map(u64::to_string).collect();
        (rises > printed).then(|| {
            format!(
                "{} (lowmem_reserve {}: {rises} populated zones above it, {printed} printed)",
                zone_label(zone),
                shown.join(" ")
            )
        })
    })
}

/// The pages of a request of `order` beyond its first, in kB: `__zone_watermark_ok`
/// (mm/page_alloc.c) subtracts `(1 << order) - 1` pages from the zone's free pages in
/// every version.
pub(super) fn request_own_kb(order: u32, page_kb: u64) -> u64 {
    page_kb
        .checked_shl(order)
        .unwrap_or(u64::MAX)
        .saturating_sub(page_kb)
}

/// Whether the report's kernel release (`CPU: … 4.1.18 …`) is older than `major.minor`;
/// false when the release is not printed or not read.
pub(super) fn kernel_older_than(report: &OomReport, major: u32, minor: u32) -> bool {
    let Some(release) = report.kernel.release.as_deref() else {
        return false;
    };
    let mut numbers = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|part| part.parse::<u32>().ok());
    match (numbers.next().flatten(), numbers.next().flatten()) {
        (Some(x), Some(y)) => (x, y) < (major, minor),
        _ => false,
    }
}

/// What one kswapd pass may have freed in `zone` while the OOM killer decided and printed:
/// kswapd runs on meanwhile, so a zone may rise above high by this much with no
/// contradiction. mm/vmscan.c aims each pass at `max(high_wmark_pages, SWAP_CLUSTER_MAX)`
/// pages per zone: since 4.8 (node-based LRUs, `kswapd_shrink_node`) summed over the node's
/// zones up to the one the allocation asked for, and the pages it frees land in whichever
/// zone held them, so a small zone (i386's 16 MB DMA) can gain the node's whole pass; before,
/// `kswapd_shrink_zone` aimed at each zone on its own.
pub(super) fn reclaim_pass_kb(
    report: &OomReport,
    zones: &[ZoneEval],
    zone: &ZoneEval,
    page_kb: u64,
) -> u64 {
    const SWAP_CLUSTER_MAX_PAGES: u64 = 32;
    let pass = |z: &ZoneEval| {
        z.watermarks
            .high_kb
            .max(SWAP_CLUSTER_MAX_PAGES.saturating_mul(page_kb))
    };
    if kernel_older_than(report, 4, 8) {
        return pass(zone);
    }
    zones
        .iter()
        .filter(|z| z.zone.node == zone.zone.node)
        .map(pass)
        .fold(0, u64::saturating_add)
}

/// Whether the kernel runs the pre-4.4 order-aware watermark check: its release says so,
/// or, with no release printed, its buddy lists have the older format. 4.4 removed
/// MIGRATE_RESERVE (the `R` letter) in the series that replaced the check; kernels before
/// `show_migration_types` print counts with no letters at all (mm/page_alloc.c
/// `show_free_areas`).
pub(super) fn watermark_check_before_4_4(report: &OomReport) -> bool {
    if report.kernel.release.is_some() {
        return kernel_older_than(report, 4, 4);
    }
    let mut printed = report
        .meminfo
        .zones
        .iter()
        .filter_map(|zone| zone.buddy.as_ref())
        .flat_map(|buddy| buddy.orders.iter().filter(|o| o.count > 0))
        .peekable();
    if printed.peek().is_none() {
        return false;
    }
    let mut any_letters = false;
    for order in printed {
        if order.migrate_types.contains('R') {
            return true;
        }
        any_letters |= order.migrate_types.chars().any(|c| c.is_ascii_alphabetic());
    }
    !any_letters
}

/// The page size in kB: as the parser read it, else the smallest buddy block, else 4.
pub(super) fn page_kb(meminfo: &MemInfo) -> u64 {
    meminfo
        .page_size_kb
        .filter(|kb| *kb > 0)
        .or_else(|| {
            meminfo
                .zones
                .iter()
                .filter_map(|zone| zone.buddy.as_ref())
                .flat_map(|buddy| buddy.orders.iter().map(|o| o.block_kb))
                .filter(|kb| *kb > 0)
                .min()
        })
        .unwrap_or(4)
}

/// One zone with watermarks, judged for one allocation class.
#[derive(Debug, Clone)]
pub(super) struct ZoneEval<'a> {
    pub zone: &'a ZoneState,
    pub watermarks: ZoneWatermarks,
    /// `lowmem_reserve` pages held back from this allocation class, and the same in kB.
    pub reserve_pages: u64,
    pub reserve_kb: u64,
    /// Free memory this allocation may not count: `free_cma` for an allocation that may not
    /// use CMA, `reserved_highatomic` for one without access to the reserves
    /// (mm/page_alloc.c `__zone_watermark_unusable_free`).
    pub unusable: Unusable,
    /// The blocks of the buddy list this allocation may take.
    pub access: BlockAccess,
}

/// The parts of a zone's free memory an allocation may not count, in kB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Unusable {
    pub cma_kb: u64,
    pub highatomic_kb: u64,
}

impl Unusable {
    /// `page_kb` is the report's page size ([`page_kb`]).
    fn of(
        zone: &ZoneState,
        meminfo: &MemInfo,
        page_kb: u64,
        access: BlockAccess,
        reserves: bool,
    ) -> Self {
        Self {
            cma_kb: if access.cma {
                0
            } else {
                zone.free_cma_kb
                    .unwrap_or_else(|| free_cma_floor_kb(zone, meminfo, page_kb))
            },
            highatomic_kb: if reserves {
                0
            } else {
                zone.reserved_highatomic_kb
                    .or_else(|| zone.buddy.as_ref().map(|b| free_list_floor_kb(b, 'H')))
                    .unwrap_or(0)
            },
        }
    }

    fn total_kb(self) -> u64 {
        self.cma_kb.saturating_add(self.highatomic_kb)
    }
}

impl ZoneEval<'_> {
    /// `Node 0 Normal`, or `Normal` on kernels without NUMA.
    pub(super) fn label(&self) -> String {
        zone_label(self.zone)
    }

    pub(super) fn effective_min_kb(&self) -> u64 {
        self.watermarks.min_kb.saturating_add(self.reserve_kb)
    }

    pub(super) fn effective_low_kb(&self) -> u64 {
        self.watermarks.low_kb.saturating_add(self.reserve_kb)
    }

    pub(super) fn effective_high_kb(&self) -> u64 {
        self.watermarks.high_kb.saturating_add(self.reserve_kb)
    }

    /// The free memory the watermark check counts for this allocation: `free` less what it
    /// may not use. The printed `min:` already holds any `boost:` (`min_wmark_pages` adds
    /// `watermark_boost`), so nothing is added for it.
    pub(super) fn usable_free_kb(&self) -> u64 {
        self.watermarks
            .free_kb
            .saturating_sub(self.unusable.total_kb())
    }

    /// The kernel refuses the zone when usable free ≤ min + reserve (`__zone_watermark_ok`).
    pub(super) fn below_min(&self) -> bool {
        self.usable_free_kb() <= self.effective_min_kb()
    }

    /// Whether the zone cannot hand out one page to this allocation: under min, or its
    /// printed buddy list holds no block it may take (`rmqueue` serves from the free lists;
    /// `free:` also counts what they cannot give it).
    pub(super) fn cannot_serve_order_0(&self) -> bool {
        self.below_min() || self.buddy_usable_kb() == Some(0)
    }

    /// Whether the zone fails `__zone_watermark_ok` for a request of `order`, whose own
    /// pages it counts as taken first (`free_pages -= (1 << order) - 1`), or cannot hand
    /// out a page at all.
    pub(super) fn short_for_order(&self, order: u32, page_kb: u64) -> bool {
        self.free_after_request_kb(order, page_kb) <= self.effective_min_kb()
            || self.cannot_serve_order_0()
    }

    /// Whether the zone fails the check for `order` only through its watermark boost: what
    /// the request may count is above min + reserve once `boost:` is taken out. mm/page_alloc.c
    /// `boost_watermark` raises the watermarks when an allocation falls back to another
    /// migrate type's pageblock (an external fragmentation event), and kswapd lowers them
    /// again once it has reclaimed and compacted: such a zone was short of unfragmented
    /// room for a while, not of memory.
    pub(super) fn short_only_by_boost(&self, order: u32, page_kb: u64) -> bool {
        let boost_kb = self.zone.boost_kb.unwrap_or(0);
        boost_kb > 0
            && self.short_for_order(order, page_kb)
            && self.buddy_usable_kb() != Some(0)
            && self.free_after_request_kb(order, page_kb)
                > self.effective_min_kb().saturating_sub(boost_kb)
    }

    /// Usable free memory less the request's own pages, which `__zone_watermark_ok` counts
    /// as taken before it compares with min ([`request_own_kb`]).
    pub(super) fn free_after_request_kb(&self, order: u32, page_kb: u64) -> u64 {
        self.usable_free_kb()
            .saturating_sub(request_own_kb(order, page_kb))
    }

    pub(super) fn below_low(&self) -> bool {
        self.usable_free_kb() <= self.effective_low_kb()
    }

    /// Usable free above high + reserve by more than `reclaim_pass_kb` (see
    /// [`reclaim_pass_kb`]): an order-0 allocation would have been served from this zone by
    /// `__alloc_pages_may_oom`'s last try before the OOM killer, which asks for the high
    /// watermark, and reclaim since cannot explain it.
    pub(super) fn beyond_reclaim_since(&self, reclaim_pass_kb: u64) -> bool {
        self.usable_free_kb() > self.effective_high_kb().saturating_add(reclaim_pass_kb)
    }

    /// Free memory in the zone's buddy list in blocks this allocation may take, when the
    /// list is printed: what `rmqueue` can hand out, whatever `free:` counts.
    pub(super) fn buddy_usable_kb(&self) -> Option<u64> {
        let buddy = self.zone.buddy.as_ref()?;
        Some(
            buddy
                .orders
                .iter()
                .filter(|o| self.access.may_take(&o.migrate_types))
                .map(|o| o.count.saturating_mul(o.block_kb))
                .fold(0, u64::saturating_add),
        )
    }

    /// `, of which free_cma 31624kB this allocation may not use`, where such memory counts.
    fn unusable_note(&self) -> String {
        let mut note = String::new();
        if self.unusable.cma_kb > 0 {
            // Where the zone line shows no free_cma, its floor comes from the (C) blocks and
            // Mem-Info's free_cma.
            let what = if self.zone.free_cma_kb.is_some() {
                "free_cma"
            } else {
                "free CMA, at least"
            };
            let _ = write!(
                note,
                " ({what} {}kB of it only movable allocations may use)",
                self.unusable.cma_kb
            );
        }
        if self.unusable.highatomic_kb > 0 {
            // Before 5.10 the reserve is not printed: its floor comes from the (H) blocks.
            let what = if self.zone.reserved_highatomic_kb.is_some() {
                "reserved_highatomic"
            } else {
                "free (H) blocks, at least"
            };
            let _ = write!(
                note,
                " ({what} {}kB of it only high-order atomic allocations may use)",
                self.unusable.highatomic_kb
            );
        }
        note
    }

    /// `Node 0 Normal free 46592kB < min 46712kB`, naming the reserve where it decides.
    pub(super) fn watermark_evidence(&self) -> String {
        let ZoneWatermarks {
            free_kb: printed_free_kb,
            min_kb,
            low_kb,
            ..
        } = self.watermarks;
        let free_kb = self.usable_free_kb();
        let label = if free_kb == printed_free_kb {
            self.label()
        } else {
            format!(
                "{} free {printed_free_kb}kB{}, usable",
                self.label(),
                self.unusable_note()
            )
        };
        let reserve = format!(
            "lowmem_reserve {} pages ({}kB)",
            self.reserve_pages, self.reserve_kb
        );
        // Above the watermark itself, below it once the reserve kept for higher zones counts.
        let below_with_reserve = |name: &str, mark_kb: u64, effective_kb: u64| {
            format!(
                "{label} free {free_kb}kB > {name} {mark_kb}kB, but {name} + {reserve} = {effective_kb}kB {} free",
                cmp(effective_kb, free_kb)
            )
        };
        if self.below_min() {
            if free_kb > min_kb {
                below_with_reserve("min", min_kb, self.effective_min_kb())
            } else {
                format!(
                    "{label} free {free_kb}kB {} min {min_kb}kB < low {low_kb}kB",
                    cmp(free_kb, min_kb)
                )
            }
        } else if self.below_low() {
            if free_kb > low_kb {
                below_with_reserve("low", low_kb, self.effective_low_kb())
            } else {
                format!(
                    "{label} free {free_kb}kB > min {min_kb}kB but {} low {low_kb}kB",
                    cmp(free_kb, low_kb)
                )
            }
        } else if self.reserve_kb > 0 {
            format!(
                "{label} free {free_kb}kB > low + {reserve} = {}kB",
                self.effective_low_kb()
            )
        } else {
            format!("{label} free {free_kb}kB > low {low_kb}kB")
        }
    }
}

/// `<`, `=` or `>` between two figures.
pub(super) fn cmp(a: u64, b: u64) -> &'static str {
    match a.cmp(&b) {
        std::cmp::Ordering::Less => "<",
        std::cmp::Ordering::Equal => "=",
        std::cmp::Ordering::Greater => ">",
    }
}

/// `Node 0 Normal`, or `Normal` on kernels without NUMA.
pub(super) fn zone_label(zone: &ZoneState) -> String {
    match zone.node {
        Some(node) => format!("Node {node} {}", zone.zone),
        None => zone.zone.clone(),
    }
}

/// Whether an allocation whose highest zone type is `class` may take pages from `zone` (the
/// zonelist walk of `get_page_from_freelist` stops at `highest_zoneidx`); unknown names and
/// an unknown class count as usable.
fn usable_by_class(zone: &ZoneState, class: Option<usize>) -> bool {
    match (zone_rank(&zone.zone), class) {
        (Some(rank), Some(class)) => rank <= class,
        _ => true,
    }
}

/// For each zone of the report, in order: the `lowmem_reserve` in kB it keeps back from the
/// report's allocation, as the watermark checks above apply it (`__zone_watermark_ok` wants
/// free above the mark plus `z->lowmem_reserve[highest_zoneidx]`). `None` for a zone the
/// allocation may not use, or one printed without a `lowmem_reserve[]` line.
pub(super) fn allocation_reserve_kb(report: &OomReport) -> Vec<Option<u64>> {
    let meminfo = &report.meminfo;
    let class = allocation_zone(&report.trigger);
    let layout = ZoneLayout::of(meminfo);
    let page = page_kb(meminfo);
    meminfo
        .zones
        .iter()
        .map(|zone| {
            (usable_by_class(zone, class) && !zone.lowmem_reserve_pages.is_empty())
                .then(|| layout.reserve_pages(zone, class).saturating_mul(page))
        })
        .collect()
}

/// Whether a zone has pages for the buddy allocator to hand out: the zonelists an allocation
/// walks hold only such zones (mm/page_alloc.c `build_zonelists_node`: `managed_zone()` since
/// 4.16, `populated_zone()`, present pages, before). An empty zone (`HighMem present:0kB`,
/// `Movable ... managed:0kB`) still prints its line, with free 0 below its watermarks.
fn has_pages(zone: &ZoneState) -> bool {
    zone.managed_kb.or(zone.present_kb) != Some(0)
}

/// The zones an allocation of zone class `class` may use when every one of them was printed
/// and none has pages to hand out (`Node 0 DMA free:0kB min:0kB … present:128kB
/// managed:0kB` for a GFP_DMA request): such an allocation cannot succeed however much
/// memory the rest of the machine has. `None` when the class is unknown, when one of its
/// zones has pages, or when none of its zones was printed.
/// Whether an allocation of `class` may use ZONE_DMA alone (`gfp_zone` of GFP_DMA).
pub(super) fn dma_only(class: Option<usize>) -> bool {
    class == Some(DMA_RANK)
}

pub(super) fn empty_class_zones(report: &OomReport, class: Option<usize>) -> Option<Vec<String>> {
    class?;
    let usable: Vec<&ZoneState> = report
        .meminfo
        .zones
        .iter()
        .filter(|zone| zone.watermarks.is_some() && usable_by_class(zone, class))
        .collect();
    (!usable.is_empty() && usable.iter().all(|zone| !has_pages(zone)))
        .then(|| usable.iter().map(|zone| zone_label(zone)).collect())
}

/// The zones with watermarks that an allocation of zone class `class` may use, on the nodes
/// in `allowed` (all nodes when `None`; zones printed without a node always count).
/// Each carries the `lowmem_reserve` it holds back from that class.
pub(super) fn eligible_zones<'a>(
    report: &'a OomReport,
    class: Option<usize>,
    allowed: Option<&BTreeSet<u32>>,
) -> Vec<ZoneEval<'a>> {
    let meminfo = &report.meminfo;
    let layout = ZoneLayout::of(meminfo);
    let page = page_kb(meminfo);
    let access = BlockAccess::of(&report.trigger, class);
    let reserves = reaches_reserves(&report.trigger);
    meminfo
        .zones
        .iter()
        .filter(|zone| usable_by_class(zone, class) && has_pages(zone))
        .filter(|zone| match (zone.node, allowed) {
            (Some(node), Some(allowed)) => allowed.contains(&node),
            _ => true,
        })
        .filter_map(|zone| {
            let watermarks = zone.watermarks?;
            let reserve_pages = layout.reserve_pages(zone, class);
            Some(ZoneEval {
                zone,
                watermarks,
                reserve_pages,
                reserve_kb: reserve_pages.saturating_mul(page),
                unusable: Unusable::of(zone, meminfo, page, access, reserves),
                access,
            })
        })
        .collect()
}

/// Which migrate types of free blocks an allocation may take besides U/M/E (and pre-4.4 R).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct BlockAccess {
    /// `(H)` highatomic reserve: only atomic high-order allocations (ALLOC_HARDER) reach it.
    pub highatomic: bool,
    /// `(C)` CMA: only movable allocations.
    pub cma: bool,
}

/// The least a zone's free memory on the free lists of migrate type `letter` can be, from its
/// buddy list: every block of an order printed with that letter alone, and one block of an
/// order whose letters include it among others (`show_free_areas` prints a letter when that
/// list is non-empty, and the count for all lists together).
///
/// For `H`, kernels 4.4 to 5.9 print no `reserved_highatomic:` but `__zone_watermark_ok`
/// subtracts it all the same for allocations without ALLOC_HARDER; free pages on the
/// highatomic list lie in reserved pageblocks (`reserve_highatomic_pageblock` counts whole
/// blocks, `__free_one_page` files a page by its block's type), so the reserve holds at least
/// them. For `C`, the pages on the CMA lists are what NR_FREE_CMA_PAGES counts.
fn free_list_floor_kb(buddy: &BuddyList, letter: char) -> u64 {
    buddy
        .orders
        .iter()
        .filter(|o| o.count > 0 && o.migrate_types.contains(letter))
        .map(|o| {
            let only_this_type = o
                .migrate_types
                .chars()
                .filter(char::is_ascii_alphabetic)
                .all(|l| l == letter);
            let blocks = if only_this_type { o.count } else { 1 };
            blocks.saturating_mul(o.block_kb)
        })
        .fold(0, u64::saturating_add)
}

/// The least the free CMA memory of a zone whose line shows no `free_cma:` (cut at a console's
/// width, or a kernel that prints it in Mem-Info only) can be: its `(C)` blocks, and what
/// Mem-Info's machine-wide `free_cma` leaves once every other zone's free memory, on any
/// node, is taken as CMA (NR_FREE_CMA_PAGES is a part of NR_FREE_PAGES in every zone, and
/// Mem-Info sums both over all zones: `free_cma − (free − this zone's free)`).
fn free_cma_floor_kb(zone: &ZoneState, meminfo: &MemInfo, page_kb: u64) -> u64 {
    let from_blocks = zone
        .buddy
        .as_ref()
        .map_or(0, |buddy| free_list_floor_kb(buddy, 'C'));
    let zone_free_kb = zone.watermarks.map_or(0, |w| w.free_kb);
    let from_totals = match (meminfo.counter("free_cma"), meminfo.counter("free")) {
        (Some(cma), Some(free)) => {
            let elsewhere_kb = free.saturating_mul(page_kb).saturating_sub(zone_free_kb);
            cma.saturating_mul(page_kb).saturating_sub(elsewhere_kb)
        }
        _ => 0,
    };
    from_blocks.max(from_totals).min(zone_free_kb)
}

/// Whether the allocation may dip into the reserves (ALLOC_HARDER, since 6.3 ALLOC_RESERVES:
/// atomic or `__GFP_HIGH`), for which `__zone_watermark_unusable_free` counts
/// `reserved_highatomic` as free, whatever the order.
fn reaches_reserves(trigger: &Trigger) -> bool {
    ["GFP_ATOMIC", "__GFP_ATOMIC", "__GFP_HIGH"]
        .iter()
        .any(|name| trigger.has_gfp_flag(name))
}

impl BlockAccess {
    /// The access an allocation has, from its flags, order and zone class. The highatomic
    /// blocks are taken only for order > 0: `rmqueue` (`buffered_rmqueue` before 4.13) tries
    /// `__rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC)` only when `order > 0 &&
    /// ALLOC_HARDER`, since 6.1 only with ALLOC_HIGHATOMIC, which `gfp_to_alloc_flags` sets
    /// only for `order > 0`; no migrate type falls back to highatomic (`fallbacks[]`), and
    /// only direct reclaim unreserves them (`unreserve_highatomic_pageblock`). Late 2024
    /// "mm/page_alloc: let GFP_ATOMIC order-0 allocs access highatomic reserves" (also in
    /// stable trees) lets `rmqueue_buddy` take them as a last resort for ALLOC_NON_BLOCK:
    /// there such a failure cannot happen with (H) blocks free, so a report that shows one
    /// comes from a kernel without it, and the rule stands whatever the release.
    pub(super) fn of(trigger: &Trigger, class: Option<usize>) -> Self {
        Self {
            highatomic: reaches_reserves(trigger) && trigger.order != Some(0),
            cma: may_use_cma(trigger).unwrap_or(class == Some(MOVABLE_RANK)),
        }
    }

    fn may_take(self, migrate_types: &str) -> bool {
        let mut letters = migrate_types
            .chars()
            .filter(char::is_ascii_alphabetic)
            .peekable();
        if letters.peek().is_none() {
            // No letters: an empty order, or a kernel too old to print migrate types.
            return true;
        }
        letters.any(|letter| match letter {
            'U' | 'M' | 'E' | 'R' => true,
            'H' => self.highatomic,
            'C' => self.cma,
            _ => false,
        })
    }
}

/// What a zone's buddy list says about one allocation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BlockCheck {
    pub order: u32,
    /// The block size the allocation needs: 2^order pages.
    pub needed_kb: u64,
    /// Free memory in blocks of at least `needed_kb` the allocation may take.
    pub usable_kb: u64,
    /// Free memory in blocks of at least `needed_kb` it may not take (`(H)` highatomic, CMA,
    /// isolated).
    pub reserved_kb: u64,
    /// Where the order-aware watermark check failed, if it did.
    pub failed_check: Option<FailedOrderCheck>,
}

/// The order-aware watermark check (`__zone_watermark_ok` before 4.4, whose idea later
/// kernels keep): from the zone's free pages, the free pages of each order below the
/// requested one are taken away, while min is halved per order; the zone fails when what is
/// left is at or under the halved min.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FailedOrderCheck {
    /// The order whose blocks, once discounted, left too little.
    pub after_order: u32,
    pub remaining_pages: i128,
    pub min_pages: i128,
}

impl BlockCheck {
    /// Whether the buddy list shows the zone cannot serve the allocation: no block it may
    /// take is large enough, or the order-aware watermark check fails.
    pub(super) fn fails(&self) -> bool {
        self.usable_kb == 0 || self.failed_check.is_some()
    }
}

/// Checks `buddy` for an allocation of `order`; `None` for orders below 1 or beyond reason.
/// `discount_lower_orders` runs the pre-4.4 order-aware watermark check as well (4.4's
/// "mm, page_alloc: only enforce watermarks for order-0 allocations" replaced it with the
/// search for one free block of the order); later kernels fail only for want of a block.
pub(super) fn block_check(
    buddy: &BuddyList,
    order: u32,
    page_kb: u64,
    watermarks: &ZoneWatermarks,
    access: BlockAccess,
    discount_lower_orders: bool,
) -> Option<BlockCheck> {
    if order == 0 || order > MAX_CHECKED_ORDER || page_kb == 0 {
        return None;
    }
    let needed_kb = page_kb.checked_shl(order)?;
    let (mut usable_kb, mut reserved_kb) = (0u64, 0u64);
    for entry in buddy.orders.iter().filter(|o| o.block_kb >= needed_kb) {
        let kb = entry.count.saturating_mul(entry.block_kb);
        if entry.count == 0 {
            continue;
        }
        if access.may_take(&entry.migrate_types) {
            usable_kb = usable_kb.saturating_add(kb);
        } else {
            reserved_kb = reserved_kb.saturating_add(kb);
        }
    }
    let page = i128::from(page_kb);
    let mut remaining = i128::from(watermarks.free_kb) / page - ((1i128 << order) - 1);
    let mut min = i128::from(watermarks.min_kb) / page;
    let mut failed_check = None;
    for lower in (0..order).filter(|_| discount_lower_orders) {
        let block_kb = page_kb.checked_shl(lower)?;
        let count = buddy
            .orders
            .iter()
            .find(|o| o.block_kb == block_kb)
            .map_or(0, |o| o.count);
        remaining -= i128::from(count) << lower;
        min >>= 1;
        if remaining <= min {
            failed_check = Some(FailedOrderCheck {
                after_order: lower,
                remaining_pages: remaining,
                min_pages: min,
            });
            break;
        }
    }
    Some(BlockCheck {
        order,
        needed_kb,
        usable_kb,
        reserved_kb,
        failed_check,
    })
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::classify::gfp_zone::{DMA32_RANK, NORMAL_RANK};
    use crate::classify::testkit::{buddy, trigger};

    fn zone(node: Option<u32>, name: &str, wm: (u64, u64, u64), reserve: &[u64]) -> ZoneState {
        ZoneState {
            node,
            zone: name.into(),
            watermarks: Some(ZoneWatermarks {
                free_kb: wm.0,
                min_kb: wm.1,
                low_kb: wm.2,
                high_kb: wm.2 + (wm.2 - wm.1),
            }),
            lowmem_reserve_pages: reserve.to_vec(),
            ..ZoneState::default()
        }
    }

    #[test]
    fn layout_adds_movable_and_device_from_reserve_length() {
        let meminfo = MemInfo {
            zones: vec![
                zone(Some(0), "DMA", (1, 1, 1), &[0, 3191, 15659, 15659, 15659]),
                zone(Some(0), "DMA32", (1, 1, 1), &[0, 0, 12468, 12468, 12468]),
                zone(Some(0), "Normal", (1, 1, 1), &[0, 0, 0, 0, 0]),
            ],
            ..MemInfo::default()
        };
        let layout = ZoneLayout::of(&meminfo);
        assert_eq!(layout.ranks, vec![0, 1, 2, 4, 5]);
        assert_eq!(
            layout.reserve_pages(&meminfo.zones[1], Some(NORMAL_RANK)),
            12468
        );
        assert_eq!(
            layout.reserve_pages(&meminfo.zones[0], Some(DMA32_RANK)),
            3191
        );
        assert_eq!(layout.reserve_pages(&meminfo.zones[0], Some(DMA_RANK)), 0);
    }

    #[test]
    fn layout_of_arm64_without_dma32() {
        let meminfo = MemInfo {
            zones: vec![
                zone(None, "DMA", (1, 1, 1), &[0, 415, 415]),
                zone(None, "Normal", (1, 1, 1), &[0, 0, 0]),
            ],
            ..MemInfo::default()
        };
        let layout = ZoneLayout::of(&meminfo);
        assert_eq!(layout.ranks, vec![0, 2, 4]);
        assert_eq!(
            layout.reserve_pages(&meminfo.zones[0], Some(NORMAL_RANK)),
            415
        );
        assert_eq!(layout.reserve_pages(&meminfo.zones[0], Some(DMA_RANK)), 0);
    }

    #[test]
    fn unknown_class_or_mismatched_layout_takes_the_largest_reserve() {
        let meminfo = MemInfo {
            // A 6.1 report printing only DMA for a DMA32 allocation: 5 entries, 1 zone seen.
            zones: vec![zone(
                Some(0),
                "DMA",
                (1, 1, 1),
                &[0, 3191, 15659, 15659, 15659],
            )],
            ..MemInfo::default()
        };
        let layout = ZoneLayout::of(&meminfo);
        assert_eq!(
            layout.reserve_pages(&meminfo.zones[0], Some(DMA32_RANK)),
            15659
        );
        assert_eq!(layout.reserve_pages(&meminfo.zones[0], None), 15659);
    }

    /// Corpus 008's node 1: DMA, DMA32 and Normal with their `lowmem_reserve[]` lines.
    fn corpus_008_node_1_zones() -> Vec<ZoneState> {
        vec![
            zone(Some(1), "DMA", (15896, 40, 52), &[0, 3216, 16045, 16045]),
            zone(
                Some(1),
                "DMA32",
                (60288, 8996, 12288),
                &[0, 0, 12828, 12828],
            ),
            zone(Some(1), "Normal", (35848, 35880, 49016), &[0, 0, 0, 0]),
        ]
    }

    #[test]
    fn lowmem_reserve_raises_the_effective_watermark_corpus_008() {
        // Node 1 DMA32 free:60288kB min:8996kB, lowmem_reserve[]: 0 0 12828 12828.
        let mut report = OomReport::default();
        report.meminfo.zones = corpus_008_node_1_zones();
        let zones = eligible_zones(&report, Some(MOVABLE_RANK), None);
        let dma32 = zones.iter().find(|z| z.zone.zone == "DMA32").unwrap();
        assert_eq!(dma32.reserve_kb, 51312);
        assert_eq!(dma32.effective_min_kb(), 60308);
        assert!(dma32.below_min());
        assert!(
            dma32.watermark_evidence().contains("60308kB > free"),
            "{}",
            dma32.watermark_evidence()
        );
        assert!(zones.iter().all(ZoneEval::below_min));
    }

    #[test]
    fn allocation_reserve_is_the_entry_for_the_allocation_zone_corpus_008() {
        let mut report = OomReport::default();
        report.meminfo.zones = corpus_008_node_1_zones();
        report
            .meminfo
            .zones
            .push(zone(Some(1), "Movable", (1, 1, 1), &[0, 0, 0, 0]));
        // GFP_KERNEL (0xcc0): highest zone Normal, lowmem_reserve[2].
        report.trigger = trigger("0xcc0", &[]);
        assert_eq!(
            allocation_reserve_kb(&report),
            vec![Some(16045 * 4), Some(12828 * 4), Some(0), None],
            "Movable is above Normal: the allocation may not use it"
        );
        // GFP_DMA32 (0x4): DMA32 and below, lowmem_reserve[1]; Normal is out of reach.
        report.trigger = trigger("0x4", &[]);
        assert_eq!(
            allocation_reserve_kb(&report),
            vec![Some(3216 * 4), Some(0), None, None]
        );
    }

    #[test]
    fn effective_watermark_edges() {
        let mut report = OomReport::default();
        report.meminfo.zones = vec![zone(
            Some(0),
            "DMA32",
            (60308, 8996, 12288),
            &[0, 0, 12828, 12828],
        )];
        let at = &eligible_zones(&report, Some(NORMAL_RANK), None)[0];
        assert!(
            at.below_min(),
            "free = min + reserve fails, like the kernel's <="
        );
        report.meminfo.zones[0].watermarks.as_mut().unwrap().free_kb = 60309;
        let above = &eligible_zones(&report, Some(NORMAL_RANK), None)[0];
        assert!(!above.below_min());
        assert!(above.below_low());
    }

    #[test]
    fn eligibility_by_class_and_node() {
        let mut report = OomReport::default();
        report.meminfo.zones = vec![
            zone(None, "DMA", (470628, 6800, 29116), &[0, 415, 415]),
            zone(None, "Normal", (4084, 872, 3740), &[0, 0, 0]),
            zone(Some(1), "Normal", (1, 1, 1), &[]),
        ];
        let dma_only = eligible_zones(&report, Some(DMA_RANK), None);
        assert_eq!(dma_only.len(), 1);
        let node0: BTreeSet<u32> = [0].into();
        assert_eq!(
            eligible_zones(&report, None, Some(&node0)).len(),
            2,
            "node 1 filtered out"
        );
    }

    #[test]
    fn a_zone_without_pages_is_in_no_zonelist() {
        // 2.6.11 x86-64 prints `HighMem free:0kB min:128kB ... present:0kB`; a Movable zone
        // can be present with nothing managed.
        let mut report = OomReport::default();
        let mut highmem = zone(None, "HighMem", (0, 128, 192), &[]);
        highmem.present_kb = Some(0);
        let mut movable = zone(None, "Movable", (0, 128, 192), &[]);
        movable.present_kb = Some(1_048_576);
        movable.managed_kb = Some(0);
        let mut normal = zone(None, "Normal", (524_648, 4_028, 6_040), &[]);
        normal.present_kb = Some(1_031_360);
        report.meminfo.zones = vec![normal, highmem, movable];
        let zones = eligible_zones(&report, None, None);
        assert_eq!(zones.len(), 1);
        assert_eq!(zones[0].zone.zone, "Normal");
    }

    #[test]
    fn cma_counts_only_for_movable_allocations() {
        // GFP_KERNEL 0xcc0: unmovable; GFP_HIGHUSER_MOVABLE 0x100cca: movable.
        assert_eq!(may_use_cma(&trigger("0xcc0", &["GFP_KERNEL"])), Some(false));
        assert_eq!(
            may_use_cma(&trigger("0x100cca", &["GFP_HIGHUSER_MOVABLE"])),
            Some(true)
        );
        // __GFP_MOVABLE with __GFP_RECLAIMABLE is not MIGRATE_MOVABLE.
        assert_eq!(may_use_cma(&trigger("0x18", &[])), Some(false));
        assert_eq!(
            may_use_cma(&trigger(
                "0x62****",
                &["GFP_HIGHUSER_MOVABLE", "__GFP_ZERO"]
            )),
            Some(true)
        );
        assert_eq!(may_use_cma(&trigger("0x62****", &[])), None);
    }

    #[test]
    fn free_cma_puts_a_roomy_zone_under_min_for_an_unmovable_allocation() {
        // The only zone of an arm64 board: 32420kB free, 31624kB of it CMA, min 1524kB.
        let mut report = OomReport::default();
        let mut dma = zone(Some(0), "DMA", (32_420, 1_524, 1_904), &[0, 0, 0]);
        dma.free_cma_kb = Some(31_624);
        report.meminfo.zones = vec![dma];
        report.trigger = trigger("0xcc0", &["GFP_KERNEL"]);
        let class = allocation_zone(&report.trigger);
        let zones = eligible_zones(&report, class, None);
        assert_eq!(zones[0].usable_free_kb(), 796);
        assert!(zones[0].below_min());
        let evidence = zones[0].watermark_evidence();
        assert!(evidence.contains("free_cma 31624kB"), "{evidence}");
        assert!(
            evidence.contains("usable free 796kB < min 1524kB"),
            "{evidence}"
        );
        // A movable allocation may take the CMA pages: the same zone is above low.
        report.trigger = trigger("0x100cca", &["GFP_HIGHUSER_MOVABLE"]);
        let class = allocation_zone(&report.trigger);
        let zones = eligible_zones(&report, class, None);
        assert!(!zones[0].below_low());
    }

    #[test]
    fn free_cma_cut_from_the_zone_line_is_bounded_by_mem_info() {
        // An i.MX8MN console cut every line at 150 columns: the only zone's line lost its
        // free_cma, Mem-Info says free:136672 free_cma:129241 (pages). Other zones hold at
        // most 136672 - 135409 free pages, so at least 127978 of the CMA pages are here.
        let mut report = OomReport::default();
        report.meminfo.zones = vec![zone(
            Some(0),
            "DMA",
            (541_636, 30_000, 37_500),
            &[0, 0, 0, 0],
        )];
        report.meminfo.counters_pages =
            vec![("free".into(), 136_672), ("free_cma".into(), 129_241)];
        report.trigger = trigger("0x400dc0", &["GFP_KERNEL_ACCOUNT", "__GFP_ZERO"]);
        let zones = eligible_zones(&report, allocation_zone(&report.trigger), None);
        assert_eq!(zones[0].unusable.cma_kb, 127_978 * 4);
        assert!(zones[0].below_min());
        let evidence = zones[0].watermark_evidence();
        assert!(
            evidence.contains("free CMA, at least 511912kB"),
            "{evidence}"
        );
    }

    #[test]
    fn free_cma_of_a_zone_line_without_it_is_at_least_its_c_only_blocks() {
        // 3.x prints no free_cma in the zone line; every free block here is (C).
        let mut report = OomReport::default();
        let mut normal = zone(None, "Normal", (16_104, 2_296, 2_868), &[0, 0]);
        normal.buddy = Some(buddy(
            "0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 1*256kB (C) 1*512kB (C) 1*1024kB (C) 1*2048kB (C) 3*4096kB (C) = 16128kB",
        ));
        report.meminfo.zones = vec![normal];
        report.trigger = trigger("0x20", &["GFP_ATOMIC"]);
        let zones = eligible_zones(&report, allocation_zone(&report.trigger), None);
        // Capped at the zone's free: the buddy sum was read a moment later.
        assert_eq!(zones[0].unusable.cma_kb, 16_104);
        assert!(zones[0].below_min());
        // A block of mixed letters counts once: (UC) may be mostly unmovable.
        let mut mixed = zone(None, "Normal", (16_104, 2_296, 2_868), &[0, 0]);
        mixed.buddy = Some(buddy("4*4096kB (UC) = 16384kB"));
        report.meminfo.zones = vec![mixed];
        let zones = eligible_zones(&report, allocation_zone(&report.trigger), None);
        assert_eq!(zones[0].unusable.cma_kb, 4_096);
    }

    #[test]
    fn highatomic_reserve_is_not_free_for_an_ordinary_allocation() {
        let mut report = OomReport::default();
        let mut normal = zone(Some(0), "Normal", (20_000, 10_000, 12_500), &[0, 0, 0, 0]);
        normal.reserved_highatomic_kb = Some(12_288);
        report.meminfo.zones = vec![normal];
        report.trigger = trigger("0xcc0", &["GFP_KERNEL"]);
        let zones = eligible_zones(&report, Some(NORMAL_RANK), None);
        assert!(zones[0].below_min());
        report.trigger = trigger("0xa20", &["GFP_ATOMIC"]);
        let zones = eligible_zones(&report, Some(NORMAL_RANK), None);
        assert!(!zones[0].below_min());
    }

    #[test]
    fn unprinted_highatomic_reserve_holds_at_least_its_free_h_blocks() {
        // A 4.19 zone line has no reserved_highatomic:, yet __zone_watermark_ok subtracts
        // the reserve: 2 blocks of 512kB printed (H) alone, plus one 1024kB block of a
        // (MH) order, make 2048kB of its 11000kB free that GFP_KERNEL may not count.
        let mut report = OomReport::default();
        let mut normal = zone(Some(0), "Normal", (11_000, 10_000, 12_500), &[0, 0, 0, 0]);
        normal.buddy = Some(buddy(
            "1000*4kB (UME) 250*8kB (UM) 100*16kB (M) 2*32kB (M) 0*64kB 0*128kB 0*256kB 2*512kB (H) 3*1024kB (MH) 0*2048kB 0*4096kB",
        ));
        report.meminfo.zones = vec![normal];
        report.trigger = trigger("0xcc0", &["GFP_KERNEL"]);
        let zones = eligible_zones(&report, Some(NORMAL_RANK), None);
        assert_eq!(zones[0].unusable.highatomic_kb, 2048);
        assert!(zones[0].below_min());
        let evidence = zones[0].watermark_evidence();
        assert!(
            evidence.contains("free (H) blocks, at least 2048kB"),
            "{evidence}"
        );
        // A printed reserve is the kernel's own figure and wins over the floor.
        report.meminfo.zones[0].reserved_highatomic_kb = Some(0);
        let zones = eligible_zones(&report, Some(NORMAL_RANK), None);
        assert!(!zones[0].below_min());
    }

    #[test]
    fn dma32_allocation_checks_dma32_against_its_own_reserve_entry() {
        // lowmem_reserve of DMA32 is [0, 0, 12828, 12828]: index 1 (DMA32) holds back nothing.
        let mut report = OomReport::default();
        report.meminfo.zones = vec![
            zone(
                Some(0),
                "DMA",
                (15_000, 100, 120),
                &[0, 2_000, 14_000, 14_000],
            ),
            zone(
                Some(0),
                "DMA32",
                (40_000, 30_000, 37_500),
                &[0, 0, 12_828, 12_828],
            ),
            zone(Some(0), "Normal", (10_000, 9_000, 11_000), &[0, 0, 0, 0]),
        ];
        let dma32 = eligible_zones(&report, Some(DMA32_RANK), None);
        let zone = dma32.iter().find(|z| z.zone.zone == "DMA32").unwrap();
        assert_eq!(zone.reserve_pages, 0);
        assert!(!zone.below_min());
        let normal = eligible_zones(&report, Some(NORMAL_RANK), None);
        let zone = normal.iter().find(|z| z.zone.zone == "DMA32").unwrap();
        assert_eq!(zone.reserve_pages, 12_828);
        assert!(zone.below_min());
    }

    #[test]
    fn order_discount_applies_before_4_4_only() {
        // corpus 013's DMA zone: two 16kB blocks free, most of it in order 0 and 1.
        let list = buddy("68324*4kB (UEM) 24706*8kB (UER) 2*16kB (U) 0*32kB 0*64kB");
        let wm = ZoneWatermarks {
            free_kb: 470_628,
            min_kb: 6800,
            low_kb: 29_116,
            high_kb: 30_816,
        };
        let old = block_check(&list, 2, 4, &wm, BlockAccess::default(), true).unwrap();
        assert!(old.fails(), "4.1: the order-aware check fails");
        let new = block_check(&list, 2, 4, &wm, BlockAccess::default(), false).unwrap();
        assert!(!new.fails(), "4.4+: one free 16kB block serves it");
        let mut report = OomReport::default();
        for (release, older) in [
            ("4.1.18-g09f547b", true),
            ("4.4.0-21-generic", false),
            ("6.1.0-13-amd64", false),
            ("3.10.0-1160.el7.x86_64", true),
        ] {
            report.kernel.release = Some(release.into());
            assert_eq!(kernel_older_than(&report, 4, 4), older, "{release}");
        }
        report.kernel.release = None;
        assert!(!kernel_older_than(&report, 4, 4));
    }

    #[test]
    fn buddy_format_dates_a_report_without_its_release() {
        let with_buddy = |text: &str, release: Option<&str>| {
            let mut report = OomReport::default();
            let mut normal = zone(None, "Normal", (1032, 508, 760), &[0]);
            normal.buddy = Some(buddy(text));
            report.meminfo.zones = vec![normal];
            report.kernel.release = release.map(str::to_string);
            watermark_check_before_4_4(&report)
        };
        // 2.6 MIPS router: counts with no migrate-type letters.
        assert!(with_buddy("72*4kB 43*8kB 23*16kB 1*32kB 0*64kB", None));
        // 3.x: MIGRATE_RESERVE's R.
        assert!(with_buddy("5*4kB (UEM) 2*8kB (R) 0*16kB", None));
        assert!(!with_buddy("5*4kB (UME) 2*8kB (H) 0*16kB", None));
        // Nothing free: the format does not tell.
        assert!(!with_buddy("0*4kB 0*8kB 0*16kB", None));
        // A printed release decides.
        assert!(!with_buddy("72*4kB 43*8kB", Some("5.10.0-8-amd64")));
        assert!(with_buddy("5*4kB (UME)", Some("3.10.0-1160.el7.x86_64")));
    }

    #[test]
    fn buddy_without_large_blocks_fails_seed_5() {
        let list = buddy("1325*4kB (UME) 966*8kB (UME) 675*16kB (UME) 0*32kB (M) 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB");
        let wm = ZoneWatermarks {
            free_kb: 23500,
            min_kb: 15892,
            low_kb: 19864,
            high_kb: 23836,
        };
        let check = block_check(&list, 3, 4, &wm, BlockAccess::default(), true).unwrap();
        assert_eq!(check.needed_kb, 32);
        assert_eq!(check.usable_kb, 0);
        assert!(check.fails());
    }

    #[test]
    fn order_0_atomic_allocation_takes_no_highatomic_block_but_counts_the_reserve() {
        let atomic = |order| Trigger {
            gfp_flags: vec!["GFP_ATOMIC".into()],
            order: Some(order),
            ..Trigger::default()
        };
        assert!(!BlockAccess::of(&atomic(0), None).highatomic);
        assert!(BlockAccess::of(&atomic(3), None).highatomic);
        assert!(reaches_reserves(&atomic(0)));
        assert!(!BlockAccess::default().may_take("H"));
    }

    #[test]
    fn highatomic_only_blocks_are_not_usable_corpus_004() {
        let list = buddy("9282*4kB (UE) 0*8kB 4*16kB (H) 2*32kB (H) 3*64kB (H) 1*128kB (H) 2*256kB (H) 2*512kB (H) 0*1024kB 0*2048kB 0*4096kB");
        let wm = ZoneWatermarks {
            free_kb: 39140,
            min_kb: 39296,
            low_kb: 49120,
            high_kb: 58944,
        };
        let check = block_check(&list, 3, 4, &wm, BlockAccess::default(), true).unwrap();
        assert_eq!(check.usable_kb, 0);
        assert_eq!(check.reserved_kb, 64 + 192 + 128 + 512 + 1024);
        let atomic = BlockAccess {
            highatomic: true,
            cma: false,
        };
        let check = block_check(&list, 3, 4, &wm, atomic, true).unwrap();
        assert_eq!(check.usable_kb, 1920);
    }

    #[test]
    fn order_aware_check_fails_after_discounting_low_orders_corpus_013() {
        // DMA free:470628kB min:6800kB; 68324*4kB 24706*8kB 2*16kB (U): order 2.
        let list = buddy("68324*4kB (UEM) 24706*8kB (UER) 2*16kB (U) 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB");
        let wm = ZoneWatermarks {
            free_kb: 470628,
            min_kb: 6800,
            low_kb: 29116,
            high_kb: 30816,
        };
        let check = block_check(&list, 2, 4, &wm, BlockAccess::default(), true).unwrap();
        assert_eq!(check.usable_kb, 32, "two 16kB blocks are usable ...");
        let failed = check.failed_check.expect("... but far below min / 2^order");
        assert_eq!(failed.after_order, 1);
        assert_eq!(failed.remaining_pages, 117657 - 3 - 68324 - 2 * 24706);
        assert_eq!(failed.min_pages, 1700 >> 2);
        assert!(check.fails());
    }

    #[test]
    fn order_aware_check_passes_with_plenty_of_large_blocks() {
        let list =
            buddy("0*4kB 4*8kB (UM) 25*16kB (UME) 151*32kB (UM) 56*64kB (UM) 377*4096kB (UM)");
        let wm = ZoneWatermarks {
            free_kb: 1_696_528,
            min_kb: 44700,
            low_kb: 55872,
            high_kb: 67044,
        };
        let check = block_check(&list, 3, 4, &wm, BlockAccess::default(), true).unwrap();
        assert!(!check.fails());
        assert_eq!(
            block_check(&list, 0, 4, &wm, BlockAccess::default(), true),
            None
        );
    }

    #[test]
    fn order_aware_check_edge_remaining_equal_to_min_fails() {
        // free 40 pages, min 32 pages; order 1: 40 - 1 - 23 = 16 = 32 >> 1 → fails.
        let list = buddy("23*4kB (U) 1*8kB (U)");
        let wm = ZoneWatermarks {
            free_kb: 160,
            min_kb: 128,
            low_kb: 140,
            high_kb: 150,
        };
        let failing = block_check(&list, 1, 4, &wm, BlockAccess::default(), true).unwrap();
        assert!(failing.failed_check.is_some());
        let list = buddy("22*4kB (U) 1*8kB (U)");
        let passing = block_check(&list, 1, 4, &wm, BlockAccess::default(), true).unwrap();
        assert_eq!(passing.failed_check, None, "17 > 16 passes");
    }
}
