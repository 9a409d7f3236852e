//! Copies stdin to stdout with the I/O pattern of `oomlens filter` (64 KiB reads, each
//! written at once), doing nothing else: the floor under any command in the same host.

use std::io::{self, Read, Write};

fn main() -> io::Result<()> {
    let mut stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    let mut chunk = vec![0; 1 << 16];
    loop {
        let read = match stdin.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        stdout.write_all(chunk.get(..read).unwrap_or_default())?;
    }
    stdout.flush()
}
