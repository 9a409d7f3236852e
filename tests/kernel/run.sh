#!/usr/bin/env bash
# Boots Debian's own kernels under QEMU (TCG, no KVM needed), provokes OOM kills whose cause is
# known by construction (init.sh), captures the kernel log as dmesg, dmesg -r, /dev/kmsg and
# serial console text, and checks oomlens's verdicts against the expectations (check.py).
#
# usage: tests/kernel/run.sh [--save-captures] [--kernel K]... [BOOT...]
#   --kernel K       6.1 (x86-64), 6.12 (x86-64) or 6.1-arm64 (qemu-system-aarch64, virt,
#                    cortex-a57); repeatable; default all three
#   BOOT             v2 v1 stress panic deadlock (see init.sh); default all of them (v1 only
#                    where the kernel has CONFIG_MEMCG_V1), on arm64 ARM64_BOOTS
#   --save-captures  also copy the captures into tests/kernel/captures/ with sidecars
# environment:
#   OOMLENS          the oomlens binary (default: target/release/oomlens of this repository)
#   BOOT_TIMEOUT     seconds one boot may take before it is killed (default 240; arm64 gets
#                    half as long again)
#   ARM64_BOOTS      the boots run on arm64 by default, to trim the slowest kernel's share
#                    (default all five)
#   CAPTURE_FORMATS  captures to check (default dmesg,dmesg-r,kmsg,console; a panicking boot
#                    has the console only)
#
# Exit: 0 when every scenario's event matched; a kernel whose QEMU or package cannot be
# installed is left out with "SKIP: ..." (exit 0 if nothing else ran); 1 on any mismatch or a
# boot that did not finish.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE="$HERE/.cache"
OUT="$CACHE/out"
OOMLENS=${OOMLENS:-target/release/oomlens}
case "$OOMLENS" in /*) ;; *) OOMLENS="$REPO/$OOMLENS" ;; esac
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
ALL_KERNELS=(6.1 6.12 6.1-arm64)
ALL_BOOTS=(v2 v1 stress panic deadlock)
read -r -a arm64_boots <<<"${ARM64_BOOTS:-${ALL_BOOTS[*]}}"

usage() {
    echo "usage: $0 [--save-captures] [--kernel 6.1|6.12|6.1-arm64]... [v2|v1|stress|panic|deadlock]..." >&2
    exit 2
}
save_captures=0
kernels=()
boots=()
while [ $# -gt 0 ]; do
    case "$1" in
        --save-captures) save_captures=1 ;;
        --kernel)
            [ $# -ge 2 ] || usage
            case "$2" in 6.1 | 6.12 | 6.1-arm64) kernels+=("$2") ;; *) usage ;; esac
            shift
            ;;
        v1 | v2 | stress | panic | deadlock) boots+=("$1") ;;
        *) usage ;;
    esac
    shift
done
[ ${#kernels[@]} -gt 0 ] || kernels=("${ALL_KERNELS[@]}")

log() { echo "kernel-harness: $*"; }
# A kernel that cannot run here is left out; the others still run.
skipped=()
skip_kernel() {
    echo "SKIP: kernel $1: $2"
    skipped+=("$1")
}

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
apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# busybox-static, not busybox: the initramfs has no libc to link against.
if ! command -v cpio >/dev/null || ! dpkg -s busybox-static >/dev/null 2>&1; then
    apt_update_once
    apt_install busybox-static cpio || { echo "SKIP: cannot install busybox-static and cpio with apt-get"; exit 0; }
fi
[ -x /bin/busybox ] || { echo "SKIP: /bin/busybox not found after installing busybox-static"; exit 0; }
command -v python3 >/dev/null || { echo "python3 is needed for check.py" >&2; exit 1; }

# ---- kernels -------------------------------------------------------------------------------

# kernel_spec K: sets ARCH, QEMU_PACKAGE, QEMU, QEMU_MACHINE (array) and CONSOLE for kernel K.
kernel_spec() {
    case "$1" in
        6.1 | 6.12)
            ARCH=amd64 QEMU_PACKAGE=qemu-system-x86 QEMU=qemu-system-x86_64 CONSOLE=ttyS0
            QEMU_MACHINE=(-accel tcg)
            ;;
        6.1-arm64)
            # cortex-a57, not max: max's pointer authentication is slow under TCG.
            ARCH=arm64 QEMU_PACKAGE=qemu-system-arm QEMU=qemu-system-aarch64 CONSOLE=ttyAMA0
            QEMU_MACHINE=(-machine virt -cpu cortex-a57 -accel tcg)
            ;;
    esac
}

# kernel_package K: the Debian package of kernel K in the apt lists ("" if none).
kernel_package() {
    case "$1" in
        6.1 | 6.1-arm64)
            local arch=amd64 qualifier=""
            [ "$1" = 6.1-arm64 ] && arch=arm64 qualifier=":arm64"
            local package
            package=$(apt-cache depends "linux-image-$arch$qualifier" 2>/dev/null |
                sed -n "s/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-$arch\)\(:$arch\)\?$/\1/p" | head -n 1)
            if [ -z "$package" ]; then
                # No metapackage in the lists: the newest linux-image-6.1.0-NN-ARCH there is.
                package=$(apt-cache search --names-only "^linux-image-6\.1\.0-[0-9]+-$arch\$" |
                    awk '{print $1}' | sort -V | tail -n 1)
            fi
            echo "$package"
            ;;
        6.12)
            # Bookworm carries 6.12 (from trixie) as linux-image-6.12.NN+deb12-amd64.
            apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
                awk '{print $1}' | sort -V | tail -n 1
            ;;
    esac
}

# fetch_kernel K: vmlinuz, kernel-package.txt and the swap disk's modules into $CACHE/K, once;
# delete tests/kernel/.cache to take newer ones. Returns 1 (after SKIP) if it cannot.
fetch_kernel() {
    local k=$1 dir="$CACHE/$1"
    [ -s "$dir/vmlinuz" ] && [ -s "$dir/config" ] && [ -s "$dir/kernel-package.txt" ] && return 0
    apt_update_once
    local package
    package=$(kernel_package "$k")
    [ -n "$package" ] || { skip_kernel "$k" "no package for it in the apt lists"; return 1; }
    local download
    download=$(mktemp -d "$CACHE/download.XXXXXX")
    # _apt must be able to write where apt-get download puts the file.
    chmod 0777 "$download"
    (cd "$download" && apt-get download -qq "$package:$ARCH") ||
        { rm -rf "$download"; skip_kernel "$k" "cannot download $package:$ARCH with apt-get"; return 1; }
    local deb
    deb=$(ls "$download"/*.deb)
    dpkg-deb -x "$deb" "$download/root"
    grep -q '^CONFIG_NUMA=y' "$download"/root/boot/config-* ||
        log "warning: $package has no CONFIG_NUMA; the numa scenario cannot work"
    rm -rf "$dir"
    mkdir -p "$dir/modules"
    cp "$(ls "$download"/root/boot/vmlinuz-* | head -n 1)" "$dir/vmlinuz"
    cp "$(ls "$download"/root/boot/config-* | head -n 1)" "$dir/config"
    # The swap disk is virtio-blk on PCI: whichever of these the kernel has as modules.
    python3 "$HERE/check.py" modules --tree "$download/root/lib/modules" --out "$dir/modules" \
        virtio_pci virtio_blk
    dpkg-deb -f "$deb" Package Version Architecture | tr '\n' ' ' |
        sed 's/Package: //; s/ Version: /=/; s/ Architecture: / /; s/ $//' > "$dir/kernel-package.txt"
    rm -rf "$download"
}

# busybox_for ARCH: prints the path of a static busybox for ARCH (the host's for amd64).
busybox_for() {
    if [ "$1" = amd64 ]; then
        echo /bin/busybox
        return 0
    fi
    local path="$CACHE/busybox-$1"
    if [ ! -s "$path" ]; then
        local download
        download=$(mktemp -d "$CACHE/download.XXXXXX")
        chmod 0777 "$download"
        (cd "$download" && apt-get download -qq "busybox-static:$1") || { rm -rf "$download"; return 1; }
        dpkg-deb -x "$download"/*.deb "$download/root"
        cp "$download/root/bin/busybox" "$path"
        rm -rf "$download"
    fi
    echo "$path"
}

# prepare_kernel K: QEMU, the kernel and a busybox for K's architecture; 1 (after SKIP) if not.
prepare_kernel() {
    local k=$1
    kernel_spec "$k"
    if ! command -v "$QEMU" >/dev/null; then
        apt_update_once
        apt_install "$QEMU_PACKAGE" || { skip_kernel "$k" "cannot install $QEMU_PACKAGE with apt-get"; return 1; }
        command -v "$QEMU" >/dev/null || { skip_kernel "$k" "$QEMU not found after install"; return 1; }
    fi
    if [ "$ARCH" != amd64 ] && ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
        # Only for apt-get download of the $ARCH packages; nothing of $ARCH is installed.
        dpkg --add-architecture "$ARCH"
        apt_updated=0
    fi
    fetch_kernel "$k" || return 1
    # busybox_for runs in a subshell: the lists are brought up to date here if it downloads.
    [ "$ARCH" = amd64 ] || [ -s "$CACHE/busybox-$ARCH" ] || apt_update_once
    BUSYBOX=$(busybox_for "$ARCH") || { skip_kernel "$k" "cannot download busybox-static:$ARCH with apt-get"; return 1; }
}

# build_initrd K: $CACHE/K/initrd from init.sh, busybox and the modules; rebuilt every run (a
# second) so edits to init.sh always take effect.
build_initrd() {
    local root="$CACHE/$1/initrd-root"
    rm -rf "$root"
    mkdir -p "$root"/{bin,dev,proc,sys,tmp}
    cp "$BUSYBOX" "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
    cp -r "$CACHE/$1/modules" "$root/modules"
    install -m 0755 "$HERE/init.sh" "$root/init"
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$CACHE/$1/initrd"
}

# ---- boots ---------------------------------------------------------------------------------

# Two NUMA nodes of 256 MiB, one CPU each, one CPU per socket: CPUs of one socket on
# different nodes make the kernel WARN (topology_sane) and taint itself.
qemu_memory=(
    -m 512M -smp 2,sockets=2,cores=1,threads=1
    -object memory-backend-ram,id=m0,size=256M -numa node,memdev=m0,cpus=0,nodeid=0
    -object memory-backend-ram,id=m1,size=256M -numa node,memdev=m1,cpus=1,nodeid=1
    -nographic -no-reboot
)

failed_boots=0
ran=()
timings=()
for k in "${kernels[@]}"; do
    prepare_kernel "$k" || continue
    build_initrd "$k"
    kernel_package=$(cat "$CACHE/$k/kernel-package.txt")
    log "kernel $k: package $kernel_package, $QEMU"
    if [ ${#boots[@]} -gt 0 ]; then
        kernel_boots=("${boots[@]}")
    elif [ "$ARCH" = amd64 ]; then
        kernel_boots=("${ALL_BOOTS[@]}")
    else
        kernel_boots=("${arm64_boots[@]}")
    fi
    if [ ${#boots[@]} = 0 ] && ! grep -q '^CONFIG_MEMCG_V1=y' "$CACHE/$k/config" &&
        grep -q '^# CONFIG_MEMCG_V1 is not set' "$CACHE/$k/config"; then
        # 6.11 made the v1 memory controller optional; without it the v1 boot cannot be built.
        log "kernel $k: no v1 boot: built without CONFIG_MEMCG_V1 (no cgroup v1 memory controller)"
        kept=()
        for boot in "${kernel_boots[@]}"; do [ "$boot" = v1 ] || kept+=("$boot"); done
        kernel_boots=("${kept[@]}")
    fi
    # arm64 under TCG runs about half as fast as x86-64 here: half as long again.
    boot_timeout=$BOOT_TIMEOUT
    [ "$ARCH" = amd64 ] || boot_timeout=$((BOOT_TIMEOUT * 3 / 2))
    # The guest stops starting scenarios after oomlens_budget seconds of uptime, so that it
    # always gets to print its captures before the timeout.
    budget=$((boot_timeout * 2 / 3))
    append="console=$CONSOLE panic=-1 quiet loglevel=7 log_buf_len=4M oomlens_budget=$budget"
    for boot in "${kernel_boots[@]}"; do
        tag="$k-$boot"
        rm -f "$OUT/$tag".*
        extra=()
        if [ "$boot" = stress ]; then
            # The swap scenario's disk: 32 MiB, raw, made new for every boot.
            truncate -s 32M "$OUT/$tag.swap.img"
            extra=(-drive "file=$OUT/$tag.swap.img,format=raw,if=none,id=swap"
                -device virtio-blk-pci,drive=swap)
        fi
        panic_flag=()
        case "$boot" in panic | deadlock) panic_flag=(--panic) ;; esac
        log "booting $tag (timeout ${boot_timeout}s)"
        boot_started=$(date +%s)
        status=0
        timeout "$boot_timeout" "$QEMU" "${QEMU_MACHINE[@]}" "${qemu_memory[@]}" "${extra[@]}" \
            -kernel "$CACHE/$k/vmlinuz" -initrd "$CACHE/$k/initrd" \
            -append "$append oomlens_boot=$boot" \
            </dev/null >"$OUT/$tag.console.raw" 2>"$OUT/$tag.qemu.err" || status=$?
        seconds=$(($(date +%s) - boot_started))
        rm -f "$OUT/$tag.swap.img"
        log "boot $tag ended with status $status after ${seconds}s"
        timings+=("$tag ${seconds}s")
        if [ "$status" != 0 ]; then
            failed_boots=$((failed_boots + 1))
            sed 's/^/  qemu: /' "$OUT/$tag.qemu.err" >&2 || true
        fi
        python3 "$HERE/check.py" extract --boot "$tag" --raw "$OUT/$tag.console.raw" \
            --out "$OUT" --seconds "$seconds" --kernel-package "$kernel_package" "${panic_flag[@]}"
        ran+=("$tag")
    done
done

if [ ${#ran[@]} = 0 ]; then
    echo "SKIP: no kernel could be booted (${skipped[*]:-none selected})"
    exit 0
fi

if [ "$save_captures" = 1 ]; then
    python3 "$HERE/check.py" save --out "$OUT" --captures "$HERE/captures" "${ran[@]}"
fi

# ---- verdicts ------------------------------------------------------------------------------

check_status=0
if [ -x "$OOMLENS" ]; then
    python3 "$HERE/check.py" check --out "$OUT" --oomlens "$OOMLENS" \
        --formats "${CAPTURE_FORMATS:-dmesg,dmesg-r,kmsg,console}" "${ran[@]}" ||
        check_status=$?
else
    echo "oomlens binary not found at $OOMLENS: run 'cargo build --release' or set OOMLENS" >&2
    check_status=1
fi

log "boot wall times: ${timings[*]}"
[ ${#skipped[@]} = 0 ] || log "skipped kernels: ${skipped[*]}"
log "total ${#ran[@]} boot(s), $(($(date +%s) - started))s"
[ "$failed_boots" = 0 ] || { log "$failed_boots boot(s) did not finish"; exit 1; }
exit "$check_status"
