//! The one-line explanation for a person: who was killed, and why, with the key figure.

use super::cgroup::{kube_level, KubeLevel};
use super::nodes::format_node_list;
use super::verdict::{Finding, Verdict};
use crate::report::{OomReport, ReportKind};

/// A size in kB for people: `512 kB`, `100.0 MiB`, `15.7 GiB`.
pub(super) fn human_kb(kb: u64) -> String {
    const MIB: u64 = 1024;
    const GIB: u64 = 1024 * 1024;
    // Display only: the f64 rounding of huge values does not matter here.
    #[allow(clippy::cast_precision_loss)]
    let value = kb as f64;
    if kb >= GIB {
        format!("{:.1} GiB", value / GIB as f64)
    } else if kb >= MIB {
        format!("{:.1} MiB", value / MIB as f64)
    } else {
        format!("{kb} kB")
    }
}

/// `text` with long hexadecimal ids cut to their first four digits and `…` (container ids,
/// pod uids): `kubepods-burstable-pod233b806c_04ce_….slice` → `kubepods-burstable-pod233b….slice`.
/// An id is a run of at least 8 hex digits (after an optional `pod` prefix) holding a digit,
/// together with the hex groups joined to it by `-` or `_` (a uuid).
pub(super) fn shorten_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
        let (before, from_word) = rest.split_at(start);
        out.push_str(before);
        let word_len = from_word
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(from_word.len());
        let (word, after) = from_word.split_at(word_len);
        let (prefix, digits) = match word.strip_prefix("pod") {
            Some(d) if is_id(d) => ("pod", d),
            _ => ("", word),
        };
        if is_id(digits) {
            out.push_str(prefix);
            out.push_str(digits.get(..4).unwrap_or(digits));
            out.push('…');
            rest = skip_id_groups(after);
        } else {
            out.push_str(word);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn is_id(word: &str) -> bool {
    word.len() >= 8
        && word.chars().all(|c| c.is_ascii_hexdigit())
        && word.chars().any(|c| c.is_ascii_digit())
}

/// Skips the `-group`/`_group` hex continuations of an id (the rest of a uuid).
fn skip_id_groups(mut rest: &str) -> &str {
    loop {
        let Some(after_sep) = rest.strip_prefix(['-', '_']) else {
            return rest;
        };
        let len = after_sep
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after_sep.len());
        let group = after_sep.get(..len).unwrap_or("");
        if group.is_empty() || !group.chars().all(|c| c.is_ascii_hexdigit()) {
            return rest;
        }
        rest = after_sep.get(len..).unwrap_or("");
    }
}

/// A cgroup path for the sentence: long ids cut, and paths deeper than three levels shown as
/// their first component, `…`, and their last.
fn short_path(path: &str) -> String {
    let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let text = match components.as_slice() {
        [first, _, _, .., last] => format!("/{first}/…/{last}"),
        _ => path.to_string(),
    };
    shorten_ids(&text)
}

/// The task whose allocation failed: `Xorg (pid 2119)`.
fn trigger_phrase(report: &OomReport) -> Option<String> {
    match (&report.trigger.comm, report.trigger.pid) {
        (Some(comm), Some(pid)) => Some(format!("{comm} (pid {pid})")),
        (Some(comm), None) => Some(comm.clone()),
        (None, Some(pid)) => Some(format!("pid {pid}")),
        (None, None) => None,
    }
}

/// Who the sentence is about: `python (pid 988370) was killed`, or the failing task.
fn subject(report: &OomReport) -> String {
    let trigger = trigger_phrase(report);
    if report.kind == ReportKind::AllocationFailure {
        let order = report
            .trigger
            .order
            .map_or(String::new(), |o| format!("order-{o} "));
        return match trigger {
            Some(who) => format!("An {order}allocation by {who} failed"),
            None => format!("An {order}allocation failed"),
        };
    }
    if let Some(victim) = report.victims.first() {
        return format!("{} (pid {}) was killed", victim.comm, victim.pid);
    }
    match trigger {
        Some(who) => format!("The OOM killer ran for {who}"),
        None => "The OOM killer ran".into(),
    }
}

/// The explanation of `verdict` for `report`, on one line.
pub(super) fn sentence(report: &OomReport, verdict: &Verdict) -> String {
    let who = subject(report);
    match &verdict.finding {
        Finding::Memcg(finding) => {
            let limit = finding.hit_limit_kb.map_or("its limit".into(), |kb| {
                format!("its limit of {}", human_kb(kb))
            });
            let Some(limiting) = &finding.limiting else {
                return format!("{who} because a memory cgroup reached {limit} (the log does not name the cgroup).");
            };
            let kind = match kube_level(limiting) {
                Some(KubeLevel::Pod { .. }) => "Kubernetes pod cgroup",
                Some(KubeLevel::Container { .. }) => "Kubernetes container cgroup",
                None => "cgroup",
            };
            let below = match (&finding.task, verdict.cause) {
                (Some(task), super::Cause::ParentCgroupLimit) => {
                    format!(" (task cgroup {} is below it)", short_path(task))
                }
                (None, super::Cause::ParentCgroupLimit) => {
                    " (the task is in a cgroup below it)".into()
                }
                _ => String::new(),
            };
            format!(
                "{who} because {kind} {} reached {limit}{below}.",
                short_path(limiting)
            )
        }
        Finding::Numa(finding) => {
            let nodes = if finding.exhausted.is_empty() {
                &finding.allowed
            } else {
                &finding.exhausted
            };
            let node_text = match nodes.len() {
                0 => "its allowed NUMA nodes".to_string(),
                1 => format!("NUMA node {}", format_node_list(nodes)),
                _ => format!("NUMA nodes {}", format_node_list(nodes)),
            };
            let by = match (&finding.cpuset, finding.by_mempolicy) {
                (_, true) => " allowed by its memory policy".to_string(),
                (Some(cpuset), false) => format!(" allowed by cpuset {}", shorten_ids(cpuset)),
                (None, false) => String::new(),
            };
            let figure = finding
                .headline
                .as_ref()
                .map_or(String::new(), |h| format!(" ({h})"));
            let elsewhere = finding.machine_free_kb.map_or(String::new(), |kb| {
                format!(" while the machine had {} free", human_kb(kb))
            });
            format!("{who} because {node_text}{by} ran out of memory{figure}{elsewhere}.")
        }
        Finding::Fragmentation(finding) => {
            let (order, block) = (finding.order, finding.block_kb);
            let why = finding.headline.as_ref().map_or(
                "; fragmentation is suspected (no buddy lists printed)".to_string(),
                |figure| format!(" for lack of a free block that large: {figure}"),
            );
            let by = trigger_phrase(report).map_or(String::new(), |t| format!(" by {t}"));
            if report.kind == ReportKind::AllocationFailure {
                format!("An order-{order} ({block}kB) allocation{by} failed{why}.")
            } else if report.victims.is_empty() {
                format!("{who} because an order-{order} ({block}kB) allocation failed{why}.")
            } else {
                format!("{who} because an order-{order} ({block}kB) allocation{by} failed{why}.")
            }
        }
        Finding::Host { headline } => match headline {
            Some(figure) => format!("{who} because the machine ran out of memory ({figure})."),
            None => format!("{who} because the machine ran out of memory."),
        },
        Finding::Manual { headline } => {
            let state = match (headline, verdict.confidence) {
                (Some(figure), super::Confidence::High) => {
                    format!("; memory was not short ({figure})")
                }
                (Some(figure), _) => format!(
                    "; memory was short too ({})",
                    figure.trim_start_matches("memory was also short: ")
                ),
                (None, _) => String::new(),
            };
            format!("{who} because the OOM killer was invoked by hand (sysrq-f, order=-1), not by a failed allocation{state}.")
        }
        Finding::Unknown => format!("{who}; the log does not show why memory ran out."),
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human_kb(512), "512 kB");
        assert_eq!(human_kb(102_400), "100.0 MiB");
        assert_eq!(human_kb(16_445_984), "15.7 GiB");
        assert!(human_kb(u64::MAX).ends_with(" GiB"));
    }

    #[test]
    fn pod_uid_and_container_ids_are_cut() {
        assert_eq!(
            shorten_ids("kubepods-burstable-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice"),
            "kubepods-burstable-pod233b….slice"
        );
        assert_eq!(
            shorten_ids("cri-containerd-f69706726f784bfb90a8a6378a41d684f1ed23508ef32ba586e477509f121867.scope"),
            "cri-containerd-f697….scope"
        );
        assert_eq!(
            shorten_ids("/kubepods/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e/6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b"),
            "/kubepods/pod9538…/6895…"
        );
    }

    #[test]
    fn ordinary_words_and_short_numbers_stay() {
        assert_eq!(
            shorten_ids("/user.slice/user-1000.slice/session-4.scope"),
            "/user.slice/user-1000.slice/session-4.scope"
        );
        assert_eq!(
            shorten_ids("deadbeefcafe is a word"),
            "deadbeefcafe is a word",
            "no digit"
        );
        assert_eq!(shorten_ids("/mm_test/2"), "/mm_test/2");
        assert_eq!(
            shorten_ids("naïve ünïcode 1234567890ab"),
            "naïve ünïcode 1234…"
        );
    }

    #[test]
    fn deep_paths_keep_first_and_last_component() {
        assert_eq!(
            short_path("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice"),
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931….slice"
        );
        assert_eq!(
            short_path("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice/cri-containerd-25a38b5b8d556d7983d975577f5ac75ebbcfb4b269e6deaa0a0440c1ffc969ca.scope"),
            "/kubepods.slice/…/cri-containerd-25a3….scope"
        );
    }
}
