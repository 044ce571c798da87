//! Transparency-log receipts through the real `baraza` binary against real
//! nodes (`baraza node run` on loopback, checkpointing every second):
//! `--receipt FILE` on a signing verb, `receipt verify` offline, against
//! the node and against a saved proof, `receipt prove`, tampered and
//! foreign receipts, and `log show` / `log verify`.

use std::fs;
use std::time::{Duration, Instant};

use baraza_testkit::cli::{stderr, stdout, Env, NodeChild};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_baraza");

/// How long a test waits for a node's checkpoint to cover an entry.
const CHECKPOINT_WAIT: Duration = Duration::from_secs(60);

/// A node of the real binary for these tests.
struct Node;

impl Node {
    fn start() -> NodeChild {
        NodeChild::start(BIN, &[("BARAZA_CHECKPOINT_INTERVAL_SECS", "1")])
    }
}

/// A charter whose consultation phase is open now.
fn charter_toml(steward: &str) -> String {
    format!(
        r#"title = "Receipts"
summary = "Test consultation"
stewards = ["{steward}"]
threshold = 1
languages = ["en"]

[[sections]]
slug = "whole-and-open"
title = "Whole and open"

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

/// Runs `line` as `who` until it no longer fails for want of a checkpoint
/// covering the entry; returns the last run's (success, stdout, stderr).
fn until_checkpointed(env: &Env, who: &str, line: &str) -> (bool, String, String) {
    let deadline = Instant::now() + CHECKPOINT_WAIT;
    loop {
        let out = env.run(who, line).assert();
        let (ok, text, err) = (
            out.get_output().status.success(),
            stdout(&out),
            stderr(&out),
        );
        if ok || !err.contains("retry after its next checkpoint") || Instant::now() > deadline {
            return (ok, text, err);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `text` with the last digit of its `time` line changed.
fn tamper_time(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.starts_with("time "))
        .expect("a receipt has a time line");
    let last = line.chars().last().expect("a digit");
    let changed = if last == '1' { '2' } else { '1' };
    let tampered = format!("{}{changed}", &line[..line.len() - 1]);
    text.replacen(line, &tampered, 1)
}

#[test]
fn receipts_are_saved_verified_proved_and_refused_when_wrong() {
    let node = Node::start();
    let env = Env::with_node(BIN, &node.url);
    let steward = env.new_person("steward");
    env.new_person("visitor");
    let p = |name: &str| env.path(name).display().to_string();

    // The charter, with a receipt: entry 0 of the node's log.
    fs::write(env.path("charter.toml"), charter_toml(&steward)).expect("write charter");
    let out = env
        .run(
            "steward",
            &format!(
                "charter --file {} --receipt {}",
                p("charter.toml"),
                p("charter.receipt")
            ),
        )
        .assert()
        .success();
    let charter = stdout(&out).trim().to_owned();
    let said = stderr(&out);
    assert!(
        said.contains("receipt: entry 0 of the node's log (baraza/log/did:key:"),
        "{said}"
    );
    assert!(
        said.contains(&format!("saved to {}", p("charter.receipt"))),
        "{said}"
    );

    // A comment with --receipt and --json: the note is in the output as
    // written to the file.
    let submitted = env.json(
        "visitor",
        &format!(
            "comment --charter {charter} --section whole-and-open --text 'Keep it open' \
             --receipt {} --json",
            p("comment.receipt")
        ),
    );
    assert_eq!(submitted["status"], "stored");
    assert_eq!(submitted["log_index"], 1);
    let comment = submitted["id"].as_str().expect("id").to_owned();
    let note = fs::read_to_string(env.path("comment.receipt")).expect("receipt written");
    assert_eq!(submitted["receipt"], note.as_str());
    assert!(note.contains(&format!("object {comment}\n")), "{note}");

    // --receipt with --dry-run is a usage error.
    env.run(
        "visitor",
        &format!(
            "comment --charter {charter} --section whole-and-open --text x --dry-run \
             --receipt {}",
            p("dry.receipt")
        ),
    )
    .assert()
    .code(2);
    assert!(!env.path("dry.receipt").exists());

    // Offline: the signature only, and the table.
    let verify = format!("receipt verify {}", p("comment.receipt"));
    let out = env
        .run("visitor", &verify)
        .env_remove("BARAZA_NODE")
        .assert()
        .success();
    let table = stdout(&out);
    assert!(table.contains(&format!("object      {comment}")), "{table}");
    assert!(table.contains("entry       1\n"), "{table}");
    assert!(table.contains("signature   ok"), "{table}");
    assert!(stderr(&out).contains("inclusion in the log was not checked"));

    // Against the node, once a checkpoint covers the entry.
    let (ok, table, err) = until_checkpointed(&env, "visitor", &verify);
    assert!(ok, "{table}{err}");
    assert!(
        table.contains("included in the checkpoint of") && table.contains("signed by the node"),
        "{table}"
    );
    let (ok, json, err) = until_checkpointed(&env, "visitor", &format!("{verify} --json"));
    assert!(ok, "{err}");
    let checked: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(checked["object"], comment.as_str());
    assert_eq!(checked["index"], 1);
    assert!(checked["inclusion"]["checkpoint_size"].as_u64() >= Some(2));

    // prove, then verify offline against the saved proof.
    let (ok, _, err) = until_checkpointed(
        &env,
        "visitor",
        &format!(
            "receipt prove {} -o {}",
            p("comment.receipt"),
            p("proof.json")
        ),
    );
    assert!(ok, "{err}");
    let proof: Value =
        serde_json::from_slice(&fs::read(env.path("proof.json")).expect("proof written"))
            .expect("the proof is JSON");
    assert!(proof["checkpoint"].is_string(), "{proof}");
    assert_eq!(proof["id"], comment.as_str());
    let offline = format!("{verify} --proof {}", p("proof.json"));
    let out = env
        .run("visitor", &offline)
        .env_remove("BARAZA_NODE")
        .assert()
        .success();
    assert!(stdout(&out).contains("included in the checkpoint of"));

    // A proof with one hash changed fails, naming the proof.
    let mut bad = proof.clone();
    let first = bad["proof"][0].as_str().expect("a tree of 2+ has a path");
    let flipped = if first.starts_with('0') { "1" } else { "0" };
    bad["proof"][0] = Value::from(format!("{flipped}{}", &first[1..]));
    fs::write(env.path("bad-proof.json"), bad.to_string()).expect("write");
    let out = env
        .run(
            "visitor",
            &format!("{verify} --proof {}", p("bad-proof.json")),
        )
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("inclusion proof does not verify"),
        "{}",
        stderr(&out)
    );

    // Malformed proof JSON is named as such.
    fs::write(env.path("broken.json"), "{").expect("write");
    let out = env
        .run("visitor", &format!("{verify} --proof {}", p("broken.json")))
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("is not valid inclusion-proof JSON"),
        "{}",
        stderr(&out)
    );

    // A receipt with one digit changed fails on its signature.
    fs::write(env.path("tampered.receipt"), tamper_time(&note)).expect("write");
    let out = env
        .run(
            "visitor",
            &format!("receipt verify {}", p("tampered.receipt")),
        )
        .env_remove("BARAZA_NODE")
        .assert()
        .code(1);
    assert!(stderr(&out).contains("signature"), "{}", stderr(&out));

    // Something that is not a receipt, and a file that is not there.
    fs::write(env.path("not.receipt"), "hello\n").expect("write");
    let out = env
        .run("visitor", &format!("receipt verify {}", p("not.receipt")))
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("is not a baraza receipt"),
        "{}",
        stderr(&out)
    );
    let out = env
        .run(
            "visitor",
            &format!("receipt verify {}", p("missing.receipt")),
        )
        .assert()
        .code(1);
    assert!(stderr(&out).contains("cannot open"), "{}", stderr(&out));

    // Another node keeps another log.
    let other = Node::start();
    let out = env
        .run("visitor", &format!("{verify} --node {}", other.url))
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("this receipt is from another node's log"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn log_verify_recomputes_the_root_of_every_entry() {
    let node = Node::start();
    let env = Env::with_node(BIN, &node.url);
    for who in ["amina", "wei", "lucia"] {
        env.new_person(who);
        env.submit(who, &format!("profile --name {who} --group academia"));
    }

    // Wait until the latest checkpoint covers all three.
    let deadline = Instant::now() + CHECKPOINT_WAIT;
    let info = loop {
        let info = env.json("amina", "log show --json");
        if info["checkpoint_size"] == 3 || Instant::now() > deadline {
            break info;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(info["size"], 3, "{info}");
    assert_eq!(info["checkpoint_size"], 3, "{info}");
    assert_eq!(info["checkpoint_interval_secs"], 1);
    let out = env.run("amina", "log show").assert().success();
    assert!(
        stdout(&out).contains("checkpoint    3 entries"),
        "{}",
        stdout(&out)
    );

    let report = env.json("amina", "log verify --json");
    assert_eq!(report["entries"], 3, "{report}");
    assert_eq!(report["match"], true, "{report}");
    assert_eq!(report["root"], report["checkpoint_root"]);
    assert_eq!(report["origin"], info["origin"]);
    let out = env.run("amina", "log verify").assert().success();
    assert!(
        stdout(&out).contains("match: the node's 3 entries"),
        "{}",
        stdout(&out)
    );

    // A wrong URL is named.
    let out = env
        .run("amina", "log verify --node ftp://example.org")
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("is not an http:// or https:// URL"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_quorum_of_witnesses_is_required_when_asked() {
    let node = Node::start();
    let env = Env::with_node(BIN, &node.url);
    let steward = env.new_person("steward");
    let p = |name: &str| env.path(name).display().to_string();
    fs::write(env.path("charter.toml"), charter_toml(&steward)).expect("write charter");
    env.run(
        "steward",
        &format!(
            "charter --file {} --receipt {}",
            p("charter.toml"),
            p("charter.receipt")
        ),
    )
    .assert()
    .success();
    // A lone node has no witnesses: the receipt is included, but not witnessed.
    let (ok, text, err) = until_checkpointed(
        &env,
        "steward",
        &format!("receipt verify {}", p("charter.receipt")),
    );
    assert!(ok, "{err}");
    assert!(text.contains("witnessed   0 cosignature(s)"), "{text}");
    let (ok, _, err) = until_checkpointed(
        &env,
        "steward",
        &format!("receipt verify {} --quorum 1", p("charter.receipt")),
    );
    assert!(!ok, "a quorum of one cannot be met by a lone node");
    assert!(
        err.contains("0 witness cosignature(s), 1 required"),
        "{err}"
    );
    // Offline there is nothing to count.
    let out = env
        .run(
            "steward",
            &format!(
                "receipt verify {} --quorum 1 --offline",
                p("charter.receipt")
            ),
        )
        .assert()
        .failure();
    assert!(stderr(&out).contains("--quorum"), "{}", stderr(&out));
}
