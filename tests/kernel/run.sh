#!/usr/bin/env bash
# Boots Debian's own kernel under QEMU (TCG, no KVM needed), provokes OOM kills whose cause is
# known by construction (init.sh), captures the kernel log as dmesg, dmesg -r, /dev/kmsg and
# serial console text, and checks oomlens's verdicts against the expectations (check.py).
#
# usage: tests/kernel/run.sh [--save-captures] [BOOT...]
#   BOOT             v2 and/or v1 (default: both); see init.sh for what each runs
#   --save-captures  also copy the captures into tests/kernel/captures/ with sidecars
# environment:
#   OOMLENS          the oomlens binary (default: target/release/oomlens of this repository)
#   BOOT_TIMEOUT     seconds one boot may take before it is killed (default 240)
#   KERNEL_PACKAGE   Debian kernel package to boot (default: what linux-image-amd64 depends on)
#   CAPTURE_FORMATS  captures to check (default dmesg,dmesg-r,kmsg,console)
#
# Exit: 0 when every scenario's event matched, or "SKIP: ..." when qemu or the kernel package
# cannot be installed; 1 on any mismatch or a boot that did not finish.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE="$HERE/.cache"
OUT="$CACHE/out"
OOMLENS=${OOMLENS:-target/release/oomlens}
case "$OOMLENS" in /*) ;; *) OOMLENS="$REPO/$OOMLENS" ;; esac
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}

save_captures=0
boots=()
for arg in "$@"; do
    case "$arg" in
        --save-captures) save_captures=1 ;;
        v1 | v2) boots+=("$arg") ;;
        *) echo "usage: $0 [--save-captures] [v2] [v1]" >&2; exit 2 ;;
    esac
done
[ ${#boots[@]} -gt 0 ] || boots=(v2 v1)

log() { echo "kernel-harness: $*"; }
skip() { echo "SKIP: $*"; exit 0; }

started=$(date +%s)
mkdir -p "$CACHE" "$OUT"

# ---- tools ---------------------------------------------------------------------------------

apt_updated=0
apt_update_once() {
    if [ "$apt_updated" = 0 ]; then
        apt_updated=1
        # A failed update still leaves older lists that may do; installs below decide.
        apt-get update -qq || log "apt-get update failed; trying with the lists at hand"
    fi
}

# busybox-static, not busybox: the initramfs has no libc to link against.
if ! command -v qemu-system-x86_64 >/dev/null || ! command -v cpio >/dev/null ||
    ! dpkg -s busybox-static >/dev/null 2>&1; then
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        qemu-system-x86 busybox-static cpio >/dev/null ||
        skip "cannot install qemu-system-x86, busybox-static and cpio with apt-get"
fi
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not found after install"
[ -x /bin/busybox ] || skip "/bin/busybox not found after installing busybox-static"
command -v python3 >/dev/null || { echo "python3 is needed for check.py" >&2; exit 1; }

# ---- kernel --------------------------------------------------------------------------------

# The kernel is fetched once into the cache; delete tests/kernel/.cache to take a newer one.
if [ ! -s "$CACHE/vmlinuz" ] || [ ! -s "$CACHE/kernel-package.txt" ]; then
    apt_update_once
    package=${KERNEL_PACKAGE:-$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)}
    if [ -z "$package" ]; then
        # No metapackage in the lists: the newest linux-image-6.1.0-NN-amd64 there is.
        package=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
            awk '{print $1}' | sort -t- -k4,4n | tail -n 1)
    fi
    [ -n "$package" ] || skip "no linux-image-6.1.0-NN-amd64 package in the apt lists"
    download=$(mktemp -d "$CACHE/download.XXXXXX")
    # _apt must be able to write where apt-get download puts the file.
    chmod 0777 "$download"
    (cd "$download" && apt-get download -qq "$package") ||
        { rm -rf "$download"; skip "cannot download $package with apt-get"; }
    deb=$(ls "$download"/*.deb)
    dpkg-deb -x "$deb" "$download/root"
    vmlinuz=$(ls "$download"/root/boot/vmlinuz-* | head -n 1)
    grep -q '^CONFIG_NUMA=y' "$download"/root/boot/config-* ||
        log "warning: $package has no CONFIG_NUMA; the numa scenario cannot work"
    cp "$vmlinuz" "$CACHE/vmlinuz"
    dpkg-deb -f "$deb" Package Version | tr '\n' ' ' | sed 's/Package: //; s/ Version: /=/; s/ $//' \
        > "$CACHE/kernel-package.txt"
    rm -rf "$download"
fi
kernel_package=$(cat "$CACHE/kernel-package.txt")
log "kernel package $kernel_package"

# ---- initramfs -----------------------------------------------------------------------------

# Rebuilt every run (a second) so edits to init.sh always take effect.
root="$CACHE/initrd-root"
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$HERE/init.sh" "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$CACHE/initrd"

# ---- boots ---------------------------------------------------------------------------------

# Two NUMA nodes of 256 MiB, one CPU each, one CPU per socket: CPUs of one socket on
# different nodes make the kernel WARN (topology_sane) and taint itself.
qemu_args=(
    -accel tcg -m 512M -smp 2,sockets=2,cores=1,threads=1
    -object memory-backend-ram,id=m0,size=256M -numa node,memdev=m0,cpus=0,nodeid=0
    -object memory-backend-ram,id=m1,size=256M -numa node,memdev=m1,cpus=1,nodeid=1
    -nographic -no-reboot -kernel "$CACHE/vmlinuz" -initrd "$CACHE/initrd"
)
# The guest stops starting scenarios after oomlens_budget seconds of uptime, so that it
# always gets to print its captures before BOOT_TIMEOUT.
budget=$((BOOT_TIMEOUT * 2 / 3))
append="console=ttyS0 panic=-1 quiet loglevel=7 log_buf_len=4M oomlens_budget=$budget"

failed_boots=0
for boot in "${boots[@]}"; do
    rm -f "$OUT/$boot".*
    log "booting $boot (timeout ${BOOT_TIMEOUT}s)"
    boot_started=$(date +%s)
    status=0
    timeout "$BOOT_TIMEOUT" qemu-system-x86_64 "${qemu_args[@]}" \
        -append "$append oomlens_boot=$boot" \
        </dev/null >"$OUT/$boot.console.raw" 2>"$OUT/$boot.qemu.err" || status=$?
    seconds=$(($(date +%s) - boot_started))
    log "boot $boot ended with status $status after ${seconds}s"
    if [ "$status" != 0 ]; then
        failed_boots=$((failed_boots + 1))
        sed 's/^/  qemu: /' "$OUT/$boot.qemu.err" >&2 || true
    fi
    python3 "$HERE/check.py" extract --boot "$boot" --raw "$OUT/$boot.console.raw" \
        --out "$OUT" --seconds "$seconds" --kernel-package "$kernel_package"
done

if [ "$save_captures" = 1 ]; then
    python3 "$HERE/check.py" save --out "$OUT" --captures "$HERE/captures" "${boots[@]}"
fi

# ---- verdicts ------------------------------------------------------------------------------

check_status=0
if [ -x "$OOMLENS" ]; then
    python3 "$HERE/check.py" check --out "$OUT" --oomlens "$OOMLENS" \
        --formats "${CAPTURE_FORMATS:-dmesg,dmesg-r,kmsg,console}" "${boots[@]}" ||
        check_status=$?
else
    echo "oomlens binary not found at $OOMLENS: run 'cargo build --release' or set OOMLENS" >&2
    check_status=1
fi

log "total ${#boots[@]} boot(s), $(($(date +%s) - started))s"
[ "$failed_boots" = 0 ] || { log "$failed_boots boot(s) did not finish"; exit 1; }
exit "$check_status"
