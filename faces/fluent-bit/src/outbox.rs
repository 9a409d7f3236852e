//! Where the transform's output is fitted to Fluent Bit's rule of at most one output per call:
//! events that cannot take the place of their own record wait here for a call that would
//! otherwise drop its record.

use std::collections::VecDeque;

use oomlens::filter::Emitted;

/// Most events kept waiting. Events wait only while every call passes its record through
/// (`raw_lines: pass`, or a burst of reports in a busy stream); one heartbeat releases one, so
/// 64 covers a minute of reports at a one-second tick.
pub const CAPACITY: usize = 64;

/// What one call returns to Fluent Bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The input record itself: zero-copy pass-through.
    Input,
    /// `""`: the record is dropped.
    Drop,
    /// This event (a JSON object) in the record's place.
    Event(String),
}

/// Events waiting for a call that can return them, oldest first. Invariant: never more than
/// [`CAPACITY`]; events leave in the order the transform emitted them.
#[derive(Debug, Default)]
pub struct Outbox {
    queue: VecDeque<String>,
}

impl Outbox {
    /// The reply for one call that emitted `emitted` (drained, so the caller can reuse it
    /// without allocating per record). The input record wins when the
    /// transform passes it through (the host has no other way to keep it); otherwise the
    /// oldest waiting event takes the record's place. Events not returned wait. Returns, with
    /// the reply, how many old events were discarded to respect [`CAPACITY`].
    pub fn reply(&mut self, emitted: &mut Vec<Emitted>) -> (Reply, u64) {
        let mut passes_input = false;
        let mut discarded = 0;
        for item in emitted.drain(..) {
            match item {
                Emitted::Input => passes_input = true,
                Emitted::Event(event) => {
                    if self.queue.len() >= CAPACITY {
                        self.queue.pop_front();
                        discarded += 1;
                    }
                    self.queue.push_back(event);
                }
            }
        }
        let reply = if passes_input {
            Reply::Input
        } else {
            self.queue.pop_front().map_or(Reply::Drop, Reply::Event)
        };
        (reply, discarded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: usize) -> Emitted {
        Emitted::Event(format!("{{\"n\":{n}}}"))
    }

    #[test]
    fn pass_through_returns_input() {
        let mut outbox = Outbox::default();
        assert_eq!(outbox.reply(&mut vec![Emitted::Input]), (Reply::Input, 0));
    }

    #[test]
    fn folded_record_with_nothing_waiting_is_dropped() {
        let mut outbox = Outbox::default();
        assert_eq!(outbox.reply(&mut Vec::new()), (Reply::Drop, 0));
    }

    #[test]
    fn kill_line_event_replaces_its_record() {
        let mut outbox = Outbox::default();
        let (reply, _) = outbox.reply(&mut vec![event(1)]);
        assert_eq!(reply, Reply::Event("{\"n\":1}".into()));
        assert_eq!(outbox.queue.len(), 0);
    }

    #[test]
    fn event_before_passed_input_waits_for_next_dropping_call() {
        let mut outbox = Outbox::default();
        assert_eq!(
            outbox.reply(&mut vec![event(1), Emitted::Input]).0,
            Reply::Input
        );
        assert_eq!(outbox.queue.len(), 1);
        assert_eq!(outbox.reply(&mut vec![Emitted::Input]).0, Reply::Input);
        assert_eq!(
            outbox.reply(&mut Vec::new()).0,
            Reply::Event("{\"n\":1}".into())
        );
        assert_eq!(outbox.reply(&mut Vec::new()).0, Reply::Drop);
    }

    #[test]
    fn waiting_events_leave_oldest_first() {
        let mut outbox = Outbox::default();
        assert_eq!(
            outbox.reply(&mut vec![event(1), event(2)]).0,
            Reply::Event("{\"n\":1}".into())
        );
        assert_eq!(
            outbox.reply(&mut vec![event(3)]).0,
            Reply::Event("{\"n\":2}".into())
        );
        assert_eq!(
            outbox.reply(&mut Vec::new()).0,
            Reply::Event("{\"n\":3}".into())
        );
    }

    #[test]
    fn full_outbox_discards_oldest_and_says_so() {
        let mut outbox = Outbox::default();
        let mut burst: Vec<Emitted> = (0..CAPACITY + 2)
            .map(event)
            .chain([Emitted::Input])
            .collect();
        assert_eq!(outbox.reply(&mut burst), (Reply::Input, 2));
        assert!(burst.is_empty(), "the reply drains what it was given");
        assert_eq!(outbox.queue.len(), CAPACITY);
        assert_eq!(
            outbox.reply(&mut Vec::new()).0,
            Reply::Event("{\"n\":2}".into())
        );
    }
}
