//! The head mark: the last acknowledged head, noted in a small file beside
//! sled's own after every commit.
//!
//! sled 0.34.7 recovers its file by reading it up to the first message
//! whose checksum fails and taking the rest for a write a crash tore. So a
//! single damaged byte in the middle of the file silently drops every
//! record written after it: the log opens as if those appends had never
//! been made (and sled then reuses the space). The mark is how the store
//! notices: a store that recovers a head behind its mark has lost records
//! it had acknowledged, and opening it is refused (see `Store::open`).
//!
//! The mark is written after the commit is durable and is not itself
//! `fsync`ed: a crash can leave it behind the head (the next open moves it
//! up) but never ahead of what sled made durable.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use sha2::Digest;

use crate::record::Head;

/// The mark's file, in the log's folder.
pub const FILE: &str = "head.mark";

const MAGIC: &[u8; 8] = b"sijilhd1";
/// Magic, the head as stored ([`Head::encode`]), then the first 8 bytes of
/// the SHA-256 of those 56.
const LEN: usize = 8 + 48 + 8;

/// Notes `head` as the log's last acknowledged head.
pub fn write(dir: &Path, head: &Head) -> std::io::Result<()> {
    let mut bytes = [0u8; LEN];
    bytes[..8].copy_from_slice(MAGIC);
    bytes[8..56].copy_from_slice(&head.encode());
    let check = sha2::Sha256::digest(&bytes[..56]);
    bytes[56..].copy_from_slice(&check[..8]);
    let mut file = private_file(&dir.join(FILE))?;
    file.write_all(&bytes)?;
    file.set_len(LEN as u64)
}

/// The mark, or `None` when there is none or it is unreadable (a log made
/// before marks, or a mark damaged itself: the next commit rewrites it).
pub fn read(dir: &Path) -> Option<Head> {
    let mut bytes = Vec::with_capacity(LEN);
    File::open(dir.join(FILE)).ok()?.take(LEN as u64 + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() != LEN || &bytes[..8] != MAGIC || sha2::Sha256::digest(&bytes[..56])[..8] != bytes[56..] {
        return None;
    }
    Head::decode(&bytes[8..56])
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create(true).truncate(false).open(path)
}
