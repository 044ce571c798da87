//! `baraza`: keys, signing and inspection of baraza objects.
//!
//! This file only parses arguments and maps outcomes to exit codes; the
//! work lives in [`cmd`], one module per subcommand.

mod cmd;
mod keystore;
mod passphrase;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cmd::inspect::InspectArgs;
use cmd::key::KeyCommand;
use cmd::sign::SignArgs;
use cmd::{Globals, EXIT_CODES};

/// Sign and inspect submissions to baraza consultations.
///
/// baraza carries signed comments, endorsements, drafts and releases of
/// multistakeholder consultations between national and regional IGF nodes.
/// Every object is signed with an Ed25519 key identified by a did:key.
#[derive(Debug, Parser)]
#[command(name = "baraza", version, after_help = EXIT_CODES, propagate_version = true)]
struct Cli {
    /// The keystore file. Default: $XDG_CONFIG_HOME/baraza/key.json, else
    /// $HOME/.config/baraza/key.json.
    #[arg(long, global = true, env = "BARAZA_KEYSTORE", value_name = "PATH")]
    keystore: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create or show your signing key.
    #[command(subcommand, after_help = EXIT_CODES)]
    Key(KeyCommand),
    /// Sign a JSON body as an object of the given kind.
    ///
    /// Example: baraza sign comment --body comment.json --out comment.cose
    #[command(after_help = EXIT_CODES)]
    Sign(SignArgs),
    /// Decode, verify and show a signed object. Exits 1 if it is invalid.
    #[command(after_help = EXIT_CODES)]
    Inspect(InspectArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let globals = Globals {
        keystore: cli.keystore,
    };
    let outcome = match &cli.command {
        Command::Key(command) => cmd::key::run(&globals, command),
        Command::Sign(args) => cmd::sign::run(&globals, args),
        Command::Inspect(args) => cmd::inspect::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            // A reader that went away (`baraza inspect x | head`) needs no
            // message; the exit code still says the output was cut short.
            if !is_broken_pipe(&err) {
                eprintln!("error: {err:#}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Whether `err` was caused by writing to a closed pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
