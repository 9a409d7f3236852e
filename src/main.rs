//! The native `oomlens` command line.
fn main() {}
