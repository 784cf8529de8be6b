//! Discovery and shell integration: `areas`, `actors`, `show`,
//! `completions`, `man`.

use serde_json::json;

use crate::support::TestEnv;

#[test]
fn areas_and_actors_list_the_registry_with_both_scripts() {
    let env = TestEnv::aleppo();
    let areas = env.run(&["areas", "--format", "json"]).ok().json();
    let slugs: Vec<&str> = areas.as_array().unwrap().iter().map(|a| a["slug"].as_str().unwrap()).collect();
    assert_eq!(
        slugs,
        [
            "aleppo",
            "aleppo/al-awarid-crossing",
            "aleppo/ashrafiyeh",
            "aleppo/bani-zaid",
            "aleppo/sheikh-maqsoud",
            "aleppo/zuhour-street-crossing"
        ]
    );
    let ash = &areas[2];
    assert_eq!((ash["name"].as_str(), ash["name_ar"].as_str()), (Some("Ashrafiyeh"), Some("الأشرفية")));
    assert_eq!(ash["parent"], json!("aleppo"));
    assert!(ash["aliases"].as_array().unwrap().contains(&json!("الأشرفية")));

    let actors = env.run(&["actors", "--format", "json"]).ok().json();
    let sdf = actors.as_array().unwrap().iter().find(|a| a["slug"] == json!("sdf")).expect("sdf is listed");
    assert!(sdf["aliases"].as_array().unwrap().contains(&json!("قسد")), "{sdf}");

    // the table names both scripts; before the log knew anything, there is nothing to list
    let table = env.run(&["areas", "--format", "table"]).ok().stdout.clone();
    for word in ["Ashrafiyeh", "الأشرفية", "crossing"] {
        assert!(table.contains(word), "{word} missing from:\n{table}");
    }
    assert_eq!(env.run(&["areas", "--known-at", "#0", "--format", "json"]).ok().json(), json!([]));
}

#[test]
fn show_tells_what_became_of_an_event_on_both_axes() {
    let env = TestEnv::aleppo();
    let typo = "01943a00-0000-7000-8000-000000000019";
    let fix = "01943a00-0000-7000-8000-000000000031";
    let now = env.run(&["show", typo, "--format", "json"]).ok().json();
    assert_eq!(now["seq"], json!(38));
    assert_eq!(now["event"]["wounded"], json!(46));
    assert_eq!(now["corrected_by"]["id"], json!(fix));
    assert_eq!(now["corrected_by"]["seq"], json!(50));
    assert_eq!(now["retracted_by"], json!(null));
    // before the correction was recorded, nothing had become of it
    let before = env.run(&["show", typo, "--known-at", "#49", "--format", "json"]).ok().json();
    assert_eq!(before["corrected_by"], json!(null));
    // the correction, found by its position, names what it replaced
    let by_seq = env.run(&["show", "#50", "--format", "json"]).ok().json();
    assert_eq!(by_seq["event"]["id"], json!(fix));
    assert_eq!(by_seq["replaces"]["id"], json!(typo));
    let table = env.run(&["show", typo, "--format", "table"]).ok().stdout.clone();
    assert!(table.contains("corrected by") && table.contains("no longer counts"), "{table}");
}

/// An end carries over to the corrections of what it ends, and an end
/// that was retracted ends nothing: `ended_by` lists what applies.
#[test]
fn show_lists_the_ends_that_apply_to_a_corrected_event() {
    let env = TestEnv::aleppo();
    let curfew = "0196aaaa-0000-7000-8000-0000000000f1";
    let end = "0196aaaa-0000-7000-8000-0000000000e1";
    let fix = "0196aaaa-0000-7000-8000-0000000000f2";
    let wrong_end = "0196aaaa-0000-7000-8000-0000000000e2";
    env.import_text(&format!(
        r#"{{"id":"{curfew}","kind":"curfew","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","at":"2026-01-10T20:00","source":"SANA"}}
{{"id":"{end}","kind":"ended","ends":"{curfew}","at":"2026-01-11T05:00","source":"SANA"}}
{{"id":"{wrong_end}","kind":"ended","ends":"{curfew}","at":"2026-01-11T04:00","source":"SANA"}}
{{"kind":"retraction","retracts":"{wrong_end}","at":"2026-01-11T06:00","source":"SANA"}}
{{"id":"{fix}","kind":"curfew","corrects":"{curfew}","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","at":"2026-01-10T21:00","source":"SANA"}}
"#
    ));
    let ends = |id: &str| -> Vec<String> {
        let v = env.run(&["show", id, "--format", "json"]).ok().json();
        v["ended_by"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ends(fix), [end], "the correction is ended by what ended the event it corrects");
    assert_eq!(ends(curfew), [end], "a retracted end is not listed");
}

#[test]
fn show_refuses_what_it_cannot_find_in_one_sentence() {
    let env = TestEnv::aleppo();
    env.run(&["show", "nope"]).fails(
        2,
        "error: \"nope\" is not an event id (a UUID) or a log position (#N)\nhint: `sijil log --format json` lists events with their ids and positions\n",
    );
    // a horizon given as a time is shown in the zone of the read
    env.run(&["show", "#40", "--known-at", "2020-01-01"]).fails(
        2,
        "error: no event #40 was in the log as known at 2020-01-01 00:00 +02:00\nhint: drop --known-at to look at everything the log holds now\n",
    );
    env.run(&["show", "#999"]).fails(2, "error: no event #999 is in the log\n");
    env.run(&["show", "#40", "--known-at", "#30"]).fails(
        2,
        "error: no event #40 was in the log as known at #30\nhint: drop --known-at to look at everything the log holds now\n",
    );
    env.run(&["show", "01943a00-0000-7000-8000-000000000099"])
        .fails(2, "error: no event 01943a00-0000-7000-8000-000000000099 is in the log\n");
}

#[test]
fn completions_and_the_man_page_cover_every_command() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = env.run(&["completions", shell]).ok().stdout.clone();
        for command in ["append", "import", "state", "export", "show"] {
            assert!(script.contains(command), "{shell} completion lacks {command}");
        }
    }
    // --kind completes to the kinds, not to file names
    let bash = env.run(&["completions", "bash"]).ok().stdout.clone();
    let kinds = bash.split("--kind)").nth(1).and_then(|rest| rest.lines().nth(1)).unwrap_or_default();
    assert!(kinds.contains("compgen -W \"area actor ceasefire curfew") && kinds.contains("retraction"), "{kinds}");
    let man = env.run(&["man"]).ok().stdout.clone();
    assert!(man.starts_with(".ie") && man.contains(".SH NAME"), "{}", &man[..man.len().min(200)]);
    env.run(&["completions", "tcsh"]).code(2);
}

/// `man --dir` writes a page for every command, so that each page another
/// one lists (`sijil-state(1)`, `sijil-append-curfew(1)`) is there to read.
#[test]
fn man_dir_writes_every_page_the_pages_name() {
    let env = TestEnv::new();
    let dir = env.dir().join("man1");
    let run = env.run(&["man", "--dir", dir.to_str().expect("a UTF-8 path")]).ok().stdout.clone();
    let written: Vec<String> = std::fs::read_dir(&dir)
        .expect("the folder is made")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(run, format!("wrote {} manual pages into {}\n", written.len(), dir.display()));
    let mut named = 0;
    for page in &written {
        let text = std::fs::read_to_string(dir.join(page)).expect("a page reads");
        assert!(
            text.contains(".SH NAME") && text.contains(&format!("\"sijil {}\"", env!("CARGO_PKG_VERSION"))),
            "{page}"
        );
        // the SUBCOMMANDS section lists `sijil\-append\-curfew(1)`
        for line in text.lines().filter(|l| l.starts_with("sijil\\-") && l.ends_with("(1)")) {
            let file = format!("{}.1", line.trim_end_matches("(1)").replace("\\-", "-"));
            assert!(written.contains(&file), "{page} names {file}, which was not written");
            named += 1;
        }
    }
    assert!(named >= 30 && written.contains(&"sijil-append-curfew.1".to_string()), "{named} pages named: {written:?}");
    // a kind that answers to hyphens has its page under that name too
    for page in ["sijil-append-control_claim.1", "sijil-append-control-claim.1"] {
        assert!(written.contains(&page.to_string()), "no {page}: {written:?}");
    }
    // a file where the folder should be is named
    let file = env.dir().join("a-file");
    std::fs::write(&file, "").expect("a file");
    for under in [file.clone(), file.join("sub")] {
        env.run(&["man", "--dir", under.to_str().expect("a UTF-8 path")]).fails(
            2,
            &format!(
                "error: {} is a file, not a folder: --dir takes the folder to write the pages into\n",
                file.display()
            ),
        );
    }
    env.run(&["man", "--dir", "-"])
        .fails(2, "error: --dir takes a folder; without --dir the main page goes to standard output\n");
    // the main page lists no page that --dir does not write
    let main = env.run(&["man"]).ok().stdout.clone();
    assert!(!main.contains("sijil\\-help(1)") && main.contains("sijil\\-state(1)"), "{main}");
}

/// An update replaces the whole definition; what it leaves out is named
/// on standard error, by `append` and (with its line) by `import`.
#[test]
fn an_update_that_drops_part_of_a_definition_says_so() {
    let env = TestEnv::aleppo();
    let run = env.run(&[
        "append",
        "area",
        "--area",
        "aleppo/bani-zaid",
        "--name",
        "Bani Zaid",
        "--name-ar",
        "بني زيد",
        "--parent",
        "aleppo",
        "--type",
        "neighbourhood",
        "--aliases",
        "بني زيد,Bani Zeid",
        "--source",
        "gazetteer",
    ]);
    run.code(0);
    assert_eq!(
        run.stderr,
        "note: this replaces the definition of aleppo/bani-zaid, which no longer has the aliases \"حي بني زيد\", \"Bani Zayd\", \"Beni Zaid\" and its coordinates\n"
    );
    // what it dropped no longer resolves, as documented
    env.run(&["state", "--area", "Beni Zaid"]).code(2);
    let text = "{\"kind\":\"actor\",\"actor\":\"sarc\",\"name\":\"SARC\",\"source\":\"x\"}\n\
                {\"kind\":\"actor\",\"actor\":\"sdf\",\"name\":\"Syrian Democratic Forces\",\"name_ar\":\"قوات سوريا الديمقراطية\",\"aliases\":[\"قسد\",\"QSD\",\"SDF\",\"تنظيم قسد\",\"قوات سوريا الديمقراطية\"],\"source\":\"x\"}\n\
                {\"kind\":\"actor\",\"actor\":\"us-envoy\",\"name\":\"US envoy\",\"source\":\"x\"}\n";
    let run = env.run_stdin(&["import", "-"], text);
    run.code(0);
    assert!(
        run.stderr.starts_with("note: line 3: this replaces the definition of us-envoy, which no longer has the alias"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    // a new slug, or everything repeated, says nothing
    env.run(&["append", "actor", "--actor", "sarc-2", "--name", "SARC", "--source", "x"]).ok();
}
