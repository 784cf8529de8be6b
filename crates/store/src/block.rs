//! Blocks: runs of consecutive records stored as one compressed value in
//! the block file ([`crate::blockfile`]).
//!
//! sled's cost is per key, so the bulk of the log lives in blocks of up to
//! [`BLOCK_EVENTS`] records (and at most [`BLOCK_BYTES`] of them before
//! compression, [`MAX_STORED`] after), keyed by the position of their first
//! record. Each record
//! reads back with its own layout and hash ([`crate::record`]), so the
//! chain, `verify` and the positions it names are those of single records.
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
//! In version 2 the payload is the first record's link (32 bytes), then
//! the whole hash of the last record of each run of [`RUN`] records (the
//! runs' anchors, 32 bytes each), then each record as a big-endian `u32`
//! length followed by its version byte, recording time, the first [`TAG`]
//! bytes of its hash, and its JSON.
//!
//! Reading computes each record's hash from its position, its bytes and
//! the link (the hash computed for the record before it), and puts link
//! and hash back, so a sound record reads byte for byte as it was written
//! (and a scan does not hash it again). A run whose chain ends at its
//! anchor is sound whole: SHA-256 proves every record in it, whatever its
//! tags say. In a run that does not, the records are taken up to the first
//! whose hash does not begin with its tag (an 8-byte check); that record
//! and the rest of its run cannot be checked (their links depend on it)
//! and get a hash their bytes do not match, so each one's own check names
//! it as damaged, as in version 1 ([`Block::reads_as_stored`] tells such a
//! block). The next run starts from that run's anchor (or, when every tag
//! held, from the hash computed: the anchor is then what is damaged), so
//! damage inside the payload costs at most the rest of one run. Damage to
//! a frame's length, or to compressed bytes that zstd reads into other
//! bytes, can cost more, often the whole block, as in version 1. Only records that chain, each with the hash
//! of its own bytes, are written in version 2
//! ([`Builder::finish`] checks that unless told the records were just made);
//! others are kept whole, in version 1, so the layout is lossless.

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
/// The records of a version-2 block between two whole hashes.
pub const RUN: usize = 64;
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
    /// Version 2 if the records chain and each one's hash is its bytes'
    /// (checked here), else version 1.
    pub fn finish(&mut self, first: u64) -> Vec<(u64, Vec<u8>)> {
        self.finish_as(first, Mode::Checked)
    }

    /// [`Builder::finish`] for records just encoded, each with the hash of
    /// its bytes (an import's), which need not be hashed again to tell.
    pub fn finish_encoded(&mut self, first: u64) -> Vec<(u64, Vec<u8>)> {
        self.finish_as(first, Mode::Encoded)
    }

    /// [`Builder::finish`] in version 1, every record kept whole, as read:
    /// for records that may be damaged (a block repaired on open, one
    /// altered on purpose by [`crate::Store::tamper`]), whose damage must
    /// stay where it is.
    pub fn finish_whole(&mut self, first: u64) -> Vec<(u64, Vec<u8>)> {
        self.finish_as(first, Mode::Whole)
    }

    fn finish_as(&mut self, first: u64, mode: Mode) -> Vec<(u64, Vec<u8>)> {
        let payload = std::mem::take(&mut self.payload);
        let ends = std::mem::take(&mut self.ends);
        let mut out = Vec::new();
        pack(&payload, &ends, (0, ends.len()), first, mode, &mut out);
        out
    }
}

/// How a builder's records are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Version 2 if they chain and each hash is its record's.
    Checked,
    /// Version 2 if they chain, their hashes known to be their records'.
    Encoded,
    /// Version 1.
    Whole,
}

/// Packs records `a..b` (frames ending at `ends`) into blocks, the first
/// record being at `first`.
fn pack(payload: &[u8], ends: &[usize], (a, b): (usize, usize), first: u64, mode: Mode, out: &mut Vec<(u64, Vec<u8>)>) {
    if a >= b {
        return;
    }
    let record = |i: usize| {
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &payload[start + 4..ends[i]]
    };
    let records: Vec<&[u8]> = (a..b).map(record).collect();
    let stored = match (mode != Mode::Whole).then(|| chained(&records, first, mode == Mode::Checked)).flatten() {
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
    pack(payload, ends, (a, mid), first, mode, out);
    pack(payload, ends, (mid, b), first + (mid - a) as u64, mode, out);
}

/// The version-2 payload of `records`, the first at `first`, if they are
/// records of the layout it knows, each linked to the one before it (and,
/// with `check`, each hash the hash of its record's bytes): what makes
/// reading give them back byte for byte.
fn chained(records: &[&[u8]], first: u64, check: bool) -> Option<Vec<u8>> {
    let well_formed = |r: &&[u8]| r.len() >= JSON_AT && r[0] == record::VERSION;
    if !records.iter().all(well_formed) {
        return None;
    }
    if records.windows(2).any(|w| w[0][HASH_AT..JSON_AT] != w[1][LINK_AT..HASH_AT]) {
        return None;
    }
    if check && records.iter().enumerate().any(|(i, r)| content_hash(first + i as u64, r) != r[HASH_AT..JSON_AT]) {
        return None;
    }
    let runs = records.len().div_ceil(RUN);
    let mut out = Vec::with_capacity(32 * (runs + 1) + records.iter().map(|r| r.len() + 4 + TAG - 64).sum::<usize>());
    out.extend_from_slice(&records.first()?[LINK_AT..HASH_AT]);
    for run in records.chunks(RUN) {
        out.extend_from_slice(&run.last()?[HASH_AT..JSON_AT]);
    }
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
    /// Which records had their hash computed and proven while the block
    /// was read (a version-2 block's; none of a version-1 block's): they
    /// need not be hashed again.
    proven: Vec<bool>,
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
        let start = if version == VERSION { 32 * (1 + count.div_ceil(RUN)) } else { 0 };
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
            return Ok(Block { payload, spans, proven: Vec::new() });
        }
        Ok(Block::unchain(first, &payload, &spans))
    }

    /// A version-2 block's records made whole again: each one's link and
    /// hash computed and put back, run by run (see the module's notes).
    /// `payload` holds at least the link and the anchors (`decode` saw to it).
    fn unchain(first: u64, payload: &[u8], frames: &[(usize, usize)]) -> Block {
        let hash_at = |at: usize| -> [u8; 32] {
            let mut h = [0u8; 32];
            h.copy_from_slice(&payload[at..at + 32]);
            h
        };
        let mut full = Vec::with_capacity(payload.len() + frames.len() * (64 - TAG));
        let mut spans = Vec::with_capacity(frames.len());
        let mut proven = vec![false; frames.len()];
        let mut link = hash_at(0);
        for (run, range) in frames.chunks(RUN).enumerate() {
            let anchor = hash_at(32 * (run + 1));
            let from = run * RUN;
            let mut computed = Vec::with_capacity(range.len());
            for (j, &(a, b)) in range.iter().enumerate() {
                let at = full.len();
                full.extend_from_slice(&payload[a..a + LINK_AT]);
                full.extend_from_slice(&link);
                full.extend_from_slice(&[0; 32]);
                full.extend_from_slice(&payload[a + LINK_AT + TAG..b]);
                let h = content_hash(first + (from + j) as u64, &full[at..]);
                full[at + HASH_AT..at + JSON_AT].copy_from_slice(&h);
                spans.push((at, full.len()));
                computed.push(h);
                link = h;
            }
            // the records taken: all, when the chain ends at the anchor;
            // else those before the first whose tag does not hold
            let tag = |j: usize| &payload[range[j].0 + LINK_AT..range[j].0 + LINK_AT + TAG];
            let taken = if link == anchor {
                range.len()
            } else {
                (0..range.len()).find(|&j| computed[j][..TAG] != *tag(j)).unwrap_or(range.len())
            };
            proven[from..from + taken].fill(true);
            for j in taken..range.len() {
                // a hash the record's bytes do not match, so that its own
                // check names it: the one it claims, else its own altered
                let mut claimed = computed[j];
                claimed[..TAG].copy_from_slice(tag(j));
                if claimed == computed[j] {
                    claimed[31] ^= 1;
                }
                let (at, _) = spans[from + j];
                full[at + HASH_AT..at + JSON_AT].copy_from_slice(&claimed);
            }
            // the next run links to the true hash of this run's last record:
            // the anchor, unless every tag held (then the anchor is what is
            // damaged, and the hash computed is the record's)
            if taken < range.len() {
                link = anchor;
            }
        }
        Block { payload: full, spans, proven }
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

    /// Whether every record reads back as it was stored: a version-1
    /// block's always (damage and all), a version-2 block's when each one
    /// was proven. Otherwise the records from a damaged one to the end of
    /// its run read with a hash made up to fail, and links computed from
    /// it: only the stored bytes keep what they were.
    pub fn reads_as_stored(&self) -> bool {
        self.proven.iter().all(|p| *p)
    }

    /// Whether the `i`-th record's hash was computed and proven as the
    /// block was read (its own check need not hash it again).
    pub fn proven(&self, i: usize) -> bool {
        self.proven.get(i).copied().unwrap_or(false)
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

/// A version-2 block of `records` (sound, the first at `first`), stored
/// as is, with one byte of the JSON of its `damaged`-th record altered: a
/// block that decodes and holds a record that does not check.
#[cfg(test)]
pub(crate) fn with_a_damaged_record(records: &[&[u8]], first: u64, damaged: usize) -> Vec<u8> {
    let mut payload = chained(records, first, true).expect("sound records");
    let mut at = 32 * (1 + records.len().div_ceil(RUN));
    for _ in 0..=damaged {
        at += 4 + u32::from_be_bytes([payload[at], payload[at + 1], payload[at + 2], payload[at + 3]]) as usize;
    }
    payload[at - 2] ^= 1;
    let mut out = vec![VERSION, RAW];
    out.extend_from_slice(&(records.len() as u32).to_be_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(&payload);
    out
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
        for n in [1, 2, 3, 40, RUN, RUN + 1, 3 * RUN + 5] {
            let records = chain(500, n);
            let stored = built(&records, 500, false);
            assert_eq!(stored[0], VERSION, "{n} records");
            let block = Block::decode(500, &stored).unwrap();
            assert_eq!(block.records().map(<[u8]>::to_vec).collect::<Vec<_>>(), records, "{n} records");
            assert!((0..n).all(|i| block.proven(i)), "every record's hash was computed and proven");
            let whole = built(&records, 500, true);
            assert_eq!(whole[0], OLD_VERSION);
            let block = Block::decode(500, &whole).unwrap();
            assert_eq!(block.records().map(<[u8]>::to_vec).collect::<Vec<_>>(), records);
            assert!(!block.proven(0), "version 1 leaves the check to each record");
            if n >= 40 {
                assert!(stored.len() + 20 * n < whole.len(), "{} vs {} bytes", stored.len(), whole.len());
            }
        }
    }

    #[test]
    fn records_that_do_not_chain_or_match_their_hash_are_kept_whole() {
        let mut unlinked = chain(1, 5);
        // the third record's link no longer names the second's hash
        unlinked[2][LINK_AT] ^= 1;
        // the third record's JSON altered, its hash left as it was
        let mut altered = chain(1, 5);
        let last = altered[2].len() - 2;
        altered[2][last] ^= 1;
        for records in [unlinked, altered] {
            let stored = built(&records, 1, false);
            assert_eq!(stored[0], OLD_VERSION);
            let block = Block::decode(1, &stored).unwrap();
            assert_eq!(block.records().map(<[u8]>::to_vec).collect::<Vec<_>>(), records, "damage stays where it is");
        }
    }

    /// A version-2 block whose uncompressed payload is `payload`.
    fn raw_block(payload: &[u8], count: usize) -> Vec<u8> {
        let mut out = vec![VERSION, RAW];
        out.extend_from_slice(&(count as u32).to_be_bytes());
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    /// Reads `stored` as the store does: each record of a block that
    /// decodes, checked unless proven. `None` for a block refused whole.
    fn read(first: u64, stored: &[u8]) -> Option<Vec<Result<Vec<u8>, ReadError>>> {
        let block = Block::decode(first, stored).ok()?;
        let read = block.records().enumerate().map(|(i, r)| {
            let hash = if block.proven(i) { crate::record::Hash::Checked } else { crate::record::Hash::Check };
            crate::record::decode_as(first + i as u64, r, hash).map(|_| r.to_vec())
        });
        Some(read.collect())
    }

    /// Alters byte `at` of the payload of `records` (the first at `first`)
    /// and asserts that no record reads as sound unless it is as written;
    /// whether any record or the block was refused.
    fn altered_is_never_read(first: u64, records: &[Vec<u8>], payload: &[u8], at: usize) -> bool {
        let mut bad = payload.to_vec();
        bad[at] ^= 0x10;
        let Some(read) = read(first, &raw_block(&bad, records.len())) else { return true };
        let mut refused = false;
        for (i, r) in read.iter().enumerate() {
            match r {
                Ok(bytes) => assert_eq!(bytes, &records[i], "byte {at}: record {} read altered", first + i as u64),
                Err(e) => {
                    assert_eq!(e.seq(), Some(first + i as u64));
                    refused = true;
                }
            }
        }
        refused
    }

    #[test]
    fn no_altered_byte_of_a_chained_block_lets_an_altered_record_read_as_sound() {
        let first = 77;
        let records = chain(first, 4);
        let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
        let payload = chained(&refs, first, true).unwrap();
        assert!(read(first, &raw_block(&payload, 4)).unwrap().iter().all(Result::is_ok));
        let named = (0..payload.len()).filter(|&at| altered_is_never_read(first, &records, &payload, at)).count();
        // free to change: the anchor when every tag holds, a tag when the
        // chain ends at the anchor (both leave every record proven), and
        // JSON text a decode reads the same way
        let free = 32 + 4 * TAG;
        assert!(named + free + 2 >= payload.len(), "{named} of {} altered bytes named", payload.len());
        // runs: every 7th byte of a block of three
        let records = chain(first, 2 * RUN + 9);
        let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
        let payload = chained(&refs, first, true).unwrap();
        for at in (0..payload.len()).step_by(7) {
            altered_is_never_read(first, &records, &payload, at);
        }
    }

    /// Where each record's frame starts in a version-2 payload of `n`.
    fn frame_starts(payload: &[u8], n: usize) -> Vec<usize> {
        let mut at = 32 * (1 + n.div_ceil(RUN));
        (0..n)
            .map(|_| {
                let start = at;
                at += 4 + u32::from_be_bytes(payload[at..at + 4].try_into().unwrap()) as usize;
                start
            })
            .collect()
    }

    #[test]
    fn damage_costs_at_most_the_rest_of_its_run() {
        let (first, n) = (1000, 3 * RUN + 8);
        let records = chain(first, n);
        let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
        let payload = chained(&refs, first, true).unwrap();
        let starts = frame_starts(&payload, n);
        let refused = |at: usize| -> Vec<usize> {
            let mut bad = payload.clone();
            bad[at] ^= 0x04;
            let read = read(first, &raw_block(&bad, n)).unwrap();
            for (i, r) in read.iter().enumerate() {
                if let Ok(bytes) = r {
                    assert_eq!(bytes, &records[i]);
                }
            }
            read.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect()
        };
        // a record's JSON: it and the rest of its run, nothing else
        let json = |i: usize| starts[i + 1] - 3;
        assert_eq!(refused(json(10)), (10..RUN).collect::<Vec<_>>());
        assert_eq!(refused(json(RUN + 5)), (RUN + 5..2 * RUN).collect::<Vec<_>>());
        assert_eq!(refused(payload.len() - 3), vec![n - 1], "the last record's JSON");
        // a tag alone, or an anchor alone: nothing is lost
        assert_eq!(refused(starts[20] + 4 + LINK_AT), Vec::<usize>::new(), "a tag");
        assert_eq!(refused(32 * 2 + 5), Vec::<usize>::new(), "the second run's anchor");
        assert_eq!(refused(5), (0..RUN).collect::<Vec<_>>(), "the first record's link: its run");
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
