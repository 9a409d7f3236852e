//! Where events are encoded: a parsed, classified report becomes one JSON object with nested
//! fields in the style of Elastic Common Schema (`process.*`, `host.*`, `container.*`, `oom.*`).
//!
//! `schema/oom-event.schema.json` documents every field. The choices it rests on:
//! - Unknown values are left out, never written as `null`; so are empty strings, arrays and
//!   objects. Always present: `message` (even empty), `ecs.version`, `event.*` but
//!   `event.original`, `oom.cause`, `oom.confidence`, `oom.complete` and `oom.kind`.
//! - Memory figures are converted to bytes (`_bytes`) unless their name says otherwise
//!   (`_pages`, `_kb`), and every integer is capped at `i64::MAX` so the event indexes into
//!   signed 64-bit fields (Elasticsearch `long`); unlimited cgroup counters say
//!   `unlimited: true` instead of a limit.
//! - The victim's uid is `process.user.id` only: the top-level `user.*` of ECS describes who
//!   acted, and here nobody did.
//! - The report's raw lines, when embedded, are `event.original`, joined by `\n`.
//! - A prefix time without a UTC offset is taken as UTC (see [`time::rfc3339_utc`]).

pub mod container;
pub mod otel;
pub mod time;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::assemble::{Repeats, ReportContext};
use crate::classify::{allocation_reserve_kb, Diagnosis};
use crate::prefix::WallTime;
use crate::report::{
    BuddyOrder, HugepagePool, MemcgSection, MemcgStats, NodeState, OomReport, OomSummary,
    PageCounter, ReaperResult, ReportKind, SlabCache, TaskRow, Victim, ZoneState,
};

/// The ECS version whose field names the event follows.
pub const ECS_VERSION: &str = "8.11.0";

/// At most this many call-trace frames go into `oom.call_trace`: the innermost frames say
/// which path failed; the rest is the caller's business.
pub const CALL_TRACE_FRAMES_KEPT: usize = 32;

/// The largest integer written: `i64::MAX`, the top of Elasticsearch's `long`.
const LARGEST_INTEGER: u64 = u64::MAX >> 1;

/// Page size assumed when the report does not tell (no buddy list): x86's 4 kB.
const DEFAULT_PAGE_KB: u64 = 4;

/// The event for one OOM kill or allocation failure, as a JSON object.
///
/// Always holds `message`, `ecs.version`, `event.*`, `oom.cause`, `oom.confidence`,
/// `oom.complete` and `oom.kind`; every other field only when the inputs know it.
pub fn encode_event(
    context: &ReportContext,
    report: &OomReport,
    diagnosis: &Diagnosis,
) -> Map<String, Value> {
    let limiting = limiting_cgroup(report, diagnosis);
    let event = Fields::default()
        .with(
            "@timestamp",
            context.wall_time.as_ref().and_then(time::rfc3339_utc),
        )
        .with("ecs", Fields::default().with("version", ECS_VERSION))
        .with("event", event_fields(context, report, diagnosis))
        .with("host", host_fields(context))
        .with(
            "process",
            report.victims.first().map(|v| process_fields(v, report)),
        );
    let mut event = identity_fields(event, report, limiting)
        .with("oom", oom_fields(context, report, diagnosis, limiting))
        .0;
    let message = match &context.repeats {
        Some(repeats) => format!(
            "{} (repeated: {} reports like it folded into this event)",
            diagnosis.explanation, repeats.reports
        ),
        None => diagnosis.explanation.clone(),
    };
    event.insert("message".to_owned(), Value::from(message));
    event
}

/// The shape events are written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSchema {
    /// Nested fields in the style of Elastic Common Schema (default).
    #[default]
    Ecs,
    /// The OpenTelemetry log data model as OTLP/JSON (see [`otel`]).
    Otel,
}

impl EventSchema {
    /// The event, built by [`encode_event`], as one line of JSON text in this shape.
    pub fn render(self, event: Map<String, Value>) -> String {
        match self {
            EventSchema::Ecs => Value::Object(event).to_string(),
            EventSchema::Otel => otel::otel_request(&event).to_string(),
        }
    }
}

/// A JSON object under construction that takes only known values: `null`, empty strings,
/// empty arrays and empty objects are never inserted.
#[derive(Debug, Default)]
struct Fields(Map<String, Value>);

impl Fields {
    /// Adds `key` when `value` is known.
    fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        let known = match &value {
            Value::Null => false,
            Value::String(text) => !text.is_empty(),
            Value::Array(items) => !items.is_empty(),
            Value::Object(fields) => !fields.is_empty(),
            Value::Bool(_) | Value::Number(_) => true,
        };
        if known {
            self.0.insert(key.to_owned(), value);
        }
        self
    }
}

impl From<Fields> for Value {
    fn from(fields: Fields) -> Value {
        Value::Object(fields.0)
    }
}

/// `n` capped at `i64::MAX`.
fn long(n: u64) -> u64 {
    n.min(LARGEST_INTEGER)
}

/// Kibibytes as bytes, saturating (a 3.x kernel's unlimited 18014398509481983kB would not fit
/// a `long`).
fn kb_bytes(kb: u64) -> u64 {
    long(kb.saturating_mul(1024))
}

/// Pages of `page_kb` kibibytes as bytes, saturating.
fn pages_bytes(pages: u64, page_kb: u64) -> u64 {
    kb_bytes(pages.saturating_mul(page_kb))
}

/// A value's serde form: the one spelling the crate's types define (`cgroup_limit`,
/// `oom_kill`). Derived `Serialize` into a `Value` cannot fail; were it to, `null` is left out.
fn serde_form(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// `path` when it names something (not empty).
fn non_empty(path: Option<&String>) -> Option<&str> {
    path.map(String::as_str).filter(|p| !p.is_empty())
}

/// The cgroup whose limit was hit: the classifier's verdict, else the summary's `oom_memcg`,
/// else `limit of <path>` (except Alibaba's literal `host`, which is no cgroup), else
/// `Memory limit reached of cgroup <path>`.
pub(crate) fn limiting_cgroup<'a>(
    report: &'a OomReport,
    diagnosis: &'a Diagnosis,
) -> Option<&'a str> {
    let summary = report.summary.as_ref();
    non_empty(diagnosis.limiting_cgroup.as_ref())
        .or_else(|| non_empty(summary.and_then(|s| s.oom_memcg.as_ref())))
        .or_else(|| non_empty(report.memcg.limit_cgroup.as_ref()).filter(|p| *p != "host"))
        .or_else(|| non_empty(report.memcg.limit_reached_cgroup.as_ref()))
}

/// The victim's memory cgroup as printed: the summary's `task_memcg`, else `Task in <path>`.
fn task_cgroup(report: &OomReport) -> Option<&str> {
    non_empty(report.summary.as_ref().and_then(|s| s.task_memcg.as_ref()))
        .or_else(|| non_empty(report.memcg.task_cgroup.as_ref()))
}

/// The deepest cgroup with a stats dump (the last of equally deep ones): v1 kernels dump the
/// whole OOM subtree, whose deepest member is nearest the victim.
fn deepest_stats_cgroup(memcg: &MemcgSection) -> Option<&str> {
    memcg
        .stats
        .iter()
        .map(|stats| stats.cgroup.as_str())
        .filter(|path| !path.is_empty())
        .max_by_key(|path| path.split('/').filter(|s| !s.is_empty()).count())
}

fn event_fields(context: &ReportContext, report: &OomReport, diagnosis: &Diagnosis) -> Fields {
    let action = match report.kind {
        ReportKind::OomKill => "oom-kill",
        ReportKind::AllocationFailure => "page-allocation-failure",
    };
    Fields::default()
        .with("kind", "event")
        .with("category", vec!["host"])
        .with("type", vec!["info"])
        .with("action", action)
        .with("dataset", "oomlens.oom")
        .with("module", "oomlens")
        .with("reason", serde_form(&diagnosis.cause))
        .with("original", context.raw_lines.join("\n"))
}

/// ECS types `host.uptime` as `long`: whole seconds (truncated); the fraction the prefix
/// printed is kept in `oom.uptime_seconds`.
fn host_fields(context: &ReportContext) -> Fields {
    Fields::default()
        .with("name", context.host.clone())
        .with("uptime", uptime_s(context).map(|s| s as u64))
}

/// The uptime the prefix gave, when it is a possible one.
fn uptime_s(context: &ReportContext) -> Option<f64> {
    context.uptime_s.filter(|s| s.is_finite() && *s >= 0.0)
}

/// `process.*` for the first victim. Its uid falls back to the summary's when the summary
/// names the same pid.
fn process_fields(victim: &Victim, report: &OomReport) -> Fields {
    let summary_uid = report
        .summary
        .as_ref()
        .filter(|s| s.pid == Some(victim.pid))
        .and_then(|s| s.uid);
    let uid = victim.uid.or(summary_uid);
    Fields::default()
        .with("pid", victim.pid)
        .with("name", victim.comm.as_str())
        .with(
            "user",
            Fields::default().with("id", uid.map(|u| u.to_string())),
        )
}

/// Adds `container.*` from the victim's cgroup (its `task_memcg`, else `Task in`, else the
/// deepest stats dump, else the limiting cgroup), and `orchestrator.type` with
/// `kubernetes.pod.*` from the pod that path names, else the pod the limiting cgroup names.
fn identity_fields(event: Fields, report: &OomReport, limiting: Option<&str>) -> Fields {
    let victim_path = task_cgroup(report)
        .or_else(|| deepest_stats_cgroup(&report.memcg))
        .or(limiting);
    let identity = victim_path.and_then(container::identify);
    let pod = identity
        .as_ref()
        .and_then(|i| i.pod.clone())
        .or_else(|| limiting.and_then(container::identify).and_then(|i| i.pod));
    let container = identity.map(|identity| {
        Fields::default()
            .with("id", identity.id)
            .with("runtime", identity.runtime.map(container::Runtime::as_str))
    });
    let (orchestrator, kubernetes) = match pod {
        Some(pod) => (
            Some(Fields::default().with("type", "kubernetes")),
            Some(
                Fields::default().with(
                    "pod",
                    Fields::default()
                        .with("uid", pod.uid)
                        .with("qos_class", pod.qos_class.as_str()),
                ),
            ),
        ),
        None => (None, None),
    };
    event
        .with("container", container)
        .with("orchestrator", orchestrator)
        .with("kubernetes", kubernetes)
}

fn oom_fields(
    context: &ReportContext,
    report: &OomReport,
    diagnosis: &Diagnosis,
    limiting: Option<&str>,
) -> Fields {
    let page_kb = report
        .meminfo
        .page_size_kb
        .filter(|kb| *kb > 0)
        .unwrap_or(DEFAULT_PAGE_KB);
    let summary = report.summary.as_ref();
    let victim = report.victims.first();
    let factors: Vec<Value> = diagnosis.factors.iter().map(without_nulls).collect();
    let remediation: Vec<Value> = diagnosis.remediation.iter().map(without_nulls).collect();
    let cgroup = Fields::default()
        .with("limiting", limiting)
        .with("task", task_cgroup(report))
        .with("version", diagnosis.cgroup_version);
    let victims: Vec<Fields> = if report.victims.len() > 1 {
        report.victims.iter().map(victim_fields).collect()
    } else {
        Vec::new()
    };
    let selected = report
        .selected
        .as_ref()
        .filter(|s| victim.is_none_or(|v| v.pid != s.pid))
        .map(|s| {
            Fields::default()
                .with("pid", s.pid)
                .with("comm", s.comm.as_str())
                .with("score", s.score.map(long))
        });
    let kernel = Fields::default()
        .with("release", report.kernel.release.clone())
        .with("hardware", report.kernel.hardware.clone())
        .with("tainted", report.kernel.tainted.clone())
        .with("cpu", report.kernel.cpu);
    let call_trace: Vec<&str> = report
        .call_trace
        .iter()
        .take(CALL_TRACE_FRAMES_KEPT)
        .map(String::as_str)
        .collect();
    Fields::default()
        .with("cause", serde_form(&diagnosis.cause))
        .with("confidence", serde_form(&diagnosis.confidence))
        .with("evidence", diagnosis.evidence.clone())
        .with("factors", factors)
        .with("remediation", remediation)
        .with("exhausted_nodes", diagnosis.exhausted_nodes.clone())
        .with("complete", context.complete)
        .with("truncated_by", context.truncated_by)
        .with("lines", (context.lines > 0).then(|| long(context.lines)))
        .with("fragment", context.fragment.then_some(true))
        .with(
            "passed_lines",
            (context.passed_lines > 0).then(|| long(context.passed_lines)),
        )
        .with("uptime_seconds", uptime_s(context))
        .with("provenance", context.provenance.as_str())
        .with("repeats", context.repeats.as_ref().map(|r| long(r.reports)))
        .with(
            "first_timestamp",
            repeats_time(context, |r| r.first_wall_time),
        )
        .with(
            "last_timestamp",
            repeats_time(context, |r| r.last_wall_time),
        )
        .with(
            "first_uptime",
            repeats_uptime(context, |r| r.first_uptime_s),
        )
        .with("last_uptime", repeats_uptime(context, |r| r.last_uptime_s))
        .with("kind", serde_form(&report.kind))
        .with("kill_message", report.kill_message.clone())
        .with("end_note", report.end_note.as_ref().map(serde_form))
        .with("panicked", report.panicked.then_some(true))
        .with("sysrq", report.sysrq.then_some(true))
        .with(
            "headers_suppressed",
            (report.headers_suppressed > 0).then(|| long(report.headers_suppressed)),
        )
        .with("trigger", trigger_fields(report))
        .with("constraint", summary.and_then(|s| s.constraint.clone()))
        .with("global_oom", summary.map(|s| s.global_oom))
        .with("cgroup", cgroup)
        .with("memcg", memcg_fields(&report.memcg))
        .with("memory", memory_fields(report, page_kb))
        .with("victim", victim.map(victim_fields))
        .with("victims", victims)
        .with("selected", selected)
        .with("oom_group", report.oom_group.clone())
        .with(
            "reaper",
            report.reaper.iter().map(reaper_fields).collect::<Vec<_>>(),
        )
        .with("group_leader_pid", context.group_leader_pid)
        .with(
            "tasks",
            report
                .tasks
                .iter()
                .map(|row| task_fields(row, page_kb))
                .collect::<Vec<_>>(),
        )
        .with(
            "task_rows_seen",
            (report.task_rows_seen > 0).then(|| long(report.task_rows_seen)),
        )
        .with("kernel", kernel)
        .with("call_trace", call_trace)
}

/// A storm follow-up's first or last folded report's time, RFC 3339 UTC, where known.
fn repeats_time(context: &ReportContext, pick: fn(&Repeats) -> Option<WallTime>) -> Option<String> {
    let wall = context.repeats.as_ref().and_then(pick)?;
    time::rfc3339_utc(&wall)
}

/// A storm follow-up's first or last folded report's uptime in seconds, where known.
fn repeats_uptime(context: &ReportContext, pick: fn(&Repeats) -> Option<f64>) -> Option<f64> {
    context
        .repeats
        .as_ref()
        .and_then(pick)
        .filter(|s| *s >= 0.0 && s.is_finite())
}

/// A struct's serde form with its `null` members left out (a factor's unknown node).
fn without_nulls(value: &impl Serialize) -> Value {
    let mut value = serde_form(value);
    if let Value::Object(fields) = &mut value {
        fields.retain(|_, member| !member.is_null());
    }
    value
}

/// The header's figures, with the summary's nodemask, cpuset and mems_allowed standing in on
/// kernels (≥ 5.0) whose header no longer prints them.
fn trigger_fields(report: &OomReport) -> Fields {
    let trigger = &report.trigger;
    let summary = report.summary.as_ref();
    let from_summary = |pick: fn(&OomSummary) -> Option<&String>| summary.and_then(pick).cloned();
    Fields::default()
        .with("comm", trigger.comm.clone())
        .with("pid", trigger.pid)
        .with("gfp_mask", trigger.gfp_mask.clone())
        .with("gfp_flags", trigger.gfp_flags.clone())
        .with("order", trigger.order)
        .with("oom_score_adj", trigger.oom_score_adj)
        .with(
            "nodemask",
            trigger
                .nodemask
                .clone()
                .or_else(|| from_summary(|s| s.nodemask.as_ref())),
        )
        .with(
            "cpuset",
            trigger
                .cpuset
                .clone()
                .or_else(|| from_summary(|s| s.cpuset.as_ref())),
        )
        .with(
            "mems_allowed",
            trigger
                .mems_allowed
                .clone()
                .or_else(|| from_summary(|s| s.mems_allowed.as_ref())),
        )
}

fn memcg_fields(memcg: &MemcgSection) -> Fields {
    Fields::default()
        .with("memory", memcg.memory.as_ref().map(counter_fields))
        .with(
            "memory_swap",
            memcg.memory_swap.as_ref().map(counter_fields),
        )
        .with("kmem", memcg.kmem.as_ref().map(counter_fields))
        .with("swap", memcg.swap.as_ref().map(counter_fields))
        .with("stats", memcg.stats.last().map(stats_fields))
}

/// A page counter in bytes; an unlimited one has `unlimited: true` and no `limit_bytes`.
fn counter_fields(counter: &PageCounter) -> Fields {
    let fields = Fields::default()
        .with("usage_bytes", kb_bytes(counter.usage_kb))
        .with("failcnt", long(counter.failcnt));
    if counter.is_unlimited() {
        fields.with("unlimited", true)
    } else {
        fields.with("limit_bytes", kb_bytes(counter.limit_kb))
    }
}

fn stats_fields(stats: &MemcgStats) -> Fields {
    let values: Map<String, Value> = stats
        .values_bytes
        .iter()
        .map(|(key, value)| (key.clone(), Value::from(long(*value))))
        .collect();
    Fields::default()
        .with("cgroup", stats.cgroup.as_str())
        .with("values", values)
}

fn memory_fields(report: &OomReport, page_kb: u64) -> Fields {
    let meminfo = &report.meminfo;
    let counters: Map<String, Value> = meminfo
        .counters_pages
        .iter()
        .map(|(key, pages)| (key.clone(), Value::from(long(*pages))))
        .collect();
    let swap = Fields::default()
        .with("free_bytes", meminfo.swap_free_kb.map(kb_bytes))
        .with("total_bytes", meminfo.swap_total_kb.map(kb_bytes));
    let to_bytes = |pages: Option<u64>| pages.map(|p| pages_bytes(p, page_kb));
    Fields::default()
        .with(
            "zones",
            meminfo
                .zones
                .iter()
                .zip(allocation_reserve_kb(report))
                .map(|(zone, reserve_kb)| zone_fields(zone, reserve_kb))
                .collect::<Vec<_>>(),
        )
        .with(
            "nodes",
            meminfo.nodes.iter().map(node_fields).collect::<Vec<_>>(),
        )
        .with(
            "hugepages",
            meminfo
                .hugepages
                .iter()
                .map(hugepage_fields)
                .collect::<Vec<_>>(),
        )
        .with("swap", swap)
        .with("ram_bytes", to_bytes(meminfo.ram_pages))
        .with("reserved_bytes", to_bytes(meminfo.reserved_pages))
        .with("pagecache_bytes", to_bytes(meminfo.pagecache_pages))
        .with("swap_cache_bytes", to_bytes(meminfo.swap_cache_pages))
        .with("counters_pages", counters)
        .with(
            "unreclaimable_slab",
            report
                .unreclaimable_slab
                .iter()
                .map(slab_fields)
                .collect::<Vec<_>>(),
        )
        .with(
            "compaction_disabled",
            report.compaction_disabled.then_some(true),
        )
}

fn zone_fields(zone: &ZoneState, allocation_reserve_kb: Option<u64>) -> Fields {
    let watermarks = zone.watermarks.as_ref();
    let free_blocks: Vec<Fields> = zone
        .buddy
        .iter()
        .flat_map(|buddy| &buddy.orders)
        .map(block_fields)
        .collect();
    let reserve: Vec<u64> = zone.lowmem_reserve_pages.iter().map(|p| long(*p)).collect();
    Fields::default()
        .with("node", zone.node)
        .with("zone", zone.zone.as_str())
        .with("free_bytes", watermarks.map(|w| kb_bytes(w.free_kb)))
        .with("min_bytes", watermarks.map(|w| kb_bytes(w.min_kb)))
        .with("low_bytes", watermarks.map(|w| kb_bytes(w.low_kb)))
        .with("high_bytes", watermarks.map(|w| kb_bytes(w.high_kb)))
        .with("present_bytes", zone.present_kb.map(kb_bytes))
        .with("managed_bytes", zone.managed_kb.map(kb_bytes))
        .with("free_cma_bytes", zone.free_cma_kb.map(kb_bytes))
        .with(
            "reserved_highatomic_bytes",
            zone.reserved_highatomic_kb.map(kb_bytes),
        )
        .with("lowmem_reserve_pages", reserve)
        .with(
            "allocation_reserve_bytes",
            allocation_reserve_kb.map(kb_bytes),
        )
        .with("free_blocks", free_blocks)
}

fn block_fields(order: &BuddyOrder) -> Fields {
    Fields::default()
        .with("block_kb", long(order.block_kb))
        .with("count", long(order.count))
        .with("types", order.migrate_types.as_str())
}

fn node_fields(node: &NodeState) -> Fields {
    Fields::default()
        .with("node", node.node)
        .with("all_unreclaimable", node.all_unreclaimable)
}

fn hugepage_fields(pool: &HugepagePool) -> Fields {
    Fields::default()
        .with("node", pool.node)
        .with("size_bytes", kb_bytes(pool.size_kb))
        .with("total_pages", long(pool.total))
        .with("free_pages", long(pool.free))
        .with("surplus_pages", long(pool.surplus))
}

fn slab_fields(cache: &SlabCache) -> Fields {
    Fields::default()
        .with("name", cache.name.as_str())
        .with("used_bytes", kb_bytes(cache.used_kb))
        .with("total_bytes", kb_bytes(cache.total_kb))
}

fn victim_fields(victim: &Victim) -> Fields {
    Fields::default()
        .with("pid", victim.pid)
        .with("comm", victim.comm.as_str())
        .with("total_vm_bytes", victim.total_vm_kb.map(kb_bytes))
        .with("anon_rss_bytes", victim.anon_rss_kb.map(kb_bytes))
        .with("file_rss_bytes", victim.file_rss_kb.map(kb_bytes))
        .with("shmem_rss_bytes", victim.shmem_rss_kb.map(kb_bytes))
        .with("pgtables_bytes", victim.pgtables_kb.map(kb_bytes))
        .with("uid", victim.uid)
        .with("oom_score_adj", victim.oom_score_adj)
        .with("source", serde_form(&victim.source))
}

fn reaper_fields(result: &ReaperResult) -> Fields {
    Fields::default()
        .with("pid", result.pid)
        .with("comm", result.comm.as_str())
        .with("reaped", result.reaped)
        .with("anon_rss_bytes", result.anon_rss_kb.map(kb_bytes))
        .with("file_rss_bytes", result.file_rss_kb.map(kb_bytes))
        .with("shmem_rss_bytes", result.shmem_rss_kb.map(kb_bytes))
}

fn task_fields(row: &TaskRow, page_kb: u64) -> Fields {
    let to_bytes = |pages: Option<u64>| pages.map(|p| pages_bytes(p, page_kb));
    Fields::default()
        .with("pid", row.pid)
        .with("uid", row.uid)
        .with("tgid", row.tgid)
        .with("name", row.name.as_str())
        .with("rss_bytes", pages_bytes(row.rss_pages, page_kb))
        .with("rss_anon_bytes", to_bytes(row.rss_anon_pages))
        .with("rss_file_bytes", to_bytes(row.rss_file_pages))
        .with("rss_shmem_bytes", to_bytes(row.rss_shmem_pages))
        .with("total_vm_bytes", pages_bytes(row.total_vm_pages, page_kb))
        .with("swap_bytes", to_bytes(row.swapents_pages))
        .with("pgtables_bytes", row.pgtables_bytes.map(long))
        .with("oom_score_adj", row.oom_score_adj)
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    use super::*;
    use crate::classify::{Cause, Confidence, Factor, Remediation};
    use crate::prefix::WallTime;
    use crate::report::{
        BuddyList, KernelInfo, MemInfo, SelectedTask, Trigger, VictimSource, ZoneWatermarks,
    };

    const SCHEMA: &str = include_str!("../../schema/oom-event.schema.json");

    const POD_SLICE: &str = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice";
    const CONTAINER_ID: &str = "25a38b5b8d556d7983d975577f5ac75ebbcfb4b269e6deaa0a0440c1ffc969ca";

    fn diagnosis(cause: Cause) -> Diagnosis {
        Diagnosis {
            cause,
            confidence: Confidence::Low,
            explanation: String::new(),
            evidence: Vec::new(),
            factors: Vec::new(),
            remediation: Vec::new(),
            limiting_cgroup: None,
            exhausted_nodes: Vec::new(),
            cgroup_version: None,
        }
    }

    fn counter(usage_kb: u64, limit_kb: u64, failcnt: u64) -> PageCounter {
        PageCounter {
            usage_kb,
            limit_kb,
            failcnt,
        }
    }

    fn encode(context: &ReportContext, report: &OomReport, diagnosis: &Diagnosis) -> Value {
        Value::Object(encode_event(context, report, diagnosis))
    }

    /// A cgroup v2 pod-level OOM on an AKS node, after corpus 017.
    fn memcg_case() -> (ReportContext, OomReport, Diagnosis) {
        let task_memcg = format!("{POD_SLICE}/cri-containerd-{CONTAINER_ID}.scope");
        let context = ReportContext {
            host: Some("aks-nodepool1-26263443-vmss000000".to_owned()),
            wall_time: Some(WallTime {
                year: Some(2023),
                month: 8,
                day: 1,
                hour: 10,
                minute: 0,
                second: 5,
                nanosecond: 500_000_000,
                utc_offset_minutes: None,
            }),
            uptime_s: Some(8523.347299),
            lines: 61,
            complete: true,
            truncated_by: None,
            raw_lines: Vec::new(),
            group_leader_pid: None,
            provenance: crate::prefix::Provenance::Kernel,
            ..ReportContext::default()
        };
        let report = OomReport {
            kind: ReportKind::OomKill,
            trigger: Trigger {
                comm: Some("stress-ng-vm".to_owned()),
                pid: Some(183_960),
                gfp_mask: Some("0xcc0".to_owned()),
                gfp_flags: vec!["GFP_KERNEL".to_owned()],
                order: Some(0),
                oom_score_adj: Some(939),
                nodemask: None,
                cpuset: None,
                mems_allowed: None,
            },
            kernel: KernelInfo {
                release: Some("5.15.0-1041-azure".to_owned()),
                hardware: Some("Microsoft Corporation Virtual Machine/Virtual Machine".to_owned()),
                tainted: None,
                cpu: Some(1),
            },
            call_trace: vec![
                "dump_stack_lvl".to_owned(),
                "dump_header".to_owned(),
                "oom_kill_process.cold".to_owned(),
                "out_of_memory".to_owned(),
                "mem_cgroup_out_of_memory".to_owned(),
            ],
            summary: Some(OomSummary {
                constraint: Some("CONSTRAINT_MEMCG".to_owned()),
                nodemask: Some("(null)".to_owned()),
                cpuset: Some(format!("cri-containerd-{CONTAINER_ID}.scope")),
                mems_allowed: Some("0".to_owned()),
                oom_memcg: Some(POD_SLICE.to_owned()),
                global_oom: false,
                task_memcg: Some(task_memcg),
                task: Some("stress-ng-vm".to_owned()),
                pid: Some(183_960),
                uid: Some(0),
                truncated: false,
            }),
            memcg: MemcgSection {
                memory: Some(counter(102_400, 102_400, 3_113)),
                swap: Some(counter(0, 9_007_199_254_740_988, 0)),
                stats: vec![MemcgStats {
                    cgroup: POD_SLICE.to_owned(),
                    values_bytes: vec![
                        ("anon".to_owned(), 98_742_272),
                        ("file".to_owned(), 4_096),
                        ("pgfault".to_owned(), 123_456),
                    ],
                }],
                ..MemcgSection::default()
            },
            tasks: vec![TaskRow {
                pid: 183_960,
                uid: 0,
                tgid: 183_960,
                total_vm_pages: 15_999,
                rss_pages: 327,
                pgtables_bytes: Some(94_208),
                swapents_pages: Some(0),
                oom_score_adj: 939,
                name: "stress-ng-vm".to_owned(),
                ..TaskRow::default()
            }],
            task_rows_seen: 4,
            kill_message: Some("Memory cgroup out of memory".to_owned()),
            victims: vec![Victim {
                pid: 183_960,
                comm: "stress-ng-vm".to_owned(),
                total_vm_kb: Some(63_996),
                anon_rss_kb: Some(1_308),
                file_rss_kb: Some(0),
                shmem_rss_kb: Some(0),
                uid: Some(0),
                pgtables_kb: Some(92),
                oom_score_adj: Some(939),
                source: VictimSource::Killed,
            }],
            ..OomReport::default()
        };
        let diagnosis = Diagnosis {
            cause: Cause::ParentCgroupLimit,
            confidence: Confidence::High,
            explanation: "The pod's memory cgroup hit its 100 MiB limit.".to_owned(),
            evidence: vec![format!(
                "oom_memcg={POD_SLICE} is an ancestor of task_memcg"
            )],
            factors: vec![Factor::KubernetesPodLimit {
                pod_cgroup: POD_SLICE.to_owned(),
            }],
            remediation: vec![Remediation {
                action: "Raise the pod's memory limit.".to_owned(),
                command: Some(format!("cat /sys/fs/cgroup{POD_SLICE}/memory.max")),
            }],
            limiting_cgroup: Some(POD_SLICE.to_owned()),
            exhausted_nodes: Vec::new(),
            cgroup_version: Some("v2"),
        };
        (context, report, diagnosis)
    }

    fn zone(node: u32, name: &str, free_min_low_high: [u64; 4]) -> ZoneState {
        let [free_kb, min_kb, low_kb, high_kb] = free_min_low_high;
        ZoneState {
            node: Some(node),
            zone: name.to_owned(),
            watermarks: Some(ZoneWatermarks {
                free_kb,
                min_kb,
                low_kb,
                high_kb,
            }),
            present_kb: Some(3_129_216),
            managed_kb: Some(3_063_616),
            free_cma_kb: None,
            reserved_highatomic_kb: None,
            boost_kb: None,
            lowmem_reserve_pages: vec![0, 0, 12_828, 12_828],
            buddy: None,
            all_unreclaimable: None,
        }
    }

    /// A 4.19 global OOM with zones, after the seed document's host example.
    fn host_case() -> (ReportContext, OomReport, Diagnosis) {
        let context = ReportContext {
            host: None,
            wall_time: Some(WallTime {
                year: Some(2021),
                month: 9,
                day: 11,
                hour: 21,
                minute: 24,
                second: 42,
                nanosecond: 0,
                utc_offset_minutes: Some(9 * 60),
            }),
            uptime_s: None,
            lines: 120,
            complete: true,
            ..ReportContext::default()
        };
        let mut normal = zone(0, "Normal", [46_592, 46_712, 58_388, 70_064]);
        normal.buddy = Some(BuddyList {
            orders: vec![
                BuddyOrder {
                    block_kb: 4,
                    count: 1_325,
                    migrate_types: "UME".to_owned(),
                },
                BuddyOrder {
                    block_kb: 8,
                    count: 0,
                    migrate_types: String::new(),
                },
            ],
            total_kb: Some(5_300),
        });
        let report = OomReport {
            trigger: Trigger {
                comm: Some("test".to_owned()),
                pid: Some(29_748),
                gfp_mask: Some("0x6280ca".to_owned()),
                gfp_flags: vec!["GFP_HIGHUSER_MOVABLE".to_owned(), "__GFP_ZERO".to_owned()],
                order: Some(0),
                oom_score_adj: Some(0),
                nodemask: Some("(null)".to_owned()),
                cpuset: Some("mm_cpuset".to_owned()),
                mems_allowed: Some("1".to_owned()),
            },
            kernel: KernelInfo {
                release: Some("4.19.91-24.1.al7.x86_64".to_owned()),
                hardware: None,
                tainted: Some("G           OE".to_owned()),
                cpu: Some(1),
            },
            memcg: MemcgSection {
                task_cgroup: Some("/".to_owned()),
                limit_cgroup: Some("host".to_owned()),
                ..MemcgSection::default()
            },
            meminfo: MemInfo {
                present: true,
                counters_pages: vec![
                    ("active_anon".to_owned(), 7_000_000),
                    ("free".to_owned(), 4_111_496),
                ],
                nodes: vec![
                    NodeState {
                        node: 0,
                        all_unreclaimable: Some(false),
                    },
                    NodeState {
                        node: 1,
                        all_unreclaimable: Some(true),
                    },
                ],
                zones: vec![
                    zone(0, "DMA32", [155_160, 152_412, 190_512, 228_612]),
                    normal,
                    ZoneState {
                        node: None,
                        zone: "DMA".to_owned(),
                        ..ZoneState::default()
                    },
                ],
                hugepages: vec![HugepagePool {
                    node: 0,
                    total: 360,
                    free: 360,
                    surplus: 0,
                    size_kb: 1_048_576,
                }],
                swap_free_kb: Some(0),
                swap_total_kb: Some(0),
                pagecache_pages: Some(1_000),
                swap_cache_pages: Some(0),
                ram_pages: Some(8_388_478),
                reserved_pages: Some(150_000),
                highmem_movable_pages: Some(0),
                page_size_kb: Some(4),
            },
            unreclaimable_slab: vec![SlabCache {
                name: "kmalloc-64".to_owned(),
                used_kb: 1_024,
                total_kb: 2_048,
            }],
            compaction_disabled: true,
            selected: Some(SelectedTask {
                pid: 2_001,
                comm: "mysqld_safe".to_owned(),
                score: Some(950),
            }),
            kill_message: Some("Out of memory".to_owned()),
            victims: vec![Victim {
                pid: 2_002,
                comm: "mysqld".to_owned(),
                total_vm_kb: Some(20_000_000),
                anon_rss_kb: Some(15_000_000),
                ..Victim::default()
            }],
            reaper: vec![ReaperResult {
                pid: 2_002,
                comm: "mysqld".to_owned(),
                reaped: true,
                anon_rss_kb: Some(0),
                file_rss_kb: Some(0),
                shmem_rss_kb: Some(0),
            }],
            ..OomReport::default()
        };
        let diagnosis = Diagnosis {
            factors: vec![Factor::HugepageReservation {
                node: None,
                reserved_kb: 377_487_360,
                free_kb: 377_487_360,
            }],
            confidence: Confidence::High,
            ..diagnosis(Cause::HostOom)
        };
        (context, report, diagnosis)
    }

    fn allocation_failure_case() -> (ReportContext, OomReport, Diagnosis) {
        let report = OomReport {
            kind: ReportKind::AllocationFailure,
            trigger: Trigger {
                comm: Some("insmod".to_owned()),
                order: Some(3),
                ..Trigger::default()
            },
            ..OomReport::default()
        };
        (
            ReportContext::default(),
            report,
            diagnosis(Cause::Fragmentation),
        )
    }

    fn group_kill_case() -> (ReportContext, OomReport, Diagnosis) {
        let (mut context, mut report, diagnosis) = memcg_case();
        let first = report.victims[0].clone();
        report.victims.push(Victim {
            pid: 183_961,
            comm: "stress-ng".to_owned(),
            source: VictimSource::Killed,
            ..Victim::default()
        });
        report.oom_group = report.summary.as_ref().and_then(|s| s.task_memcg.clone());
        context.group_leader_pid = Some(first.pid);
        context.raw_lines = vec!["first line".to_owned(), "second line".to_owned()];
        context.truncated_by = Some("max_report_lines");
        (context, report, diagnosis)
    }

    fn all_cases() -> Vec<(ReportContext, OomReport, Diagnosis)> {
        vec![
            memcg_case(),
            host_case(),
            allocation_failure_case(),
            group_kill_case(),
            storm_follow_up_case(),
            (
                ReportContext::default(),
                OomReport::default(),
                diagnosis(Cause::Unknown),
            ),
        ]
    }

    /// An allocation failure standing for a storm of them: the follow-up the filter emits.
    fn storm_follow_up_case() -> (ReportContext, OomReport, Diagnosis) {
        let (mut context, report, diagnosis) = allocation_failure_case();
        let wall = |second| WallTime {
            year: Some(2024),
            month: 3,
            day: 9,
            hour: 1,
            minute: 2,
            second,
            nanosecond: 0,
            utc_offset_minutes: Some(0),
        };
        context.repeats = Some(Repeats {
            reports: 41,
            first_wall_time: Some(wall(3)),
            first_uptime_s: Some(100.5),
            last_wall_time: Some(wall(59)),
            last_uptime_s: Some(156.25),
        });
        (context, report, diagnosis)
    }

    #[test]
    fn storm_follow_up_says_how_many_reports_and_when() {
        let (context, report, diagnosis) = storm_follow_up_case();
        let event = encode(&context, &report, &diagnosis);
        let oom = &event["oom"];
        assert_eq!(oom["repeats"], 41);
        assert_eq!(oom["first_timestamp"], "2024-03-09T01:02:03Z");
        assert_eq!(oom["last_timestamp"], "2024-03-09T01:02:59Z");
        assert_eq!(
            (oom["first_uptime"].as_f64(), oom["last_uptime"].as_f64()),
            (Some(100.5), Some(156.25))
        );
        assert!(event["message"].as_str().unwrap().contains("41 reports"));
        let (context, report, diagnosis) = allocation_failure_case();
        let single = encode(&context, &report, &diagnosis);
        assert!(single["oom"].get("repeats").is_none());
    }

    #[test]
    fn provenance_is_on_every_event() {
        for (context, report, diagnosis) in all_cases() {
            let event = encode(&context, &report, &diagnosis);
            let expected = context.provenance.as_str();
            assert_eq!(event["oom"]["provenance"], expected);
        }
        let (context, report, diagnosis) = memcg_case();
        assert_eq!(
            encode(&context, &report, &diagnosis)["oom"]["provenance"],
            "kernel"
        );
    }

    #[test]
    fn memcg_event_carries_pod_container_and_counters() {
        let (context, report, diagnosis) = memcg_case();
        let event = encode(&context, &report, &diagnosis);
        let at = |pointer: &str| event.pointer(pointer).cloned();
        assert_eq!(at("/@timestamp"), Some(json!("2023-08-01T10:00:05.5Z")));
        assert_eq!(
            at("/message"),
            Some(json!("The pod's memory cgroup hit its 100 MiB limit."))
        );
        assert_eq!(at("/ecs/version"), Some(json!("8.11.0")));
        assert_eq!(at("/event/action"), Some(json!("oom-kill")));
        assert_eq!(at("/event/reason"), Some(json!("parent_cgroup_limit")));
        assert_eq!(at("/event/category"), Some(json!(["host"])));
        assert_eq!(at("/event/original"), None);
        assert_eq!(
            at("/host/name"),
            Some(json!("aks-nodepool1-26263443-vmss000000"))
        );
        assert_eq!(at("/host/uptime"), Some(json!(8523)));
        assert_eq!(at("/oom/uptime_seconds"), Some(json!(8523.347299)));
        assert_eq!(
            at("/process"),
            Some(json!({"pid": 183960, "name": "stress-ng-vm", "user": {"id": "0"}}))
        );
        assert_eq!(
            at("/container"),
            Some(json!({"id": CONTAINER_ID, "runtime": "containerd"}))
        );
        assert_eq!(at("/orchestrator/type"), Some(json!("kubernetes")));
        assert_eq!(
            at("/kubernetes/pod"),
            Some(json!({"uid": "5931aa75-4603-4e65-b552-7c71cf55cfb5", "qos_class": "burstable"}))
        );
        assert_eq!(at("/oom/cause"), Some(json!("parent_cgroup_limit")));
        assert_eq!(at("/oom/confidence"), Some(json!("high")));
        assert_eq!(at("/oom/complete"), Some(json!(true)));
        assert_eq!(at("/oom/lines"), Some(json!(61)));
        assert_eq!(at("/oom/kind"), Some(json!("oom_kill")));
        assert_eq!(at("/oom/constraint"), Some(json!("CONSTRAINT_MEMCG")));
        assert_eq!(at("/oom/global_oom"), Some(json!(false)));
        assert_eq!(at("/oom/cgroup/limiting"), Some(json!(POD_SLICE)));
        assert_eq!(
            at("/oom/cgroup/task"),
            Some(json!(format!(
                "{POD_SLICE}/cri-containerd-{CONTAINER_ID}.scope"
            )))
        );
        assert_eq!(at("/oom/cgroup/version"), Some(json!("v2")));
        assert_eq!(
            at("/oom/memcg/memory"),
            Some(json!({"usage_bytes": 104857600, "limit_bytes": 104857600, "failcnt": 3113}))
        );
        assert_eq!(
            at("/oom/memcg/swap"),
            Some(json!({"usage_bytes": 0, "unlimited": true, "failcnt": 0}))
        );
        assert_eq!(at("/oom/memcg/stats/cgroup"), Some(json!(POD_SLICE)));
        assert_eq!(
            at("/oom/memcg/stats/values"),
            Some(json!({"anon": 98742272, "file": 4096, "pgfault": 123456}))
        );
        assert_eq!(
            at("/oom/trigger/cpuset"),
            Some(json!(format!("cri-containerd-{CONTAINER_ID}.scope"))),
            "the summary stands in for the cpuset line 5.x no longer prints"
        );
        assert_eq!(at("/oom/trigger/nodemask"), Some(json!("(null)")));
        assert_eq!(at("/oom/trigger/gfp_flags"), Some(json!(["GFP_KERNEL"])));
        assert_eq!(at("/oom/trigger/oom_score_adj"), Some(json!(939)));
        assert_eq!(
            at("/oom/victim"),
            Some(json!({
                "pid": 183960, "comm": "stress-ng-vm",
                "total_vm_bytes": 63996 * 1024, "anon_rss_bytes": 1308 * 1024,
                "file_rss_bytes": 0, "shmem_rss_bytes": 0, "pgtables_bytes": 92 * 1024,
                "uid": 0, "oom_score_adj": 939, "source": "killed"
            }))
        );
        assert_eq!(at("/oom/victims"), None, "a single victim is not repeated");
        assert_eq!(at("/oom/selected"), None);
        assert_eq!(
            at("/oom/tasks/0"),
            Some(json!({
                "pid": 183960, "uid": 0, "tgid": 183960, "name": "stress-ng-vm",
                "rss_bytes": 327 * 4096, "total_vm_bytes": 15999 * 4096,
                "swap_bytes": 0, "pgtables_bytes": 94208, "oom_score_adj": 939
            }))
        );
        assert_eq!(at("/oom/task_rows_seen"), Some(json!(4)));
        assert_eq!(
            at("/oom/factors"),
            Some(json!([{"kind": "kubernetes_pod_limit", "pod_cgroup": POD_SLICE}]))
        );
        assert_eq!(
            at("/oom/remediation/0/command"),
            Some(json!(format!("cat /sys/fs/cgroup{POD_SLICE}/memory.max")))
        );
        assert_eq!(
            at("/oom/kernel"),
            Some(json!({
                "release": "5.15.0-1041-azure",
                "hardware": "Microsoft Corporation Virtual Machine/Virtual Machine",
                "cpu": 1
            }))
        );
        assert_eq!(
            at("/oom/call_trace/4"),
            Some(json!("mem_cgroup_out_of_memory"))
        );
        assert_eq!(at("/oom/memory"), None, "no Mem-Info in a memcg report");
        assert_eq!(
            at("/user"),
            None,
            "the victim's uid is process.user.id only"
        );
    }

    #[test]
    fn host_event_carries_zones_nodes_hugepages_and_swap() {
        let (context, report, diagnosis) = host_case();
        let event = encode(&context, &report, &diagnosis);
        let at = |pointer: &str| event.pointer(pointer).cloned();
        assert_eq!(
            at("/@timestamp"),
            Some(json!("2021-09-11T12:24:42Z")),
            "+09:00 moved to UTC"
        );
        assert_eq!(at("/oom/cause"), Some(json!("host_oom")));
        assert_eq!(at("/host"), None);
        assert_eq!(at("/container"), None);
        assert_eq!(at("/kubernetes"), None);
        assert_eq!(
            at("/oom/cgroup"),
            Some(json!({"task": "/"})),
            "Alibaba's `limit of host` is no cgroup"
        );
        assert_eq!(
            at("/oom/memory/zones/1"),
            Some(json!({
                "node": 0, "zone": "Normal",
                "free_bytes": 46592 * 1024, "min_bytes": 46712 * 1024,
                "low_bytes": 58388 * 1024, "high_bytes": 70064 * 1024,
                "present_bytes": 3129216_u64 * 1024, "managed_bytes": 3063616_u64 * 1024,
                "lowmem_reserve_pages": [0, 0, 12828, 12828],
                // No GFP mask, so no known allocation zone: the largest entry counts.
                "allocation_reserve_bytes": 12828 * 4 * 1024,
                "free_blocks": [
                    {"block_kb": 4, "count": 1325, "types": "UME"},
                    {"block_kb": 8, "count": 0}
                ]
            }))
        );
        assert_eq!(
            at("/oom/memory/zones/2"),
            Some(json!({"zone": "DMA"})),
            "a zone without NUMA node or watermarks keeps only its name"
        );
        assert_eq!(
            at("/oom/memory/nodes"),
            Some(json!([
                {"node": 0, "all_unreclaimable": false},
                {"node": 1, "all_unreclaimable": true}
            ]))
        );
        assert_eq!(
            at("/oom/memory/hugepages"),
            Some(json!([{
                "node": 0, "size_bytes": 1073741824,
                "total_pages": 360, "free_pages": 360, "surplus_pages": 0
            }]))
        );
        assert_eq!(
            at("/oom/memory/swap"),
            Some(json!({"free_bytes": 0, "total_bytes": 0})),
            "zero swap is known, not unknown"
        );
        assert_eq!(at("/oom/memory/ram_bytes"), Some(json!(8388478_u64 * 4096)));
        assert_eq!(
            at("/oom/memory/reserved_bytes"),
            Some(json!(150000_u64 * 4096))
        );
        assert_eq!(at("/oom/memory/pagecache_bytes"), Some(json!(1000 * 4096)));
        assert_eq!(at("/oom/memory/swap_cache_bytes"), Some(json!(0)));
        assert_eq!(
            at("/oom/memory/counters_pages"),
            Some(json!({"active_anon": 7000000, "free": 4111496}))
        );
        assert_eq!(
            at("/oom/memory/unreclaimable_slab"),
            Some(json!([{"name": "kmalloc-64", "used_bytes": 1048576, "total_bytes": 2097152}]))
        );
        assert_eq!(at("/oom/memory/compaction_disabled"), Some(json!(true)));
        assert_eq!(at("/oom/trigger/cpuset"), Some(json!("mm_cpuset")));
        assert_eq!(at("/oom/trigger/mems_allowed"), Some(json!("1")));
        assert_eq!(at("/oom/kernel/tainted"), Some(json!("G           OE")));
        assert_eq!(
            at("/oom/selected"),
            Some(json!({"pid": 2001, "comm": "mysqld_safe", "score": 950})),
            "the selected task differs from the child killed"
        );
        assert_eq!(
            at("/process"),
            Some(json!({"pid": 2002, "name": "mysqld"})),
            "no uid known: no process.user"
        );
        assert_eq!(
            at("/oom/reaper"),
            Some(json!([{
                "pid": 2002, "comm": "mysqld", "reaped": true,
                "anon_rss_bytes": 0, "file_rss_bytes": 0, "shmem_rss_bytes": 0
            }]))
        );
        assert_eq!(
            at("/oom/factors"),
            Some(json!([{
                "kind": "hugepage_reservation",
                "reserved_kb": 377487360, "free_kb": 377487360
            }])),
            "the factor's unknown node is left out, not null"
        );
        assert_eq!(at("/oom/constraint"), None);
        assert_eq!(at("/oom/global_oom"), None, "no summary line, so not known");
    }

    #[test]
    fn all_default_input_is_an_unknown_incomplete_event_without_process() {
        let event = encode(
            &ReportContext::default(),
            &OomReport::default(),
            &diagnosis(Cause::Unknown),
        );
        let at = |pointer: &str| event.pointer(pointer).cloned();
        assert_eq!(at("/oom/cause"), Some(json!("unknown")));
        assert_eq!(at("/oom/complete"), Some(json!(false)));
        assert_eq!(at("/process"), None);
        assert_eq!(at("/message"), Some(json!("")), "message is always present");
        assert_eq!(at("/@timestamp"), None);
        assert_eq!(at("/host"), None);
        assert_eq!(at("/container"), None);
        assert_eq!(at("/oom/lines"), None);
        assert_eq!(
            event.get("oom").and_then(Value::as_object).map(|o| {
                let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
                keys.sort_unstable();
                keys
            }),
            Some(vec![
                "cause",
                "complete",
                "confidence",
                "kind",
                "provenance"
            ])
        );
    }

    #[test]
    fn allocation_failure_has_its_action_and_no_process() {
        let (context, report, diagnosis) = allocation_failure_case();
        let event = encode(&context, &report, &diagnosis);
        assert_eq!(
            event.pointer("/event/action"),
            Some(&json!("page-allocation-failure"))
        );
        assert_eq!(
            event.pointer("/oom/kind"),
            Some(&json!("allocation_failure"))
        );
        assert_eq!(event.pointer("/oom/trigger/order"), Some(&json!(3)));
        assert_eq!(event.pointer("/process"), None);
        assert_eq!(event.pointer("/oom/victim"), None);
    }

    #[test]
    fn group_kill_lists_every_victim_and_embeds_raw_lines() {
        let (context, report, diagnosis) = group_kill_case();
        let event = encode(&context, &report, &diagnosis);
        let at = |pointer: &str| event.pointer(pointer).cloned();
        assert_eq!(at("/process/pid"), Some(json!(183960)));
        assert_eq!(at("/oom/victims/0/pid"), Some(json!(183960)));
        assert_eq!(
            at("/oom/victims/1"),
            Some(json!({"pid": 183961, "comm": "stress-ng", "source": "killed"}))
        );
        assert_eq!(at("/oom/victims/2"), None);
        assert_eq!(at("/oom/group_leader_pid"), Some(json!(183960)));
        assert_eq!(
            at("/oom/oom_group"),
            Some(json!(format!(
                "{POD_SLICE}/cri-containerd-{CONTAINER_ID}.scope"
            )))
        );
        assert_eq!(
            at("/event/original"),
            Some(json!("first line\nsecond line"))
        );
        assert_eq!(at("/oom/truncated_by"), Some(json!("max_report_lines")));
    }

    #[test]
    fn kb_to_bytes_saturates_at_the_largest_long() {
        let largest = i64::MAX as u64;
        assert_eq!(kb_bytes(18_014_398_509_481_983), largest);
        assert_eq!(kb_bytes(u64::MAX), largest);
        assert_eq!(kb_bytes(9_007_199_254_740_988), 9_223_372_036_854_771_712);
        assert_eq!(pages_bytes(u64::MAX, 4), largest);
        assert_eq!(pages_bytes(3, 64), 3 * 64 * 1024);
        let (context, mut report, diagnosis) = memcg_case();
        report.memcg.memory = Some(counter(18_014_398_509_481_983, 1_024, 0));
        let event = encode(&context, &report, &diagnosis);
        assert_eq!(
            event.pointer("/oom/memcg/memory/usage_bytes"),
            Some(&json!(largest))
        );
    }

    #[test]
    fn unlimited_counters_have_no_limit_bytes() {
        let (context, mut report, diagnosis) = memcg_case();
        report.memcg.memory_swap = Some(counter(204_800, 18_014_398_509_481_983, 0));
        report.memcg.kmem = Some(counter(4_096, (1 << 50) - 1, 0));
        let event = encode(&context, &report, &diagnosis);
        assert_eq!(
            event.pointer("/oom/memcg/memory_swap"),
            Some(&json!({"usage_bytes": 209715200, "unlimited": true, "failcnt": 0}))
        );
        assert_eq!(
            event.pointer("/oom/memcg/kmem/limit_bytes"),
            Some(&json!(((1_u64 << 50) - 1) * 1024)),
            "just below 2^50 kB is a real limit"
        );
        assert_eq!(event.pointer("/oom/memcg/kmem/unlimited"), None);
    }

    #[test]
    fn page_size_from_the_buddy_list_scales_task_rows() {
        let (context, mut report, diagnosis) = memcg_case();
        report.meminfo.page_size_kb = Some(64);
        report.meminfo.ram_pages = Some(10);
        let event = encode(&context, &report, &diagnosis);
        assert_eq!(
            event.pointer("/oom/tasks/0/rss_bytes"),
            Some(&json!(327 * 64 * 1024))
        );
        assert_eq!(
            event.pointer("/oom/memory/ram_bytes"),
            Some(&json!(10 * 64 * 1024))
        );
        report.meminfo.page_size_kb = Some(0);
        let event = encode(&context, &report, &diagnosis);
        assert_eq!(
            event.pointer("/oom/memory/ram_bytes"),
            Some(&json!(10 * 4096)),
            "a zero page size falls back to 4 kB"
        );
    }

    #[test]
    fn container_from_deepest_stats_dump_when_no_task_cgroup() {
        // v1 kernels dump the OOM subtree; here the child is printed before its parent.
        let pod = "/kubepods/burstable/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e";
        let id = "6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b";
        let report = OomReport {
            memcg: MemcgSection {
                stats: vec![
                    MemcgStats {
                        cgroup: format!("{pod}/{id}"),
                        values_bytes: vec![("rss".to_owned(), 1)],
                    },
                    MemcgStats {
                        cgroup: pod.to_owned(),
                        values_bytes: vec![("rss".to_owned(), 2)],
                    },
                ],
                ..MemcgSection::default()
            },
            ..OomReport::default()
        };
        let event = encode(
            &ReportContext::default(),
            &report,
            &diagnosis(Cause::CgroupLimit),
        );
        assert_eq!(event.pointer("/container"), Some(&json!({"id": id})));
        assert_eq!(
            event.pointer("/kubernetes/pod/qos_class"),
            Some(&json!("burstable"))
        );
        assert_eq!(
            event.pointer("/oom/memcg/stats"),
            Some(&json!({"cgroup": pod, "values": {"rss": 2}})),
            "stats are the last dump"
        );
    }

    #[test]
    fn garden_container_from_stats_of_027() {
        let report = OomReport {
            memcg: MemcgSection {
                stats: vec![MemcgStats {
                    cgroup: "/system.slice/garden.service/garden/good/db315859-a870-4d77-50f9-02b6"
                        .to_owned(),
                    values_bytes: Vec::new(),
                }],
                ..MemcgSection::default()
            },
            victims: vec![Victim {
                pid: 1_949_510,
                comm: "envoy".to_owned(),
                uid: Some(4_294_967_294),
                ..Victim::default()
            }],
            ..OomReport::default()
        };
        let event = encode(
            &ReportContext::default(),
            &report,
            &diagnosis(Cause::CgroupLimit),
        );
        assert_eq!(
            event.pointer("/container"),
            Some(&json!({"id": "db315859-a870-4d77-50f9-02b6", "runtime": "garden"}))
        );
        assert_eq!(
            event.pointer("/process/user/id"),
            Some(&json!("4294967294"))
        );
        assert_eq!(event.pointer("/kubernetes"), None);
    }

    #[test]
    fn pod_from_limiting_cgroup_when_victim_cgroup_names_none() {
        let report = OomReport {
            summary: Some(OomSummary {
                oom_memcg: Some(POD_SLICE.to_owned()),
                task_memcg: Some("/system.slice/containerd.service".to_owned()),
                ..OomSummary::default()
            }),
            ..OomReport::default()
        };
        let event = encode(
            &ReportContext::default(),
            &report,
            &diagnosis(Cause::ParentCgroupLimit),
        );
        assert_eq!(event.pointer("/container"), None);
        assert_eq!(
            event.pointer("/kubernetes/pod/uid"),
            Some(&json!("5931aa75-4603-4e65-b552-7c71cf55cfb5"))
        );
        assert_eq!(
            event.pointer("/oom/cgroup/limiting"),
            Some(&json!(POD_SLICE)),
            "the summary's oom_memcg stands in for the classifier's verdict"
        );
    }

    #[test]
    fn proxmox_lxc_container_wraps_the_nested_docker_scope() {
        let report = OomReport {
            summary: Some(OomSummary {
                oom_memcg: Some("/lxc/39004".to_owned()),
                task_memcg: Some("/lxc/39004/ns/system.slice/docker-a59e4e7d3090c04c6ce5a4b7a8bc85228eb9b96ac00b1284643a8c7c11dda661.scope".to_owned()),
                pid: Some(3_902_942),
                uid: Some(1_000),
                ..OomSummary::default()
            }),
            victims: vec![Victim {
                pid: 3_902_942,
                comm: "php-fpm".to_owned(),
                ..Victim::default()
            }],
            ..OomReport::default()
        };
        let event = encode(
            &ReportContext::default(),
            &report,
            &diagnosis(Cause::ParentCgroupLimit),
        );
        assert_eq!(
            event.pointer("/container"),
            Some(&json!({"id": "39004", "runtime": "lxc"}))
        );
        assert_eq!(
            event.pointer("/process/user/id"),
            Some(&json!("1000")),
            "the summary's uid stands in for the victim's when it names the same pid"
        );
    }

    #[test]
    fn memory_limit_reached_cgroup_is_the_last_limiting_fallback() {
        let report = OomReport {
            memcg: MemcgSection {
                limit_reached_cgroup: Some("/mm_test".to_owned()),
                ..MemcgSection::default()
            },
            ..OomReport::default()
        };
        let event = encode(
            &ReportContext::default(),
            &report,
            &diagnosis(Cause::CgroupLimit),
        );
        assert_eq!(
            event.pointer("/oom/cgroup"),
            Some(&json!({"limiting": "/mm_test"}))
        );
    }

    #[test]
    fn call_trace_keeps_the_innermost_32_frames() {
        let report = OomReport {
            call_trace: (0..40).map(|n| format!("frame_{n}")).collect(),
            ..OomReport::default()
        };
        let event = encode(
            &ReportContext::default(),
            &report,
            &diagnosis(Cause::Unknown),
        );
        let frames = event.pointer("/oom/call_trace").and_then(Value::as_array);
        assert_eq!(frames.map(Vec::len), Some(32));
        assert_eq!(frames.and_then(|f| f.last()), Some(&json!("frame_31")));
    }

    #[test]
    fn impossible_uptime_is_left_out() {
        for uptime in [f64::NAN, f64::INFINITY, -1.0] {
            let context = ReportContext {
                uptime_s: Some(uptime),
                ..ReportContext::default()
            };
            let event = encode(&context, &OomReport::default(), &diagnosis(Cause::Unknown));
            assert_eq!(event.pointer("/host"), None, "{uptime}");
            assert_eq!(event.pointer("/oom/uptime_seconds"), None, "{uptime}");
        }
    }

    #[test]
    fn selected_task_that_is_the_victim_is_not_repeated() {
        let (context, mut report, diagnosis) = host_case();
        report.selected = Some(SelectedTask {
            pid: 2_002,
            comm: "mysqld".to_owned(),
            score: Some(950),
        });
        let event = encode(&context, &report, &diagnosis);
        assert_eq!(event.pointer("/oom/selected"), None);
    }

    /// Every value in `event` with its key path (`oom.memory.zones[].free_bytes`).
    fn leaves(event: &Value) -> Vec<(String, &Value)> {
        let mut found = Vec::new();
        let mut stack = vec![(String::new(), event)];
        while let Some((path, value)) = stack.pop() {
            match value {
                Value::Object(fields) => {
                    for (key, child) in fields {
                        let child_path = if path.is_empty() {
                            key.clone()
                        } else {
                            format!("{path}.{key}")
                        };
                        stack.push((child_path, child));
                    }
                }
                Value::Array(items) => {
                    for item in items {
                        stack.push((format!("{path}[]"), item));
                    }
                }
                _ => {}
            }
            found.push((path, value));
        }
        found
    }

    #[test]
    fn events_hold_no_nulls_and_no_empty_values() {
        for (context, report, diagnosis) in all_cases() {
            let event = encode(&context, &report, &diagnosis);
            for (path, value) in leaves(&event) {
                let empty = match value {
                    Value::Null => true,
                    Value::String(text) => text.is_empty() && path != "message",
                    Value::Array(items) => items.is_empty(),
                    Value::Object(fields) => fields.is_empty(),
                    Value::Bool(_) | Value::Number(_) => false,
                };
                assert!(!empty, "{path} is {value}");
            }
        }
    }

    /// Follows `$ref: "#/$defs/<name>"` links of the schema.
    fn resolve<'a>(schema: &'a Value, mut node: &'a Value) -> &'a Value {
        while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let name = reference.strip_prefix("#/$defs/").expect("local $ref");
            node = &schema["$defs"][name];
        }
        node
    }

    /// Where `event` disagrees with `schema`: a key the schema does not declare, a `required`
    /// key missing, an array without `items`, a value of the wrong JSON type or outside its
    /// `enum`/`const`/`oneOf`.
    fn schema_disagreements(schema: &Value, event: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        let mut stack = vec![(String::new(), event, schema)];
        while let Some((path, value, node)) = stack.pop() {
            let node = resolve(schema, node);
            let type_ok = match node.get("type").and_then(Value::as_str) {
                None => true,
                Some("object") => value.is_object(),
                Some("array") => value.is_array(),
                Some("string") => value.is_string(),
                Some("integer") => value.is_i64() || value.is_u64(),
                Some("number") => value.is_number(),
                Some("boolean") => value.is_boolean(),
                // A type the walk does not know is a schema mistake: report it.
                Some(_) => false,
            };
            let allowed = node
                .get("enum")
                .and_then(Value::as_array)
                .cloned()
                .or_else(|| node.get("const").map(|c| vec![c.clone()]))
                .or_else(|| {
                    node.get("oneOf").and_then(Value::as_array).map(|options| {
                        options
                            .iter()
                            .filter_map(|o| o.get("const").cloned())
                            .collect()
                    })
                });
            if !type_ok || allowed.is_some_and(|a| !a.contains(value)) {
                problems.push(format!("{path}: {value} does not fit {node}"));
            }
            let required = node.get("required").and_then(Value::as_array);
            for key in required.into_iter().flatten().filter_map(Value::as_str) {
                if value.get(key).is_none() {
                    problems.push(format!("{path}.{key} is required"));
                }
            }
            match value {
                Value::Object(fields) => {
                    for (key, child) in fields {
                        let child_path = format!("{path}.{key}");
                        let declared = node
                            .get("properties")
                            .and_then(|p| p.get(key))
                            .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()));
                        match declared {
                            Some(child_schema) => stack.push((child_path, child, child_schema)),
                            None => problems.push(format!("{child_path} is not declared")),
                        }
                    }
                }
                Value::Array(items) => match node.get("items") {
                    Some(item_schema) => {
                        for item in items {
                            stack.push((format!("{path}[]"), item, item_schema));
                        }
                    }
                    None => problems.push(format!("{path} has no items schema")),
                },
                _ => {}
            }
        }
        problems
    }

    #[test]
    fn schema_declares_every_field_the_encoder_writes() {
        let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
        for (context, report, diagnosis) in all_cases() {
            let event = encode(&context, &report, &diagnosis);
            assert_eq!(schema_disagreements(&schema, &event), Vec::<String>::new());
        }
    }

    #[test]
    fn schema_walk_catches_undeclared_mistyped_and_missing_fields() {
        let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
        let valid = encode(
            &ReportContext::default(),
            &OomReport::default(),
            &diagnosis(Cause::Unknown),
        );
        let mut undeclared = valid.clone();
        undeclared["oom"]["memory"] = json!({"zones": [{"zone": "Normal", "spare_bytes": 1}]});
        assert_eq!(
            schema_disagreements(&schema, &undeclared),
            vec![".oom.memory.zones[].spare_bytes is not declared".to_owned()]
        );
        let mut mistyped = valid.clone();
        mistyped["process"] = json!({"pid": 1, "user": {"id": 0}});
        assert_eq!(schema_disagreements(&schema, &mistyped).len(), 1);
        let mut without_cause = valid;
        without_cause["oom"]
            .as_object_mut()
            .map(|oom| oom.remove("cause"));
        assert_eq!(
            schema_disagreements(&schema, &without_cause),
            vec![".oom.cause is required".to_owned()]
        );
    }

    #[test]
    fn schema_describes_every_field() {
        let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
        let mut undescribed = Vec::new();
        let mut stack = vec![("".to_owned(), &schema)];
        while let Some((path, node)) = stack.pop() {
            let described = node
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.is_empty());
            if !described {
                undescribed.push(path.clone());
            }
            let children = node
                .get("properties")
                .into_iter()
                .chain(node.get("$defs"))
                .filter_map(Value::as_object)
                .flatten()
                .map(|(key, child)| (format!("{path}.{key}"), child))
                .chain(
                    ["items", "additionalProperties"]
                        .into_iter()
                        .filter_map(|k| {
                            node.get(k)
                                .filter(|c| c.is_object())
                                .map(|c| (format!("{path}.{k}"), c))
                        }),
                )
                .chain(
                    node.get("oneOf")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|c| (format!("{path}.oneOf"), c)),
                )
                .collect::<Vec<_>>();
            stack.extend(children);
        }
        assert_eq!(undescribed, Vec::<String>::new());
    }
}
