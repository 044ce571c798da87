//! Browser tests: headless Chromium, driven by the Node.js scripts in
//! `tests/browser/` (playwright-core and axe-core), against real nodes on
//! loopback.
//!
//! A test starts the nodes it needs (usually [`ExampleNetwork`]: two peered
//! nodes holding the IWW 2024 example) and hands them to
//! [`run_browser_script`], which runs one script and fails the test when the
//! script exits non-zero. The scripts share `tests/browser/lib.mjs`.
//!
//! Prerequisites: `node` on `PATH`, Chromium at `BARAZA_CHROMIUM` or
//! `/usr/bin/chromium`, and `tests/browser/node_modules` (from `npm ci`).
//! `.ci/run` installs all three. Outside CI, a missing one skips the test
//! with a message instead of failing it.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::{baraza_bin, eventually, NodeApi, NodeOptions, NodeProcess};

/// Longest a script may run before it is killed and the test fails. (The
/// read-only pages take about a minute on a 2-core machine.)
pub const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

/// How long to wait for the second node to hold the example.
const SYNC_WAIT: Duration = Duration::from_secs(120);

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The folder of the browser scripts, `tests/browser/`.
pub fn scripts_dir() -> PathBuf {
    workspace().join("tests/browser")
}

/// The Chromium the scripts drive: `BARAZA_CHROMIUM`, else Debian's.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("BARAZA_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Two peered nodes that both hold the IWW 2024 example: it is loaded into
/// `a` and reaches `b` by sync, so what a browser sees on `b` crossed the
/// peer protocol first.
pub struct ExampleNetwork {
    /// The node the example was submitted to.
    pub a: NodeProcess,
    /// A node bootstrapped from `a`, holding the same objects.
    pub b: NodeProcess,
    /// The example's object count, which both nodes hold.
    pub objects: u64,
    /// The data dirs; declared after the nodes so they outlive them.
    _dirs: [TempDir; 2],
}

impl ExampleNetwork {
    /// Starts `a`, loads the example into it, starts `b` bootstrapped from
    /// `a`, and waits until both hold every object of the example.
    pub fn start() -> ExampleNetwork {
        let dirs = [
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
        ];
        let a = NodeProcess::start_with(dirs[0].path(), &NodeOptions::default());
        let objects = load_example(&a);
        let b = NodeProcess::start_with(
            dirs[1].path(),
            &NodeOptions {
                bootstrap: vec![a.peer_addr()],
                ..NodeOptions::default()
            },
        );
        assert!(
            eventually(SYNC_WAIT, || a.index().0 == objects),
            "node A holds {:?} after the import, expected {objects} objects",
            a.index()
        );
        assert!(
            eventually(SYNC_WAIT, || b.index() == a.index()),
            "node B did not sync the example: {:?} vs {:?}",
            b.index(),
            a.index()
        );
        ExampleNetwork {
            a,
            b,
            objects,
            _dirs: dirs,
        }
    }

    /// Both nodes, for [`run_browser_script`].
    pub fn nodes(&self) -> [&NodeProcess; 2] {
        [&self.a, &self.b]
    }
}

/// The files of the IWW 2024 example, `examples/iww-2024/objects/*/*.cbor`.
pub fn example_files() -> Vec<PathBuf> {
    let root = workspace().join("examples/iww-2024/objects");
    let mut files = Vec::new();
    for kind in std::fs::read_dir(&root).expect("examples/iww-2024/objects") {
        let kind = kind.expect("a kind folder").path();
        if !kind.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&kind).expect("a kind folder") {
            let file = file.expect("an object file").path();
            if file.extension().is_some_and(|e| e == "cbor") {
                files.push(file);
            }
        }
    }
    files.sort();
    files
}

/// Submits the IWW 2024 example to `node` in one `application/cbor-seq`
/// request (objects whose references come later in the batch are held
/// pending and stored when they arrive); returns how many objects it has.
pub fn load_example(node: &NodeApi) -> u64 {
    let files = example_files();
    let mut body = Vec::new();
    for file in &files {
        body.extend(std::fs::read(file).expect("read an example object"));
    }
    node.submit_sequence(body);
    files.len() as u64
}

/// What a browser test needs and this machine lacks, each with how to get it.
pub fn missing_prerequisites() -> Vec<String> {
    let mut missing = Vec::new();
    let node_runs = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !node_runs {
        missing.push("`node` on PATH (Node.js 20 or later)".to_owned());
    }
    let chromium = chromium_path();
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium at {} (set BARAZA_CHROMIUM, or `apt-get install chromium`)",
            chromium.display()
        ));
    }
    let modules = scripts_dir().join("node_modules");
    for package in ["playwright-core", "axe-core"] {
        if !modules.join(package).join("package.json").is_file() {
            missing.push(format!(
                "{} (run `npm ci --prefix tests/browser`)",
                modules.join(package).display()
            ));
        }
    }
    missing
}

/// Runs `node tests/browser/<script>` against `nodes` and asserts it exits 0.
///
/// The script gets `BARAZA_NODE_A`, `BARAZA_NODE_B`, … (the nodes' base
/// URLs, in order), `BARAZA_ARTIFACTS` (`<target>/browser-artifacts/<script
/// stem>`, emptied first: screenshots and axe results), `BARAZA_BIN` (the
/// `baraza` binary) and `BARAZA_CHROMIUM`. Its output is forwarded line by
/// line (shown with `--nocapture` or when the test fails). After
/// [`SCRIPT_TIMEOUT`] the script, with the Chromium it started, is killed.
///
/// When a prerequisite is missing ([`missing_prerequisites`]) this panics
/// under CI (`CI` set), where `.ci/run` should have installed it, and
/// otherwise prints `skipped: …` and returns.
pub fn run_browser_script(script: &str, nodes: &[&NodeProcess]) {
    let missing = missing_prerequisites();
    if !missing.is_empty() {
        let list = missing.join("; ");
        assert!(
            std::env::var_os("CI").is_none(),
            "browser test {script}: missing {list}. .ci/run installs these in its \
             \"browser test tools\" step (apt-get install chromium, npm ci --prefix tests/browser)"
        );
        println!("skipped: browser test {script}: missing {list}");
        return;
    }
    let path = scripts_dir().join(script);
    assert!(path.is_file(), "no browser script {}", path.display());
    let stem = Path::new(script)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a script name");
    let target = baraza_bin()
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/baraza")
        .to_path_buf();
    let artifacts = target.join("browser-artifacts").join(stem);
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("create the artefacts dir");

    let mut command = Command::new("node");
    command
        .arg(&path)
        .current_dir(workspace())
        .env("BARAZA_ARTIFACTS", &artifacts)
        .env("BARAZA_BIN", baraza_bin())
        .env("BARAZA_CHROMIUM", chromium_path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (i, node) in nodes.iter().enumerate() {
        let letter = char::from(b'A' + u8::try_from(i).expect("at most 26 nodes"));
        command.env(format!("BARAZA_NODE_{letter}"), &node.url);
    }
    // Its own process group, so a timeout kills Chromium along with node.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().expect("start node");
    let forwarders = [
        forward(child.stdout.take().expect("piped stdout"), false),
        forward(child.stderr.take().expect("piped stderr"), true),
    ];
    let status = wait_or_kill(&mut child, SCRIPT_TIMEOUT);
    for forwarder in forwarders {
        let _ = forwarder.join();
    }
    let status = status.unwrap_or_else(|| {
        panic!(
            "browser test {script} did not finish within {} s and was killed",
            SCRIPT_TIMEOUT.as_secs()
        )
    });
    assert!(
        status.success(),
        "browser test {script} failed ({status}); its output is above, \
         screenshots and axe results in {}",
        artifacts.display()
    );
    println!("artefacts: {}", artifacts.display());
}

/// Prints each line of `stream` from a thread (so the test harness
/// captures it like the test's own output).
fn forward(stream: impl Read + Send + 'static, to_stderr: bool) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if to_stderr {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
        }
    })
}

/// Waits for `child` up to `limit`; past it, kills its process group and
/// returns `None`.
fn wait_or_kill(child: &mut std::process::Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait for the script") {
            return Some(status);
        }
        if Instant::now() > deadline {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
