//! oomlens: turns Linux OOM-killer reports in a kernel log stream into one classified,
//! enriched JSON event per kill, and passes every other log line through untouched.
//!
//! The pipeline, one module a stage:
//! - [`prefix`]: strips what log transports put before a kernel message (dmesg, syslog,
//!   journald, /dev/kmsg, quoting) and re-joins hard-wrapped lines;
//! - [`assemble`]: groups the lines of each report, per stream, with bounded memory;
//! - [`parse`]: reads a report's lines into the typed [`report::OomReport`];
//! - [`classify`]: works out why memory ran out, with evidence and remediation;
//! - [`encode`]: writes the event as JSON in the style of Elastic Common Schema;
//! - [`filter`]: the record-stream transform every face (CLI, wasm) adapts;
//! - [`analyze`]: the same pipeline over kernel log text (the CLI's `analyze`).
//!
//! The core knows nothing about WebAssembly: the faces under `faces/` are thin adapters.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod analyze;
pub mod assemble;
pub mod classify;
pub mod encode;
pub mod filter;
pub mod parse;
pub mod prefix;
pub mod report;
