//! Remediation: the seed document's advice for each cause, made concrete with the report's
//! cgroup paths, node lists, limits and huge page pools.

use std::collections::BTreeSet;

use super::cgroup::{docker_container_id, kube_level, last_component, normalize, KubeLevel};
use super::explain::human_kb;
use super::nodes::format_node_list;
use super::verdict::{Finding, FragmentationFinding, MemcgFinding, NumaFinding, Verdict};
use super::{Factor, Remediation};
use crate::report::OomReport;

const KIB: u64 = 1024;

fn step(action: impl Into<String>, command: Option<String>) -> Remediation {
    Remediation {
        action: action.into(),
        command,
    }
}

/// Whether `text` (a cgroup path or name from the log) can go into a suggested shell command
/// verbatim: no quotes, blanks, `$`, backquotes or other shell syntax. Logs are untrusted and a
/// person may paste the command, so anything else gets no command.
fn shell_safe(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/@:+=,~\\".contains(c))
}

/// A path as a word of the inner `sh -c` command: double-quoted when it holds a backslash
/// (systemd's `\x2d` escapes), so the inner shell keeps it.
fn inner_word(path: &str) -> String {
    if path.contains('\\') {
        format!("\"{path}\"")
    } else {
        path.to_string()
    }
}

/// The remediation steps for `verdict`, then for each factor.
pub(super) fn remediation(
    report: &OomReport,
    verdict: &Verdict,
    factors: &[Factor],
) -> Vec<Remediation> {
    let mut steps = match &verdict.finding {
        Finding::Memcg(finding) => {
            cgroup_steps(finding, verdict.cgroup_version, !report.tasks.is_empty())
        }
        Finding::Numa(finding) => numa_steps(report, finding),
        Finding::Fragmentation(finding) => fragmentation_steps(report, finding),
        Finding::Host { .. } => host_steps(report),
        Finding::Manual { .. } => manual_steps(),
        Finding::Unknown => unknown_steps(),
    };
    for factor in factors {
        factor_steps(report, factor, &mut steps);
    }
    steps
}

/// A new limit 1.5 × the current one, rounded up to whole MiB, in bytes.
fn suggested_limit_bytes(limit_kb: u64) -> u64 {
    let mib = limit_kb.saturating_mul(3).div_ceil(2).div_ceil(KIB);
    mib.saturating_mul(KIB * KIB)
}

fn cgroup_steps(
    finding: &MemcgFinding,
    version: Option<&'static str>,
    has_task_table: bool,
) -> Vec<Remediation> {
    let limiting = finding
        .limiting
        .as_deref()
        .and_then(normalize)
        .filter(|path| *path != "/");
    let safe_path = limiting.filter(|path| shell_safe(path));
    let table = if has_task_table {
        " (the task table lists them, largest rss first)"
    } else {
        ""
    };
    let mut steps = vec![step(
        match limiting {
            Some(path) => format!("Find the processes using the memory of {path}{table} and stop the ones not needed"),
            None => format!("Find the processes of the memory cgroup that hit its limit{table} and stop the ones not needed"),
        },
        safe_path.map(|path| {
            format!("ps -eo pid,rss,comm,cgroup --sort=-rss | grep -F -- '{path}' | head -n 20")
        }),
    )];
    let now = finding
        .memory_limit_kb
        .map_or(String::new(), |kb| format!(" (now {})", human_kb(kb)));
    let suggested = finding.memory_limit_kb.map(suggested_limit_bytes);
    let suggestion = suggested.map_or(String::new(), |bytes| {
        format!(
            "; e.g. 1.5 × the current limit, rounded up: {bytes} bytes ({})",
            human_kb(bytes / KIB)
        )
    });
    match limiting.and_then(kube_level) {
        Some(KubeLevel::Pod { pod_uid }) => steps.push(step(
            format!("Raise resources.limits.memory of the containers of pod {pod_uid}: Kubernetes sets the pod cgroup's limit{now} to the sum of its containers' limits; the kubelet manages the cgroup files, so do not write them"),
            pod_lookup(&pod_uid),
        )),
        Some(KubeLevel::Container { pod_uid, container_id, .. }) => {
            let mebibytes = suggested.map_or(String::new(), |bytes| {
                format!(", e.g. to {}Mi", bytes / (KIB * KIB))
            });
            steps.push(step(
                format!("Raise resources.limits.memory of container {container_id} in pod {pod_uid}{now}{mebibytes}; the kubelet manages the cgroup files, so do not write them"),
                pod_lookup(&pod_uid),
            ));
        }
        None => match (limiting, safe_path) {
            (Some(path), Some(safe)) => {
                if let Some(id) = docker_container_id(path) {
                    steps.push(docker_step(id, finding, suggested));
                }
                let value = suggested.map_or("<bytes>".into(), |b| b.to_string());
                let versions: &[&str] = match version {
                    Some(v) => &[v][..],
                    None => &["v1", "v2"][..],
                };
                for v in versions {
                    steps.push(step(
                        format!("Raise the memory limit of {path}{now} where the workload needs more (cgroup {v}){suggestion}"),
                        Some(limit_command(safe, v, &value, finding, suggested)),
                    ));
                }
            }
            (Some(path), None) => steps.push(step(
                format!("Raise the memory limit of {path}{now} (memory.limit_in_bytes on cgroup v1, memory.max on v2); the path holds characters unsafe to paste into a shell, so no command is given"),
                None,
            )),
            (None, _) => steps.push(step(
                "Raise the memory limit of the cgroup that hit it (memory.limit_in_bytes on cgroup v1, memory.max on v2); the log does not name it",
                None,
            )),
        },
    }
    steps.push(step(
        "If the workload needs this much memory, move it to an instance type with more memory",
        None,
    ));
    steps
}

/// `kubectl` finding the pod by its uid.
fn pod_lookup(pod_uid: &str) -> Option<String> {
    shell_safe(pod_uid).then(|| {
        format!("kubectl get pods -A -o custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,UID:.metadata.uid | grep {pod_uid}")
    })
}

/// The cgroup file write that raises the limit; on v1 a set memory+swap limit is raised first,
/// by the same amount, since memory.limit_in_bytes may not exceed it.
fn limit_command(
    path: &str,
    version: &str,
    value: &str,
    finding: &MemcgFinding,
    suggested: Option<u64>,
) -> String {
    if version == "v2" {
        let file = inner_word(&format!("/sys/fs/cgroup{path}/memory.max"));
        return format!("sudo sh -c 'echo {value} > {file}'");
    }
    let file = inner_word(&format!(
        "/sys/fs/cgroup/memory{path}/memory.limit_in_bytes"
    ));
    let memsw = match (finding.memsw_limit_kb, finding.memory_limit_kb, suggested) {
        (Some(memsw), Some(memory), Some(bytes)) => Some(
            bytes
                .saturating_add(memsw.saturating_sub(memory).saturating_mul(KIB))
                .to_string(),
        ),
        (Some(_), _, _) => Some("<bytes>".into()),
        _ => None,
    };
    match memsw {
        Some(memsw_value) => {
            let memsw_file = inner_word(&format!(
                "/sys/fs/cgroup/memory{path}/memory.memsw.limit_in_bytes"
            ));
            format!("sudo sh -c 'echo {memsw_value} > {memsw_file} && echo {value} > {file}'")
        }
        None => format!("sudo sh -c 'echo {value} > {file}'"),
    }
}

/// Docker rewrites its containers' cgroup files from its own settings: change them there.
fn docker_step(id: &str, finding: &MemcgFinding, suggested: Option<u64>) -> Remediation {
    let short = id.get(..12).unwrap_or(id);
    let value = suggested.map_or("<bytes>".into(), |b| b.to_string());
    let swap = match (finding.memsw_limit_kb, finding.memory_limit_kb, suggested) {
        (Some(memsw), Some(memory), Some(bytes)) => format!(
            " --memory-swap {}",
            bytes.saturating_add(memsw.saturating_sub(memory).saturating_mul(KIB))
        ),
        (Some(_), _, _) => " --memory-swap <bytes>".into(),
        _ => String::new(),
    };
    step(
        format!("The cgroup is Docker container {short}'s: raise its limit through Docker, which keeps it across restarts"),
        Some(format!("docker update --memory {value}{swap} {short}")),
    )
}

fn host_steps(report: &OomReport) -> Vec<Remediation> {
    let largest = report.tasks.first().map_or(String::new(), |task| {
        format!(
            ": the task table's largest is {} (pid {})",
            task.name, task.pid
        )
    });
    vec![
        step(
            format!("Find the processes using the most memory and stop the ones not needed{largest}"),
            Some("ps -eo pid,rss,comm --sort=-rss | head -n 15".into()),
        ),
        step(
            "Check unreclaimable slab memory: above 10 % of total memory suggests a kernel (slab) memory leak",
            Some("grep SUnreclaim /proc/meminfo".into()),
        ),
        step(
            "Check systemd's memory: the OOM killer never kills PID 1, and systemd should stay under 200 MB; if it does not, update systemd",
            Some("grep RssAnon /proc/1/status".into()),
        ),
        step(
            "Check Transparent Huge Pages: THP can bloat memory use and trigger the OOM killer; consider `madvise` or `never`",
            Some("cat /sys/kernel/mm/transparent_hugepage/enabled".into()),
        ),
        step(
            "Add memory (an instance type with more memory) or swap",
            Some("free -h".into()),
        ),
    ]
}

fn numa_steps(report: &OomReport, finding: &NumaFinding) -> Vec<Remediation> {
    let mut steps = vec![step(
        "See how much memory each NUMA node has free",
        Some("cat /proc/buddyinfo".into()),
    )];
    let wider: BTreeSet<u32> = finding.seen.union(&finding.allowed).copied().collect();
    let nodes = (wider.len() > finding.allowed.len()).then(|| format_node_list(&wider));
    let allowed = format_node_list(&finding.allowed);
    if finding.by_mempolicy {
        steps.push(step(
            format!("The task's memory policy (numactl --membind, mbind, set_mempolicy) confines it to node(s) {allowed}: widen it to {}, or use --preferred/--interleave instead of a hard bind", nodes.as_deref().unwrap_or("all nodes")),
            Some("numactl --hardware".into()),
        ));
        return steps;
    }
    let Some(cpuset) = finding.cpuset.as_deref().filter(|c| *c != "/") else {
        steps.push(step(
            format!("Allow the task's cpuset more nodes than {allowed} (cpuset.mems)"),
            None,
        ));
        return steps;
    };
    if !shell_safe(cpuset) {
        steps.push(step(
            format!("Allow cpuset {cpuset} more nodes than {allowed} in its cpuset.mems; its name holds characters unsafe to paste into a shell, so no command is given"),
            None,
        ));
        return steps;
    }
    let source = match &nodes {
        Some(list) => format!("echo {list}"),
        None => "cat /sys/devices/system/node/online".into(),
    };
    let target = nodes.as_deref().unwrap_or("every online node");
    steps.push(step(
        format!("Allow cpuset {cpuset} the nodes it needs ({target}, not only {allowed}) on cgroup v1; the log prints only the cpuset's name, so if it is nested, find its directory first: find /sys/fs/cgroup/cpuset -type d -name {cpuset}"),
        Some(format!("sudo sh -c '{source} > /sys/fs/cgroup/cpuset/{cpuset}/cpuset.mems'")),
    ));
    // On v2 the cpuset is the task's own cgroup: the memcg path ends with the cpuset's name.
    let v2_path = report
        .summary
        .as_ref()
        .and_then(|s| s.task_memcg.as_deref())
        .and_then(normalize)
        .filter(|path| last_component(path) == cpuset && shell_safe(path));
    steps.push(match v2_path {
        Some(path) => step(
            format!("The same on cgroup v2, where the cpuset is the task's cgroup {path}"),
            Some(format!("sudo sh -c '{source} > {}'", inner_word(&format!("/sys/fs/cgroup{path}/cpuset.mems")))),
        ),
        None => step(
            format!("The same on cgroup v2: write {target} to cpuset.mems of the cgroup named {cpuset} (find /sys/fs/cgroup -type d -name {cpuset})"),
            None,
        ),
    });
    steps
}

fn fragmentation_steps(report: &OomReport, finding: &FragmentationFinding) -> Vec<Remediation> {
    let mut steps = vec![
        step(
            format!("Compact memory at off-peak times so order-{} ({}kB) blocks form again", finding.order, finding.block_kb),
            Some("sudo sh -c 'echo 1 > /proc/sys/vm/compact_memory'".into()),
        ),
        step(
            "Watch the free blocks per order and zone",
            Some("cat /proc/buddyinfo".into()),
        ),
        step(
            "Keep more memory free for high-order allocations: consider raising vm.min_free_kbytes, and lowering vm.extfrag_threshold so the kernel compacts sooner",
            Some("sysctl vm.min_free_kbytes vm.extfrag_threshold".into()),
        ),
    ];
    if report.compaction_disabled {
        steps.push(step(
            "The kernel was built without CONFIG_COMPACTION (COMPACTION is disabled!!!): use a kernel with compaction enabled",
            None,
        ));
    }
    steps
}

fn manual_steps() -> Vec<Remediation> {
    vec![
        step(
            "No memory action needed: the OOM killer was triggered by hand (sysrq-f, `echo f > /proc/sysrq-trigger`); find out who triggered it",
            None,
        ),
        step(
            "To prevent it, restrict the magic SysRq key (bit 64 of kernel.sysrq allows signalling processes, sysrq-f included)",
            Some("sysctl kernel.sysrq".into()),
        ),
    ]
}

fn unknown_steps() -> Vec<Remediation> {
    vec![step(
        "Capture the whole OOM report (memcg section, Mem-Info, oom-kill: summary): the excerpt does not show which limit was hit",
        Some("journalctl -k -b --no-pager | grep -A 150 'invoked oom-killer'".into()),
    )]
}

fn factor_steps(report: &OomReport, factor: &Factor, steps: &mut Vec<Remediation>) {
    match factor {
        Factor::HugepageReservation { node: Some(node), .. } => {
            let shortfall_kb: u64 = report
                .meminfo
                .zones
                .iter()
                .filter(|zone| zone.node == Some(*node))
                .filter_map(|zone| zone.watermarks)
                .map(|wm| wm.low_kb.saturating_sub(wm.free_kb))
                .fold(0, u64::saturating_add);
            for pool in report.meminfo.hugepages.iter().filter(|p| p.node == *node && p.total > 0) {
                let needed = shortfall_kb.div_ceil(pool.size_kb.max(1)).max(1);
                let target = pool.total.saturating_sub(needed);
                steps.push(step(
                    format!("Reduce the huge pages reserved on node {node} ({} × {}kB, {} unused) so it keeps memory for ordinary allocations, e.g. to {target}", pool.total, pool.size_kb, pool.free),
                    Some(format!("sudo sh -c 'echo {target} > /sys/devices/system/node/node{node}/hugepages/hugepages-{}kB/nr_hugepages'", pool.size_kb)),
                ));
            }
        }
        Factor::HugepageReservation { node: None, .. } => steps.push(step(
            "Reduce the huge pages reserved (vm.nr_hugepages) so ordinary allocations keep memory",
            Some("sysctl vm.nr_hugepages".into()),
        )),
        Factor::SlabLeak { .. } => steps.push(step(
            "Find the slab caches that grow (slabtop, /proc/slabinfo): an unreclaimable slab leak is a kernel or driver bug; update the kernel or the module that owns the cache",
            Some("sudo slabtop -o -s c | head -n 20".into()),
        )),
        Factor::SwapExhausted { .. } => steps.push(step(
            "Swap is used up: add swap, or reduce the memory in use",
            Some("swapon --show".into()),
        )),
        Factor::KubernetesPodLimit { .. } | Factor::KubernetesContainerLimit { .. } => {}
    }
}

#[cfg(test)]
mod tests {

    use crate::classify::testkit::{commands, Given};
    use crate::classify::{diagnose, Cause};

    #[test]
    fn unknown_cgroup_version_gets_both_limit_files() {
        let report = Given::oom()
            .summary("constraint=CONSTRAINT_MEMCG,oom_memcg=/app,task_memcg=/app/worker")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cgroup_version, None);
        let commands = commands(&diagnosis);
        assert!(commands.contains(
            &"sudo sh -c 'echo <bytes> > /sys/fs/cgroup/memory/app/memory.limit_in_bytes'"
        ));
        assert!(commands.contains(&"sudo sh -c 'echo <bytes> > /sys/fs/cgroup/app/memory.max'"));
    }

    #[test]
    fn systemd_escapes_are_quoted_for_the_inner_shell() {
        let report = Given::oom()
            .task_in(
                "/system.slice/system-foo\\x2dbar.slice",
                "/system.slice/system-foo\\x2dbar.slice",
            )
            .memory(1024, 1024, 1)
            .kmem(0, 9_007_199_254_740_988)
            .build();
        let diagnosis = diagnose(&report);
        assert!(commands(&diagnosis).contains(
            &"sudo sh -c 'echo 2097152 > \"/sys/fs/cgroup/memory/system.slice/system-foo\\x2dbar.slice/memory.limit_in_bytes\"'"
        ), "{:#?}", diagnosis.remediation);
    }

    #[test]
    fn hostile_cgroup_names_get_no_command() {
        let path = "/x'; rm -rf / #";
        let report = Given::oom()
            .task_in(path, path)
            .memory(1024, 1024, 1)
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.limiting_cgroup.as_deref(), Some(path));
        assert!(
            commands(&diagnosis).iter().all(|c| !c.contains("rm -rf")),
            "{:#?}",
            diagnosis.remediation
        );
        assert!(diagnosis
            .remediation
            .iter()
            .any(|r| r.action.contains("unsafe to paste")));
    }

    #[test]
    fn v2_cpuset_path_comes_from_the_task_memcg() {
        let report = Given::oom()
            .summary("constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=job.scope,mems_allowed=1,global_oom,task_memcg=/batch.slice/job.scope,task=x,pid=1,uid=0")
            .hugepages(0, 0, 0, 2048)
            .hugepages(1, 0, 0, 2048)
            .killed("Out of memory", 1, "x")
            .build();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.cause, Cause::NumaNodeOom);
        assert!(commands(&diagnosis)
            .contains(&"sudo sh -c 'echo 0-1 > /sys/fs/cgroup/batch.slice/job.scope/cpuset.mems'"));
    }
}
