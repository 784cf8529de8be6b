//! Blocks: runs of consecutive records stored as one compressed value in
//! the block file ([`crate::blockfile`]).
//!
//! sled's cost is per key, so the bulk of the log lives in blocks of up to
//! [`BLOCK_EVENTS`] records (and at most [`BLOCK_BYTES`] of them before
//! compression, [`MAX_STORED`] after), keyed by the position of their first
//! record. Each record
//! inside keeps its own layout and hash ([`crate::record`]), so the chain,
//! `verify` and the positions it names are those of single records.
//!
//! Layout, version 1:
//!
//! | bytes | what |
//! | --- | --- |
//! | 1 | block version (`1`) |
//! | 1 | codec: `0` stored as is, `1` zstd |
//! | 4 | number of records, big-endian `u32` |
//! | 4 | length of the uncompressed payload, big-endian `u32` |
//! | rest | the payload, compressed or not |
//!
//! The uncompressed payload is each record as a big-endian `u32` length
//! followed by its bytes.

use crate::{ReadError, MAX_RECORD};

/// The most records a block holds.
pub const BLOCK_EVENTS: usize = 1024;
/// The most payload bytes a block gathers before compression.
pub const BLOCK_BYTES: usize = 256 * 1024;
/// The most bytes a stored block may have: a block that does not compress
/// under it (one of hardly compressible records) is split in two, so a
/// record read alone never reads much more (a single record always fits,
/// being at most [`MAX_RECORD`]). Format 2 kept blocks in sled's tree and capped them at
/// [`MAX_RECORD`] plus a header (and at 256 records of 64 KiB), which kept
/// sled's pages out of its un-fsynced blob files; such blocks still read.
/// Blocks four times that size compress about a fifth smaller.
pub const MAX_STORED: usize = BLOCK_BYTES / 2;
/// The zstd level: fast, and about as small as the slower levels on this data.
const LEVEL: i32 = 1;

const VERSION: u8 = 1;
const HEADER: usize = 10;
const RAW: u8 = 0;
const ZSTD: u8 = 1;

/// Records being gathered into a block.
#[derive(Debug, Default)]
pub struct Builder {
    payload: Vec<u8>,
    /// Where each record's frame ends in `payload`.
    ends: Vec<usize>,
}

impl Builder {
    /// `true` when `len` more bytes of record would not fit (a block always
    /// takes its first record).
    pub fn is_full_for(&self, len: usize) -> bool {
        self.ends.len() >= BLOCK_EVENTS || (!self.ends.is_empty() && self.payload.len() + 4 + len > BLOCK_BYTES)
    }

    pub fn push(&mut self, record: &[u8]) {
        self.payload.extend_from_slice(&(record.len() as u32).to_be_bytes());
        self.payload.extend_from_slice(record);
        self.ends.push(self.payload.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The stored blocks, keyed by the position of their first record, the
    /// first record being at `first`: one block, or more if it would not
    /// compress under [`MAX_STORED`]. The builder is empty afterwards.
    pub fn finish(&mut self, first: u64) -> Vec<(u64, Vec<u8>)> {
        let payload = std::mem::take(&mut self.payload);
        let ends = std::mem::take(&mut self.ends);
        let mut out = Vec::new();
        pack(&payload, &ends, 0, ends.len(), first, &mut out);
        out
    }
}

/// Packs records `a..b` (frames ending at `ends`) into blocks.
fn pack(payload: &[u8], ends: &[usize], a: usize, b: usize, first: u64, out: &mut Vec<(u64, Vec<u8>)>) {
    if a >= b {
        return;
    }
    let start = if a == 0 { 0 } else { ends[a - 1] };
    let raw = &payload[start..ends[b - 1]];
    let stored = encode(raw, b - a);
    if stored.len() <= MAX_STORED || b - a == 1 {
        out.push((first, stored));
        return;
    }
    let mid = a + (b - a) / 2;
    pack(payload, ends, a, mid, first, out);
    pack(payload, ends, mid, b, first + (mid - a) as u64, out);
}

/// One stored block of `count` framed records.
fn encode(raw: &[u8], count: usize) -> Vec<u8> {
    let packed = zstd::bulk::compress(raw, LEVEL).ok().filter(|c| c.len() < raw.len());
    let (codec, body) = match &packed {
        Some(c) => (ZSTD, c.as_slice()),
        None => (RAW, raw),
    };
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.push(VERSION);
    out.push(codec);
    out.extend_from_slice(&(count as u32).to_be_bytes());
    out.extend_from_slice(&(raw.len() as u32).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// A decoded block: its records, in order.
#[derive(Debug)]
pub struct Block {
    payload: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

impl Block {
    /// Reads the block stored under `first` (named in errors).
    pub fn decode(first: u64, stored: &[u8]) -> Result<Block, ReadError> {
        let corrupt = |reason: &str| ReadError::Corrupt { seq: first, reason: format!("its block {reason}") };
        if stored.len() < HEADER {
            return Err(corrupt("is truncated"));
        }
        if stored[0] != VERSION {
            return Err(corrupt(&format!("has an unknown version {}", stored[0])));
        }
        let count = u32::from_be_bytes([stored[2], stored[3], stored[4], stored[5]]) as usize;
        let len = u32::from_be_bytes([stored[6], stored[7], stored[8], stored[9]]) as usize;
        if count == 0 || count > BLOCK_EVENTS || len > BLOCK_BYTES + MAX_RECORD + 4 * BLOCK_EVENTS {
            return Err(corrupt("has an impossible size"));
        }
        let body = &stored[HEADER..];
        let payload = match stored[1] {
            RAW => body.to_vec(),
            ZSTD => decompress(body, len).ok_or_else(|| corrupt("does not decompress"))?,
            other => return Err(corrupt(&format!("has an unknown codec {other}"))),
        };
        if payload.len() != len {
            return Err(corrupt("is shorter or longer than its header says"));
        }
        let mut spans = Vec::with_capacity(count);
        let mut at = 0;
        for _ in 0..count {
            let Some(head) = payload.get(at..at + 4) else { return Err(corrupt("is truncated")) };
            let n = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
            if at + 4 + n > payload.len() {
                return Err(corrupt("is truncated"));
            }
            spans.push((at + 4, at + 4 + n));
            at += 4 + n;
        }
        if at != payload.len() {
            return Err(corrupt("has bytes after its last record"));
        }
        Ok(Block { payload, spans })
    }

    /// How many records the block holds.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The `i`-th record's stored bytes.
    pub fn record(&self, i: usize) -> &[u8] {
        let (a, b) = self.spans[i];
        &self.payload[a..b]
    }

    /// Every record's stored bytes, in order.
    pub fn records(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.spans.iter().map(|&(a, b)| &self.payload[a..b])
    }
}

thread_local! {
    /// Each thread's zstd decompression context, made once: a block's
    /// records are few enough that making one per block showed.
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// `body` decompressed, expected to be `len` bytes.
fn decompress(body: &[u8], len: usize) -> Option<Vec<u8>> {
    DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = zstd::bulk::Decompressor::new().ok();
        }
        match slot.as_mut() {
            Some(d) => d.decompress(body, len).ok(),
            None => zstd::bulk::decompress(body, len).ok(),
        }
    })
}

/// The number of records in a stored block, read from its header alone.
pub fn count(stored: &[u8]) -> Option<u64> {
    (stored.len() >= HEADER).then(|| u64::from(u32::from_be_bytes([stored[2], stored[3], stored[4], stored[5]])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_gives_back_its_records() {
        let records: Vec<Vec<u8>> = (0..40u8).map(|i| vec![i; 10 + usize::from(i)]).collect();
        let mut b = Builder::default();
        for r in &records {
            assert!(!b.is_full_for(r.len()));
            b.push(r);
        }
        let blocks = b.finish(7);
        assert!(b.is_empty());
        assert_eq!(blocks.len(), 1);
        let (first, stored) = &blocks[0];
        assert_eq!((*first, count(stored)), (7, Some(40)));
        let block = Block::decode(7, stored).unwrap();
        assert_eq!(block.records().map(<[u8]>::to_vec).collect::<Vec<_>>(), records);
    }

    #[test]
    fn a_block_closes_at_its_byte_or_record_limit() {
        let mut b = Builder::default();
        assert!(!b.is_full_for(MAX_RECORD), "an empty block takes any record");
        b.push(&[1; 100]);
        assert!(b.is_full_for(BLOCK_BYTES));
        let mut b = Builder::default();
        for _ in 0..BLOCK_EVENTS {
            b.push(b"x");
        }
        assert!(b.is_full_for(1));
    }

    #[test]
    fn a_block_that_does_not_compress_under_the_limit_is_split() {
        // hardly compressible records, as many as fit before compression
        let mut x = 1u64;
        let mut noise = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (x >> 56) as u8
                })
                .collect()
        };
        let records: Vec<Vec<u8>> = (0..8).map(|i| noise(20_000 + i * 100)).collect();
        let mut b = Builder::default();
        for r in &records {
            assert!(!b.is_full_for(r.len()));
            b.push(r);
        }
        let blocks = b.finish(100);
        assert!(blocks.len() > 1, "{} blocks", blocks.len());
        let mut got = Vec::new();
        let mut next = 100;
        for (first, stored) in &blocks {
            assert!(stored.len() <= MAX_STORED, "{} bytes", stored.len());
            assert_eq!(*first, next);
            let block = Block::decode(*first, stored).unwrap();
            next += block.len() as u64;
            got.extend(block.records().map(<[u8]>::to_vec));
        }
        assert_eq!(got, records);
        // a single record of the largest size always fits
        let mut b = Builder::default();
        b.push(&noise(MAX_RECORD));
        let blocks = b.finish(1);
        assert_eq!(blocks.len(), 1);
        assert!(blocks[0].1.len() <= MAX_STORED);
    }

    #[test]
    fn damage_is_named_not_panicked_on() {
        let mut b = Builder::default();
        b.push(&[7; 500]);
        let stored = b.finish(3).remove(0).1;
        for cut in 0..stored.len() {
            assert!(Block::decode(3, &stored[..cut]).is_err(), "cut at {cut}");
        }
        let mut flipped = stored.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        if let Err(e) = Block::decode(3, &flipped) {
            assert_eq!(e.seq(), Some(3));
        }
    }
}
