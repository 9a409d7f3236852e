//! Real OOM reports gathered beyond the shared corpus (`tests/fixtures/extra`, each with a
//! sidecar in the corpus's format) yield an event with the cause and victim the sidecar
//! expects.

mod common;

macro_rules! extra_case {
    ($test:ident, $name:literal) => {
        #[test]
        fn $test() {
            common::check("extra", $name);
        }
    };
}

extra_case!(
    x01_memcg_own_leaker_5_2_lkml,
    "x01-memcg-own-leaker-5.2-lkml"
);
extra_case!(
    x02_numa_mempolicy_rocky8_syslog_012,
    "x02-numa-mempolicy-rocky8-syslog-012"
);
extra_case!(
    x03_host_oom_arch_6_x_rg_grep_filtered,
    "x03-host-oom-arch-6.x-rg-grep-filtered"
);
extra_case!(
    x04_numa_mempolicy_ltp_oom02_4_14_snipped,
    "x04-numa-mempolicy-ltp-oom02-4.14-snipped"
);
extra_case!(
    x05_numa_cpuset_movable_node_docker_5_8_quoted,
    "x05-numa-cpuset-movable-node-docker-5.8-quoted"
);
extra_case!(
    x06_frag_order9_pagealloc_ttm_amdgpu_5_10,
    "x06-frag-order9-pagealloc-ttm-amdgpu-5.10"
);
extra_case!(
    x07_unknown_header_only_gcp_6_8_kernel_prefix,
    "x07-unknown-header-only-gcp-6.8-kernel-prefix"
);
extra_case!(
    x08_hce_memcg_own_pipe_template,
    "x08-hce-memcg-own-pipe-template"
);
extra_case!(
    x09_hce_memcg_parent_indistinguishable_pipe_template,
    "x09-hce-memcg-parent-indistinguishable-pipe-template"
);
extra_case!(
    x10_hce_host_oom_edited_header,
    "x10-hce-host-oom-edited-header"
);
extra_case!(
    x11_hce_numa_mempolicy_spliced,
    "x11-hce-numa-mempolicy-spliced"
);
extra_case!(
    x12_host_oom_lowmem_i386_pae_allocating_task_3_2_syslog,
    "x12-host-oom-lowmem-i386-pae-allocating-task-3.2-syslog"
);
extra_case!(
    x13_k8s_pod_parent_dmesgt_zh_locale_grep,
    "x13-k8s-pod-parent-dmesgT-zh-locale-grep"
);
extra_case!(
    x14_k8s_pod_parent_tlinux_4_14_grep_a,
    "x14-k8s-pod-parent-tlinux-4.14-grep-A"
);
extra_case!(
    x15_k8s_memsw_own_rhel8_4_18_mt_annotated,
    "x15-k8s-memsw-own-rhel8-4.18-mt-annotated"
);
extra_case!(
    x16_manual_sysrq_5_4_hash_commented_elided,
    "x16-manual-sysrq-5.4-hash-commented-elided"
);
extra_case!(
    x17_host_oom_5_4_hash_commented_table_only,
    "x17-host-oom-5.4-hash-commented-table-only"
);
extra_case!(
    x18_k8s_pod_parent_oomgroup_exiting_dmesgt_2025,
    "x18-k8s-pod-parent-oomgroup-exiting-dmesgT-2025"
);
extra_case!(
    x19_host_oomgroup_4_18_rc_email_quoted,
    "x19-host-oomgroup-4.18-rc-email-quoted"
);
extra_case!(
    x20_frag_order3_atomic_rpi5_6_8_wrapped_buddy,
    "x20-frag-order3-atomic-rpi5-6.8-wrapped-buddy"
);
extra_case!(
    x21_podman_rootless_parent_libpod_container,
    "x21-podman-rootless-parent-libpod-container"
);
extra_case!(
    x22_systemd_user_service_own_hand_wrapped_elided_path,
    "x22-systemd-user-service-own-hand-wrapped-elided-path"
);
extra_case!(
    x23_systemd_service_memcg_elided_summary_6_8,
    "x23-systemd-service-memcg-elided-summary-6.8"
);
extra_case!(
    x24_k8s_memcg_rhel7_uid_elided_table,
    "x24-k8s-memcg-rhel7-uid-elided-table"
);
extra_case!(
    x25_host_oom_alibaba_ecs_centos7_nested_quote,
    "x25-host-oom-alibaba-ecs-centos7-nested-quote"
);
extra_case!(
    x26_host_oom_azure_doc_rhel78_two_lines,
    "x26-host-oom-azure-doc-rhel78-two-lines"
);
extra_case!(
    x27_systemd_run_memcg_journalctl_nohost_truncated_6_8,
    "x27-systemd-run-memcg-journalctl-nohost-truncated-6.8"
);
extra_case!(
    x28_docker_memcg_journalctl_ellipsis_host_arm64,
    "x28-docker-memcg-journalctl-ellipsis-host-arm64"
);
extra_case!(
    x29_memcg_order3_scope_own_not_fragmentation,
    "x29-memcg-order3-scope-own-not-fragmentation"
);
extra_case!(
    x30_docker_memcg_journalctl_k_wrapped_killed,
    "x30-docker-memcg-journalctl-k-wrapped-killed"
);
extra_case!(
    x31_host_oom_ec2_3_2_forum_kill_block_before_report,
    "x31-host-oom-ec2-3.2-forum-kill-block-before-report"
);

/// Every fixture log has a case above, so a log added to the directory cannot go untested.
#[test]
fn every_fixture_has_a_case() {
    common::assert_every_fixture_has_a_case("extra", include_str!("extra.rs"));
}

/// A group kill prints the chosen victim twice (x18, x19): one event for it.
#[test]
fn oom_group_victim_printed_twice_is_one_event() {
    let events = common::events_of("extra", "x19-host-oomgroup-4.18-rc-email-quoted");
    let kills = events
        .iter()
        .filter(|e| e["process"]["pid"] == 1221)
        .count();
    assert_eq!(kills, 1, "{events:#?}");
    assert_eq!(events.len(), 6, "1217-1222, one event each: {events:#?}");
}

/// Three memcg reports of one container, printed out of time order (x15): three events.
#[test]
fn reports_out_of_time_order_are_separate_events() {
    let events = common::events_of("extra", "x15-k8s-memsw-own-rhel8-4.18-mt-annotated");
    let pids: Vec<u64> = events
        .iter()
        .filter_map(|e| e["process"]["pid"].as_u64())
        .collect();
    assert_eq!(pids, [7093, 321688, 281482]);
}
