//! Where a memory cgroup path is read for the container and Kubernetes pod it belongs to.

/// The container runtime a cgroup path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Docker,
    Containerd,
    CriO,
    Podman,
    Lxc,
    Garden,
}

impl Runtime {
    /// The `container.runtime` value: `docker`, `containerd`, `cri-o`, `podman`, `lxc`, `garden`.
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Docker => "docker",
            Runtime::Containerd => "containerd",
            Runtime::CriO => "cri-o",
            Runtime::Podman => "podman",
            Runtime::Lxc => "lxc",
            Runtime::Garden => "garden",
        }
    }
}

/// A Kubernetes pod's quality-of-service class, read from where its cgroup sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QosClass {
    /// The pod cgroup sits directly under `kubepods`.
    Guaranteed,
    Burstable,
    BestEffort,
}

impl QosClass {
    /// The `kubernetes.pod.qos_class` value: `guaranteed`, `burstable`, `besteffort`.
    pub fn as_str(self) -> &'static str {
        match self {
            QosClass::Guaranteed => "guaranteed",
            QosClass::Burstable => "burstable",
            QosClass::BestEffort => "besteffort",
        }
    }
}

/// A Kubernetes pod named by a cgroup path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodIdentity {
    /// The pod UID with dashes (`233b806c-04ce-433c-9e64-cf4c323e6c16`): systemd slice names
    /// carry it with `_` in place of `-`, which is turned back. Never empty.
    pub uid: String,
    pub qos_class: QosClass,
}

/// Who a cgroup belongs to. At least one of `id` and `pod` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerIdentity {
    /// The container id: 64 hex digits for docker, containerd, CRI-O and podman; the CT id or
    /// name for LXC; the handle for garden. `None` when the path names only a pod.
    pub id: Option<String>,
    /// `None` when the layout does not tell (a bare id under a cgroupfs-driver pod can be
    /// docker's or containerd's).
    pub runtime: Option<Runtime>,
    pub pod: Option<PodIdentity>,
}

/// The container and pod `cgroup_path` belongs to, or `None` when it names neither.
///
/// Layouts read, by path segment from the root:
/// - systemd scopes `docker-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`,
///   `crio-conmon-<id>.scope`, `libpod-<id>.scope` (the `.scope` is optional, as CRI-O's
///   cgroupfs driver leaves it off);
/// - cgroupfs `/docker/<id>`, and a bare 64-hex `<id>` anywhere else (runtime unknown);
/// - LXC `/lxc/<ctid>` (Proxmox), `lxc.payload.<name>` and `/lxc.payload/<name>` (LXC ≥ 4);
/// - garden `…/garden/<handle>` and `…/garden/good|bad/<handle>`;
/// - Kubernetes pods, systemd driver `kubepods[-burstable|-besteffort]-pod<uid>.slice`
///   (also with a prefix such as `kubelet-kubepods-…`), cgroupfs driver
///   `kubepods[/burstable|/besteffort]/pod<uid>`.
///
/// The outermost container wins: in `/lxc/39004/ns/system.slice/docker-<id>.scope` the docker
/// container runs inside LXC container 39004, which is the one reported, because its cgroup
/// is what the host's limits apply to. A pod found above the container is kept with it.
pub fn identify(cgroup_path: &str) -> Option<ContainerIdentity> {
    let mut identity = ContainerIdentity::default();
    let mut parent = "";
    let mut grandparent = "";
    for segment in cgroup_path.split('/').filter(|s| !s.is_empty()) {
        if identity.pod.is_none() {
            identity.pod = pod_segment(segment, parent, grandparent);
        }
        if let Some((id, runtime)) = container_segment(segment, parent, grandparent) {
            identity.id = Some(id.to_owned());
            identity.runtime = runtime;
            break;
        }
        grandparent = parent;
        parent = segment;
    }
    (identity.id.is_some() || identity.pod.is_some()).then_some(identity)
}

/// Scope-name prefixes and the runtime they name. `crio-conmon-<id>` is the cgroup of the
/// container's monitor process, named for the same container.
const SCOPE_PREFIXES: [(&str, Runtime); 6] = [
    ("docker-", Runtime::Docker),
    ("cri-containerd-", Runtime::Containerd),
    ("crio-conmon-", Runtime::CriO),
    ("crio-", Runtime::CriO),
    ("libpod-conmon-", Runtime::Podman),
    ("libpod-", Runtime::Podman),
];

/// The container id and runtime `segment` names, given the two segments above it.
fn container_segment<'a>(
    segment: &'a str,
    parent: &str,
    grandparent: &str,
) -> Option<(&'a str, Option<Runtime>)> {
    let stem = segment.strip_suffix(".scope").unwrap_or(segment);
    if let Some((id, runtime)) = SCOPE_PREFIXES.iter().find_map(|(prefix, runtime)| {
        stem.strip_prefix(prefix)
            .filter(|id| is_hex_id(id))
            .map(|id| (id, *runtime))
    }) {
        return Some((id, Some(runtime)));
    }
    if is_hex_id(segment) {
        let runtime = (parent == "docker").then_some(Runtime::Docker);
        return Some((segment, runtime));
    }
    if parent == "lxc" || parent == "lxc.payload" {
        return Some((segment, Some(Runtime::Lxc)));
    }
    if let Some(name) = segment
        .strip_prefix("lxc.payload.")
        .filter(|n| !n.is_empty())
    {
        return Some((name, Some(Runtime::Lxc)));
    }
    let garden_handle = (parent == "garden" && segment != "good" && segment != "bad")
        || (grandparent == "garden" && (parent == "good" || parent == "bad"));
    garden_handle.then_some((segment, Some(Runtime::Garden)))
}

/// The pod `segment` names, given the two segments above it.
fn pod_segment(segment: &str, parent: &str, grandparent: &str) -> Option<PodIdentity> {
    if let Some(stem) = segment.strip_suffix(".slice") {
        // `kubepods-burstable-pod<uid>`: the UID has `_` for `-`, so `-` splits the name.
        let mut pieces = stem.rsplit('-');
        let uid = pieces.next()?.strip_prefix("pod")?;
        let qos_class = match pieces.next()? {
            "kubepods" => QosClass::Guaranteed,
            "burstable" => QosClass::Burstable,
            "besteffort" => QosClass::BestEffort,
            _ => return None,
        };
        let under_kubepods = qos_class == QosClass::Guaranteed || pieces.next() == Some("kubepods");
        if !under_kubepods {
            return None;
        }
        return pod_identity(uid, qos_class);
    }
    let uid = segment.strip_prefix("pod")?;
    let qos_class = match (grandparent, parent) {
        (_, "kubepods") => QosClass::Guaranteed,
        ("kubepods", "burstable") => QosClass::Burstable,
        ("kubepods", "besteffort") => QosClass::BestEffort,
        _ => return None,
    };
    pod_identity(uid, qos_class)
}

/// The pod for a UID as found in a path, `None` when it is not UID-shaped.
fn pod_identity(uid: &str, qos_class: QosClass) -> Option<PodIdentity> {
    let uid_shaped = !uid.is_empty()
        && uid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    uid_shaped.then(|| PodIdentity {
        uid: uid.replace('_', "-"),
        qos_class,
    })
}

/// Whether `text` is a 64-hex-digit container id.
fn is_hex_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(
        id: &str,
        runtime: Option<Runtime>,
        pod: Option<(&str, QosClass)>,
    ) -> ContainerIdentity {
        ContainerIdentity {
            id: Some(id.to_owned()),
            runtime,
            pod: pod.map(|(uid, qos_class)| PodIdentity {
                uid: uid.to_owned(),
                qos_class,
            }),
        }
    }

    fn pod_only(uid: &str, qos_class: QosClass) -> ContainerIdentity {
        ContainerIdentity {
            id: None,
            runtime: None,
            pod: Some(PodIdentity {
                uid: uid.to_owned(),
                qos_class,
            }),
        }
    }

    #[test]
    fn cgroupfs_docker_009() {
        let id = "34186d9bd07706222bd427bb647ceed81e8e108eb653ff73c7137099fca1cab6";
        assert_eq!(
            identify(&format!("/docker/{id}")),
            Some(container(id, Some(Runtime::Docker), None))
        );
    }

    #[test]
    fn cgroupfs_docker_011() {
        let id = "0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53";
        assert_eq!(
            identify(&format!("/docker/{id}")),
            Some(container(id, Some(Runtime::Docker), None))
        );
    }

    #[test]
    fn containerd_scope_under_burstable_pod_slice_006() {
        let path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice/cri-containerd-f69706726f784bfb90a8a6378a41d684f1ed23508ef32ba586e477509f121867.scope";
        assert_eq!(
            identify(path),
            Some(container(
                "f69706726f784bfb90a8a6378a41d684f1ed23508ef32ba586e477509f121867",
                Some(Runtime::Containerd),
                Some(("233b806c-04ce-433c-9e64-cf4c323e6c16", QosClass::Burstable)),
            ))
        );
    }

    #[test]
    fn pod_slice_alone_names_the_pod_without_container_017() {
        let path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice";
        assert_eq!(
            identify(path),
            Some(pod_only(
                "5931aa75-4603-4e65-b552-7c71cf55cfb5",
                QosClass::Burstable
            ))
        );
    }

    #[test]
    fn containerd_scope_017() {
        let path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice/cri-containerd-25a38b5b8d556d7983d975577f5ac75ebbcfb4b269e6deaa0a0440c1ffc969ca.scope";
        let identity = identify(path);
        assert_eq!(
            identity.as_ref().and_then(|i| i.id.as_deref()),
            Some("25a38b5b8d556d7983d975577f5ac75ebbcfb4b269e6deaa0a0440c1ffc969ca")
        );
        assert_eq!(
            identity.and_then(|i| i.pod).map(|p| p.uid),
            Some("5931aa75-4603-4e65-b552-7c71cf55cfb5".to_owned())
        );
    }

    #[test]
    fn containerd_scope_018() {
        let path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod94eb36cd_29e1_478b_b365_4cb5dfc7d6fb.slice/cri-containerd-46b3e0a4df44b752b841aecca454e6e78995d567912a84950390bae6f6777a63.scope";
        assert_eq!(
            identify(path),
            Some(container(
                "46b3e0a4df44b752b841aecca454e6e78995d567912a84950390bae6f6777a63",
                Some(Runtime::Containerd),
                Some(("94eb36cd-29e1-478b-b365-4cb5dfc7d6fb", QosClass::Burstable)),
            ))
        );
    }

    #[test]
    fn docker_scope_under_kubelet_systemd_driver_023() {
        let path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0330b2c1_a15b_4cdd_b5e5_72d4a90bee82.slice/docker-b27201334a41cd0749d053b18378d7ea65617b8e26277197ea25c974da1a5a8a.scope";
        assert_eq!(
            identify(path),
            Some(container(
                "b27201334a41cd0749d053b18378d7ea65617b8e26277197ea25c974da1a5a8a",
                Some(Runtime::Docker),
                Some(("0330b2c1-a15b-4cdd-b5e5-72d4a90bee82", QosClass::Burstable)),
            ))
        );
    }

    #[test]
    fn cgroupfs_guaranteed_pod_with_bare_id_024() {
        let path = "/kubepods/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e/6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b";
        assert_eq!(
            identify(path),
            Some(container(
                "6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b",
                None,
                Some(("95387fa4-da9c-11e7-9d36-5254b24cbf5e", QosClass::Guaranteed)),
            ))
        );
    }

    #[test]
    fn cgroupfs_burstable_and_besteffort_pods() {
        let id = "6895a3e13439535852d3184ac2aadd26d7363cc035f171545ec7d4ce74073b0b";
        let burstable = identify(&format!(
            "/kubepods/burstable/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e/{id}"
        ));
        assert_eq!(
            burstable.and_then(|i| i.pod).map(|p| p.qos_class),
            Some(QosClass::Burstable)
        );
        let besteffort = identify("/kubepods/besteffort/pod95387fa4-da9c-11e7-9d36-5254b24cbf5e");
        assert_eq!(
            besteffort,
            Some(pod_only(
                "95387fa4-da9c-11e7-9d36-5254b24cbf5e",
                QosClass::BestEffort
            ))
        );
    }

    #[test]
    fn systemd_guaranteed_and_besteffort_pod_slices() {
        assert_eq!(
            identify("/kubepods.slice/kubepods-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice"),
            Some(pod_only(
                "233b806c-04ce-433c-9e64-cf4c323e6c16",
                QosClass::Guaranteed
            ))
        );
        assert_eq!(
            identify("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice"),
            Some(pod_only(
                "233b806c-04ce-433c-9e64-cf4c323e6c16",
                QosClass::BestEffort
            ))
        );
    }

    #[test]
    fn kubelet_prefixed_pod_slice() {
        let path = "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice";
        assert_eq!(
            identify(path).and_then(|i| i.pod).map(|p| p.qos_class),
            Some(QosClass::Burstable)
        );
    }

    #[test]
    fn crio_scope_and_its_conmon_scope() {
        let id = "1e479e759020fa0b6c72def90973540a2d33982fea2ad67a96373b4da751a820";
        let pod = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice";
        let expected = container(
            id,
            Some(Runtime::CriO),
            Some(("233b806c-04ce-433c-9e64-cf4c323e6c16", QosClass::BestEffort)),
        );
        assert_eq!(
            identify(&format!("{pod}/crio-{id}.scope")),
            Some(expected.clone())
        );
        assert_eq!(
            identify(&format!("{pod}/crio-conmon-{id}.scope")),
            Some(expected)
        );
    }

    #[test]
    fn crio_cgroupfs_driver_without_scope_suffix() {
        let id = "1e479e759020fa0b6c72def90973540a2d33982fea2ad67a96373b4da751a820";
        let identity = identify(&format!("/kubepods/burstable/pod1234/crio-{id}"));
        assert_eq!(identity.and_then(|i| i.runtime), Some(Runtime::CriO));
    }

    #[test]
    fn docker_scope_in_system_slice() {
        let id = "a59e4e7d3090c04c6ce5a4b7a8bc85228eb9b96ac00b1284643a8c7c11dda661";
        assert_eq!(
            identify(&format!("/system.slice/docker-{id}.scope")),
            Some(container(id, Some(Runtime::Docker), None))
        );
    }

    #[test]
    fn podman_libpod_scope() {
        let id = "a59e4e7d3090c04c6ce5a4b7a8bc85228eb9b96ac00b1284643a8c7c11dda661";
        assert_eq!(
            identify(&format!("/machine.slice/libpod-{id}.scope")),
            Some(container(id, Some(Runtime::Podman), None))
        );
    }

    #[test]
    fn proxmox_lxc_container_and_docker_nested_in_it() {
        assert_eq!(
            identify("/lxc/39004"),
            Some(container("39004", Some(Runtime::Lxc), None))
        );
        let nested = "/lxc/39004/ns/system.slice/docker-a59e4e7d3090c04c6ce5a4b7a8bc85228eb9b96ac00b1284643a8c7c11dda661.scope";
        assert_eq!(
            identify(nested),
            Some(container("39004", Some(Runtime::Lxc), None))
        );
    }

    #[test]
    fn lxc4_payload_cgroups() {
        assert_eq!(
            identify("/lxc.payload.web1/init.scope"),
            Some(container("web1", Some(Runtime::Lxc), None))
        );
        assert_eq!(
            identify("/lxc.payload/web1"),
            Some(container("web1", Some(Runtime::Lxc), None))
        );
        assert_eq!(identify("/lxc.monitor/web1"), None);
    }

    #[test]
    fn garden_handles_027() {
        assert_eq!(
            identify("/system.slice/garden.service/garden/good/db315859-a870-4d77-50f9-02b6"),
            Some(container(
                "db315859-a870-4d77-50f9-02b6",
                Some(Runtime::Garden),
                None
            ))
        );
        assert_eq!(
            identify("/system.slice/garden.service/garden/good/88687739-ff79-4e0c-79d0-d231"),
            Some(container(
                "88687739-ff79-4e0c-79d0-d231",
                Some(Runtime::Garden),
                None
            ))
        );
        assert_eq!(
            identify("/garden/handle-1"),
            Some(container("handle-1", Some(Runtime::Garden), None))
        );
        assert_eq!(identify("/system.slice/garden.service/garden/good"), None);
    }

    #[test]
    fn host_paths_name_no_container() {
        for path in [
            "",
            "/",
            "host",
            "/mm_test/2",
            "/system.slice/monit.service",
            "/user.slice/user-1000.slice/session-2.scope",
            "/kubepods.slice",
            "/kubepods.slice/kubepods-burstable.slice",
            "/kubepods/burstable",
            "/podcast/episodes",
            "/docker/not-an-id",
            "/system.slice/docker-1234.scope",
        ] {
            assert_eq!(identify(path), None, "{path}");
        }
    }

    #[test]
    fn pod_uid_with_foreign_characters_is_not_a_pod() {
        assert_eq!(identify("/kubepods/pod12 34"), None);
        assert_eq!(identify("/kubepods.slice/kubepods-pod.slice"), None);
    }

    #[test]
    fn non_ascii_segments_do_not_panic() {
        assert_eq!(identify("/dockér/ü/lxc/"), None);
        assert_eq!(
            identify("/lxc/конт"),
            Some(container("конт", Some(Runtime::Lxc), None))
        );
    }
}
