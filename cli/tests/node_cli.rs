//! Runs the real `baraza` binary against a real node (`baraza node run` on
//! loopback, port 0, a temporary data dir): the friendly signing verbs,
//! listings, `get`, `export`, `import`, `audit`, and their errors.

use std::collections::BTreeMap;
use std::fs;

use assert_cmd::Command;
use baraza_testkit::cli::{argv, stderr, stdout, Env, NodeChild};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_baraza");

/// A node of the real binary for these tests.
struct Node;

impl Node {
    fn start() -> NodeChild {
        NodeChild::start(BIN, &[])
    }
}

/// A two-section charter whose consultation phase is open now.
fn charter_toml(steward: &str) -> String {
    format!(
        r#"title = "The Internet We Want"
summary = "Test consultation"
stewards = ["{steward}"]
threshold = 1
languages = ["en", "fr"]

[[sections]]
slug = "whole-and-open"
title = "Whole and open"

[[sections]]
slug = "universal"
title = "Universal and inclusive"

[[phases]]
name = "consultation"
opens = 2024-01-01
closes = "2999-12-01"
accepts = ["comment", "endorsement", "draft"]

[policy]
min_nris = 1
min_regions = 1
groups = ["academia"]
"#
    )
}

/// A small RFC 4180 reader for checking exports: records of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(cell.is_empty() && record.is_empty(), "CSV ends mid-record");
    records
}

/// CSV records as maps from header to cell, keyed by the `id` column.
fn csv_rows(text: &str) -> (Vec<String>, BTreeMap<String, BTreeMap<String, String>>) {
    let mut records = parse_csv(text).into_iter();
    let header = records.next().expect("a header row");
    let rows = records
        .map(|record| {
            assert_eq!(record.len(), header.len(), "{record:?}");
            let row: BTreeMap<String, String> = header.iter().cloned().zip(record).collect();
            (row["id"].clone(), row)
        })
        .collect();
    (header, rows)
}

#[test]
fn a_consultation_from_charter_to_export() {
    let node = Node::start();
    let env = Env::with_node(BIN, &node.url);
    let steward = env.new_person("steward");
    let nri = env.new_person("nri");
    let editor = env.new_person("editor");
    let stakeholder = env.new_person("stakeholder");
    env.new_person("visitor");
    env.new_person("rogue");
    let p = |name: &str| env.path(name).display().to_string();

    // Charter from TOML (dates as TOML dates and as strings), ratified.
    fs::write(env.path("charter.toml"), charter_toml(&steward)).expect("write charter");
    let charter = env.submit("steward", &format!("charter --file {}", p("charter.toml")));
    let listed = env.json("visitor", "ls charters --json");
    assert_eq!(listed[0]["id"], charter.as_str());
    let phase = &listed[0]["body"]["phases"][0];
    assert_eq!(phase["opens"], 1_704_067_200_000u64);
    assert_eq!(phase["closes"], 32_501_001_600_000u64);
    env.submit("steward", &format!("endorse {charter}"));

    // Accreditation: steward → NRI and editor; NRI → stakeholder.
    let on = format!("--charter {charter} --expires 2999-01-01");
    env.submit(
        "steward",
        &format!(
            "attest {nri} {on} --role nri --region asia_pacific --org 'Nepal IGF' --country NP"
        ),
    );
    env.submit(
        "steward",
        &format!("attest {editor} {on} --role editor --section whole-and-open"),
    );
    env.submit(
        "nri",
        &format!(
            "attest {stakeholder} {on} --role stakeholder --group academia --region asia_pacific"
        ),
    );
    env.submit(
        "stakeholder",
        "profile --name 'Dr. Lin, Wei' --group academia --lang en",
    );

    // Comments: one from a file (quotes, comma, line break), one in French by
    // an unattested visitor, one in the other section.
    let text = "Keep it \"whole\", open\nand interoperable.";
    fs::write(env.path("comment.txt"), format!("{text}\n")).expect("write comment");
    let section = format!("--charter {charter} --section whole-and-open");
    let c1 = env.submit(
        "stakeholder",
        &format!("comment {section} --file {}", p("comment.txt")),
    );
    let c2 = env.submit(
        "visitor",
        &format!("comment {section} --lang fr --text 'Accès universel pour tous'"),
    );
    let c3 = env.submit(
        "stakeholder",
        &format!("comment --charter {charter} --section universal --text =1+1"),
    );

    // An endorsement, with --json.
    let endorsed = env.json(
        "nri",
        &format!("endorse {c1} --statement Agreed --on-behalf-of 'Nepal IGF' --json"),
    );
    assert_eq!(endorsed["status"], "stored");
    assert_eq!(endorsed["kind"], "endorsement");
    assert_eq!(endorsed["node"], node.url.as_str());
    let listed = env.json("visitor", &format!("ls endorsements {c1} --json"));
    assert_eq!(listed[0]["body"]["on_behalf_of"], "Nepal IGF");

    // --dry-run signs and prints, and submits nothing.
    let dry = env.json("visitor", &format!("retract {c2} --reason dry --dry-run"));
    assert_eq!(dry["kind"], "retraction");
    assert_eq!(dry["body"]["reason"], "dry");
    let dry_id = dry["id"].as_str().expect("id");
    let out = env
        .run("visitor", &format!("get {dry_id}"))
        .assert()
        .failure();
    assert!(stderr(&out).contains("has no object"), "{}", stderr(&out));

    // ls comments: a table, and JSON; --limit.
    let out = env
        .run("visitor", &format!("ls comments {section}"))
        .assert()
        .success();
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    for column in ["ID", "DATE", "AUTHOR", "LANG", "TEXT"] {
        assert!(lines[0].contains(column), "{table}");
    }
    assert!(lines[1].starts_with(&c1[..12]), "{table}");
    assert!(
        lines[1].contains("Keep it \"whole\", open and interoperable."),
        "{table}"
    );
    assert!(lines[1].contains(&format!("…{}", &stakeholder[stakeholder.len() - 8..])));
    assert!(
        lines[2].starts_with(&c2[..12]) && lines[2].contains(" fr "),
        "{table}"
    );
    let listed = env.json("visitor", &format!("ls comments {section} --json"));
    let ids: Vec<&str> = listed
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(ids, [c1.as_str(), c2.as_str()]);
    assert_eq!(listed[0]["body"]["text"], text);
    let limited = env.json(
        "visitor",
        &format!("ls comments {section} --json --limit 1"),
    );
    assert_eq!(limited.as_array().map(Vec::len), Some(1));

    // Everything one author signed, of every kind.
    let out = env
        .run("visitor", &format!("ls author {stakeholder}"))
        .assert()
        .success();
    let table = stdout(&out);
    assert!(table.contains("Dr. Lin, Wei (academia)"), "{table}");
    assert!(table.contains("universal: =1+1"), "{table}");
    assert_eq!(table.lines().count(), 4, "{table}");

    // get: JSON, human, and the signed bytes themselves.
    let got = env.json("visitor", &format!("get {c1} --json"));
    assert_eq!(got["author"], stakeholder.as_str());
    assert_eq!(got["body"]["text"], text);
    let out = env.run("visitor", &format!("get {c3}")).assert().success();
    assert!(stdout(&out).contains("id and signature checked"));
    env.run(
        "visitor",
        &format!("get {c1} --cbor --out {}", p("c1.cbor")),
    )
    .assert()
    .success();
    let inspected = env.json("visitor", &format!("inspect --json {}", p("c1.cbor")));
    assert_eq!(inspected["id"], c1.as_str());

    // Drafts: v1 partly, v2 incorporated (the newest wins); a draft by a key
    // that is not an editor does not count.
    fs::write(env.path("v1.md"), "# Whole and open {#intro}\n").expect("write draft");
    let answer = |comment: &str, outcome: &str, rationale: &str| {
        json!([{ "comment": comment, "outcome": outcome, "rationale": rationale }]).to_string()
    };
    fs::write(env.path("d1.json"), answer(&c1, "partly", "In part")).expect("write");
    fs::write(
        env.path("d2.json"),
        answer(&c1, "incorporated", "Now paragraph 2"),
    )
    .expect("write");
    fs::write(
        env.path("rogue-answers.json"),
        answer(&c2, "out_of_scope", "rogue"),
    )
    .expect("write");
    let draft = |version: u32, answers: &str| {
        format!(
            "draft {section} --version {version} --text-file {} --dispositions {}",
            p("v1.md"),
            p(answers)
        )
    };
    let d1 = env.submit("editor", &draft(1, "d1.json"));
    let d2 = env.submit("editor", &format!("{} --parent {d1}", draft(2, "d2.json")));
    env.submit("rogue", &draft(1, "rogue-answers.json"));
    let out = env
        .run("visitor", &format!("ls drafts {section}"))
        .assert()
        .success();
    assert_eq!(stdout(&out).lines().count(), 4, "{}", stdout(&out));

    // The visitor retracts their comment.
    env.submit(
        "visitor",
        &format!("retract {c2} --reason 'posted too early'"),
    );

    // Export as CSV to a file.
    let csv_path = p("comments.csv");
    let out = env
        .run(
            "visitor",
            &format!("export --charter {charter} --format csv --out {csv_path}"),
        )
        .assert()
        .success();
    assert!(
        stderr(&out).contains("exported 3 comments"),
        "{}",
        stderr(&out)
    );
    let csv = fs::read_to_string(&csv_path).expect("read export");
    let (header, rows) = csv_rows(&csv);
    let expected = "id created_at author author_name stakeholder_group region section \
                    language text disposition rationale disposed_in retracted";
    assert_eq!(header, argv(expected));
    assert_eq!(rows.len(), 3, "{csv}");
    let r1 = &rows[&c1];
    assert_eq!(r1["author"], stakeholder);
    assert_eq!(r1["author_name"], "Dr. Lin, Wei");
    assert_eq!(r1["stakeholder_group"], "academia");
    assert_eq!(r1["region"], "asia_pacific");
    assert_eq!(r1["section"], "whole-and-open");
    assert_eq!(r1["language"], "en");
    assert_eq!(r1["text"], text);
    assert_eq!(r1["disposition"], "incorporated");
    assert_eq!(r1["rationale"], "Now paragraph 2");
    assert_eq!(r1["disposed_in"], d2);
    assert_eq!(r1["retracted"], "no");
    assert!(r1["created_at"].ends_with('Z') && r1["created_at"].contains('T'));
    let r2 = &rows[&c2];
    assert_eq!(r2["author_name"], "");
    assert_eq!(r2["stakeholder_group"], "unattested");
    assert_eq!(r2["region"], "unattested");
    assert_eq!(r2["language"], "fr");
    assert_eq!(r2["text"], "Accès universel pour tous");
    assert_eq!(r2["disposition"], "", "the rogue draft does not count");
    assert_eq!(r2["retracted"], "yes");
    let r3 = &rows[&c3];
    assert_eq!(r3["section"], "universal");
    assert_eq!(r3["text"], "'=1+1", "formulas are defused in CSV");

    // Export as JSON to stdout: the same values, exact text, typed fields.
    let exported = env.json(
        "visitor",
        &format!("export --charter {charter} --format json"),
    );
    let exported = exported.as_array().expect("array");
    assert_eq!(exported.len(), 3);
    let find = |id: &str| exported.iter().find(|r| r["id"] == id).expect("exported");
    let j1 = find(&c1);
    assert_eq!(j1["author_name"], "Dr. Lin, Wei");
    assert_eq!(j1["stakeholder_group"], "academia");
    assert_eq!(j1["disposition"], "incorporated");
    assert_eq!(j1["retracted"], false);
    assert_eq!(j1["created_at"], r1["created_at"].as_str());
    let j2 = find(&c2);
    assert_eq!(j2["retracted"], true);
    assert_eq!(j2["author_name"], Value::Null);
    assert_eq!(j2["disposition"], Value::Null);
    assert_eq!(find(&c3)["text"], "=1+1");

    // Audit from the node: the report raw and summarised; its bundle offline.
    let report: Value =
        serde_json::from_str(&audit(env.run("visitor", &format!("audit {d2} --json"))))
            .expect("report JSON");
    assert_eq!(report["target"]["id"], d2.as_str());
    let bundle = p("d2.bundle");
    let summary = audit(env.run("visitor", &format!("audit {d2} --save-bundle {bundle}")));
    assert!(
        summary.starts_with(&format!(
            "AUDIT  draft {} section whole-and-open v2\n",
            &d2[..12]
        )),
        "{summary}"
    );
    // The provenance tree walks the version chain back to v1.
    assert!(summary.contains("whole-and-open v2 → v1"), "{summary}");
    assert!(
        summary.contains(&format!("v1 {}  ", &d1[..12])),
        "{summary}"
    );
    // One verdict line, last, saying what the JSON says.
    let verdict = match report["verdict"].as_str() {
        Some("policy_met") => "VERDICT: policy met",
        Some("policy_not_met") => "VERDICT: policy NOT met",
        Some("anomalies_found") => "VERDICT: anomalies found",
        other => panic!("unexpected verdict {other:?}"),
    };
    assert!(
        summary
            .lines()
            .last()
            .is_some_and(|l| l.starts_with(verdict)),
        "{summary}"
    );
    assert_eq!(summary.matches("VERDICT").count(), 1, "{summary}");
    let offline = audit(env.run("visitor", &format!("audit --json --bundle {bundle}")));
    let offline: Value = serde_json::from_str(&offline).expect("report JSON");
    assert_eq!(offline["verdict"], report["verdict"]);
}

/// Runs an audit: exit 0 (policy met) and 1 (not met, anomalies) are both
/// answers; anything else is a failure.
fn audit(mut command: Command) -> String {
    let output = command.output().expect("run baraza audit");
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "audit exited {code:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn import_a_directory_in_batches_with_duplicates_and_an_invalid_file() {
    let node = Node::start();
    let env = Env::with_node(BIN, &node.url);
    let steward = env.new_person("steward");
    env.new_person("author");

    let charter_body = json!({
        "created_at": 1_706_745_600_000u64,
        "title": "Imported consultation",
        "sections": [{"slug": "s", "title": "S"}],
        "phases": [{"name": "c", "opens": 1_706_745_600_000u64, "closes": 32_000_000_000_000u64,
                    "accepts": ["comment"]}],
        "stewards": [steward],
        "threshold": 1,
        "policy": {"min_nris": 0, "min_regions": 0, "groups": []},
        "languages": ["en"],
    });
    let charter = env.sign_json("steward", "charter", &charter_body);
    let charter_id = baraza_id(&charter);
    let comment = |n: u64, charter: &str, text: &str| {
        env.sign_json(
            "author",
            "comment",
            &json!({"created_at": 1_706_745_600_000u64 + n, "charter": charter,
                    "section": "s", "language": "en", "text": text}),
        )
    };
    let comments: Vec<Vec<u8>> = (0..5)
        .map(|n| comment(n, &charter_id, &format!("c{n}")))
        .collect();
    let orphan = comment(9, &"ab".repeat(32), "references a charter the node lacks");
    let mut tampered = comment(7, &charter_id, "TAMPERME");
    let at = tampered
        .windows(8)
        .position(|w| w == b"TAMPERME")
        .expect("text in payload");
    tampered[at..at + 8].copy_from_slice(b"TAMPERED");

    let dir = env.path("objects");
    fs::create_dir_all(dir.join("a")).expect("mkdir");
    fs::create_dir_all(dir.join("b/sub")).expect("mkdir");
    let files: [(&str, &[u8]); 7] = [
        ("a/charter.cbor", &charter),
        ("a/comments.cbor", &comments.concat()), // a CBOR sequence
        ("b/dup.cbor", &comments[2]),
        ("b/orphan.cose", &orphan),
        ("b/sub/again.cbor", &charter),
        ("bad.cbor", &tampered),
        ("notes.txt", b"not an object"),
    ];
    for (name, bytes) in files {
        fs::write(dir.join(name), bytes).expect("write");
    }
    let dir = dir.display().to_string();

    let out = env
        .run("author", &format!("import --json --batch 2 {dir}"))
        .assert()
        .code(1);
    let summary: Value = serde_json::from_str(&stdout(&out)).expect("summary JSON");
    assert_eq!(summary["files"], 6, "{summary:#}");
    assert_eq!(summary["objects"], 10, "{summary:#}");
    assert_eq!(summary["stored"], 6, "{summary:#}");
    assert_eq!(summary["known"], 2, "{summary:#}");
    assert_eq!(summary["pending"], 1, "{summary:#}");
    assert_eq!(summary["rejected"], 1, "{summary:#}");
    let rejection = &summary["rejections"][0];
    assert!(rejection["file"]
        .as_str()
        .expect("file")
        .ends_with("bad.cbor"));
    assert_eq!(rejection["error"], "bad_signature");

    // Everything valid is on the node now.
    let listed = env.json(
        "author",
        &format!("ls comments --charter {charter_id} --section s --json"),
    );
    assert_eq!(listed.as_array().map(Vec::len), Some(5));

    // Again, human: nothing new, the bad file named with its reason, exit 1.
    let out = env.run("author", &format!("import {dir}")).assert().code(1);
    let text = stdout(&out);
    assert!(text.contains("stored    0"), "{text}");
    assert!(text.contains("rejected  1"), "{text}");
    assert!(
        text.contains("bad.cbor") && text.contains("[bad_signature]"),
        "{text}"
    );

    // Only valid files: exit 0.
    env.run("author", &format!("import {dir}/a {dir}/b/dup.cbor"))
        .assert()
        .success();
}

/// The id of signed object bytes: SHA-256, via `baraza inspect`.
fn baraza_id(bytes: &[u8]) -> String {
    let out = Command::new(BIN)
        .args(["inspect", "--json", "-"])
        .write_stdin(bytes.to_vec())
        .assert()
        .success();
    let value: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    value["id"].as_str().expect("id").to_owned()
}

#[test]
fn errors_are_plain() {
    let node = Node::start();
    let env = Env::with_node(BIN, &node.url);
    let me = env.new_person("me");
    let nobody = "ab".repeat(32);

    // The node's own error, with its code.
    let out = env
        .run(
            "me",
            &format!("ls comments --charter {nobody} --section 'not a slug'"),
        )
        .assert()
        .failure();
    assert!(
        stderr(&out).contains("[bad_slug, HTTP 400]"),
        "{}",
        stderr(&out)
    );

    // Invalid bodies are refused before the passphrase or the node.
    let out = env
        .run(
            "me",
            &format!("comment --charter {nobody} --section Whole --text x"),
        )
        .assert()
        .failure();
    assert!(stderr(&out).contains("[bad_slug]"), "{}", stderr(&out));
    let out = env
        .run(
            "me",
            &format!("attest {me} --charter {nobody} --role nri --expires 2025-02-30"),
        )
        .assert()
        .code(2);
    assert!(stderr(&out).contains("--expires"), "{}", stderr(&out));

    // A comment on a charter the node lacks is held, and says so.
    let result = env.json(
        "me",
        &format!("comment --charter {nobody} --section s --text early --json"),
    );
    assert_eq!(result["status"], "pending");
    assert_eq!(result["missing"][0], nobody.as_str());

    // Unknown objects, unreachable and malformed node URLs, missing input.
    let out = env.run("me", &format!("get {nobody}")).assert().failure();
    assert!(stderr(&out).contains("has no object"), "{}", stderr(&out));
    let out = env.run("me", &format!("audit {nobody}")).assert().code(2);
    assert!(stderr(&out).contains("no object"), "{}", stderr(&out));
    let out = env
        .run("me", "--node http://127.0.0.1:1 ls charters")
        .assert()
        .failure();
    assert!(
        stderr(&out).contains("cannot reach the node"),
        "{}",
        stderr(&out)
    );
    let out = env
        .run("me", "--node ftp://example ls charters")
        .assert()
        .failure();
    assert!(stderr(&out).contains("not an http"), "{}", stderr(&out));
    let out = env.run("me", "import /nonexistent/dir").assert().failure();
    assert!(
        stderr(&out).contains("/nonexistent/dir"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_new_command_has_help_with_exit_codes() {
    let commands =
        "comment endorse profile attest retract revoke draft charter get audit import export";
    for command in commands.split(' ') {
        let out = Command::new(BIN)
            .args([command, "--help"])
            .assert()
            .success();
        let help = stdout(&out);
        assert!(help.contains("Exit codes:"), "{command}: {help}");
        assert!(help.contains("--node"), "{command}: {help}");
    }
    let out = Command::new(BIN)
        .args(["ls", "comments", "--help"])
        .assert()
        .success();
    assert!(stdout(&out).contains("--limit"));
}

#[test]
fn export_labels_a_revoked_key_as_the_audit_does() {
    let node = Node::start();
    let env = Env::with_node(BIN, &node.url);
    let steward = env.new_person("steward");
    let nri = env.new_person("nri");
    let kept = env.new_person("kept");
    let revoked = env.new_person("revoked");
    fs::write(env.path("charter.toml"), charter_toml(&steward)).expect("write charter");
    let p = env.path("charter.toml").display().to_string();
    let charter = env.submit("steward", &format!("charter --file {p}"));
    env.submit("steward", &format!("endorse {charter}"));
    let on = format!("--charter {charter} --expires 2999-01-01");
    env.submit(
        "steward",
        &format!("attest {nri} {on} --role nri --region african"),
    );
    for who in [&kept, &revoked] {
        env.submit(
            "nri",
            &format!("attest {who} {on} --role stakeholder --group academia --region african"),
        );
    }
    let section = format!("--charter {charter} --section whole-and-open");
    let c_kept = env.submit("kept", &format!("comment {section} --text kept"));
    let c_revoked = env.submit("revoked", &format!("comment {section} --text revoked"));
    // The NRI revokes one stakeholder's key from before it commented.
    env.submit(
        "nri",
        &format!("revoke {revoked} --reason 'key lost' --effective-from 2024-01-02"),
    );
    let exported = env.json("kept", &format!("export --charter {charter} --format json"));
    let rows = exported.as_array().expect("array");
    assert_eq!(rows.len(), 2);
    let find = |id: &str| rows.iter().find(|r| r["id"] == id).expect("exported");
    assert_eq!(find(&c_kept)["stakeholder_group"], "academia");
    assert_eq!(find(&c_kept)["region"], "african");
    assert_eq!(
        find(&c_revoked)["stakeholder_group"],
        "unattested",
        "a revoked key loses its group"
    );
    assert_eq!(find(&c_revoked)["region"], "unattested");
}
