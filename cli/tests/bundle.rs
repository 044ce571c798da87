//! `baraza bundle` against the checked-in example: from the example's
//! object files it rebuilds the example's bundle byte for byte; it refuses
//! to write an incomplete bundle unless asked, and such a bundle audits as
//! `incomplete`; invalid input writes nothing.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/iww-2024")
}

fn baraza() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baraza"));
    cmd.env_clear();
    cmd
}

/// The release's id, from `index.tsv`.
fn release_id(dir: &Path) -> String {
    let index = fs::read_to_string(dir.join("index.tsv")).expect("index.tsv");
    index
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|cells| cells.get(1) == Some(&"release"))
        .map(|cells| cells[2].to_owned())
        .expect("a release in index.tsv")
}

fn output_text(assert: &assert_cmd::assert::Assert) -> (String, String) {
    let out = assert.get_output();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn rebuilds_the_example_bundles_from_their_objects() {
    let temp = tempfile::tempdir().expect("temp dir");
    for dir in [example_dir(), example_dir().join("policy-not-met")] {
        let release = release_id(&dir);
        let out = temp.path().join("release.bundle");
        // A unique prefix is enough; duplicates among the inputs are ignored.
        let assert = baraza()
            .args(["bundle", "--target", &release[..12], "--out"])
            .arg(&out)
            .arg(dir.join("objects"))
            .arg(dir.join("release.bundle"))
            .assert()
            .success();
        let (stdout, _) = output_text(&assert);
        assert!(stdout.contains("complete    yes"), "{stdout}");
        assert!(
            stdout.contains(&format!("target      release {release}")),
            "{stdout}"
        );
        assert_eq!(
            fs::read(&out).expect("bundle written"),
            fs::read(dir.join("release.bundle")).expect("checked-in bundle"),
            "baraza bundle over {} differs from its release.bundle",
            dir.display()
        );
    }
}

#[test]
fn the_bundle_can_go_to_stdout() {
    let dir = example_dir();
    let assert = baraza()
        .args(["bundle", "--target", &release_id(&dir), "--out", "-"])
        .arg(dir.join("objects"))
        .assert()
        .success();
    let (_, stderr) = output_text(&assert);
    assert_eq!(
        assert.get_output().stdout,
        fs::read(dir.join("release.bundle")).expect("checked-in bundle")
    );
    assert!(stderr.contains("verdict     policy_met"), "{stderr}");
}

#[test]
fn an_incomplete_bundle_is_refused_unless_allowed_and_then_audits_as_incomplete() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = example_dir();
    let release = release_id(&dir);
    let out = temp.path().join("partial.bundle");
    // Everything but the charter.
    let kinds = [
        "attestation",
        "comment",
        "draft",
        "endorsement",
        "release",
        "retraction",
    ];
    let mut cmd = baraza();
    cmd.args(["bundle", "--target", &release, "--out"])
        .arg(&out);
    for kind in kinds {
        cmd.arg(dir.join("objects").join(kind));
    }
    let assert = cmd.assert().code(1);
    let (_, stderr) = output_text(&assert);
    assert!(stderr.contains("--allow-incomplete"), "{stderr}");
    assert!(
        !out.exists(),
        "nothing is written without --allow-incomplete"
    );

    let mut cmd = baraza();
    cmd.args([
        "bundle",
        "--allow-incomplete",
        "--target",
        &release,
        "--out",
    ])
    .arg(&out);
    for kind in kinds {
        cmd.arg(dir.join("objects").join(kind));
    }
    let assert = cmd.assert().success();
    let (stdout, _) = output_text(&assert);
    assert!(stdout.contains("complete    NO"), "{stdout}");
    assert!(stdout.contains("verdict     incomplete"), "{stdout}");

    let audit = baraza()
        .args(["audit", "--json", "--bundle"])
        .arg(&out)
        .assert()
        .code(2);
    let (stdout, _) = output_text(&audit);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("report JSON");
    assert_eq!(report["verdict"], "incomplete");
    assert_eq!(report["complete"], false);
}

#[test]
fn invalid_input_writes_nothing_and_names_each_bad_item() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = example_dir();
    let inputs = temp.path().join("in");
    fs::create_dir(&inputs).expect("mkdir");
    let mut tampered = fs::read(dir.join("release.bundle")).expect("bundle");
    // The lowest byte of the last object's signature's S: still canonical,
    // no longer valid.
    let at = tampered.len() - 32;
    tampered[at] ^= 1;
    fs::write(inputs.join("tampered.cbor"), &tampered).expect("write");
    fs::write(inputs.join("junk.cbor"), [0x9f, 0x01]).expect("write");
    let out = temp.path().join("x.bundle");
    let assert = baraza()
        .args(["bundle", "--target", &release_id(&dir), "--out"])
        .arg(&out)
        .arg(&inputs)
        .assert()
        .code(1);
    let (_, stderr) = output_text(&assert);
    assert!(stderr.contains("junk.cbor (object 0)"), "{stderr}");
    assert!(stderr.contains("tampered.cbor (object "), "{stderr}");
    assert!(stderr.contains("[bad_signature]"), "{stderr}");
    assert!(!out.exists());

    // A prefix too short to be safe is a usage error.
    baraza()
        .args(["bundle", "--target", "abc", "--out"])
        .arg(&out)
        .arg(&inputs)
        .assert()
        .code(2);
}
