//! The block file: the bytes of every block, appended one after another
//! in a plain file beside sled's, which keeps only where each one lies.
//!
//! sled rewrites a leaf page whole as values are added to it and reclaims
//! a segment only once half of it is dead, so values kept in its tree take
//! two to three times their size on disk and in writes. Blocks are written
//! once and never changed, so they live in this file instead (the
//! separation of keys and values of WiscKey); sled's `block_refs` tree maps the
//! position of a block's first record to a [`Ref`]: offset, length and
//! record count.
//!
//! Durability follows one rule: the file is `fsync`ed before any sled
//! change that makes a block reachable at or below the committed head (an
//! import's commit, the tail's folding into blocks, the repair of a block
//! that runs past the head). Bytes past the last block sled knows of are
//! what an interrupted write left: [`BlockFile::cut_to`] drops them once
//! the records an interrupted import left past the head are set aside
//! (bytes an interrupted fold of the tail left stay, unread, and new
//! blocks go after them).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
use std::sync::Mutex;

/// The file's name in the log folder.
pub const FILE: &str = "blocks";

/// Where a block lies in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ref {
    pub offset: u64,
    pub len: u32,
    /// Records in the block.
    pub count: u32,
}

impl Ref {
    pub const SIZE: usize = 16;

    pub fn encode(&self) -> [u8; Ref::SIZE] {
        let mut out = [0u8; Ref::SIZE];
        out[..8].copy_from_slice(&self.offset.to_be_bytes());
        out[8..12].copy_from_slice(&self.len.to_be_bytes());
        out[12..].copy_from_slice(&self.count.to_be_bytes());
        out
    }

    pub fn decode(b: &[u8]) -> Option<Ref> {
        if b.len() != Ref::SIZE {
            return None;
        }
        Some(Ref {
            offset: u64::from_be_bytes(b[..8].try_into().ok()?),
            len: u32::from_be_bytes(b[8..12].try_into().ok()?),
            count: u32::from_be_bytes(b[12..].try_into().ok()?),
        })
    }

    /// The offset just past the block.
    pub fn end(&self) -> u64 {
        self.offset.saturating_add(u64::from(self.len))
    }
}

/// The open block file: positional reads from any thread, appends from
/// the one writer the store lets in at a time.
#[derive(Debug)]
pub struct BlockFile {
    file: File,
    /// Where the next block goes.
    end: Mutex<u64>,
}

impl BlockFile {
    /// Opens the file in the log folder `dir`, creating it when missing.
    pub fn open(dir: &Path) -> io::Result<BlockFile> {
        let path = dir.join(FILE);
        let created = !path.exists();
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        // the log holds names of detainees and sources: its owner's only
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path)?;
        if created {
            // the new name must survive a crash as well as what goes in it
            sync_dir(dir)?;
        }
        let end = file.metadata()?.len();
        Ok(BlockFile { file, end: Mutex::new(end) })
    }

    /// The file's length in bytes.
    pub fn size(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    /// Writes `bytes` after the last block written, and says where. Not
    /// durable until [`BlockFile::sync`].
    pub fn append(&self, bytes: &[u8], count: usize) -> io::Result<Ref> {
        let len = u32::try_from(bytes.len()).map_err(|_| io::Error::other("a block larger than 4 GiB"))?;
        let count = u32::try_from(count).map_err(|_| io::Error::other("a block of too many records"))?;
        let mut end = self.end.lock().unwrap_or_else(|p| p.into_inner());
        write_at(&self.file, bytes, *end)?;
        let r = Ref { offset: *end, len, count };
        *end += u64::from(len);
        Ok(r)
    }

    /// Reads the block at `r`; `None` when the file ends before it does.
    pub fn read(&self, r: Ref) -> io::Result<Option<Vec<u8>>> {
        let mut buf = vec![0u8; r.len as usize];
        match read_at(&self.file, &mut buf, r.offset) {
            Ok(()) => Ok(Some(buf)),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The bytes at `r` that the file still holds (all of them, or those
    /// before its end).
    pub fn read_what_is_there(&self, r: Ref) -> io::Result<Vec<u8>> {
        let there = self.size()?.saturating_sub(r.offset).min(u64::from(r.len));
        let mut buf = vec![0u8; there as usize];
        read_at(&self.file, &mut buf, r.offset)?;
        Ok(buf)
    }

    /// Makes everything appended durable.
    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }

    /// Drops whatever lies past `end` (what an interrupted write left past
    /// the last block sled knows of), durably. A file shorter than `end`
    /// is left as it is: the blocks it lacks read as damaged.
    pub fn cut_to(&self, end: u64) -> io::Result<()> {
        let mut at = self.end.lock().unwrap_or_else(|p| p.into_inner());
        if self.file.metadata()?.len() > end {
            self.file.set_len(end)?;
            self.file.sync_all()?;
        }
        *at = end.max(self.file.metadata()?.len());
        Ok(())
    }

    /// Has new blocks go no lower than `end` (the end of the last block
    /// known), even when the file has lost its end.
    pub fn reach(&self, end: u64) {
        let mut at = self.end.lock().unwrap_or_else(|p| p.into_inner());
        *at = (*at).max(end);
    }

    /// Empties the file, durably.
    pub fn clear(&self) -> io::Result<()> {
        let mut at = self.end.lock().unwrap_or_else(|p| p.into_inner());
        self.file.set_len(0)?;
        self.file.sync_all()?;
        *at = 0;
        Ok(())
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(unix)]
fn write_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(windows)]
fn write_at(file: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_write(buf, offset)? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_read_back_where_they_were_written_and_a_cut_drops_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let f = BlockFile::open(dir.path()).unwrap();
        let a = f.append(b"first block", 3).unwrap();
        let b = f.append(b"second", 1).unwrap();
        assert_eq!((a.offset, a.len, a.count), (0, 11, 3));
        assert_eq!((b.offset, b.end()), (11, 17));
        assert_eq!(Ref::decode(&b.encode()), Some(b));
        assert_eq!(Ref::decode(&b.encode()[..15]), None);
        f.sync().unwrap();
        assert_eq!(f.read(a).unwrap().as_deref(), Some(&b"first block"[..]));
        assert_eq!(f.read(b).unwrap().as_deref(), Some(&b"second"[..]));
        // what a crash left past the last known block goes, and the next
        // block is written where it was
        f.cut_to(a.end()).unwrap();
        assert_eq!(f.size().unwrap(), 11);
        assert_eq!(f.read(b).unwrap(), None);
        let c = f.append(b"third", 1).unwrap();
        assert_eq!(c.offset, 11);
        drop(f);
        let f = BlockFile::open(dir.path()).unwrap();
        assert_eq!(f.read(c).unwrap().as_deref(), Some(&b"third"[..]));
        // a file shorter than its blocks is not lengthened
        f.cut_to(100).unwrap();
        assert_eq!(f.size().unwrap(), 16);
        assert_eq!(f.append(b"x", 1).unwrap().offset, 100);
    }
}
