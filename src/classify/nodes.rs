//! NUMA node lists as the kernel prints them (`0-1`, `0,2-3`), and the nodes a report shows.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::report::MemInfo;

/// The highest node number accepted in a node list (MAX_NUMNODES is at most 1024).
const MAX_NODE: u32 = 1023;

/// A NUMA node list as the kernel prints it (`0`, `0-1`, `0,2-3`); `None` for `(null)`, an
/// empty or unreadable list, or node numbers beyond MAX_NUMNODES.
pub(super) fn parse_node_list(text: &str) -> Option<BTreeSet<u32>> {
    let text = text.trim();
    if text.is_empty() || text == "(null)" {
        return None;
    }
    let mut nodes = BTreeSet::new();
    for part in text.split(',') {
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
            None => {
                let node = part.trim().parse::<u32>().ok()?;
                (node, node)
            }
        };
        if first > last || last > MAX_NODE {
            return None;
        }
        nodes.extend(first..=last);
    }
    Some(nodes)
}

/// A node set in the kernel's range-list form (`0-1`, `0,2-3`).
pub(super) fn format_node_list(nodes: &BTreeSet<u32>) -> String {
    let mut text = String::new();
    let mut iter = nodes.iter().copied().peekable();
    while let Some(first) = iter.next() {
        let mut last = first;
        while let Some(next) = iter.next_if(|n| Some(*n) == last.checked_add(1)) {
            last = next;
        }
        if !text.is_empty() {
            text.push(',');
        }
        let _ = if first == last {
            write!(text, "{first}")
        } else {
            write!(text, "{first}-{last}")
        };
    }
    text
}

/// Every NUMA node the report shows: zone lines, per-node lines and hugepage pools.
pub(super) fn nodes_seen(meminfo: &MemInfo) -> BTreeSet<u32> {
    meminfo
        .zones
        .iter()
        .filter_map(|zone| zone.node)
        .chain(meminfo.nodes.iter().map(|n| n.node))
        .chain(meminfo.hugepages.iter().map(|h| h.node))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_lists_parse_and_format() {
        assert_eq!(parse_node_list("0-1"), Some([0, 1].into()));
        assert_eq!(parse_node_list("0,2-3"), Some([0, 2, 3].into()));
        assert_eq!(parse_node_list("(null)"), None);
        assert_eq!(parse_node_list("3-1"), None);
        assert_eq!(parse_node_list("0-4294967295"), None, "no huge ranges");
        assert_eq!(format_node_list(&[0, 1, 2, 5, 7, 8].into()), "0-2,5,7-8");
        assert_eq!(format_node_list(&[1].into()), "1");
        assert_eq!(format_node_list(&BTreeSet::new()), "");
    }
}
