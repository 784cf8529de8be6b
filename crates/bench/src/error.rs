//! The harness's one error: a sentence saying what failed.

use std::fmt;

/// What went wrong while benchmarking.
#[derive(Debug)]
pub struct Error(pub String);

/// The harness's result.
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(s: String) -> Error {
        Error(s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Error {
        Error(s.to_string())
    }
}

macro_rules! from_display {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                // keep the chain of causes: sijil's errors put detail in `source`
                let mut msg = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    msg.push_str(": ");
                    msg.push_str(&c.to_string());
                    cause = c.source();
                }
                Error(msg)
            }
        }
    )*};
}

from_display!(
    std::io::Error,
    rusqlite::Error,
    serde_json::Error,
    sijil_store::OpenError,
    sijil_store::AppendError,
    sijil_store::ReadError
);
