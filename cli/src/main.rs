//! `baraza`: keys, signing and inspection of baraza objects, a node, and
//! the commands that submit to, read from, audit and export a node.
//!
//! This file only parses arguments and maps outcomes to exit codes; the
//! work lives in [`cmd`], one module per subcommand.

mod cborseq;
mod client;
mod cmd;
mod example;
mod files;
mod keystore;
mod logcheck;
mod passphrase;
mod time;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use cmd::attest::AttestArgs;
use cmd::audit::{AuditArgs, AUDIT_EXIT_CODES};
use cmd::bundle::BundleArgs;
use cmd::charter::CharterArgs;
use cmd::comment::CommentArgs;
use cmd::devnet::DevnetArgs;
use cmd::draft::DraftArgs;
use cmd::endorse::EndorseArgs;
use cmd::example::ExampleArgs;
use cmd::export::ExportArgs;
use cmd::get::GetArgs;
use cmd::import::ImportArgs;
use cmd::inspect::InspectArgs;
use cmd::key::KeyCommand;
use cmd::log::LogCommand;
use cmd::ls::LsCommand;
use cmd::node::NodeCommand;
use cmd::peers::{PeersArgs, SyncArgs};
use cmd::profile::ProfileArgs;
use cmd::receipt::ReceiptCommand;
use cmd::retract::RetractArgs;
use cmd::revoke::RevokeArgs;
use cmd::sign::SignArgs;
use cmd::{Globals, EXIT_CODES};

/// Sign, submit, read, audit and export submissions to baraza consultations.
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

    /// The node that submitting and reading commands talk to.
    #[arg(long, global = true, env = "BARAZA_NODE", value_name = "URL",
          default_value = client::DEFAULT_NODE)]
    node: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create, show, export or import your signing key.
    ///
    /// `key export` writes your key as a file that a browser imports on a
    /// node's /identity page; `key import` makes a key file (from a
    /// browser or `key export`) your keystore.
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
    /// Run an NRI node, or write and check its configuration.
    #[command(subcommand, after_help = EXIT_CODES)]
    Node(NodeCommand),
    /// Comment on a section of a consultation (signed and sent to the node).
    ///
    /// Example: baraza comment --charter ID --section whole-and-open --text "…"
    #[command(after_help = EXIT_CODES)]
    Comment(CommentArgs),
    /// Support (or, with --object, object to) any object.
    ///
    /// Example: baraza endorse ID --statement "We support this draft" --on-behalf-of "KICTANet"
    #[command(after_help = EXIT_CODES)]
    Endorse(EndorseArgs),
    /// Say who you are: name, stakeholder group, organisation, country, languages.
    ///
    /// Example: baraza profile --name "Amina W." --group civil_society --country KE --lang en --lang sw
    #[command(after_help = EXIT_CODES)]
    Profile(ProfileArgs),
    /// Vouch for a key's role in a consultation (NRI, editor or stakeholder).
    ///
    /// Example: baraza attest did:key:z6Mk… --charter ID --role stakeholder
    /// --group academia --region african --expires 2025-12-31
    #[command(after_help = EXIT_CODES)]
    Attest(AttestArgs),
    /// Withdraw one of your objects.
    ///
    /// Example: baraza retract ID --reason "posted to the wrong section"
    #[command(after_help = EXIT_CODES)]
    Retract(RetractArgs),
    /// Declare a key (by default your own) compromised or retired.
    #[command(after_help = EXIT_CODES)]
    Revoke(RevokeArgs),
    /// Publish a version of a section's draft (editors).
    ///
    /// Example: baraza draft --charter ID --section whole-and-open --version 2
    /// --parent ID --text-file v2.md --dispositions answers.json
    #[command(after_help = EXIT_CODES)]
    Draft(DraftArgs),
    /// Publish a consultation's charter from a TOML or JSON file (stewards).
    ///
    /// Example: baraza charter --file charter.toml
    #[command(after_help = EXIT_CODES)]
    Charter(CharterArgs),
    /// Fetch one object from the node, check its id and signature, and show it.
    #[command(after_help = EXIT_CODES)]
    Get(GetArgs),
    /// List charters, comments, drafts, endorsements or an author's objects.
    ///
    /// Example: baraza ls comments --charter ID --section whole-and-open
    #[command(subcommand, after_help = EXIT_CODES)]
    Ls(LsCommand),
    /// Audit an object: from the node by ID, or offline from --bundle FILE.
    #[command(after_help = AUDIT_EXIT_CODES)]
    Audit(AuditArgs),
    /// Build the audit bundle of an object from signed-object files, for
    /// offline audit with `baraza audit --bundle FILE`.
    ///
    /// Example: baraza bundle --target ID --out release.bundle objects/
    #[command(after_help = EXIT_CODES)]
    Bundle(BundleArgs),
    /// Write an example consultation from fixed seeds: its signed objects,
    /// the audit bundle of its release and the expected audit report.
    ///
    /// Example: baraza example iww-2024 --out examples/iww-2024
    #[command(after_help = EXIT_CODES)]
    Example(ExampleArgs),
    /// Submit signed objects from .cbor files and directories, in bulk.
    ///
    /// Exits 1 if any object was rejected (each is listed with its reason).
    #[command(after_help = EXIT_CODES)]
    Import(ImportArgs),
    /// Export every comment of a consultation as CSV or JSON, with authors,
    /// stakeholder groups, regions and dispositions.
    ///
    /// Example: baraza export --charter ID --format csv --out comments.csv
    #[command(after_help = EXIT_CODES)]
    Export(ExportArgs),
    /// Show the node's peer id, listen addresses, peers and sync sessions.
    #[command(after_help = EXIT_CODES)]
    Peers(PeersArgs),
    /// Sync the node with one peer now (dialling it if needed) and report
    /// what was fetched. Exits 1 if the session ended early.
    ///
    /// Example: baraza sync --peer /ip4/203.0.113.7/tcp/7071/p2p/12D3KooW…
    #[command(after_help = EXIT_CODES)]
    Sync(SyncArgs),
    /// Start N nodes on loopback that find each other, print their API
    /// URLs, optionally load an example consultation into the first, and
    /// run until Ctrl-C.
    ///
    /// Example: baraza devnet --nodes 3 --example iww-2024
    #[command(after_help = EXIT_CODES)]
    Devnet(DevnetArgs),
    /// Check a node's receipt (saved with --receipt FILE on any signing
    /// command) and that its entry is in the node's transparency log.
    ///
    /// Example: baraza receipt verify comment.receipt --node https://igf.example
    #[command(subcommand, after_help = EXIT_CODES)]
    Receipt(ReceiptCommand),
    /// Show or audit the node's transparency log of every object it stored.
    ///
    /// Example: baraza log verify --node https://igf.example
    #[command(subcommand, after_help = EXIT_CODES)]
    Log(LogCommand),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let node_given = matches
        .value_source("node")
        .is_some_and(|source| source != ValueSource::DefaultValue);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let globals = Globals {
        keystore: cli.keystore,
        node: cli.node,
        node_given,
    };
    let outcome = match &cli.command {
        Command::Key(command) => cmd::key::run(&globals, command),
        Command::Sign(args) => cmd::sign::run(&globals, args),
        Command::Inspect(args) => cmd::inspect::run(args),
        Command::Node(command) => cmd::node::run(&globals, command),
        Command::Comment(args) => cmd::comment::run(&globals, args),
        Command::Endorse(args) => cmd::endorse::run(&globals, args),
        Command::Profile(args) => cmd::profile::run(&globals, args),
        Command::Attest(args) => cmd::attest::run(&globals, args),
        Command::Retract(args) => cmd::retract::run(&globals, args),
        Command::Revoke(args) => cmd::revoke::run(&globals, args),
        Command::Draft(args) => cmd::draft::run(&globals, args),
        Command::Charter(args) => cmd::charter::run(&globals, args),
        Command::Get(args) => cmd::get::run(&globals, args),
        Command::Ls(command) => cmd::ls::run(&globals, command),
        Command::Audit(args) => cmd::audit::run(&globals, args),
        Command::Bundle(args) => cmd::bundle::run(args),
        Command::Example(args) => cmd::example::run(args),
        Command::Import(args) => cmd::import::run(&globals, args),
        Command::Export(args) => cmd::export::run(&globals, args),
        Command::Peers(args) => cmd::peers::peers(&globals, args),
        Command::Sync(args) => cmd::peers::sync(&globals, args),
        Command::Devnet(args) => cmd::devnet::run(args),
        Command::Receipt(command) => cmd::receipt::run(&globals, command),
        Command::Log(command) => cmd::log::run(&globals, command),
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
