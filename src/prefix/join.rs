//! Re-joins hard-wrapped lines (placeholder until the prefix module lands).
use super::KernelLine;
pub struct LineJoiner;
impl LineJoiner {
    pub fn new(_max_line_bytes: usize) -> Self {
        Self
    }
    pub fn push(&mut self, _raw: &str) -> Option<KernelLine> {
        todo!()
    }
    pub fn finish(&mut self) -> Option<KernelLine> {
        todo!()
    }
}
