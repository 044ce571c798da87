//! Node configuration: defaults for everything, then a TOML file, then
//! `BARAZA_*` environment variables, then command-line flags.
//!
//! `baraza node run` with no file and no variables works: data goes to
//! `$BARAZA_DATA_DIR`, else `$XDG_DATA_HOME/baraza`, else
//! `~/.local/share/baraza`, else `./baraza-data`; the API listens on
//! 127.0.0.1:7070 and the peer protocol on TCP port 7071.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Default HTTP API address: loopback only, so a fresh node is not exposed.
pub const DEFAULT_HTTP: &str = "127.0.0.1:7070";
/// Default peer-protocol listen address.
pub const DEFAULT_P2P_LISTEN: &str = "/ip4/0.0.0.0/tcp/7071";
/// Default network id: nodes of different networks refuse each other.
pub const DEFAULT_NETWORK_ID: &str = "baraza-main";
/// Largest config file read.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("invalid config {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// A value (from the file, the environment or a flag) is invalid.
    #[error("invalid setting {name}: {message}")]
    Invalid {
        /// The setting, as the user wrote it (`http.listen`, `BARAZA_HTTP`, …).
        name: String,
        /// What is wrong.
        message: String,
    },
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the store and the node key live.
    pub data_dir: PathBuf,
    /// Keeps test and production networks apart.
    pub network_id: String,
    /// The HTTP API.
    pub http: HttpConfig,
    /// The peer protocol.
    pub p2p: P2pConfig,
    /// The store.
    pub store: StoreConfig,
    /// Logging.
    pub log: LogConfig,
    /// The transparency log (PROTOCOL.md §14).
    pub tlog: TlogConfig,
}

/// Transparency-log settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlogConfig {
    /// How often (seconds) the node signs a new checkpoint while its log
    /// grows (at most 60: a checkpoint at least every minute).
    pub checkpoint_interval_secs: u64,
    /// Peer ids of the witnesses to ask for cosignatures; empty: every
    /// confirmed peer (at most 16).
    pub witnesses: Vec<String>,
}

impl Default for TlogConfig {
    fn default() -> Self {
        TlogConfig {
            checkpoint_interval_secs: 15,
            witnesses: Vec::new(),
        }
    }
}

/// HTTP API settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Listen address of the API.
    pub listen: SocketAddr,
    /// Largest bulk submission body, in bytes.
    pub max_bulk_bytes: usize,
    /// Most objects in one bulk submission.
    pub max_bulk_objects: usize,
    /// Sustained submissions per second allowed per client IP.
    pub rate_per_sec: u32,
    /// Burst of submissions allowed per client IP.
    pub rate_burst: u32,
    /// Seconds before a request is abandoned.
    pub request_timeout_secs: u64,
    /// HTTP connections open at once; more are closed as they arrive.
    pub max_connections: usize,
    /// Seconds a connection may take to send a request's headers, or sit
    /// idle between requests.
    pub header_timeout_secs: u64,
}

/// Peer-protocol settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct P2pConfig {
    /// Multiaddrs to listen on.
    pub listen: Vec<String>,
    /// Multiaddrs (with `/p2p/<peer id>`) of NRI nodes to join through.
    pub bootstrap: Vec<String>,
    /// Discover peers on the local network by mDNS.
    pub mdns: bool,
    /// Discover peers beyond the bootstrap list through Kademlia. Off, the
    /// node talks only to its bootstrap peers and those that dial it.
    pub discovery: bool,
    /// Seconds between periodic syncs with each connected peer (at least 1).
    pub sync_interval_secs: u64,
    /// Most established peer connections.
    pub max_connections: u32,
}

/// Store settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Most objects that may wait (for missing references, or future-dated
    /// ones for their time to come).
    pub max_pending: usize,
    /// Free space (MiB) to keep on the data dir's disk: below it the node
    /// refuses writes (507) and keeps serving reads. 0 turns the check off.
    pub min_free_mb: u64,
}

/// Log settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: default_data_dir(|k| std::env::var_os(k).map(PathBuf::from)),
            network_id: DEFAULT_NETWORK_ID.into(),
            http: HttpConfig::default(),
            p2p: P2pConfig::default(),
            store: StoreConfig::default(),
            log: LogConfig::default(),
            tlog: TlogConfig::default(),
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: DEFAULT_HTTP
                .parse()
                .expect("the default HTTP address parses"),
            max_bulk_bytes: 64 * 1024 * 1024,
            max_bulk_objects: 100_000,
            rate_per_sec: 2_000,
            rate_burst: 10_000,
            request_timeout_secs: 60,
            max_connections: 1024,
            header_timeout_secs: 30,
        }
    }
}

impl Default for P2pConfig {
    fn default() -> Self {
        P2pConfig {
            listen: vec![DEFAULT_P2P_LISTEN.into()],
            bootstrap: Vec::new(),
            mdns: false,
            discovery: true,
            sync_interval_secs: 60,
            max_connections: 128,
        }
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            max_pending: crate::store::MAX_PENDING,
            min_free_mb: crate::store::MIN_FREE_BYTES >> 20,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: "text".into(),
        }
    }
}

/// The default data dir, given a way to read environment variables.
pub fn default_data_dir(var: impl Fn(&str) -> Option<PathBuf>) -> PathBuf {
    if let Some(dir) = var("BARAZA_DATA_DIR").filter(|p| !p.as_os_str().is_empty()) {
        return dir;
    }
    if let Some(xdg) = var("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
        return xdg.join("baraza");
    }
    if let Some(home) = var("HOME").filter(|p| p.is_absolute()) {
        return home.join(".local/share/baraza");
    }
    PathBuf::from("baraza-data")
}

/// The default config file: `$XDG_CONFIG_HOME/baraza/node.toml`, else `~/.config/baraza/node.toml`.
pub fn default_config_path(var: impl Fn(&str) -> Option<PathBuf>) -> Option<PathBuf> {
    if let Some(xdg) = var("XDG_CONFIG_HOME").filter(|p| p.is_absolute()) {
        return Some(xdg.join("baraza/node.toml"));
    }
    var("HOME")
        .filter(|p| p.is_absolute())
        .map(|h| h.join(".config/baraza/node.toml"))
}

impl Config {
    /// Reads a TOML file over the defaults.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        use std::io::Read;
        let read_err = |source| ConfigError::Read {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        let mut text = String::new();
        file.take(MAX_CONFIG_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(read_err)?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(ConfigError::Parse {
                path: path.to_owned(),
                message: format!("larger than {MAX_CONFIG_BYTES} bytes"),
            });
        }
        let config: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Applies `BARAZA_*` variables read through `var`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = var("BARAZA_DATA_DIR").filter(|v| !v.is_empty()) {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = var("BARAZA_NETWORK_ID") {
            self.network_id = v;
        }
        if let Some(v) = var("BARAZA_HTTP") {
            self.http.listen = parse_addr("BARAZA_HTTP", &v)?;
        }
        if let Some(v) = var("BARAZA_LISTEN") {
            self.p2p.listen = split_list(&v);
        }
        if let Some(v) = var("BARAZA_BOOTSTRAP") {
            self.p2p.bootstrap = split_list(&v);
        }
        if let Some(v) = var("BARAZA_MDNS") {
            self.p2p.mdns = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = var("BARAZA_DISCOVERY") {
            self.p2p.discovery = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = var("BARAZA_CHECKPOINT_INTERVAL_SECS") {
            self.tlog.checkpoint_interval_secs =
                v.trim().parse().map_err(|_| ConfigError::Invalid {
                    name: "BARAZA_CHECKPOINT_INTERVAL_SECS".into(),
                    message: format!("{v:?} is not a number of seconds"),
                })?;
        }
        if let Some(v) = var("BARAZA_WITNESSES") {
            self.tlog.witnesses = split_list(&v);
        }
        if let Some(v) = var("BARAZA_SYNC_INTERVAL_SECS") {
            self.p2p.sync_interval_secs = v.trim().parse().map_err(|_| ConfigError::Invalid {
                name: "BARAZA_SYNC_INTERVAL_SECS".into(),
                message: format!("{v:?} is not a number of seconds"),
            })?;
        }
        if let Some(v) = var("BARAZA_LOG_FORMAT") {
            self.log.format = v;
        }
        self.validate()
    }

    /// Checks values that the types alone do not.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |name: &str, message: &str| {
            Err(ConfigError::Invalid {
                name: name.into(),
                message: message.into(),
            })
        };
        if self.network_id.is_empty()
            || self.network_id.len() > 64
            || !self
                .network_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            return invalid(
                "network_id",
                "1-64 characters of letters, digits, '-', '_' or '.'",
            );
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return invalid("log.format", "must be \"text\" or \"json\"");
        }
        if self.http.rate_per_sec == 0 || self.http.rate_burst == 0 {
            return invalid("http.rate_per_sec / http.rate_burst", "must be at least 1");
        }
        if self.http.max_bulk_objects == 0
            || self.http.max_bulk_bytes < baraza_protocol::limits::MAX_OBJECT_BYTES
        {
            return invalid(
                "http.max_bulk_bytes",
                "must hold at least one object of the largest allowed size (262144 bytes)",
            );
        }
        if self.http.request_timeout_secs == 0 {
            return invalid("http.request_timeout_secs", "must be at least 1");
        }
        if self.http.header_timeout_secs == 0 {
            return invalid("http.header_timeout_secs", "must be at least 1");
        }
        if self.http.max_connections == 0 {
            return invalid("http.max_connections", "must be at least 1");
        }
        if !(1..=60).contains(&self.tlog.checkpoint_interval_secs) {
            return invalid(
                "tlog.checkpoint_interval_secs",
                "must be 1 to 60 seconds (a checkpoint at least every minute while the log grows)",
            );
        }
        for witness in &self.tlog.witnesses {
            if witness.parse::<libp2p::PeerId>().is_err() {
                return Err(ConfigError::Invalid {
                    name: "tlog.witnesses".into(),
                    message: format!("{witness:?} is not a peer id (12D3KooW…)"),
                });
            }
        }
        if self.store.max_pending == 0 {
            return invalid("store.max_pending", "must be at least 1");
        }
        for addr in self.p2p.listen.iter().chain(&self.p2p.bootstrap) {
            if let Err(e) = addr.parse::<libp2p::Multiaddr>() {
                return Err(ConfigError::Invalid {
                    name: "p2p".into(),
                    message: format!(
                        "{addr:?} is not a multiaddr (e.g. /ip4/0.0.0.0/tcp/7071): {e}"
                    ),
                });
            }
        }
        for addr in &self.p2p.bootstrap {
            if !addr.contains("/p2p/") {
                return invalid(
                    "p2p.bootstrap",
                    "each bootstrap address must end in /p2p/<peer id> (shown in the peer's start-up log line)",
                );
            }
        }
        if self.p2p.sync_interval_secs == 0 {
            return invalid("p2p.sync_interval_secs", "must be at least 1");
        }
        if self.p2p.max_connections == 0 {
            return invalid("p2p.max_connections", "must be at least 1");
        }
        Ok(())
    }

    /// Where the node's libp2p identity key lives.
    pub fn node_key_path(&self) -> PathBuf {
        self.data_dir.join("node.key")
    }

    /// Where sled keeps the store.
    pub fn store_dir(&self) -> PathBuf {
        self.data_dir.join("store")
    }
}

fn parse_addr(name: &str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| ConfigError::Invalid {
        name: name.into(),
        message: format!("{value:?} is not an address like 127.0.0.1:7070"),
    })
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A commented configuration file with every default, for `baraza node init`.
pub fn commented_template(data_dir: &Path) -> String {
    format!(
        r#"# baraza node configuration. Every setting is optional: these are the defaults.
# Environment variables (BARAZA_DATA_DIR, BARAZA_HTTP, BARAZA_LISTEN, BARAZA_BOOTSTRAP,
# BARAZA_NETWORK_ID, BARAZA_MDNS, BARAZA_DISCOVERY, BARAZA_SYNC_INTERVAL_SECS,
# BARAZA_LOG_FORMAT) override this file; flags override both.

# Store and node key. Back this directory up (see docs/OPERATING.md).
data_dir = "{data_dir}"

# Nodes only talk to nodes with the same network id.
network_id = "{DEFAULT_NETWORK_ID}"

[http]
# The API. Loopback by default; put a TLS reverse proxy in front to expose it.
listen = "{DEFAULT_HTTP}"
max_bulk_bytes = 67108864
max_bulk_objects = 100000
# Per client IP: sustained submissions per second, and burst.
rate_per_sec = 2000
rate_burst = 10000
request_timeout_secs = 60
# Open connections at most, and seconds to send headers (or sit idle) before being closed.
max_connections = 1024
header_timeout_secs = 30

[p2p]
listen = ["{DEFAULT_P2P_LISTEN}"]
# Other NRIs' nodes, e.g. "/dns4/node.example-igf.org/tcp/7071/p2p/12D3Koo…"
bootstrap = []
mdns = false
# Find peers beyond the bootstrap list through Kademlia.
discovery = true
# Seconds between periodic syncs with each connected peer.
sync_interval_secs = 60
max_connections = 128

[store]
# Objects waiting for objects they reference (or, if future-dated, for their time).
max_pending = 10000
# Free space (MiB) kept on the data dir's disk: below it writes get 507, reads go on.
min_free_mb = 64

[log]
# "text" for people, "json" for log collectors. Filter with RUST_LOG (default: info).
format = "text"
"#,
        data_dir = data_dir.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_to_the_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("node.toml");
        let data = dir.path().join("data");
        std::fs::write(&path, commented_template(&data)).expect("write");
        let config = Config::from_file(&path).expect("template loads");
        assert_eq!(
            config,
            Config {
                data_dir: data,
                ..Config::default()
            }
        );
    }

    const PEER: &str = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

    #[test]
    fn a_bootstrap_address_needs_a_peer_id_and_a_valid_multiaddr() {
        let mut config = Config::default();
        config.p2p.bootstrap = vec!["/ip4/127.0.0.1/tcp/7071".into()];
        let err = config.validate().expect_err("no peer id");
        assert!(err.to_string().contains("/p2p/<peer id>"), "{err}");
        config.p2p.bootstrap = vec!["/ip4/300.0.0.1/tcp/7071".into()];
        let err = config.validate().expect_err("bad address");
        assert!(err.to_string().contains("is not a multiaddr"), "{err}");
    }

    #[test]
    fn env_overrides_file_and_errors_name_the_setting() {
        let mut config = Config::default();
        let env = |k: &str| match k {
            "BARAZA_HTTP" => Some("127.0.0.1:9999".to_owned()),
            "BARAZA_BOOTSTRAP" => Some(format!(
                "/ip4/127.0.0.1/tcp/1/p2p/{PEER}, /ip4/127.0.0.1/tcp/2/p2p/{PEER}"
            )),
            _ => None,
        };
        config.apply_env(env).expect("valid env");
        assert_eq!(config.http.listen.port(), 9999);
        assert_eq!(config.p2p.bootstrap.len(), 2);
        let err = config
            .apply_env(|k| (k == "BARAZA_HTTP").then(|| "nope".to_owned()))
            .expect_err("invalid");
        assert!(err.to_string().contains("BARAZA_HTTP"), "{err}");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_rejected_with_their_location() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "[http]\nlisten = \"127.0.0.1:1\"\nlisen = 3\n").expect("write");
        let err = Config::from_file(&path).expect_err("unknown key");
        assert!(err.to_string().contains("lisen"), "{err}");
        std::fs::write(&path, "network_id = \"a b\"\n").expect("write");
        assert!(Config::from_file(&path)
            .expect_err("bad id")
            .to_string()
            .contains("network_id"));
    }

    #[test]
    fn default_data_dir_prefers_explicit_then_xdg_then_home() {
        let pick = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, PathBuf)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), PathBuf::from(v)))
                .collect();
            default_data_dir(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        };
        assert_eq!(
            pick(&[("BARAZA_DATA_DIR", "/d"), ("HOME", "/h")]),
            PathBuf::from("/d")
        );
        assert_eq!(
            pick(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")]),
            PathBuf::from("/x/baraza")
        );
        assert_eq!(
            pick(&[("HOME", "/h")]),
            PathBuf::from("/h/.local/share/baraza")
        );
        assert_eq!(pick(&[]), PathBuf::from("baraza-data"));
    }
}
