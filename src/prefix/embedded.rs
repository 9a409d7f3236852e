//! Kernel lines carried inside another format's field: a Kubernetes event's message, a
//! pretty-printed JSON member.

use super::Layer;

/// The keys of a JSON member whose string value is a log line: the filter's default
/// message fields (`message`, `MESSAGE`, `msg`, `log`).
const MESSAGE_KEYS: [&str; 4] = ["message", "MESSAGE", "msg", "log"];

/// A pretty-printed JSON member holding a log line, as `kubectl get events -o json`,
/// `journalctl -o json-pretty` or a search hit's `_source` print it:
/// `"message": "Memory cgroup out of memory: Killed process …",`. The value, still
/// JSON-escaped, is the rest ([`Layer::json`]); a value that does not end on this line (a
/// string cut by a wrap) is no member.
pub(super) fn json_member(s: &str) -> Option<Layer<'_>> {
    let body = s.strip_prefix('"')?;
    let (key, after_key) = body.split_once('"')?;
    if !MESSAGE_KEYS.contains(&key) {
        return None;
    }
    let value = after_key
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let value = value.trim_end();
    let value = value.strip_suffix(',').unwrap_or(value).strip_suffix('"')?;
    // The closing quote must not be an escaped one.
    let backslashes = value.bytes().rev().take_while(|&b| b == b'\\').count();
    (backslashes % 2 == 0).then_some(Layer {
        rest: value,
        json: true,
        ..Layer::default()
    })
}

/// A line a poster quoted whole, in prose or as a spreadsheet cell: `"Out of memory: Killed
/// process 3931 (python3) …"`, optionally followed by `,` or `.`. The kernel's own text never
/// starts with `"`, and a quote inside would be another shape (CSV columns, a JSON member):
/// only one pair around quote-free text is taken off.
pub(super) fn quoted_line(s: &str) -> Option<Layer<'_>> {
    let body = s.strip_prefix('"')?.trim_end();
    let body = body
        .strip_suffix(',')
        .or_else(|| body.strip_suffix('.'))
        .unwrap_or(body)
        .strip_suffix('"')?;
    (!body.is_empty() && !body.contains('"')).then_some(Layer {
        rest: body,
        ..Layer::default()
    })
}

/// The reason node-problem-detector's kernel monitor gives the event it makes of an OOM
/// kill (its `kernel-monitor.json` rule), whose message is the kernel's line.
const OOM_KILLING: &str = "OOMKilling";

/// How far into a line an event's reason may sit: past the type, age and count columns, the
/// source (`kernel-monitor, <node>`) may come first in `kubectl get events`.
const REASON_WITHIN_BYTES: usize = 160;

/// The kernel lines node-problem-detector makes an `OOMKilling` event of start with one of
/// these.
const KILL_MESSAGES: [&str; 5] = [
    "Memory cgroup out of memory",
    "Out of memory",
    "Kill process",
    "Killed process",
    "Task in ",
];

/// A Kubernetes event row of node-problem-detector's `OOMKilling`, as `kubectl describe node`
/// (`Warning  OOMKilling  49m  kernel-monitor, node-1  Memory cgroup out of memory: Kill
/// process …`) or `kubectl get events` (`kernel-monitor, node-1  Warning  OOMKilling
/// Memory cgroup out of memory: …`) prints it: the message from its kill message on.
pub(super) fn kubernetes_event(s: &str) -> Option<Layer<'_>> {
    let head = s.get(..REASON_WITHIN_BYTES.min(s.len())).unwrap_or(s);
    let reason = head.find(OOM_KILLING)?;
    let after = s.get(reason + OOM_KILLING.len()..)?;
    if !after.starts_with([' ', '\t', ':']) {
        return None;
    }
    let start = KILL_MESSAGES
        .iter()
        .filter_map(|message| after.find(message))
        .min()?;
    Some(Layer {
        rest: after.get(start..)?,
        ..Layer::default()
    })
}

/// Undoes the escapes of a JSON string's body (`\"`, `\\`, `\n`, `\u0041`); a body that is
/// not valid JSON is kept as written.
pub(super) fn unescape_json(body: &str) -> String {
    if !body.contains('\\') {
        return body.to_owned();
    }
    serde_json::from_str::<String>(&format!("\"{body}\"")).unwrap_or_else(|_| body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_message_member_is_its_unescaped_value() {
        let layer = json_member(r#""message": "Memory cgroup out of memory: Killed process 3504804 (kubectl) total-vm:753508kB","#).unwrap();
        assert!(layer.json);
        assert_eq!(
            layer.rest,
            "Memory cgroup out of memory: Killed process 3504804 (kubectl) total-vm:753508kB"
        );
        assert_eq!(
            unescape_json(r#"task_memcg=/machine.slice/machine-qemu\\x2d33.scope \"x\""#),
            r#"task_memcg=/machine.slice/machine-qemu\x2d33.scope "x""#
        );
    }

    #[test]
    fn other_json_members_and_cut_strings_are_none() {
        assert!(json_member(r#""reason": "OOMKilling","#).is_none());
        assert!(json_member(r#""message": "Memory cgroup out of memory: Killed"#).is_none());
        assert!(json_member(r#""message": "ends in an escaped quote\","#).is_none());
    }

    #[test]
    fn an_oomkilling_event_row_is_its_kernel_message() {
        let describe = "Warning  OOMKilling  49m  kernel-monitor, gke-node-jdz5  Memory cgroup out of memory: Kill process 821218 (prometheus) score 1631 or sacrifice child";
        assert_eq!(
            kubernetes_event(describe).unwrap().rest,
            "Memory cgroup out of memory: Kill process 821218 (prometheus) score 1631 or sacrifice child"
        );
        let get = "kernel-monitor, gke-node-gl40\t\t\tWarning\t\tOOMKilling\tMemory cgroup out of memory: Kill process 1371 (node) score 2081 or sacrifice child";
        assert!(kubernetes_event(get)
            .unwrap()
            .rest
            .starts_with("Memory cgroup out of memory: Kill process 1371"));
        assert!(kubernetes_event("1 OOMKilling: Killed process 605624 (pause)").is_some());
    }

    #[test]
    fn other_event_reasons_and_words_are_none() {
        assert!(kubernetes_event("Warning  OOMKillingX  Killed process 1 (a)").is_none());
        assert!(kubernetes_event(
            "Warning  SystemOOM  System OOM encountered, victim process: java, pid: 8"
        )
        .is_none());
        assert!(kubernetes_event("Warning  OOMKilling  49m  kernel-monitor, node").is_none());
    }
}
