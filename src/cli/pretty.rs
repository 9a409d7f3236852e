//! The readable report of `analyze --pretty`, drawn from the event itself so the picture
//! never says more or less than the JSON. It speaks English or Japanese (`--lang ja`); the
//! event's own texts (its message, evidence and remediation) stay as the event has them.

use std::fmt::Write;

use serde_json::Value;

/// Width of a bar, in cells.
const BAR_CELLS: usize = 40;

/// The language of the readable report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    /// The language a `--lang` value names (`en`, `ja`), if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "en" => Some(Self::En),
            "ja" => Some(Self::Ja),
            _ => None,
        }
    }

    fn words(self) -> &'static Words {
        match self {
            Self::En => &EN,
            Self::Ja => &JA,
        }
    }
}

/// Everything the report says in one language. `{name}` marks where a figure goes.
struct Words {
    oom_kill: &'static str,
    allocation_failure: &'static str,
    on_host: &'static str,
    at_time: &'static str,
    verdict: &'static str,
    incomplete: &'static str,
    victim: &'static str,
    trigger: &'static str,
    pid: &'static str,
    cgroup: &'static str,
    unknown_cgroup: &'static str,
    usage_of_limit: &'static str,
    usage_no_limit: &'static str,
    zones_title: &'static str,
    zone_figures: &'static str,
    zone_reserve: &'static str,
    below_min: &'static str,
    below_low: &'static str,
    zone_ok: &'static str,
    tasks_title: &'static str,
    evidence: &'static str,
    remediation: &'static str,
    /// What each `oom.cause` is called; the code itself is printed beside it.
    causes: [(&'static str, &'static str); 7],
    /// What each `oom.confidence` is called.
    confidences: [(&'static str, &'static str); 3],
}

const EN: Words = Words {
    oom_kill: "OOM kill",
    allocation_failure: "Page allocation failure",
    on_host: " on {host}",
    at_time: " at {time}",
    verdict: ": {cause} ({confidence} confidence)",
    incomplete: ", report incomplete",
    victim: "Victim ",
    trigger: "Trigger",
    pid: "pid {pid}",
    cgroup: "Cgroup ",
    unknown_cgroup: "(unknown)",
    usage_of_limit: "usage  {bar} {usage} of {limit} ({percent}%)",
    usage_no_limit: "usage  {usage} (no limit)",
    zones_title: "Zones    free memory against watermarks  (m = min, l = low, h = high)",
    zone_figures: "{free} free, min {min} low {low} high {high}",
    zone_reserve: " + lowmem_reserve {reserve}",
    below_min: "below min",
    below_low: "below low",
    zone_ok: "ok",
    tasks_title: "Top processes by rss",
    evidence: "Evidence",
    remediation: "Remediation",
    causes: [
        ("cgroup_limit", "cgroup_limit"),
        ("parent_cgroup_limit", "parent_cgroup_limit"),
        ("host_oom", "host_oom"),
        ("numa_node_oom", "numa_node_oom"),
        ("fragmentation", "fragmentation"),
        ("manual", "manual"),
        ("unknown", "unknown"),
    ],
    confidences: [("high", "high"), ("medium", "medium"), ("low", "low")],
};

const JA: Words = Words {
    oom_kill: "OOM kill",
    allocation_failure: "ページ割り当て失敗",
    on_host: "（ホスト {host}）",
    at_time: "（{time}）",
    verdict: "：{cause}（確度 {confidence}）",
    incomplete: "、レポートは不完全",
    victim: "強制終了",
    trigger: "契機    ",
    pid: "pid {pid}",
    cgroup: "cgroup ",
    unknown_cgroup: "（不明）",
    usage_of_limit: "使用量 {bar} {usage} / 上限 {limit}（{percent}%）",
    usage_no_limit: "使用量 {usage}（上限なし）",
    zones_title: "ゾーン   空きメモリとウォーターマーク（m = min、l = low、h = high）",
    zone_figures: "空き {free}、min {min} low {low} high {high}",
    zone_reserve: " + lowmem_reserve {reserve}",
    below_min: "min 未満",
    below_low: "low 未満",
    zone_ok: "正常",
    tasks_title: "rss の大きいプロセス",
    evidence: "根拠（英語）",
    remediation: "対処（英語）",
    causes: [
        ("cgroup_limit", "cgroup 自身のメモリ上限 (cgroup_limit)"),
        (
            "parent_cgroup_limit",
            "親 cgroup のメモリ上限 (parent_cgroup_limit)",
        ),
        ("host_oom", "ホスト全体のメモリ不足 (host_oom)"),
        ("numa_node_oom", "NUMA ノードのメモリ不足 (numa_node_oom)"),
        ("fragmentation", "メモリの断片化 (fragmentation)"),
        ("manual", "手動による起動 (manual)"),
        ("unknown", "不明 (unknown)"),
    ],
    confidences: [("high", "高"), ("medium", "中"), ("low", "低")],
};

impl Words {
    fn cause(&self, code: &str) -> String {
        named(&self.causes, code)
    }

    fn confidence(&self, code: &str) -> String {
        named(&self.confidences, code)
    }
}

/// The name `names` gives `code`, else the code itself.
fn named(names: &[(&str, &'static str)], code: &str) -> String {
    names
        .iter()
        .find(|(known, _)| *known == code)
        .map_or_else(|| code.to_owned(), |(_, name)| (*name).to_owned())
}

/// `template` with each `{key}` replaced by its value.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
}

/// Renders one event (JSON text) as a report for a terminal, in `lang`.
pub fn render(event: &str, lang: Lang) -> String {
    let Ok(event) = serde_json::from_str::<Value>(event) else {
        return event.to_owned();
    };
    let words = lang.words();
    let mut out = String::new();
    let oom = &event["oom"];
    let what = match oom["kind"].as_str() {
        Some("allocation_failure") => words.allocation_failure,
        _ => words.oom_kill,
    };
    out.push_str(what);
    if let Some(host) = event["host"]["name"].as_str() {
        out.push_str(&fill(words.on_host, &[("host", host)]));
    }
    if let Some(time) = event["@timestamp"].as_str() {
        out.push_str(&fill(words.at_time, &[("time", time)]));
    }
    let cause = words.cause(oom["cause"].as_str().unwrap_or("unknown"));
    let confidence = words.confidence(oom["confidence"].as_str().unwrap_or("low"));
    out.push_str(&fill(
        words.verdict,
        &[("cause", &cause), ("confidence", &confidence)],
    ));
    if oom["complete"] == Value::Bool(false) {
        out.push_str(words.incomplete);
    }
    out.push('\n');
    if let Some(message) = event["message"].as_str() {
        let _ = writeln!(out, "  {message}");
    }
    victim_section(&mut out, &event, words);
    cgroup_section(&mut out, oom, words);
    zone_section(&mut out, oom, words);
    task_section(&mut out, oom, words);
    list_section(&mut out, words.evidence, &oom["evidence"], |item| {
        item.as_str().map(str::to_owned)
    });
    list_section(&mut out, words.remediation, &oom["remediation"], |item| {
        let action = item["action"].as_str()?;
        Some(match item["command"].as_str() {
            Some(command) => format!("{action}\n      $ {command}"),
            None => action.to_owned(),
        })
    });
    out
}

fn victim_section(out: &mut String, event: &Value, words: &Words) {
    let victim = &event["oom"]["victim"];
    if let (Some(pid), Some(name)) = (
        event["process"]["pid"].as_u64(),
        event["process"]["name"].as_str(),
    ) {
        let pid = fill(words.pid, &[("pid", &pid.to_string())]);
        let _ = write!(out, "\n{}  {name} ({pid})", words.victim);
        for (label, key) in [
            ("anon-rss", "anon_rss_bytes"),
            ("file-rss", "file_rss_bytes"),
            ("shmem-rss", "shmem_rss_bytes"),
        ] {
            if let Some(bytes) = victim[key].as_u64() {
                let _ = write!(out, "  {label} {}", human(bytes));
            }
        }
        out.push('\n');
    }
    let trigger = &event["oom"]["trigger"];
    if let Some(comm) = trigger["comm"].as_str() {
        let _ = write!(out, "{}  {comm}", words.trigger);
        if let Some(pid) = trigger["pid"].as_u64() {
            let _ = write!(out, " ({})", fill(words.pid, &[("pid", &pid.to_string())]));
        }
        if let Some(order) = trigger["order"].as_i64() {
            let _ = write!(out, "  order {order}");
        }
        if let Some(mask) = trigger["gfp_mask"].as_str() {
            let _ = write!(out, "  gfp_mask {mask}");
        }
        out.push('\n');
    }
}

fn cgroup_section(out: &mut String, oom: &Value, words: &Words) {
    let memory = &oom["memcg"]["memory"];
    let Some(usage) = memory["usage_bytes"].as_u64() else {
        return;
    };
    let _ = writeln!(
        out,
        "\n{}  {}",
        words.cgroup,
        oom["cgroup"]["limiting"]
            .as_str()
            .unwrap_or(words.unknown_cgroup)
    );
    let line = match memory["limit_bytes"].as_u64() {
        Some(limit) if limit > 0 => fill(
            words.usage_of_limit,
            &[
                ("bar", &bar(usage, limit, &[])),
                ("usage", &human(usage)),
                ("limit", &human(limit)),
                ("percent", &(usage.saturating_mul(100) / limit).to_string()),
            ],
        ),
        _ => fill(words.usage_no_limit, &[("usage", &human(usage))]),
    };
    let _ = writeln!(out, "  {line}");
}

fn zone_section(out: &mut String, oom: &Value, words: &Words) {
    let Some(zones) = oom["memory"]["zones"].as_array() else {
        return;
    };
    let _ = writeln!(out, "\n{}", words.zones_title);
    for zone in zones {
        let field = |key: &str| zone[key].as_u64();
        let (Some(free), Some(min), Some(low), Some(high)) = (
            field("free_bytes"),
            field("min_bytes"),
            field("low_bytes"),
            field("high_bytes"),
        ) else {
            continue;
        };
        let name = match zone["node"].as_u64() {
            Some(node) => format!("Node {node} {}", zone["zone"].as_str().unwrap_or("?")),
            None => zone["zone"].as_str().unwrap_or("?").to_owned(),
        };
        let scale = high.max(free).saturating_add(high / 4).max(1);
        // What the zone keeps back from this allocation counts on top of min and low, as in
        // the kernel's __zone_watermark_ok (free <= mark + lowmem_reserve fails).
        let reserve = field("allocation_reserve_bytes").unwrap_or(0);
        let state = if free <= min.saturating_add(reserve) {
            words.below_min
        } else if free <= low.saturating_add(reserve) {
            words.below_low
        } else {
            words.zone_ok
        };
        let mut figures = fill(
            words.zone_figures,
            &[
                ("free", &human(free)),
                ("min", &human(min)),
                ("low", &human(low)),
                ("high", &human(high)),
            ],
        );
        if reserve > 0 {
            figures.push_str(&fill(words.zone_reserve, &[("reserve", &human(reserve))]));
        }
        let _ = writeln!(
            out,
            "  {name:<14} {} {figures}  {state}",
            bar(free, scale, &[(min, 'm'), (low, 'l'), (high, 'h')]),
        );
    }
}

fn task_section(out: &mut String, oom: &Value, words: &Words) {
    let Some(tasks) = oom["tasks"].as_array().filter(|t| !t.is_empty()) else {
        return;
    };
    let largest = tasks
        .iter()
        .filter_map(|t| t["rss_bytes"].as_u64())
        .max()
        .unwrap_or(1)
        .max(1);
    let _ = writeln!(out, "\n{}", words.tasks_title);
    for task in tasks {
        let rss = task["rss_bytes"].as_u64().unwrap_or(0);
        let _ = writeln!(
            out,
            "  {:>8} {:<16} {} {}",
            task["pid"].as_u64().unwrap_or(0),
            task["name"].as_str().unwrap_or("?"),
            bar(rss, largest, &[]),
            human(rss)
        );
    }
}

fn list_section(
    out: &mut String,
    title: &str,
    items: &Value,
    show: impl Fn(&Value) -> Option<String>,
) {
    let Some(items) = items.as_array().filter(|i| !i.is_empty()) else {
        return;
    };
    let _ = writeln!(out, "\n{title}");
    for item in items.iter().filter_map(show) {
        let _ = writeln!(out, "  - {item}");
    }
}

/// A bar of [`BAR_CELLS`] cells filled in proportion to `value / scale`, with each mark's
/// letter at its own position.
fn bar(value: u64, scale: u64, marks: &[(u64, char)]) -> String {
    let cell = |v: u64| -> usize {
        let cells = u128::from(v) * BAR_CELLS as u128 / u128::from(scale.max(1));
        usize::try_from(cells).unwrap_or(BAR_CELLS).min(BAR_CELLS)
    };
    let filled = cell(value);
    let mut cells: Vec<char> = (0..BAR_CELLS)
        .map(|i| if i < filled { '█' } else { '·' })
        .collect();
    for &(at, letter) in marks {
        if let Some(slot) = cells.get_mut(cell(at).min(BAR_CELLS - 1)) {
            *slot = letter;
        }
    }
    format!("[{}]", cells.into_iter().collect::<String>())
}

/// Bytes in binary units with one decimal (`1.5 GiB`).
fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS.get(unit).unwrap_or(&"B"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_marks_land_on_their_share_of_the_scale() {
        let drawn = bar(10, 40, &[(20, 'm')]);
        let cells: Vec<char> = drawn.chars().collect();
        assert_eq!(cells.iter().filter(|&&c| c == '█').count(), 10);
        assert_eq!(cells.get(21), Some(&'m'));
    }

    #[test]
    fn bar_with_zero_scale_does_not_divide_by_zero() {
        assert_eq!(bar(5, 0, &[(7, 'h')]).chars().count(), BAR_CELLS + 2);
    }

    #[test]
    fn human_uses_binary_units() {
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(204_800 * 1024), "200.0 MiB");
        assert_eq!(
            human(u64::MAX),
            "16.0 EiB".replace("EiB", "PiB").replace("16.0", "16384.0")
        );
    }

    #[test]
    fn render_of_text_that_is_not_json_returns_it() {
        assert_eq!(render("not json", Lang::Ja), "not json");
    }

    #[test]
    fn render_draws_zone_and_cgroup_bars() {
        let event = r#"{"message":"m","oom":{"cause":"host_oom","confidence":"high","complete":true,
            "memcg":{"memory":{"usage_bytes":100,"limit_bytes":100}},"cgroup":{"limiting":"/a"},
            "memory":{"zones":[{"node":0,"zone":"Normal","free_bytes":10,"min_bytes":20,"low_bytes":30,"high_bytes":40}]}}}"#;
        let text = render(event, Lang::En);
        assert!(text.contains("host_oom (high confidence)"), "{text}");
        assert!(text.contains("Node 0 Normal"), "{text}");
        assert!(text.contains("below min"), "{text}");
        assert!(text.contains("(100%)"), "{text}");
    }

    #[test]
    fn the_reserve_kept_from_the_allocation_counts_on_top_of_min() {
        // Corpus 004: Node 0 DMA32 free 45980kB > min 28148kB, but + 17848kB reserve.
        let event = r#"{"oom":{"memory":{"zones":[{"node":0,"zone":"DMA32","free_bytes":47083520,
            "min_bytes":28823552,"low_bytes":36028416,"high_bytes":43233280,
            "allocation_reserve_bytes":18276352}]}}}"#;
        let text = render(event, Lang::En);
        assert!(
            text.contains("+ lowmem_reserve 17.4 MiB  below min"),
            "{text}"
        );
    }

    #[test]
    fn japanese_report_names_the_cause_and_keeps_the_event_texts() {
        let event = r#"{"message":"chromium was killed","oom":{"cause":"fragmentation","confidence":"medium",
            "complete":false,"memcg":{"memory":{"usage_bytes":50,"limit_bytes":100}},
            "evidence":["order=3 allocation"],
            "memory":{"zones":[{"zone":"DMA32","free_bytes":50,"min_bytes":20,"low_bytes":30,"high_bytes":40}]}}}"#;
        let text = render(event, Lang::Ja);
        assert!(
            text.contains("メモリの断片化 (fragmentation)（確度 中）"),
            "{text}"
        );
        assert!(text.contains("レポートは不完全"), "{text}");
        assert!(text.contains("使用量"), "{text}");
        assert!(text.contains("正常"), "{text}");
        // The event's own texts are not translated.
        assert!(text.contains("  chromium was killed\n"), "{text}");
        assert!(text.contains("order=3 allocation"), "{text}");
        assert!(!text.contains("confidence"), "{text}");
    }

    #[test]
    fn lang_parses_the_two_languages_only() {
        assert_eq!(Lang::parse("ja"), Some(Lang::Ja));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn an_unknown_cause_code_is_printed_as_it_is() {
        assert_eq!(JA.cause("something_new"), "something_new");
        assert_eq!(EN.cause("host_oom"), "host_oom");
    }
}
