-- The user's questions over oom_events (schema/clickhouse.sql), "last week" being the 7 days
-- before {now:DateTime64(6)} (pass now64() or a fixed instant).

-- Q1: which containers were OOM-killed last week because their pod's limit, not their own,
-- was hit? (oom.cause parent_cgroup_limit: an ancestor of the victim's memory cgroup hit its
-- limit; with a pod uid, that ancestor is the pod's cgroup.)
SELECT host_name, pod_uid, container_id, process_name,
       count() AS kills, max(timestamp) AS last_kill
FROM oom_events
WHERE action = 'oom-kill'
  AND cause = 'parent_cgroup_limit'
  AND pod_uid != '' AND container_id != ''
  AND timestamp >= {now:DateTime64(6)} - INTERVAL 7 DAY AND timestamp < {now:DateTime64(6)}
GROUP BY host_name, pod_uid, container_id, process_name
ORDER BY kills DESC, host_name, pod_uid, container_id, process_name;

-- Q2: on which nodes does the host itself run out? (oom.cause host_oom: the whole host;
-- numa_node_oom: one NUMA node of it, under a mempolicy or cpuset.)
SELECT host_name,
       countIf(cause = 'host_oom') AS host_ooms,
       countIf(cause = 'numa_node_oom') AS numa_node_ooms,
       max(timestamp) AS last_oom
FROM oom_events
WHERE cause IN ('host_oom', 'numa_node_oom')
  AND host_name != ''
  AND timestamp >= {now:DateTime64(6)} - INTERVAL 7 DAY AND timestamp < {now:DateTime64(6)}
GROUP BY host_name
ORDER BY host_ooms + numa_node_ooms DESC, host_name;
