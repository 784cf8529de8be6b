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
//! Layout:
//!
//! | bytes | what |
//! | --- | --- |
//! | 1 | block version (`2`; `1` is still read) |
//! | 1 | codec: `0` stored as is, `1` zstd |
//! | 4 | number of records, big-endian `u32` |
//! | 4 | length of the uncompressed payload, big-endian `u32` |
//! | rest | the payload, compressed or not |
//!
//! In version 1 the uncompressed payload is each record as a big-endian
//! `u32` length followed by its bytes.
//!
//! Version 2 leaves out what the chain repeats. A record's 32-byte link
//! is the previous record's hash, and SHA-256 does not compress, so every
//! record of version 1 stored 32 bytes that zstd could do nothing with.
//! In version 2 the payload is the first record's link (32 bytes), the
//! last record's hash (32 bytes), then each record as a big-endian `u32`
//! length followed by its version byte, recording time, the first
//! [`TAG`] bytes of its hash, and its JSON. Reading computes each
//! record's hash from its position, its bytes and the link (the hash
//! computed for the record before it), and puts link and hash back: a
//! record reads byte for byte as it was written. A record whose hash does
//! not begin with its tag gets the hash it claims, so the record's own
//! check names it as damaged, as in version 1; the last record's hash is
//! kept whole, so the chain through the block is checked in full, and a
//! block whose chain does not end there is refused whole. The builder
//! writes version 1 for records that do not chain (no sijil writes
//! those: it is what keeps the layout lossless).

use crate::record::{self, content_hash};
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

/// The version written; [`OLD_VERSION`] is read too.
const VERSION: u8 = 2;
/// Blocks that keep every record whole (format 2 and 3 logs).
const OLD_VERSION: u8 = 1;
const HEADER: usize = 10;
/// How many bytes of a record's hash a version-2 block keeps with it.
pub const TAG: usize = 8;
/// A record's layout ([`crate::record`]): version and time, the link,
/// its hash, then the JSON.
const LINK_AT: usize = 9;
const HASH_AT: usize = LINK_AT + 32;
const JSON_AT: usize = HASH_AT + 32;
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
        self.finish_as(first, VERSION)
    }

    /// [`Builder::finish`] in version 1, every record kept whole: a
    /// record altered on purpose (by [`crate::Store::tamper`]) then leaves
    /// the others as they were.
    pub fn finish_whole(&mut self, first: u64) -> Vec<(u64, Vec<u8>)> {
        self.finish_as(first, OLD_VERSION)
    }

    fn finish_as(&mut self, first: u64, version: u8) -> Vec<(u64, Vec<u8>)> {
        let payload = std::mem::take(&mut self.payload);
        let ends = std::mem::take(&mut self.ends);
        let mut out = Vec::new();
        pack(&payload, &ends, (0, ends.len()), first, version, &mut out);
        out
    }
}

/// Packs records `a..b` (frames ending at `ends`) into blocks of `version`
/// (or of version 1, for records version 2 cannot hold).
fn pack(
    payload: &[u8],
    ends: &[usize],
    (a, b): (usize, usize),
    first: u64,
    version: u8,
    out: &mut Vec<(u64, Vec<u8>)>,
) {
    if a >= b {
        return;
    }
    let record = |i: usize| {
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &payload[start + 4..ends[i]]
    };
    let records: Vec<&[u8]> = (a..b).map(record).collect();
    let stored = match (version == VERSION).then(|| chained(&records)).flatten() {
        Some(raw) => encode(VERSION, &raw, b - a),
        None => {
            let start = if a == 0 { 0 } else { ends[a - 1] };
            encode(OLD_VERSION, &payload[start..ends[b - 1]], b - a)
        }
    };
    if stored.len() <= MAX_STORED || b - a == 1 {
        out.push((first, stored));
        return;
    }
    let mid = a + (b - a) / 2;
    pack(payload, ends, (a, mid), first, version, out);
    pack(payload, ends, (mid, b), first + (mid - a) as u64, version, out);
}

/// The version-2 payload of `records`, if they are records of the layout
/// it knows, each linked to the one before it.
fn chained(records: &[&[u8]]) -> Option<Vec<u8>> {
    let well_formed = |r: &&[u8]| r.len() >= JSON_AT && r[0] == record::VERSION;
    if !records.iter().all(well_formed) {
        return None;
    }
    if records.windows(2).any(|w| w[0][HASH_AT..JSON_AT] != w[1][LINK_AT..HASH_AT]) {
        return None;
    }
    let (first, last) = (records.first()?, records.last()?);
    let mut out = Vec::with_capacity(64 + records.iter().map(|r| r.len() + 4 + TAG - 64).sum::<usize>());
    out.extend_from_slice(&first[LINK_AT..HASH_AT]);
    out.extend_from_slice(&last[HASH_AT..JSON_AT]);
    for r in records {
        out.extend_from_slice(&((r.len() - 64 + TAG) as u32).to_be_bytes());
        out.extend_from_slice(&r[..LINK_AT]);
        out.extend_from_slice(&r[HASH_AT..HASH_AT + TAG]);
        out.extend_from_slice(&r[JSON_AT..]);
    }
    Some(out)
}

/// One stored block of `count` records, its payload `raw`.
fn encode(version: u8, raw: &[u8], count: usize) -> Vec<u8> {
    let packed = zstd::bulk::compress(raw, LEVEL).ok().filter(|c| c.len() < raw.len());
    let (codec, body) = match &packed {
        Some(c) => (ZSTD, c.as_slice()),
        None => (RAW, raw),
    };
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.push(version);
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
    /// How many of the first records have had their hash computed and
    /// found right while the block was read (a version-2 block's records
    /// up to the first damaged one): they need not be hashed again.
    hashed: usize,
}

impl Block {
    /// Reads the block stored under `first` (named in errors).
    pub fn decode(first: u64, stored: &[u8]) -> Result<Block, ReadError> {
        let corrupt = |reason: &str| ReadError::Corrupt { seq: first, reason: format!("its block {reason}") };
        if stored.len() < HEADER {
            return Err(corrupt("is truncated"));
        }
        let version = stored[0];
        if version != VERSION && version != OLD_VERSION {
            return Err(corrupt(&format!("has an unknown version {version}")));
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
        let start = if version == VERSION { 64 } else { 0 };
        let mut spans = Vec::with_capacity(count);
        let mut at = start;
        for _ in 0..count {
            let Some(head) = payload.get(at..at + 4) else { return Err(corrupt("is truncated")) };
            let n = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
            if at + 4 + n > payload.len() || (version == VERSION && n < LINK_AT + TAG) {
                return Err(corrupt("is truncated"));
            }
            spans.push((at + 4, at + 4 + n));
            at += 4 + n;
        }
        if at != payload.len() {
            return Err(corrupt("has bytes after its last record"));
        }
        if version == OLD_VERSION {
            return Ok(Block { payload, spans, hashed: 0 });
        }
        Block::unchain(first, &payload, &spans)
    }

    /// A version-2 block's records made whole again: each one's link and
    /// hash computed and put back (see the module's notes).
    fn unchain(first: u64, payload: &[u8], frames: &[(usize, usize)]) -> Result<Block, ReadError> {
        let mut link: [u8; 32] = payload[..32]
            .try_into()
            .map_err(|_| ReadError::Corrupt { seq: first, reason: "its block is truncated".into() })?;
        let last: [u8; 32] = payload[32..64]
            .try_into()
            .map_err(|_| ReadError::Corrupt { seq: first, reason: "its block is truncated".into() })?;
        let mut full = Vec::with_capacity(payload.len() + frames.len() * (64 - TAG));
        let mut spans = Vec::with_capacity(frames.len());
        let mut hashed = None;
        for (i, &(a, b)) in frames.iter().enumerate() {
            let at = full.len();
            full.extend_from_slice(&payload[a..a + LINK_AT]);
            full.extend_from_slice(&link);
            full.extend_from_slice(&[0; 32]);
            full.extend_from_slice(&payload[a + LINK_AT + TAG..b]);
            let seq = first + i as u64;
            let computed = content_hash(seq, &full[at..]);
            let mut claimed = computed;
            claimed[..TAG].copy_from_slice(&payload[a + LINK_AT..a + LINK_AT + TAG]);
            if i + 1 == frames.len() {
                if claimed == computed && computed != last && hashed.is_none() {
                    // every tag held but the chain does not end at the last
                    // hash: the damage cannot be placed, none of it is taken
                    let reason = format!("its block's hashes do not chain to the one kept for its last record, #{seq}");
                    return Err(ReadError::Corrupt { seq: first, reason });
                }
                claimed = last;
            }
            if claimed != computed && hashed.is_none() {
                hashed = Some(i);
            }
            full[at + HASH_AT..at + JSON_AT].copy_from_slice(&claimed);
            spans.push((at, full.len()));
            link = claimed;
        }
        let hashed = hashed.unwrap_or(frames.len());
        Ok(Block { payload: full, spans, hashed })
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

    /// How many of the first records were hashed and found right as the
    /// block was read (their own check need not hash them again).
    pub fn hashed(&self) -> usize {
        self.hashed
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

    /// `n` records as the store writes them, chained from `first`.
    fn chain(first: u64, n: usize) -> Vec<Vec<u8>> {
        let at = chrono::DateTime::from_timestamp(1_767_900_000, 0).unwrap();
        let mut prev = [9u8; 32];
        (0..n)
            .map(|i| {
                let mut e =
                    sijil_core::Event::new(uuid::Uuid::from_u128(i as u128 + 1), sijil_core::Kind::Statement, "desk");
                e.note = Some(format!("بيان رقم {i}: statement {i}"));
                let (bytes, hash) = crate::record::encode(first + i as u64, at, &prev, &e);
                prev = hash;
                bytes
            })
            .collect()
    }

    fn built(records: &[Vec<u8>], first: u64, whole: bool) -> Vec<u8> {
        let mut b = Builder::default();
        for r in records {
            b.push(r);
        }
        let mut blocks = if whole { b.finish_whole(first) } else { b.finish(first) };
        assert_eq!(blocks.len(), 1);
        blocks.remove(0).1
    }

    #[test]
    fn a_chained_block_keeps_each_hash_once_and_reads_byte_for_byte() {
        for n in [1, 2, 3, 40] {
            let records = chain(500, n);
            let stored = built(&records, 500, false);
            assert_eq!(stored[0], VERSION, "{n} records");
            let block = Block::decode(500, &stored).unwrap();
            assert_eq!(block.records().map(<[u8]>::to_vec).collect::<Vec<_>>(), records, "{n} records");
            assert_eq!(block.hashed(), n, "every record's hash was computed and found right");
            let whole = built(&records, 500, true);
            assert_eq!(whole[0], OLD_VERSION);
            let block = Block::decode(500, &whole).unwrap();
            assert_eq!(block.records().map(<[u8]>::to_vec).collect::<Vec<_>>(), records);
            assert_eq!(block.hashed(), 0, "version 1 leaves the check to each record");
            if n == 40 {
                assert!(stored.len() + 20 * n < whole.len(), "{} vs {} bytes", stored.len(), whole.len());
            }
        }
    }

    #[test]
    fn records_that_do_not_chain_are_kept_whole() {
        let mut records = chain(1, 5);
        // the third record's link no longer names the second's hash
        records[2][LINK_AT] ^= 1;
        let stored = built(&records, 1, false);
        assert_eq!(stored[0], OLD_VERSION);
        let block = Block::decode(1, &stored).unwrap();
        assert_eq!(block.records().map(<[u8]>::to_vec).collect::<Vec<_>>(), records);
    }

    /// A version-2 block whose uncompressed payload is `payload`.
    fn raw_block(payload: &[u8], count: usize) -> Vec<u8> {
        let mut out = vec![VERSION, RAW];
        out.extend_from_slice(&(count as u32).to_be_bytes());
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn no_altered_byte_of_a_chained_block_lets_an_altered_record_read_as_sound() {
        let first = 77;
        let records = chain(first, 4);
        let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
        let payload = chained(&refs).unwrap();
        assert!(Block::decode(first, &raw_block(&payload, 4)).is_ok());
        let mut named = 0;
        for at in 0..payload.len() {
            let mut bad = payload.clone();
            bad[at] ^= 0x10;
            let Ok(block) = Block::decode(first, &raw_block(&bad, 4)) else {
                named += 1;
                continue;
            };
            let mut damaged = false;
            for (i, r) in block.records().enumerate() {
                let seq = first + i as u64;
                let hash = if i < block.hashed() { crate::record::Hash::Checked } else { crate::record::Hash::Check };
                match crate::record::decode_as(seq, r, hash) {
                    Ok(_) => assert!(!damaged && r == records[i].as_slice(), "byte {at}: record {seq} read altered"),
                    Err(e) => {
                        assert_eq!(e.seq(), Some(seq));
                        damaged = true;
                    }
                }
            }
            named += usize::from(damaged);
        }
        // a few bytes are free to change: the last record's tag (its hash
        // is kept whole) and JSON text a decode accepts the same way
        assert!(named + TAG + 2 >= payload.len(), "{named} of {} altered bytes named", payload.len());
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
