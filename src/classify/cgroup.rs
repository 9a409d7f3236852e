//! What cgroup paths say: ancestry, Kubernetes pod and container levels, and which cgroup
//! version a memcg section was printed by.

use crate::report::OomReport;

/// `path` without surrounding blanks and trailing slashes; the root stays `/`.
/// `None` for an empty path or one that is not absolute (a cgroup path always starts with `/`).
pub(super) fn normalize(path: &str) -> Option<&str> {
    let trimmed = path.trim();
    if !trimmed.starts_with('/') {
        return None;
    }
    let without_slash = trimmed.trim_end_matches('/');
    Some(if without_slash.is_empty() {
        "/"
    } else {
        without_slash
    })
}

/// Whether `ancestor` is a strict ancestor of `path`, component by component: `/a` is an
/// ancestor of `/a/b` but not of `/ab` nor of `/a`; the root `/` is an ancestor of every
/// other path. Trailing slashes do not matter. Paths that are not absolute are never related.
pub(super) fn is_ancestor(ancestor: &str, path: &str) -> bool {
    let (Some(ancestor), Some(path)) = (normalize(ancestor), normalize(path)) else {
        return false;
    };
    if ancestor == path {
        return false;
    }
    if ancestor == "/" {
        return true;
    }
    path.strip_prefix(ancestor)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// The deepest cgroup that is `paths`' own or an ancestor of each, component by component:
/// `/a/b/c` and `/a/b/d` give `/a/b`. `None` for no path or one that is not absolute.
pub(super) fn common_ancestor<'a>(paths: &[&'a str]) -> Option<&'a str> {
    let (first, rest) = paths.split_first()?;
    let first = normalize(first)?;
    let mut end = first.len();
    for path in rest {
        let path = normalize(path)?;
        while !(path == first.get(..end)? || is_ancestor(first.get(..end)?, path)) {
            end = first.get(..end)?.rfind('/')?;
            if end == 0 {
                return Some("/");
            }
        }
    }
    first.get(..end)
}

/// Whether two cgroup paths name the same cgroup (ignoring blanks and trailing slashes). A
/// path a person abridged with one `...` (or `…`) component stands for one or more components
/// there: `/user.slice/.../app.service` names `/user.slice/user-1000.slice/app.service`.
pub(super) fn same_cgroup(a: &str, b: &str) -> bool {
    let (Some(x), Some(y)) = (normalize(a), normalize(b)) else {
        return false;
    };
    x == y || matches_elided(x, y) || matches_elided(y, x)
}

/// Whether `pattern`, a path with one elided run of components, matches `path`: same
/// components before the gap and after it, and at least one component in it.
fn matches_elided(pattern: &str, path: &str) -> bool {
    let is_gap = |component: &&str| matches!(*component, "..." | "…");
    let parts: Vec<&str> = pattern.split('/').collect();
    let Some(gap) = parts.iter().position(is_gap) else {
        return false;
    };
    let (Some(head), Some(tail)) = (parts.get(..gap), parts.get(gap.saturating_add(1)..)) else {
        return false;
    };
    if tail.iter().any(is_gap) {
        return false;
    }
    let components: Vec<&str> = path.split('/').collect();
    let fixed = head.len().saturating_add(tail.len());
    components.len() > fixed && components.starts_with(head) && components.ends_with(tail)
}

/// The parent of a cgroup path; `None` for the root or a path that is not absolute.
pub(super) fn parent(path: &str) -> Option<&str> {
    let path = normalize(path)?;
    if path == "/" {
        return None;
    }
    let cut = path.rfind('/')?;
    Some(if cut == 0 { "/" } else { path.get(..cut)? })
}

/// The last component of a cgroup path (`/` for the root).
pub(super) fn last_component(path: &str) -> &str {
    let Some(path) = normalize(path) else {
        return path;
    };
    path.rsplit('/').find(|c| !c.is_empty()).unwrap_or("/")
}

/// Where a cgroup sits in the Kubernetes hierarchy the kubelet manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum KubeLevel {
    /// A pod-level cgroup (`kubepods-…-pod<uid>.slice`, `/kubepods/[qos/]pod<uid>`): its limit
    /// is the sum of its containers' limits, and it holds no processes itself.
    Pod { pod_uid: String },
    /// A container's cgroup directly below a pod-level cgroup (`cri-containerd-<id>.scope`,
    /// `docker-<id>.scope`, `crio-<id>.scope`, or the bare id with the cgroupfs driver).
    Container {
        pod_uid: String,
        pod_path: String,
        container_id: String,
    },
}

/// The Kubernetes level of `path`, when it is a pod or a container cgroup under `kubepods`.
pub(super) fn kube_level(path: &str) -> Option<KubeLevel> {
    let path = normalize(path)?;
    let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let mut seen_kubepods = false;
    let mut pod_at = None;
    for (index, component) in components.iter().enumerate() {
        seen_kubepods |= component.contains("kubepods");
        if seen_kubepods {
            if let Some(uid) = pod_uid(component) {
                pod_at = Some((index, uid));
            }
        }
    }
    let (index, pod_uid) = pod_at?;
    let depth_below_pod = components.len().checked_sub(index)?.checked_sub(1)?;
    match depth_below_pod {
        0 => Some(KubeLevel::Pod { pod_uid }),
        1 => {
            let container = components.last()?;
            let pod_path = format!("/{}", components.get(..=index)?.join("/"));
            Some(KubeLevel::Container {
                pod_uid,
                pod_path,
                container_id: container_id(container).to_string(),
            })
        }
        _ => None,
    }
}

/// How two cgroup paths that are not the same string, nor one a prefix of the other, relate
/// by what their components name: posted logs elide (`...`), redact and mistype paths, but a
/// pod UID or a container ID names one cgroup wherever it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Identity {
    /// Both paths end in the same container: the evidence says which id.
    Same(String),
    /// The first path is the task's pod, or the kubepods (QoS or node-allocatable) cgroup
    /// above the task's pod: the evidence says which.
    Above(String),
}

/// Relates `limiting` to `task` by identity: the same container id in both last components;
/// a limiting pod (its last component names pod UID U) above a task whose path names U in
/// an earlier component; a limiting `kubepods` / QoS cgroup above a task in a pod.
/// `None` when no identity relates them.
pub(super) fn by_identity(limiting: &str, task: &str) -> Option<Identity> {
    let (limiting, task) = (normalize(limiting)?, normalize(task)?);
    let task_components: Vec<&str> = task.split('/').filter(|c| !c.is_empty()).collect();
    let (task_last, task_above) = task_components.split_last()?;
    let limiting_last = last_component(limiting);
    let (limiting_id, task_id) = (container_id(limiting_last), container_id(task_last));
    if limiting_id == task_id && is_hex_id(task_id) {
        return Some(Identity::Same(format!("container {task_id}")));
    }
    if let Some(uid) = pod_uid(limiting_last) {
        if task_above
            .iter()
            .any(|c| pod_uid(c).as_deref() == Some(uid.as_str()))
        {
            return Some(Identity::Above(format!("pod {uid}")));
        }
    }
    let kubepods_level = limiting_last.starts_with("kubepods")
        || (matches!(limiting_last, "burstable" | "besteffort") && limiting.contains("kubepods"));
    if kubepods_level && task_above.iter().any(|c| pod_uid(c).is_some()) {
        return Some(Identity::Above(format!(
            "{limiting_last}, the Kubernetes cgroup above every pod of its class"
        )));
    }
    None
}

/// A container id as runtimes write it: at least 12 hex digits.
fn is_hex_id(id: &str) -> bool {
    id.len() >= 12 && id.chars().all(|c| c.is_ascii_hexdigit())
}

/// The pod uid a pod-level component names, with the systemd driver's `_` turned back into `-`.
fn pod_uid(component: &str) -> Option<String> {
    let body = match component.strip_suffix(".slice") {
        Some(stem) => stem.get(stem.rfind("-pod")?.checked_add(4)?..)?,
        None => component.strip_prefix("pod")?,
    };
    let plausible = body.len() >= 8
        && body
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '-' || c == '_')
        && body.chars().any(|c| c.is_ascii_hexdigit());
    plausible.then(|| body.replace('_', "-"))
}

/// The container id in a container cgroup's name, without the runtime's prefix and `.scope`.
fn container_id(component: &str) -> &str {
    let stem = component.strip_suffix(".scope").unwrap_or(component);
    [
        "cri-containerd-",
        "docker-",
        "crio-",
        "cri-o-",
        "containerd-",
    ]
    .iter()
    .find_map(|prefix| stem.strip_prefix(prefix))
    .unwrap_or(stem)
}

/// The Docker container id of a path Docker manages outside Kubernetes (`/docker/<id>`, or
/// `…/docker-<id>.scope` with the systemd driver); `None` otherwise.
pub(super) fn docker_container_id(path: &str) -> Option<&str> {
    if kube_level(path).is_some() {
        return None;
    }
    let last = last_component(path);
    let id = match last.strip_prefix("docker-") {
        Some(rest) => rest.strip_suffix(".scope")?,
        None if parent(path).is_some_and(|p| last_component(p) == "docker") => last,
        None => return None,
    };
    (id.len() >= 12 && id.chars().all(|c| c.is_ascii_hexdigit())).then_some(id)
}

/// `v1` or `v2`: which memory cgroup hierarchy printed the memcg section, where it tells.
///
/// v2 prints a `swap:` counter; v1 prints `memory+swap:` and `kmem:` counters, the ≤ 4.19
/// `Task in` line and the `cache`/`rss` stats keys. A complete ≥ 5.0 section (a `memory:`
/// counter and the `oom-kill:` summary) without `memory+swap:`/`kmem:` lines is v2 when its
/// stats use memory.stat keys (`anon`, `file`) or its paths are systemd units.
pub(super) fn version(report: &OomReport) -> Option<&'static str> {
    let memcg = &report.memcg;
    if memcg.swap.is_some() {
        return Some("v2");
    }
    let task_in_line = memcg.task_cgroup.is_some()
        && memcg
            .limit_cgroup
            .as_deref()
            .is_some_and(|limit| limit.trim() != "host");
    let v1_stats = memcg
        .stats
        .iter()
        .any(|s| s.get("cache").is_some() || s.get("rss").is_some());
    if memcg.memory_swap.is_some() || memcg.kmem.is_some() || task_in_line || v1_stats {
        return Some("v1");
    }
    let complete_v5_section = memcg.memory.is_some() && report.summary.is_some();
    let v2_stats = memcg
        .stats
        .iter()
        .any(|s| s.get("anon").is_some() || s.get("file").is_some());
    let unit_paths = report
        .summary
        .iter()
        .flat_map(|s| [s.oom_memcg.as_deref(), s.task_memcg.as_deref()])
        .flatten()
        .chain(memcg.stats.iter().map(|s| s.cgroup.as_str()))
        .any(|p| p.contains(".slice") || p.contains(".scope"));
    (complete_v5_section && (v2_stats || unit_paths)).then_some("v2")
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::report::{MemcgStats, OomSummary, PageCounter};

    #[test]
    fn identity_relates_elided_and_redacted_kubernetes_paths() {
        // corpus-like: the LXC name elided in oom_memcg only.
        let pod = "/lxc.payload....-lxc/kubepods.slice/.../kubepods-burstable-podeded8c65_6e8e_4c6e_a889_3e427565c740.slice";
        let task = "/lxc.payload.ny2g2r5hh3-lxc/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podeded8c65_6e8e_4c6e_a889_3e427565c740.slice/cri-containerd-0123456789abcdef0123.scope";
        assert!(!is_ancestor(pod, task));
        assert_eq!(
            by_identity(pod, task),
            Some(Identity::Above(
                "pod eded8c65-6e8e-4c6e-a889-3e427565c740".into()
            ))
        );
        // cgroupfs driver, dashes.
        assert!(matches!(
            by_identity(
                "/kubepods/podf1c273d3-9b36-11ea-b3df-246e9693c184",
                "/kubepods/burstable/podf1c273d3-9b36-11ea-b3df-246e9693c184/1f246a3eeea8"
            ),
            Some(Identity::Above(_))
        ));
        // The node-allocatable cgroup above a pod.
        assert!(matches!(
            by_identity("/kubepods.slice", "/x/kubepods.slice/kubepods-pod57a0b3fe_c602_4585_b2f3_b07076fb3961.slice/cri-containerd-84.scope"),
            Some(Identity::Above(_))
        ));
        // The same container, its path abridged differently.
        assert_eq!(
            by_identity(
                "/docker/.../0123456789abcdef",
                "/system.slice/docker-0123456789abcdef.scope"
            ),
            Some(Identity::Same("container 0123456789abcdef".into()))
        );
        // Unrelated pods, and a task that is the pod itself, are not related by identity.
        assert_eq!(
            by_identity("/kubepods/podaaaaaaaa-1111", "/kubepods/podbbbbbbbb-2222/c"),
            None
        );
        assert_eq!(
            by_identity("/kubepods/podaaaaaaaa-1111", "/other/podaaaaaaaa-1111"),
            None
        );
        assert_eq!(by_identity("/a/b", "/c/d"), None);
    }

    #[test]
    fn common_ancestor_is_component_wise() {
        assert_eq!(common_ancestor(&["/a/b/c", "/a/b/d"]), Some("/a/b"));
        assert_eq!(common_ancestor(&["/a/bc", "/a/bd"]), Some("/a"));
        assert_eq!(common_ancestor(&["/a/b", "/a/b/c"]), Some("/a/b"));
        assert_eq!(common_ancestor(&["/a", "/b"]), Some("/"));
        assert_eq!(common_ancestor(&["/a/b/"]), Some("/a/b"));
        assert_eq!(common_ancestor(&["a/b", "/a"]), None);
    }

    #[test]
    fn ancestor_is_component_wise_not_a_string_prefix() {
        assert!(is_ancestor("/a", "/a/b"));
        assert!(!is_ancestor("/a", "/ab"));
        assert!(!is_ancestor("/a/b", "/a"));
    }

    #[test]
    fn ancestor_ignores_trailing_slashes() {
        assert!(is_ancestor("/mm_test/", "/mm_test/2"));
        assert!(is_ancestor("/mm_test", "/mm_test/2/"));
        assert!(!is_ancestor("/mm_test/", "/mm_test"));
        assert!(same_cgroup("/mm_test/", "/mm_test"));
    }

    #[test]
    fn path_abridged_with_dots_names_the_same_cgroup() {
        let full = "/user.slice/user-1000.slice/user@1000.service/app.slice/labm6.service";
        assert!(same_cgroup("/user.slice/.../labm6.service", full));
        assert!(same_cgroup(full, "/user.slice/…/labm6.service"));
        assert!(!same_cgroup("/user.slice/.../other.service", full));
        assert!(
            !same_cgroup("/user.slice/.../labm6.service", "/user.slice/labm6.service"),
            "the gap stands for at least one component"
        );
        assert!(!same_cgroup("/a/.../b/.../c", "/a/x/b/y/c"), "one gap only");
    }

    #[test]
    fn root_is_ancestor_of_everything_but_itself() {
        assert!(is_ancestor("/", "/user.slice"));
        assert!(is_ancestor("/", "/a/b/c"));
        assert!(!is_ancestor("/", "/"));
        assert!(!is_ancestor("//", "/"));
    }

    #[test]
    fn relative_or_empty_paths_are_never_related() {
        assert!(!is_ancestor("", "/a"));
        assert!(!is_ancestor("host", "/a"));
        assert!(!same_cgroup("host", "host"));
    }

    #[test]
    fn parent_and_last_component() {
        assert_eq!(parent("/a/b/"), Some("/a"));
        assert_eq!(parent("/a"), Some("/"));
        assert_eq!(parent("/"), None);
        assert_eq!(last_component("/a/b.scope/"), "b.scope");
        assert_eq!(last_component("/"), "/");
    }

    #[test]
    fn systemd_pod_slice_is_pod_level() {
        let path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice";
        assert_eq!(
            kube_level(path),
            Some(KubeLevel::Pod {
                pod_uid: "233b806c-04ce-433c-9e64-cf4c323e6c16".into()
            })
        );
    }

    #[test]
    fn containerd_scope_below_pod_is_container_level() {
        let pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice";
        let path = format!("{pod}/cri-containerd-f69706726f784bfb90a8a6378a41d684f1ed23508ef32ba586e477509f121867.scope");
        assert_eq!(
            kube_level(&path),
            Some(KubeLevel::Container {
                pod_uid: "233b806c-04ce-433c-9e64-cf4c323e6c16".into(),
                pod_path: pod.into(),
                container_id: "f69706726f784bfb90a8a6378a41d684f1ed23508ef32ba586e477509f121867"
                    .into(),
            })
        );
    }

    #[test]
    fn cgroupfs_driver_pod_and_container() {
        let path = "/kubepods/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e/6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b";
        match kube_level(path) {
            Some(KubeLevel::Container {
                pod_uid,
                pod_path,
                container_id,
            }) => {
                assert_eq!(pod_uid, "95387fa4-da9c-11e7-9d36-5254b24cbf5e");
                assert_eq!(
                    pod_path,
                    "/kubepods/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e"
                );
                assert!(container_id.starts_with("6895a3e1"));
            }
            other => panic!("not a container: {other:?}"),
        }
        assert!(matches!(
            kube_level("/kubepods/burstable/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e"),
            Some(KubeLevel::Pod { .. })
        ));
    }

    #[test]
    fn non_kubernetes_paths_have_no_kube_level() {
        assert_eq!(kube_level("/podman/abc"), None);
        assert_eq!(kube_level("/pod12345678"), None, "no kubepods ancestor");
        assert_eq!(kube_level("/kubepods.slice"), None);
        assert_eq!(kube_level("/kubepods.slice/kubepods-burstable.slice"), None);
    }

    #[test]
    fn docker_ids_outside_kubernetes() {
        let id = "34186d9bd07706222bd427bb647ceed81e8e108eb653ff73c7137099fca1cab6";
        assert_eq!(docker_container_id(&format!("/docker/{id}")), Some(id));
        assert_eq!(
            docker_container_id(&format!("/system.slice/docker-{id}.scope")),
            Some(id)
        );
        assert_eq!(docker_container_id("/docker"), None);
        assert_eq!(docker_container_id("/system.slice/docker.service"), None);
    }

    fn counter(usage_kb: u64, limit_kb: u64) -> PageCounter {
        PageCounter {
            usage_kb,
            limit_kb,
            failcnt: 0,
        }
    }

    #[test]
    fn version_from_counters() {
        let mut report = OomReport::default();
        assert_eq!(version(&report), None);
        report.memcg.memory = Some(counter(1, 1));
        report.memcg.swap = Some(counter(0, 0));
        assert_eq!(version(&report), Some("v2"));
        report.memcg.swap = None;
        report.memcg.kmem = Some(counter(0, 1 << 53));
        assert_eq!(version(&report), Some("v1"));
    }

    #[test]
    fn version_from_stats_keys() {
        let mut report = OomReport::default();
        report.memcg.stats.push(MemcgStats {
            cgroup: "/docker/x".into(),
            values_bytes: vec![("cache".into(), 0), ("rss".into(), 4096)],
        });
        assert_eq!(version(&report), Some("v1"));
    }

    #[test]
    fn complete_v5_section_without_v1_counters_is_v2() {
        let mut report = OomReport::default();
        report.memcg.memory = Some(counter(4_194_304, 4_194_304));
        report.summary = Some(OomSummary {
            oom_memcg: Some("/kubepods.slice/kubepods-burstable.slice".into()),
            ..OomSummary::default()
        });
        assert_eq!(version(&report), Some("v2"));
        report.memcg.memory = None;
        assert_eq!(version(&report), None, "a cut section shows no absence");
    }

    #[test]
    fn alibaba_limit_of_host_is_not_a_v1_task_in_line() {
        let mut report = OomReport::default();
        report.memcg.task_cgroup = Some("/user.slice".into());
        report.memcg.limit_cgroup = Some("host".into());
        assert_eq!(version(&report), None);
    }
}
