//! The stored record: the compatibility boundary of the log.
//!
//! Layout, version 1:
//!
//! | bytes | what |
//! | --- | --- |
//! | 1 | record version (`1`: the event is canonical JSON of schema 1) |
//! | 8 | recording time, microseconds since 1970 UTC, big-endian `i64` |
//! | 32 | the previous record's hash (all zero before the first) |
//! | 32 | this record's hash |
//! | rest | the event's canonical JSON |
//!
//! A record's hash is SHA-256 over its position (big-endian `u64`), its
//! version, recording time, the previous hash and the JSON: altering a
//! record breaks its own hash, and dropping, reordering or moving records
//! breaks the chain at the first record out of place. Old versions are read
//! through [`decode`]'s upcasting; nothing rewrites a stored record.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sijil_core::ledger::Facts;
use sijil_core::{Event, Recorded};

use crate::{Folded, ReadError};

/// The version written by this build.
pub const VERSION: u8 = 1;
/// The previous hash of the first record.
pub const GENESIS: [u8; 32] = [0; 32];
const HEADER: usize = 1 + 8 + 32 + 32;

/// The committed end of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Position of the last committed record (0 for an empty log).
    pub seq: u64,
    /// Chain hash of that record ([`GENESIS`] for an empty log).
    pub hash: [u8; 32],
    /// Its recording time.
    pub recorded_at: DateTime<Utc>,
}

impl Head {
    /// The head's stored form: position, hash, recording time.
    pub fn encode(&self) -> [u8; 48] {
        let mut out = [0u8; 48];
        out[..8].copy_from_slice(&self.seq.to_be_bytes());
        out[8..40].copy_from_slice(&self.hash);
        out[40..].copy_from_slice(&self.recorded_at.timestamp_micros().to_be_bytes());
        out
    }

    /// Reads [`Head::encode`]'s form.
    pub fn decode(b: &[u8]) -> Option<Head> {
        if b.len() != 48 {
            return None;
        }
        let seq = u64::from_be_bytes(b[..8].try_into().ok()?);
        let hash = b[8..40].try_into().ok()?;
        let micros = i64::from_be_bytes(b[40..].try_into().ok()?);
        Some(Head { seq, hash, recorded_at: DateTime::from_timestamp_micros(micros)? })
    }

    /// The hash as lowercase hex.
    pub fn hash_hex(&self) -> String {
        hex(&self.hash)
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A decoded record.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub recorded: Recorded,
    pub prev_hash: [u8; 32],
    /// This record's hash (checked against its bytes).
    pub hash: [u8; 32],
}

/// The size of `event`'s stored record, in bytes (compare with
/// [`crate::MAX_RECORD`]).
pub fn stored_len(event: &Event) -> usize {
    HEADER + event.canonical_json().len()
}

/// Encodes the record at `seq`; returns the stored bytes and the record's hash.
pub fn encode(seq: u64, recorded_at: DateTime<Utc>, prev: &[u8; 32], event: &Event) -> (Vec<u8>, [u8; 32]) {
    let json = event.canonical_json();
    let mut out = Vec::with_capacity(HEADER + json.len());
    out.push(VERSION);
    out.extend_from_slice(&recorded_at.timestamp_micros().to_be_bytes());
    out.extend_from_slice(prev);
    out.extend_from_slice(&[0; 32]);
    out.extend_from_slice(&json);
    let hash = content_hash(seq, &out);
    out[41..HEADER].copy_from_slice(&hash);
    (out, hash)
}

/// The hash of the record at `seq`: over the position and every stored
/// byte except the hash field itself.
pub(crate) fn content_hash(seq: u64, stored: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seq.to_be_bytes());
    h.update(&stored[..41]);
    h.update(&stored[HEADER..]);
    h.finalize().into()
}

/// Decodes the stored record at `seq`, upcasting older versions.
pub fn decode(seq: u64, stored: &[u8]) -> Result<Decoded, ReadError> {
    decode_as(seq, stored, Hash::Check)
}

/// Whether a decode checks the record's hash, or it was checked already
/// (a record of a version-2 block, whose reading computed it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Check,
    Checked,
}

/// [`decode`], the hash checked or not.
pub fn decode_as(seq: u64, stored: &[u8], hash: Hash) -> Result<Decoded, ReadError> {
    let c = checked(seq, stored, hash)?;
    let event: Event =
        serde_json::from_str(c.text).map_err(|e| corrupt(seq, &format!("its event does not decode ({e})")))?;
    Ok(Decoded { recorded: Recorded { seq, recorded_at: c.recorded_at, event }, prev_hash: c.prev_hash, hash: c.hash })
}

/// Decodes the stored record at `seq` as what a ledger keeps of it, after
/// the same checks as [`decode`].
pub fn decode_facts(seq: u64, stored: &[u8], hash: Hash) -> Result<Folded, ReadError> {
    let c = checked(seq, stored, hash)?;
    let facts = Facts::from_json(c.text).map_err(|e| corrupt(seq, &format!("its event does not decode ({e})")))?;
    Ok(Folded { seq, recorded_at: c.recorded_at, facts })
}

fn corrupt(seq: u64, reason: &str) -> ReadError {
    ReadError::Corrupt { seq, reason: reason.to_string() }
}

/// A stored record whose version, hash and UTF-8 are checked: its parts,
/// and its event's JSON.
struct Checked<'a> {
    recorded_at: DateTime<Utc>,
    prev_hash: [u8; 32],
    hash: [u8; 32],
    text: &'a str,
}

fn checked(seq: u64, stored: &[u8], hash_is: Hash) -> Result<Checked<'_>, ReadError> {
    let corrupt = |reason: &str| corrupt(seq, reason);
    if stored.len() < HEADER {
        return Err(corrupt("the record is truncated"));
    }
    match stored[0] {
        VERSION => {}
        v if v > VERSION => {
            return Err(corrupt(&format!("record version {v} is newer than this sijil reads; upgrade sijil")))
        }
        v => return Err(corrupt(&format!("unknown record version {v}"))),
    }
    let micros = i64::from_be_bytes(stored[1..9].try_into().map_err(|_| corrupt("bad time"))?);
    let recorded_at =
        DateTime::from_timestamp_micros(micros).ok_or_else(|| corrupt("its recording time is out of range"))?;
    let prev_hash: [u8; 32] = stored[9..41].try_into().map_err(|_| corrupt("bad hash"))?;
    let hash: [u8; 32] = stored[41..HEADER].try_into().map_err(|_| corrupt("bad hash"))?;
    if hash_is == Hash::Check && content_hash(seq, stored) != hash {
        return Err(corrupt("its content does not match its hash (altered or moved)"));
    }
    // one vectorised UTF-8 check of the whole text (std's, for the error's
    // wording, only when it fails), then a parse that need not check again
    let text = match simdutf8::basic::from_utf8(&stored[HEADER..]) {
        Ok(text) => text,
        Err(_) => {
            let at = std::str::from_utf8(&stored[HEADER..]).err().map_or(0, |e| e.valid_up_to());
            return Err(corrupt(&format!("its event does not decode (not UTF-8 at byte {at})")));
        }
    };
    Ok(Checked { recorded_at, prev_hash, hash, text })
}
