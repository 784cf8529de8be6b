//! The CLI's one error type: a kind that picks the exit code, a sentence,
//! and hints.

use std::fmt;

/// What went wrong, as the exit code tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 1: I/O, a damaged store, a lock not obtained.
    Runtime,
    /// 2: a usage error or invalid input.
    Input,
    /// 3: an id conflict or an `--expect-seq` mismatch.
    Conflict,
    /// The reader of our output went away: stop quietly with 0.
    BrokenPipe,
}

impl Kind {
    /// The documented exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Runtime => 1,
            Kind::Input => 2,
            Kind::Conflict => 3,
            Kind::BrokenPipe => 0,
        }
    }
}

/// An error to print as `error: …` followed by `hint: …` lines.
#[derive(Debug, Clone)]
pub struct CliError {
    pub kind: Kind,
    /// Lines printed before the summary (for example one per bad input line).
    pub details: Vec<String>,
    pub message: String,
    pub hints: Vec<String>,
}

impl CliError {
    pub fn new(kind: Kind, message: impl Into<String>) -> CliError {
        CliError { kind, details: Vec::new(), message: message.into(), hints: Vec::new() }
    }
    pub fn input(message: impl Into<String>) -> CliError {
        CliError::new(Kind::Input, message)
    }
    pub fn runtime(message: impl Into<String>) -> CliError {
        CliError::new(Kind::Runtime, message)
    }
    pub fn conflict(message: impl Into<String>) -> CliError {
        CliError::new(Kind::Conflict, message)
    }
    pub fn hint(mut self, hint: impl Into<String>) -> CliError {
        self.hints.push(hint.into());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// An error writing our output.
pub fn output(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        CliError::new(Kind::BrokenPipe, "")
    } else {
        CliError::runtime(format!("cannot write the output: {e}"))
    }
}

/// Describes an error and its sources in one sentence.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let s_text = s.to_string();
        if !out.contains(&s_text) {
            out.push_str(": ");
            out.push_str(&s_text);
        }
        cur = s.source();
    }
    out
}

impl From<sijil_store::OpenError> for CliError {
    fn from(e: sijil_store::OpenError) -> CliError {
        use sijil_store::OpenError as E;
        match &e {
            E::Exists(p) => CliError::input(e.to_string())
                .hint(format!("use it as it is, or choose another folder with --db (it holds {})", p.display())),
            E::Missing(_) => CliError::runtime(e.to_string()),
            E::Locked(_) => {
                CliError::runtime(e.to_string()).hint("wait for the other sijil command to finish, then try again")
            }
            E::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => {
                CliError::runtime(chain(&e)).hint(
                    "sijil needs write access to the log's folder even to read it (it takes a lock); \
                     to check a read-only copy, copy the folder and run sijil on the copy",
                )
            }
            _ => CliError::runtime(chain(&e)),
        }
    }
}

impl From<sijil_store::ReadError> for CliError {
    fn from(e: sijil_store::ReadError) -> CliError {
        CliError::runtime(chain(&e)).hint("run `sijil verify` to check the whole log")
    }
}

impl From<sijil_store::AppendError> for CliError {
    fn from(e: sijil_store::AppendError) -> CliError {
        use sijil_store::AppendError as E;
        match &e {
            E::SeqMismatch { .. } => CliError::conflict(e.to_string()),
            E::IdExists { .. } | E::Repeated { .. } => CliError::conflict(e.to_string()),
            E::TooLarge { .. } => CliError::input(e.to_string()).hint("shorten its note or quote"),
            E::Io(_) => CliError::runtime(chain(&e)),
        }
    }
}
