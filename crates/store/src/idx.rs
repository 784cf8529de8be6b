//! The id index, in buckets.
//!
//! One sled key per event id would cost a sled key per event again, so
//! ids are kept in [`BUCKETS`] buckets chosen by a hash of the id: the
//! bucket's key is its number (big-endian `u16`), its value the sorted
//! entries of its ids, each the id's 16 bytes and its position as a
//! big-endian `u64`. A million events make about 15 entries (370 bytes) a
//! bucket.

use uuid::Uuid;

/// How many buckets the index has.
pub const BUCKETS: usize = 1 << 16;
/// The bytes of one entry.
pub const ENTRY: usize = 24;

/// The bucket of an id: a fixed mix of all its bytes (part of the format:
/// never change it).
pub fn bucket(id: &Uuid) -> [u8; 2] {
    let b = id.as_bytes();
    let hi = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    let lo = u64::from_be_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]]);
    let mixed = (hi ^ lo.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ((mixed >> 48) as u16).to_be_bytes()
}

/// The entries of a bucket's value, as (id, position); a trailing partial
/// entry is ignored (and reported by `verify` through the count).
pub fn entries(value: &[u8]) -> impl Iterator<Item = (Uuid, u64)> + '_ {
    value.chunks_exact(ENTRY).map(|c| {
        let mut id = [0u8; 16];
        id.copy_from_slice(&c[..16]);
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&c[16..]);
        (Uuid::from_bytes(id), u64::from_be_bytes(seq))
    })
}

/// Where `id` is, or would go, among a bucket's entries.
fn search(value: &[u8], id: &Uuid) -> Result<usize, usize> {
    let n = value.len() / ENTRY;
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match value[mid * ENTRY..mid * ENTRY + 16].cmp(id.as_bytes()) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Ok(mid),
        }
    }
    Err(lo)
}

/// The position of `id` in a bucket's value.
pub fn find(value: &[u8], id: &Uuid) -> Option<u64> {
    let i = search(value, id).ok()?;
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&value[i * ENTRY + 16..(i + 1) * ENTRY]);
    Some(u64::from_be_bytes(seq))
}

/// Sets `id`'s position in a bucket's value.
pub fn put(value: &mut Vec<u8>, id: &Uuid, seq: u64) {
    value.truncate(value.len() / ENTRY * ENTRY);
    match search(value, id) {
        Ok(i) => value[i * ENTRY + 16..(i + 1) * ENTRY].copy_from_slice(&seq.to_be_bytes()),
        Err(i) => {
            let mut entry = [0u8; ENTRY];
            entry[..16].copy_from_slice(id.as_bytes());
            entry[16..].copy_from_slice(&seq.to_be_bytes());
            value.splice(i * ENTRY..i * ENTRY, entry);
        }
    }
}

/// Drops the entries past `head`; `true` if any was dropped.
pub fn keep_upto(value: &mut Vec<u8>, head: u64) -> bool {
    let before = value.len();
    let kept: Vec<u8> = value
        .chunks_exact(ENTRY)
        .filter(|c| u64::from_be_bytes(c[16..].try_into().unwrap_or([0xff; 8])) <= head)
        .flatten()
        .copied()
        .collect();
    *value = kept;
    value.len() != before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_stay_sorted_and_found() {
        let mut v = Vec::new();
        let ids: Vec<Uuid> = (0..50u128).map(|n| Uuid::from_u128(n.wrapping_mul(0x1234_5678_9abc_def1_2345))).collect();
        for (i, id) in ids.iter().enumerate() {
            put(&mut v, id, i as u64 + 1);
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(find(&v, id), Some(i as u64 + 1));
        }
        let listed: Vec<Uuid> = entries(&v).map(|(id, _)| id).collect();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted);
        assert_eq!(find(&v, &Uuid::from_u128(7)), None);
        assert!(keep_upto(&mut v, 10));
        assert_eq!(entries(&v).count(), 10);
        assert!(!keep_upto(&mut v, 10));
    }

    #[test]
    fn buckets_spread_sequential_and_time_ordered_ids() {
        let mut seen = std::collections::HashSet::new();
        for n in 0..1000u128 {
            seen.insert(bucket(&Uuid::from_u128(n)));
            seen.insert(bucket(&Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + (n << 80))));
        }
        assert!(seen.len() > 1900, "{} buckets for 2000 ids", seen.len());
    }
}
