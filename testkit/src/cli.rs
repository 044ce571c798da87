//! A temporary home for running the real `baraza` binary: keystores and
//! files in a temp dir, every command with only the environment set here
//! (so nothing touches the user's real home), optionally aimed at a node.
//!
//! The binary's path comes from the test (`env!("CARGO_BIN_EXE_baraza")`
//! exists only in the CLI package's own tests).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::assert::Assert;
use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The passphrase of every test keystore.
pub const PASSPHRASE: &str = "correct horse battery staple";

/// How long a command aimed at a node may take.
const NODE_COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// Keystores and files of one test, and `baraza` commands run in them.
#[derive(Debug)]
pub struct Env {
    dir: TempDir,
    bin: PathBuf,
    /// The node's URL (`BARAZA_NODE`), for commands that talk to one.
    node: Option<String>,
}

impl Env {
    /// A fresh temp home for the binary at `bin`.
    pub fn new(bin: impl Into<PathBuf>) -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
            bin: bin.into(),
            node: None,
        }
    }

    /// A fresh temp home whose commands talk to the node at `url`.
    pub fn with_node(bin: impl Into<PathBuf>, url: &str) -> Env {
        Env {
            node: Some(url.to_owned()),
            ..Env::new(bin)
        }
    }

    /// The temp home itself.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `name` inside the temp home.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `baraza` with keystore file `keystore` (relative to the temp home)
    /// and the passphrase set, HOME pointing into the temp home, and
    /// `BARAZA_NODE` when the env has a node.
    pub fn baraza(&self, keystore: &str) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env_clear()
            .env("HOME", self.dir.path())
            .env("BARAZA_KEYSTORE", self.path(keystore))
            .env("BARAZA_PASSPHRASE", PASSPHRASE);
        if let Some(node) = &self.node {
            cmd.env("BARAZA_NODE", node).timeout(NODE_COMMAND_TIMEOUT);
        }
        cmd
    }

    /// Runs `key new` into `keystore`; checks it printed an Ed25519
    /// did:key and returns it.
    pub fn new_key(&self, keystore: &str) -> String {
        let out = self
            .baraza(keystore)
            .args(["key", "new"])
            .assert()
            .success();
        let did = stdout(&out).trim().to_owned();
        assert!(
            did.starts_with("did:key:z6Mk"),
            "not an Ed25519 did:key: {did}"
        );
        did
    }

    /// Writes `body` as JSON to file `name`; returns its path.
    pub fn body_file(&self, name: &str, body: &Value) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, serde_json::to_vec(body).expect("json")).expect("write body");
        path
    }

    /// `baraza sign KIND --body FILE` with `keystore`: the object's bytes.
    pub fn sign_file(&self, keystore: &str, kind: &str, body: &Path) -> Vec<u8> {
        let out = self
            .baraza(keystore)
            .arg("sign")
            .arg(kind)
            .arg("--body")
            .arg(body)
            .assert()
            .success();
        out.get_output().stdout.clone()
    }

    // People, for the tests that play a consultation: person `who` holds
    // keystore `<who>.json`, and a command is one line split by [`argv`].

    /// The keystore file of person `who`.
    pub fn keystore_of(who: &str) -> String {
        format!("{who}.json")
    }

    /// `baraza LINE` as person `who`.
    pub fn run(&self, who: &str, line: &str) -> Command {
        let mut cmd = self.baraza(&Env::keystore_of(who));
        cmd.args(argv(line));
        cmd
    }

    /// Creates person `who`'s keystore; returns their did:key.
    pub fn new_person(&self, who: &str) -> String {
        self.new_key(&Env::keystore_of(who))
    }

    /// Runs a signing verb as `who`; checks it printed just the new id
    /// and that a node stored it.
    pub fn submit(&self, who: &str, line: &str) -> String {
        let out = self.run(who, line).assert().success();
        let id = stdout(&out).trim().to_owned();
        assert!(is_id(&id), "{line:?} printed {id:?}, not an object id");
        assert!(stderr(&out).contains("stored by"), "{}", stderr(&out));
        id
    }

    /// Runs a command as `who` and parses its stdout as JSON.
    pub fn json(&self, who: &str, line: &str) -> Value {
        let out = self.run(who, line).assert().success();
        serde_json::from_str(&stdout(&out)).expect("stdout is JSON")
    }

    /// Signs a JSON body as `kind` with `baraza sign`, as `who`.
    pub fn sign_json(&self, who: &str, kind: &str, body: &Value) -> Vec<u8> {
        let path = self.body_file("body.json", body);
        self.sign_file(&Env::keystore_of(who), kind, &path)
    }
}

/// Splits a command line on whitespace; 'single quotes' keep spaces.
/// (Temporary paths have neither spaces nor quotes.)
pub fn argv(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                current.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => args.extend(current.take()),
            c => current.get_or_insert_with(String::new).push(c),
        }
    }
    assert!(!quoted, "unbalanced quote in {line:?}");
    args.extend(current);
    args
}

/// A finished command's stdout, which must be UTF-8.
pub fn stdout(assert: &Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).expect("utf-8 stdout")
}

/// A finished command's stderr, which must be UTF-8.
pub fn stderr(assert: &Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).expect("utf-8 stderr")
}

/// Whether `text` is a 64-digit hex object id.
pub fn is_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A node started from the real binary (`baraza node run` on loopback,
/// ports chosen by the OS, a fresh data dir, only the environment given
/// here), killed on drop.
pub struct NodeChild {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    _data: TempDir,
}

impl NodeChild {
    /// Starts `bin node run` with the variables `env`; waits (up to a
    /// minute) for the line naming its address.
    pub fn start(bin: impl AsRef<Path>, env: &[(&str, &str)]) -> NodeChild {
        use std::io::{BufRead, BufReader};
        use std::process::Stdio;
        let data = tempfile::tempdir().expect("temp data dir");
        let mut command = std::process::Command::new(bin.as_ref());
        command
            .args(["node", "run", "--http", "127.0.0.1:0"])
            .args(["--listen", "/ip4/127.0.0.1/tcp/0", "--data-dir"])
            .arg(data.path())
            .env_clear()
            .env("HOME", data.path())
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("start baraza node");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let url = loop {
            assert!(
                std::time::Instant::now() < deadline,
                "the node did not report its address"
            );
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(at) = line.find("http://") {
                        break line[at..].trim().to_owned();
                    }
                }
                _ => panic!("the node exited before serving"),
            }
        };
        // Keep draining stdout so the node never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        NodeChild {
            child,
            url,
            _data: data,
        }
    }
}

impl Drop for NodeChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_keeps_quoted_spaces() {
        assert_eq!(argv("a 'b c'  d"), ["a", "b c", "d"]);
        assert_eq!(argv("x ''"), ["x", ""]);
    }
}
