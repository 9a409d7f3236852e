//! The oomlens filter as a Fluent Bit `wasm` filter module (wasm32-wasip1, `Event_Format json`):
//! adapts `oomlens::filter` to Fluent Bit's call, one record in, at most one record out.
//!
//! The rules of the host this module obeys (Fluent Bit ≥ 4.1.0, which keeps one instance per
//! `[FILTER]` section, so the statics below live as long as the pipeline):
//! - the return value is a NUL-terminated string the module owns: the input `record` pointer
//!   itself (pass-through, zero copy), `""` (drop), or one event object, nothing else — any
//!   other text can make Fluent Bit abort;
//! - there is no timer: records whose tag ends in [`TICK_TAG_SUFFIX`] (an `in_dummy`
//!   heartbeat) are dropped and give stale reports a chance to come out;
//! - it is a WASI reactor: the host calls `_initialize` once, then the filter functions;
//! - the configuration comes from `oomlens.json` in the first `Accessible_Paths` directory
//!   (see [`settings`]), and each exported function is a preset over it.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod outbox;
mod settings;

use std::io::Write;
use std::sync::{Mutex, PoisonError};

use oomlens::filter::{Emitted, FilterConfig, RawLines, Transform};

use outbox::{Outbox, Reply};

/// Records whose tag ends with this are heartbeats (e.g. `in_dummy` with `Tag oomlens.tick`):
/// never processed nor passed on, they only drive timeouts. Recognised from the tag alone, so
/// any dummy record works and no record is parsed to tell.
pub const TICK_TAG_SUFFIX: &str = ".tick";

/// What `""` points to: the drop reply.
static EMPTY: [u8; 1] = [0];

/// One filter per preset, created at its first call; Fluent Bit calls one instance from one
/// thread, so the locks are never contended.
static DEFAULT: Mutex<Option<Filter>> = Mutex::new(None);
static PASS: Mutex<Option<Filter>> = Mutex::new(None);
static EMBED: Mutex<Option<Filter>> = Mutex::new(None);

/// The exported function a `[FILTER]` section names, each a preset over the configuration file.
#[derive(Debug, Clone, Copy)]
enum Preset {
    /// `oomlens_filter`: the configuration file as it is.
    File,
    /// `oomlens_filter_pass`: the file with `raw_lines: pass`.
    Pass,
    /// `oomlens_filter_embed`: the file with `raw_lines: embed`.
    Embed,
}

impl Preset {
    fn slot(self) -> &'static Mutex<Option<Filter>> {
        match self {
            Preset::File => &DEFAULT,
            Preset::Pass => &PASS,
            Preset::Embed => &EMBED,
        }
    }

    fn apply(self, config: FilterConfig) -> FilterConfig {
        let raw_lines = match self {
            Preset::File => return config,
            Preset::Pass => RawLines::Pass,
            Preset::Embed => RawLines::Embed,
        };
        FilterConfig {
            raw_lines,
            ..config
        }
    }
}

/// The state of one preset: the transform, the events waiting for a call that can return
/// them, and the text of the last event returned (it must outlive the call: the host copies
/// it afterwards).
struct Filter {
    transform: Transform,
    outbox: Outbox,
    /// The largest time seen: record times are not monotonic across inputs, and a report must
    /// not time out because a late record carried an old time.
    now_ms: u64,
    reply: Vec<u8>,
    /// What the transform emitted for the current call, kept between calls so that a
    /// pass-through record allocates nothing.
    emitted: Vec<Emitted>,
    warned_null_record: bool,
}

impl Filter {
    fn new(config: FilterConfig) -> Option<Self> {
        let transform = match Transform::new(config) {
            Ok(transform) => transform,
            Err(error) => {
                warn(format_args!("{error}; records pass through unfiltered"));
                return None;
            }
        };
        Some(Self {
            transform,
            outbox: Outbox::default(),
            now_ms: 0,
            reply: Vec::new(),
            emitted: Vec::new(),
            warned_null_record: false,
        })
    }

    /// One call: flushes timed-out reports, then processes the record (unless it is a
    /// heartbeat or missing), and picks the one reply. `record` is `None` when the host could
    /// not copy it into the module: it is lost whatever we return, so it is dropped (`""`),
    /// with one warning per instance.
    fn call(&mut self, tag: &str, now_ms: u64, record: Option<&[u8]>, record_len: u32) -> Reply {
        self.now_ms = self.now_ms.max(now_ms);
        let emitted = &mut self.emitted;
        self.transform.flush(self.now_ms, emitted);
        match record {
            _ if tag.ends_with(TICK_TAG_SUFFIX) => {}
            Some(record) => self.transform.process(record, tag, self.now_ms, emitted),
            None if !self.warned_null_record => {
                self.warned_null_record = true;
                warn(format_args!(
                    "a record of {record_len} bytes (tag {tag}) reached the filter as a null \
                     pointer, so it was dropped: the module's heap could not hold it"
                ));
            }
            None => {}
        }
        let (reply, discarded) = self.outbox.reply(emitted);
        if discarded > 0 {
            warn(format_args!(
                "{discarded} event(s) discarded: more than {} were waiting for a record to \
                 replace; add a heartbeat input (tag ending in {TICK_TAG_SUFFIX})",
                outbox::CAPACITY
            ));
        }
        reply
    }
}

/// Writes one line to stderr, which Fluent Bit inherits: its log. Never panics (unlike
/// `eprintln!`), since a panic would trap and lose the record.
fn warn(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "oomlens: {message}");
}

/// Milliseconds from the time Fluent Bit gives a call.
fn millis(time_sec: u32, time_nsec: u32) -> u64 {
    u64::from(time_sec) * 1000 + u64::from(time_nsec / 1_000_000)
}

/// The bytes at `ptr`, or `None` for a null pointer.
///
/// # Safety
/// A non-null `ptr` must point to `len` readable bytes that stay untouched for `'a`.
unsafe fn host_bytes<'a>(ptr: *const u8, len: u32) -> Option<&'a [u8]> {
    let len = usize::try_from(len).ok()?;
    // SAFETY: the caller's contract; null was excluded.
    (!ptr.is_null()).then(|| unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// The shared body of the exported functions.
///
/// # Safety
/// Fluent Bit's contract: `tag` and `record` point to `tag_len` and `record_len` readable
/// bytes (each followed by a NUL) for the duration of the call, or are null.
unsafe fn filter_call(
    preset: Preset,
    tag: *const u8,
    tag_len: u32,
    time_sec: u32,
    time_nsec: u32,
    record: *const u8,
    record_len: u32,
) -> *const u8 {
    let mut slot = preset.slot().lock().unwrap_or_else(PoisonError::into_inner);
    if slot.is_none() {
        *slot = Filter::new(preset.apply(settings::load()));
    }
    let Some(filter) = slot.as_mut() else {
        // No transform could be built: pass everything through rather than lose logs.
        return if record.is_null() {
            EMPTY.as_ptr()
        } else {
            record
        };
    };
    // SAFETY: the host's contract, passed on by our caller.
    let tag_bytes = unsafe { host_bytes(tag, tag_len) }.unwrap_or_default();
    let tag_text = String::from_utf8_lossy(tag_bytes);
    // SAFETY: as above.
    let record_bytes = unsafe { host_bytes(record, record_len) };
    let now_ms = millis(time_sec, time_nsec);
    match filter.call(&tag_text, now_ms, record_bytes, record_len) {
        Reply::Input => record,
        Reply::Drop => EMPTY.as_ptr(),
        Reply::Event(event) => {
            // Event text is serialised JSON: it has no raw NUL, so the host reads all of it.
            filter.reply = event.into_bytes();
            filter.reply.push(0);
            filter.reply.as_ptr()
        }
    }
}

/// Exports one preset as a function with Fluent Bit's filter signature.
macro_rules! export_preset {
    ($(#[$doc:meta])* $name:ident => $preset:expr) => {
        $(#[$doc])*
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            tag: *const u8,
            tag_len: u32,
            time_sec: u32,
            time_nsec: u32,
            record: *const u8,
            record_len: u32,
        ) -> *const u8 {
            // SAFETY: our caller's contract is the same.
            unsafe { filter_call($preset, tag, tag_len, time_sec, time_nsec, record, record_len) }
        }
    };
}

export_preset! {
    /// Fluent Bit's filter call with the configuration file as it is (`Function_Name
    /// oomlens_filter`).
    ///
    /// # Safety
    /// Called by Fluent Bit only: `tag`/`record` point to `tag_len`/`record_len` bytes plus a NUL,
    /// or `record` is null when the host could not copy it.
    oomlens_filter => Preset::File
}

export_preset! {
    /// As [`oomlens_filter`], with `raw_lines: pass`: the report's records pass through and the
    /// event follows at the next heartbeat (`Function_Name oomlens_filter_pass`).
    ///
    /// # Safety
    /// As [`oomlens_filter`].
    oomlens_filter_pass => Preset::Pass
}

export_preset! {
    /// As [`oomlens_filter`], with `raw_lines: embed`: the event carries the report's text in
    /// `event.original` (`Function_Name oomlens_filter_embed`).
    ///
    /// # Safety
    /// As [`oomlens_filter`].
    oomlens_filter_embed => Preset::Embed
}

/// The WASI reactor entry point: hosts call it once after instantiation, before any filter
/// call, and it runs the module's static constructors (what wasi-libc's `crt1-reactor.o`
/// does, which rustc links into executables only, never into a `cdylib`). Without `_start`
/// or `_initialize` a WASI module is neither a command nor a reactor, and WAMR prints a
/// warning to Fluent Bit's stdout, ahead of the records. A second call does nothing.
#[cfg(target_os = "wasi")]
#[no_mangle]
pub extern "C" fn _initialize() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static INITIALIZED: AtomicBool = AtomicBool::new(false);
    extern "C" {
        /// Synthesised by wasm-ld: calls every static constructor in link order.
        fn __wasm_call_ctors();
    }
    if !INITIALIZED.swap(true, Ordering::Relaxed) {
        // SAFETY: called once, before any other code of the module runs (the reactor ABI).
        unsafe { __wasm_call_ctors() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> Filter {
        Filter::new(FilterConfig::default()).unwrap_or_else(|| unreachable!())
    }

    #[test]
    fn millis_keeps_nanosecond_part() {
        assert_eq!(millis(2, 345_999_999), 2_345);
        assert_eq!(
            millis(u32::MAX, 999_999_999),
            u64::from(u32::MAX) * 1000 + 999
        );
    }

    #[test]
    fn tick_is_dropped_and_not_counted() {
        let mut filter = filter();
        let reply = filter.call("oomlens.tick", 1_000, Some(b"{\"tick\":1}"), 10);
        assert_eq!(reply, Reply::Drop);
        assert_eq!(filter.transform.counters().records_in, 0);
    }

    #[test]
    fn null_record_is_dropped_without_processing() {
        let mut filter = filter();
        assert_eq!(filter.call("kern", 1_000, None, 200_000), Reply::Drop);
        assert!(filter.warned_null_record);
    }

    #[test]
    fn clock_never_goes_back() {
        let mut filter = filter();
        filter.call("a.tick", 9_000, Some(b"{}"), 2);
        filter.call("a.tick", 4_000, Some(b"{}"), 2);
        assert_eq!(filter.now_ms, 9_000);
    }

    #[test]
    fn presets_override_raw_lines_only() {
        let file = FilterConfig {
            max_open_reports: 3,
            ..FilterConfig::default()
        };
        assert_eq!(Preset::File.apply(file.clone()), file);
        let pass = Preset::Pass.apply(file.clone());
        assert_eq!((pass.raw_lines, pass.max_open_reports), (RawLines::Pass, 3));
        assert_eq!(Preset::Embed.apply(file).raw_lines, RawLines::Embed);
    }

    #[test]
    fn host_bytes_reads_length_not_nul() {
        let bytes = b"abc\0def";
        // SAFETY: `bytes` has 7 readable bytes.
        assert_eq!(unsafe { host_bytes(bytes.as_ptr(), 7) }, Some(&bytes[..]));
        // SAFETY: null is allowed.
        assert_eq!(unsafe { host_bytes(std::ptr::null(), 7) }, None);
    }
}
