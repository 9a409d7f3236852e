//! Where events are encoded: a parsed, classified report becomes one JSON object with nested
//! fields in the style of Elastic Common Schema (`process.*`, `host.*`, `container.*`, `oom.*`).

pub mod container;
pub mod time;

use serde_json::{Map, Value};

use crate::assemble::ReportContext;
use crate::classify::Diagnosis;
use crate::report::OomReport;

/// The event for one OOM kill or allocation failure, as a JSON object.
pub fn encode_event(context: &ReportContext, report: &OomReport, diagnosis: &Diagnosis) -> Map<String, Value> {
    todo!("encode helper: {context:?} {report:?} {diagnosis:?}")
}
