//! The command line: argument parsing and the two subcommands' I/O loops.

mod input;
mod pretty;

use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use oomlens::analyze::{analyze_text_as, TextAnalyzer};
use oomlens::encode::EventSchema;
use oomlens::filter::{FilterConfig, NdjsonFilter, RawLines, Transform};

const USAGE: &str = "\
usage: oomlens analyze [--pretty [--lang en|ja] | --schema ecs|otel] [FILE...]
       oomlens filter [OPTIONS]

analyze  reads kernel log text (dmesg, journalctl, syslog, /dev/kmsg; FILEs or stdin) and
         prints one JSON event per OOM kill or page-allocation failure (NDJSON), or with
         --pretty a readable report (--lang ja: in Japanese; the event's
         message, evidence and remediation stay in English).
         --schema otel writes each event as an OTLP/JSON logs request (OpenTelemetry log
         data model); ecs (default) as nested Elastic Common Schema fields.
filter   reads NDJSON log records on stdin and writes them to stdout unchanged, except the
         records of OOM reports, which are replaced by one event per kill.

filter options:
  --config FILE            JSON configuration (keys as below, snake_case)
  --message-field NAME     field holding the kernel message (repeatable; default
                           message, MESSAGE, msg, log)
  --stream-field NAME      field naming the stream, e.g. the host (repeatable; default
                           host, hostname, _HOSTNAME, HOSTNAME)
  --raw-lines MODE         drop (default), pass, or embed the report's records
  --schema ecs|otel        the events' shape (default ecs)
  --flush-timeout-ms N     emit a report that got no line for N ms (default 5000)
  --max-open-reports N     --max-report-lines N   --max-report-bytes N   --max-line-bytes N
  --require-kernel-provenance
                           only lines whose transport proves the kernel form events
  --storm-window-ms N      fold victimless repeats of a report within N ms (default
                           60000; 0: never)
  --max-storm-keys N       most report identities remembered for folding (default 1024)

-h, --help prints this; -V, --version the version.
";

/// Runs the command with `args` (without the program name) and returns its exit code:
/// 0 on success, 1 when input or output failed, 2 on a usage or configuration error.
pub fn run(args: &[String]) -> ExitCode {
    let result = match args.split_first() {
        // `oomlens analyze --help` asks for help, not for a file named --help.
        Some((_, rest)) if rest.iter().any(|arg| is_help(arg)) => {
            print!("{USAGE}");
            Ok(())
        }
        Some((command, rest)) if command == "analyze" => analyze(rest),
        Some((command, rest)) if command == "filter" => filter(rest),
        Some((flag, _)) if is_help(flag) => {
            print!("{USAGE}");
            Ok(())
        }
        Some((flag, _)) if flag == "--version" || flag == "-V" => {
            println!("oomlens {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        _ => Err(Failure::Usage(
            "expected a subcommand: analyze or filter".into(),
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("oomlens: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Io(message)) => {
            eprintln!("oomlens: {message}");
            ExitCode::from(1)
        }
    }
}

fn is_help(arg: &str) -> bool {
    arg == "--help" || arg == "-h"
}

/// Why a command could not run to its end.
enum Failure {
    Usage(String),
    Io(String),
}

fn io_failure(what: &str) -> impl Fn(io::Error) -> Failure + '_ {
    move |error| Failure::Io(format!("{what}: {error}"))
}

fn analyze(args: &[String]) -> Result<(), Failure> {
    let mut pretty_output = false;
    let mut lang = None;
    let mut schema = EventSchema::Ecs;
    let mut files = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--pretty" => pretty_output = true,
            "--lang" => {
                let name = args
                    .next()
                    .ok_or_else(|| Failure::Usage("--lang needs a value: en or ja".into()))?;
                lang = Some(pretty::Lang::parse(name).ok_or_else(|| {
                    Failure::Usage(format!("--lang takes en or ja, not {name:?}"))
                })?);
            }
            "--schema" => schema = schema_named(args.next().map(String::as_str))?,
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {flag}")))
            }
            file => files.push(file.to_owned()),
        }
    }
    if lang.is_some() && !pretty_output {
        return Err(Failure::Usage(
            "--lang applies to --pretty: events are JSON".into(),
        ));
    }
    let lang = lang.unwrap_or_default();
    if pretty_output && schema != EventSchema::Ecs {
        return Err(Failure::Usage(
            "--pretty reads ECS events: drop --schema".into(),
        ));
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut events = Vec::new();
    let write_events =
        |events: &mut Vec<String>, out: &mut io::StdoutLock| -> Result<(), Failure> {
            for event in events.drain(..) {
                let text = if pretty_output {
                    pretty::render(&event, lang)
                } else {
                    event
                };
                writeln!(out, "{text}").map_err(io_failure("writing output"))?;
            }
            out.flush().map_err(io_failure("writing output"))
        };
    if files.is_empty() {
        // Stdin may be a live stream (dmesg -w): events go out as each report completes.
        let mut analyzer = TextAnalyzer::new(&FilterConfig {
            schema,
            ..FilterConfig::default()
        });
        let stdin = io::stdin();
        for_each_line(stdin.lock(), "stdin", |line| {
            analyzer.push_line(&String::from_utf8_lossy(line), &mut events);
            write_events(&mut events, &mut out)
        })?;
        analyzer.finish(&mut events);
        return write_events(&mut events, &mut out);
    }
    // A file is whole: read it at once, so a log exported newest first is read from its end.
    for name in &files {
        let bytes = std::fs::read(name).map_err(io_failure(name))?;
        events.extend(analyze_text_as(&String::from_utf8_lossy(&bytes), schema));
        write_events(&mut events, &mut out)?;
    }
    Ok(())
}

/// Calls `each` with every line of `input`, without its line ending. Bytes need not be UTF-8.
fn for_each_line(
    mut input: impl BufRead,
    name: &str,
    mut each: impl FnMut(&[u8]) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .map_err(io_failure(name))?;
        if read == 0 {
            return Ok(());
        }
        each(trim_line_end(&line))?;
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn filter(args: &[String]) -> Result<(), Failure> {
    let config = filter_config(args)?;
    let transform = Transform::new(config).map_err(|e| Failure::Usage(e.to_string()))?;
    let mut filter = NdjsonFilter::new(transform);
    let mut stdin = io::stdin().lock();
    // Line-buffered, and the output of each read ends in a newline: it is written at once, so
    // a pipeline sees each record without waiting for more input.
    let mut stdout = io::stdout().lock();
    let waiter = input::StdinWaiter::new();
    let mut chunk = vec![0; 1 << 16];
    let mut output = Vec::new();
    loop {
        // While a report is open, wait for input only until it falls due: a report whose
        // kill line never comes is emitted then, not whenever the next record arrives.
        if let Some(due_ms) = filter.next_flush_ms() {
            let now = now_ms();
            let ready = due_ms > now
                && waiter
                    .ready_within(due_ms - now)
                    .map_err(io_failure("stdin"))?;
            if !ready {
                filter.flush(now_ms(), &mut output);
                write_out(&mut stdout, &mut output)?;
                continue;
            }
        }
        let read = match stdin.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(io_failure("stdin")(error)),
        };
        // One clock reading a read: its records arrived together, and under wasm each
        // reading is a call into the host that costs as much as scanning a record.
        filter.push(
            chunk.get(..read).unwrap_or_default(),
            "",
            now_ms(),
            &mut output,
        );
        write_out(&mut stdout, &mut output)?;
    }
    filter.finish("", now_ms(), &mut output);
    write_out(&mut stdout, &mut output)?;
    stdout.flush().map_err(io_failure("writing output"))
}

/// Writes what the filter emitted and empties `output` for the next call.
fn write_out(stdout: &mut impl Write, output: &mut Vec<u8>) -> Result<(), Failure> {
    stdout
        .write_all(output)
        .map_err(io_failure("writing output"))?;
    output.clear();
    Ok(())
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The event schema `--schema` names.
fn schema_named(name: Option<&str>) -> Result<EventSchema, Failure> {
    match name {
        Some("ecs") => Ok(EventSchema::Ecs),
        Some("otel") => Ok(EventSchema::Otel),
        Some(other) => Err(Failure::Usage(format!(
            "--schema takes ecs or otel, not {other:?}"
        ))),
        None => Err(Failure::Usage("--schema needs a value".into())),
    }
}

/// The filter configuration: `--config FILE` first, then each option over it.
fn filter_config(args: &[String]) -> Result<FilterConfig, Failure> {
    let mut config = FilterConfig::default();
    let mut message_fields = Vec::new();
    let mut stream_fields = Vec::new();
    let mut options = args.iter();
    while let Some(flag) = options.next() {
        let mut value = || {
            options
                .next()
                .cloned()
                .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))
        };
        let number = |text: String| {
            text.parse::<u64>()
                .map_err(|_| Failure::Usage(format!("{flag} takes a whole number, not {text:?}")))
        };
        match flag.as_str() {
            "--config" => {
                let path = value()?;
                let mut text = String::new();
                File::open(&path)
                    .and_then(|mut f| f.read_to_string(&mut text))
                    .map_err(io_failure(&path))?;
                config = FilterConfig::from_json(&text)
                    .map_err(|e| Failure::Usage(format!("{path}: {e}")))?;
            }
            "--message-field" => message_fields.push(value()?),
            "--stream-field" => stream_fields.push(value()?),
            "--raw-lines" => {
                config.raw_lines = match value()?.as_str() {
                    "drop" => RawLines::Drop,
                    "pass" => RawLines::Pass,
                    "embed" => RawLines::Embed,
                    other => {
                        return Err(Failure::Usage(format!(
                            "--raw-lines takes drop, pass or embed, not {other:?}"
                        )))
                    }
                }
            }
            "--schema" => config.schema = schema_named(Some(&value()?))?,
            "--flush-timeout-ms" => config.flush_timeout_ms = number(value()?)?,
            "--max-open-reports" => config.max_open_reports = number(value()?)?,
            "--max-report-lines" => config.max_report_lines = number(value()?)?,
            "--max-report-bytes" => config.max_report_bytes = number(value()?)?,
            "--max-line-bytes" => config.max_line_bytes = number(value()?)?,
            "--require-kernel-provenance" => config.require_kernel_provenance = true,
            "--storm-window-ms" => config.storm_window_ms = number(value()?)?,
            "--max-storm-keys" => config.max_storm_keys = number(value()?)?,
            other => return Err(Failure::Usage(format!("unknown option {other}"))),
        }
    }
    if !message_fields.is_empty() {
        config.message_fields = message_fields;
    }
    if !stream_fields.is_empty() {
        config.stream_fields = stream_fields;
    }
    config
        .validate()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    Ok(config)
}
