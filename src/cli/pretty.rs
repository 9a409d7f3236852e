//! The readable report of `analyze --pretty`, drawn from the event itself so the picture
//! never says more or less than the JSON.

use std::fmt::Write;

use serde_json::Value;

/// Width of a bar, in cells.
const BAR_CELLS: usize = 40;

/// Renders one event (JSON text) as a report for a terminal.
pub fn render(event: &str) -> String {
    let Ok(event) = serde_json::from_str::<Value>(event) else {
        return event.to_owned();
    };
    let mut out = String::new();
    let oom = &event["oom"];
    let what = match oom["kind"].as_str() {
        Some("allocation_failure") => "Page allocation failure",
        _ => "OOM kill",
    };
    let _ = write!(out, "{what}");
    if let Some(host) = event["host"]["name"].as_str() {
        let _ = write!(out, " on {host}");
    }
    if let Some(time) = event["@timestamp"].as_str() {
        let _ = write!(out, " at {time}");
    }
    let _ = writeln!(
        out,
        ": {} ({} confidence){}",
        oom["cause"].as_str().unwrap_or("unknown"),
        oom["confidence"].as_str().unwrap_or("low"),
        if oom["complete"] == Value::Bool(false) {
            ", report incomplete"
        } else {
            ""
        }
    );
    if let Some(message) = event["message"].as_str() {
        let _ = writeln!(out, "  {message}");
    }
    victim_section(&mut out, &event);
    cgroup_section(&mut out, oom);
    zone_section(&mut out, oom);
    task_section(&mut out, oom);
    list_section(&mut out, "Evidence", &oom["evidence"], |item| {
        item.as_str().map(str::to_owned)
    });
    list_section(&mut out, "Remediation", &oom["remediation"], |item| {
        let action = item["action"].as_str()?;
        Some(match item["command"].as_str() {
            Some(command) => format!("{action}\n      $ {command}"),
            None => action.to_owned(),
        })
    });
    out
}

fn victim_section(out: &mut String, event: &Value) {
    let victim = &event["oom"]["victim"];
    if let (Some(pid), Some(name)) = (
        event["process"]["pid"].as_u64(),
        event["process"]["name"].as_str(),
    ) {
        let _ = write!(out, "\nVictim   {name} (pid {pid})");
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
        let _ = write!(out, "Trigger  {comm}");
        if let Some(pid) = trigger["pid"].as_u64() {
            let _ = write!(out, " (pid {pid})");
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

fn cgroup_section(out: &mut String, oom: &Value) {
    let memory = &oom["memcg"]["memory"];
    let Some(usage) = memory["usage_bytes"].as_u64() else {
        return;
    };
    let _ = writeln!(
        out,
        "\nCgroup   {}",
        oom["cgroup"]["limiting"].as_str().unwrap_or("(unknown)")
    );
    match memory["limit_bytes"].as_u64() {
        Some(limit) if limit > 0 => {
            let _ = writeln!(
                out,
                "  usage  {} {} of {} ({}%)",
                bar(usage, limit, &[]),
                human(usage),
                human(limit),
                usage.saturating_mul(100) / limit
            );
        }
        _ => {
            let _ = writeln!(out, "  usage  {} (no limit)", human(usage));
        }
    }
}

fn zone_section(out: &mut String, oom: &Value) {
    let Some(zones) = oom["memory"]["zones"].as_array() else {
        return;
    };
    let _ = writeln!(
        out,
        "\nZones    free memory against watermarks  (m = min, l = low, h = high)"
    );
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
        let state = if free < min {
            "below min"
        } else if free < low {
            "below low"
        } else {
            "ok"
        };
        let _ = writeln!(
            out,
            "  {name:<14} {} {} free, min {} low {} high {}  {state}",
            bar(free, scale, &[(min, 'm'), (low, 'l'), (high, 'h')]),
            human(free),
            human(min),
            human(low),
            human(high)
        );
    }
}

fn task_section(out: &mut String, oom: &Value) {
    let Some(tasks) = oom["tasks"].as_array().filter(|t| !t.is_empty()) else {
        return;
    };
    let largest = tasks
        .iter()
        .filter_map(|t| t["rss_bytes"].as_u64())
        .max()
        .unwrap_or(1)
        .max(1);
    let _ = writeln!(out, "\nTop processes by rss");
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
        assert_eq!(render("not json"), "not json");
    }

    #[test]
    fn render_draws_zone_and_cgroup_bars() {
        let event = r#"{"message":"m","oom":{"cause":"host_oom","confidence":"high","complete":true,
            "memcg":{"memory":{"usage_bytes":100,"limit_bytes":100}},"cgroup":{"limiting":"/a"},
            "memory":{"zones":[{"node":0,"zone":"Normal","free_bytes":10,"min_bytes":20,"low_bytes":30,"high_bytes":40}]}}}"#;
        let text = render(event);
        assert!(text.contains("host_oom (high confidence)"), "{text}");
        assert!(text.contains("Node 0 Normal"), "{text}");
        assert!(text.contains("below min"), "{text}");
        assert!(text.contains("(100%)"), "{text}");
    }
}
