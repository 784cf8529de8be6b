//! sijil-core: the event model and the pure projection of an incident log.
//!
//! Events arrive as JSON ([`validate::Context::admit`] turns one line into a
//! canonical [`Event`], resolving aliases and local times), are stored by
//! another crate with a position and a recording time ([`Recorded`]), and
//! are folded into a [`Timeline`] from which [`Timeline::state`] reads the
//! situation at any valid time. This crate does no I/O and reads no clock:
//! every time is passed in.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use sijil_core::{Admitted, Context, KnownAt, Recorded, StateQuery, Timeline};
//! use uuid::Uuid;
//!
//! let zone = chrono_tz::Asia::Damascus;
//! let mut ctx = Context::new(zone);
//! let mut timeline = Timeline::new(zone);
//! let lines = [
//!     r#"{"kind":"area","area":"aleppo","name":"Aleppo","name_ar":"حلب","source":"gazetteer"}"#,
//!     r#"{"kind":"actor","actor":"syrian-mod","name":"Ministry of Defence","source":"gazetteer"}"#,
//!     r#"{"kind":"ceasefire","at":"2026-01-09T03:00","areas":["حلب"],"actor":"syrian-mod","source":"SANA"}"#,
//! ];
//! for (i, line) in lines.iter().enumerate() {
//!     let Admitted::New(event) = ctx.admit(line, Uuid::from_u128(i as u128 + 1)).unwrap() else { panic!() };
//!     ctx.learn(&event);
//!     let recorded_at = Utc.with_ymd_and_hms(2026, 1, 9, 1, 0, 0).unwrap();
//!     timeline.apply(Recorded { seq: i as u64 + 1, recorded_at, event });
//! }
//! let at = Utc.with_ymd_and_hms(2026, 1, 9, 1, 0, 0).unwrap(); // 04:00 in Damascus
//! let state = timeline.state(&StateQuery { at, known_at: KnownAt::All, area: None });
//! assert_eq!(state.areas["aleppo"].active[0].kind.as_str(), "ceasefire");
//! ```

pub mod event;
pub mod export;
pub mod ids;
pub mod input;
pub mod ledger;
pub mod projection;
pub mod registry;
pub mod time;
pub mod validate;

pub use event::{Event, Extent, Kind, Recorded, Source};
pub use ids::FreshIds;
pub use ledger::{Ledger, LedgerError};
pub use projection::{KnownAt, LogQuery, State, StateQuery, Text, Timeline};
pub use registry::{Registry, Space};
pub use time::Time;
pub use validate::{Admitted, Context, Lookup, NoLookup, Rejection, Summary};
