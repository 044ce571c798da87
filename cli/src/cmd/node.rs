//! `baraza node …`: run an NRI node, write its config, check a config.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use baraza_node::config::{self, Config};
use clap::{Args, Subcommand};

/// Flags that override the configuration file and `BARAZA_*` variables.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct NodeFlags {
    /// Configuration file [default: $XDG_CONFIG_HOME/baraza/node.toml or
    /// ~/.config/baraza/node.toml, when it exists; otherwise built-in defaults].
    #[arg(long, env = "BARAZA_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (store and node key) [default: $XDG_DATA_HOME/baraza or ~/.local/share/baraza].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// HTTP API listen address [default: 127.0.0.1:7070].
    #[arg(long, value_name = "ADDR")]
    http: Option<std::net::SocketAddr>,
    /// Peer-protocol listen multiaddr (repeatable) [default: /ip4/0.0.0.0/tcp/7071].
    #[arg(long, value_name = "MULTIADDR")]
    listen: Vec<String>,
    /// A peer to join through, as a multiaddr with /p2p/<peer id> (repeatable).
    #[arg(long, value_name = "MULTIADDR")]
    bootstrap: Vec<String>,
    /// Network id; nodes of other networks are refused [default: baraza-main].
    #[arg(long, value_name = "ID")]
    network_id: Option<String>,
    /// Log format: text or json (filter with RUST_LOG, default info).
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<String>,
}

/// `baraza node` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum NodeCommand {
    /// Run a node in the foreground until SIGINT or SIGTERM.
    ///
    /// With no configuration at all it stores data under ~/.local/share/baraza
    /// and serves the API on http://127.0.0.1:7070.
    Run(NodeFlags),
    /// Write a commented configuration file and create the node key.
    Init {
        #[command(flatten)]
        flags: NodeFlags,
        /// Where to write the configuration [default: the default config path].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Overwrite an existing configuration file.
        #[arg(long)]
        force: bool,
    },
    /// Back up every object of the running node (--node URL) to one file,
    /// a CBOR sequence, consistent as of the moment the export starts.
    ///
    /// Example: baraza node export --out backup-2026-11-23.cborseq
    Export {
        /// The file to write (written as FILE.partial, renamed when complete).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Restore objects from an export (or any CBOR sequence of objects)
    /// into a stopped node's data dir, verifying every one. Exits 1 if any
    /// object was invalid (the valid ones are stored).
    ///
    /// Example: baraza node import --data-dir /var/lib/baraza backup.cborseq
    Import {
        /// The file to read.
        file: PathBuf,
        #[command(flatten)]
        flags: NodeFlags,
    },
    /// Test tool: fork a stopped node's transparency log by rewriting one
    /// entry (its witnesses then catch the node). Never on a real node.
    #[command(hide = true)]
    ForkLog {
        /// The entry to rewrite.
        #[arg(long, value_name = "INDEX")]
        entry: u64,
        #[command(flatten)]
        flags: NodeFlags,
    },
    /// Load a configuration file as `run` would, and print the effective settings.
    CheckConfig {
        /// The file to check.
        file: PathBuf,
        /// Print the effective configuration as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a `baraza node` subcommand.
pub(crate) fn run(globals: &super::Globals, command: &NodeCommand) -> anyhow::Result<ExitCode> {
    match command {
        NodeCommand::Export { out } => super::backup::export(&globals.node, out),
        NodeCommand::Import { file, flags } => {
            let config = effective_config(flags)?;
            super::backup::import(file, &config.store_dir())
        }
        NodeCommand::Run(flags) => {
            let config = effective_config(flags)?;
            init_logging(&config.log.format);
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(run_node(config))?;
            Ok(ExitCode::SUCCESS)
        }
        NodeCommand::Init { flags, out, force } => init(flags, out.as_deref(), *force),
        NodeCommand::ForkLog { entry, flags } => {
            let config = effective_config(flags)?;
            let leaf = baraza_node::store::fork_log(&config.store_dir(), *entry)
                .context("cannot fork the log")?;
            eprintln!(
                "rewrote entry {entry} of the transparency log in {} (object {}, time now {})",
                config.store_dir().display(),
                leaf.id.short(),
                leaf.time_ms
            );
            Ok(ExitCode::SUCCESS)
        }
        NodeCommand::CheckConfig { file, json } => {
            let mut config = Config::from_file(file)?;
            config.apply_env(|k| std::env::var(k).ok())?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&config)?);
            } else {
                println!("{}: valid", file.display());
                println!("  data dir    {}", config.data_dir.display());
                println!("  network id  {}", config.network_id);
                println!("  http        {}", config.http.listen);
                println!("  p2p listen  {}", config.p2p.listen.join(", "));
                println!(
                    "  bootstrap   {}",
                    if config.p2p.bootstrap.is_empty() {
                        "(none)".into()
                    } else {
                        config.p2p.bootstrap.join(", ")
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn run_node(config: Config) -> anyhow::Result<()> {
    let node = baraza_node::run::start(config).await?;
    println!(
        "baraza node {} serving http://{}",
        node.node_id, node.http_addr
    );
    wait_for_signal().await?;
    tracing::info!("shutting down");
    node.shutdown().await?;
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("cannot listen for SIGINT")?,
        _ = term.recv() => {}
    }
    Ok(())
}

/// Defaults, then the config file, then `BARAZA_*`, then flags.
pub(crate) fn effective_config(flags: &NodeFlags) -> anyhow::Result<Config> {
    let env_path = |k: &str| std::env::var_os(k).map(PathBuf::from);
    let mut config = match &flags.config {
        Some(path) => Config::from_file(path)?,
        None => match config::default_config_path(env_path) {
            Some(path) if path.exists() => Config::from_file(&path)?,
            _ => Config::default(),
        },
    };
    config.apply_env(|k| std::env::var(k).ok())?;
    if let Some(dir) = &flags.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(http) = flags.http {
        config.http.listen = http;
    }
    if !flags.listen.is_empty() {
        config.p2p.listen = flags.listen.clone();
    }
    if !flags.bootstrap.is_empty() {
        config.p2p.bootstrap = flags.bootstrap.clone();
    }
    if let Some(id) = &flags.network_id {
        config.network_id = id.clone();
    }
    if let Some(format) = &flags.log_format {
        config.log.format = format.clone();
    }
    config.validate()?;
    Ok(config)
}

fn init(flags: &NodeFlags, out: Option<&std::path::Path>, force: bool) -> anyhow::Result<ExitCode> {
    let config = effective_config(flags)?;
    let env_path = |k: &str| std::env::var_os(k).map(PathBuf::from);
    let path = match out {
        Some(p) => p.to_path_buf(),
        None => config::default_config_path(env_path)
            .context("cannot choose a config location: HOME is not set; pass --out FILE")?,
    };
    if path.exists() && !force {
        bail!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        );
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(&path, config::commented_template(&config.data_dir))
        .with_context(|| format!("cannot write {}", path.display()))?;
    let (key, created) = baraza_node::node_key::load_or_create(&config.node_key_path())?;
    println!("config    {}", path.display());
    println!("data dir  {}", config.data_dir.display());
    println!(
        "node key  {} ({})",
        config.node_key_path().display(),
        if created { "created" } else { "kept existing" }
    );
    println!("node id   {}", key.public());
    println!(
        "\nStart the node with: baraza node run --config {}",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Installs the tracing subscriber: RUST_LOG filter (default info), text or JSON.
fn init_logging(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
