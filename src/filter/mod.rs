//! The record-stream transform every face adapts: JSON log records in, the same records out,
//! except that the records of each OOM report are replaced by one event.

mod config;
mod ndjson;
mod storm;

pub use config::{ConfigError, FilterConfig, RawLines};
pub use ndjson::NdjsonFilter;

use serde::Serialize;
use serde_json::Value;

use crate::assemble::{Assembler, Completed, Disposition, HostStreams, Limits};
use crate::classify::{diagnose, Cause, Confidence, Diagnosis};
use crate::encode::{encode_event, EventSchema};
use crate::parse::ReportBuilder;
use crate::prefix::{of_record_fields, split_prefix, Provenance};
use storm::{Classified, Storms};

/// What the transform emits for the records it is given, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Emitted {
    /// The input record, unchanged (byte-identical: faces return the input as it was).
    Input,
    /// An event: a JSON object, serialised.
    Event(String),
}

/// Running totals since the transform was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    pub records_in: u64,
    /// Records emitted: passed through, and events.
    pub records_out: u64,
    /// Records folded into reports: the sum of the events' `oom.lines`. With `raw_lines: pass`
    /// they are also emitted; otherwise `records_in = records_folded + passed-through records`.
    pub records_folded: u64,
    /// Reports assembled (each emits an event, unless folded into a storm's follow-up; a
    /// `memory.oom.group` member's kill is an event of the report that chose it, not a
    /// report of its own).
    pub reports: u64,
    pub events: u64,
    /// Records that could not be read (not JSON, not an object, no message): passed through.
    pub errors: u64,
    /// Records that could open or join a report but whose transport proves another writer
    /// than the kernel (a journald record from a process, a non-zero facility, another
    /// program's tag): passed through, never part of a report.
    pub not_kernel: u64,
    /// Records of the same kind whose transport cannot prove the kernel, passed through
    /// because of `require_kernel_provenance`.
    pub unverified: u64,
    /// Reports with no victim folded into a storm's follow-up event instead of an event of
    /// their own (their lines count in the follow-up's `oom.lines`).
    pub storm_folded: u64,
}

/// The streaming transform. Invariant: every record given to [`Transform::process`] is
/// accounted for exactly once, as an [`Emitted::Input`] or as a line of one event.
pub struct Transform {
    config: FilterConfig,
    assembler: Assembler<ReportBuilder>,
    storms: Storms,
    counters: Counters,
    /// The host time last given to a call that reads records or flushes: where `finish`
    /// stands for storm windows.
    last_now_ms: u64,
    /// The stream each line is assembled in, by record stream and prefix host; at most
    /// `max_open_reports` record streams remembered.
    host_streams: HostStreams,
}

/// Records nested deeper than this are not parsed (they pass through): the Fluent Bit face
/// runs on a small wasm stack, and no kernel-log record is nested this deep.
const MAX_RECORD_DEPTH: usize = 64;

impl Transform {
    /// A transform with `config`, checked.
    pub fn new(config: FilterConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let assembler = Assembler::new(limits(&config));
        let storms = Storms::new(config.storm_window_ms, config.max_storm_keys);
        let host_streams = HostStreams::new(config.max_open_reports);
        Ok(Self {
            config,
            assembler,
            storms,
            counters: Counters::default(),
            last_now_ms: 0,
            host_streams,
        })
    }

    /// Processes one record (JSON text as received). `tag` names the input it came from
    /// (Fluent Bit's tag; empty elsewhere); `now_ms` is the host's clock, used for timeouts.
    /// Appends what to emit, in order, to `out`.
    pub fn process(&mut self, record: &[u8], tag: &str, now_ms: u64, out: &mut Vec<Emitted>) {
        self.counters.records_in += 1;
        // The fast path: with no report open, a record can only matter if its raw bytes hold
        // a line that opens one (or follows a recent kill). Most records leave here, unparsed
        // and unallocated.
        if !self.assembler.may_matter(record) {
            self.emit_input(out);
            return;
        }
        self.last_now_ms = now_ms;
        let mut done = Vec::new();
        self.assembler
            .flush(now_ms, self.config.flush_timeout_ms, &mut done);
        let disposition = match self.read_record(record, tag) {
            Some(RecordLine {
                stream,
                message,
                host,
                provenance,
            }) => {
                let mut line = split_prefix(&message);
                line.provenance = line.provenance.combined(provenance);
                match line.provenance {
                    // Never offered to the assembler: such a record cannot open, join or split
                    // a report, nor take a recent kill's follow-up lines.
                    Provenance::NotKernel => {
                        self.counters.not_kernel += 1;
                        Disposition::Foreign
                    }
                    Provenance::Unverified if self.config.require_kernel_provenance => {
                        self.counters.unverified += 1;
                        Disposition::Foreign
                    }
                    // Only a line the assembler reads moves its stream's host: a forged record
                    // between a line and its continuation must not take the continuation.
                    _ => {
                        let stream = self.host_streams.stream(&self.assembler, &stream, &line);
                        // The event names the host the line's prefix names, else the record's.
                        if line.host.is_none() {
                            line.host = host;
                        }
                        self.assembler
                            .push(&stream, &line, &message, now_ms, &mut done)
                    }
                }
            }
            None => Disposition::Foreign,
        };
        let completed_here = match disposition {
            Disposition::Completed => done.pop(),
            Disposition::Foreign | Disposition::Folded | Disposition::Observed => None,
        };
        self.emit_events(done, now_ms, out);
        self.expire_storms(now_ms, out);
        let passes = matches!(disposition, Disposition::Foreign | Disposition::Observed);
        if !passes {
            self.counters.records_folded += 1;
        }
        if passes || self.config.raw_lines == RawLines::Pass {
            self.emit_input(out);
        }
        self.emit_events(completed_here, now_ms, out);
    }

    /// Emits the reports that received no line for `flush_timeout_ms`, as incomplete, and
    /// the follow-ups of storm windows that ended.
    pub fn flush(&mut self, now_ms: u64, out: &mut Vec<Emitted>) {
        if self.assembler.is_idle() && self.storms.is_idle() {
            return;
        }
        self.last_now_ms = now_ms;
        let mut done = Vec::new();
        self.assembler
            .flush(now_ms, self.config.flush_timeout_ms, &mut done);
        self.emit_events(done, now_ms, out);
        self.expire_storms(now_ms, out);
    }

    /// When [`Transform::flush`] may next emit a report that stopped getting lines or a
    /// storm's follow-up, in the host milliseconds given to `process`: a host with no record
    /// to give calls `flush` then. `None` while no report is open and no follow-up waits.
    /// Never after one falls due; when it comes earlier, `flush` emits nothing and this moves
    /// on.
    pub fn next_flush_ms(&self) -> Option<u64> {
        let report = self.assembler.next_due_ms(self.config.flush_timeout_ms);
        let storm = self.storms.next_due_ms();
        report.into_iter().chain(storm).min()
    }

    /// End of input: emits every open report, then every storm's pending follow-up.
    pub fn finish(&mut self, out: &mut Vec<Emitted>) {
        let mut done = Vec::new();
        self.assembler.finish(&mut done);
        let mut classified = self.classify_all(done, self.last_now_ms);
        self.storms.finish(&mut classified);
        self.emit_classified(classified, out);
    }

    /// Totals so far.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Whether no report is open and no head of a cut line waits. Until a record holding a
    /// marker (one that opens a report or follows a kill) comes, every record then passes
    /// through unread, which lets [`NdjsonFilter`] pass a run of them with one scan.
    pub(crate) fn no_report_open(&self) -> bool {
        !self.assembler.reads_every_line()
    }

    /// Counts `records` that passed through unread in one run while
    /// [`Transform::no_report_open`], none holding a marker: exactly what
    /// [`Transform::process`] would count for them one by one.
    pub(crate) fn count_passed_run(&mut self, records: u64) {
        self.counters.records_in += records;
        self.counters.records_out += records;
    }

    /// The stream key, kernel message and host of a record, or `None` when the record passes
    /// through unread (not a JSON object, no string message, too long).
    fn read_record(&mut self, record: &[u8], tag: &str) -> Option<RecordLine> {
        if record.len() as u64 > self.config.max_line_bytes {
            return None;
        }
        if nesting_depth(record) > MAX_RECORD_DEPTH {
            self.counters.errors += 1;
            return None;
        }
        let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(record) else {
            self.counters.errors += 1;
            return None;
        };
        let message =
            self.config
                .message_fields
                .iter()
                .find_map(|name| match fields.remove(name) {
                    Some(Value::String(text)) => Some(text),
                    _ => None,
                })?;
        if message.len() as u64 > self.config.max_line_bytes {
            return None;
        }
        let mut stream = tag.to_owned();
        for name in &self.config.stream_fields {
            if let Some(value) = fields.get(name).and_then(field_text) {
                stream.push_str(&value);
            }
            stream.push('\u{1f}');
        }
        let host = HOST_FIELDS
            .iter()
            .find_map(|name| fields.get(*name).and_then(field_text));
        let provenance = of_record_fields(&fields);
        Some(RecordLine {
            stream,
            message,
            host,
            provenance,
        })
    }

    fn emit_input(&mut self, out: &mut Vec<Emitted>) {
        self.counters.records_out += 1;
        out.push(Emitted::Input);
    }

    /// Classifies finished reports and emits their events, except those a storm folds; the
    /// storm follow-ups this ends come first.
    fn emit_events(
        &mut self,
        completed: impl IntoIterator<Item = Completed>,
        now_ms: u64,
        out: &mut Vec<Emitted>,
    ) {
        let classified = self.classify_all(completed, now_ms);
        self.emit_classified(classified, out);
    }

    /// Classifies finished reports in order, each followed by what it emits: the storm
    /// follow-ups it ends, then itself unless a storm folds it.
    fn classify_all(
        &mut self,
        completed: impl IntoIterator<Item = Completed>,
        now_ms: u64,
    ) -> Vec<Classified> {
        let mut classified = Vec::new();
        for report in completed {
            if let Some(report) = self.classify(report, now_ms, &mut classified) {
                classified.push(report);
            }
        }
        classified
    }

    /// Counts and classifies a finished report and offers it to the storm folding: returns
    /// it when it is to be emitted, after appending the follow-ups that ends to `due`.
    fn classify(
        &mut self,
        completed: Completed,
        now_ms: u64,
        due: &mut Vec<Classified>,
    ) -> Option<Classified> {
        let diagnosis = diagnose(&completed.report);
        // A fragment whose lines passed through and that shows no OOM is no report.
        if !shows_an_oom(&completed, &diagnosis) {
            return None;
        }
        if completed.context.group_leader_pid.is_none() {
            self.counters.reports += 1;
        }
        let report = Classified {
            completed,
            diagnosis,
        };
        let emitted = self.storms.offer(report, now_ms, due);
        if emitted.is_none() {
            self.counters.storm_folded += 1;
        }
        emitted
    }

    /// Emits the follow-ups of the storm windows that ended by `now_ms`.
    fn expire_storms(&mut self, now_ms: u64, out: &mut Vec<Emitted>) {
        if self.storms.is_idle() {
            return;
        }
        let mut due = Vec::new();
        self.storms.expire(now_ms, &mut due);
        self.emit_classified(due, out);
    }

    fn emit_classified(&mut self, reports: Vec<Classified>, out: &mut Vec<Emitted>) {
        for report in reports {
            self.counters.events += 1;
            self.counters.records_out += 1;
            let event = render_classified(&report.completed, &report.diagnosis, self.config.schema);
            out.push(Emitted::Event(event));
        }
    }
}

/// What a record that may hold a report line says.
struct RecordLine {
    /// The tag and the stream fields' values.
    stream: String,
    message: String,
    /// The record's host, for the event where the message's own prefix names none.
    host: Option<String>,
    /// What the record's own fields (journald's) prove about its message.
    provenance: Provenance,
}

/// Record fields that name the host, as the shippers write them: Vector (`host`), journald
/// (`_HOSTNAME`), Filebeat and ECS (`host` as an object with `name`), syslog parsers.
const HOST_FIELDS: &[&str] = &["host", "hostname", "_HOSTNAME", "HOSTNAME"];

/// A field's value as text: a string as it is, a number as written, an object by its `name`
/// (ECS `host: {"name": …}`); anything else says nothing.
fn field_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Object(object) => object
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    }
}

/// The assembler caps a configuration asks for.
pub(crate) fn limits(config: &FilterConfig) -> Limits {
    Limits {
        max_report_lines: config.max_report_lines,
        max_report_bytes: config.max_report_bytes,
        max_open_reports: config.max_open_reports,
        keep_raw_lines: config.raw_lines == RawLines::Embed,
        join_continuations: usize::try_from(config.max_line_bytes).ok(),
    }
}

/// The event of a finished report, serialised in `schema`'s shape; `None` for a fragment
/// that shows no OOM (see [`shows_an_oom`]).
pub(crate) fn render_event(completed: &Completed, schema: EventSchema) -> Option<String> {
    let diagnosis = diagnose(&completed.report);
    shows_an_oom(completed, &diagnosis).then(|| render_classified(completed, &diagnosis, schema))
}

/// Whether a finished report is an event: always, but for a fragment (a report opened
/// without its header, whose lines passed through) that shows no OOM: no kill, no end note,
/// no frame of the OOM killer or of `warn_alloc` in its stack, no task-table row
/// (`dump_tasks` prints only inside an OOM report), and figures that do not decide a cause
/// (sysrq-m prints the same Mem-Info with memory to spare).
fn shows_an_oom(completed: &Completed, diagnosis: &Diagnosis) -> bool {
    let report = &completed.report;
    !completed.context.fragment
        || !report.victims.is_empty()
        || report.end_note.is_some()
        || report.task_rows_seen > 0
        || crate::parse::stack_shows_a_report(report)
        || (diagnosis.cause != Cause::Unknown && diagnosis.confidence != Confidence::Low)
}

/// The event for a finished report and its diagnosis, serialised in `schema`'s shape.
fn render_classified(completed: &Completed, diagnosis: &Diagnosis, schema: EventSchema) -> String {
    schema.render(encode_event(
        &completed.context,
        &completed.report,
        diagnosis,
    ))
}

/// The deepest nesting of arrays and objects in JSON text, read without parsing it (strings
/// are skipped, so brackets inside them do not count).
fn nesting_depth(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &byte in json {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A whole memcg OOM report, one kernel line a record; the framing's tests use it too.
    pub(super) const REPORT: &[&str] = &[
        "[ 5.000001] stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "[ 5.000002] memory: usage 204800kB, limit 204800kB, failcnt 26",
        "[ 5.000003] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/app,task_memcg=/app,task=stress,pid=42,uid=0",
        "[ 5.000004] Memory cgroup out of memory: Killed process 42 (stress) total-vm:9000kB, anon-rss:8000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0",
    ];

    fn run(transform: &mut Transform, records: &[String]) -> Vec<Emitted> {
        let mut out = Vec::new();
        for (i, record) in records.iter().enumerate() {
            transform.process(record.as_bytes(), "", i as u64, &mut out);
        }
        out
    }

    fn events(out: &[Emitted]) -> Vec<Value> {
        out.iter()
            .filter_map(|e| match e {
                Emitted::Event(text) => Some(serde_json::from_str(text).unwrap()),
                Emitted::Input => None,
            })
            .collect()
    }

    fn transform() -> Transform {
        Transform::new(FilterConfig::default()).unwrap()
    }

    fn messages(lines: &[&str]) -> Vec<String> {
        lines
            .iter()
            .map(|line| json!({ "message": line }).to_string())
            .collect()
    }

    #[test]
    fn headerless_fragment_below_min_passes_through_and_adds_a_host_event() {
        let records = messages(&[
            "[ 9.000001] Mem-Info:",
            "[ 9.000002] active_anon:900000 inactive_anon:1000 isolated_anon:0 free:11000 free_pcp:0 free_cma:0",
            "[ 9.000003] Node 0 Normal free:40000kB boost:0kB min:45000kB low:56000kB high:67000kB reserved_highatomic:0KB present:4194304kB managed:4000000kB",
        ]);
        let (events, folded) = fragment_events(&records);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["oom"]["cause"], "host_oom");
        assert_eq!(events[0]["oom"]["fragment"], true);
        assert_eq!(events[0]["oom"]["passed_lines"], 3);
        assert_eq!(folded, 0);
    }

    /// The events a headerless fragment's `records` give, after checking that every record
    /// passed through; and how many records were folded.
    fn fragment_events(records: &[String]) -> (Vec<Value>, u64) {
        let mut transform = transform();
        let mut out = run(&mut transform, records);
        transform.finish(&mut out);
        let inputs = out.iter().filter(|e| matches!(e, Emitted::Input)).count();
        assert_eq!(inputs, records.len(), "a fragment's records pass through");
        (events(&out), transform.counters().records_folded)
    }

    #[test]
    fn headerless_task_table_passes_through_and_adds_an_event() {
        // dump_tasks prints only inside an OOM report: the kill line was cut, not the OOM.
        let records = messages(&[
            "[1742446.361087] [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
            "[1742446.361119] [ 1137]     0  1137    32759    18107      68       48             0 systemd-journal",
            "[1742446.361127] [ 1562]     0  1562    97048    10763     101      644             0 rsyslogd",
        ]);
        let (events, _) = fragment_events(&records);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["oom"]["cause"], "unknown");
        assert_eq!(events[0]["oom"]["fragment"], true);
        assert_eq!(events[0]["oom"]["task_rows_seen"], 2);
        // A heading cut before its first row makes no event: the rule counts rows.
        assert!(fragment_events(&records[..1]).0.is_empty());
    }

    #[test]
    fn stack_cut_above_dump_header_passes_through_and_adds_a_memcg_event() {
        let records = messages(&[
            "kernel: Hardware name: innotek GmbH VirtualBox/VirtualBox, BIOS VirtualBox 12/01/2006",
            "kernel: Call Trace:",
            "kernel: dump_stack_lvl+0x34/0x48",
            "kernel: dump_header+0x4a/0x201",
            "kernel: out_of_memory.cold+0xa/0x7e",
            "kernel: mem_cgroup_out_of_memory+0x13a/0x150",
            "kernel: try_charge_memcg+0x6df/0x7a0",
        ]);
        let (events, _) = fragment_events(&records);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["oom"]["cause"], "cgroup_limit");
        assert_eq!(events[0]["oom"]["fragment"], true);
    }

    #[test]
    fn stack_cut_above_warn_alloc_passes_through_and_adds_an_allocation_failure_event() {
        let records = messages(&[
            "[  +0.002349] Hardware name: BCM2711",
            "[  +0.001839]  dump_stack_lvl from warn_alloc+0x110/0x19c",
            "[  +0.001805]  warn_alloc from __alloc_pages+0xe9c/0xfe8",
            "[  +0.001686]  __alloc_pages from __kmalloc_large_node+0x70/0x14c",
        ]);
        let (events, _) = fragment_events(&records);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["oom"]["kind"], "allocation_failure");
        assert_eq!(events[0]["oom"]["cause"], "unknown");
        assert_eq!(events[0]["oom"]["fragment"], true);
    }

    #[test]
    fn panic_on_oom_stack_alone_gives_no_event() {
        // panic() called from out_of_memory: the stack after a report, not a report.
        let records = messages(&[
            "[ 14.326661]  <TASK>",
            "[ 14.326726]  dump_stack_lvl+0x44/0x5c",
            "[ 14.326836]  panic+0x118/0x2f4",
            "[ 14.326919]  out_of_memory.cold+0x67/0x7e",
            "[ 14.327009]  mem_cgroup_out_of_memory+0x134/0x150",
        ]);
        assert!(fragment_events(&records).0.is_empty());
    }

    #[test]
    fn sysrq_show_memory_with_memory_to_spare_gives_no_event() {
        let records = messages(&[
            "[ 9.000000] sysrq: Show Memory",
            "[ 9.000001] Mem-Info:",
            "[ 9.000003] Node 0 Normal free:900000kB min:45000kB low:56000kB high:67000kB present:4194304kB managed:4000000kB",
            "[ 9.000004] Node 0 Normal: 100*4kB (UME) 50*8kB (UME) 20*16kB (M) = 1120kB",
        ]);
        assert!(fragment_events(&records).0.is_empty());
    }

    #[test]
    fn chatter_that_is_not_json_takes_the_fast_path() {
        let mut t = transform();
        let out = run(
            &mut t,
            &["not json at all".to_owned(), "eth0: link up".to_owned()],
        );
        assert_eq!(out, [Emitted::Input, Emitted::Input]);
        // Never parsed, so never counted as an error.
        assert_eq!(t.counters().errors, 0);
    }

    #[test]
    fn report_records_become_one_event_replacing_them() {
        let mut t = transform();
        let records: Vec<String> = REPORT
            .iter()
            .map(|m| json!({ "message": m }).to_string())
            .collect();
        let out = run(&mut t, &records);
        assert_eq!(out.len(), 1, "{out:?}");
        let event = &events(&out)[0];
        assert_eq!(event["oom"]["cause"], "cgroup_limit");
        assert_eq!(event["oom"]["lines"], 4);
        let counters = t.counters();
        assert_eq!(
            (
                counters.records_in,
                counters.records_folded,
                counters.events
            ),
            (4, 4, 1)
        );
    }

    #[test]
    fn event_names_the_record_host_where_the_line_names_none() {
        let mut t = transform();
        let records: Vec<String> = REPORT
            .iter()
            .map(|m| json!({ "MESSAGE": m, "_HOSTNAME": "node-7" }).to_string())
            .collect();
        let event = &events(&run(&mut t, &records))[0];
        assert_eq!(event["host"]["name"], "node-7");
    }

    #[test]
    fn interleaved_hosts_given_as_ecs_objects_are_separate_streams() {
        let mut t = transform();
        let records: Vec<String> = REPORT
            .iter()
            .flat_map(|m| {
                ["a", "b"].map(|h| json!({ "message": m, "host": { "name": h } }).to_string())
            })
            .collect();
        let hosts: Vec<Value> = events(&run(&mut t, &records))
            .iter()
            .map(|e| e["host"]["name"].clone())
            .collect();
        assert_eq!(hosts, ["a", "b"]);
    }

    #[test]
    fn record_longer_than_max_line_bytes_passes_unread() {
        let config = FilterConfig {
            max_line_bytes: 64,
            ..FilterConfig::default()
        };
        let mut t = Transform::new(config).unwrap();
        let out = run(&mut t, &[json!({ "message": REPORT[0] }).to_string()]);
        assert_eq!(out, [Emitted::Input]);
    }

    #[test]
    fn json_that_is_not_an_object_passes_and_counts_an_error() {
        let mut t = transform();
        let out = run(&mut t, &[json!(["invoked oom-killer"]).to_string()]);
        assert_eq!(out, [Emitted::Input]);
        assert_eq!(t.counters().errors, 1);
    }

    #[test]
    fn flush_emits_a_report_idle_for_the_timeout_as_incomplete() {
        let mut t = transform();
        let mut out = Vec::new();
        t.process(
            json!({ "message": REPORT[0] }).to_string().as_bytes(),
            "",
            1_000,
            &mut out,
        );
        t.flush(5_999, &mut out);
        assert!(out.is_empty(), "not yet stale: {out:?}");
        t.flush(6_000, &mut out);
        let event = &events(&out)[0];
        assert_eq!(event["oom"]["complete"], false);
    }

    #[test]
    fn next_flush_ms_is_when_the_oldest_report_falls_due() {
        // The header-only reports would open storm windows, whose ends are due too.
        let config = FilterConfig {
            storm_window_ms: 0,
            ..FilterConfig::default()
        };
        let mut t = Transform::new(config).unwrap();
        let mut out = Vec::new();
        assert_eq!(t.next_flush_ms(), None, "no report open");
        for (host, now_ms) in [("a", 1_000), ("b", 3_000)] {
            let record = json!({ "message": REPORT[0], "host": host }).to_string();
            t.process(record.as_bytes(), "", now_ms, &mut out);
        }
        assert_eq!(t.next_flush_ms(), Some(6_000));
        t.flush(6_000, &mut out);
        assert_eq!(events(&out).len(), 1, "a's report");
        assert_eq!(t.next_flush_ms(), Some(8_000), "b's report is next");
        t.flush(8_000, &mut out);
        assert_eq!(t.next_flush_ms(), None, "both emitted");
    }

    #[test]
    fn finish_emits_every_open_report() {
        let mut t = transform();
        let records: Vec<String> = ["x", "y"]
            .map(|h| json!({ "message": REPORT[0], "host": h }).to_string())
            .to_vec();
        let mut out = run(&mut t, &records);
        assert!(out.is_empty());
        t.finish(&mut out);
        assert_eq!(events(&out).len(), 2);
    }

    /// `logger -t kernel "<line>"` as each transport carries it: journald JSON (and Fluent
    /// Bit's `systemd` namings), a userspace write to /dev/kmsg (facility 1), `dmesg -r`, a
    /// syslog line with a non-kern facility or a pid on the tag.
    fn forgeries(line: &str) -> Vec<String> {
        vec![
            json!({"MESSAGE": line, "_TRANSPORT": "syslog", "SYSLOG_FACILITY": "1",
                   "SYSLOG_IDENTIFIER": "kernel", "_PID": "4242", "_UID": "1000"})
            .to_string(),
            json!({"message": line, "_transport": "stdout", "_pid": "1"}).to_string(),
            json!({"message": line, "TRANSPORT": "kernel", "SYSLOG_FACILITY": "1"}).to_string(),
            json!({"message": line, "transport": "kernel", "pid": "7", "uid": "0"}).to_string(),
            json!({ "message": format!("12,900,5000500,-;{line}") }).to_string(),
            json!({ "message": format!("<12>[    5.000500] {line}") }).to_string(),
            json!({ "message": format!("<13>Jan  1 00:00:05 web1 kernel: {line}") }).to_string(),
            json!({ "message": format!("Jan  1 00:00:05 web1 kernel[4242]: {line}") }).to_string(),
            json!({ "message": format!("user  :warn  : [    5.000500] {line}") }).to_string(),
        ]
    }

    /// The kill line of [`REPORT`] without its stamp.
    fn kill_text() -> &'static str {
        REPORT[3].split_once("] ").unwrap().1
    }

    #[test]
    fn forged_records_alone_give_no_event_and_are_counted() {
        for forged in forgeries(kill_text()) {
            let mut t = transform();
            let out = run(&mut t, std::slice::from_ref(&forged));
            assert_eq!(out, [Emitted::Input], "{forged}");
            t.finish(&mut Vec::new());
            assert_eq!(t.counters().events, 0, "{forged}");
            assert_eq!(t.counters().not_kernel, 1, "{forged}");
        }
    }

    #[test]
    fn forged_records_inside_a_report_leave_its_event_as_it_was() {
        let records: Vec<String> = REPORT
            .iter()
            .map(|m| json!({ "message": m }).to_string())
            .collect();
        let reference = events(&run(&mut transform(), &records));
        for forged in forgeries(kill_text())
            .into_iter()
            .chain(forgeries(REPORT[0].split_once("] ").unwrap().1))
        {
            for at in 0..=records.len() {
                let mut stream = records.clone();
                stream.insert(at, forged.clone());
                let mut t = transform();
                let mut out = run(&mut t, &stream);
                t.finish(&mut out);
                assert_eq!(events(&out), reference, "{forged} at {at}");
                let passed = out.iter().filter(|e| **e == Emitted::Input).count();
                assert_eq!(passed, 1, "the forged record passes through");
            }
        }
    }

    #[test]
    fn provenance_says_whether_every_line_proves_the_kernel() {
        let kmsg: Vec<String> = REPORT
            .iter()
            .enumerate()
            .map(|(seq, m)| {
                let text = m.split_once("] ").unwrap().1;
                json!({ "message": format!("4,{seq},5000000,-;{text}") }).to_string()
            })
            .collect();
        let journald: Vec<String> = REPORT
            .iter()
            .map(|m| {
                json!({"MESSAGE": m, "_TRANSPORT": "kernel", "SYSLOG_FACILITY": "0"}).to_string()
            })
            .collect();
        let plain: Vec<String> = REPORT
            .iter()
            .map(|m| json!({ "message": m }).to_string())
            .collect();
        for (records, provenance) in [
            (&kmsg, "kernel"),
            (&journald, "kernel"),
            (&plain, "unverified"),
        ] {
            let event = &events(&run(&mut transform(), records))[0];
            assert_eq!(event["oom"]["provenance"], provenance);
        }
        // One unverified line is enough to make the report unverified.
        let mut mixed = kmsg.clone();
        mixed[1].clone_from(&plain[1]);
        let event = &events(&run(&mut transform(), &mixed))[0];
        assert_eq!(event["oom"]["provenance"], "unverified");
    }

    #[test]
    fn require_kernel_provenance_passes_unverified_lines_untouched() {
        let config = FilterConfig {
            require_kernel_provenance: true,
            ..FilterConfig::default()
        };
        let plain: Vec<String> = REPORT
            .iter()
            .map(|m| json!({ "message": m }).to_string())
            .collect();
        let mut t = Transform::new(config.clone()).unwrap();
        let mut out = run(&mut t, &plain);
        t.finish(&mut out);
        assert_eq!(out, vec![Emitted::Input; plain.len()]);
        assert_eq!(t.counters().unverified, plain.len() as u64);
        let journald: Vec<String> = REPORT
            .iter()
            .map(|m| json!({"MESSAGE": m, "_TRANSPORT": "kernel"}).to_string())
            .collect();
        let mut t = Transform::new(config).unwrap();
        let event = &events(&run(&mut t, &journald))[0];
        assert_eq!(event["oom"]["provenance"], "kernel");
    }

    /// A memory cgroup OOM that kills nothing (header and counters, no kill line), as a
    /// cgroup with nothing killable prints it again and again; closed by the next header.
    fn no_victim_report(cgroup: &str, host: &str) -> Vec<String> {
        [
            "stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"
                .to_owned(),
            "memory: usage 204800kB, limit 204800kB, failcnt 26".to_owned(),
            format!("Memory cgroup stats for {cgroup}:"),
        ]
        .into_iter()
        .map(|m| json!({ "message": m, "host": host }).to_string())
        .collect()
    }

    /// Runs `reports` through `t`, report `i` at `i * step_ms`, then finishes: the events.
    fn run_reports(t: &mut Transform, reports: &[Vec<String>], step_ms: u64) -> Vec<Value> {
        let mut out = Vec::new();
        for (i, report) in reports.iter().enumerate() {
            for record in report {
                t.process(record.as_bytes(), "", i as u64 * step_ms, &mut out);
            }
        }
        t.finish(&mut out);
        assert!(out.iter().all(|e| *e != Emitted::Input), "{out:?}");
        events(&out)
    }

    #[test]
    fn a_storm_of_reports_without_victim_folds_into_one_follow_up() {
        let mut t = transform();
        let reports = vec![no_victim_report("/app", "h"); 50];
        let events = run_reports(&mut t, &reports, 100);
        assert_eq!(events.len(), 2, "the first report, then one follow-up");
        assert!(events[0]["oom"].get("repeats").is_none());
        assert_eq!(events[1]["oom"]["repeats"], 49);
        let lines: u64 = events
            .iter()
            .map(|e| e["oom"]["lines"].as_u64().unwrap())
            .sum();
        assert_eq!(lines, 150);
        assert_eq!(lines, t.counters().records_folded);
        assert_eq!((t.counters().reports, t.counters().storm_folded), (50, 49));
    }

    #[test]
    fn reports_with_a_victim_are_never_folded() {
        let mut t = transform();
        let report: Vec<String> = REPORT
            .iter()
            .map(|m| json!({ "message": m }).to_string())
            .collect();
        let events = run_reports(&mut t, &vec![report; 20], 1);
        assert_eq!(events.len(), 20);
        assert_eq!(t.counters().storm_folded, 0);
    }

    #[test]
    fn each_storm_window_gets_one_follow_up() {
        let config = FilterConfig {
            storm_window_ms: 1_000,
            ..FilterConfig::default()
        };
        let mut t = Transform::new(config).unwrap();
        // 30 reports 100 ms apart: 3 s of storm, windows of 1 s.
        let events = run_reports(&mut t, &vec![no_victim_report("/app", "h"); 30], 100);
        let repeats: Vec<Option<u64>> = events
            .iter()
            .map(|e| e["oom"]["repeats"].as_u64())
            .collect();
        assert_eq!(repeats[0], None);
        assert!(repeats[1..].iter().all(Option::is_some), "{repeats:?}");
        assert!((3..=4).contains(&events.len()), "{repeats:?}");
        let folded: u64 = repeats.iter().flatten().sum();
        assert_eq!(folded + 1, 30);
    }

    #[test]
    fn different_cgroups_and_hosts_are_different_storms() {
        let mut t = transform();
        let reports = [
            no_victim_report("/a", "h"),
            no_victim_report("/b", "h"),
            no_victim_report("/a", "other"),
            no_victim_report("/a", "h"),
        ];
        let events = run_reports(&mut t, &reports, 1);
        assert_eq!(events.len(), 4, "three firsts and one follow-up");
        assert_eq!(events[3]["oom"]["repeats"], 1);
    }

    #[test]
    fn max_storm_keys_bounds_what_is_remembered() {
        let config = FilterConfig {
            max_storm_keys: 2,
            ..FilterConfig::default()
        };
        let mut t = Transform::new(config).unwrap();
        let mut reports = Vec::new();
        for round in 0..3 {
            for cgroup in ["/a", "/b", "/c"] {
                let _ = round;
                reports.push(no_victim_report(cgroup, "h"));
            }
        }
        let events = run_reports(&mut t, &reports, 1);
        // With room for two identities, each of three evicts another before it repeats.
        assert_eq!(events.len(), 9);
        assert_eq!(t.counters().storm_folded, 0);
        let lines: u64 = events
            .iter()
            .map(|e| e["oom"]["lines"].as_u64().unwrap())
            .sum();
        assert_eq!(lines, t.counters().records_folded);
    }

    #[test]
    fn a_storm_follow_up_falls_due_for_flush() {
        let mut t = transform();
        let mut out = Vec::new();
        for (i, report) in vec![no_victim_report("/app", "h"); 3].iter().enumerate() {
            for record in report {
                t.process(record.as_bytes(), "", 1_000 + i as u64, &mut out);
            }
        }
        t.flush(1_002 + 5_000, &mut out);
        assert_eq!(events(&out).len(), 1, "the first report");
        let due = t.next_flush_ms().unwrap();
        assert!(due <= 1_000 + 60_000 + 5_000, "{due}");
        t.flush(due, &mut out);
        let all = events(&out);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[1]["oom"]["repeats"], 2);
    }

    #[test]
    fn storm_window_ms_zero_folds_nothing() {
        let config = FilterConfig {
            storm_window_ms: 0,
            ..FilterConfig::default()
        };
        let mut t = Transform::new(config).unwrap();
        let events = run_reports(&mut t, &vec![no_victim_report("/app", "h"); 5], 1);
        assert_eq!(events.len(), 5);
    }

    #[test]
    fn nesting_depth_skips_brackets_inside_strings() {
        assert_eq!(nesting_depth(br#"{"a":"[[[[{{{{","b":[1,[2]]}"#), 3);
        assert_eq!(nesting_depth(br#"{"a":"\"[["}"#), 1);
    }
}
