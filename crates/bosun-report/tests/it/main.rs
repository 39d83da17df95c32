//! Integration tests of bosun-report: every format validates against its schema, bosun's own
//! output reads back losslessly, and hostile input never panics.

mod data;
mod formats;
mod generate;
mod hostile;
mod roundtrip;
mod schemas;
