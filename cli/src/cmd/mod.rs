//! The subcommands, one file each, and what they share: the global options
//! and bounded reading of input files.

pub(crate) mod attest;
pub(crate) mod audit;
pub(crate) mod audit_render;
pub(crate) mod backup;
pub(crate) mod bundle;
pub(crate) mod charter;
pub(crate) mod comment;
pub(crate) mod devnet;
pub(crate) mod draft;
pub(crate) mod endorse;
pub(crate) mod example;
pub(crate) mod export;
pub(crate) mod get;
pub(crate) mod import;
pub(crate) mod inspect;
pub(crate) mod key;
pub(crate) mod log;
pub(crate) mod ls;
pub(crate) mod node;
pub(crate) mod peers;
pub(crate) mod profile;
pub(crate) mod receipt;
pub(crate) mod retract;
pub(crate) mod revoke;
pub(crate) mod sign;
pub(crate) mod submit;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};

use crate::keystore::{self, Keystore};
use crate::passphrase::{self, Purpose};

/// Shown after every `--help`.
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  an object or input is invalid, or the operation failed
  2  usage error (unknown command, bad or missing argument)

Environment:
  BARAZA_KEYSTORE    keystore path (same as --keystore)
  BARAZA_PASSPHRASE  keystore passphrase; when unset it is asked on the terminal
  BARAZA_NODE        the node's URL (same as --node)";

/// Options every subcommand sees.
#[derive(Debug, Clone)]
pub(crate) struct Globals {
    /// `--keystore` / `BARAZA_KEYSTORE`; `None` means the default location.
    pub(crate) keystore: Option<PathBuf>,
    /// `--node` / `BARAZA_NODE`: the base URL of the node the
    /// submitting and reading commands talk to.
    pub(crate) node: String,
    /// Whether the node was named (flag or variable) rather than the
    /// default: commands that work offline contact a node only then.
    pub(crate) node_given: bool,
}

impl Globals {
    /// A client of the `--node` node.
    pub(crate) fn client(&self) -> anyhow::Result<crate::client::NodeClient> {
        Ok(crate::client::NodeClient::new(&self.node)?)
    }

    /// The keystore path: the flag or variable, else the XDG default.
    pub(crate) fn keystore_path(&self) -> anyhow::Result<PathBuf> {
        if let Some(path) = &self.keystore {
            return Ok(path.clone());
        }
        let env_path = |name| std::env::var_os(name).map(PathBuf::from);
        keystore::default_path(env_path("XDG_CONFIG_HOME"), env_path("HOME")).ok_or_else(|| {
            anyhow!(
                "cannot choose a keystore location: neither XDG_CONFIG_HOME nor HOME is set; \
                 pass --keystore PATH or set BARAZA_KEYSTORE"
            )
        })
    }

    /// Loads the keystore and unlocks it with a passphrase from the
    /// environment or the terminal. `stdin_busy` as in [`passphrase::obtain`].
    pub(crate) fn unlock_key(&self, stdin_busy: bool) -> anyhow::Result<baraza_protocol::Keypair> {
        Ok(self.unlock_key_and_passphrase(stdin_busy)?.0)
    }

    /// [`Globals::unlock_key`], also giving back the passphrase (to seal a
    /// copy of the key under it).
    pub(crate) fn unlock_key_and_passphrase(
        &self,
        stdin_busy: bool,
    ) -> anyhow::Result<(baraza_protocol::Keypair, zeroize::Zeroizing<Vec<u8>>)> {
        let path = self.keystore_path()?;
        let store = Keystore::load(&path)?;
        if keystore::is_shared(&path) {
            eprintln!(
                "warning: keystore {} is readable by other users; run `chmod 600` on it",
                path.display()
            );
        }
        let passphrase = passphrase::obtain(Purpose::Unlock, stdin_busy)?;
        let keypair = store.unlock(&passphrase)?;
        Ok((keypair, passphrase))
    }
}

/// Writes an object's raw bytes to `out`, or to stdout when there is none.
pub(crate) fn write_object_bytes(out: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    match out {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut stdout = io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .context("cannot write to stdout")
        }
    }
}

/// A file argument where `-` means stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// Standard input.
    Stdin,
    /// A named file.
    File(PathBuf),
}

impl Input {
    /// Parses a command-line value.
    pub(crate) fn from_arg(arg: &Path) -> Input {
        if arg.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::File(arg.to_path_buf())
        }
    }

    /// How to name this input in messages.
    pub(crate) fn name(&self) -> String {
        match self {
            Input::Stdin => "stdin".into(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

/// The result of a bounded read.
#[derive(Debug)]
pub(crate) enum Bounded {
    /// The whole input, at most the limit.
    Complete(Vec<u8>),
    /// The input is larger than the limit. `size` is exact for regular files
    /// (which are not read at all) and `None` for streams.
    TooLarge {
        /// The file's size when known.
        size: Option<u64>,
    },
}

/// Reads `input`, refusing more than `limit` bytes without reading them all:
/// a regular file's size is checked before reading, a stream is read to at
/// most `limit + 1` bytes.
pub(crate) fn read_bounded(input: &Input, limit: usize) -> anyhow::Result<Bounded> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    match input {
        Input::Stdin => {
            io::stdin()
                .lock()
                .take(cap)
                .read_to_end(&mut bytes)
                .context("cannot read stdin")?;
        }
        Input::File(path) => {
            let file =
                File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            let meta = file
                .metadata()
                .with_context(|| format!("cannot stat {}", path.display()))?;
            if meta.is_file() && meta.len() > cap - 1 {
                return Ok(Bounded::TooLarge {
                    size: Some(meta.len()),
                });
            }
            file.take(cap)
                .read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {}", path.display()))?;
        }
    }
    if bytes.len() > limit {
        return Ok(Bounded::TooLarge { size: None });
    }
    Ok(Bounded::Complete(bytes))
}
