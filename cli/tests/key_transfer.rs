//! Runs the real `baraza` binary: `key export` and `key import`, the moves
//! of a signing key between the CLI and a browser as a portable key file.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use baraza_testkit::cli::{stderr, stdout, Env};
use serde_json::Value;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_baraza");

/// `key show` of `keystore`.
fn show(env: &Env, keystore: &str) -> String {
    let out = env
        .baraza(keystore)
        .args(["key", "show"])
        .assert()
        .success();
    stdout(&out).trim().to_string()
}

/// The checked-in portable vector and its meta file.
fn vector() -> (PathBuf, Value) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../protocol/tests/vectors/keystore");
    let meta = fs::read(dir.join("portable.meta.json")).expect("vector meta exists");
    (
        dir.join("portable.json"),
        serde_json::from_slice(&meta).expect("vector meta is JSON"),
    )
}

#[test]
fn export_then_import_into_another_keystore_keeps_the_key() {
    let env = Env::new(BIN);
    let did = env.new_key("a/key.json");
    let file = env.path("exported.json");

    let out = env
        .baraza("a/key.json")
        .args(["key", "export", "--out"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(stdout(&out).trim(), did);
    let err = stderr(&out);
    assert!(err.contains("/identity"), "{err}");
    assert!(err.contains("baraza key import"), "{err}");
    let mode = fs::metadata(&file).expect("exported").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let exported: Value = serde_json::from_slice(&fs::read(&file).expect("read")).expect("json");
    assert_eq!(exported["version"], 1);
    assert_eq!(exported["did"], did.as_str());
    assert_eq!(exported["kdf"]["algorithm"], "pbkdf2-sha256");
    assert_eq!(exported["kdf"]["iterations"], 600_000);
    assert_eq!(exported["cipher"]["algorithm"], "aes-256-gcm");

    let out = env
        .baraza("b/key.json")
        .args(["key", "import", "--json"])
        .arg(&file)
        .assert()
        .success();
    let json: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["did"], did.as_str());
    assert_eq!(
        json["keystore"],
        env.path("b/key.json").display().to_string()
    );
    assert_eq!(show(&env, "b/key.json"), did);
    // The imported keystore is the CLI's own variant again.
    let stored: Value =
        serde_json::from_slice(&fs::read(env.path("b/key.json")).expect("read")).expect("json");
    assert_eq!(stored["kdf"]["algorithm"], "argon2id");
    assert_eq!(stored["cipher"]["algorithm"], "xchacha20poly1305");
    let mode = fs::metadata(env.path("b/key.json"))
        .expect("saved")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn export_refuses_an_existing_file_without_force() {
    let env = Env::new(BIN);
    let did = env.new_key("key.json");
    let file = env.path("taken.json");
    fs::write(&file, "keep me").expect("write");

    let out = env
        .baraza("key.json")
        .args(["key", "export", "--out"])
        .arg(&file)
        .assert()
        .code(1);
    let err = stderr(&out);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&file).expect("read"), "keep me");

    let out = env
        .baraza("key.json")
        .args(["key", "export", "--force", "--json", "--out"])
        .arg(&file)
        .assert()
        .success();
    let json: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["did"], did.as_str());
    assert_eq!(json["file"], file.display().to_string());
    let exported: Value = serde_json::from_slice(&fs::read(&file).expect("read")).expect("json");
    assert_eq!(exported["did"], did.as_str());
}

#[test]
fn import_with_the_wrong_passphrase_fails_and_writes_nothing() {
    let env = Env::new(BIN);
    let (file, _) = vector();
    let out = env
        .baraza("key.json")
        .env("BARAZA_PASSPHRASE", "not the passphrase")
        .args(["key", "import"])
        .arg(&file)
        .assert()
        .code(1);
    let err = stderr(&out);
    assert!(err.contains("wrong passphrase"), "{err}");
    assert!(err.contains("portable.json"), "{err}");
    assert!(out.get_output().stdout.is_empty());
    assert!(!env.path("key.json").exists());
}

#[test]
fn import_of_a_malformed_file_names_the_problem_and_keeps_the_keystore() {
    let env = Env::new(BIN);
    env.new_key("key.json");
    let before = fs::read(env.path("key.json")).expect("read");
    let (vector_file, _) = vector();
    let vector: Value =
        serde_json::from_slice(&fs::read(vector_file).expect("read")).expect("json");

    let mut weak = vector.clone();
    weak["kdf"]["iterations"] = 1000.into();
    let mut crossed = vector.clone();
    crossed["cipher"]["algorithm"] = "xchacha20poly1305".into();
    let cases = [
        ("not-json.json", b"not json".to_vec(), "malformed"),
        (
            "weak.json",
            serde_json::to_vec(&weak).expect("json"),
            "100000..=10000000",
        ),
        (
            "crossed.json",
            serde_json::to_vec(&crossed).expect("json"),
            "xchacha20poly1305",
        ),
    ];
    for (name, bytes, expected) in cases {
        let file = env.path(name);
        fs::write(&file, bytes).expect("write");
        let out = env
            .baraza("key.json")
            .args(["key", "import", "--force"])
            .arg(&file)
            .assert()
            .code(1);
        let err = stderr(&out);
        assert!(err.contains(name), "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
        assert_eq!(
            fs::read(env.path("key.json")).expect("read"),
            before,
            "{name}"
        );
    }

    let out = env
        .baraza("key.json")
        .args(["key", "import"])
        .arg(env.path("missing.json"))
        .assert()
        .code(1);
    assert!(stderr(&out).contains("no key file at"), "{}", stderr(&out));
}

#[test]
fn import_over_a_different_key_needs_force() {
    let env = Env::new(BIN);
    let old = env.new_key("key.json");
    let before = fs::read(env.path("key.json")).expect("read");
    let (file, meta) = vector();
    let new = meta["did"].as_str().expect("did").to_string();
    assert_ne!(old, new);

    let out = env
        .baraza("key.json")
        .args(["key", "import"])
        .arg(&file)
        .assert()
        .code(1);
    let err = stderr(&out);
    assert!(err.contains(&old) && err.contains(&new), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(fs::read(env.path("key.json")).expect("read"), before);
    assert_eq!(show(&env, "key.json"), old);

    let out = env
        .baraza("key.json")
        .args(["key", "import", "--force"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(stdout(&out).trim(), new);
    assert_eq!(show(&env, "key.json"), new);
}

#[test]
fn the_checked_in_vector_imports_and_importing_it_again_is_fine() {
    let env = Env::new(BIN);
    let (file, meta) = vector();
    let did = meta["did"].as_str().expect("did");
    let passphrase = meta["passphrase"].as_str().expect("passphrase");

    let import = || {
        env.baraza("key.json")
            .env("BARAZA_PASSPHRASE", passphrase)
            .args(["key", "import"])
            .arg(&file)
            .assert()
            .success()
    };
    let out = import();
    assert_eq!(stdout(&out).trim(), did);
    assert_eq!(show(&env, "key.json"), did);

    let out = import();
    assert_eq!(stdout(&out).trim(), did);
    assert!(stderr(&out).contains("already held"), "{}", stderr(&out));
    assert_eq!(show(&env, "key.json"), did);
}
