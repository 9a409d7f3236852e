//! Where the module's configuration comes from: Fluent Bit passes no arguments and no
//! environment, so it is the file `oomlens.json` in the first preopened directory (the first of
//! the filter's `Accessible_Paths`), or the defaults.

use std::io;
use std::path::{Path, PathBuf};

use oomlens::filter::FilterConfig;

/// The configuration file's name inside the first preopened directory.
pub const CONFIG_FILE_NAME: &str = "oomlens.json";

/// The configuration to run with, always valid: the file's when it exists and is valid, the
/// defaults when it does not exist. An unreadable or invalid file is reported with one line
/// on stderr (Fluent Bit's log) and the defaults are used, so a mistake is visible without
/// stopping the pipeline.
pub fn load() -> FilterConfig {
    match first_preopened_dir() {
        Some(dir) => {
            let path = dir.join(CONFIG_FILE_NAME);
            let read = std::fs::read_to_string(&path);
            from_file(&path, read)
        }
        None => FilterConfig::default(),
    }
}

/// The configuration from the outcome of reading the file at `path`.
fn from_file(path: &Path, read: io::Result<String>) -> FilterConfig {
    let refused = match read {
        Ok(text) => match FilterConfig::from_json(&text) {
            Ok(config) => return config,
            Err(error) => error.to_string(),
        },
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return FilterConfig::default();
        }
        Err(error) => format!("cannot read it: {error}"),
    };
    crate::warn(format_args!(
        "{}: {refused}; using the defaults",
        path.display()
    ));
    FilterConfig::default()
}

/// The name the host gave the first preopened directory, read with WASI preview 1's
/// `fd_prestat_*` calls (std has no API for it). Preopens are numbered from fd 3 up, in the
/// order of `Accessible_Paths`; the scan ends at the first fd that is not a preopen.
#[cfg(target_os = "wasi")]
fn first_preopened_dir() -> Option<PathBuf> {
    /// WASI's `prestat`: a tag byte, then (for a directory) the length of its name.
    #[repr(C)]
    struct Prestat {
        tag: u8,
        name_len: u32,
    }
    const PREOPENTYPE_DIR: u8 = 0;
    const FIRST_PREOPEN_FD: u32 = 3;
    /// Scan bound: Fluent Bit preopens one fd per `Accessible_Paths` entry.
    const MAX_PREOPENS: u32 = 64;

    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        fn fd_prestat_get(fd: u32, prestat: *mut Prestat) -> u16;
        fn fd_prestat_dir_name(fd: u32, path: *mut u8, path_len: u32) -> u16;
    }

    for fd in FIRST_PREOPEN_FD..FIRST_PREOPEN_FD + MAX_PREOPENS {
        let mut prestat = Prestat {
            tag: u8::MAX,
            name_len: 0,
        };
        // SAFETY: `prestat` is a live, writable value with WASI's `prestat` layout.
        if unsafe { fd_prestat_get(fd, &mut prestat) } != 0 {
            return None;
        }
        if prestat.tag != PREOPENTYPE_DIR {
            continue;
        }
        let mut name = vec![0u8; usize::try_from(prestat.name_len).ok()?];
        // SAFETY: `name` is writable for exactly `name_len` bytes, the length WASI asked for.
        if unsafe { fd_prestat_dir_name(fd, name.as_mut_ptr(), prestat.name_len) } != 0 {
            return None;
        }
        // Some hosts count a trailing NUL in the name.
        while name.last() == Some(&0) {
            name.pop();
        }
        return String::from_utf8(name).ok().map(PathBuf::from);
    }
    None
}

/// Outside WASI there are no preopens: native builds (unit tests) run with the defaults.
#[cfg(not(target_os = "wasi"))]
fn first_preopened_dir() -> Option<PathBuf> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use oomlens::filter::RawLines;

    fn path() -> &'static Path {
        Path::new("/cfg/oomlens.json")
    }

    #[test]
    fn missing_file_means_defaults() {
        let missing = Err(io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(from_file(path(), missing), FilterConfig::default());
    }

    #[test]
    fn valid_file_sets_its_keys_and_defaults_the_rest() {
        let config = from_file(path(), Ok(r#"{"raw_lines":"pass"}"#.into()));
        assert_eq!(config.raw_lines, RawLines::Pass);
        assert_eq!(
            config.max_open_reports,
            FilterConfig::default().max_open_reports
        );
    }

    #[test]
    fn invalid_file_falls_back_to_defaults() {
        for text in [r#"{"max_open_reports":0}"#, r#"{"nope":1}"#, "not json"] {
            assert_eq!(
                from_file(path(), Ok(text.into())),
                FilterConfig::default(),
                "{text}"
            );
        }
    }

    #[test]
    fn unreadable_file_falls_back_to_defaults() {
        let denied = Err(io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(from_file(path(), denied), FilterConfig::default());
    }
}
