//! Where kernel log text is analysed: physical lines of any prefix format in, one event per
//! OOM kill or allocation failure out, as soon as each report completes.

use crate::assemble::{Assembler, Completed, Disposition};
use crate::filter::{limits, render_event, FilterConfig};
use crate::prefix::join::LineJoiner;

/// Streaming analysis of kernel log text. Lines of one host (by syslog prefix) are assembled
/// together; lines without a host form one stream.
pub struct TextAnalyzer {
    joiner: LineJoiner,
    assembler: Assembler,
}

impl TextAnalyzer {
    /// An analyzer with the caps of `config` (its record options do not apply to text).
    pub fn new(config: &FilterConfig) -> Self {
        let max_line_bytes = usize::try_from(config.max_line_bytes).unwrap_or(usize::MAX);
        Self {
            joiner: LineJoiner::new(max_line_bytes),
            assembler: Assembler::new(limits(config)),
        }
    }

    /// Offers one physical line (without its newline); appends finished events to `events`.
    pub fn push_line(&mut self, raw: &str, events: &mut Vec<String>) {
        if let Some(line) = self.joiner.push(raw) {
            self.push_logical(line, events);
        }
    }

    /// End of input: the last line and every open report.
    pub fn finish(&mut self, events: &mut Vec<String>) {
        if let Some(line) = self.joiner.finish() {
            self.push_logical(line, events);
        }
        let mut done = Vec::new();
        self.assembler.finish(&mut done);
        events.extend(done.iter().map(render_event));
    }

    fn push_logical(&mut self, line: crate::prefix::KernelLine, events: &mut Vec<String>) {
        // Most kernel lines belong to no report: skip them before any work when nothing is open.
        if self.assembler.is_idle() && !crate::parse::may_open_report(line.text.as_bytes()) {
            return;
        }
        let stream = self.stream_of(&line);
        let mut done: Vec<Completed> = Vec::new();
        let _: Disposition = self
            .assembler
            .push(&stream, &line, &line.text, 0, &mut done);
        events.extend(done.iter().map(render_event));
    }
}

impl TextAnalyzer {
    /// The stream a line joins: its host's. A report opened by lines that name no host (a
    /// dmesg excerpt pasted before syslog lines of the same report) takes the first host's
    /// lines that have no report of their own.
    fn stream_of(&self, line: &crate::prefix::KernelLine) -> String {
        match &line.host {
            Some(host) if !self.assembler.is_open(host) && self.assembler.is_open("") => {
                String::new()
            }
            Some(host) => host.clone(),
            None => String::new(),
        }
    }
}

/// Analyses a whole block of kernel log text and returns one event per OOM kill or
/// allocation failure, in order, with the default caps.
pub fn analyze_text(text: &str) -> Vec<String> {
    let mut analyzer = TextAnalyzer::new(&FilterConfig::default());
    let mut events = Vec::new();
    for line in text.lines() {
        analyzer.push_line(line, &mut events);
    }
    analyzer.finish(&mut events);
    events
}
