//! `show_mem` output: the Mem-Info counters, the per-node and per-zone lines, lowmem reserves,
//! buddy lists, huge page pools, the swap and page totals, and the unreclaimable slab table.

use crate::report::{
    BuddyList, BuddyOrder, HugepagePool, MemInfo, NodeState, SlabCache, ZoneState, ZoneWatermarks,
};

use super::scan::{first_word, is_identifier, parse_kb, parse_u32, parse_u64};

/// Zone names a line without `Node N` (UMA kernels) may start with.
const ZONE_NAMES: [&str; 6] = ["DMA", "DMA32", "Normal", "HighMem", "Movable", "Device"];

/// A zone's `free: min: low: high: … present: managed:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ZoneLine<'a> {
    pub node: Option<u32>,
    pub zone: &'a str,
    pub watermarks: Option<ZoneWatermarks>,
    pub present_kb: Option<u64>,
    pub managed_kb: Option<u64>,
    pub free_cma_kb: Option<u64>,
    pub reserved_highatomic_kb: Option<u64>,
    pub boost_kb: Option<u64>,
    /// 3.10 prints `all_unreclaimable?` per zone.
    pub all_unreclaimable: Option<bool>,
}

/// A zone's buddy free list line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BuddyLine<'a> {
    pub node: Option<u32>,
    pub zone: &'a str,
    pub list: BuddyList,
}

/// The lines of `show_mem` that name a node or a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AreaLine<'a> {
    /// `Node N active_anon:…kB … all_unreclaimable? yes`
    Node(NodeState),
    Zone(ZoneLine<'a>),
    Buddy(BuddyLine<'a>),
    /// `Node N hugepages_total=… hugepages_free=… hugepages_surp=… hugepages_size=…kB`
    Hugepages(HugepagePool),
    /// 3.10 `Node 0 DMA per-cpu:`
    PerCpuHeading,
}

/// The totals `show_mem` ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tail {
    PagecachePages(Option<u64>),
    SwapCachePages(Option<u64>),
    SwapFreeKb(Option<u64>),
    SwapTotalKb(Option<u64>),
    RamPages(Option<u64>),
    ReservedPages(Option<u64>),
    /// `N pages HighMem/MovableOnly` (`N pages HighMem` before 3.x).
    HighMemPages(Option<u64>),
    /// `pages cma reserved`, `pages hwpoisoned`, `pages HighMem…`, `pages shared`,
    /// `Swap cache stats:`: printed, not kept.
    Other,
}

/// Reads a Mem-Info counter line (`active_anon:172 inactive_anon:4518735 isolated_anon:`) into
/// `counters`, each key once, and returns whether the line had that shape: every word
/// `key:pages` (an empty value is a cut one), a cut last word allowed, at least one number.
pub(crate) fn read_counters(text: &str, counters: &mut Vec<(String, u64)>) -> bool {
    let mut words = text.split_ascii_whitespace().peekable();
    let mut numbers = 0usize;
    while let Some(word) = words.next() {
        match counter_word(word) {
            Some((_, value)) if !value.is_empty() => numbers = numbers.saturating_add(1),
            Some(_) => {}
            None if words.peek().is_none() && is_identifier(word) => {}
            None => return false,
        }
    }
    if numbers == 0 {
        return false;
    }
    for (key, value) in text.split_ascii_whitespace().filter_map(counter_word) {
        if let Some(value) = parse_u64(value) {
            if !counters.iter().any(|(known, _)| known == key) {
                counters.push((key.to_string(), value));
            }
        }
    }
    true
}

/// `free:39250` → (`free`, `39250`); `isolated_anon:` → (`isolated_anon`, ``).
fn counter_word(word: &str) -> Option<(&str, &str)> {
    let (key, value) = word.split_once(':')?;
    (is_identifier(key) && value.bytes().all(|byte| byte.is_ascii_digit())).then_some((key, value))
}

/// 3.10 per-cpu rows printed after `Mem-Info:`: `CPU    0: hi:    0, btch:   1 usd:   0`.
pub(crate) fn is_per_cpu_row(text: &str) -> bool {
    text.starts_with("CPU ") && text.contains(" hi:") && text.contains("btch:")
}

/// Reads a line that names a node or a zone: `Node N …` on NUMA kernels, `<Zone> …` on UMA.
pub(crate) fn area_line(text: &str) -> Option<AreaLine<'_>> {
    let (node, rest) = match text.strip_prefix("Node ") {
        Some(rest) => {
            let (number, rest) = rest.split_once(' ')?;
            (Some(parse_u32(number)?), rest.trim_start())
        }
        None => (None, text),
    };
    let first = first_word(rest);
    if let Some(node) = node {
        if rest.starts_with("hugepages_total=") {
            return hugepages(node, rest).map(AreaLine::Hugepages);
        }
        if first.contains(':') && !first.ends_with(':') {
            return node_state(node, rest).map(AreaLine::Node);
        }
    } else if !ZONE_NAMES
        .iter()
        .any(|name| first.trim_end_matches(':') == *name)
    {
        return None;
    }
    let after_first = rest.get(first.len()..).unwrap_or("").trim_start();
    if let Some(zone) = first.strip_suffix(':') {
        let list = buddy_list(after_first)?;
        return is_identifier(zone).then_some(AreaLine::Buddy(BuddyLine { node, zone, list }));
    }
    if !is_identifier(first) {
        return None;
    }
    if after_first == "per-cpu:" {
        return Some(AreaLine::PerCpuHeading);
    }
    after_first
        .starts_with("free:")
        .then(|| AreaLine::Zone(zone_line(node, first, after_first)))
}

fn node_state(node: u32, rest: &str) -> Option<NodeState> {
    let (key, _) = first_word(rest).split_once(':')?;
    is_identifier(key).then(|| NodeState {
        node,
        all_unreclaimable: all_unreclaimable(rest),
    })
}

/// The `all_unreclaimable? yes|no` flag, where printed.
fn all_unreclaimable(text: &str) -> Option<bool> {
    let mut words = text.split_ascii_whitespace();
    words.find(|word| *word == "all_unreclaimable?")?;
    match words.next()? {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

fn zone_line<'a>(node: Option<u32>, zone: &'a str, figures: &str) -> ZoneLine<'a> {
    let (mut free, mut min, mut low, mut high) = (None, None, None, None);
    let (mut present_kb, mut managed_kb) = (None, None);
    let (mut free_cma_kb, mut reserved_highatomic_kb, mut boost_kb) = (None, None, None);
    for word in figures.split_ascii_whitespace() {
        let Some((key, value)) = word.split_once(':') else {
            continue;
        };
        let slot = match key {
            "free" => &mut free,
            "min" => &mut min,
            "low" => &mut low,
            "high" => &mut high,
            "present" => &mut present_kb,
            "managed" => &mut managed_kb,
            "free_cma" => &mut free_cma_kb,
            "reserved_highatomic" => &mut reserved_highatomic_kb,
            "boost" => &mut boost_kb,
            _ => continue,
        };
        if slot.is_none() {
            *slot = parse_kb(value);
        }
    }
    let watermarks = match (free, min, low, high) {
        (Some(free_kb), Some(min_kb), Some(low_kb), Some(high_kb)) => Some(ZoneWatermarks {
            free_kb,
            min_kb,
            low_kb,
            high_kb,
        }),
        _ => None,
    };
    ZoneLine {
        node,
        zone,
        watermarks,
        present_kb,
        managed_kb,
        free_cma_kb,
        reserved_highatomic_kb,
        boost_kb,
        all_unreclaimable: all_unreclaimable(figures),
    }
}

fn hugepages(node: u32, text: &str) -> Option<HugepagePool> {
    let value = |key: &str| {
        text.split_ascii_whitespace()
            .find_map(|word| word.strip_prefix(key))
    };
    Some(HugepagePool {
        node,
        total: parse_u64(value("hugepages_total=")?)?,
        free: parse_u64(value("hugepages_free=")?)?,
        surplus: parse_u64(value("hugepages_surp=")?)?,
        size_kb: parse_kb(value("hugepages_size=")?)?,
    })
}

/// Reads `1325*4kB (UME) 966*8kB (UME) 0*32kB … = 23500kB`, tolerating a split token
/// (`0 *2048kB`), a cut total (`… 0*4096kB =`) and a cut last order. `None` when a word fits
/// no part of a buddy list or no order was read.
fn buddy_list(text: &str) -> Option<BuddyList> {
    let mut list = BuddyList::default();
    // A count printed apart from its `*size` (`0 *2048kB`), or `count*` apart from `size`.
    let mut pending_count: Option<Option<u64>> = None;
    let mut pending_star: Option<Option<u64>> = None;
    let mut words = text.split_ascii_whitespace();
    while let Some(word) = words.next() {
        if let Some(total) = word.strip_prefix('=') {
            let total = if total.is_empty() {
                words.next().unwrap_or("")
            } else {
                total
            };
            list.total_kb = parse_kb(total);
            break;
        }
        if word.starts_with('(') {
            if let Some(order) = list.orders.last_mut() {
                order.migrate_types = word.trim_matches(['(', ')']).to_string();
            }
            continue;
        }
        if let Some((count, size)) = word.split_once('*') {
            let count = if count.is_empty() {
                pending_count.take()?
            } else if count.bytes().all(|byte| byte.is_ascii_digit()) {
                parse_u64(count)
            } else {
                return None;
            };
            if size.is_empty() {
                pending_star = Some(count);
            } else {
                push_order(&mut list, count, size);
            }
        } else if let Some(count) = pending_star.take() {
            push_order(&mut list, count, word);
        } else if word.bytes().all(|byte| byte.is_ascii_digit()) {
            pending_count = Some(parse_u64(word));
        } else {
            return None;
        }
    }
    (!list.orders.is_empty()).then_some(list)
}

/// Adds an order; one whose count overflowed or whose size was cut is left out.
fn push_order(list: &mut BuddyList, count: Option<u64>, size: &str) {
    if let (Some(count), Some(block_kb)) = (count, parse_kb(size)) {
        list.orders.push(BuddyOrder {
            block_kb,
            count,
            migrate_types: String::new(),
        });
    }
}

/// Reads `lowmem_reserve[]: 0 3196 7658 7658`, in pages; stops at the first word that is not a
/// number so the values keep their zone index.
pub(crate) fn lowmem_reserve(text: &str) -> Option<Vec<u64>> {
    let values = text.strip_prefix("lowmem_reserve[]:")?;
    Some(
        values
            .split_ascii_whitespace()
            .map_while(parse_u64)
            .collect(),
    )
}

/// Reads the totals at the end of `show_mem`.
pub(crate) fn tail(text: &str) -> Option<Tail> {
    if let Some(rest) = text.strip_prefix("Free swap") {
        return Some(Tail::SwapFreeKb(swap_kb(rest)?));
    }
    if let Some(rest) = text.strip_prefix("Total swap") {
        return Some(Tail::SwapTotalKb(swap_kb(rest)?));
    }
    if text.starts_with("Swap cache stats:") {
        return Some(Tail::Other);
    }
    let (number, what) = text.split_once(' ')?;
    if !number.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let value = parse_u64(number);
    match what.trim() {
        "total pagecache pages" => Some(Tail::PagecachePages(value)),
        "pages in swap cache" => Some(Tail::SwapCachePages(value)),
        "pages RAM" => Some(Tail::RamPages(value)),
        "pages reserved" => Some(Tail::ReservedPages(value)),
        "pages HighMem/MovableOnly" | "pages HighMem" => Some(Tail::HighMemPages(value)),
        "pages cma reserved" | "pages hwpoisoned" | "pages shared" | "pages non-shared" => {
            Some(Tail::Other)
        }
        _ => None,
    }
}

/// `  = 48055104kB` → the value; `None` outside when the line is not `= NkB`.
fn swap_kb(rest: &str) -> Option<Option<u64>> {
    let value = rest.trim_start().strip_prefix('=')?.trim();
    Some(parse_kb(value))
}

/// Stores what a tail line says.
pub(crate) fn apply_tail(meminfo: &mut MemInfo, tail: Tail) {
    match tail {
        Tail::PagecachePages(value) => meminfo.pagecache_pages = value,
        Tail::SwapCachePages(value) => meminfo.swap_cache_pages = value,
        Tail::SwapFreeKb(value) => meminfo.swap_free_kb = value,
        Tail::SwapTotalKb(value) => meminfo.swap_total_kb = value,
        Tail::RamPages(value) => meminfo.ram_pages = value,
        Tail::ReservedPages(value) => meminfo.reserved_pages = value,
        Tail::HighMemPages(value) => meminfo.highmem_movable_pages = value,
        Tail::Other => {}
    }
}

/// The index of the zone `node`/`zone`, created when no line named it yet.
pub(crate) fn zone_entry(meminfo: &mut MemInfo, node: Option<u32>, zone: &str) -> usize {
    match meminfo
        .zones
        .iter()
        .position(|known| known.node == node && known.zone == zone)
    {
        Some(index) => index,
        None => {
            meminfo.zones.push(ZoneState {
                node,
                zone: zone.to_string(),
                ..ZoneState::default()
            });
            meminfo.zones.len().saturating_sub(1)
        }
    }
}

/// Stores an area line; returns the zone index for a zone line (the next `lowmem_reserve[]`
/// belongs to it).
pub(crate) fn apply_area(meminfo: &mut MemInfo, line: AreaLine<'_>) -> Option<usize> {
    match line {
        AreaLine::Node(state) => {
            match meminfo
                .nodes
                .iter_mut()
                .find(|known| known.node == state.node)
            {
                Some(known) => *known = state,
                None => meminfo.nodes.push(state),
            }
            None
        }
        AreaLine::Zone(line) => {
            let index = zone_entry(meminfo, line.node, line.zone);
            if let Some(zone) = meminfo.zones.get_mut(index) {
                zone.watermarks = line.watermarks;
                zone.present_kb = line.present_kb;
                zone.managed_kb = line.managed_kb;
                zone.free_cma_kb = line.free_cma_kb;
                zone.reserved_highatomic_kb = line.reserved_highatomic_kb;
                zone.boost_kb = line.boost_kb;
                zone.all_unreclaimable = line.all_unreclaimable;
            }
            Some(index)
        }
        AreaLine::Buddy(line) => {
            let smallest = line.list.orders.first().map(|order| order.block_kb);
            meminfo.page_size_kb = match (meminfo.page_size_kb, smallest) {
                (Some(known), Some(smallest)) => Some(known.min(smallest)),
                (known, smallest) => known.or(smallest),
            };
            let index = zone_entry(meminfo, line.node, line.zone);
            if let Some(zone) = meminfo.zones.get_mut(index) {
                zone.buddy = Some(line.list);
            }
            None
        }
        AreaLine::Hugepages(pool) => {
            if !meminfo.hugepages.contains(&pool) {
                meminfo.hugepages.push(pool);
            }
            None
        }
        AreaLine::PerCpuHeading => None,
    }
}

/// The `Name  Used  Total` heading of `Unreclaimable slab info:`.
pub(crate) fn is_slab_heading(text: &str) -> bool {
    text.split_ascii_whitespace().eq(["Name", "Used", "Total"])
}

/// A row of `Unreclaimable slab info:`: `kmalloc-64   1234KB   2345KB`.
pub(crate) fn slab_row(text: &str) -> Option<SlabCache> {
    let (rest, total) = text.rsplit_once(char::is_whitespace)?;
    let (name, used) = rest.trim_end().rsplit_once(char::is_whitespace)?;
    let name = name.trim();
    (!name.is_empty()).then_some(SlabCache {
        name: name.to_string(),
        used_kb: parse_kb(used)?,
        total_kb: parse_kb(total)?,
    })
}

/// A row of the ≥ 6.10 `Memory allocations` table: `… mm/slub.c:2356 [module] func:alloc_slab`.
pub(crate) fn is_profile_row(text: &str) -> bool {
    text.contains(" func:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(text: &str) -> ZoneLine<'_> {
        match area_line(text) {
            Some(AreaLine::Zone(zone)) => zone,
            other => panic!("not a zone line: {other:?}"),
        }
    }

    fn buddy(text: &str) -> BuddyLine<'_> {
        match area_line(text) {
            Some(AreaLine::Buddy(buddy)) => buddy,
            other => panic!("not a buddy line: {other:?}"),
        }
    }

    #[test]
    fn counters_on_one_wrapped_line_with_empty_value() {
        let mut counters = Vec::new();
        assert!(read_counters(
            "active_anon:172 inactive_anon:4518735 isolated_anon: free:4111496 free_pcp:1 free_cma:0",
            &mut counters
        ));
        let keys: Vec<&str> = counters.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "active_anon",
                "inactive_anon",
                "free",
                "free_pcp",
                "free_cma"
            ]
        );
        assert_eq!(counters[2].1, 4_111_496);
    }

    #[test]
    fn counters_reject_prose_and_keep_first() {
        let mut counters = Vec::new();
        assert!(!read_counters(
            "Note the high pages_scanned and all_unreclaimable. I suspect something",
            &mut counters
        ));
        assert!(!read_counters("eth0: link up", &mut counters));
        assert!(!read_counters("systemd:", &mut counters));
        assert!(read_counters("free:39513 free_pcp:2958 fr", &mut counters));
        assert!(read_counters("free:1", &mut counters));
        assert_eq!(
            counters,
            vec![("free".to_string(), 39513), ("free_pcp".to_string(), 2958)]
        );
    }

    #[test]
    fn node_line_all_unreclaimable() {
        let line = area_line("Node 1 active_anon:12148kB inactive_anon:12916kB pages_scanned:23178917 all_unreclaimable? yes");
        assert_eq!(
            line,
            Some(AreaLine::Node(NodeState {
                node: 1,
                all_unreclaimable: Some(true)
            }))
        );
    }

    #[test]
    fn zone_line_numa_with_boost() {
        let line = zone("Node 0 Normal free:61900kB boost:8192kB min:61948kB low:75384kB high:88820kB reserved_highatomic:0KB present:13096960kB managed:12774792kB");
        assert_eq!((line.node, line.zone), (Some(0), "Normal"));
        assert_eq!(
            line.watermarks,
            Some(ZoneWatermarks {
                free_kb: 61900,
                min_kb: 61948,
                low_kb: 75384,
                high_kb: 88820
            })
        );
        assert_eq!(line.present_kb, Some(13_096_960));
        assert_eq!(line.managed_kb, Some(12_774_792));
        assert_eq!(line.reserved_highatomic_kb, Some(0));
        assert_eq!(line.boost_kb, Some(8192));
    }

    #[test]
    fn zone_line_free_cma() {
        let line = zone("Node 0 DMA free:32420kB boost:0kB min:1524kB low:1904kB high:2284kB reserved_highatomic:0KB active_anon:0kB present:131072kB managed:126712kB mlocked:0kB bounce:0kB free_pcp:1216kB local_pcp:0kB free_cma:31624kB");
        assert_eq!(line.free_cma_kb, Some(31_624));
        assert_eq!(line.watermarks.unwrap().free_kb, 32_420);
    }

    #[test]
    fn zone_line_uma_and_split_token() {
        let line = zone("DMA free:470628kB min:6800kB low:29116kB high:30816kB active_anon:1868540kB present:3446780kB managed:3307056kB m");
        assert_eq!((line.node, line.zone), (None, "DMA"));
        assert_eq!(line.watermarks.unwrap().low_kb, 29116);
        let line = zone("Node 0 Normal free:23500kB min:15892kB low:19864kB high:23836kB inactive_file:420kB unevi ctable:0kB present:917504kB managed:852784kB");
        assert_eq!(line.managed_kb, Some(852_784));
    }

    #[test]
    fn zone_line_3_10_all_unreclaimable() {
        let line = zone("Node 0 DMA free:15872kB min:40kB low:48kB high:60kB present:15992kB managed:15908kB pages_scanned:0 all_unreclaimable? yes");
        assert_eq!(line.all_unreclaimable, Some(true));
    }

    #[test]
    fn zone_line_cut_before_high_has_no_watermarks() {
        let line = zone("Node 0 Normal free:46592kB min:46712kB low:");
        assert_eq!(line.watermarks, None);
    }

    #[test]
    fn buddy_line_with_migrate_types_and_total() {
        let line = buddy("Node 0 Normal: 1325*4kB (UME) 966*8kB (UME) 675*16kB (UME) 0*32kB (M) 0*64kB = 23500kB");
        assert_eq!((line.node, line.zone), (Some(0), "Normal"));
        assert_eq!(line.list.orders.len(), 5);
        assert_eq!(
            line.list.orders[0],
            BuddyOrder {
                block_kb: 4,
                count: 1325,
                migrate_types: "UME".into()
            }
        );
        assert_eq!(line.list.orders[4].migrate_types, "");
        assert_eq!(line.list.total_kb, Some(23500));
    }

    #[test]
    fn buddy_line_wrapped_after_equals() {
        let line = buddy("Node 0 Normal: 1325*4kB (UME) 966*8kB (UME) 0*4096kB =");
        assert_eq!(line.list.orders.len(), 3);
        assert_eq!(line.list.total_kb, None);
    }

    #[test]
    fn buddy_line_split_count_token() {
        let line = buddy("Node 1 Normal: 14*1024kB (UME) 0 *2048kB 0*4096kB = 47560kB");
        let sizes: Vec<u64> = line
            .list
            .orders
            .iter()
            .map(|order| order.block_kb)
            .collect();
        assert_eq!(sizes, [1024, 2048, 4096]);
        assert_eq!(line.list.orders[1].count, 0);
    }

    #[test]
    fn buddy_line_uma_android() {
        let line = buddy("DMA: 68324*4kB (UEM) 24706*8kB (UER) 2*16kB (U) 0*32kB = 470976kB");
        assert_eq!(line.node, None);
        assert_eq!(line.list.orders[1].migrate_types, "UER");
    }

    #[test]
    fn buddy_shape_rejects_other_messages() {
        assert_eq!(area_line("eth0: 100 Mbps"), None);
        assert_eq!(area_line("DMA: 100 Mbps"), None);
        assert_eq!(area_line("Normal operation resumed"), None);
    }

    #[test]
    fn buddy_count_overflow_drops_that_order() {
        let line = buddy("DMA: 99999999999999999999*4kB 1*8kB = 8kB");
        assert_eq!(line.list.orders.len(), 1);
        assert_eq!(line.list.orders[0].block_kb, 8);
    }

    #[test]
    fn hugepages_line() {
        let line = area_line("Node 0 hugepages_total=360 hugepages_free=360 hugepages_surp=0 hugepages_size=1048576kB");
        assert_eq!(
            line,
            Some(AreaLine::Hugepages(HugepagePool {
                node: 0,
                total: 360,
                free: 360,
                surplus: 0,
                size_kb: 1_048_576
            }))
        );
    }

    #[test]
    fn per_cpu_heading_and_rows_3_10() {
        assert_eq!(
            area_line("Node 0 DMA per-cpu:"),
            Some(AreaLine::PerCpuHeading)
        );
        assert!(is_per_cpu_row("CPU    0: hi:    0, btch:   1 usd:   0"));
    }

    #[test]
    fn lowmem_reserve_values() {
        assert_eq!(
            lowmem_reserve("lowmem_reserve[]: 0 3196 7658 7658"),
            Some(vec![0, 3196, 7658, 7658])
        );
        assert_eq!(
            lowmem_reserve("lowmem_reserve[]: 0 99999999999999999999 5"),
            Some(vec![0])
        );
    }

    #[test]
    fn tail_lines() {
        assert_eq!(
            tail("Free swap  = 48055104kB"),
            Some(Tail::SwapFreeKb(Some(48_055_104)))
        );
        assert_eq!(tail("Free swap = 0kB"), Some(Tail::SwapFreeKb(Some(0))));
        assert_eq!(
            tail("Total swap = 8388604kB"),
            Some(Tail::SwapTotalKb(Some(8_388_604)))
        );
        assert_eq!(
            tail("316873 total pagecache pages"),
            Some(Tail::PagecachePages(Some(316_873)))
        );
        assert_eq!(
            tail("2885 pages in swap cache"),
            Some(Tail::SwapCachePages(Some(2885)))
        );
        assert_eq!(
            tail("8385304 pages RAM"),
            Some(Tail::RamPages(Some(8_385_304)))
        );
        assert_eq!(
            tail("134396 pages reserved"),
            Some(Tail::ReservedPages(Some(134_396)))
        );
        assert_eq!(
            tail("0 pages HighMem/MovableOnly"),
            Some(Tail::HighMemPages(Some(0)))
        );
        assert_eq!(tail("8192 pages cma reserved"), Some(Tail::Other));
        assert_eq!(
            tail("Swap cache stats: add 0, delete 0, find 0/0"),
            Some(Tail::Other)
        );
        assert_eq!(
            tail("99999999999999999999 pages RAM"),
            Some(Tail::RamPages(None))
        );
        assert_eq!(tail("3 packets dropped"), None);
    }

    #[test]
    fn slab_rows() {
        assert!(is_slab_heading(
            "Name                      Used          Total"
        ));
        assert_eq!(
            slab_row("kmalloc-2048            1234KB       2048KB"),
            Some(SlabCache {
                name: "kmalloc-2048".into(),
                used_kb: 1234,
                total_kb: 2048
            })
        );
        assert_eq!(slab_row("Name Used Total"), None);
    }

    #[test]
    fn buddy_attaches_to_zone_and_sets_page_size() {
        let mut meminfo = MemInfo::default();
        let index = apply_area(
            &mut meminfo,
            area_line("Node 0 DMA32 free:155160kB min:152412kB low:190512kB high:228612kB")
                .unwrap(),
        );
        assert_eq!(index, Some(0));
        apply_area(
            &mut meminfo,
            area_line("Node 0 DMA32: 11569*4kB (UME) 50*8kB (M) = 46708kB").unwrap(),
        );
        apply_area(
            &mut meminfo,
            area_line("Node 0 Normal: 9282*4kB (UE) 0*8kB = 39112kB").unwrap(),
        );
        assert_eq!(meminfo.zones.len(), 2);
        assert!(meminfo.zones[0].buddy.is_some());
        assert!(meminfo.zones[0].watermarks.is_some());
        assert_eq!(meminfo.zones[1].zone, "Normal");
        assert_eq!(meminfo.zones[1].watermarks, None);
        assert_eq!(meminfo.page_size_kb, Some(4));
    }
}
