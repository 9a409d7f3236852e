//! The head of a report: the `invoked oom-killer` and `page allocation failure` headers, the
//! cpuset line, and what `dump_stack` prints (CPU, hardware, call trace, registers).

use crate::report::{KernelInfo, Trigger};

use super::scan::{self, first_word, parse_i32, parse_u32};

/// The longest text taken for a task name: `comm` is at most 15 bytes, a little slack allows
/// for vendor kernels. Longer means the marker sits inside some other message.
pub(super) const COMM_MAX: usize = 64;

/// `<comm> invoked oom-killer: <fields>`, where the fields may be missing (abridged header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OomHeader<'a> {
    pub comm: &'a str,
    pub fields: &'a str,
}

/// `<comm>: page allocation failure: order:N, mode:…` (also the 2.6 `failure. order:` form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AllocFailure<'a> {
    pub comm: &'a str,
    pub fields: &'a str,
}

/// `<comm> cpuset=<name> mems_allowed=<list>` (≤ 4.19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CpusetLine<'a> {
    pub comm: &'a str,
    pub cpuset: &'a str,
    pub mems_allowed: &'a str,
}

/// `CPU: n [UID: u] PID: p Comm: c [Kdump: loaded] Not tainted|Tainted: <flags> <release> #n …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CpuLine<'a> {
    pub cpu: Option<u32>,
    pub pid: Option<u32>,
    pub comm: &'a str,
    pub tainted: Option<&'a str>,
    pub release: Option<&'a str>,
}

/// Reads `<comm> invoked oom-killer[: fields]`, and the header of kernels before 2.6.23,
/// which named no task: `oom-killer: gfp_mask=0xd1, order=0` (mm/oom_kill.c
/// `out_of_memory`).
pub(crate) fn oom_header(text: &str) -> Option<OomHeader<'_>> {
    const MARKER: &str = "invoked oom-killer";
    if let Some(fields) = text
        .strip_prefix("oom-killer: ")
        .filter(|fields| fields.starts_with("gfp_mask="))
    {
        return Some(OomHeader { comm: "", fields });
    }
    // `contains` has a vectorised path `find` lacks: most lines are rejected here.
    if !text.contains(MARKER) {
        return None;
    }
    let at = text.find(MARKER)?;
    let comm = text.get(..at)?;
    if !(comm.is_empty() || comm.ends_with(' ')) {
        return None;
    }
    let comm = comm.trim_end();
    let rest = text.get(at.saturating_add(MARKER.len())..)?;
    let fields = match rest.strip_prefix(':') {
        Some(fields) => fields,
        None if rest.trim().is_empty() => "",
        None => return None,
    };
    (comm.len() <= COMM_MAX).then_some(OomHeader { comm, fields })
}

/// Reads `<comm>: page allocation failure: order:N, mode:…[, nodemask=…][,cpuset=…,mems_allowed=…]`,
/// and the same `warn_alloc` header mm/vmalloc.c prints: `<comm>: vmalloc: allocation failure:
/// N bytes, mode:…` (≤ 6.0) and `<comm>: vmalloc error: size N, [page order N, ]…, mode:…`,
/// and mm/sparse-vmemmap.c `vmemmap_alloc_block` (≥ 4.15, memory hot-add): `<comm>: vmemmap
/// alloc failure: order:N, mode:…`.
pub(crate) fn alloc_failure(text: &str) -> Option<AllocFailure<'_>> {
    const MARKERS: [&str; 4] = [
        ": page allocation failure",
        ": vmalloc: allocation failure",
        ": vmalloc error",
        ": vmemmap alloc failure",
    ];
    let (at, marker) = MARKERS
        .iter()
        .find_map(|marker| text.find(marker).map(|at| (at, *marker)))?;
    let comm = text.get(..at)?.trim();
    let rest = text.get(at.saturating_add(marker.len())..)?;
    let fields = rest.strip_prefix(':').or_else(|| rest.strip_prefix('.'))?;
    (comm.len() <= COMM_MAX).then_some(AllocFailure { comm, fields })
}

/// Reads `<comm> cpuset=<name> mems_allowed=<list>`.
pub(crate) fn cpuset_line(text: &str) -> Option<CpusetLine<'_>> {
    if !text.contains(" cpuset=") {
        return None;
    }
    let at = text.find(" cpuset=")?;
    let comm = text.get(..at)?.trim();
    let rest = text.get(at.saturating_add(" cpuset=".len())..)?;
    let (cpuset, mems) = rest.split_once(" mems_allowed=")?;
    (comm.len() <= COMM_MAX).then_some(CpusetLine {
        comm,
        cpuset: cpuset.trim(),
        mems_allowed: first_word(mems),
    })
}

/// Applies a header's fields (`gfp_mask=`/`mode:`, `nodemask=`, `order=`/`order:`,
/// `oom_score_adj=`, `cpuset=`, `mems_allowed=`) to `trigger`. A value that does not parse
/// leaves its field `None`. Returns whether `oom_score_adj`, the last field of an OOM header,
/// was read: if not, the header may continue on the next line.
pub(crate) fn read_fields(trigger: &mut Trigger, fields: &str) -> bool {
    let mut saw_score_adj = false;
    for (key, value) in scan::fields(fields) {
        match key {
            "gfp_mask" | "mode" => read_gfp(trigger, value),
            "nodemask" => trigger.nodemask = Some(value.to_string()),
            "order" => trigger.order = parse_i32(first_word(value)),
            "oom_score_adj" => {
                saw_score_adj = true;
                trigger.oom_score_adj = parse_i32(first_word(value));
            }
            "cpuset" => trigger.cpuset = Some(value.to_string()),
            "mems_allowed" => trigger.mems_allowed = Some(first_word(value).to_string()),
            // 4.14 prints the nodemask with pr_cont: `nodemask=` may end one line and its
            // value start the next.
            "" if trigger.nodemask.as_deref() == Some("") => {
                trigger.nodemask = Some(value.to_string());
            }
            // A hard wrap between the mask and its decoded flags (`gfp_mask=0x240c2c0` +
            // `(GFP_KERNEL|__GFP_NOWARN), nodemask=0, order=3,`).
            "" if value.starts_with('(') && trigger.gfp_flags.is_empty() => {
                if let Some(mask) = trigger.gfp_mask.clone() {
                    read_gfp(trigger, &format!("{mask}{value}"));
                }
            }
            // mm/vmalloc.c `vm_area_alloc_pages` (≥ 6.1) names the order in words:
            // `vmalloc error: size 0, page order 9, failed to allocate pages, mode:…`.
            "page" => {
                if let Some(order) = value.strip_prefix("order ") {
                    trigger.order = parse_i32(first_word(order));
                }
            }
            _ => {}
        }
    }
    saw_score_adj
}

/// Whether `text` continues a header cut after `invoked oom-killer:`, after `nodemask=`,
/// between a gfp mask and its flag names, or (an allocation failure) before `mode:` (hard
/// wrap or pr_cont split): it starts with a header field, a nodemask value or a flag list.
pub(crate) fn is_header_tail(text: &str) -> bool {
    [
        "gfp_mask=",
        "mode:",
        "nodemask=",
        "order=",
        "oom_score_adj=",
        "(null)",
        "(GFP_",
        "(__GFP_",
        ",",
    ]
    .iter()
    .any(|start| text.starts_with(start))
        || (text.starts_with(|c: char| c.is_ascii_digit()) && text.contains("order="))
}

/// `0x62****(GFP_HIGHUSER_MOVABLE|__GFP_ZERO)` → mask `0x62****`, flags. A flag list cut
/// before its `)` loses its last, possibly partial, name.
fn read_gfp(trigger: &mut Trigger, value: &str) {
    let (mask, flags) = match value.split_once('(') {
        Some((mask, flags)) => (mask, Some(flags)),
        None => (value, None),
    };
    let mask = first_word(mask);
    trigger.gfp_mask = (!mask.is_empty()).then(|| mask.to_string());
    trigger.gfp_flags.clear();
    if let Some(flags) = flags {
        let (listed, closed) = match flags.split_once(')') {
            Some((listed, _)) => (listed, true),
            None => (flags, false),
        };
        let mut names: Vec<String> = listed
            .split('|')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect();
        if !closed {
            names.pop();
        }
        trigger.gfp_flags = names;
    }
}

/// Reads the `CPU: … PID: … Comm: …` line of `dump_stack`.
pub(crate) fn cpu_line(text: &str) -> Option<CpuLine<'_>> {
    let rest = text.strip_prefix("CPU: ")?;
    let (cpu, rest) = rest.split_once(" PID: ")?;
    let (pid, rest) = rest.split_once(" Comm: ")?;
    let comm_end = [" Kdump: ", " Not tainted", " Tainted: "]
        .iter()
        .filter_map(|marker| rest.find(marker))
        .min()
        .unwrap_or(rest.len());
    let comm = rest.get(..comm_end)?.trim();
    let after_comm = rest.get(comm_end..).unwrap_or("");
    let (tainted, release) = if let Some(at) = after_comm.find(" Tainted: ") {
        let flags_and_release = after_comm.get(at.saturating_add(" Tainted: ".len())..)?;
        split_release(flags_and_release)
    } else if let Some(at) = after_comm.find(" Not tainted") {
        let tail = after_comm.get(at.saturating_add(" Not tainted".len())..)?;
        (None, split_release(tail).1)
    } else {
        (None, None)
    };
    Some(CpuLine {
        cpu: parse_u32(first_word(cpu)),
        pid: parse_u32(pid.trim()),
        comm,
        tainted,
        release,
    })
}

/// Splits `G           OE      6.1.1-arch1-1 #1 9bd09…` into the taint flags and the release:
/// the release is the word before `#`. Without `#` (line cut), a last word that looks like a
/// release (digits and dots) is taken.
fn split_release(text: &str) -> (Option<&str>, Option<&str>) {
    let before_hash = match text.find('#') {
        Some(at) => text.get(..at).unwrap_or(""),
        None => text,
    }
    .trim_end();
    let release_start = before_hash
        .rfind(|c: char| c.is_ascii_whitespace())
        .map_or(0, |at| at.saturating_add(1));
    let candidate = before_hash.get(release_start..).unwrap_or("");
    let looks_like_release =
        candidate.contains('.') && candidate.starts_with(|c: char| c.is_ascii_digit());
    let has_hash = text.contains('#');
    let (flags, release) = if !candidate.is_empty() && (has_hash || looks_like_release) {
        (
            before_hash.get(..release_start).unwrap_or(""),
            Some(candidate),
        )
    } else {
        (before_hash, None)
    };
    let flags = flags.trim();
    ((!flags.is_empty()).then_some(flags), release)
}

/// Applies a CPU line to the kernel facts and, where the header did not name it, the trigger.
pub(crate) fn apply_cpu_line(line: &CpuLine<'_>, kernel: &mut KernelInfo, trigger: &mut Trigger) {
    kernel.cpu = line.cpu;
    kernel.tainted = line.tainted.map(str::to_string);
    kernel.release = line.release.map(str::to_string);
    trigger.pid = line.pid;
    if trigger.comm.is_none() && !line.comm.is_empty() {
        trigger.comm = Some(line.comm.to_string());
    }
}

/// Whether a stack frame line is marked `?` (arch/x86/kernel/dumpstack.c
/// `printk_stack_address` with `reliable` 0: an address found on the stack that the unwinder
/// could not vouch for), `[<ffffffff81401c43>] ? dump_stack+0x63/0x90` in older kernels.
pub(crate) fn frame_is_unreliable(text: &str) -> bool {
    let text = after_stack_name(text).unwrap_or(text);
    let rest = text
        .strip_prefix("[<")
        .and_then(|rest| rest.split_once(">]"))
        .map_or(text, |(_, rest)| rest.trim_start());
    rest.starts_with("? ")
}

/// The frame after the name of the stack a trace enters, on one line: before 4.9 (which
/// gave each name a line of its own) x86's `print_trace_stack` (arch/x86/kernel/dumpstack.c)
/// printed ` <IRQ> `, ` <EOI> `, ` <NMI> ` or an exception stack's `<#DF> ` with no newline,
/// so the first frame of that stack follows it:
/// `<IRQ>  [<ffffffff810e72ac>] __alloc_pages_nodemask+0x5bc/0x6d0`.
fn after_stack_name(text: &str) -> Option<&str> {
    let (name, frame) = text.strip_prefix('<')?.split_once("> ")?;
    let named = matches!(
        name,
        "IRQ" | "EOI" | "EOE" | "NMI" | "#DB" | "#DF" | "#SS" | "#MC"
    );
    let frame = frame.trim_start();
    (named && !frame.is_empty()).then_some(frame)
}

/// Lines of `dump_stack` that carry nothing to keep: `Call Trace:`, `<TASK>`, `Workqueue:`,
/// Android's `TGID:`, and 32-bit ARM's `Backtrace:` and `Exception stack(0x… to 0x…)`
/// (arch/arm/kernel/traps.c, `dump_backtrace` and `dump_mem`).
pub(crate) fn is_stack_marker(text: &str) -> bool {
    matches!(
        text,
        "Call Trace:" | "Call trace:" | "Backtrace:" | "<TASK>" | "</TASK>" | "<IRQ>" | "</IRQ>"
    ) || text.starts_with("Workqueue: ")
        || text.starts_with("TGID: ")
        || text.starts_with("Exception stack(0x")
}

/// A stack frame, in any of its forms, and the function it names, if it names one:
/// `dump_stack+0x63/0x90`, `? find_next_bit+0x18/0x20`,
/// `[<ffffffff81401c43>] dump_stack+0x63/0x90`, `oom_kill_process.cold+0xb/0x10`,
/// `nvkms_alloc+0x27/0x60 [nvidia_modeset]`, and 32-bit ARM's
/// `[<c0104540>] (out_of_memory+0x0/0x348) from [<c0107dbc>] (__alloc_pages_nodemask+0x748/0x76c)`
/// (arch/arm/kernel/traps.c `dump_backtrace_entry`: the frame's own function, then its
/// caller, which is the next frame's; since 4.x the own function without its offset,
/// `[<c033eddc>] (out_of_memory) from [<c03451a0>] (__alloc_pages_nodemask+0xfc0/0x1180)`). The function name drops compiler clone
/// suffixes (`.cold`, `.constprop.0`, `.isra.20`) so it matches the source.
pub(crate) fn stack_frame(text: &str) -> Option<Option<&str>> {
    let text = after_stack_name(text).unwrap_or(text);
    if let Some(symbol) = powerpc_entry(text) {
        return Some(frame_function(symbol).map(without_clone_suffix));
    }
    let (bracketed, rest) = match text.strip_prefix("[<") {
        Some(rest) => {
            let (address, rest) = rest.split_once(">]")?;
            if !address.bytes().all(|byte| byte.is_ascii_hexdigit()) {
                return None;
            }
            (true, rest.trim_start())
        }
        None => (false, text),
    };
    if let Some(arm) = rest.strip_prefix('(').filter(|_| bracketed) {
        let (symbol, caller) = arm.split_once(')')?;
        let caller = caller.trim();
        if !caller.is_empty() && !caller.starts_with("from [<") {
            return None;
        }
        // Since 4.x `dump_backtrace_entry` prints the frame's own function with `%ps`: no
        // offset, a module's in ` [module]` (`(brcmf_sdio_dataworker [brcmfmac])`).
        let bare = without_module(symbol);
        let name = frame_function(symbol).or_else(|| is_symbol_name(bare).then_some(bare));
        return Some(name.map(without_clone_suffix));
    }
    if let Some(name) = (!bracketed).then(|| arm32_entry(rest)).flatten() {
        return Some(Some(without_clone_suffix(name)));
    }
    let symbol = rest.strip_prefix("? ").unwrap_or(rest);
    // After an address the line is a frame for sure, even cut inside its offset
    // (`[<ffffffff811bd1ce>] __mem_cgroup_try_charge+0xb`, the end of a paste).
    let name = frame_function(symbol)
        .or_else(|| decoded_frame_function(symbol))
        .or_else(|| cut_frame_function(symbol).filter(|_| bracketed));
    if name.is_none() && !bracketed {
        return None;
    }
    Some(name.map(without_clone_suffix))
}

/// powerpc's frame, stack pointer and return address before the symbol:
/// `[c00000023de97330] [c000000000386958] dump_header+0x64/0x274`, the first one marked
/// ` (unreliable)` (arch/powerpc/kernel/process.c `show_stack`): the symbol part.
fn powerpc_entry(text: &str) -> Option<&str> {
    let rest = after_hex_bracket(text)?;
    let rest = after_hex_bracket(rest.strip_prefix(' ')?)?;
    rest.strip_prefix(' ').map(str::trim_end)
}

/// `[c000000000386958] rest` → ` rest`: the text after a bracketed hex address.
fn after_hex_bracket(text: &str) -> Option<&str> {
    let (hex, rest) = text.strip_prefix('[')?.split_once(']')?;
    (!hex.is_empty() && hex.bytes().all(|byte| byte.is_ascii_hexdigit())).then_some(rest)
}

/// The caller a 32-bit ARM backtrace entry names after ` from ` (`dump_backtrace_entry`:
/// `[<…>] (out_of_memory) from [<…>] (__alloc_pages_nodemask+0x980/0xb24)`, since 5.16
/// `out_of_memory from __alloc_pages+0x…/0x…`), clone suffix dropped. It is the next
/// entry's own function, so it matters only where the trace is cut after this entry.
pub(crate) fn arm_frame_caller(text: &str) -> Option<&str> {
    let (_, caller) = text.split_once(" from ")?;
    let caller = caller.trim();
    let caller = match caller.strip_prefix("[<") {
        Some(rest) => rest
            .split_once(">]")?
            .1
            .trim_start()
            .strip_prefix('(')?
            .strip_suffix(')')?,
        None => caller,
    };
    frame_function(caller).map(without_clone_suffix)
}

/// `oom_kill_process.cold` → `oom_kill_process`, `__alloc_pages_noprof` → `__alloc_pages`: the
/// name in the source, without the compiler's clone suffix or the allocation-profiling one.
fn without_clone_suffix(name: &str) -> &str {
    let name = name.split('.').next().unwrap_or(name);
    // Memory allocation profiling (6.10, include/linux/alloc_tag.h `alloc_hooks`) renamed the
    // allocator's functions `*_noprof` behind macros of the old names.
    name.strip_suffix("_noprof").unwrap_or(name)
}

/// `brcmf_fws_attach [brcmfmac]` → `brcmf_fws_attach`: a `%ps` symbol without the module
/// `kallsyms` appends to it.
fn without_module(symbol: &str) -> &str {
    symbol
        .split_once(" [")
        .filter(|(_, module)| module.ends_with(']'))
        .map_or(symbol, |(name, _)| name)
}

/// 32-bit ARM's backtrace entry since 5.16, without addresses: `warn_alloc from
/// __alloc_pages+0xe9c/0xfe8`, `brcmf_fws_attach [brcmfmac] from
/// brcmf_proto_bcdc_init_done+0x18/0x30 [brcmfmac]` (arch/arm/kernel/traps.c
/// `dump_backtrace_entry`, `%ps from %pS`): the frame's own function.
fn arm32_entry(text: &str) -> Option<&str> {
    let (own, caller) = text.split_once(" from ")?;
    let own = without_module(own);
    (is_symbol_name(own) && frame_function(caller).is_some()).then_some(own)
}

/// Whether `name` can be a kernel symbol as a frame prints it: a C identifier, with the `.`
/// of compiler clone suffixes and the `$` some toolchains use.
fn is_symbol_name(name: &str) -> bool {
    name.bytes()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == b'_')
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'$'))
}

/// `func+0xNN` with nothing after it → `func`: a frame cut before its size.
fn cut_frame_function(symbol: &str) -> Option<&str> {
    let (name, offset) = symbol.split_once("+0x")?;
    (is_symbol_name(name) && !offset.is_empty() && offset.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some(name)
}

/// A frame as scripts/decode_stacktrace.sh rewrites it, its offset replaced by the source
/// lines (`dump_header (mm/oom_kill.c:74 mm/oom_kill.c:468)`, `dump_stack_lvl
/// (lib/dump_stack.c:123 (discriminator 1))`), as syzbot and the kernel test robot post
/// traces: `func`.
fn decoded_frame_function(symbol: &str) -> Option<&str> {
    let (name, lines) = symbol.trim_end().split_once(" (")?;
    let (path, after) = lines.split_once(':')?;
    let source_path = path.contains('.')
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./-".contains(&b));
    let line_number = after.bytes().next().is_some_and(|b| b.is_ascii_digit());
    (is_symbol_name(name) && source_path && line_number && lines.ends_with(')')).then_some(name)
}

/// `func+0xNN/0xNN[ suffix]` → `func`; the suffix may only be a ` [module]` or ` (P)` mark.
fn frame_function(symbol: &str) -> Option<&str> {
    let (name, offsets) = symbol.split_once("+0x")?;
    let valid_name = is_symbol_name(name);
    let (offset, rest) = offsets.split_once("/0x")?;
    let size_len = rest
        .bytes()
        .position(|byte| !byte.is_ascii_hexdigit())
        .unwrap_or(rest.len());
    let suffix = rest.get(size_len..)?.trim();
    let valid_suffix = suffix.is_empty()
        || (suffix.starts_with('[') && suffix.ends_with(']'))
        || (suffix.starts_with('(') && suffix.ends_with(')'));
    let hex =
        |digits: &str| !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_hexdigit());
    (valid_name && hex(offset) && size_len > 0 && valid_suffix).then_some(name)
}

/// Register dumps and `Code:` lines that follow a user-space fault in the trace, and the
/// saved registers 32-bit ARM prints under a frame (` r6:000200da r5:00000000 …`,
/// arch/arm/lib/backtrace.S).
pub(crate) fn is_register_line(text: &str) -> bool {
    const PREFIXES: [&str; 21] = [
        "RIP: ", "RSP: ", "RAX: ", "RDX: ", "RBP: ", "R10: ", "R13: ", "Code: ", "FS: ", "CS: ",
        "CR2: ", "DR0: ", "DR3: ", "DR6: ", "EIP: ", "EAX: ", "ESI: ", "DS: ", "CR0: ", "pc : ",
        "lr : ",
    ];
    PREFIXES.iter().any(|prefix| text.starts_with(prefix)) || is_arm_saved_registers(text)
}

/// ` r8:c3ada000 r7:00000000 …`: every word an ARM register name and eight hex digits.
fn is_arm_saved_registers(text: &str) -> bool {
    let register = |word: &str| {
        word.split_once(':').is_some_and(|(name, value)| {
            let numbered = name
                .strip_prefix('r')
                .is_some_and(|n| matches!(n.len(), 1 | 2) && n.bytes().all(|b| b.is_ascii_digit()));
            (numbered || matches!(name, "sl" | "fp" | "ip" | "sp" | "lr" | "pc"))
                && value.len() == 8
                && value.bytes().all(|b| b.is_ascii_hexdigit())
        })
    };
    let mut words = text.split_ascii_whitespace().peekable();
    words.peek().is_some() && words.all(register)
}

/// Raw stack words printed before the trace by ≤ 4.x kernels:
/// `0000000000000286 ac45344c9134371f ffff8800b8727c88 ffffffff81401c43`.
pub(crate) fn is_stack_words(text: &str) -> bool {
    let mut words = text.split_ascii_whitespace().peekable();
    words.peek().is_some()
        && words.all(|word| {
            matches!(word.len(), 8 | 16) && word.bytes().all(|byte| byte.is_ascii_hexdigit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trigger_of(fields: &str) -> (Trigger, bool) {
        let mut trigger = Trigger::default();
        let complete = read_fields(&mut trigger, fields);
        (trigger, complete)
    }

    #[test]
    fn header_with_redacted_gfp_mask() {
        let line = "test invoked oom-killer: gfp_mask=0x62****(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=(null), order=0, oom_score_adj=0";
        let header = oom_header(line).unwrap();
        assert_eq!(header.comm, "test");
        let (trigger, complete) = trigger_of(header.fields);
        assert!(complete);
        assert_eq!(trigger.gfp_mask.as_deref(), Some("0x62****"));
        assert_eq!(
            trigger.gfp_flags,
            vec!["GFP_HIGHUSER_MOVABLE", "__GFP_ZERO"]
        );
        assert_eq!(trigger.nodemask.as_deref(), Some("(null)"));
        assert_eq!(trigger.order, Some(0));
        assert_eq!(trigger.oom_score_adj, Some(0));
    }

    #[test]
    fn the_header_before_2_6_23_names_no_task() {
        let header = oom_header("oom-killer: gfp_mask=0xd1, order=0").unwrap();
        assert_eq!(header.comm, "");
        assert_eq!(header.fields, "gfp_mask=0xd1, order=0");
        assert!(oom_header("my oom-killer: gfp_mask=0xd1").is_none());
    }

    #[test]
    fn header_3_10_without_nodemask_or_flags() {
        let header =
            oom_header("java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=-998")
                .unwrap();
        let (trigger, _) = trigger_of(header.fields);
        assert_eq!(trigger.gfp_mask.as_deref(), Some("0xd0"));
        assert!(trigger.gfp_flags.is_empty());
        assert_eq!(trigger.nodemask, None);
        assert_eq!(trigger.oom_score_adj, Some(-998));
    }

    #[test]
    fn header_4_14_double_space_before_order() {
        let header = oom_header("a.out invoked oom-killer: gfp_mask=0x14280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=(null),  order=0, oom_score_adj=0").unwrap();
        let (trigger, _) = trigger_of(header.fields);
        assert_eq!(trigger.order, Some(0));
        assert_eq!(trigger.nodemask.as_deref(), Some("(null)"));
    }

    #[test]
    fn header_truncated_after_order_comma() {
        let header = oom_header("test invoked oom-killer: gfp_mask=0x62****(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=(null), order=0,").unwrap();
        let (trigger, complete) = trigger_of(header.fields);
        assert!(!complete);
        assert_eq!(trigger.order, Some(0));
        assert_eq!(trigger.oom_score_adj, None);
    }

    #[test]
    fn header_abridged_to_comm() {
        let header = oom_header("mem_on_node0 invoked oom-killer").unwrap();
        assert_eq!(
            header,
            OomHeader {
                comm: "mem_on_node0",
                fields: ""
            }
        );
    }

    #[test]
    fn header_comm_with_slash_and_colon_and_sysrq_order() {
        let header = oom_header(
            "kworker/0:2 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0",
        )
        .unwrap();
        assert_eq!(header.comm, "kworker/0:2");
        assert_eq!(trigger_of(header.fields).0.order, Some(-1));
    }

    #[test]
    fn header_with_tmux_marker_after_score_adj() {
        let header = oom_header("main invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0                                             [7/972]").unwrap();
        assert_eq!(trigger_of(header.fields).0.oom_score_adj, Some(0));
    }

    #[test]
    fn header_marker_inside_prose_is_not_a_header() {
        assert_eq!(oom_header("the kernel uninvoked oom-killer: x"), None);
        let long = format!("{} invoked oom-killer: order=0", "x".repeat(80));
        assert_eq!(oom_header(&long), None);
    }

    #[test]
    fn header_flag_list_cut_drops_partial_flag() {
        let (trigger, _) = trigger_of("gfp_mask=0x14280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZE");
        assert_eq!(trigger.gfp_flags, vec!["GFP_HIGHUSER_MOVABLE"]);
    }

    #[test]
    fn header_nodemask_value_on_next_line() {
        let (mut trigger, complete) =
            trigger_of("gfp_mask=0x14280ca(GFP_HIGHUSER_MOVABLE), nodemask=");
        assert!(!complete);
        assert!(is_header_tail("0-1,  order=0, oom_score_adj=0"));
        assert!(read_fields(&mut trigger, "0-1,  order=0, oom_score_adj=0"));
        assert_eq!(trigger.nodemask.as_deref(), Some("0-1"));
        assert_eq!(trigger.order, Some(0));
    }

    #[test]
    fn alloc_failure_android_4_1() {
        let failure =
            alloc_failure("sManagerService: page allocation failure: order:2, mode:0x2000d1")
                .unwrap();
        assert_eq!(failure.comm, "sManagerService");
        let (trigger, _) = trigger_of(failure.fields);
        assert_eq!(trigger.order, Some(2));
        assert_eq!(trigger.gfp_mask.as_deref(), Some("0x2000d1"));
    }

    #[test]
    fn vmalloc_failures_are_allocation_failure_headers() {
        let line = alloc_failure("kworker/u16:2: vmalloc: allocation failure: 0 bytes, mode:0xdc0(GFP_KERNEL|__GFP_ZERO), nodemask=(null),cpuset=/,mems_allowed=0").unwrap();
        assert_eq!(line.comm, "kworker/u16:2");
        let mut trigger = Trigger::default();
        read_fields(&mut trigger, line.fields);
        assert_eq!(trigger.gfp_mask.as_deref(), Some("0xdc0"));
        assert_eq!(trigger.order, None);
        let newer = alloc_failure("modprobe: vmalloc error: size 8192, page order 1, failed to allocate pages, mode:0xcc2(GFP_KERNEL|__GFP_HIGHMEM), nodemask=(null)").unwrap();
        assert_eq!(newer.comm, "modprobe");
        let mut trigger = Trigger::default();
        read_fields(&mut trigger, newer.fields);
        assert_eq!(trigger.order, Some(1));
        assert_eq!(trigger.gfp_mask.as_deref(), Some("0xcc2"));
        let huge = alloc_failure("qemu:deb12-virt: vmalloc error: size 0, page order 9, failed to allocate pages, mode:0xdc2(GFP_KERNEL|__GFP_HIGHMEM|__GFP_ZERO), nodemask=(null),cpuset=emulator,mems_allowed=0").unwrap();
        assert_eq!(huge.comm, "qemu:deb12-virt");
        let mut trigger = Trigger::default();
        read_fields(&mut trigger, huge.fields);
        assert_eq!(trigger.order, Some(9));
        assert!(alloc_failure("vmalloc: allocation failure is a phrase").is_none());
    }

    #[test]
    fn vmemmap_failure_of_a_memory_hot_add_is_an_allocation_failure_header() {
        let line = alloc_failure("kworker/0:1: vmemmap alloc failure: order:9, mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL), nodemask=(null),cpuset=/,mems_allowed=0").unwrap();
        assert_eq!(line.comm, "kworker/0:1");
        let (trigger, _) = trigger_of(line.fields);
        assert_eq!(trigger.order, Some(9));
        assert_eq!(trigger.gfp_flags, vec!["GFP_KERNEL", "__GFP_RETRY_MAYFAIL"]);
    }

    #[test]
    fn alloc_failure_5_x_with_cpuset() {
        let failure = alloc_failure("kworker/u8:1: page allocation failure: order:4, mode:0x40cc0(GFP_KERNEL|__GFP_COMP), nodemask=(null),cpuset=/,mems_allowed=0-1").unwrap();
        assert_eq!(failure.comm, "kworker/u8:1");
        let (trigger, _) = trigger_of(failure.fields);
        assert_eq!(trigger.order, Some(4));
        assert_eq!(trigger.gfp_flags, vec!["GFP_KERNEL", "__GFP_COMP"]);
        assert_eq!(trigger.nodemask.as_deref(), Some("(null)"));
        assert_eq!(trigger.cpuset.as_deref(), Some("/"));
        assert_eq!(trigger.mems_allowed.as_deref(), Some("0-1"));
    }

    #[test]
    fn alloc_failure_2_6_dot_form() {
        let failure =
            alloc_failure("swapper: page allocation failure. order:1, mode:0x20").unwrap();
        assert_eq!(trigger_of(failure.fields).0.order, Some(1));
    }

    #[test]
    fn cpuset_line_with_docker_name() {
        let line = cpuset_line("java cpuset=0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53 mems_allowed=0").unwrap();
        assert_eq!(line.comm, "java");
        assert_eq!(
            line.cpuset,
            "0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53"
        );
        assert_eq!(line.mems_allowed, "0");
        assert_eq!(
            cpuset_line("main cpuset=mm_cpuset mems_allowed=1")
                .unwrap()
                .cpuset,
            "mm_cpuset"
        );
    }

    #[test]
    fn cpu_line_kdump_not_tainted() {
        let line = cpu_line(
            "CPU: 1 PID: 29748 Comm: test Kdump: loaded Not tainted 4.19.91-24.1.al7.x86_64 #1",
        )
        .unwrap();
        assert_eq!(line.cpu, Some(1));
        assert_eq!(line.pid, Some(29748));
        assert_eq!(line.comm, "test");
        assert_eq!(line.tainted, None);
        assert_eq!(line.release, Some("4.19.91-24.1.al7.x86_64"));
    }

    #[test]
    fn cpu_line_tainted_with_build_hash() {
        let line = cpu_line("CPU: 3 PID: 473206 Comm: doxygen Tainted: G           OE      6.1.1-arch1-1 #1 9bd09188b430be630e611f984454e4f3c489be77").unwrap();
        assert_eq!(line.tainted, Some("G           OE"));
        assert_eq!(line.release, Some("6.1.1-arch1-1"));
    }

    #[test]
    fn cpu_line_rhel_marker() {
        let line = cpu_line("CPU: 9 PID: 14881 Comm: java Tainted: G    B          ------------ T 3.10.0-327.4.5.el7.x86_64 #1").unwrap();
        assert_eq!(line.release, Some("3.10.0-327.4.5.el7.x86_64"));
        assert_eq!(line.tainted, Some("G    B          ------------ T"));
    }

    #[test]
    fn cpu_line_cut_before_hash() {
        let line =
            cpu_line("CPU: 11 PID: 2992 Comm: irqbalance Tainted: G      W   4.9.0-rc3").unwrap();
        assert_eq!(line.release, Some("4.9.0-rc3"));
        assert_eq!(line.tainted, Some("G      W"));
    }

    #[test]
    fn cpu_line_6_13_with_uid() {
        let line = cpu_line("CPU: 2 UID: 0 PID: 88 Comm: stress Not tainted 6.13.7 #1").unwrap();
        assert_eq!((line.cpu, line.pid), (Some(2), Some(88)));
        assert_eq!(line.release, Some("6.13.7"));
    }

    #[test]
    fn a_frame_cut_inside_its_offset_names_its_function_after_an_address() {
        assert_eq!(
            stack_frame("[<ffffffff811bd1ce>] __mem_cgroup_try_charge+0xb"),
            Some(Some("__mem_cgroup_try_charge"))
        );
        // Without the address such text is no frame.
        assert_eq!(stack_frame("__mem_cgroup_try_charge+0xb"), None);
    }

    #[test]
    fn stack_frames_in_all_forms() {
        assert_eq!(
            stack_frame("dump_stack+0x63/0x90"),
            Some(Some("dump_stack"))
        );
        assert_eq!(
            stack_frame("? find_next_bit+0x18/0x20"),
            Some(Some("find_next_bit"))
        );
        assert_eq!(
            stack_frame("[<ffffffff81401c43>] dump_stack+0x63/0x90"),
            Some(Some("dump_stack"))
        );
        assert_eq!(
            stack_frame("[<ffffffc00008a0a4>] dump_backtrace+0x0/0x150"),
            Some(Some("dump_backtrace"))
        );
        assert_eq!(
            stack_frame("oom_kill_process.cold+0xb/0x10"),
            Some(Some("oom_kill_process"))
        );
        assert_eq!(
            stack_frame("__alloc_pages_slowpath.constprop.0+0xd32/0xe30"),
            Some(Some("__alloc_pages_slowpath"))
        );
        assert_eq!(
            stack_frame("[<ffffffffa147d2c7>] nvkms_alloc+0x27/0x60 [nvidia_modeset]"),
            Some(Some("nvkms_alloc"))
        );
        assert_eq!(
            stack_frame("[<ffffffffa0000000>] ? 0xffffffffa0000000"),
            Some(None)
        );
        assert_eq!(stack_frame("eth0: link up"), None);
        assert_eq!(stack_frame("[<c0105f10>] (pgd_alloc) garbage"), None);
        assert_eq!(stack_frame(".L12+0x1/0x2"), None);
        assert_eq!(stack_frame("x+0x1/0x2 trailing words"), None);
        // 6.10 memory allocation profiling: `__alloc_pages_noprof` is `__alloc_pages`.
        assert_eq!(
            stack_frame("__alloc_pages_noprof+0xadc/0xfc8"),
            Some(Some("__alloc_pages"))
        );
    }

    #[test]
    fn a_frame_after_the_name_of_its_stack_is_a_frame() {
        // 2.6.37 x86-64 (hunt 20, zfs#171): the IRQ stack's first frame on the name's line.
        assert_eq!(
            stack_frame("<IRQ>  [<ffffffff810e72ac>] __alloc_pages_nodemask+0x5bc/0x6d0"),
            Some(Some("__alloc_pages_nodemask"))
        );
        assert_eq!(
            stack_frame("<EOI>  [<ffffffff8100c14a>] ? child_rip+0xa/0x20"),
            Some(Some("child_rip"))
        );
        assert_eq!(stack_frame("<IRQ>"), None);
        assert!(frame_is_unreliable(
            "<EOI>  [<ffffffff8100c14a>] ? child_rip+0xa/0x20"
        ));
        assert!(!frame_is_unreliable(
            "<IRQ>  [<ffffffff810e72ac>] __alloc_pages_nodemask+0x5bc/0x6d0"
        ));
        assert_eq!(stack_frame("<foo> bar+0x1/0x2 text"), None);
    }

    #[test]
    fn frames_decoded_to_source_lines_name_their_function() {
        // A 6.16 kernel test robot report, run through scripts/decode_stacktrace.sh.
        assert_eq!(
            stack_frame("dump_header (mm/oom_kill.c:74 mm/oom_kill.c:468) "),
            Some(Some("dump_header"))
        );
        assert_eq!(
            stack_frame("dump_stack_lvl (lib/dump_stack.c:123 (discriminator 1)) "),
            Some(Some("dump_stack_lvl"))
        );
        assert_eq!(
            stack_frame("? __pfx_out_of_memory (mm/oom_kill.c:1113) "),
            Some(Some("__pfx_out_of_memory"))
        );
        // Prose with a parenthesis is no frame.
        assert_eq!(stack_frame("systemd (see man page: 5)"), None);
        assert_eq!(stack_frame("kworker (busy)"), None);
    }

    #[test]
    fn powerpc_frames_carry_stack_pointer_and_address() {
        assert_eq!(
            stack_frame("[c00000023de97330] [c000000000386958] dump_header+0x64/0x274"),
            Some(Some("dump_header"))
        );
        assert_eq!(
            stack_frame(
                "[c00000023de972e0] [c000000000927e00] dump_stack+0xc4/0x114 (unreliable) "
            ),
            Some(Some("dump_stack"))
        );
        assert_eq!(
            stack_frame("[c1ba5d40] [c0168b24] __alloc_pages_slowpath.constprop.0+0x8f4/0xa14"),
            Some(Some("__alloc_pages_slowpath"))
        );
        assert_eq!(stack_frame("[c1ba5d40] note"), None);
    }

    #[test]
    fn arm32_backtrace_entry_caller_is_read_apart() {
        assert_eq!(
            arm_frame_caller("[<80174544>] (out_of_memory) from [<801783d4>] (__alloc_pages_nodemask+0x980/0xb24)"),
            Some("__alloc_pages_nodemask")
        );
        assert_eq!(
            arm_frame_caller("[<c0104174>] (dump_header.isra.7+0x0/0x170) from [<c0104788>] (oom_kill_process.clone.11+0x248/0x348)"),
            Some("oom_kill_process")
        );
        assert_eq!(
            arm_frame_caller("warn_alloc from __alloc_pages+0xe9c/0xfe8"),
            Some("__alloc_pages")
        );
        assert_eq!(arm_frame_caller("dump_stack+0x63/0x90"), None);
        assert_eq!(
            arm_frame_caller("[<c0212c8c>] (show_stack) from [<c020d49c>] (garbage"),
            None
        );
    }

    #[test]
    fn arm32_backtrace_entry_names_the_frame_not_its_caller() {
        assert_eq!(
            stack_frame("[<c0104540>] (out_of_memory+0x0/0x348) from [<c0107dbc>] (__alloc_pages_nodemask+0x748/0x76c)"),
            Some(Some("out_of_memory"))
        );
        assert_eq!(
            stack_frame("[<c0104174>] (dump_header.isra.7+0x0/0x170) from [<c0104788>] (out_of_memory+0x248/0x348)"),
            Some(Some("dump_header"))
        );
        assert_eq!(
            stack_frame("[<c033eddc>] (out_of_memory) from [<c03451a0>] (__alloc_pages_nodemask+0xfc0/0x1180)"),
            Some(Some("out_of_memory"))
        );
        assert_eq!(
            stack_frame("[<7f2a1c40>] (brcmf_sdio_dataworker [brcmfmac]) from [<80146a2c>] (process_one_work+0x1e8/0x4c4)"),
            Some(Some("brcmf_sdio_dataworker"))
        );
        assert_eq!(
            stack_frame("[<c0212c8c>] (unwind backtrace) from [<c020d49c>] (show_stack+0x20/0x24)"),
            Some(None)
        );
        assert_eq!(
            stack_frame("warn_alloc from __alloc_pages+0xe9c/0xfe8"),
            Some(Some("warn_alloc"))
        );
        assert_eq!(
            stack_frame(
                "brcmf_fws_attach [brcmfmac] from brcmf_proto_bcdc_init_done+0x18/0x30 [brcmfmac]"
            ),
            Some(Some("brcmf_fws_attach"))
        );
        assert_eq!(stack_frame("memory from the page cache+0x1/0x2"), None);
        assert_eq!(
            stack_frame("[<c00524c4>] (do_DataAbort+0x0/0xa0)"),
            Some(Some("do_DataAbort"))
        );
        assert!(is_stack_marker("Backtrace:"));
        assert!(is_stack_marker("Exception stack(0xc3adbfb0 to 0xc3adbff8)"));
        assert!(is_register_line(
            "r8:c3ada000 r7:00000000 r6:0002eed7 r5:00000000 r4:dc9aeac0"
        ));
        assert!(is_register_line("sl:c0a2b3c4 fp:00000000"));
        assert!(!is_register_line("r8:c3ada000 eth0 up"));
        assert!(!is_register_line("r100:c3ada000"));
    }

    #[test]
    fn stack_words_and_registers() {
        assert!(is_stack_words(
            "0000000000000286 ac45344c9134371f ffff8800b8727c88 ffffffff81401c43"
        ));
        assert!(is_stack_words("ffffc90003d8bb10"));
        assert!(!is_stack_words("ffff88020c60f940 not-hex"));
        assert!(!is_stack_words(""));
        assert!(is_register_line("RIP: 0033:0x7fa053e5a20d"));
        assert!(is_register_line(
            "R13: 00007fa04c4b3000 R14: 0000000100000768 R15: 0000000010000000"
        ));
        assert!(is_register_line(
            "Code: Unable to access opcode bytes at RIP 0x560f8a114623."
        ));
        assert!(!is_register_line("RSS: 5"));
    }
}
