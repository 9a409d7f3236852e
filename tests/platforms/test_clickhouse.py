"""schema/clickhouse.sql and the user's questions (schema/clickhouse-questions.sql) in a real
ClickHouse engine (chDB), over the events of every fixture log.

The corpus is replayed as a shipper would send it: the events of fixture log k are received
REPLAY_STEP * k + REPLAY_OFFSET before NOW, from node `replay-node-{k % 4}`; an event's own
@timestamp and host.name win over those, as the table's materialised view says. The rows the
questions must return are worked out here in Python from the same events, independently of
the SQL."""

import json
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

chdb_session = pytest.importorskip("chdb.session", reason="pip install chdb (tests/platforms/run.sh)")

from conftest import REPO  # noqa: E402

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
REPLAY_STEP = timedelta(hours=6)
REPLAY_OFFSET = timedelta(hours=1)  # no event lands on the week's boundary
WEEK = timedelta(days=7)


def statements(path):
    """The SQL statements of a file, comments removed."""
    text = "\n".join(
        line for line in path.read_text().splitlines() if not line.lstrip().startswith("--")
    )
    return [s.strip() for s in text.split(";") if s.strip()]


def shipped(events_by_log):
    """(event, received, node) for every event, as the replay sends them."""
    rows = []
    for k, (_, events) in enumerate(sorted(events_by_log.items())):
        received = NOW - REPLAY_STEP * k - REPLAY_OFFSET
        for event in events:
            rows.append((event, received, f"replay-node-{k % 4}"))
    return rows


def when(event, received):
    stamp = event.get("@timestamp")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else received


def host(event, node):
    return (event.get("host") or {}).get("name") or node


def ch_time(moment):
    """A DateTime64(6, 'UTC') as ClickHouse's JSONEachRow writes it."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.fixture(scope="module")
def clickhouse(events_by_log, tmp_path_factory):
    directory = tmp_path_factory.mktemp("chdb")
    session = chdb_session.Session(str(directory / "db"))
    for statement in statements(REPO / "schema/clickhouse.sql"):
        session.query(statement)
    rows = shipped(events_by_log)
    landing = directory / "events.ndjson"
    landing.write_text(
        "".join(
            json.dumps(
                {"event": json.dumps(event), "received": ch_time(received), "node": node}
            )
            + "\n"
            for event, received, node in rows
        )
    )
    session.query(
        f"INSERT INTO oom_events_in SELECT * FROM file('{landing}', 'JSONEachRow', "
        "'event String, received DateTime64(6, ''UTC''), node String')"
    )
    yield session, rows
    session.close()


def query(session, sql, **params):
    out = session.query(sql, "JSONEachRow", params=params or None)
    text = out.bytes().decode() if hasattr(out, "bytes") else str(out)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def questions():
    return statements(REPO / "schema/clickhouse-questions.sql")


def test_the_view_fills_every_typed_column_from_the_event(clickhouse):
    session, rows = clickhouse
    got = query(
        session,
        "SELECT timestamp, host_name, action, cause, complete, process_pid, container_id, "
        "pod_uid, limiting_cgroup, memcg_limit_bytes, toString(event.oom.cause) AS json_cause "
        "FROM oom_events ORDER BY timestamp, host_name, cause, process_pid, container_id",
    )
    expected = [
        {
            "timestamp": ch_time(when(e, received)),
            "host_name": host(e, node),
            "action": e["event"]["action"],
            "cause": e["oom"]["cause"],
            "complete": e["oom"]["complete"],
            "process_pid": (e.get("process") or {}).get("pid"),
            "container_id": (e.get("container") or {}).get("id", ""),
            "pod_uid": (e.get("kubernetes") or {}).get("pod", {}).get("uid", ""),
            "limiting_cgroup": e["oom"].get("cgroup", {}).get("limiting", ""),
            "memcg_limit_bytes": e["oom"].get("memcg", {}).get("memory", {}).get("limit_bytes"),
            "json_cause": e["oom"]["cause"],
        }
        for e, received, node in rows
    ]
    # Compared as multisets: reports alike in time, host, cause and victim (a storm of
    # no-victim reports) may come back in any order.
    key = lambda r: json.dumps(r, sort_keys=True, default=str)  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)
    assert len(got) == len(rows) >= 50


def test_containers_killed_last_week_by_their_pods_limit(clickhouse):
    session, rows = clickhouse
    pod_limit_sql = questions()[0]
    groups = defaultdict(list)
    outside_week = 0
    for e, received, node in rows:
        pod_uid = (e.get("kubernetes") or {}).get("pod", {}).get("uid", "")
        container_id = (e.get("container") or {}).get("id", "")
        if not (
            e["event"]["action"] == "oom-kill"
            and e["oom"]["cause"] == "parent_cgroup_limit"
            and pod_uid
            and container_id
        ):
            continue
        moment = when(e, received)
        if not NOW - WEEK <= moment < NOW:
            outside_week += 1
            continue
        key = (host(e, node), pod_uid, container_id, (e.get("process") or {}).get("name", ""))
        groups[key].append(moment)
    expected = sorted(
        (
            {
                "host_name": h,
                "pod_uid": p,
                "container_id": c,
                "process_name": n,
                "kills": len(times),
                "last_kill": ch_time(max(times)),
            }
            for (h, p, c, n), times in groups.items()
        ),
        key=lambda r: (-r["kills"], r["host_name"], r["pod_uid"], r["container_id"], r["process_name"]),
    )
    got = query(session, pod_limit_sql, now=ch_time(NOW))
    assert got == expected
    # The question is not vacuous: rows come back, and the week excludes some kills.
    assert got and outside_week > 0


def test_nodes_where_the_host_itself_runs_out(clickhouse):
    session, rows = clickhouse
    host_sql = questions()[1]
    counts = defaultdict(lambda: {"host_oom": 0, "numa_node_oom": 0, "last": None})
    outside_week = 0
    for e, received, node in rows:
        cause = e["oom"]["cause"]
        name = host(e, node)
        if cause not in ("host_oom", "numa_node_oom") or not name:
            continue
        moment = when(e, received)
        if not NOW - WEEK <= moment < NOW:
            outside_week += 1
            continue
        entry = counts[name]
        entry[cause] += 1
        entry["last"] = max(filter(None, [entry["last"], moment]))
    expected = sorted(
        (
            {
                "host_name": name,
                "host_ooms": c["host_oom"],
                "numa_node_ooms": c["numa_node_oom"],
                "last_oom": ch_time(c["last"]),
            }
            for name, c in counts.items()
        ),
        key=lambda r: (-(r["host_ooms"] + r["numa_node_ooms"]), r["host_name"]),
    )
    got = query(session, host_sql, now=ch_time(NOW))
    assert got == expected
    assert got and outside_week > 0
