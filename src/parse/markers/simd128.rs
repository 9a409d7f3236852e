//! A multi-substring scan on wasm32's 128-bit SIMD, for the markers: the "Teddy" packed
//! fingerprint search that aho-corasick runs on x86 and aarch64 but not on wasm32.
//!
//! Each pattern goes to one of eight buckets (a bit); patterns whose fingerprints differ only
//! in ASCII case share one, since such fingerprints differ only in one bit of one nibble and
//! add no false combinations to the bucket's tables. For each of the first three bytes of a
//! pattern, two 16-entry tables give the buckets whose pattern has that low and that high
//! nibble there; one `swizzle` a table looks up 16 haystack bytes at once. A haystack position
//! whose three bytes are in every table of some bucket is a candidate, checked exactly against
//! that bucket's patterns. Most records have no candidate at all, so they cost a few vector
//! operations per 16 bytes instead of one automaton step per byte.

use core::arch::wasm32::{
    u64x2, u64x2_extract_lane, u8x16_shr, u8x16_splat, u8x16_swizzle, v128, v128_and, v128_any_true,
};

/// Positions examined at once: the lanes of a vector.
const LANES: usize = 16;
/// Leading bytes of each pattern in the fingerprint.
const FINGERPRINT: usize = 3;
/// Haystack bytes that one step reads: a fingerprint for each of its `LANES` positions.
const WINDOW: usize = LANES + FINGERPRINT - 1;
const BUCKETS: usize = 8;

/// Finds the first of its patterns in a haystack. Invariant: `find` gives the smallest
/// position at which some pattern starts, and `None` exactly when none occurs (candidates are
/// always checked in full).
pub struct PackedScan {
    /// For fingerprint byte `k`: which buckets have a pattern whose byte `k` has this low nibble.
    low_nibbles: [v128; FINGERPRINT],
    /// The same for high nibbles.
    high_nibbles: [v128; FINGERPRINT],
    buckets: [Vec<&'static [u8]>; BUCKETS],
}

impl PackedScan {
    /// A scan for `patterns`, or `None` when a pattern is shorter than the fingerprint.
    pub fn new(patterns: &[&'static str]) -> Option<Self> {
        let mut low = [[0u8; LANES]; FINGERPRINT];
        let mut high = [[0u8; LANES]; FINGERPRINT];
        let mut buckets: [Vec<&'static [u8]>; BUCKETS] = Default::default();
        // Fingerprints, folded to lower case, in the order they first come: a bucket each,
        // round robin when there are more than eight.
        let mut folded: Vec<[u8; FINGERPRINT]> = Vec::new();
        for pattern in patterns {
            let pattern = pattern.as_bytes();
            let fingerprint = pattern.first_chunk::<FINGERPRINT>()?;
            let key = fingerprint.map(|byte| byte.to_ascii_lowercase());
            let group = folded
                .iter()
                .position(|seen| *seen == key)
                .unwrap_or_else(|| {
                    folded.push(key);
                    folded.len() - 1
                });
            let bucket = group % BUCKETS;
            for ((byte, low), high) in fingerprint.iter().zip(&mut low).zip(&mut high) {
                *low.get_mut(usize::from(byte & 0x0f))? |= 1 << bucket;
                *high.get_mut(usize::from(byte >> 4))? |= 1 << bucket;
            }
            buckets.get_mut(bucket)?.push(pattern);
        }
        Some(Self {
            low_nibbles: low.map(|table| load(&table)),
            high_nibbles: high.map(|table| load(&table)),
            buckets,
        })
    }

    /// Where the first pattern in `haystack` starts. Windows go left to right and each is
    /// confirmed lane by lane from its left, so the first position confirmed is the smallest.
    pub fn find(&self, haystack: &[u8]) -> Option<usize> {
        let mut at = 0;
        while let Some(window) = haystack.get(at..at + WINDOW) {
            let candidates = self.candidates(window);
            if v128_any_true(candidates) {
                if let Some(found) = self.confirm(haystack, at, candidates) {
                    return Some(found);
                }
            }
            at += LANES;
        }
        // Fewer than WINDOW bytes are left, so every pattern that can still start here starts
        // in the first LANES of them. Zeros pad the window: they can only add candidates,
        // and candidates are checked against the haystack itself.
        let mut padded = [0u8; WINDOW];
        for (slot, byte) in padded
            .iter_mut()
            .zip(haystack.get(at..).unwrap_or_default())
        {
            *slot = *byte;
        }
        let candidates = self.candidates(&padded);
        if v128_any_true(candidates) {
            self.confirm(haystack, at, candidates)
        } else {
            None
        }
    }

    /// For each of the `LANES` positions starting `window`, the buckets whose fingerprint
    /// matches the bytes there. `window` holds at least `WINDOW` bytes.
    fn candidates(&self, window: &[u8]) -> v128 {
        let low_mask = u8x16_splat(0x0f);
        let mut buckets = u8x16_splat(0xff);
        for (k, (low, high)) in self.low_nibbles.iter().zip(&self.high_nibbles).enumerate() {
            let bytes = window.get(k..).map_or(u8x16_splat(0xff), load);
            let by_low = u8x16_swizzle(*low, v128_and(bytes, low_mask));
            let by_high = u8x16_swizzle(*high, u8x16_shr(bytes, 4));
            buckets = v128_and(buckets, v128_and(by_low, by_high));
        }
        buckets
    }

    /// The first candidate position `at + lane` where a pattern of a candidate bucket occurs.
    fn confirm(&self, haystack: &[u8], at: usize, candidates: v128) -> Option<usize> {
        let low = u64x2_extract_lane::<0>(candidates).to_le_bytes();
        let high = u64x2_extract_lane::<1>(candidates).to_le_bytes();
        low.iter()
            .chain(&high)
            .enumerate()
            .filter(|(_, &bits)| bits != 0)
            .find(|&(lane, &bits)| {
                let rest = haystack.get(at + lane..).unwrap_or_default();
                self.buckets
                    .iter()
                    .enumerate()
                    .filter(|(bucket, _)| bits & (1 << bucket) != 0)
                    .any(|(_, patterns)| patterns.iter().any(|p| rest.starts_with(p)))
            })
            .map(|(lane, _)| at + lane)
    }
}

/// The first 16 bytes of `bytes` as a vector (all bits set, so every position a candidate,
/// should fewer be given). Safe code: two 8-byte loads, which the compiler fuses.
fn load(bytes: &[u8]) -> v128 {
    let Some((low, rest)) = bytes.split_first_chunk::<8>() else {
        return u8x16_splat(0xff);
    };
    let Some((high, _)) = rest.split_first_chunk::<8>() else {
        return u8x16_splat(0xff);
    };
    u64x2(u64::from_le_bytes(*low), u64::from_le_bytes(*high))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{FOLLOW_UP_MARKERS, OPENING_MARKERS};
    use aho_corasick::AhoCorasick;

    fn both(patterns: &'static [&'static str]) -> (PackedScan, AhoCorasick) {
        (
            PackedScan::new(patterns).unwrap(),
            AhoCorasick::new(patterns).unwrap(),
        )
    }

    /// The smallest position at which some pattern starts, by the automaton (standard
    /// matching reports matches by end, so every start is collected).
    fn first(automaton: &AhoCorasick, text: &[u8]) -> Option<usize> {
        automaton
            .find_overlapping_iter(text)
            .map(|found| found.start())
            .min()
    }

    #[test]
    fn packed_scan_finds_each_marker_at_every_offset() {
        for patterns in [OPENING_MARKERS, FOLLOW_UP_MARKERS] {
            let (packed, _) = both(patterns);
            for pattern in patterns {
                for before in 0..40 {
                    for after in [0, 1, 2, 15, 16, 17, 33] {
                        let text = format!("{}{pattern}{}", "x".repeat(before), "y".repeat(after));
                        assert!(packed.find(text.as_bytes()) == Some(before), "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn packed_scan_rejects_near_misses() {
        let (packed, automaton) = both(OPENING_MARKERS);
        for pattern in OPENING_MARKERS {
            for changed in 0..pattern.len() {
                let mut text = format!("{{\"message\":\"{pattern}\"}}").into_bytes();
                text[12 + changed] ^= 0x01;
                assert_eq!(packed.find(&text), first(&automaton, &text), "{text:?}");
                text.truncate(12 + changed);
                assert_eq!(packed.find(&text), first(&automaton, &text), "{text:?}");
            }
        }
    }

    #[test]
    fn packed_scan_empty_and_short_haystacks() {
        let (packed, _) = both(OPENING_MARKERS);
        assert_eq!(packed.find(b""), None);
        assert_eq!(packed.find(b"oom"), None);
        assert_eq!(packed.find(&[0u8; 40]), None);
        assert_eq!(packed.find(b"Task in "), Some(0));
    }

    #[test]
    fn packed_scan_agrees_with_automaton_on_generated_text() {
        // Text drawn from the markers' own bytes, so candidates and partial matches abound.
        let alphabet: Vec<u8> = OPENING_MARKERS.concat().into_bytes();
        let (packed, automaton) = both(OPENING_MARKERS);
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut found = 0;
        for _ in 0..20_000 {
            let len = (next() % 120) as usize;
            let mut text: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            if next() % 4 == 0 && len > 0 {
                let pattern = OPENING_MARKERS[(next() % OPENING_MARKERS.len() as u64) as usize];
                let at = (next() % len as u64) as usize;
                text.splice(at..at, pattern.bytes());
            }
            let expected = first(&automaton, &text);
            found += usize::from(expected.is_some());
            assert_eq!(packed.find(&text), expected, "{text:?}");
        }
        assert!(
            found > 1_000,
            "the generated text should hold markers often: {found}"
        );
    }

    #[test]
    fn packed_scan_needs_a_full_fingerprint() {
        assert!(PackedScan::new(&["ok", "Killed process"]).is_none());
    }
}
