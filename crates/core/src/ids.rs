//! Fresh event ids for input that brings none.
//!
//! Version 7 UUIDs: the time in milliseconds (passed in: the core reads no
//! clock), then random bits from a generator seeded once by the caller
//! (say, from one `Uuid::now_v7()`), so that giving ids to a million lines
//! costs no system call per line.

use uuid::Uuid;

/// A source of fresh version 7 ids.
#[derive(Debug, Clone)]
pub struct FreshIds {
    state: u64,
}

impl FreshIds {
    /// A generator seeded with these bits (take them from the system's
    /// randomness: two generators with the same seed give the same bits).
    pub fn new(seed: u128) -> FreshIds {
        FreshIds { state: (seed as u64) ^ ((seed >> 64) as u64).rotate_left(29) }
    }

    /// SplitMix64.
    fn step(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The next id, made at `unix_millis`.
    pub fn next(&mut self, unix_millis: u64) -> Uuid {
        let (a, b) = (self.step(), self.step());
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&a.to_le_bytes());
        random[8..].copy_from_slice(&b.to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(unix_millis, &random).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_are_version_7_distinct_and_of_their_time() {
        let at = 1_767_830_400_000; // 2026-01-08T00:00:00Z
        let mut ids = FreshIds::new(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210);
        let made: Vec<Uuid> = (0..100_000).map(|i| ids.next(at + i / 1000)).collect();
        let distinct: std::collections::HashSet<&Uuid> = made.iter().collect();
        assert_eq!(distinct.len(), made.len());
        for (i, id) in [(0u64, made[0]), (99_999, made[99_999])] {
            assert_eq!(id.get_version_num(), 7, "{id}");
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122, "{id}");
            let (secs, nanos) = id.get_timestamp().expect("a v7 id has a time").to_unix();
            assert_eq!(secs * 1000 + u64::from(nanos) / 1_000_000, at + i / 1000, "{id}");
        }
        // another seed draws other bits
        let other = FreshIds::new(7).next(at);
        assert_ne!(other.as_u128() & 0xffff_ffff_ffff, made[0].as_u128() & 0xffff_ffff_ffff);
    }
}
