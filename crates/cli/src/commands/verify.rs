//! `sijil verify`: check the whole log.

use std::io::Write;

use clap::Args;
use serde_json::json;

use crate::app::Globals;
use crate::error::{output, CliError};

/// Check the whole log: decoding, positions, hash chain and index.
///
/// Every record must decode, positions must be gap-free, the hash chain
/// must hold from the first record to the head, and the id index must
/// agree. Exit 0 when sound, else 1 naming the first bad position.
///
/// Publish the head hash it prints: anyone holding a copy of the log can
/// later prove it was not rewritten up to that point.
///
/// Example:
///   sijil verify --json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct VerifyArgs {
    /// Print the result as JSON (counts, head position and hash)
    #[arg(long)]
    pub json: bool,
}

pub fn run(g: &Globals, args: VerifyArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let session = g.open()?;
    let bar = crate::style::progress(session.store.head()?.seq, "verifying");
    let checked = session.store.verify(|seq| {
        if seq % 1024 == 0 {
            bar.set_position(seq)
        }
    });
    bar.finish_and_clear();
    let v = checked?;
    // a cache is not the log, but a wrong one would mislead every append
    if v.first_bad.is_none() && session.renew_registry_cache()? {
        eprintln!(
            "note: the cached areas and actors did not match the log's definitions and were dropped; \
             the next append rebuilds them"
        );
    }
    let hash = sijil_store::record::hex(&v.head.hash);
    if args.json {
        super::write_json(
            out,
            &json!({
                "ok": v.first_bad.is_none(),
                "records": v.records,
                "head": {"seq": v.head.seq, "hash": hash, "recorded_at": sijil_core::time::utc_text(v.head.recorded_at)},
                "first_bad": v.first_bad.as_ref().map(|(seq, why)| json!({"seq": seq, "reason": why})),
                "set_aside": session.store.set_aside(),
            }),
        )?;
    }
    match v.first_bad {
        None => {
            if !args.json {
                writeln!(out, "the log is sound: {} records, head #{} {hash}", v.records, v.head.seq)
                    .map_err(output)?;
                let aside = session.store.set_aside();
                if aside > 0 {
                    writeln!(
                        out,
                        "{aside} record{} left past the head by interrupted appends (never acknowledged) are kept aside",
                        if aside == 1 { "" } else { "s" }
                    )
                    .map_err(output)?;
                }
            }
            Ok(())
        }
        Some((seq, why)) => {
            let sound = match seq {
                0 | 1 => "no record before it".to_string(),
                2 => "record #1 is sound".to_string(),
                n => format!("records #1–#{} are sound", n - 1),
            };
            Err(CliError::runtime(format!("record #{seq} is bad: {why}"))
                .hint(format!("{sound}; keep a copy of the log folder before any repair")))
        }
    }
}
