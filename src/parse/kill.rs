//! The end of a report: the `oom-kill:` summary, the selection and kill lines of every
//! generation, `memory.oom.group` kills, `oom_reaper` results, and the notes around them.

use crate::report::{EndNote, OomSummary, ReaperResult, SelectedTask, Victim};

use super::header::COMM_MAX;
use super::scan::{self, first_word, parse_i32, parse_kb, parse_u32, parse_u64};

/// The messages the kernel puts before `Kill process`, `Killed process` and `OOM victim`;
/// 2.6 kernels before 2.6.12 printed `Out of Memory: Killed process %d (%s).` (mm/oom_kill.c
/// `__oom_kill_task`).
const MESSAGES: [&str; 3] = [
    "Memory cgroup out of memory",
    "Out of memory",
    "Out of Memory",
];

/// A line of `oom_kill_process` / `__oom_kill_process`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KillLine<'a> {
    /// `<msg>: Kill process P (comm) score N or sacrifice child` (≤ 5.0).
    Selected {
        message: &'a str,
        task: SelectedTask,
    },
    /// `Kill process P (comm) sharing same memory` (≤ 4.x), after the kill.
    SharedMm,
    /// `[<msg>: ]Killed process P (comm) …`.
    Killed {
        message: Option<&'a str>,
        victim: Victim,
    },
    /// `<msg>: OOM victim P (comm) is already exiting. Skip killing the task` (≥ 5.10).
    Exiting {
        message: &'a str,
        task: SelectedTask,
    },
    /// A message with nothing after it (a line cut after `Memory cgroup out of memory`).
    MessageOnly(&'a str),
}

/// Reads a selection, kill or exiting line, with or without its message prefix.
pub(crate) fn kill_line(text: &str) -> Option<KillLine<'_>> {
    let (message, rest) = split_message(text);
    if let Some(rest) = rest.strip_prefix("Killed process ") {
        return Some(KillLine::Killed {
            message,
            victim: killed(rest)?,
        });
    }
    // OpenVZ: `OOM killed process 601 (mysqld) [score 0 ]vm:1212112kB, rss:84964kB, swap:748kB`.
    if let Some(rest) = rest.strip_prefix("OOM killed process ") {
        if let Some(victim) = openvz_exited(rest) {
            return Some(KillLine::Killed { message, victim });
        }
        let (pid, comm, after) = pid_and_comm(rest, &[") score ", ") vm:"])?;
        let mut victim = Victim {
            pid,
            comm: comm.to_string(),
            ..Victim::default()
        };
        victim.total_vm_kb = figures(after)
            .find(|(key, _)| *key == "vm")
            .and_then(|(_, value)| parse_kb(value));
        return Some(KillLine::Killed { message, victim });
    }
    // 2.6.27-2.6.35 printed the selection in lower case: `<msg>: kill process P (comm) score
    // S or a child` (mm/oom_kill.c `oom_kill_process`).
    let selection = rest.strip_prefix("Kill process ").or_else(|| {
        message
            .is_some()
            .then(|| rest.strip_prefix("kill process "))
            .flatten()
    });
    if let Some(rest) = selection {
        let (pid, comm, after) = pid_and_comm(rest, &[") score ", ") sharing same memory"])?;
        // Only the selection carries a message; the bare form is the shared-mm kill.
        let Some(message) = message else {
            return Some(KillLine::SharedMm);
        };
        let score = after
            .trim_start()
            .strip_prefix("score ")
            .map(first_word)
            .and_then(parse_u64);
        return Some(KillLine::Selected {
            message,
            task: SelectedTask {
                pid,
                comm: comm.to_string(),
                score,
            },
        });
    }
    let message = message?;
    if let Some(rest) = rest.strip_prefix("OOM victim ") {
        let (pid, comm, _) = pid_and_comm(rest, &[") is already exiting"])?;
        return Some(KillLine::Exiting {
            message,
            task: SelectedTask {
                pid,
                comm: comm.to_string(),
                score: None,
            },
        });
    }
    rest.is_empty().then_some(KillLine::MessageOnly(message))
}

/// What `panic()` prefixes to its message (kernel/panic.c).
const PANIC_PREFIX: &str = "Kernel panic - not syncing: ";

/// A line that ends a report without a kill, and whether the kernel panicked with it.
///
/// mm/oom_kill.c: `check_panic_on_oom` dumps the header, then panics with `Out of memory: %s
/// panic_on_oom is enabled` (`compulsory` for `panic_on_oom=2`, `system-wide` for 1, which
/// only fires for CONSTRAINT_NONE). `out_of_memory` with no task chosen dumps the header and
/// warns `Out of memory and no killable processes...`; from 4.19 a global OOM (not memcg, not
/// sysrq) then panics `System is deadlocked on memory`, before 4.19 it panicked with the
/// no-killable text itself. drivers/tty/sysrq.c `moom_callback` prints `OOM request ignored.
/// No task eligible` when a sysrq-f request killed nothing.
pub(crate) fn end_note(text: &str) -> Option<(EndNote, bool)> {
    let (note, panicked) = match text.strip_prefix(PANIC_PREFIX) {
        Some(message) => (message.trim(), true),
        None => (text, false),
    };
    let end = if note.starts_with("Out of memory and no killable processes") {
        EndNote::NoKillable
    } else if note == "System is deadlocked on memory" {
        EndNote::Deadlocked
    } else if note == "Out of memory: compulsory panic_on_oom is enabled" {
        EndNote::CompulsoryPanic
    } else if note == "Out of memory: system-wide panic_on_oom is enabled" {
        EndNote::SystemWidePanic
    } else if !panicked && note.starts_with("OOM request ignored") {
        EndNote::RequestIgnored
    } else {
        return None;
    };
    Some((end, panicked))
}

/// `sysrq: Manual OOM execution` (≥ 5.x), `sysrq: SysRq : Manual OOM execution` (4.x with
/// the `sysrq: ` pr_fmt) or `SysRq : Manual OOM execution` (3.x): drivers/tty/sysrq.c
/// `__handle_sysrq` prints the key's action message before `moom_callback` runs the OOM
/// killer from a work item, so it comes before the report's header.
pub(crate) fn is_manual_oom_request(text: &str) -> bool {
    let text = text.strip_prefix("sysrq:").map_or(text, str::trim_start);
    let text = text.strip_prefix("SysRq :").map_or(text, str::trim_start);
    text.trim_end() == "Manual OOM execution"
}

/// Splits `<msg>: rest` when `<msg>` is one of the kernel's OOM messages
/// (`Out of memory (oom_kill_allocating_task)` included); otherwise there is no message.
fn split_message(text: &str) -> (Option<&str>, &str) {
    if let Some(split) = beancounter_message(text) {
        return split;
    }
    for message in MESSAGES {
        let Some(after) = text.strip_prefix(message) else {
            continue;
        };
        let (message_len, after) = match after.strip_prefix(" (") {
            Some(detail) => match detail.split_once(')') {
                Some((detail, after)) => (
                    message.len().saturating_add(detail.len()).saturating_add(3),
                    after,
                ),
                None => continue,
            },
            None => (message.len(), after),
        };
        let rest = after
            .strip_prefix(':')
            .map(str::trim_start)
            .unwrap_or(after);
        if !(rest.len() < after.len() || after.trim().is_empty()) {
            continue;
        }
        return (text.get(..message_len), rest.trim());
    }
    (None, text)
}

/// OpenVZ's notice that a victim has exited, `watchdog (pid=14490, ve=13516) exited,
/// free=43104 gen=24501.` after `OOM killed process ` (kernel/bc/oom_kill.c
/// `ub_oom_task_dead`, later `ub_oom_mm_dead`): it names the killed task, comm first, and
/// not whether the container's limit or the host ran out.
fn openvz_exited(text: &str) -> Option<Victim> {
    let (comm, ids) = text.rsplit_once(" (pid=")?;
    let (pid, rest) = ids.split_once(", ve=")?;
    let (ve, _) = rest.split_once(") exited")?;
    if comm.is_empty() || comm.len() > COMM_MAX || parse_u32(ve).is_none() {
        return None;
    }
    Some(Victim {
        pid: parse_u32(pid)?,
        comm: comm.to_string(),
        ..Victim::default()
    })
}

/// OpenVZ's message for a container's OOM, `Out of memory in UB 1234: OOM killed process …`
/// (its kernel/bc/oom_kill.c names the user beancounter, the container's memory limit; `UB
/// -1` is its global OOM): the message with the beancounter, and the rest.
fn beancounter_message(text: &str) -> Option<(Option<&str>, &str)> {
    let after = text.strip_prefix("Out of memory in UB ")?;
    let (id, rest) = after.split_once(':')?;
    if id.is_empty() || id.contains(char::is_whitespace) {
        return None;
    }
    let message_len = text.len() - after.len() + id.len();
    Some((text.get(..message_len), rest.trim()))
}

/// `1968 (memkiller) total-vm:…` → pid, comm and the text after the comm's `)`. The comm may
/// hold spaces and parentheses: it ends at the first of `enders`, else at the last `)`; a line
/// cut inside the comm keeps what is there.
fn pid_and_comm<'a>(text: &'a str, enders: &[&str]) -> Option<(u32, &'a str, &'a str)> {
    // The kernel prints one space before the pid; pastes aligned in columns carry more.
    let text = text.trim_start_matches(' ');
    // A paste that lost the space before the comm (`Killed process 25507(oom01)`) keeps the
    // pid's digits apart from it.
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (pid, rest) = match text.get(digits..) {
        Some(rest) if rest.starts_with('(') => (text.get(..digits).unwrap_or(""), rest),
        _ => text.split_once(' ').unwrap_or((text, "")),
    };
    let pid = parse_u32(pid)?;
    let Some(inner) = rest.strip_prefix('(') else {
        return Some((pid, "", rest));
    };
    let end = enders
        .iter()
        .filter_map(|ender| inner.find(ender))
        .min()
        .or_else(|| inner.rfind(')'));
    Some(match end {
        Some(end) => (
            pid,
            inner.get(..end)?,
            inner.get(end.saturating_add(1)..).unwrap_or(""),
        ),
        None => (pid, inner, ""),
    })
}

/// `P (comm)[, UID n,] total-vm:…kB, anon-rss:…kB, …[ oom_score_adj:n]`, or RHEL 6's
/// `P, UID n, (comm) total-vm:…` (2.6.32-*.el6 moved the UID before the name).
fn killed(text: &str) -> Option<Victim> {
    let rhel6 = text
        .split_once(", UID ")
        .filter(|(pid, _)| parse_u32(pid).is_some());
    if let Some((pid, after_pid)) = rhel6 {
        let (uid, after_uid) = after_pid.split_once(", ")?;
        let mut victim = killed_with_name_first(&format!("{pid} {after_uid}"))?;
        victim.uid = parse_u32(uid);
        return Some(victim);
    }
    killed_with_name_first(text)
}

/// `P (comm)[, UID n,] total-vm:…kB, anon-rss:…kB, …[ oom_score_adj:n]`.
fn killed_with_name_first(text: &str) -> Option<Victim> {
    let (pid, comm, after) = pid_and_comm(text, &[") total-vm:", "), UID ", "), total-vm:"])?;
    let mut victim = Victim {
        pid,
        comm: comm.to_string(),
        ..Victim::default()
    };
    for (key, value) in figures(after) {
        match key {
            "total-vm" => victim.total_vm_kb = parse_kb(value),
            "anon-rss" => victim.anon_rss_kb = parse_kb(value),
            "file-rss" => victim.file_rss_kb = parse_kb(value),
            "shmem-rss" => victim.shmem_rss_kb = parse_kb(value),
            "UID" => victim.uid = parse_u32(value),
            "pgtables" => victim.pgtables_kb = parse_kb(value),
            "oom_score_adj" => victim.oom_score_adj = parse_i32(value),
            _ => {}
        }
    }
    Some(victim)
}

/// The `key:value` figures of a kill or reaper line, split on commas and spaces; RHEL7's
/// `UID n` comes out as (`UID`, `n`).
fn figures(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut words = text
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|word| !word.is_empty());
    std::iter::from_fn(move || loop {
        let word = words.next()?;
        if word == "UID" {
            return Some(("UID", words.next().unwrap_or("")));
        }
        if let Some(pair) = word.split_once(':') {
            return Some(pair);
        }
    })
}

/// Reads `oom-kill:constraint=…,nodemask=…,cpuset=…,mems_allowed=…,oom_memcg=…|global_oom,
/// task_memcg=…,task=…,pid=…,uid=…` in any key order. A line that stops before `uid=` is
/// marked truncated, and a number it ends with (possibly cut) is dropped.
pub(crate) fn summary(text: &str) -> Option<OomSummary> {
    let rest = text.strip_prefix("oom-kill:")?;
    let mut summary = OomSummary::default();
    let mut last_key = "";
    for (key, value) in scan::fields(rest) {
        let owned = || Some(value.to_string());
        match key {
            "constraint" => summary.constraint = owned(),
            "nodemask" => summary.nodemask = owned(),
            "cpuset" => summary.cpuset = owned(),
            "mems_allowed" => summary.mems_allowed = owned(),
            "oom_memcg" => summary.oom_memcg = owned(),
            "global_oom" => summary.global_oom = true,
            "task_memcg" => summary.task_memcg = owned(),
            "task" => summary.task = owned(),
            "pid" => summary.pid = parse_u32(value),
            "uid" => summary.uid = parse_u32(first_word(value)),
            _ => {}
        }
        last_key = key;
    }
    summary.truncated = last_key != "uid";
    if summary.truncated && last_key == "pid" {
        summary.pid = None;
    }
    Some(summary)
}

/// `Tasks in <path> are going to be killed due to memory.oom.group set` → the path.
pub(crate) fn oom_group(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("Tasks in ")?;
    let (path, _) = rest.split_once(" are going to be killed due to memory.oom.group set")?;
    Some(path.trim())
}

/// `oom_reaper: reaped process P (comm), now anon-rss:…kB, file-rss:…kB, shmem-rss:…kB` or
/// `oom_reaper: unable to reap pid:P (comm)`.
pub(crate) fn reaper(text: &str) -> Option<ReaperResult> {
    let rest = text.strip_prefix("oom_reaper: ")?;
    if let Some(rest) = rest.strip_prefix("reaped process ") {
        let (pid, comm, after) = pid_and_comm(rest, &["), now "])?;
        let mut result = ReaperResult {
            pid,
            comm: comm.to_string(),
            reaped: true,
            ..ReaperResult::default()
        };
        for (key, value) in figures(after) {
            match key {
                "anon-rss" => result.anon_rss_kb = parse_kb(value),
                "file-rss" => result.file_rss_kb = parse_kb(value),
                "shmem-rss" => result.shmem_rss_kb = parse_kb(value),
                _ => {}
            }
        }
        return Some(result);
    }
    let rest = rest.strip_prefix("unable to reap pid:")?;
    let (pid, comm, _) = pid_and_comm(rest, &[])?;
    Some(ReaperResult {
        pid,
        comm: comm.to_string(),
        reaped: false,
        ..ReaperResult::default()
    })
}

/// A note printed around the kill that carries nothing to keep: `oom killer P (comm) has mm
/// pinned by …`.
pub(crate) fn is_kill_note(text: &str) -> bool {
    text.starts_with("oom killer ") && text.contains(" has mm pinned by ")
}

/// `oom_kill_process: 3 callbacks suppressed` (or `warn_alloc:`, `dump_header:`, …): the OOM
/// rate limit let a report through again after leaving out N (lib/ratelimit.c
/// `___ratelimit` prints it on the first call that passes). The N, or `None` for other lines.
pub(crate) fn callbacks_suppressed(text: &str) -> Option<u64> {
    const FUNCTIONS: [&str; 6] = [
        "oom_kill_process",
        "warn_alloc",
        "warn_alloc_failed",
        "dump_header",
        "out_of_memory",
        "mem_cgroup_out_of_memory",
    ];
    let (function, count) = text
        .strip_suffix(" callbacks suppressed")?
        .split_once(": ")?;
    FUNCTIONS
        .contains(&function)
        .then(|| parse_u64(count))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn victim_of(text: &str) -> (Option<&str>, Victim) {
        match kill_line(text) {
            Some(KillLine::Killed { message, victim }) => (message, victim),
            other => panic!("not a Killed line: {other:?}"),
        }
    }

    #[test]
    fn killed_5_4_full_line() {
        let (message, victim) = victim_of("Out of memory: Killed process 12041 (/home/alex/farm) total-vm:92484kB, anon-rss:58288kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:208kB oom_score_adj:0");
        assert_eq!(message, Some("Out of memory"));
        assert_eq!(victim.pid, 12041);
        assert_eq!(victim.comm, "/home/alex/farm");
        assert_eq!(victim.total_vm_kb, Some(92484));
        assert_eq!(victim.anon_rss_kb, Some(58288));
        assert_eq!(victim.file_rss_kb, Some(0));
        assert_eq!(victim.shmem_rss_kb, Some(0));
        assert_eq!(victim.uid, Some(1000));
        assert_eq!(victim.pgtables_kb, Some(208));
        assert_eq!(victim.oom_score_adj, Some(0));
    }

    #[test]
    fn killed_3_10_bare_and_rhel7_uid_form() {
        let (message, victim) = victim_of(
            "Killed process 28438 (java) total-vm:20255636kB, anon-rss:466160kB, file-rss:13684kB",
        );
        assert_eq!(message, None);
        assert_eq!((victim.pid, victim.shmem_rss_kb), (28438, None));
        let (_, victim) = victim_of("Killed process 6576 (mysqld), UID 12345, total-vm:33914892kB, anon-rss:20629004kB, file-rss:0kB, shmem-rss:0kB");
        assert_eq!(victim.comm, "mysqld");
        assert_eq!(victim.uid, Some(12345));
        assert_eq!(victim.anon_rss_kb, Some(20_629_004));
    }

    #[test]
    fn killed_rhel8_uid_last_and_unmapped_uid() {
        let (_, victim) = victim_of("Memory cgroup out of memory: Killed process 5 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:4294967294");
        assert_eq!(victim.uid, Some(4_294_967_294));
    }

    #[test]
    fn killed_cut_after_comm_or_inside_value() {
        let (_, victim) = victim_of("Killed process 11726, UID 498, (mysqld) total-vm:7823732kB, anon-rss:2539268kB, file-rss:768kB");
        assert_eq!((victim.pid, victim.comm.as_str()), (11726, "mysqld"));
        assert_eq!(
            (victim.uid, victim.anon_rss_kb),
            (Some(498), Some(2_539_268))
        );
        let (_, victim) = victim_of("Out of memory: Killed process 13432 (mem_on_node1)");
        assert_eq!(
            (victim.pid, victim.comm.as_str(), victim.total_vm_kb),
            (13432, "mem_on_node1", None)
        );
        let (_, victim) = victim_of("Memory cgroup out of memory: Killed process 183960 (stress-ng-vm) total-vm:299192kB, anon-rss:9317");
        assert_eq!(victim.anon_rss_kb, None);
        assert_eq!(victim.total_vm_kb, Some(299_192));
    }

    #[test]
    fn killed_pid_glued_to_its_comm() {
        let (_, victim) = victim_of("Out of memory: Killed process 25507(oom01) total-vm:6324780kB, anon-rss:5647168kB, file-rss:0kB, shmem-rss:0kB,UID:0 pgtables:11395072kB oom_score_adj:0");
        assert_eq!((victim.pid, victim.comm.as_str()), (25507, "oom01"));
    }

    #[test]
    fn killed_pid_after_two_spaces_of_a_column_aligned_paste() {
        let (_, victim) = victim_of("Out of memory: Killed process  532 (kodi.bin) total-vm:1561568kB, anon-rss:397140kB, file-rss:112348kB, shmem-rss:0kB, UID:972 pgtables:1724kB oom_score_adj:0");
        assert_eq!((victim.pid, victim.comm.as_str()), (532, "kodi.bin"));
    }

    #[test]
    fn killed_comm_with_parentheses_and_spaces() {
        let (_, victim) =
            victim_of("Killed process 7 (Web (Content)) total-vm:1kB, anon-rss:1kB, file-rss:1kB");
        assert_eq!(victim.comm, "Web (Content)");
        let (_, victim) = victim_of("Killed process 9 (runc:[2:INIT])");
        assert_eq!(victim.comm, "runc:[2:INIT]");
    }

    #[test]
    fn the_lower_case_selection_of_2_6_27_to_2_6_35() {
        let line = "Out of memory: kill process 4805 (apache2) score 46872 or a child";
        let Some(KillLine::Selected { message, task }) = kill_line(line) else {
            panic!("not a selection: {line}");
        };
        assert_eq!(message, "Out of memory");
        assert_eq!((task.pid, task.score), (4805, Some(46_872)));
        assert!(kill_line("kill process 4805 (apache2) score 46872 or a child").is_none());
    }

    #[test]
    fn openvz_beancounter_kill() {
        let line = "Out of memory in UB 1234: OOM killed process 21738 (php-cgi) score 0 vm:281988kB, rss:17004kB, swap:0kB";
        let Some(KillLine::Killed { message, victim }) = kill_line(line) else {
            panic!("not a kill: {line}");
        };
        assert_eq!(message, Some("Out of memory in UB 1234"));
        assert_eq!((victim.pid, victim.comm.as_str()), (21738, "php-cgi"));
        assert_eq!(victim.total_vm_kb, Some(281_988));
        assert!(kill_line("Out of memory in UB : OOM killed process 1 (x) vm:1kB").is_none());
    }

    #[test]
    fn openvz_exit_notice_names_the_killed_task_comm_first() {
        let line =
            "OOM killed process watchdog (pid=14490, ve=13516) exited, free=43104 gen=24501.";
        let Some(KillLine::Killed { message, victim }) = kill_line(line) else {
            panic!("no kill line");
        };
        assert_eq!(message, None);
        assert_eq!((victim.pid, victim.comm.as_str()), (14490, "watchdog"));
        let older = kill_line("OOM killed process php (cgi) (pid=7, ve=101) exited, free=9.");
        assert!(
            matches!(older, Some(KillLine::Killed { victim, .. }) if victim.comm == "php (cgi)")
        );
        assert!(kill_line("OOM killed process x (pid=7, ve=) exited").is_none());
    }

    #[test]
    fn killed_inside_another_message_is_not_a_kill() {
        assert_eq!(kill_line("I1012 19:00:20 log_monitor.go:160] Message:Memory cgroup out of memory: Killed process 183960 (stress-ng-vm)"), None);
        assert_eq!(kill_line("Out of memoryX: Killed process 1 (a)"), None);
        let (message, victim) = victim_of("Out of Memory: Killed process 11648 (ld).");
        assert_eq!(message, Some("Out of Memory"));
        assert_eq!((victim.pid, victim.comm.as_str()), (11648, "ld"));
    }

    #[test]
    fn killed_by_allocating_task() {
        let (message, victim) = victim_of("Out of memory (oom_kill_allocating_task): Killed process 77 (dd) total-vm:1kB, anon-rss:1kB, file-rss:0kB");
        assert_eq!(message, Some("Out of memory (oom_kill_allocating_task)"));
        assert_eq!(victim.pid, 77);
    }

    #[test]
    fn selected_and_shared_mm() {
        match kill_line(
            "Memory cgroup out of memory: Kill process 24572 (java) score 0 or sacrifice child",
        ) {
            Some(KillLine::Selected { message, task }) => {
                assert_eq!(message, "Memory cgroup out of memory");
                assert_eq!(
                    task,
                    SelectedTask {
                        pid: 24572,
                        comm: "java".into(),
                        score: Some(0)
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            kill_line("Kill process 88 (java) sharing same memory"),
            Some(KillLine::SharedMm)
        );
    }

    #[test]
    fn exiting_victim() {
        match kill_line("Memory cgroup out of memory: OOM victim 4242 (node) is already exiting. Skip killing the task") {
            Some(KillLine::Exiting { task, .. }) => assert_eq!((task.pid, task.comm.as_str()), (4242, "node")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn message_only_is_a_kill_line_panic_note_is_not() {
        assert_eq!(
            kill_line("Memory cgroup out of memory"),
            Some(KillLine::MessageOnly("Memory cgroup out of memory"))
        );
        assert_eq!(
            kill_line("Out of memory: compulsory panic_on_oom is enabled"),
            None
        );
        assert_eq!(kill_line("Out of memory: something else"), None);
    }

    #[test]
    fn end_notes_with_and_without_the_panic_prefix() {
        let cases = [
            (
                "Out of memory and no killable processes...",
                EndNote::NoKillable,
                false,
            ),
            (
                "Kernel panic - not syncing: Out of memory and no killable processes...",
                EndNote::NoKillable,
                true,
            ),
            (
                "Kernel panic - not syncing: System is deadlocked on memory",
                EndNote::Deadlocked,
                true,
            ),
            ("System is deadlocked on memory", EndNote::Deadlocked, false),
            (
                "Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled",
                EndNote::CompulsoryPanic,
                true,
            ),
            (
                "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled",
                EndNote::SystemWidePanic,
                true,
            ),
            (
                "OOM request ignored. No task eligible",
                EndNote::RequestIgnored,
                false,
            ),
        ];
        for (text, note, panicked) in cases {
            assert_eq!(end_note(text), Some((note, panicked)), "{text}");
        }
        assert_eq!(
            end_note("Kernel panic - not syncing: VFS: Unable to mount root fs"),
            None
        );
        assert_eq!(
            end_note("Kernel panic - not syncing: OOM request ignored"),
            None
        );
        assert_eq!(end_note("System is deadlocked on memory or not"), None);
    }

    #[test]
    fn manual_oom_request_of_every_generation() {
        for text in [
            "sysrq: Manual OOM execution",
            "sysrq: SysRq : Manual OOM execution",
            "SysRq : Manual OOM execution",
        ] {
            assert!(is_manual_oom_request(text), "{text}");
        }
        assert!(!is_manual_oom_request("sysrq: Show Memory"));
        assert!(!is_manual_oom_request("sysrq: Manual OOM execution failed"));
    }

    #[test]
    fn summary_global() {
        let summary = summary("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/monit.service,task=/home/alex/farm,pid=12041,uid=1000").unwrap();
        assert_eq!(summary.constraint.as_deref(), Some("CONSTRAINT_NONE"));
        assert!(summary.global_oom);
        assert_eq!(summary.oom_memcg, None);
        assert_eq!(summary.task.as_deref(), Some("/home/alex/farm"));
        assert_eq!((summary.pid, summary.uid), (Some(12041), Some(1000)));
        assert!(!summary.truncated);
    }

    #[test]
    fn summary_wrapped_with_spaces_after_commas() {
        let summary = summary("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null), cpuset=cri-containerd-f697.scope,mems_allowed=0, oom_memcg=/kubepods.slice/pod.slice, task_memcg=/kubepods.slice/pod.slice/cri.scope, task=python,pid=988370,uid=0").unwrap();
        assert_eq!(summary.cpuset.as_deref(), Some("cri-containerd-f697.scope"));
        assert_eq!(
            summary.oom_memcg.as_deref(),
            Some("/kubepods.slice/pod.slice")
        );
        assert_eq!(
            summary.task_memcg.as_deref(),
            Some("/kubepods.slice/pod.slice/cri.scope")
        );
        assert_eq!(summary.pid, Some(988_370));
        assert!(!summary.global_oom);
    }

    #[test]
    fn summary_keys_in_any_order_and_range_nodemask() {
        let summary = summary(
            "oom-kill:pid=5,uid=0,task=a,nodemask=0,2-3,constraint=CONSTRAINT_MEMORY_POLICY",
        )
        .unwrap();
        assert_eq!(summary.nodemask.as_deref(), Some("0,2-3"));
        assert_eq!(summary.pid, Some(5));
        assert!(summary.truncated);
    }

    #[test]
    fn summary_cut_mid_path_or_mid_pid() {
        let summary_cut = summary("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=x,mems_allowed=0,oom_memcg=/a/b,task_memcg=/a/b/c.sli").unwrap();
        assert!(summary_cut.truncated);
        assert_eq!(summary_cut.task_memcg.as_deref(), Some("/a/b/c.sli"));
        let summary_pid =
            summary("oom-kill:constraint=CONSTRAINT_NONE,global_oom,task=a,pid=98").unwrap();
        assert_eq!(summary_pid.pid, None);
        assert_eq!(summary_pid.task.as_deref(), Some("a"));
    }

    #[test]
    fn oom_group_path() {
        assert_eq!(oom_group("Tasks in /k/pod.slice/cri.scope are going to be killed due to memory.oom.group set"), Some("/k/pod.slice/cri.scope"));
    }

    #[test]
    fn reaper_lines() {
        let reaped = reaper("oom_reaper: reaped process 27281 (java), now anon-rss:0kB, file-rss:20kB, shmem-rss:0kB").unwrap();
        assert_eq!(
            (reaped.pid, reaped.comm.as_str(), reaped.reaped),
            (27281, "java", true)
        );
        assert_eq!(reaped.file_rss_kb, Some(20));
        let unable = reaper("oom_reaper: unable to reap pid:1234 (my prog)").unwrap();
        assert_eq!(
            (unable.pid, unable.comm.as_str(), unable.reaped),
            (1234, "my prog", false)
        );
    }

    #[test]
    fn notes_and_suppressed() {
        assert!(is_kill_note("oom killer 12 (a) has mm pinned by 13 (b)"));
        assert_eq!(
            callbacks_suppressed("oom_kill_process: 3 callbacks suppressed"),
            Some(3)
        );
        assert_eq!(
            callbacks_suppressed("warn_alloc: 12 callbacks suppressed"),
            Some(12)
        );
        assert_eq!(
            callbacks_suppressed("net_ratelimit: 3 callbacks suppressed"),
            None
        );
        assert_eq!(
            callbacks_suppressed("oom_kill_process: x callbacks suppressed"),
            None
        );
    }
}
