//! Waiting on standard input with a deadline: `filter` emits a report that stopped getting
//! lines while its input is quiet, not only when the next record comes.

use std::io;

/// Standard input, for waiting on. One is made for a whole run and outlives every wait:
/// jco's WASI shim closes stdin itself when a handle to it is dropped.
pub struct StdinWaiter {
    #[cfg(all(target_os = "wasi", target_env = "p2"))]
    stream: wasip2::cli::stdin::InputStream,
}

impl StdinWaiter {
    pub fn new() -> Self {
        Self {
            #[cfg(all(target_os = "wasi", target_env = "p2"))]
            stream: wasip2::cli::stdin::get_stdin(),
        }
    }

    /// Whether standard input has something to read (data, or its end) within `timeout_ms`.
    /// Where the platform cannot wait with a deadline it answers `true` at once: the read
    /// then blocks, and the report waits for the next record or the end of input.
    #[cfg(unix)]
    pub fn ready_within(&self, timeout_ms: u64) -> io::Result<bool> {
        let mut stdin = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        let timeout = libc::c_int::try_from(timeout_ms).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid `pollfd`, and the count says one.
        match unsafe { libc::poll(&mut stdin, 1, timeout) } {
            0 => Ok(false),
            -1 => {
                let error = io::Error::last_os_error();
                // A signal cut the wait short: the caller looks at the clock and waits again.
                if error.kind() == io::ErrorKind::Interrupted {
                    Ok(false)
                } else {
                    Err(error)
                }
            }
            // Readable, hung up or in error: the read that follows says which.
            _ => Ok(true),
        }
    }

    /// See the unix version.
    #[cfg(all(target_os = "wasi", target_env = "p2"))]
    pub fn ready_within(&self, timeout_ms: u64) -> io::Result<bool> {
        use wasip2::{clocks::monotonic_clock, io::poll};
        let readable = self.stream.subscribe();
        let timer = monotonic_clock::subscribe_duration(timeout_ms.saturating_mul(1_000_000));
        // Indices into the list given: 0 is stdin.
        Ok(poll::poll(&[&readable, &timer]).contains(&0))
    }

    /// See the unix version.
    #[cfg(not(any(unix, all(target_os = "wasi", target_env = "p2"))))]
    pub fn ready_within(&self, _timeout_ms: u64) -> io::Result<bool> {
        Ok(true)
    }
}
