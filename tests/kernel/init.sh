#!/bin/sh
# PID 1 of the test guest: runs OOM scenarios whose cause is known by construction, then prints
# the kernel log three ways between markers on the serial console and powers off.
#
# The kernel command line picks the scenario set (`oomlens_boot=`): v2 (cgroup v2, NUMA cpuset,
# sysrq-f, host OOM), v1 (memory controller on a cgroup v1 hierarchy), stress (no killable
# task in a memory cgroup, a burst of kills, huge pages reserved, swap used up), and two boots
# that end in a kernel panic: panic (vm.panic_on_oom=2) and deadlock (nothing killable).
# Each scenario appends one JSON line to /scenarios.ndjson, also echoed to the console (a
# panicking boot has nothing else); run.sh turns them into the boot's expected.json. A
# victim's comm is made distinct by exec'ing busybox through a symlink named for the scenario
# (the kernel takes comm from the exec'd path) while `exec -a` keeps the applet name in argv[0]
# (busybox dispatches on argv[0]).

export PATH=/bin
# The initramfs holds busybox and /bin/sh only: the applets of this busybox build, whatever
# its architecture, are linked here.
/bin/busybox --install -s /bin
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
# The child moves itself before exec, so nothing of the hog is ever charged elsewhere. Its
# stdout is /dev/null: a tail whose read fails (EFAULT when a charge finds nothing to kill)
# prints the zeros it read.
# HOG_ADJ (if set) is the child's oom_score_adj; HOG_GATE (if set) is a FIFO the child opens
# before exec, so that it waits until open_gate lets every waiting hog go at once.
start_hog() {
    procs=$1 comm=$2 applet=$3
    shift 3
    ln -sf busybox "/bin/$comm"
    sh -c '
        procs=$1 comm=$2 applet=$3 adj=$4 gate=$5
        shift 5
        [ -n "$procs" ] && echo $$ > "$procs"
        [ -n "$adj" ] && echo "$adj" > /proc/self/oom_score_adj
        [ -n "$gate" ] && : < "$gate"
        exec -a "$applet" "/bin/$comm" "$@" > /dev/null
    ' start_hog "$procs" "$comm" "$applet" "${HOG_ADJ:-}" "${HOG_GATE:-}" "$@" &
    HOG_PID=$!
}

# open_gate FIFO: releases every hog waiting on FIFO: while a writer holds it open (2 s here),
# each reader's open returns at once, also for a hog that reaches the gate late.
open_gate() {
    sleep 2 > "$1" &
}

# log_count TEXT: how many lines of the kernel log contain TEXT so far.
log_count() {
    dmesg | grep -c -F "$1"
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
# RECORD_EXTRA (if set, as a prefix assignment: busybox ash does not keep those after a
# function call) is more JSON members for the line, e.g. the report counts of a
# scenario without victim (see check.py).
record() {
    name=$1 cause=$2 status=$3
    shift 3
    victims=""
    for victim in "$@"; do
        entry="{\"comm\":\"${victim%%:*}\",\"pid\":${victim##*:}}"
        victims="${victims:+$victims,}$entry"
    done
    line="{\"boot\":\"$BOOT\",\"name\":\"$name\",\"cause\":\"$cause\",\"status\":\"$status\",\"victims\":[$victims]${RECORD_EXTRA:+,$RECORD_EXTRA}}"
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

# A kernel built without CONFIG_MEMCG_V1 (Debian's 6.12) has no v1 memory controller: then
# every v1 scenario records that it could not be built instead of running unconfined.
V1_MISSING=""
v1_setup() {
    mount -t tmpfs cgroup /sys/fs/cgroup
    mkdir "$V1"
    mount -t cgroup -o memory memory "$V1" || V1_MISSING="no cgroup v1 memory controller"
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

# ---- stress scenarios (cgroup v2) ----------------------------------------------------------

# (h) every task of the cgroup has oom_score_adj -1000: the memcg OOM finds nothing to kill
# (out_of_memory: "Out of memory and no killable processes...") and try_charge_memcg fails
# the charge. Each failed charge is one report: tail's read(2) from /dev/zero comes back short,
# the next one faults again, until one fails with EFAULT and tail exits (a few reports); a
# hog still alive once the first report is there is killed from here.
scenario_nokill() {
    mkdir /sys/fs/cgroup/nokill
    echo 32M > /sys/fs/cgroup/nokill/memory.max
    line="Out of memory and no killable processes"
    before=$(log_count "$line")
    HOG_ADJ=-1000 start_hog /sys/fs/cgroup/nokill/cgroup.procs hog_nokill tail /dev/zero
    waited=0
    while [ "$(log_count "$line")" -le "$before" ] && [ -e "/proc/$HOG_PID" ] &&
        [ "$waited" -lt "$SCENARIO_LIMIT" ]; do
        sleep 1
        waited=$((waited + 1))
    done
    kill -9 "$HOG_PID" 2>/dev/null
    wait "$HOG_PID" 2>/dev/null
    reports=$(($(log_count "$line") - before))
    status=reported
    [ "$reports" -gt 0 ] || status="no report"
    RECORD_EXTRA="\"reports\":[{\"trigger_pid\":$HOG_PID,\"count\":$reports}]" \
        record nokill cgroup_limit "$status"
    settle
}

# (i) a burst of kills in one cgroup: 24 hogs released at once into memory.max=24M. The
# header of each kill is rate-limited (oom_kill_process: DEFAULT_RATELIMIT_BURST 10 per 5 s),
# the kill lines are not. A last hog killed after the interval makes the kernel print
# "oom_kill_process: N callbacks suppressed"; without that line the burst was not fast enough.
# Writing each header to the emulated serial port takes longer than the kill itself, so the
# console shows only what a quiet boot's would (console loglevel 4: the pr_err kill lines)
# while the burst lasts; the log buffer, and so the other captures, keep every line.
scenario_burst() {
    mkdir /sys/fs/cgroup/burst
    echo 24M > /sys/fs/cgroup/burst/memory.max
    mkfifo /burst.gate
    hogs=""
    for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do
        HOG_GATE=/burst.gate start_hog /sys/fs/cgroup/burst/cgroup.procs "hog_b$i" tail /dev/zero
        hogs="$hogs hog_b$i:$HOG_PID"
    done
    sleep 2
    dmesg -n 4
    open_gate /burst.gate
    statuses=""
    for hog in $hogs; do
        await_death "${hog##*:}"
        statuses="${statuses:+$statuses/}$STATUS"
    done
    dmesg -n 7
    rm -f /burst.gate
    sleep 6
    start_hog /sys/fs/cgroup/burst/cgroup.procs hog_blast tail /dev/zero
    await_death "$HOG_PID"
    statuses="$statuses/$STATUS"
    [ "$(log_count "oom_kill_process: ")" -gt 0 ] || statuses="$statuses/no-ratelimit"
    record burst cgroup_limit "$statuses" $hogs "hog_blast:$HOG_PID"
    settle
}

# (j) huge pages reserved (vm.nr_hugepages: 160 x 2 MiB of the 512 MiB) are not available to
# anything else: the hog in the root cgroup runs the host out of the rest.
scenario_hugepages() {
    echo 160 > /proc/sys/vm/nr_hugepages
    say "nr_hugepages $(cat /proc/sys/vm/nr_hugepages)"
    start_hog "" hog_huge tail /dev/zero
    await_death "$HOG_PID"
    echo 0 > /proc/sys/vm/nr_hugepages
    RECORD_EXTRA='"factor":"hugepage_reservation"' record hugepages host_oom "$STATUS" "hog_huge:$HOG_PID"
    settle
}

# load_modules: the modules run.sh put into /modules (virtio_blk and what it needs), in order.
load_modules() {
    [ -f /modules/order ] || return 0
    for module in $(cat /modules/order); do
        insmod "/modules/$module" || say "insmod $module failed"
    done
}

# (k) a 32 MiB swap disk (virtio-blk, run.sh's raw image) used up before the host OOM.
scenario_swap() {
    load_modules
    waited=0
    while [ ! -b /dev/vda ] && [ "$waited" -lt 10 ]; do
        sleep 1
        waited=$((waited + 1))
    done
    if ! mkswap /dev/vda >/dev/null || ! swapon /dev/vda; then
        record swap host_oom "no swap disk"
        return
    fi
    say "swap: $(grep SwapTotal /proc/meminfo)"
    start_hog "" hog_swap tail /dev/zero
    await_death "$HOG_PID"
    swapoff /dev/vda
    RECORD_EXTRA='"factor":"swap_exhausted"' record swap host_oom "$STATUS" "hog_swap:$HOG_PID"
    settle
}

# ---- panicking boots -----------------------------------------------------------------------
# A panic ends the boot (panic=-1 reboots at once, QEMU's -no-reboot exits), so only the
# serial console holds the report, and the expectation is recorded before the OOM happens.

# (l) vm.panic_on_oom=2 ("compulsory"): check_panic_on_oom panics for a memcg OOM too, after
# dump_header, before any victim is chosen.
scenario_panic() {
    mkdir /sys/fs/cgroup/panic
    echo 32M > /sys/fs/cgroup/panic/memory.max
    mkfifo /panic.gate
    HOG_GATE=/panic.gate start_hog /sys/fs/cgroup/panic/cgroup.procs hog_panic tail /dev/zero
    RECORD_EXTRA="\"reports\":[{\"trigger_pid\":$HOG_PID,\"count\":1}],\"panic\":\"Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled\"" \
        record panic cgroup_limit panic
    open_gate /panic.gate
    await_death "$HOG_PID"
    say "no panic: hog ended $STATUS"
}

# (m) sysrq-f when nothing is killable: "Out of memory and no killable processes..." and no
# panic (out_of_memory spares is_sysrq_oom). The OOM runs in a kworker: that is the trigger.
scenario_manual_nokill() {
    line="Out of memory and no killable processes"
    before=$(log_count "$line")
    echo f > /proc/sysrq-trigger
    sleep 3
    reports=$(($(log_count "$line") - before))
    status=reported
    [ "$reports" -gt 0 ] || status="no report"
    RECORD_EXTRA="\"reports\":[{\"trigger_comm\":\"kworker/\",\"count\":$reports}]" \
        record manual_nokill manual "$status"
    settle
}

# (n) a host OOM when nothing is killable: out_of_memory panics, "System is deadlocked on
# memory", after the no-killable line.
scenario_deadlock() {
    mkfifo /deadlock.gate
    HOG_GATE=/deadlock.gate start_hog "" hog_dead tail /dev/zero
    RECORD_EXTRA="\"reports\":[{\"trigger_pid\":$HOG_PID,\"count\":1}],\"panic\":\"Kernel panic - not syncing: System is deadlocked on memory\"" \
        record deadlock host_oom panic
    open_gate /deadlock.gate
    await_death "$HOG_PID"
    say "no panic: hog ended $STATUS"
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
        if [ -n "$V1_MISSING" ]; then
            for scenario in v1_own v1_pod v1_numa; do
                record "$scenario" none "$V1_MISSING"
            done
        else
            run_scenarios v1_own v1_pod v1_numa
        fi
        ;;
    stress)
        v2_setup
        run_scenarios nokill burst hugepages swap
        ;;
    panic)
        v2_setup
        echo 2 > /proc/sys/vm/panic_on_oom
        # sysrq-f first: check_panic_on_oom does not panic for it (is_sysrq_oom), it kills.
        run_scenarios manual panic
        ;;
    deadlock)
        # Inherited by every task started from here on; PID 1 itself is never a candidate.
        echo -1000 > /proc/self/oom_score_adj
        run_scenarios manual_nokill deadlock
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
