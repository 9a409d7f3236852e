//! A multi-substring scan that skips, for the markers where the code is interpreted: the
//! Wu-Manber shift table over two-byte blocks, for wasm32 without SIMD (Fluent Bit's WAMR).
//!
//! An interpreter pays for every wasm instruction, so an automaton that steps through each
//! byte costs tens of nanoseconds a byte there. This scan looks at the last two bytes of a
//! window as long as the shortest pattern and moves the window by as much as no pattern
//! can start in between: in log text, most blocks are in no pattern's head and the window
//! moves by the whole window less one.

/// Finds the first of its patterns in a haystack. Invariant: `find` gives the smallest
/// position at which some pattern starts, and `None` exactly when none occurs (a window is
/// only skipped over where no pattern can start, and candidates are checked in full).
pub struct SkipScan {
    /// The shortest pattern's length: every pattern's head of this length is a window.
    window: usize,
    /// For each two-byte block, how far the window may move when the block ends it: 0 when
    /// the block ends some pattern's head.
    shifts: Box<[u8; 1 << 16]>,
    patterns: Vec<&'static [u8]>,
}

impl SkipScan {
    /// A scan for `patterns`, or `None` when a pattern is shorter than two bytes or longer
    /// than a shift can say.
    pub fn new(patterns: &[&'static str]) -> Option<Self> {
        let window = patterns.iter().map(|p| p.len()).min()?;
        let longest_shift = u8::try_from(window.checked_sub(1)?).ok()?;
        if longest_shift == 0 {
            return None;
        }
        // Made on the heap: 64 KiB is more than a small wasm stack should hold.
        let mut shifts: Box<[u8; 1 << 16]> = vec![longest_shift; 1 << 16]
            .into_boxed_slice()
            .try_into()
            .ok()?;
        for pattern in patterns {
            let head = pattern.as_bytes().get(..window)?;
            for (end, block) in head.windows(2).enumerate() {
                // The block ends at `end + 1` in the head; a window whose last block this is
                // may move until the block sits at the head's end.
                let shift = longest_shift - u8::try_from(end + 1).ok()?;
                let slot = shifts.get_mut(block_index(*block.first_chunk::<2>()?))?;
                *slot = (*slot).min(shift);
            }
        }
        Some(Self {
            window,
            shifts,
            patterns: patterns.iter().map(|p| p.as_bytes()).collect(),
        })
    }

    /// Where the first pattern in `haystack` starts. Windows move left to right and every
    /// pattern is tried where a window may start one, so the first found is the smallest.
    pub fn find(&self, haystack: &[u8]) -> Option<usize> {
        // Where the window's last block starts; the window ends two bytes later.
        let mut block = self.window - 2;
        while let Some(pair) = haystack.get(block..).and_then(<[u8]>::first_chunk::<2>) {
            let shift = self.shifts.get(block_index(*pair)).copied().unwrap_or(0);
            if shift == 0 {
                let start = block + 2 - self.window;
                let rest = haystack.get(start..).unwrap_or_default();
                if self.patterns.iter().any(|p| rest.starts_with(p)) {
                    return Some(start);
                }
                block += 1;
            } else {
                block += usize::from(shift);
            }
        }
        None
    }
}

/// The table slot of a two-byte block (little-endian: as the bytes load).
fn block_index(pair: [u8; 2]) -> usize {
    usize::from(u16::from_le_bytes(pair))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::markers::testkit::{check_generated_texts, first};
    use crate::parse::{FOLLOW_UP_MARKERS, OPENING_MARKERS};
    use aho_corasick::AhoCorasick;

    #[test]
    fn skip_scan_finds_each_marker_at_every_offset() {
        for patterns in [OPENING_MARKERS, FOLLOW_UP_MARKERS] {
            let scan = SkipScan::new(patterns).unwrap();
            for pattern in patterns {
                for before in 0..40 {
                    for after in [0, 1, 2, 7, 8, 9, 33] {
                        let text = format!("{}{pattern}{}", "x".repeat(before), "y".repeat(after));
                        assert_eq!(scan.find(text.as_bytes()), Some(before), "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn skip_scan_rejects_near_misses() {
        let scan = SkipScan::new(OPENING_MARKERS).unwrap();
        let automaton = AhoCorasick::new(OPENING_MARKERS).unwrap();
        for pattern in OPENING_MARKERS {
            for changed in 0..pattern.len() {
                let mut text = format!("{{\"message\":\"{pattern}\"}}").into_bytes();
                text[12 + changed] ^= 0x01;
                assert_eq!(scan.find(&text), first(&automaton, &text), "{text:?}");
                text.truncate(12 + changed);
                assert_eq!(scan.find(&text), first(&automaton, &text), "{text:?}");
            }
        }
    }

    #[test]
    fn skip_scan_empty_and_short_haystacks() {
        let scan = SkipScan::new(OPENING_MARKERS).unwrap();
        assert_eq!(scan.find(b""), None);
        assert_eq!(scan.find(b"T"), None);
        assert_eq!(scan.find(b"Task in"), None);
        assert_eq!(scan.find(b"Task in "), Some(0));
        assert_eq!(scan.find(b"xTask in "), Some(1));
    }

    #[test]
    fn skip_scan_agrees_with_automaton_on_generated_text() {
        // Text drawn from the markers' own bytes, so blocks of their heads, candidates and
        // partial matches abound.
        let markers: Vec<&'static str> = OPENING_MARKERS
            .iter()
            .chain(FOLLOW_UP_MARKERS)
            .copied()
            .collect();
        let alphabet: Vec<u8> = markers.concat().into_bytes();
        let scan = SkipScan::new(&markers).unwrap();
        check_generated_texts(&alphabet, &markers, |text, expected| {
            assert_eq!(scan.find(text), expected, "{text:?}");
        });
    }

    #[test]
    fn skip_scan_needs_two_bytes_a_pattern() {
        assert!(SkipScan::new(&["K", "Killed process"]).is_none());
        assert!(SkipScan::new(&[]).is_none());
    }
}
