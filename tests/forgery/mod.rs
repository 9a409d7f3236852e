//! Forged kernel lines as each transport carries them: what `logger -t kernel`, a process
//! writing to `/dev/kmsg`, or a syslog client claiming the kernel's tag produce. Shared by
//! `tests/provenance.rs` and `tests/conservation.rs`.

use serde_json::{json, Value};

/// Kernel lines a forger would write: a report's header, its summary and its kill line.
pub const FORGED_TEXTS: [&str; 3] = [
    "systemd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
    "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=systemd,pid=1,uid=0",
    "Out of memory: Killed process 1 (systemd) total-vm:9000kB, anon-rss:8000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0",
];

/// How many transports [`forged_record`] knows.
pub const TRANSPORTS: usize = 11;

/// `text` forged through transport `transport` (`0..TRANSPORTS`), as a JSON record whose
/// stream is that of records with `"host": host` (or of syslog lines naming `host`).
pub fn forged_record(transport: usize, text: &str, host: &str) -> Value {
    match transport % TRANSPORTS {
        // `logger -t kernel`, as `journalctl -o json` and Vector's journald source give it.
        0 => json!({"MESSAGE": text, "_TRANSPORT": "syslog", "SYSLOG_FACILITY": "1",
                    "SYSLOG_IDENTIFIER": "kernel", "_PID": "4242", "_UID": "1000", "host": host}),
        // Fluent Bit's systemd input with Lowercase, Strip_Underscores, and both.
        1 => json!({"message": text, "_transport": "stdout", "syslog_identifier": "kernel",
                    "_pid": "77", "_uid": "1000", "host": host}),
        2 => json!({"MESSAGE": text, "TRANSPORT": "journal", "PID": "77", "host": host}),
        3 => json!({"message": text, "transport": "kernel", "syslog_facility": "3", "host": host}),
        // A process's write to /dev/kmsg as journald reads it: the kernel transport, facility 1.
        4 => json!({"MESSAGE": text, "_TRANSPORT": "kernel", "SYSLOG_FACILITY": "1", "host": host}),
        // The same write read raw from /dev/kmsg, and by `dmesg -r`.
        5 => json!({"message": format!("12,99999,5000500,-;{text}"), "host": host}),
        6 => json!({"message": format!("<14>[    5.000500] {text}"), "host": host}),
        // Syslog text: a user facility in <PRI> or facility.level, a pid on the kernel tag.
        7 => json!({"message": format!("<13>Jan  1 00:00:05 {host} kernel: {text}")}),
        8 => json!({"message": format!("Jan  1 00:00:05 {host} kernel[4242]: {text}")}),
        9 => json!({"message": format!("Jan  1 00:00:05 {host} user.notice kernel: {text}")}),
        // `dmesg -x` of a userspace write.
        _ => json!({"message": format!("user  :notice: [    5.000500] {text}"), "host": host}),
    }
}
