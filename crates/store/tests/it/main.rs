//! Integration tests of sijil-store: one binary, one module per concern.
//!
//! - [`append`]: positions, canonical bytes, clipping, lookups, recording times;
//! - [`open`]: reopening, the open/create errors, the lock, private files;
//! - [`conflicts`]: `expect`, duplicate ids, nothing of a refused batch written;
//! - [`verify`]: a sound log passes, each kind of tampering is named;
//! - [`recovery`]: what an interrupted import leaves past the head is dropped;
//! - [`crash`]: a writer killed mid-append leaves a sound prefix;
//! - [`damage`]: a store that lost acknowledged records is refused;
//! - [`indexes`]: the registry and standing indexes follow the records;
//! - [`blobs`]: records stay small enough that sled writes no blob file;
//! - [`blocks`]: records in blocks and in the tail read back alike;
//! - [`model`]: the store against a `Vec<Event>` model, with reopens.

mod append;
mod blobs;
mod blocks;
mod conflicts;
mod crash;
mod damage;
mod fixture;
mod indexes;
mod model;
mod open;
mod recovery;
mod verify;
