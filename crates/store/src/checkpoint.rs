//! The checkpoint file: the latest checkpoint of a projection, `checkpoint`
//! beside sled's files.
//!
//! A checkpoint is a cache, tens of megabytes at a million events, and is
//! replaced whole: kept in sled's tree it took two to three times its size
//! on disk (sled rewrites pages and frees a segment only once half of it
//! is dead). As a file it is written beside the old one and renamed over
//! it, so a reader finds the old checkpoint or the new one, never a mix.
//!
//! It is not `fsync`ed: a crash may leave it short or holding stale pages.
//! So every part of it is checked before use: the header carries a
//! CRC-32, and each 16 KiB chunk is followed by a CRC-32 of the header's
//! CRC, the chunk's number and its bytes (a chunk of an older checkpoint,
//! or from elsewhere in this one, does not check); a reader of the first
//! chunks checks only those. Anything that does not
//! check is not found (and the caller reads the log instead).
//!
//! Layout:
//!
//! | bytes | what |
//! | --- | --- |
//! | 8 | magic `sijilK01` |
//! | 8 | position it was taken after, big-endian `u64` |
//! | 32 | the hash of the record at that position |
//! | 8 | length of the checkpoint, big-endian `u64` |
//! | 4 | CRC-32 of the 56 bytes before |
//! | rest | each chunk of up to [`CHUNK`] bytes, then its CRC-32 (big-endian) as above |

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// The file's name in the log folder.
pub const FILE: &str = "checkpoint";
/// Where a new checkpoint is written before it is renamed to [`FILE`].
const NEW: &str = "checkpoint.new";
/// The unit a checkpoint is read and checked in.
pub const CHUNK: usize = 16 * 1024;
const MAGIC: &[u8; 8] = b"sijilK01";
const HEAD: usize = 8 + 8 + 32 + 8 + 4;

/// What a checkpoint file's header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub seq: u64,
    pub hash: [u8; 32],
    pub len: u64,
}

impl Header {
    fn encode(&self) -> [u8; HEAD] {
        let mut out = [0u8; HEAD];
        out[..8].copy_from_slice(MAGIC);
        out[8..16].copy_from_slice(&self.seq.to_be_bytes());
        out[16..48].copy_from_slice(&self.hash);
        out[48..56].copy_from_slice(&self.len.to_be_bytes());
        let crc = crc32fast::hash(&out[..56]);
        out[56..].copy_from_slice(&crc.to_be_bytes());
        out
    }

    fn decode(b: &[u8]) -> Option<Header> {
        if b.len() < HEAD || &b[..8] != MAGIC || crc32fast::hash(&b[..56]).to_be_bytes() != b[56..HEAD] {
            return None;
        }
        Some(Header {
            seq: u64::from_be_bytes(b[8..16].try_into().ok()?),
            hash: b[16..48].try_into().ok()?,
            len: u64::from_be_bytes(b[48..56].try_into().ok()?),
        })
    }

    /// The file's length for a checkpoint of this header's length.
    fn file_len(&self) -> u64 {
        HEAD as u64 + self.len + 4 * self.len.div_ceil(CHUNK as u64)
    }
}

/// Writes the checkpoint `bytes` taken after `seq` (whose record has
/// `hash`), replacing the one before.
pub fn write(dir: &Path, seq: u64, hash: [u8; 32], bytes: &[u8]) -> io::Result<()> {
    let new = dir.join(NEW);
    let mut out = io::BufWriter::with_capacity(1 << 20, create_private(&new)?);
    let head = Header { seq, hash, len: bytes.len() as u64 }.encode();
    out.write_all(&head)?;
    for (i, chunk) in bytes.chunks(CHUNK).enumerate() {
        out.write_all(chunk)?;
        out.write_all(&chunk_crc(&head, i, chunk))?;
    }
    out.into_inner().map_err(io::IntoInnerError::into_error)?;
    fs::rename(&new, dir.join(FILE))
}

/// The header of the checkpoint in `dir`, if there is one that checks.
pub fn header(dir: &Path) -> Option<Header> {
    let file = File::open(dir.join(FILE)).ok()?;
    let mut head = [0u8; HEAD];
    read_at(&file, &mut head, 0).ok()?;
    Header::decode(&head)
}

/// The first `want` bytes (at least; whole chunks) of the checkpoint in
/// `dir` whose header is `h`, every chunk read checked; `None` when the
/// file is not that checkpoint whole.
pub fn read(dir: &Path, h: &Header, want: usize) -> io::Result<Option<Vec<u8>>> {
    let file = match File::open(dir.join(FILE)) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut head = [0u8; HEAD];
    if read_at(&file, &mut head, 0).is_err() || Header::decode(&head).as_ref() != Some(h) {
        return Ok(None);
    }
    if file.metadata()?.len() != h.file_len() {
        return Ok(None);
    }
    let len = usize::try_from(h.len).map_err(|_| io::Error::other("a checkpoint too large to read"))?;
    let chunks = len.div_ceil(CHUNK).max(1);
    let wanted = want.min(len).div_ceil(CHUNK).clamp(1, chunks);
    let data = (wanted * CHUNK).min(len);
    // the chunks read (none for an empty checkpoint)
    let frames = wanted.min(len.div_ceil(CHUNK));
    let mut raw = vec![0u8; data + 4 * frames];
    if read_at(&file, &mut raw, HEAD as u64).is_err() {
        return Ok(None);
    }
    // each chunk checked, then moved down over the CRCs before it
    let mut kept = 0;
    for i in 0..frames {
        let start = i * (CHUNK + 4);
        let end = (start + CHUNK + 4).min(raw.len());
        let (chunk, crc) = raw[start..end].split_at(end - start - 4);
        if chunk_crc(&head, i, chunk) != crc {
            return Ok(None);
        }
        let n = chunk.len();
        raw.copy_within(start..start + n, kept);
        kept += n;
    }
    raw.truncate(kept);
    Ok(Some(raw))
}

/// A chunk's CRC-32: over the header's own CRC, the chunk's number and
/// its bytes, so that a chunk of another checkpoint (stale pages read back
/// after a crash) or from another place in this one does not check.
fn chunk_crc(head: &[u8; HEAD], index: usize, chunk: &[u8]) -> [u8; 4] {
    let mut h = crc32fast::Hasher::new();
    h.update(&head[56..HEAD]);
    h.update(&(index as u64).to_be_bytes());
    h.update(chunk);
    h.finalize().to_be_bytes()
}

/// Removes the checkpoint (and a new one not yet in place).
pub fn remove(dir: &Path) -> io::Result<()> {
    for name in [FILE, NEW] {
        match fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// A new file readable by its owner only (the log holds names of
/// detainees and sources).
fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = file.try_clone()?;
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_byte_changed_or_cut_makes_the_checkpoint_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..40_000u32).map(|i| (i % 253) as u8).collect();
        write(dir.path(), 7, [3; 32], &bytes).unwrap();
        let h = header(dir.path()).unwrap();
        assert_eq!(h, Header { seq: 7, hash: [3; 32], len: 40_000 });
        assert_eq!(read(dir.path(), &h, usize::MAX).unwrap(), Some(bytes.clone()));
        assert_eq!(read(dir.path(), &h, 1).unwrap(), Some(bytes[..CHUNK].to_vec()));
        let whole = fs::read(dir.path().join(FILE)).unwrap();
        for at in (0..whole.len()).step_by(97) {
            let mut damaged = whole.clone();
            damaged[at] ^= 0x20;
            fs::write(dir.path().join(FILE), &damaged).unwrap();
            let found = header(dir.path()).and_then(|d| read(dir.path(), &d, usize::MAX).unwrap());
            assert_eq!(found, None, "byte {at} flipped");
        }
        for len in [0, 10, HEAD, HEAD + 5, whole.len() - 1] {
            fs::write(dir.path().join(FILE), &whole[..len]).unwrap();
            let found = header(dir.path()).and_then(|d| read(dir.path(), &d, usize::MAX).unwrap());
            assert_eq!(found, None, "cut to {len}");
        }
        // a file made of two checkpoints' chunks (stale pages after a
        // crash), or of one checkpoint's chunks out of place, is not found
        let mut other_bytes = bytes.clone();
        other_bytes[CHUNK + 10] ^= 1;
        write(dir.path(), 8, [3; 32], &other_bytes).unwrap();
        let other = fs::read(dir.path().join(FILE)).unwrap();
        let mut mixed = other[..HEAD + CHUNK + 4].to_vec();
        mixed.extend_from_slice(&whole[HEAD + CHUNK + 4..]);
        fs::write(dir.path().join(FILE), &mixed).unwrap();
        let h = header(dir.path()).unwrap();
        assert_eq!(read(dir.path(), &h, 1).unwrap(), Some(other_bytes[..CHUNK].to_vec()));
        assert_eq!(read(dir.path(), &h, usize::MAX).unwrap(), None, "chunks of another checkpoint");
        write(dir.path(), 7, [3; 32], &[bytes[..CHUNK].to_vec(), bytes[..CHUNK].to_vec()].concat()).unwrap();
        let mut swapped = fs::read(dir.path().join(FILE)).unwrap();
        let second = swapped[HEAD + CHUNK + 4..].to_vec();
        swapped[HEAD..HEAD + CHUNK + 4].copy_from_slice(&second);
        fs::write(dir.path().join(FILE), &swapped).unwrap();
        let h = header(dir.path()).unwrap();
        assert_eq!(read(dir.path(), &h, usize::MAX).unwrap(), None, "a chunk out of place");
        // an empty checkpoint is one chunk of nothing
        write(dir.path(), 1, [0; 32], b"").unwrap();
        let h = header(dir.path()).unwrap();
        assert_eq!(read(dir.path(), &h, 0).unwrap(), Some(Vec::new()));
        remove(dir.path()).unwrap();
        assert_eq!(header(dir.path()), None);
        remove(dir.path()).unwrap();
    }
}
