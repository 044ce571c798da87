//! `baraza key new`, `show`, `export` and `import`: create, display and
//! move the signing key.
//!
//! `export` and `import` move a key between the CLI and a browser (a node's
//! "/identity" page, WebCrypto) as a passphrase-sealed file in the portable
//! keystore variant; docs/KEYS.md has both formats.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use baraza_protocol::Keypair;
use clap::Subcommand;

use super::{Globals, EXIT_CODES};
use crate::keystore::{KdfCost, Keystore, KeystoreError};
use crate::passphrase::{self, Purpose};

/// The `key` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Generate a new signing key and store it encrypted under a passphrase.
    ///
    /// The passphrase comes from BARAZA_PASSPHRASE, or is asked twice on the
    /// terminal. The keystore file is created with mode 0600. Prints the new
    /// key's did:key on stdout.
    #[command(after_help = EXIT_CODES)]
    New {
        /// Replace an existing keystore. The old key is lost for good unless
        /// you have a copy: objects it signed stay valid, but you can no
        /// longer sign as it.
        #[arg(long)]
        force: bool,
    },
    /// Print the did:key of the stored key (no passphrase needed).
    #[command(after_help = EXIT_CODES)]
    Show {
        /// Print {"did": ..., "keystore": PATH} as JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// Write your key to a file a browser can import, sealed under your
    /// keystore passphrase.
    ///
    /// Unlocks the keystore (passphrase from BARAZA_PASSPHRASE or the
    /// terminal) and writes FILE in the portable format (PBKDF2-SHA256 and
    /// AES-256-GCM, which WebCrypto has) under the same passphrase, with
    /// mode 0600. Import it on a node's "/identity" web page or with
    /// `baraza key import FILE` on another machine. Anyone with the file and
    /// the passphrase can sign as you: keep it as safe as the keystore.
    /// Prints the key's did:key on stdout.
    ///
    /// Example: baraza key export --out my-key.json
    #[command(after_help = EXIT_CODES)]
    Export {
        /// Where to write the key file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
        /// Print {"did": ..., "file": FILE} as JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// Make a key file (from `key export` or a node's "/identity" page) your
    /// signing key.
    ///
    /// Reads FILE (either keystore format), opens it with its passphrase
    /// (from BARAZA_PASSPHRASE or the terminal) and saves the key as your
    /// keystore, sealed again with Argon2id under the same passphrase.
    /// Refuses to replace a keystore holding a different key unless --force
    /// is given; importing the key you already have just re-seals it.
    /// Prints the key's did:key on stdout.
    ///
    /// Example: baraza key import my-key.json
    #[command(after_help = EXIT_CODES)]
    Import {
        /// The key file to import.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Replace an existing keystore even if it holds a different key.
        /// That key is lost for good unless you have a copy.
        #[arg(long)]
        force: bool,
        /// Print {"did": ..., "keystore": PATH} as JSON instead.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a `key` subcommand.
pub(crate) fn run(globals: &Globals, command: &KeyCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeyCommand::New { force } => new(globals, *force),
        KeyCommand::Show { json } => show(globals, *json),
        KeyCommand::Export { out, force, json } => export(globals, out, *force, *json),
        KeyCommand::Import { file, force, json } => import(globals, file, *force, *json),
    }
}

fn new(globals: &Globals, force: bool) -> anyhow::Result<ExitCode> {
    let path = globals.keystore_path()?;
    // Fail before asking for a passphrase; `save` checks again atomically.
    if !force && std::fs::symlink_metadata(&path).is_ok() {
        return Err(KeystoreError::AlreadyExists(path).into());
    }
    let passphrase = passphrase::obtain(Purpose::NewKey, false)?;
    let keypair = Keypair::generate();
    let store = Keystore::seal(&keypair, &passphrase, KdfCost::DEFAULT)?;
    store.save(&path, force)?;
    eprintln!("wrote keystore {}", path.display());
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", keypair.public().to_did()).context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}

fn show(globals: &Globals, json: bool) -> anyhow::Result<ExitCode> {
    let path = globals.keystore_path()?;
    let did = Keystore::load(&path)?.public().to_did();
    let mut stdout = std::io::stdout().lock();
    if json {
        let value = serde_json::json!({ "did": did, "keystore": path.display().to_string() });
        writeln!(stdout, "{value:#}")
    } else {
        writeln!(stdout, "{did}")
    }
    .context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}

fn export(globals: &Globals, out: &Path, force: bool, json: bool) -> anyhow::Result<ExitCode> {
    let refuse = || {
        anyhow::anyhow!(
            "{} already exists; pass --force to replace it, or choose another --out",
            out.display()
        )
    };
    // Fail before asking for a passphrase; `write_file` checks again atomically.
    if !force && std::fs::symlink_metadata(out).is_ok() {
        return Err(refuse());
    }
    let (keypair, passphrase) = globals.unlock_key_and_passphrase(false)?;
    let portable = Keystore::seal_portable(&keypair, &passphrase)?;
    match portable.write_file(out, force) {
        Err(KeystoreError::AlreadyExists(_)) => return Err(refuse()),
        other => other?,
    }
    let did = keypair.public().to_did();
    eprintln!(
        "wrote {} (your key, sealed under your keystore passphrase); import it on a node's \
         \"/identity\" web page or with `baraza key import {}`",
        out.display(),
        out.display()
    );
    print_did(&did, json.then_some(("file", out)))
}

fn import(globals: &Globals, file: &Path, force: bool, json: bool) -> anyhow::Result<ExitCode> {
    let incoming = match Keystore::load(file) {
        Err(KeystoreError::NotFound(_)) => bail!("no key file at {}", file.display()),
        other => other?,
    };
    let did = incoming.public().to_did();
    let path = globals.keystore_path()?;
    // Decide before asking for a passphrase, so a refusal costs nothing.
    let existing = match Keystore::load(&path) {
        Ok(existing) => Some(existing.public().to_did()),
        Err(KeystoreError::NotFound(_)) => None,
        Err(e) if force => {
            eprintln!("replacing unreadable keystore {}: {e}", path.display());
            None
        }
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
                "cannot tell which key {} holds; pass --force to replace it with {did}",
                path.display()
            )))
        }
    };
    if let Some(old) = existing.as_ref().filter(|old| **old != did && !force) {
        bail!(
            "keystore {} holds another key, {old}; {} holds {did}. Pass --force to replace \
             {old} (it is then lost unless you have a copy), or import into another keystore \
             with --keystore PATH",
            path.display(),
            file.display()
        );
    }
    let passphrase = passphrase::obtain(Purpose::Unlock, false)?;
    let keypair = incoming.unlock(&passphrase).with_context(|| {
        format!(
            "cannot open {} (give the passphrase it was exported under)",
            file.display()
        )
    })?;
    let store = Keystore::seal(&keypair, &passphrase, KdfCost::DEFAULT)?;
    store.save(&path, force || existing.is_some())?;
    match existing {
        Some(old) if old == did => eprintln!(
            "keystore {} already held {did}; saved it again, sealed under the passphrase of {}",
            path.display(),
            file.display()
        ),
        Some(old) => eprintln!("replaced {old} with {did} in keystore {}", path.display()),
        None => eprintln!("imported {did} into keystore {}", path.display()),
    }
    print_did(&did, json.then_some(("keystore", &path)))
}

/// Prints `did` on stdout, or with `json` = (field, path) as
/// `{"did": ..., field: path}`.
fn print_did(did: &str, json: Option<(&str, &Path)>) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match json {
        Some((field, path)) => {
            let mut value = serde_json::json!({ "did": did });
            value[field] = path.display().to_string().into();
            writeln!(stdout, "{value:#}")
        }
        None => writeln!(stdout, "{did}"),
    }
    .context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}
