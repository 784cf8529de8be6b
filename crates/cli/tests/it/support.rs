//! The test environment, after jj's `TestEnvironment`: every test gets its
//! own temporary folder, the binary runs with a cleared environment (only
//! `HOME`, `TMPDIR` and `SIJIL_DB` point into that folder, plus whatever
//! the test sets), and every run is checked for panics and backtraces.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The bundled Aleppo scenario, relative to this crate.
pub fn scenario_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/aleppo-2026-01-08.ndjson")
}

/// The scenario's text.
pub fn scenario_text() -> String {
    std::fs::read_to_string(scenario_path()).expect("the bundled scenario is readable")
}

/// The number of events in the bundled scenario.
pub const SCENARIO_EVENTS: u64 = 50;

/// The known kinds, as every "unknown kind" message lists them.
pub const KNOWN_KINDS: &str = "area, actor, ceasefire, curfew, ultimatum, deployment, withdrawal, control_claim, \
shelling, sniping, armed_clash, airstrike, casualty_report, evacuation, detention, statement, defection_call, ended, \
retraction";

/// Words that must never reach stderr: sijil reports errors in sentences.
const NEVER_ON_STDERR: [&str; 4] = ["panicked", "RUST_BACKTRACE", "stack backtrace", "internal error"];

/// The outcome of one run of `sijil`.
#[derive(Debug)]
pub struct Run {
    pub what: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn new(what: String, out: std::process::Output) -> Run {
        let code = out.status.code().unwrap_or_else(|| panic!("`{what}` was killed by a signal: {:?}", out.status));
        let stdout = String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("`{what}`: stdout is not UTF-8: {e}"));
        let stderr = String::from_utf8(out.stderr).unwrap_or_else(|e| panic!("`{what}`: stderr is not UTF-8: {e}"));
        for word in NEVER_ON_STDERR {
            assert!(!stderr.contains(word), "`{what}` printed {word:?} on stderr:\n{stderr}");
        }
        Run { what, code, stdout, stderr }
    }

    /// Asserts the exit code, showing the whole run when it differs.
    #[track_caller]
    pub fn code(&self, want: i32) -> &Run {
        assert_eq!(
            self.code, want,
            "`{}` exited {} (want {want})\n--- stdout\n{}\n--- stderr\n{}",
            self.what, self.code, self.stdout, self.stderr
        );
        self
    }

    /// Asserts exit 0 and an empty stderr.
    #[track_caller]
    pub fn ok(&self) -> &Run {
        self.code(0);
        assert_eq!(self.stderr, "", "`{}` succeeded but wrote to stderr", self.what);
        self
    }

    /// Asserts a failure with `code`, an empty stdout and exactly `stderr`.
    #[track_caller]
    pub fn fails(&self, code: i32, stderr: &str) -> &Run {
        self.code(code);
        assert_eq!(self.stderr, stderr, "`{}`: stderr", self.what);
        assert_eq!(self.stdout, "", "`{}` failed but wrote to stdout", self.what);
        self
    }

    /// Stdout parsed as one JSON value.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`{}`: stdout is not JSON ({e}):\n{}", self.what, self.stdout))
    }

    /// Stdout parsed as NDJSON.
    #[track_caller]
    pub fn ndjson(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("`{}`: a line is not JSON ({e}):\n{l}", self.what))
            })
            .collect()
    }
}

/// The head of a log as `verify --json` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

/// One test's world: a temporary folder holding the log and `HOME`.
pub struct TestEnv {
    dir: TempDir,
    db: PathBuf,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::Builder::new().prefix("sijil-it-").tempdir().expect("a temporary folder");
        let db = dir.path().join("log.sijil");
        TestEnv { dir, db }
    }

    /// A log initialised in `zone`.
    pub fn with_zone(zone: &str) -> TestEnv {
        let env = TestEnv::new();
        env.run(&["init", "--tz", zone]).ok();
        env
    }

    /// A log in Asia/Damascus holding the bundled scenario.
    pub fn aleppo() -> TestEnv {
        let env = TestEnv::with_zone("Asia/Damascus");
        let path = scenario_path();
        let counts = env.run(&["import", path.to_str().unwrap(), "--format", "json"]).ok().json();
        assert_eq!(counts["appended"], SCENARIO_EVENTS);
        assert_eq!(counts["duplicates"], 0);
        env
    }

    /// The test's folder (also `HOME` and `TMPDIR`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The log the commands use (`$SIJIL_DB`).
    pub fn db(&self) -> &Path {
        &self.db
    }

    pub fn db_str(&self) -> &str {
        self.db.to_str().expect("a UTF-8 temporary path")
    }

    /// `sijil` with a cleared environment and nothing but `HOME` and `TMPDIR`.
    pub fn bare_command(&self) -> Command {
        let mut cmd = Command::cargo_bin("sijil").expect("the sijil binary is built");
        cmd.env_clear().env("HOME", self.dir()).env("TMPDIR", self.dir()).current_dir(self.dir());
        cmd
    }

    /// [`TestEnv::bare_command`] with `$SIJIL_DB` naming this test's log.
    pub fn command(&self) -> Command {
        let mut cmd = self.bare_command();
        cmd.env("SIJIL_DB", &self.db);
        cmd
    }

    /// Runs a prepared command.
    pub fn run_cmd(&self, mut cmd: Command, what: impl Into<String>) -> Run {
        let out = cmd.output().expect("sijil runs");
        Run::new(what.into(), out)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args);
        self.run_cmd(cmd, describe(args))
    }

    /// Runs with extra environment variables.
    pub fn run_env(&self, env: &[(&str, &str)], args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        self.run_cmd(
            cmd,
            format!("{} {}", env.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" "), describe(args)),
        )
    }

    /// Runs with `stdin` as standard input.
    pub fn run_stdin(&self, args: &[&str], stdin: impl Into<Vec<u8>>) -> Run {
        let mut cmd = self.command();
        cmd.args(args).write_stdin(stdin);
        self.run_cmd(cmd, format!("{} < stdin", describe(args)))
    }

    /// `state --at AT --format json` plus `extra`.
    pub fn state(&self, at: &str, extra: &[&str]) -> Value {
        let mut args = vec!["state", "--at", at, "--format", "json"];
        args.extend_from_slice(extra);
        self.run(&args).ok().json()
    }

    /// `log --format json` plus `extra`.
    pub fn log(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["log", "--format", "json"];
        args.extend_from_slice(extra);
        let v = self.run(&args).ok().json();
        v.as_array().unwrap_or_else(|| panic!("log --format json prints a list: {v}")).clone()
    }

    /// The log positions `log` lists, in its order.
    pub fn log_seqs(&self, extra: &[&str]) -> Vec<u64> {
        self.log(extra).iter().map(|e| e["seq"].as_u64().expect("seq")).collect()
    }

    /// The head, from `verify --json` (which must find the log sound).
    pub fn head(&self) -> Head {
        let v = self.run(&["verify", "--json"]).ok().json();
        assert_eq!(v["ok"], true, "verify: {v}");
        Head {
            seq: v["head"]["seq"].as_u64().expect("head.seq"),
            hash: v["head"]["hash"].as_str().expect("head.hash").to_string(),
        }
    }

    /// Imports NDJSON text from standard input; returns the counts.
    pub fn import_text(&self, text: &str) -> Value {
        self.run_stdin(&["import", "-", "--format", "json"], text).ok().json()
    }

    /// Appends one event given as JSON; returns `{id, seq, duplicate}`.
    pub fn append(&self, json: &str) -> Value {
        self.run(&["append", "--format", "json", "--json", json]).ok().json()
    }

    /// The `recorded_at` of the event with this id, as `log` prints it.
    pub fn recorded_at(&self, id: &str) -> String {
        let log = self.log(&[]);
        let e = log.iter().find(|e| e["id"] == id).unwrap_or_else(|| panic!("{id} is not in the log"));
        e["recorded_at"].as_str().expect("recorded_at").to_string()
    }

    /// Writes a file in the test's folder.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir().join(name);
        std::fs::write(&p, bytes).expect("write a test file");
        p
    }
}

fn describe(args: &[&str]) -> String {
    format!("sijil {}", args.join(" "))
}

/// The last three characters of an id: the scenarios number their events there.
pub fn short(id: &Value) -> String {
    let s = id.as_str().unwrap_or_else(|| panic!("an id: {id}"));
    s[s.len() - 3..].to_string()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn list(v: &Value, what: &str) -> Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("{what} is a list: {v}")).clone()
}

/// One area of a `state --format json`, in one line:
/// `active [curfew:016 …] deadlines [030 syrian-mod→sdf 2026-…Z pending] forces [a] control [a=full] incidents 4`.
///
/// Active events show `until` when they have one; `absent` when the
/// area is not in the state.
pub fn area_digest(state: &Value, slug: &str) -> String {
    let a = &state["areas"][slug];
    if a.is_null() {
        return "absent".to_string();
    }
    let active: Vec<String> = list(&a["active"], "active")
        .iter()
        .map(|x| {
            let mut s = format!("{}:{}", text(&x["kind"]), short(&x["id"]));
            if !x["until"].is_null() {
                s.push_str(&format!(" until {}", text(&x["until"])));
            }
            s
        })
        .collect();
    let deadlines: Vec<String> = list(&a["deadlines"], "deadlines")
        .iter()
        .map(|d| {
            format!(
                "{} {}→{} {} {}",
                short(&d["id"]),
                text(&d["actor"]),
                text(&d["target"]),
                text(&d["deadline"]),
                text(&d["status"])
            )
        })
        .collect();
    let forces: Vec<String> = list(&a["forces"], "forces").iter().map(|f| text(&f["actor"])).collect();
    let control: Vec<String> = list(&a["control"], "control")
        .iter()
        .map(|c| format!("{}={}", text(&c["actor"]), text(&c["extent"])))
        .collect();
    format!(
        "active [{}] deadlines [{}] forces [{}] control [{}] incidents {}",
        active.join(" "),
        deadlines.join(" "),
        forces.join(" "),
        control.join(" "),
        text(&a["incidents"])
    )
}

/// The casualty claims of a state, one `source killed/wounded` each, by source.
pub fn casualty_digest(state: &Value) -> Vec<String> {
    let mut v: Vec<String> = list(&state["casualties"], "casualties")
        .iter()
        .map(|c| format!("{} {}/{}", text(&c["source"]), text(&c["killed"]), text(&c["wounded"])))
        .collect();
    v.sort();
    v
}

/// Every area of a state, digested.
pub fn state_digest(state: &Value) -> BTreeMap<String, String> {
    state["areas"]
        .as_object()
        .unwrap_or_else(|| panic!("areas is an object: {state}"))
        .keys()
        .map(|k| (k.clone(), area_digest(state, k)))
        .collect()
}

/// The folder of golden files, next to the tests.
pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/golden")
}

/// Compares `actual` with the golden file `name` byte for byte (or writes
/// it when `SIJIL_BLESS` is set: then review the diff line by line).
#[track_caller]
pub fn golden(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("SIJIL_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("golden file {} is missing ({e}); run with SIJIL_BLESS=1", path.display()));
    if want != actual {
        let line = want.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(want.lines().count());
        panic!(
            "{name} differs from its golden file at line {}:\n  want {}\n  got  {}",
            line + 1,
            want.lines().nth(line).unwrap_or("<end>"),
            actual.lines().nth(line).unwrap_or("<end>")
        );
    }
}
