//! A multi-substring scan on wasm32's 128-bit SIMD, for the markers: the "Teddy" packed
//! fingerprint search that aho-corasick runs on x86 and aarch64 but not on wasm32, counting
//! newlines as it goes.
//!
//! Each pattern goes to one of eight buckets (a bit); patterns whose fingerprints differ only
//! in ASCII case share one, since such fingerprints differ only in one bit of one nibble and
//! add no false combinations to the bucket's tables. For each of the first three bytes of a
//! pattern, two 16-entry tables give the buckets whose pattern has that low and that high
//! nibble there; one `swizzle` a table looks up 16 haystack bytes at once. A position whose
//! three bytes are in every table of some bucket is a candidate, checked exactly against that
//! bucket's patterns. Most records have no candidate at all, so they cost a few vector
//! operations per 16 bytes instead of one automaton step per byte.

use core::arch::wasm32::{
    i8x16_bitmask, i8x16_eq, i8x16_shuffle, u64x2, u64x2_extract_lane, u8x16_shr, u8x16_splat,
    u8x16_swizzle, v128, v128_and, v128_any_true,
};

/// Bytes examined at once: the lanes of a vector.
const LANES: usize = 16;
/// Leading bytes of each pattern in the fingerprint.
const FINGERPRINT: usize = 3;
const BUCKETS: usize = 8;

/// Finds the first of its patterns in a haystack. Invariant: `scan` gives the smallest
/// position at which some pattern starts, and `None` exactly when none occurs (candidates are
/// always checked in full).
pub struct PackedScan {
    /// For fingerprint byte `k`: which buckets have a pattern whose byte `k` has this low nibble.
    low_nibbles: [v128; FINGERPRINT],
    /// The same for high nibbles.
    high_nibbles: [v128; FINGERPRINT],
    buckets: [Vec<&'static [u8]>; BUCKETS],
}

/// What one pass over a haystack found.
#[derive(Debug, PartialEq, Eq)]
pub struct Scan {
    /// Where the first pattern starts.
    pub marker: Option<usize>,
    /// The newlines before `marker` (in the whole haystack, if none).
    pub newlines: usize,
    /// The position of the last of them.
    pub last_newline: Option<usize>,
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

    /// The first pattern in `haystack`, and the newlines before it.
    ///
    /// Each block of 16 bytes is loaded once. Its lanes are matched against every fingerprint
    /// byte's tables, and candidates are told by where a fingerprint ends: lane `j` of a block
    /// at `at` is a candidate for a pattern starting at `at + j - 2`, its first two bytes'
    /// matches shifted in from this block and the one before. Blocks go left to right and
    /// candidates are confirmed lane by lane from the left, so the first confirmed is the
    /// smallest position.
    pub fn scan(&self, haystack: &[u8]) -> Scan {
        let mut cursor = Cursor {
            at: 0,
            before: [u8x16_splat(0); FINGERPRINT - 1],
            newlines: Newlines::default(),
        };
        loop {
            let (block, last) = match self.next_candidate_block(haystack, &mut cursor) {
                Some(block) => (block, false),
                None => match haystack.get(cursor.at..) {
                    Some(rest) if !rest.is_empty() => {
                        (self.block(load_padded(rest), &cursor.before), true)
                    }
                    _ => return cursor.newlines.scan(None),
                },
            };
            if v128_any_true(block.candidates) {
                if let Some(found) = self.confirm(haystack, cursor.at, block.candidates) {
                    // A marker holds no newline, so when it starts in the block before, this
                    // block has none before it.
                    let lanes = found.saturating_sub(cursor.at);
                    cursor.newlines.add(block.bytes, cursor.at, lanes);
                    return cursor.newlines.scan(Some(found));
                }
            }
            cursor.pass(&block);
            if last {
                return cursor.newlines.scan(None);
            }
        }
    }

    /// Passes the whole blocks from the cursor on that have no candidate, and gives the first
    /// that has one, the cursor left at it; `None` once fewer than 16 bytes are left.
    ///
    /// The hot loop, kept out of line so that no call is in it: a call loses every vector
    /// register, and with one in the loop the tables lived on the stack, reloaded each block.
    #[inline(never)]
    fn next_candidate_block(&self, haystack: &[u8], cursor: &mut Cursor) -> Option<Block> {
        while let Some(bytes) = haystack.get(cursor.at..cursor.at + LANES) {
            let block = self.block(load(bytes), &cursor.before);
            if v128_any_true(block.candidates) {
                return Some(block);
            }
            cursor.pass(&block);
        }
        None
    }

    /// What the 16 bytes of `bytes` match, given what the block before matched.
    #[inline(always)]
    fn block(&self, bytes: v128, before: &[v128; FINGERPRINT - 1]) -> Block {
        let low = v128_and(bytes, u8x16_splat(0x0f));
        let high = u8x16_shr(bytes, 4);
        let mut matches = [u8x16_splat(0); FINGERPRINT];
        for ((found, low_table), high_table) in matches
            .iter_mut()
            .zip(&self.low_nibbles)
            .zip(&self.high_nibbles)
        {
            *found = v128_and(
                u8x16_swizzle(*low_table, low),
                u8x16_swizzle(*high_table, high),
            );
        }
        let [first, second, third] = matches;
        let [first_before, second_before] = *before;
        // Lane j: byte j - 2 matched the first fingerprint byte, j - 1 the second, j the third.
        let candidates = v128_and(
            third,
            v128_and(
                i8x16_shuffle::<15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30>(
                    second_before,
                    second,
                ),
                i8x16_shuffle::<14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29>(
                    first_before,
                    first,
                ),
            ),
        );
        Block {
            bytes,
            matches,
            candidates,
        }
    }

    /// The first candidate position where a pattern of a candidate bucket occurs; lane `j`
    /// stands for the position `at + j - 2`.
    fn confirm(&self, haystack: &[u8], at: usize, candidates: v128) -> Option<usize> {
        let low = u64x2_extract_lane::<0>(candidates).to_le_bytes();
        let high = u64x2_extract_lane::<1>(candidates).to_le_bytes();
        low.iter()
            .chain(&high)
            .enumerate()
            .filter(|(_, &bits)| bits != 0)
            .filter_map(|(lane, &bits)| Some(((at + lane).checked_sub(FINGERPRINT - 1)?, bits)))
            .find(|&(start, bits)| {
                let rest = haystack.get(start..).unwrap_or_default();
                self.buckets
                    .iter()
                    .enumerate()
                    .filter(|(bucket, _)| bits & (1 << bucket) != 0)
                    .any(|(_, patterns)| patterns.iter().any(|p| rest.starts_with(p)))
            })
            .map(|(start, _)| start)
    }
}

/// One block of the haystack, matched.
struct Block {
    bytes: v128,
    /// For each fingerprint byte, the buckets each byte matches.
    matches: [v128; FINGERPRINT],
    /// For each lane `j`, the buckets whose fingerprint may start at `j - 2`.
    candidates: v128,
}

/// Where a scan is.
struct Cursor {
    /// The next block's first byte.
    at: usize,
    /// What the block before matched of the first two fingerprint bytes: zeros at the start,
    /// as bytes before the haystack match nothing.
    before: [v128; FINGERPRINT - 1],
    newlines: Newlines,
}

impl Cursor {
    /// Moves past `block`, the one at the cursor, which holds no marker.
    fn pass(&mut self, block: &Block) {
        self.newlines.add(block.bytes, self.at, LANES);
        let [first, second, _] = block.matches;
        self.before = [first, second];
        self.at += LANES;
    }
}

/// Newlines counted block by block.
#[derive(Default)]
struct Newlines {
    count: usize,
    last: Option<usize>,
}

impl Newlines {
    /// Counts the newlines in the first `lanes` bytes of the block at `at`.
    fn add(&mut self, block: v128, at: usize, lanes: usize) {
        let mask = u32::from(i8x16_bitmask(i8x16_eq(block, u8x16_splat(b'\n'))))
            & (1u32 << lanes.min(LANES)).wrapping_sub(1);
        if mask != 0 {
            self.count += mask.count_ones() as usize;
            self.last = Some(at + (31 - mask.leading_zeros()) as usize);
        }
    }

    fn scan(self, marker: Option<usize>) -> Scan {
        Scan {
            marker,
            newlines: self.count,
            last_newline: self.last,
        }
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

/// The last, short block: its bytes, then zeros. No fingerprint byte is a zero, so the
/// padding adds no candidates (and a candidate is checked against the haystack anyway).
fn load_padded(bytes: &[u8]) -> v128 {
    let mut padded = [0u8; LANES];
    for (slot, byte) in padded.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    load(&padded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::markers::testkit::{check_generated_texts, first};
    use crate::parse::{FOLLOW_UP_MARKERS, OPENING_MARKERS};
    use aho_corasick::AhoCorasick;

    fn both(patterns: &'static [&'static str]) -> (PackedScan, AhoCorasick) {
        (
            PackedScan::new(patterns).unwrap(),
            AhoCorasick::new(patterns).unwrap(),
        )
    }

    /// What `scan` should give for `text` whose first marker is at `marker`.
    fn counted(text: &[u8], marker: Option<usize>) -> Scan {
        let before = &text[..marker.unwrap_or(text.len())];
        Scan {
            marker,
            newlines: before.iter().filter(|&&b| b == b'\n').count(),
            last_newline: before.iter().rposition(|&b| b == b'\n'),
        }
    }

    #[test]
    fn packed_scan_counts_newlines_before_the_marker_at_every_offset() {
        let (packed, _) = both(OPENING_MARKERS);
        for len in 0..70 {
            for marker_at in (0..=len).chain([usize::MAX]) {
                let mut text: Vec<u8> = (0..len)
                    .map(|i| if i % 7 == 3 { b'\n' } else { b'x' })
                    .collect();
                let marker = (marker_at <= len).then(|| {
                    text.splice(marker_at..marker_at, *b"Task in ");
                    marker_at
                });
                assert_eq!(packed.scan(&text), counted(&text, marker), "{text:?}");
            }
        }
    }

    #[test]
    fn packed_scan_finds_each_marker_at_every_offset() {
        for patterns in [OPENING_MARKERS, FOLLOW_UP_MARKERS] {
            let (packed, _) = both(patterns);
            for pattern in patterns {
                for before in 0..40 {
                    for after in [0, 1, 2, 15, 16, 17, 33] {
                        let text = format!("{}{pattern}{}", "x".repeat(before), "y".repeat(after));
                        assert!(
                            packed.scan(text.as_bytes()).marker == Some(before),
                            "{text:?}"
                        );
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
                assert_eq!(
                    packed.scan(&text).marker,
                    first(&automaton, &text),
                    "{text:?}"
                );
                text.truncate(12 + changed);
                assert_eq!(
                    packed.scan(&text).marker,
                    first(&automaton, &text),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn packed_scan_empty_and_short_haystacks() {
        let (packed, _) = both(OPENING_MARKERS);
        assert_eq!(packed.scan(b"").marker, None);
        assert_eq!(packed.scan(b"oom").marker, None);
        assert_eq!(packed.scan(&[0u8; 40]).marker, None);
        assert_eq!(packed.scan(b"Task in ").marker, Some(0));
        assert_eq!(packed.scan(b"x\nTask in ").marker, Some(2));
    }

    #[test]
    fn packed_scan_agrees_with_automaton_on_generated_text() {
        // Text drawn from the markers' own bytes and newlines, so candidates, partial matches
        // and newlines next to markers abound.
        let alphabet: Vec<u8> = [OPENING_MARKERS.concat().as_bytes(), b"\n\n\n\n"].concat();
        let (packed, _) = both(OPENING_MARKERS);
        check_generated_texts(&alphabet, OPENING_MARKERS, |text, expected| {
            assert_eq!(packed.scan(text), counted(text, expected), "{text:?}");
        });
    }

    #[test]
    fn packed_scan_needs_a_full_fingerprint() {
        assert!(PackedScan::new(&["ok", "Killed process"]).is_none());
    }
}
