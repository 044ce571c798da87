//! `baraza key new` and `baraza key show`: create and display the signing key.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
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
}

/// Runs a `key` subcommand.
pub(crate) fn run(globals: &Globals, command: &KeyCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeyCommand::New { force } => new(globals, *force),
        KeyCommand::Show { json } => show(globals, *json),
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
