//! sijil-bench: how fast sijil is at a million events, against SQLite and
//! a plain append-only file, in the same run.
//!
//! - [`gen`]: a realistic synthetic log in the contract's NDJSON format,
//!   deterministic from a seed;
//! - [`engine`]: sijil's import, append, scan and fold paths, and the two
//!   baselines (SQLite in WAL mode with `synchronous=FULL`; JSON lines with
//!   `fdatasync`);
//! - [`harness`]: the end-to-end driver behind
//!   `cargo run --release -p sijil-bench -- --events N`;
//! - [`report`]: the issue's table and its six targets, in Markdown.
//!
//! The micro benchmarks are in `benches/micro.rs` (`cargo bench -p
//! sijil-bench`); `docs/performance.md` explains every figure.
//!
//! ```
//! use sijil_bench::gen::{Generator, REGISTRY_LINES};
//! use sijil_core::{Admitted, Context};
//!
//! let mut ctx = Context::new(sijil_bench::gen::ZONE);
//! for (n, line) in Generator::new(1).take(REGISTRY_LINES + 50).enumerate() {
//!     let Ok(Admitted::New(event)) = ctx.admit(&line, uuid::Uuid::from_u128(n as u128)) else { panic!("{line}") };
//!     ctx.learn(&event);
//! }
//! assert_eq!(ctx.len(), REGISTRY_LINES + 50);
//! ```

pub mod engine;
pub mod error;
pub mod gen;
pub mod harness;
pub mod report;
pub mod sys;

pub use error::{Error, Result};
pub use harness::{run, Config};
pub use report::Report;
