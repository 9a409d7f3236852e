-- oomlens OOM events in ClickHouse (tested with chDB 4.4.0 in tests/platforms/test_clickhouse.py).
--
-- oom_events: typed columns for what people filter and group on, the whole event as JSON.
-- oom_events_in: where a shipper inserts, one row per event: the event's JSON text in
-- `event`, optionally the time it received it and the node it runs on (for events whose
-- report carried no wall time or host name: dmesg, /dev/kmsg). A materialised view fills
-- oom_events; oom_events_in keeps nothing (Null engine).

CREATE TABLE IF NOT EXISTS oom_events
(
    -- @timestamp (the report's own time) when the log gave one, else when the shipper got it.
    timestamp DateTime64(6, 'UTC'),
    -- host.name, else the shipper's node name.
    host_name LowCardinality(String),
    action LowCardinality(String),            -- event.action: oom-kill | page-allocation-failure
    cause LowCardinality(String),             -- oom.cause
    confidence LowCardinality(String),        -- oom.confidence
    complete Bool,                            -- oom.complete
    process_pid Nullable(UInt32),             -- process.pid: the first victim
    process_name String,                      -- process.name
    container_id String,                      -- container.id
    container_runtime LowCardinality(String), -- container.runtime
    pod_uid String,                           -- kubernetes.pod.uid
    qos_class LowCardinality(String),         -- kubernetes.pod.qos_class
    limiting_cgroup String,                   -- oom.cgroup.limiting
    task_cgroup String,                       -- oom.cgroup.task
    memcg_limit_bytes Nullable(Int64),        -- oom.memcg.memory.limit_bytes
    memcg_usage_bytes Nullable(Int64),        -- oom.memcg.memory.usage_bytes
    victim_anon_rss_bytes Nullable(Int64),    -- oom.victim.anon_rss_bytes
    event JSON                                -- the whole event
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (cause, host_name, timestamp);

CREATE TABLE IF NOT EXISTS oom_events_in
(
    event String,
    received DateTime64(6, 'UTC') DEFAULT now64(6),
    node String DEFAULT ''
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS oom_events_from_in TO oom_events AS
SELECT
    coalesce(parseDateTime64BestEffortOrNull(JSONExtractString(event, '@timestamp'), 6, 'UTC'),
             received) AS timestamp,
    if(JSONExtractString(event, 'host', 'name') != '',
       JSONExtractString(event, 'host', 'name'), node) AS host_name,
    JSONExtractString(event, 'event', 'action') AS action,
    JSONExtractString(event, 'oom', 'cause') AS cause,
    JSONExtractString(event, 'oom', 'confidence') AS confidence,
    JSONExtractBool(event, 'oom', 'complete') AS complete,
    if(JSONHas(event, 'process', 'pid'), JSONExtractUInt(event, 'process', 'pid'), NULL)
        AS process_pid,
    JSONExtractString(event, 'process', 'name') AS process_name,
    JSONExtractString(event, 'container', 'id') AS container_id,
    JSONExtractString(event, 'container', 'runtime') AS container_runtime,
    JSONExtractString(event, 'kubernetes', 'pod', 'uid') AS pod_uid,
    JSONExtractString(event, 'kubernetes', 'pod', 'qos_class') AS qos_class,
    JSONExtractString(event, 'oom', 'cgroup', 'limiting') AS limiting_cgroup,
    JSONExtractString(event, 'oom', 'cgroup', 'task') AS task_cgroup,
    if(JSONHas(event, 'oom', 'memcg', 'memory', 'limit_bytes'),
       JSONExtractInt(event, 'oom', 'memcg', 'memory', 'limit_bytes'), NULL) AS memcg_limit_bytes,
    if(JSONHas(event, 'oom', 'memcg', 'memory', 'usage_bytes'),
       JSONExtractInt(event, 'oom', 'memcg', 'memory', 'usage_bytes'), NULL) AS memcg_usage_bytes,
    if(JSONHas(event, 'oom', 'victim', 'anon_rss_bytes'),
       JSONExtractInt(event, 'oom', 'victim', 'anon_rss_bytes'), NULL) AS victim_anon_rss_bytes,
    event::JSON AS event
FROM oom_events_in;
