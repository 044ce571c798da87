//! A node whose disk fills up: writes are refused with a clear error
//! (507 `disk_full`), reads keep working, nothing acknowledged is lost,
//! and writes resume once space is freed — without a restart.
//!
//! The data dir is on a real, small tmpfs mounted for the test (root only;
//! elsewhere the test says it is skipped). The node keeps 64 MiB free by
//! default (`store.min_free_mb`); the filler takes the disk below that.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use baraza_tests::{comment, consultation, NodeProcess};

/// A tmpfs mounted on a temp dir, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(megabytes: u64) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .ok()?;
        status.success().then_some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Fills the disk until at most `leave` bytes are free.
fn fill(path: &Path, leave: u64) -> PathBuf {
    let filler = path.join("filler");
    let mut file = File::create(&filler).expect("filler");
    let chunk = vec![0xa5u8; 1 << 20];
    while free_bytes(path) > leave {
        let n = (free_bytes(path) - leave).min(chunk.len() as u64) as usize;
        if file.write_all(&chunk[..n.max(4096)]).is_err() {
            break;
        }
    }
    let _ = file.sync_all();
    filler
}

fn free_bytes(path: &Path) -> u64 {
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(path)
        .output()
        .expect("df");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df prints the free bytes")
}

#[test]
fn a_full_disk_refuses_writes_keeps_reads_and_recovers_when_space_returns() {
    if !is_root() {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    }
    let disk = Tmpfs::mount(100).expect("mount a 100 MiB tmpfs");
    let data = disk.path().join("node");
    let node = NodeProcess::start(&data);
    let honest = consultation(20);
    node.submit(&honest);

    // Below the 64 MiB reserve, then completely full.
    for leave in [32 << 20, 0] {
        let filler = fill(disk.path(), leave);
        let next = comment(honest[0].id(), 100 + leave);
        let (status, body) = node.post_object(next.bytes());
        assert_eq!(status, 507, "{body}");
        assert_eq!(body["error"], "disk_full", "{body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("reserve") && message.contains("MiB free"),
            "the error names the problem: {message}"
        );
        assert!(!node.has(&next.id()));
        for object in &honest {
            assert!(node.has(&object.id()), "reads keep working");
        }
        std::fs::remove_file(filler).expect("free the space");
    }

    // Space is back: writes resume without a restart.
    let after = comment(honest[0].id(), 999);
    let (status, body) = node.post_object(after.bytes());
    assert_eq!(status, 201, "{body}");

    // Nothing acknowledged is lost, even by a kill -9.
    node.kill9();
    let node = NodeProcess::start(&data);
    for object in honest.iter().chain([&after]) {
        assert!(node.has(&object.id()), "lost {}", object.id());
    }
}
