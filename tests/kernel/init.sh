#!/bin/sh
# PID 1 of the test guest: runs OOM scenarios whose cause is known by construction, then prints
# the kernel log three ways between markers on the serial console and powers off.
#
# The kernel command line picks the scenario set: `oomlens_boot=v2` (cgroup v2, NUMA cpuset,
# sysrq-f, host OOM) or `oomlens_boot=v1` (memory controller on a cgroup v1 hierarchy).
# Each scenario appends one JSON line to /scenarios.ndjson; run.sh turns them into the
# boot's expected.json. A victim's comm is made distinct by exec'ing busybox through a symlink
# named for the scenario (the kernel takes comm from the exec'd path) while `exec -a` keeps the
# applet name in argv[0] (busybox dispatches on argv[0]).

export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# Everything the kernel prints is also wanted on the console while scenarios run (progress);
# the captures are read from the log buffer afterwards.
echo 1 > /proc/sys/vm/oom_dump_tasks
echo 1 > /proc/sys/kernel/sysrq

BOOT=unknown
# No scenario starts after this many seconds of uptime, so the captures always get printed
# before run.sh's timeout ends the boot.
BUDGET=150
for word in $(cat /proc/cmdline); do
    case "$word" in
        oomlens_boot=*) BOOT=${word#oomlens_boot=} ;;
        oomlens_budget=*) BUDGET=${word#oomlens_budget=} ;;
    esac
done

SCENARIOS=/scenarios.ndjson
: > "$SCENARIOS"
# How long a scenario may take before it is given up (seconds of guest time).
SCENARIO_LIMIT=60

say() {
    echo "oomlens-init: $*"
}

# start_hog CGROUP_PROCS COMM APPLET ARGS...: starts busybox APPLET as COMM inside the cgroup
# whose cgroup.procs (or v1 tasks) file is CGROUP_PROCS ("" for none) and sets HOG_PID.
# The child moves itself before exec, so nothing of the hog is ever charged elsewhere.
start_hog() {
    procs=$1 comm=$2 applet=$3
    shift 3
    ln -sf busybox "/bin/$comm"
    sh -c '
        procs=$1 comm=$2 applet=$3
        shift 3
        [ -n "$procs" ] && echo $$ > "$procs"
        exec -a "$applet" "/bin/$comm" "$@"
    ' start_hog "$procs" "$comm" "$applet" "$@" &
    HOG_PID=$!
}

# await_death PID: waits until PID has died (at most SCENARIO_LIMIT s) and sets STATUS to how
# it ended: "killed" (SIGKILL), "exit N", "gone" (reaped elsewhere, status unknown) or
# "timeout" (then it is killed here). Not run in a subshell: only this shell can reap its jobs.
await_death() {
    waited=0
    code=""
    while [ -e "/proc/$1" ]; do
        # A dead child stays a zombie until reaped; field 52 of stat is its wait status.
        if [ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)" = Z ]; then
            code=$(awk '{print $52}' "/proc/$1/stat" 2>/dev/null)
            break
        fi
        if [ "$waited" -ge "$SCENARIO_LIMIT" ]; then
            kill -9 "$1" 2>/dev/null
            wait "$1" 2>/dev/null
            STATUS=timeout
            return
        fi
        sleep 1
        waited=$((waited + 1))
    done
    wait "$1" 2>/dev/null
    rc=$?
    if [ "$code" = 9 ] || [ "$rc" -eq 137 ]; then
        STATUS=killed
    elif [ -n "$code" ]; then
        STATUS="exit-status $code"
    elif [ "$rc" -eq 127 ]; then
        STATUS=gone
    else
        STATUS="exit $rc"
    fi
}

# record NAME CAUSE STATUS VICTIM...: appends the scenario's expectation; each VICTIM is
# comm:pid, the first one being the task the OOM killer chose (others die with it, oom.group).
record() {
    name=$1 cause=$2 status=$3
    shift 3
    victims=""
    for victim in "$@"; do
        entry="{\"comm\":\"${victim%%:*}\",\"pid\":${victim##*:}}"
        victims="${victims:+$victims,}$entry"
    done
    line="{\"boot\":\"$BOOT\",\"name\":\"$name\",\"cause\":\"$cause\",\"status\":\"$status\",\"victims\":[$victims]}"
    echo "$line" >> "$SCENARIOS"
    say "scenario $line"
}

# Lets the kernel finish printing one report before the next scenario starts, so reports
# do not interleave in the log by accident.
settle() {
    sleep 2
}

# ---- cgroup v2 scenarios -------------------------------------------------------------------

v2_setup() {
    mount -t cgroup2 cgroup2 /sys/fs/cgroup
    echo "+memory +cpuset" > /sys/fs/cgroup/cgroup.subtree_control
}

# (a) the hog's own cgroup hits memory.max.
scenario_own() {
    mkdir /sys/fs/cgroup/own
    echo 32M > /sys/fs/cgroup/own/memory.max
    start_hog /sys/fs/cgroup/own/cgroup.procs hog_own tail /dev/zero
    await_death "$HOG_PID"
    record own cgroup_limit "$STATUS" "hog_own:$HOG_PID"
    settle
}

# (b) an ancestor (pod) hits memory.max; the hog's cgroup (ctr) has no limit.
scenario_pod() {
    mkdir /sys/fs/cgroup/pod
    echo 32M > /sys/fs/cgroup/pod/memory.max
    echo +memory > /sys/fs/cgroup/pod/cgroup.subtree_control
    mkdir /sys/fs/cgroup/pod/ctr
    start_hog /sys/fs/cgroup/pod/ctr/cgroup.procs hog_pod tail /dev/zero
    await_death "$HOG_PID"
    record pod parent_cgroup_limit "$STATUS" "hog_pod:$HOG_PID"
    settle
}

# (c) memory.oom.group: the hog and an idle member of its cgroup are killed together.
scenario_group() {
    mkdir /sys/fs/cgroup/grp
    echo 32M > /sys/fs/cgroup/grp/memory.max
    echo 1 > /sys/fs/cgroup/grp/memory.oom.group
    start_hog /sys/fs/cgroup/grp/cgroup.procs idle_grp sleep 1000
    idle=$HOG_PID
    sleep 1
    start_hog /sys/fs/cgroup/grp/cgroup.procs hog_grp tail /dev/zero
    await_death "$HOG_PID"
    status=$STATUS
    await_death "$idle"
    record group cgroup_limit "$status/$STATUS" "hog_grp:$HOG_PID" "idle_grp:$idle"
    settle
}

# (d) the hog may only use NUMA node 1 (cpuset.mems=1) while node 0 has memory free.
scenario_numa() {
    mkdir /sys/fs/cgroup/numa
    echo 1 > /sys/fs/cgroup/numa/cpuset.mems
    start_hog /sys/fs/cgroup/numa/cgroup.procs hog_numa tail /dev/zero
    await_death "$HOG_PID"
    record numa numa_node_oom "$STATUS" "hog_numa:$HOG_PID"
    settle
}

# (e) sysrq-f with memory not short. The victim holds a 48 MiB buffer (dd blocked writing
# into a FIFO nobody reads) and has oom_score_adj=1000 so the choice is certain.
scenario_manual() {
    mkfifo /man.fifo
    sleep 1000 < /man.fifo &
    reader=$!
    start_hog "" hog_man dd if=/dev/zero of=/man.fifo bs=48M count=1
    echo 1000 > "/proc/$HOG_PID/oom_score_adj"
    sleep 3
    echo f > /proc/sysrq-trigger
    await_death "$HOG_PID"
    kill "$reader" 2>/dev/null
    wait "$reader" 2>/dev/null
    record manual manual "$STATUS" "hog_man:$HOG_PID"
    settle
}

# (f) a hog in the root cgroup, no limit and no swap: the global OOM killer fires.
scenario_host() {
    start_hog "" hog_host tail /dev/zero
    await_death "$HOG_PID"
    record host host_oom "$STATUS" "hog_host:$HOG_PID"
    settle
}

# ---- cgroup v1 scenarios -------------------------------------------------------------------

V1=/sys/fs/cgroup/memory

v1_setup() {
    mount -t tmpfs cgroup /sys/fs/cgroup
    mkdir "$V1"
    mount -t cgroup -o memory memory "$V1"
}

# (g1) v1: the hog's own cgroup hits memory.limit_in_bytes.
scenario_v1_own() {
    mkdir "$V1/own"
    echo 32M > "$V1/own/memory.limit_in_bytes"
    start_hog "$V1/own/cgroup.procs" hog_v1own tail /dev/zero
    await_death "$HOG_PID"
    record v1_own cgroup_limit "$STATUS" "hog_v1own:$HOG_PID"
    settle
}

# (g2) v1, Kubernetes layout: the pod cgroup has the limit, the container below it none.
scenario_v1_pod() {
    pod="$V1/kubepods/burstable/pod0d7e5a7e-3f4b-4c1e-9a6d-2b8f1e0c9a11"
    ctr="$pod/4f9c2d7ab81e6c3f5a0d9e8b7c6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a"
    mkdir -p "$ctr"
    echo 32M > "$pod/memory.limit_in_bytes"
    start_hog "$ctr/cgroup.procs" hog_v1pod tail /dev/zero
    await_death "$HOG_PID"
    record v1_pod parent_cgroup_limit "$STATUS" "hog_v1pod:$HOG_PID"
    settle
}

# (g3) v1 cpuset: the hog may only use NUMA node 1 while node 0 has memory free.
scenario_v1_numa() {
    mkdir /sys/fs/cgroup/cpuset
    mount -t cgroup -o cpuset cpuset /sys/fs/cgroup/cpuset
    mkdir /sys/fs/cgroup/cpuset/numa
    echo 0-1 > /sys/fs/cgroup/cpuset/numa/cpuset.cpus
    echo 1 > /sys/fs/cgroup/cpuset/numa/cpuset.mems
    start_hog /sys/fs/cgroup/cpuset/numa/cgroup.procs hog_v1numa tail /dev/zero
    await_death "$HOG_PID"
    record v1_numa numa_node_oom "$STATUS" "hog_v1numa:$HOG_PID"
    settle
}

# run_scenarios NAME...: runs each scenario unless the time budget is spent.
run_scenarios() {
    for scenario in "$@"; do
        uptime=$(cut -d. -f1 /proc/uptime)
        if [ "$uptime" -ge "$BUDGET" ]; then
            say "skipping $scenario: ${uptime}s of uptime, budget ${BUDGET}s"
            record "$scenario" none "skipped"
            continue
        fi
        say "running $scenario"
        "scenario_$scenario"
    done
}

# ---- run and report ------------------------------------------------------------------------

say "boot $BOOT: $(uname -r)"
case "$BOOT" in
    v2)
        v2_setup
        run_scenarios own pod group numa manual host
        ;;
    v1)
        v1_setup
        run_scenarios v1_own v1_pod v1_numa
        ;;
    *)
        say "no scenario set for oomlens_boot=$BOOT"
        ;;
esac

# Nothing more goes to the console from the kernel, so the captures below are not broken up.
dmesg -n 1
echo "=====OOMLENS BEGIN scenarios====="
cat "$SCENARIOS"
echo "=====OOMLENS END scenarios====="
echo "=====OOMLENS BEGIN dmesg====="
dmesg
echo "=====OOMLENS END dmesg====="
echo "=====OOMLENS BEGIN dmesg-r====="
dmesg -r
echo "=====OOMLENS END dmesg-r====="
# /dev/kmsg blocks at the end of the log: timeout ends the read. Read into a file first so the
# shell's "Terminated" note about cat stays out of the capture.
(timeout 3 cat /dev/kmsg > /kmsg.txt) 2>/dev/null
echo "=====OOMLENS BEGIN kmsg====="
cat /kmsg.txt
echo "=====OOMLENS END kmsg====="
sync
poweroff -f
