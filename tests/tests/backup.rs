//! Backups with the real binary: `baraza node export` from a running node,
//! `baraza node import` into a stopped one, which then reconciles with its
//! peers and ends identical.

use std::process::{Command, Output};
use std::time::Duration;

use baraza_tests::{baraza_bin, consultation, eventually, NodeOptions, NodeProcess};

fn baraza(args: &[&str]) -> Output {
    Command::new(baraza_bin())
        .args(args)
        .env_remove("BARAZA_CONFIG")
        .output()
        .expect("run baraza")
}

#[test]
fn an_export_restores_into_a_node_that_then_catches_up() {
    let dirs: Vec<_> = (0..3)
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    let a = NodeProcess::start_with(dirs[0].path(), &NodeOptions::default());
    let objects = consultation(320);
    a.submit(&objects[..300]);

    let file = dirs[2].path().join("backup.cborseq");
    let file_arg = file.to_str().expect("utf-8 path");
    let out = baraza(&["--node", &a.url, "node", "export", "--out", file_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("exported 300 objects"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let expected: usize = objects[..300].iter().map(|o| o.bytes().len()).sum();
    assert_eq!(
        std::fs::metadata(&file).expect("export written").len() as usize,
        expected
    );

    // The running node's data dir cannot be imported into.
    let a_dir = dirs[0].path().to_str().expect("utf-8 path");
    let out = baraza(&["node", "import", file_arg, "--data-dir", a_dir]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("in use by another process"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The record moves on after the backup.
    a.submit(&objects[300..]);

    let restored = dirs[1].path().join("restored");
    let restored_arg = restored.to_str().expect("utf-8 path");
    let out = baraza(&["node", "import", file_arg, "--data-dir", restored_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("300 stored"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let c = NodeProcess::start_with(
        &restored,
        &NodeOptions {
            bootstrap: vec![a.peer_addr()],
            ..NodeOptions::default()
        },
    );
    assert!(
        eventually(Duration::from_secs(120), || c.index() == a.index()),
        "the restored node did not catch up: {:?} vs {:?}",
        c.index(),
        a.index()
    );
    assert_eq!(c.index().0, 320);
}

#[test]
fn a_damaged_backup_keeps_its_valid_objects_and_says_what_was_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let objects = consultation(10);
    let mut bytes: Vec<u8> = objects.iter().flat_map(|o| o.bytes().to_vec()).collect();
    // Flip one byte inside the fifth object's signature.
    let fifth_end: usize = objects[..5].iter().map(|o| o.bytes().len()).sum();
    bytes[fifth_end - 1] ^= 0x01;
    let file = dir.path().join("damaged.cborseq");
    std::fs::write(&file, &bytes).expect("write");
    let data = dir.path().join("data");
    let out = baraza(&[
        "node",
        "import",
        file.to_str().expect("utf-8"),
        "--data-dir",
        data.to_str().expect("utf-8"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("9 stored") && stdout.contains("1 invalid"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipped an object"));
}
