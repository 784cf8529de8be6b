//! The plain-file baseline, the physical limit: JSON lines appended to one
//! file, `fdatasync` every 1,000 lines in an import and after every line in
//! single appends. It keeps no index; the position of a line is its number.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use sijil_core::Ledger;

use super::{fold_line, id_of, ledger};
use crate::error::Result;

/// Lines per `fdatasync` in an import.
pub const BATCH: u64 = 1000;

pub fn import(canonical: &Path, file: &Path) -> Result<u64> {
    let dir = file.parent().ok_or("the file has no folder")?;
    std::fs::create_dir_all(dir)?;
    let mut out = BufWriter::with_capacity(1 << 20, File::create(file)?);
    let mut input = BufReader::with_capacity(1 << 20, File::open(canonical)?);
    let mut line = Vec::with_capacity(1024);
    let mut n = 0u64;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        id_of(&line)?;
        out.write_all(&line)?;
        out.write_all(b"\n")?;
        n += 1;
        if n.is_multiple_of(BATCH) {
            out.flush()?;
            out.get_ref().sync_data()?;
        }
    }
    out.flush()?;
    out.get_ref().sync_data()?;
    // the new file's name must be durable too
    File::open(dir)?.sync_all()?;
    Ok(n)
}

/// Opening the file and seeking to its end, ready to append.
pub fn open_time(file: &Path) -> Result<Duration> {
    let started = Instant::now();
    let f = OpenOptions::new().append(true).open(file)?;
    let _len = f.metadata()?.len();
    Ok(started.elapsed())
}

/// The first `k` lines, decoded and folded.
pub fn fold(file: &Path, k: u64) -> Result<Ledger> {
    let mut t = ledger();
    let mut input = BufReader::with_capacity(1 << 20, File::open(file)?);
    let mut line = Vec::with_capacity(1024);
    let mut seq = 0u64;
    while seq < k {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        seq += 1;
        let json = line.strip_suffix(b"\n").unwrap_or(&line);
        fold_line(&mut t, seq, json)?;
    }
    Ok(t)
}

pub fn replay(file: &Path) -> Result<(Ledger, Duration)> {
    // opening a file costs nothing worth excluding
    let started = Instant::now();
    let t = fold(file, u64::MAX)?;
    Ok((t, started.elapsed()))
}

/// One write and one `fdatasync` per line.
pub fn append_each(file: &Path, canonical: &[Vec<u8>]) -> Result<Duration> {
    let mut f = OpenOptions::new().append(true).open(file)?;
    let mut buf = Vec::with_capacity(1024);
    let started = Instant::now();
    for json in canonical {
        buf.clear();
        buf.extend_from_slice(json);
        buf.push(b'\n');
        f.write_all(&buf)?;
        f.sync_data()?;
    }
    Ok(started.elapsed())
}
