//! Every real OOM report in `tests/fixtures/corpus` (copied verbatim from shared/corpus) yields
//! an event with the cause and victim its sidecar expects.

mod common;

macro_rules! corpus_case {
    ($test:ident, $name:literal) => {
        #[test]
        fn $test() {
            common::check("corpus", $name);
        }
    };
}

corpus_case!(
    c_002_cpuset_email_wrapped_mixed_prefix,
    "002-cpuset-email-wrapped-mixed-prefix"
);
corpus_case!(
    c_003_cpuset_abridged_mem_on_node,
    "003-cpuset-abridged-mem_on_node"
);
corpus_case!(
    c_004_frag_order3_xorg_nvidia_4_7,
    "004-frag-order3-xorg-nvidia-4.7"
);
corpus_case!(
    c_006_k8s_kmsg_pod_slice_parent_wrapped,
    "006-k8s-kmsg-pod-slice-parent-wrapped"
);
corpus_case!(
    c_008_host_oom_numa2_pagecache_4_9_email_wrapped,
    "008-host-oom-numa2-pagecache-4.9-email-wrapped"
);
corpus_case!(
    c_009_docker_v1_tmux_paste_dup_4_4,
    "009-docker-v1-tmux-paste-dup-4.4"
);
corpus_case!(
    c_011_docker_v1_tomcat_path_wrapped_4_15_azure,
    "011-docker-v1-tomcat-path-wrapped-4.15-azure"
);
corpus_case!(
    c_013_frag_order2_pagealloc_android_hi3650_4_1,
    "013-frag-order2-pagealloc-android-hi3650-4.1"
);
corpus_case!(
    c_015_host_oom_rsyslog_rfc3339_grep_pid,
    "015-host-oom-rsyslog-rfc3339-grep-pid"
);
corpus_case!(
    c_017_aks_k8s_pod_parent_cgroupv2_syslog_5_15,
    "017-aks-k8s-pod-parent-cgroupv2-syslog-5.15"
);
corpus_case!(
    c_018_k8s_pod_parent_oomgroup_grep_6_x,
    "018-k8s-pod-parent-oomgroup-grep-6.x"
);
corpus_case!(
    c_023_k8s_v1_alibaba_ecs_syslog_truncated,
    "023-k8s-v1-alibaba-ecs-syslog-truncated"
);
corpus_case!(
    c_024_k8s_rhel7_dmesgt_event_boundary,
    "024-k8s-rhel7-dmesgT-event-boundary"
);
corpus_case!(
    c_025_host_oom_dmesg_x_t_gcp_5_15_header_only,
    "025-host-oom-dmesg-x-T-gcp-5.15-header-only"
);
corpus_case!(
    c_027_garden_kibana_export_reverse_order,
    "027-garden-kibana-export-reverse-order"
);
corpus_case!(oomanalyser_archlinux_6_1_1, "oomanalyser-archlinux_6_1_1");
corpus_case!(
    oomanalyser_proxmox_cgroup_oom,
    "oomanalyser-proxmox_cgroup_oom"
);
corpus_case!(oomanalyser_rhel7, "oomanalyser-rhel7");
corpus_case!(oomanalyser_ubuntu2110, "oomanalyser-ubuntu2110");
corpus_case!(seed_0_header_line_numbers, "seed-0-header-line-numbers");
corpus_case!(seed_1_cgroup_limit, "seed-1-cgroup-limit");
corpus_case!(seed_2_parent_cgroup_limit, "seed-2-parent-cgroup-limit");
corpus_case!(seed_3_host_oom, "seed-3-host-oom");
corpus_case!(seed_4_numa_node_oom, "seed-4-numa-node-oom");
corpus_case!(seed_5_buddy_fragmentation, "seed-5-buddy-fragmentation");

/// Every fixture log has a case above, so a log added to the corpus cannot go untested.
#[test]
fn every_fixture_has_a_case() {
    common::assert_every_fixture_has_a_case("corpus", include_str!("corpus.rs"));
}

/// A report that is pasted twice (corpus 009) yields one event per kill, not two.
#[test]
fn pasted_twice_counts_one_kill() {
    let events = common::events_of("corpus", "009-docker-v1-tmux-paste-dup-4.4");
    let kills = events
        .iter()
        .filter(|e| e["process"]["pid"] == 11344)
        .count();
    assert_eq!(kills, 1, "{events:#?}");
}

/// The chosen victim of a memory.oom.group kill is printed twice (corpus 018): one event.
#[test]
fn oom_group_victim_printed_twice_is_one_event() {
    let events = common::events_of("corpus", "018-k8s-pod-parent-oomgroup-grep-6.x");
    assert_eq!(
        events
            .iter()
            .filter(|e| e["process"]["pid"] == 22609)
            .count(),
        1,
        "{events:#?}"
    );
}
