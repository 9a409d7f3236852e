//! Where storms fold: a report with no victim that repeats one already emitted (same host,
//! kind, cause, limiting cgroup or allocation, trigger) within the storm window becomes part
//! of one follow-up event for that window instead of an event of its own.
//!
//! The kernel prints such reports as fast as it can: a memory cgroup with nothing killable
//! (`mem_cgroup_out_of_memory` → `out_of_memory` finds no victim on every charge attempt), or
//! `warn_alloc` on every failed allocation (only its own ratelimit, `... callbacks
//! suppressed`, holds some back). Every killed process stays an event of its own.

use std::collections::{BTreeMap, HashMap};

use crate::assemble::{Completed, Repeats};
use crate::classify::Diagnosis;
use crate::encode::limiting_cgroup;

/// A finished report with its diagnosis.
pub(crate) struct Classified {
    pub completed: Completed,
    pub diagnosis: Diagnosis,
}

/// The reports a window has folded so far, to be emitted as one follow-up event.
struct Pending {
    /// The first folded report: the follow-up event is its event, with the totals below.
    first: Classified,
    repeats: Repeats,
    /// Every folded report's lines.
    lines: u64,
}

/// One remembered report identity: since when, and what it folded.
struct Window {
    opened_ms: u64,
    /// Position in [`Storms::order`].
    seq: u64,
    pending: Option<Pending>,
}

/// Remembers the report identities emitted recently, at most `max_keys` of them.
///
/// Invariants: every report offered is either returned (to be emitted now) or folded into
/// exactly one pending follow-up, which is emitted when its window ends, when its identity is
/// evicted to make room, or at [`Storms::finish`]; its `oom.lines` is the sum of the folded
/// reports' lines. At most `max_keys` windows are held, each holding at most one report.
pub(crate) struct Storms {
    window_ms: u64,
    max_keys: u64,
    windows: HashMap<String, Window>,
    /// Windows by when they opened, oldest first: the order of expiry and of eviction.
    order: BTreeMap<u64, String>,
    next_seq: u64,
    /// When the first window holding a follow-up ends: the only windows whose end emits
    /// something. One without a follow-up is forgotten when its identity comes again, or
    /// evicted.
    due_ms: Option<u64>,
}

impl Storms {
    /// Folding within `window_ms` (0: never) of at most `max_keys` identities (at least 1).
    pub fn new(window_ms: u64, max_keys: u64) -> Self {
        Self {
            window_ms,
            max_keys: max_keys.max(1),
            windows: HashMap::new(),
            order: BTreeMap::new(),
            next_seq: 0,
            due_ms: None,
        }
    }

    /// Whether no window holds a follow-up (nothing can fall due).
    pub fn is_idle(&self) -> bool {
        self.due_ms.is_none()
    }

    /// Offers a classified report at host time `now_ms`. Returns it when it is to be emitted
    /// now; `None` when it was folded. Follow-ups that this ends (an expired window of the
    /// same identity, an identity evicted for room) are appended to `due` first.
    pub fn offer(
        &mut self,
        report: Classified,
        now_ms: u64,
        due: &mut Vec<Classified>,
    ) -> Option<Classified> {
        if self.window_ms == 0 {
            return Some(report);
        }
        let Some(key) = storm_key(&report) else {
            return Some(report);
        };
        if self
            .windows
            .get(&key)
            .is_some_and(|window| self.has_ended(window, now_ms))
        {
            self.end_window(&key, now_ms, due);
        }
        let Some(window) = self.windows.get_mut(&key) else {
            self.open_window(key, now_ms, due);
            return Some(report);
        };
        let context = &report.completed.context;
        match &mut window.pending {
            Some(pending) => {
                pending.repeats.reports += 1;
                pending.repeats.last_wall_time = context.wall_time;
                pending.repeats.last_uptime_s = context.uptime_s;
                pending.lines = pending.lines.saturating_add(context.lines);
            }
            None => {
                let ends_ms = window.opened_ms.saturating_add(self.window_ms);
                self.due_ms = Some(self.due_ms.map_or(ends_ms, |due| due.min(ends_ms)));
                window.pending = Some(Pending {
                    repeats: Repeats {
                        reports: 1,
                        first_wall_time: context.wall_time,
                        first_uptime_s: context.uptime_s,
                        last_wall_time: context.wall_time,
                        last_uptime_s: context.uptime_s,
                    },
                    lines: context.lines,
                    first: report,
                });
            }
        }
        None
    }

    /// Ends the windows that are `window_ms` old at `now_ms`, oldest first, appending their
    /// follow-ups to `due`, once one holding a follow-up is due. A window that folded
    /// something opens again (the storm may go on); one that folded nothing is forgotten.
    pub fn expire(&mut self, now_ms: u64, due: &mut Vec<Classified>) {
        if self.due_ms.is_none_or(|due_ms| now_ms < due_ms) {
            return;
        }
        let ended: Vec<String> = self
            .order
            .values()
            .filter(|key| {
                self.windows
                    .get(*key)
                    .is_some_and(|window| self.has_ended(window, now_ms))
            })
            .cloned()
            .collect();
        for key in ended {
            self.end_window(&key, now_ms, due);
        }
    }

    /// When [`Storms::expire`] next emits a follow-up: `None` while no window holds one.
    pub fn next_due_ms(&self) -> Option<u64> {
        self.due_ms
    }

    /// End of input: every pending follow-up, oldest first.
    pub fn finish(&mut self, due: &mut Vec<Classified>) {
        let order = std::mem::take(&mut self.order);
        for key in order.into_values() {
            if let Some(pending) = self.windows.remove(&key).and_then(|w| w.pending) {
                due.push(follow_up(pending));
            }
        }
        self.due_ms = None;
    }

    fn has_ended(&self, window: &Window, now_ms: u64) -> bool {
        now_ms.saturating_sub(window.opened_ms) >= self.window_ms
    }

    /// Emits `key`'s follow-up, if it folded anything, and opens its next window at `now_ms`;
    /// forgets `key` when it folded nothing.
    fn end_window(&mut self, key: &str, now_ms: u64, due: &mut Vec<Classified>) {
        let Some(window) = self.windows.remove(key) else {
            return;
        };
        self.order.remove(&window.seq);
        if let Some(pending) = window.pending {
            due.push(follow_up(pending));
            self.open_window(key.to_owned(), now_ms, due);
            self.recompute_due();
        }
    }

    /// [`Storms::due_ms`] after a window holding a follow-up ended: a scan of at most
    /// `max_keys` windows, once per follow-up emitted.
    fn recompute_due(&mut self) {
        let window_ms = self.window_ms;
        self.due_ms = self
            .windows
            .values()
            .filter(|window| window.pending.is_some())
            .map(|window| window.opened_ms.saturating_add(window_ms))
            .min();
    }

    fn open_window(&mut self, key: String, now_ms: u64, due: &mut Vec<Classified>) {
        while self.windows.len() as u64 >= self.max_keys {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some(pending) = self.windows.remove(&oldest).and_then(|w| w.pending) {
                due.push(follow_up(pending));
                self.recompute_due();
            }
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.order.insert(seq, key.clone());
        self.windows.insert(
            key,
            Window {
                opened_ms: now_ms,
                seq,
                pending: None,
            },
        );
    }
}

/// The follow-up event's report: the first folded one, standing for all of them.
fn follow_up(pending: Pending) -> Classified {
    let mut report = pending.first;
    report.completed.context.lines = pending.lines;
    report.completed.context.repeats = Some(pending.repeats);
    report
}

/// What makes a report "the same report again", or `None` for a report that never folds:
/// one with a victim (every killed process is an event of its own), a `memory.oom.group`
/// member's kill, or one cut by a cap (what the cap hid may have been a kill).
///
/// The identity is the host, the kind, the cause, and where memory ran out: the limiting
/// cgroup for a cgroup OOM; otherwise the allocation that failed (gfp mask, order, nodemask:
/// what `get_page_from_freelist` walked the zonelist for) and the nodes found exhausted; and
/// the task whose allocation or charge failed.
fn storm_key(report: &Classified) -> Option<String> {
    let Completed {
        context,
        report: oom,
    } = &report.completed;
    if !oom.victims.is_empty()
        || context.group_leader_pid.is_some()
        || context.truncated_by.is_some()
    {
        return None;
    }
    let diagnosis = &report.diagnosis;
    let cause = serde_json::to_string(&diagnosis.cause).unwrap_or_default();
    let kind = serde_json::to_string(&oom.kind).unwrap_or_default();
    let place = match limiting_cgroup(oom, diagnosis) {
        Some(cgroup) => format!("cgroup {cgroup}"),
        None => format!(
            "alloc {:?} {:?} {:?} nodes {:?}",
            oom.trigger.gfp_mask,
            oom.trigger.order,
            oom.trigger.nodemask,
            diagnosis.exhausted_nodes
        ),
    };
    let host = context.host.as_deref().unwrap_or_default();
    let comm = oom.trigger.comm.as_deref().unwrap_or_default();
    Some(format!(
        "{host}\u{1f}{kind}\u{1f}{cause}\u{1f}{place}\u{1f}{comm}"
    ))
}
