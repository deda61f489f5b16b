//! Delta sync: a pure plan per page, applied by the engine in one transaction.

pub mod engine;
pub mod plan;
