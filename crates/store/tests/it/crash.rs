//! A crash test: a child process appends (single events and multi-chunk
//! imports) and is killed at some moment; the parent reopens the log and
//! finds a gap-free prefix, sound, holding every append the child saw
//! acknowledged, and nothing past the head.
//!
//! A kill loses no written page (the kernel still has it), so this proves
//! atomicity and recovery, not durability across a power cut.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use sijil_store::Store;

use crate::fixture::{assert_sound, clock, event, events, scan_all, ZONE};

const TEST_NAME: &str = "crash::a_killed_writer_leaves_a_sound_prefix_with_every_acknowledged_append";
/// Set in the child: the log to append to.
const CHILD_LOG: &str = "SIJIL_STORE_TEST_CRASH_CHILD_LOG";

/// The child: appends batches whose event ids are their positions, with
/// `expect`, and prints each acknowledged head.
fn child(path: &Path) {
    let store = Store::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    for round in 0..400 {
        let head = store.head().unwrap().seq;
        let size = [1, 2500, 3, 1200][round % 4];
        let done = store.append(&events(u128::from(head) + 1, size), clock(round as i64), Some(head)).unwrap();
        writeln!(out, "acked {}", done.last).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn a_killed_writer_leaves_a_sound_prefix_with_every_acknowledged_append() {
    if let Some(path) = std::env::var_os(CHILD_LOG) {
        child(Path::new(&path));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    drop(Store::create(&path, ZONE).unwrap());
    let mut acked = 0u64;
    // how long to let the child run after its first acknowledgement
    for delay_ms in [0u64, 40, 150, 400, 900] {
        let mut proc = Command::new(std::env::current_exe().unwrap())
            .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_LOG, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let stdout = proc.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("acked ").and_then(|n| n.parse::<u64>().ok()) {
                    let _ = tx.send(n);
                }
            }
        });
        let first = rx.recv_timeout(Duration::from_secs(60)).expect("the child acknowledged nothing");
        acked = acked.max(first);
        std::thread::sleep(Duration::from_millis(delay_ms));
        proc.kill().unwrap();
        proc.wait().unwrap();
        reader.join().unwrap();
        acked = rx.try_iter().fold(acked, u64::max);

        let store = Store::open(&path).unwrap();
        let head = store.head().unwrap().seq;
        assert!(head >= acked, "after {delay_ms} ms: head {head} lost acknowledged position {acked}");
        let scanned = scan_all(&store);
        assert_eq!(scanned.len() as u64, head, "after {delay_ms} ms");
        for rec in &scanned {
            assert_eq!(rec.event, event(u128::from(rec.seq)), "after {delay_ms} ms: position {}", rec.seq);
        }
        assert_eq!(store.raw(head + 1).unwrap(), None, "after {delay_ms} ms: a stray record survived the open");
        assert_sound(&store, head);
        acked = head;
    }
}
