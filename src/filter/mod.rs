//! The record-stream transform every face adapts (placeholder until written).
