//! Where prefixes are read by hand: a forward-only cursor over a line's start.
//!
//! Prefix shapes are short, fixed and tried on every line, so they are read with byte
//! checks rather than regex captures (which cost several hundred ns a line). Every step
//! either advances or fails, so a reader is linear in what it consumes and can never slice
//! off a character boundary.

/// The unread rest of a line. `Copy`, so a caller can try a shape on a copy and keep the
/// original when the shape does not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self { rest: text }
    }

    /// What has not been read yet.
    pub(super) fn rest(self) -> &'a str {
        self.rest
    }

    /// Consumes `literal`, or fails without moving.
    pub(super) fn tag(&mut self, literal: &str) -> Option<()> {
        self.rest = self.rest.strip_prefix(literal)?;
        Some(())
    }

    /// Consumes `literal` when it is there; never fails.
    pub(super) fn skip(&mut self, literal: &str) -> bool {
        self.tag(literal).is_some()
    }

    /// Consumes the longest run of at most `max` characters satisfying `accept`; fails
    /// (without moving) when the run is shorter than `min`.
    pub(super) fn run(
        &mut self,
        min: usize,
        max: usize,
        accept: impl Fn(char) -> bool,
    ) -> Option<&'a str> {
        let mut count = 0;
        let mut end = 0;
        for (at, c) in self.rest.char_indices() {
            if count == max || !accept(c) {
                break;
            }
            count += 1;
            end = at + c.len_utf8();
        }
        if count < min {
            return None;
        }
        let (taken, rest) = self.rest.split_at_checked(end)?;
        self.rest = rest;
        Some(taken)
    }

    /// Consumes any number of spaces; never fails.
    pub(super) fn skip_spaces(&mut self) {
        self.rest = self.rest.trim_start_matches(' ');
    }

    /// What was read between `start` (an earlier copy of this cursor) and now.
    pub(super) fn since(self, start: Cursor<'a>) -> Option<&'a str> {
        let read = start.rest.len().checked_sub(self.rest.len())?;
        start.rest.get(..read)
    }

    /// Consumes `min..=max` ASCII digits.
    pub(super) fn digits(&mut self, min: usize, max: usize) -> Option<&'a str> {
        self.run(min, max, |c| c.is_ascii_digit())
    }

    /// Consumes `min..=max` spaces.
    pub(super) fn spaces(&mut self, min: usize, max: usize) -> Option<()> {
        self.run(min, max, |c| c == ' ').map(drop)
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn run_respects_min_and_max() {
        let mut cursor = Cursor::new("12345x");
        assert_eq!(cursor.digits(1, 2), Some("12"));
        assert_eq!(cursor.digits(4, 9), None);
        assert_eq!(cursor.rest(), "345x");
        assert_eq!(cursor.digits(1, usize::MAX), Some("345"));
        assert_eq!(cursor.rest(), "x");
    }

    #[test]
    fn run_stops_on_multibyte_boundary() {
        let mut cursor = Cursor::new("Mär 3");
        assert_eq!(cursor.run(3, 5, char::is_alphabetic), Some("Mär"));
        assert_eq!(cursor.rest(), " 3");
    }

    #[test]
    fn since_returns_what_was_read() {
        let start = Cursor::new("[ 123.456] x");
        let mut cursor = start;
        assert!(cursor.skip("["));
        cursor.skip_spaces();
        let number = cursor;
        cursor.digits(1, 9).unwrap();
        assert_eq!(cursor.since(number), Some("123"));
        assert_eq!(cursor.since(start), Some("[ 123"));
        assert_eq!(start.since(cursor), None);
    }

    #[test]
    fn failed_tag_does_not_move() {
        let mut cursor = Cursor::new("[ 1.0]");
        assert_eq!(cursor.tag("<"), None);
        assert!(!cursor.skip("x"));
        assert!(cursor.skip("["));
        assert_eq!(cursor.spaces(2, 3), None);
        assert_eq!(cursor.rest(), " 1.0]");
        assert_eq!(cursor.spaces(1, 3), Some(()));
        assert_eq!(cursor.rest(), "1.0]");
    }
}
