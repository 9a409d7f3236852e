//! The `oomlens` command: `analyze` kernel log text, or `filter` NDJSON log records.

mod cli;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    cli::run(&args)
}
