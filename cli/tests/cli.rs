//! Runs the real `baraza` binary: keys, signing, inspection and their errors.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use assert_cmd::Command;
use baraza_testkit::cli::{stderr, stdout, Env, PASSPHRASE};
use serde_json::Value;

const CHARTER: &str = "5b1f4e7c2d9a8b3f6e0c1d2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e";
/// 2025-06-01T12:00:00.123Z
const CREATED_AT: u64 = 1_748_779_200_123;
/// `baraza_protocol::limits::MAX_OBJECT_BYTES`.
const MAX_OBJECT_BYTES: usize = 256 * 1024;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_baraza");
/// The keystore every test here uses, in a directory that does not exist yet.
const KEYSTORE: &str = "keys/key.json";

fn comment(created_at: Option<u64>) -> Value {
    let mut body = serde_json::json!({
        "charter": CHARTER,
        "section": "whole-and-open",
        "language": "en",
        "text": "Meaningful access needs affordable devices, not only coverage.",
    });
    if let Some(t) = created_at {
        body["created_at"] = t.into();
    }
    body
}

#[test]
fn key_new_writes_a_private_keystore_and_key_show_repeats_the_did() {
    let env = Env::new(BIN);
    let did = env.new_key(KEYSTORE);

    let mode = fs::metadata(env.path(KEYSTORE))
        .expect("keystore exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let stored: Value = serde_json::from_slice(&fs::read(env.path(KEYSTORE)).expect("read"))
        .expect("keystore json");
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["did"], did.as_str());
    assert_eq!(stored["kdf"]["algorithm"], "argon2id");
    assert!(
        !fs::read_to_string(env.path(KEYSTORE))
            .expect("read")
            .contains(PASSPHRASE),
        "passphrase leaked into the keystore"
    );

    // No passphrase needed to show.
    let show = env
        .baraza(KEYSTORE)
        .env_remove("BARAZA_PASSPHRASE")
        .args(["key", "show"])
        .assert()
        .success();
    assert_eq!(stdout(&show).trim(), did);

    let show = env
        .baraza(KEYSTORE)
        .args(["key", "show", "--json"])
        .assert()
        .success();
    let json: Value = serde_json::from_str(&stdout(&show)).expect("json");
    assert_eq!(json["did"], did.as_str());
    assert_eq!(json["keystore"], env.path(KEYSTORE).display().to_string());
}

#[test]
fn key_new_refuses_to_overwrite_without_force() {
    let env = Env::new(BIN);
    let first = env.new_key(KEYSTORE);
    let before = fs::read(env.path(KEYSTORE)).expect("read");

    let refused = env.baraza(KEYSTORE).args(["key", "new"]).assert().code(1);
    assert!(
        stderr(&refused).contains("already exists"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--force"));
    assert_eq!(fs::read(env.path(KEYSTORE)).expect("read"), before);

    let forced = env
        .baraza(KEYSTORE)
        .args(["key", "new", "--force"])
        .assert()
        .success();
    let second = stdout(&forced).trim().to_string();
    assert_ne!(second, first);
    let show = env
        .baraza(KEYSTORE)
        .args(["key", "show"])
        .assert()
        .success();
    assert_eq!(stdout(&show).trim(), second);
    let mode = fs::metadata(env.path(KEYSTORE))
        .expect("exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn keystore_flag_and_default_location() {
    let env = Env::new(BIN);
    // The flag wins over BARAZA_KEYSTORE.
    let flagged = env.path("elsewhere/k.json");
    env.baraza(KEYSTORE)
        .arg("key")
        .arg("new")
        .arg("--keystore")
        .arg(&flagged)
        .assert()
        .success();
    assert!(flagged.exists());
    assert!(!env.path(KEYSTORE).exists());

    // Without either, $HOME/.config/baraza/key.json.
    let out = env
        .baraza(KEYSTORE)
        .env_remove("BARAZA_KEYSTORE")
        .args(["key", "new"])
        .assert()
        .success();
    let default = env.path(".config/baraza/key.json");
    assert!(default.exists(), "no keystore at {}", default.display());
    let show = env
        .baraza(KEYSTORE)
        .env_remove("BARAZA_KEYSTORE")
        .args(["key", "show"])
        .assert()
        .success();
    assert_eq!(stdout(&show), stdout(&out));
}

#[test]
fn key_show_without_keystore_says_how_to_create_one() {
    let env = Env::new(BIN);
    let out = env.baraza(KEYSTORE).args(["key", "show"]).assert().code(1);
    let err = stderr(&out);
    assert!(err.contains("no keystore at"), "{err}");
    assert!(err.contains("baraza key new"), "{err}");
}

#[test]
fn key_new_without_passphrase_source_fails_clearly() {
    let env = Env::new(BIN);
    let out = env
        .baraza(KEYSTORE)
        .env_remove("BARAZA_PASSPHRASE")
        .args(["key", "new"])
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("BARAZA_PASSPHRASE"),
        "{}",
        stderr(&out)
    );
    assert!(!env.path(KEYSTORE).exists());

    let out = env
        .baraza(KEYSTORE)
        .env("BARAZA_PASSPHRASE", "")
        .args(["key", "new"])
        .assert()
        .code(1);
    assert!(stderr(&out).contains("empty"), "{}", stderr(&out));
    assert!(!env.path(KEYSTORE).exists());
}

#[test]
fn sign_then_inspect_human_and_json() {
    let env = Env::new(BIN);
    let did = env.new_key(KEYSTORE);
    let body = env.body_file("comment.json", &comment(Some(CREATED_AT)));
    let object = env.path("comment.cose");

    let signed = env
        .baraza(KEYSTORE)
        .arg("sign")
        .arg("comment")
        .arg("--body")
        .arg(&body)
        .arg("--out")
        .arg(&object)
        .assert()
        .success();
    assert!(stdout(&signed).is_empty());
    let note = stderr(&signed);
    let id = note
        .trim()
        .strip_prefix("signed comment ")
        .unwrap_or_else(|| panic!("unexpected stderr: {note}"))
        .to_string();
    assert_eq!(id.len(), 64);

    let json = env
        .baraza(KEYSTORE)
        .arg("inspect")
        .arg("--json")
        .arg(&object)
        .assert()
        .success();
    let json: Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(json["id"], id.as_str());
    assert_eq!(json["author"], did.as_str());
    assert_eq!(json["kind"], "comment");
    assert_eq!(json["body"]["created_at"], CREATED_AT);
    assert_eq!(json["body"]["section"], "whole-and-open");

    let human = env
        .baraza(KEYSTORE)
        .arg("inspect")
        .arg(&object)
        .assert()
        .success();
    let text = stdout(&human);
    assert!(text.contains(&id), "{text}");
    assert!(text.contains(&did), "{text}");
    assert!(text.contains("comment"), "{text}");
    assert!(text.contains("2025-06-01T12:00:00.123Z"), "{text}");
    assert!(text.contains("Meaningful access"), "{text}");
}

#[test]
fn sign_fills_in_created_at_and_reads_stdin() {
    let env = Env::new(BIN);
    env.new_key(KEYSTORE);
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64;
    let bytes = env
        .baraza(KEYSTORE)
        .args(["sign", "comment", "--body", "-"])
        .write_stdin(serde_json::to_vec(&comment(None)).expect("json"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let object = env.path("stdin.cose");
    fs::write(&object, &bytes).expect("write");
    let out = env
        .baraza(KEYSTORE)
        .arg("inspect")
        .arg("--json")
        .arg(&object)
        .assert()
        .success();
    let json: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let created_at = json["body"]["created_at"].as_u64().expect("created_at set");
    assert!(
        (before..before + 60_000).contains(&created_at),
        "{created_at} not near {before}"
    );

    // inspect also reads stdin.
    let piped = env
        .baraza(KEYSTORE)
        .args(["inspect", "--json", "-"])
        .write_stdin(bytes)
        .assert()
        .success();
    let piped: Value = serde_json::from_str(&stdout(&piped)).expect("json");
    assert_eq!(piped, json);
}

#[test]
fn signing_the_same_body_twice_gives_identical_bytes() {
    let env = Env::new(BIN);
    env.new_key(KEYSTORE);
    let body = env.body_file("comment.json", &comment(Some(CREATED_AT)));
    let first = env.sign_file(KEYSTORE, "comment", &body);
    let second = env.sign_file(KEYSTORE, "comment", &body);
    assert!(!first.is_empty());
    assert_eq!(first, second);
}

#[test]
fn wrong_passphrase_is_refused() {
    let env = Env::new(BIN);
    env.new_key(KEYSTORE);
    let body = env.body_file("comment.json", &comment(Some(CREATED_AT)));
    let out = env
        .baraza(KEYSTORE)
        .env("BARAZA_PASSPHRASE", "not the passphrase")
        .arg("sign")
        .arg("comment")
        .arg("--body")
        .arg(&body)
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("wrong passphrase or corrupted keystore"),
        "{}",
        stderr(&out)
    );
    assert!(out.get_output().stdout.is_empty());
}

#[test]
fn tampered_objects_are_invalid() {
    let env = Env::new(BIN);
    env.new_key(KEYSTORE);
    let body = env.body_file("comment.json", &comment(Some(CREATED_AT)));
    let good = env.sign_file(KEYSTORE, "comment", &body);

    // The signature is the last 64 bytes.
    let mut bad_signature = good.clone();
    let last = bad_signature.len() - 1;
    bad_signature[last] ^= 0x01;

    // Change one letter of the comment text: still canonical CBOR.
    let mut bad_payload = good.clone();
    let at = good
        .windows(b"Meaningful".len())
        .position(|w| w == b"Meaningful")
        .expect("text is in the payload");
    bad_payload[at] = b'm';

    for (name, bytes) in [("sig.cose", bad_signature), ("payload.cose", bad_payload)] {
        let path = env.path(name);
        fs::write(&path, bytes).expect("write");
        let out = env
            .baraza(KEYSTORE)
            .arg("inspect")
            .arg(&path)
            .assert()
            .code(1);
        let err = stderr(&out);
        assert!(err.starts_with("invalid object: "), "{name}: {err}");
        assert!(err.contains("[bad_signature]"), "{name}: {err}");
        assert!(stdout(&out).is_empty());

        let out = env
            .baraza(KEYSTORE)
            .arg("inspect")
            .arg("--json")
            .arg(&path)
            .assert()
            .code(1);
        let json: Value = serde_json::from_str(&stdout(&out)).expect("json verdict");
        assert_eq!(json["valid"], false);
        assert_eq!(json["error"], "bad_signature");
        assert!(json["message"]
            .as_str()
            .expect("message")
            .contains("signature"));
    }

    // Not an object at all.
    let junk = env.path("junk.cose");
    fs::write(&junk, b"{\"hello\": 1}").expect("write");
    let out = env
        .baraza(KEYSTORE)
        .arg("inspect")
        .arg(&junk)
        .assert()
        .code(1);
    assert!(
        stderr(&out).starts_with("invalid object: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn oversized_input_is_refused_before_reading() {
    let env = Env::new(BIN);
    let big = env.path("big.cose");
    fs::write(&big, vec![0u8; MAX_OBJECT_BYTES + 1]).expect("write");
    let out = env
        .baraza(KEYSTORE)
        .arg("inspect")
        .arg(&big)
        .assert()
        .code(1);
    let err = stderr(&out);
    assert!(err.contains("[too_large]"), "{err}");
    assert!(err.contains(&(MAX_OBJECT_BYTES + 1).to_string()), "{err}");

    // A sparse file far larger than memory would allow is refused all the same.
    let huge = env.path("huge.cose");
    fs::File::create(&huge)
        .and_then(|f| f.set_len(1 << 40))
        .expect("sparse file");
    let out = env
        .baraza(KEYSTORE)
        .arg("inspect")
        .arg("--json")
        .arg(&huge)
        .assert()
        .code(1);
    let json: Value = serde_json::from_str(&stdout(&out)).expect("json verdict");
    assert_eq!(json["error"], "too_large");

    // Streams are cut off at the limit.
    let out = env
        .baraza(KEYSTORE)
        .args(["inspect", "-"])
        .write_stdin(vec![0u8; MAX_OBJECT_BYTES + 1])
        .assert()
        .code(1);
    assert!(stderr(&out).contains("[too_large]"), "{}", stderr(&out));
}

#[test]
fn unknown_kind_lists_the_kinds() {
    let env = Env::new(BIN);
    let body = env.body_file("comment.json", &comment(Some(CREATED_AT)));
    let out = env
        .baraza(KEYSTORE)
        .arg("sign")
        .arg("commnet")
        .arg("--body")
        .arg(&body)
        .assert()
        .code(2);
    let err = stderr(&out);
    assert!(err.contains("commnet"), "{err}");
    for kind in ["charter", "comment", "endorsement", "release", "revocation"] {
        assert!(err.contains(kind), "{kind} missing from: {err}");
    }
}

#[test]
fn invalid_bodies_name_the_problem() {
    let env = Env::new(BIN);
    env.new_key(KEYSTORE);
    let sign_err = |name: &str, body: &[u8]| {
        let path = env.path(name);
        fs::write(&path, body).expect("write");
        let out = env
            .baraza(KEYSTORE)
            .arg("sign")
            .arg("comment")
            .arg("--body")
            .arg(&path)
            .assert()
            .code(1);
        assert!(out.get_output().stdout.is_empty());
        stderr(&out)
    };

    let mut bad_slug = comment(Some(CREATED_AT));
    bad_slug["section"] = "Whole And Open".into();
    let err = sign_err("slug.json", &serde_json::to_vec(&bad_slug).expect("json"));
    assert!(err.contains("invalid comment"), "{err}");
    assert!(err.contains("section"), "{err}");
    assert!(err.contains("Whole And Open"), "{err}");
    assert!(err.contains("[bad_slug]"), "{err}");

    let mut unknown_field = comment(Some(CREATED_AT));
    unknown_field["colour"] = "blue".into();
    let err = sign_err(
        "field.json",
        &serde_json::to_vec(&unknown_field).expect("json"),
    );
    assert!(err.contains("not a valid comment body"), "{err}");
    assert!(err.contains("colour"), "{err}");

    let mut bad_charter = comment(Some(CREATED_AT));
    bad_charter["charter"] = "XYZ".into();
    let err = sign_err(
        "charter.json",
        &serde_json::to_vec(&bad_charter).expect("json"),
    );
    assert!(err.contains("64 lowercase hex"), "{err}");

    let err = sign_err("syntax.json", b"{\"section\": ");
    assert!(err.contains("not valid JSON"), "{err}");

    let err = sign_err("array.json", b"[1, 2]");
    assert!(err.contains("must be a JSON object"), "{err}");

    let mut old = comment(Some(1_000));
    old["text"] = "from 1970".into();
    let err = sign_err("old.json", &serde_json::to_vec(&old).expect("json"));
    assert!(err.contains("created_at"), "{err}");
    assert!(err.contains("[timestamp_out_of_range]"), "{err}");
}

#[test]
fn help_documents_exit_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_baraza"))
        .arg("--help")
        .assert()
        .success();
    let help = stdout(&out);
    assert!(help.contains("Exit codes"), "{help}");
    for command in ["key", "sign", "inspect", "--keystore"] {
        assert!(help.contains(command), "{command} missing: {help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_baraza"))
        .args(["sign", "--help"])
        .assert()
        .success();
    let help = stdout(&out);
    assert!(help.contains("--body") && help.contains("--out"), "{help}");
    assert!(help.contains("possible values"), "{help}");

    Command::new(env!("CARGO_BIN_EXE_baraza"))
        .arg("frobnicate")
        .assert()
        .code(2);
}
