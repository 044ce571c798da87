//! Helpers for the workspace-level integration tests in `tests/tests/`:
//! start the real `baraza` binary as a node on loopback with a real data
//! dir, talk to it over HTTP, kill it.

pub mod browser;
pub mod corpus;
pub mod hostile;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use baraza_protocol::kinds::*;
use baraza_protocol::{Body, Keypair, ObjectId, SignedObject};
use baraza_testkit::client::BlockingClient;
use baraza_testkit::fixtures::{CharterBuilder, DAY, FEB_2024};
use baraza_testkit::keys;

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

/// How a test node joins the network.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// Network id.
    pub network: String,
    /// Peers to bootstrap from (multiaddrs with /p2p/).
    pub bootstrap: Vec<String>,
    /// Kademlia discovery (off gives a fixed topology).
    pub discovery: bool,
    /// Seconds between periodic syncs.
    pub sync_interval_secs: u64,
    /// A configuration file's text (TOML), given with `--config`.
    pub config: Option<String>,
}

impl Default for NodeOptions {
    fn default() -> Self {
        NodeOptions {
            network: "baraza-test".into(),
            bootstrap: Vec::new(),
            discovery: false,
            sync_interval_secs: 60,
            config: None,
        }
    }
}

/// A node started from the real binary.
pub struct NodeProcess {
    child: Child,
    /// Its API (the process derefs to it: `node.url`, `node.p2p()`, …).
    api: NodeApi,
}

impl std::ops::Deref for NodeProcess {
    type Target = NodeApi;

    fn deref(&self) -> &NodeApi {
        &self.api
    }
}

impl NodeProcess {
    /// Starts `baraza node run` on `data_dir`, API on an ephemeral loopback port.
    pub fn start(data_dir: &Path) -> NodeProcess {
        NodeProcess::start_with(data_dir, &NodeOptions::default())
    }

    /// Starts a node with peer-protocol options.
    pub fn start_with(data_dir: &Path, options: &NodeOptions) -> NodeProcess {
        let mut command = Command::new(baraza_bin());
        command
            .args([
                "node",
                "run",
                "--http",
                "127.0.0.1:0",
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--network-id",
                &options.network,
                "--data-dir",
            ])
            .arg(data_dir)
            .env_remove("BARAZA_CONFIG")
            .env("HOME", data_dir)
            .env(
                "RUST_LOG",
                std::env::var("BARAZA_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .env(
                "BARAZA_DISCOVERY",
                if options.discovery { "1" } else { "0" },
            )
            .env(
                "BARAZA_SYNC_INTERVAL_SECS",
                options.sync_interval_secs.to_string(),
            );
        for peer in &options.bootstrap {
            command.arg("--bootstrap").arg(peer);
        }
        if let Some(text) = &options.config {
            std::fs::create_dir_all(data_dir).expect("data dir");
            let path = data_dir.join("test-node.toml");
            std::fs::write(&path, text).expect("write the test config");
            command.arg("--config").arg(path);
        }
        let mut child = command
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
        NodeProcess {
            child,
            api: NodeApi::new(&url),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory now and at its peak, in KiB (`/proc/<pid>/status`).
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("/proc/<pid>/status");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
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

/// A node's API, through the typed blocking client of `baraza-testkit`
/// (one keep-alive client, made on first use, so a node can be started
/// and dropped inside an async test).
pub struct NodeApi {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    client: BlockingClient,
}

impl NodeApi {
    /// The API at `url`.
    pub fn new(url: &str) -> NodeApi {
        NodeApi {
            url: url.to_owned(),
            client: BlockingClient::new(url),
        }
    }

    /// The typed client of this node.
    pub fn client(&self) -> &BlockingClient {
        &self.client
    }

    /// The keep-alive client for this node.
    pub fn http(&self) -> &reqwest::blocking::Client {
        self.client.http()
    }

    /// `GET /v1/p2p`.
    pub fn p2p(&self) -> serde_json::Value {
        self.client.p2p_json()
    }

    /// The node's first peer address, with `/p2p/<peer id>`.
    pub fn peer_addr(&self) -> String {
        self.p2p()["listen"][0]
            .as_str()
            .expect("a listen address")
            .to_owned()
    }

    /// `(keys, fingerprint)` of the node's sync index: equal on two nodes
    /// exactly when they hold the same objects.
    /// Waits (up to a minute) while the index loads after start-up.
    pub fn index(&self) -> (u64, String) {
        let mut index = None;
        let loaded = eventually(Duration::from_secs(60), || {
            index = self.client.index();
            index.is_some()
        });
        assert!(loaded, "the sync index of {} did not load", self.url);
        let (keys, fingerprint) = index.expect("loaded");
        (keys as u64, fingerprint)
    }

    /// Submits objects in bulk batches; panics unless every one is stored or known.
    pub fn submit(&self, objects: &[SignedObject]) {
        for batch in objects.chunks(2000) {
            self.submit_sequence(batch.iter().flat_map(|o| o.bytes().to_vec()).collect());
        }
    }

    /// Submits a CBOR sequence of objects in one request; panics unless
    /// the node answers with success.
    pub fn submit_sequence(&self, body: Vec<u8>) {
        let answer = self.client.submit_seq(body);
        assert!(
            (200..300).contains(&answer.status),
            "submission refused: {} {:?}",
            answer.status,
            answer.body
        );
    }

    /// Whether the node holds object `id`.
    pub fn has(&self, id: &ObjectId) -> bool {
        self.client.has(id)
    }

    /// `POST /v1/p2p/dial`.
    pub fn dial(&self, peer: &str) {
        let answer = self.client.dial(peer);
        assert!(
            (200..300).contains(&answer.status),
            "dial refused: {}",
            answer.status
        );
    }

    /// POSTs one encoded object; the status and the JSON answer.
    pub fn post_object(&self, bytes: &[u8]) -> (u16, serde_json::Value) {
        self.client.submit_bytes_json(bytes)
    }

    /// The Prometheus text of `/metrics`.
    pub fn metrics(&self) -> String {
        self.client.metrics()
    }

    /// The value of one sample in `/metrics` (`name` with its labels, as
    /// printed), or 0 when the node does not print it.
    pub fn metric(&self, name: &str) -> f64 {
        self.metrics()
            .lines()
            .find_map(|line| {
                let (sample, value) = line.rsplit_once(' ')?;
                (sample == name).then(|| value.parse().ok()).flatten()
            })
            .unwrap_or(0.0)
    }
}

/// Polls `check` every 100 ms until it holds or `limit` passes; returns
/// whether it held. (A generous limit, not a timing assertion.)
pub fn eventually(limit: Duration, check: impl FnMut() -> bool) -> bool {
    eventually_every(limit, Duration::from_millis(100), check)
}

/// [`eventually`], polling every `every`.
pub fn eventually_every(limit: Duration, every: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if check() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(every);
    }
}

/// The charter and `n - 1` comments on it: `n` objects.
pub fn consultation(n: u64) -> Vec<SignedObject> {
    let c = charter();
    let id = c.id();
    let mut objects = vec![c];
    objects.extend((1..n).map(|i| comment(id, i)));
    objects
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// 2024-02-01T00:00:00Z in ms.
pub const T0: u64 = FEB_2024;

/// A small consultation charter signed by steward key `[1; 32]`.
pub fn charter() -> SignedObject {
    CharterBuilder::new(T0)
        .section("whole-and-open", "Whole and open")
        .phase("consultation", T0, T0 + 30 * DAY, &[Kind::Comment])
        .steward(keys::steward().public())
        .sign(&keys::steward())
}

/// Comment number `n` on the charter, by key `[2; 32]`.
pub fn comment(charter: ObjectId, n: u64) -> SignedObject {
    comment_by(
        charter,
        T0 + n,
        &keys::key(2),
        format!("Comment number {n}: keep the Internet whole and open."),
    )
}

/// A comment on the charter's section, dated `created_at`, by `key`.
pub fn comment_by(charter: ObjectId, created_at: u64, key: &Keypair, text: String) -> SignedObject {
    let body = Comment {
        created_at,
        charter,
        section: "whole-and-open".into(),
        draft: None,
        anchor: None,
        in_reply_to: None,
        language: "en".into(),
        text,
    };
    SignedObject::sign(Body::Comment(body), key).expect("valid comment")
}
