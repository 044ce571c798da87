//! Helpers for the workspace-level integration tests in `tests/tests/`:
//! start the real `baraza` binary as a node on loopback with a real data
//! dir, talk to it over HTTP, kill it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use baraza_protocol::kinds::*;
use baraza_protocol::{Body, Keypair, ObjectId, SignedObject};

/// The `baraza` binary of the profile these tests were built with.
///
/// `cargo test --workspace` builds it (the CLI's own tests need it); when a
/// test of this crate runs alone and the binary is missing, it is built here
/// for the same profile. (Not rebuilt when present: a lone
/// `cargo build -p baraza-cli` resolves features differently from the
/// workspace and would recompile much of the tree.)
pub fn baraza_bin() -> PathBuf {
    // Tests run from target/<profile>/deps/<test>-<hash>.
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let bin = profile_dir.join("baraza");
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", "baraza-cli", "--bin", "baraza"]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "building the baraza binary failed");
    }
    bin
}

/// A node started from the real binary.
pub struct NodeProcess {
    child: Child,
    /// Base URL of its API, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

impl NodeProcess {
    /// Starts `baraza node run` on `data_dir`, API on an ephemeral loopback port.
    pub fn start(data_dir: &Path) -> NodeProcess {
        let mut child = Command::new(baraza_bin())
            .args([
                "node",
                "run",
                "--http",
                "127.0.0.1:0",
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--data-dir",
            ])
            .arg(data_dir)
            .env_remove("BARAZA_CONFIG")
            .env("HOME", data_dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start baraza node");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = loop {
            assert!(Instant::now() < deadline, "node did not report its address");
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(at) = line.find("http://") {
                        break line[at..].trim().to_owned();
                    }
                }
                _ => panic!("node exited before serving"),
            }
        };
        // Keep draining stdout so the node never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        NodeProcess { child, url }
    }

    /// SIGKILL, no chance to flush.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait for a clean exit; returns whether it exited 0.
    pub fn terminate(mut self) -> bool {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// 2024-02-01T00:00:00Z in ms.
pub const T0: u64 = 1_706_745_600_000;

/// A small consultation charter signed by steward key `[1; 32]`.
pub fn charter() -> SignedObject {
    let steward = Keypair::from_seed(&[1; 32]);
    let body = Charter {
        created_at: T0,
        title: "The Internet We Want".into(),
        summary: None,
        sections: vec![Section {
            slug: "whole-and-open".into(),
            title: "Whole and open".into(),
            summary: None,
        }],
        phases: vec![Phase {
            name: "consultation".into(),
            opens: T0,
            closes: T0 + 30 * 86_400_000,
            accepts: vec![Kind::Comment],
        }],
        stewards: vec![steward.public()],
        threshold: 1,
        policy: EndorsementPolicy {
            min_nris: 1,
            min_regions: 1,
            groups: vec![],
        },
        languages: vec!["en".into()],
    };
    SignedObject::sign(Body::Charter(body), &steward).expect("valid charter")
}

/// Comment number `n` on the charter, by key `[2; 32]`.
pub fn comment(charter: ObjectId, n: u64) -> SignedObject {
    let body = Comment {
        created_at: T0 + n,
        charter,
        section: "whole-and-open".into(),
        draft: None,
        anchor: None,
        in_reply_to: None,
        language: "en".into(),
        text: format!("Comment number {n}: keep the Internet whole and open."),
    };
    SignedObject::sign(Body::Comment(body), &Keypair::from_seed(&[2; 32])).expect("valid comment")
}
