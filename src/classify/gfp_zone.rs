//! The highest zone an allocation may use, from its gfp flags: the kernel's `gfp_zone()`,
//! as ranks in `enum zone_type` order.

use crate::report::Trigger;

/// Zone types in the kernel's index order (`enum zone_type`); a kernel config drops some.
pub(super) const ZONE_TYPES: [&str; 6] = ["DMA", "DMA32", "Normal", "HighMem", "Movable", "Device"];
pub(super) const DMA_RANK: usize = 0;
pub(super) const DMA32_RANK: usize = 1;
pub(super) const NORMAL_RANK: usize = 2;
pub(super) const HIGHMEM_RANK: usize = 3;
pub(super) const MOVABLE_RANK: usize = 4;
pub(super) const DEVICE_RANK: usize = 5;

/// The composite gfp names that include `__GFP_HIGHMEM | __GFP_MOVABLE` (include/linux/gfp_types.h).
const MOVABLE_COMPOSITES: [&str; 3] = [
    "GFP_HIGHUSER_MOVABLE",
    "GFP_TRANSHUGE",
    "GFP_TRANSHUGE_LIGHT",
];

/// The rank of a zone name in the kernel's zone order; `None` for names it does not use.
pub(super) fn zone_rank(name: &str) -> Option<usize> {
    ZONE_TYPES
        .iter()
        .position(|zone| zone.eq_ignore_ascii_case(name.trim()))
}

/// The highest zone type an allocation may use (the kernel's `gfp_zone()`), as a rank: from the
/// hex mask when it is printed in full (the zone bits `__GFP_DMA` 0x01, `__GFP_HIGHMEM` 0x02,
/// `__GFP_DMA32` 0x04 and `__GFP_MOVABLE` 0x08 are the same in every kernel), else from the
/// decoded flag names. `None` when neither is there (a redacted mask without names).
pub(super) fn allocation_zone(trigger: &Trigger) -> Option<usize> {
    trigger
        .gfp_mask
        .as_deref()
        .and_then(parse_hex_mask)
        .map(zone_from_bits)
        .or_else(|| zone_from_names(trigger))
}

/// A fully printed hex mask (`0x24280ca`, `0xd0`); `None` when redacted (`0x62****`).
fn parse_hex_mask(mask: &str) -> Option<u64> {
    let mask = mask.split('(').next().unwrap_or(mask).trim();
    let digits = mask
        .strip_prefix("0x")
        .or_else(|| mask.strip_prefix("0X"))
        .unwrap_or(mask);
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

fn zone_from_bits(mask: u64) -> usize {
    let (dma, highmem, dma32, movable) = (
        mask & 0x01 != 0,
        mask & 0x02 != 0,
        mask & 0x04 != 0,
        mask & 0x08 != 0,
    );
    rank_of(dma, dma32, highmem, movable)
}

/// The rank `gfp_zone()` picks from the zone modifiers: DMA, then DMA32, then Movable for
/// HighMem with Movable, HighMem, else Normal.
fn rank_of(dma: bool, dma32: bool, highmem: bool, movable: bool) -> usize {
    if dma {
        DMA_RANK
    } else if dma32 {
        DMA32_RANK
    } else if highmem && movable {
        MOVABLE_RANK
    } else if highmem {
        HIGHMEM_RANK
    } else {
        NORMAL_RANK
    }
}

/// Whether an allocation of `class` (a rank from [`allocation_zone`]) may use HighMem and
/// Movable zones; unknown (`None`) counts as may not.
pub(super) fn may_use_highmem(class: Option<usize>) -> bool {
    class.is_some_and(|rank| rank >= HIGHMEM_RANK)
}

/// Whether the allocation may take free CMA pages. mm/page_alloc.c `gfp_to_alloc_flags_cma`
/// sets ALLOC_CMA only when `gfp_migratetype(gfp_mask)` is MIGRATE_MOVABLE: `__GFP_MOVABLE`
/// (0x08) without `__GFP_RECLAIMABLE` (0x10), bits every kernel shares. From the full hex mask,
/// else the decoded names; `None` when neither tells.
pub(super) fn may_use_cma(trigger: &Trigger) -> Option<bool> {
    if let Some(mask) = trigger.gfp_mask.as_deref().and_then(parse_hex_mask) {
        return Some(mask & 0x08 != 0 && mask & 0x10 == 0);
    }
    if trigger.gfp_flags.is_empty() {
        return None;
    }
    let has = |name: &str| trigger.has_gfp_flag(name);
    let movable = has("__GFP_MOVABLE") || MOVABLE_COMPOSITES.iter().any(|name| has(name));
    Some(movable && !has("__GFP_RECLAIMABLE"))
}

fn zone_from_names(trigger: &Trigger) -> Option<usize> {
    if trigger.gfp_flags.is_empty() {
        return None;
    }
    let has = |name: &str| trigger.has_gfp_flag(name);
    let movable_composite = MOVABLE_COMPOSITES.iter().any(|name| has(name));
    let highmem = movable_composite || has("__GFP_HIGHMEM") || has("GFP_HIGHUSER");
    let movable = movable_composite || has("__GFP_MOVABLE");
    Some(rank_of(
        has("GFP_DMA") || has("__GFP_DMA"),
        has("GFP_DMA32") || has("__GFP_DMA32"),
        highmem,
        movable,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::testkit::trigger;

    #[test]
    fn zone_class_from_full_hex_masks() {
        assert_eq!(
            allocation_zone(&trigger("0x24280ca", &[])),
            Some(MOVABLE_RANK)
        );
        assert_eq!(
            allocation_zone(&trigger("0xcc0", &["GFP_KERNEL"])),
            Some(NORMAL_RANK)
        );
        assert_eq!(
            allocation_zone(&trigger("0x2000d1", &[])),
            Some(DMA_RANK),
            "013's GFP_DMA"
        );
        assert_eq!(
            allocation_zone(&trigger("0x201da", &[])),
            Some(MOVABLE_RANK)
        );
        assert_eq!(allocation_zone(&trigger("0x14", &[])), Some(DMA32_RANK));
        assert_eq!(
            allocation_zone(&trigger("0x08", &[])),
            Some(NORMAL_RANK),
            "movable alone"
        );
    }

    #[test]
    fn zone_class_from_names_when_mask_is_redacted() {
        let seed3 = trigger("0x62****", &["GFP_HIGHUSER_MOVABLE", "__GFP_ZERO"]);
        assert_eq!(allocation_zone(&seed3), Some(MOVABLE_RANK));
        assert_eq!(
            allocation_zone(&trigger("0x240****", &["GFP_KERNEL"])),
            Some(NORMAL_RANK)
        );
        assert_eq!(
            allocation_zone(&trigger("0x6*", &["GFP_KERNEL", "__GFP_DMA32"])),
            Some(DMA32_RANK)
        );
        assert_eq!(allocation_zone(&trigger("0x62****", &[])), None);
    }
}
