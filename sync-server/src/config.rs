//! How the relay is started: flags, an optional TOML file, and the limits it enforces.
//!
//! Flags win over the file, the file over the defaults. Example file:
//!
//! ```toml
//! listen = "127.0.0.1:8787"
//! data = "/var/lib/tandem-relay"
//! # database = "postgres://tandem@db.internal/tandem"
//!
//! # Who may create teams. Nothing set: nobody (the safe default). Either a secret token the
//! # founding device must present (read from a file, the TANDEM_RELAY_TEAM_CREATION_TOKEN
//! # variable, or here), or `open = true` for a demo relay on a laptop.
//! [team_creation]
//! token_file = "/etc/tandem-relay/team-creation-token"
//! # token = "a long random secret"
//! # open = true
//!
//! [limits]
//! max_body_bytes = 16777216
//! max_envelope_bytes = 8388608
//! max_envelopes_per_push = 1000
//! rate_per_second = 20.0
//! rate_burst = 100
//! page_size_cap = 500
//! snapshot_page_cap = 256
//! max_team_bytes = 17179869184     # 16 GiB stored per team
//! max_team_envelopes = 50000000    # envelopes in one team's log
//! max_json_bytes = 1048576         # a JSON request's body
//! max_concurrent_requests = 4096   # long polls included; more get 503 busy
//! ```

use clap::Parser;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::path::PathBuf;
use subtle::ConstantTimeEq;

/// The file name of the SQLite database inside `--data`.
pub const SQLITE_FILE: &str = "relay.db";

/// Command-line flags.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "tandem-relay",
    version,
    about = "Tandem's relay: stores and hands out sealed envelopes it cannot read."
)]
pub struct Args {
    /// Address to listen on. Plain HTTP: put a TLS reverse proxy in front.
    #[arg(long, env = "TANDEM_RELAY_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Directory for the embedded SQLite database (DIR/relay.db).
    #[arg(long, env = "TANDEM_RELAY_DATA")]
    pub data: Option<PathBuf>,
    /// A PostgreSQL URL (postgres://…) to use instead of SQLite.
    #[arg(long, env = "TANDEM_RELAY_DATABASE", hide_env_values = true)]
    pub database: Option<String>,
    /// A TOML configuration file.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Listen on a non-loopback address without TLS (only behind a proxy that adds it).
    #[arg(long)]
    pub allow_plain_http: bool,
    /// Let anyone who can reach the relay create teams (a demo relay on a laptop).
    #[arg(long)]
    pub open_team_creation: bool,
    /// The secret a founding device must present to create a team. Prefer the environment
    /// variable or --team-creation-token-file: a flag shows in the process list.
    #[arg(long, env = "TANDEM_RELAY_TEAM_CREATION_TOKEN", hide_env_values = true)]
    pub team_creation_token: Option<String>,
    /// A file holding the team-creation token (its first line).
    #[arg(long)]
    pub team_creation_token_file: Option<PathBuf>,
    /// Largest request body, in bytes.
    #[arg(long)]
    pub max_body_bytes: Option<usize>,
    /// Largest envelope, in bytes.
    #[arg(long)]
    pub max_envelope_bytes: Option<usize>,
    /// Most envelopes in one push.
    #[arg(long)]
    pub max_envelopes_per_push: Option<usize>,
    /// Requests per second each device may make, on average.
    #[arg(long)]
    pub rate_per_second: Option<f64>,
    /// Requests a device may make in a burst.
    #[arg(long)]
    pub rate_burst: Option<u32>,
    /// Most envelopes in one page of a pull.
    #[arg(long)]
    pub page_size_cap: Option<usize>,
    /// Most snapshots in one page of `GET .../snapshots` (at most 256).
    #[arg(long)]
    pub snapshot_page_cap: Option<usize>,
    /// Most bytes one team may store (envelopes not collected yet, and snapshots).
    #[arg(long)]
    pub max_team_bytes: Option<u64>,
    /// Most envelopes one team's log may hold.
    #[arg(long)]
    pub max_team_envelopes: Option<u64>,
    /// Largest body of a JSON request (teams, invites, joins, key epochs, revocations).
    #[arg(long)]
    pub max_json_bytes: Option<usize>,
    /// Most requests served at once (long polls included); more are answered 503 `busy`.
    #[arg(long)]
    pub max_concurrent_requests: Option<usize>,
}

/// What the relay enforces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Largest envelope.
    pub max_envelope_bytes: usize,
    /// Most envelopes in one push.
    pub max_envelopes_per_push: usize,
    /// Requests per second per device (token refill rate).
    pub rate_per_second: f64,
    /// Token bucket size per device.
    pub rate_burst: u32,
    /// Most envelopes in one page.
    pub page_size_cap: usize,
    /// Most snapshots in one page.
    pub snapshot_page_cap: usize,
    /// Most bytes one team may store.
    pub max_team_bytes: u64,
    /// Most envelopes in one team's log.
    pub max_team_envelopes: u64,
    /// Largest body of a JSON request.
    pub max_json_bytes: usize,
    /// Most requests served at once.
    pub max_concurrent_requests: usize,
}

impl Limits {
    /// What one team may store.
    pub fn quota(&self) -> crate::storage::Quota {
        crate::storage::Quota {
            max_bytes: self.max_team_bytes,
            max_envelopes: self.max_team_envelopes,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024 * 1024,
            max_envelope_bytes: 8 * 1024 * 1024,
            max_envelopes_per_push: 1000,
            rate_per_second: 20.0,
            rate_burst: 100,
            page_size_cap: tandem_protocol::api::DEFAULT_PAGE,
            snapshot_page_cap: tandem_protocol::api::SNAPSHOT_PAGE,
            // A team of 10,000 people with 100 encounters each writes some 1,000,000
            // envelopes of about 1 KiB over years: both defaults leave it room many times
            // over, while a member (or a stolen device) filling the relay's disk is stopped.
            max_team_bytes: 16 * 1024 * 1024 * 1024,
            max_team_envelopes: 50_000_000,
            // The largest JSON body is a key epoch: one package of a few hundred bytes per
            // device, so a team of a thousand devices fits.
            max_json_bytes: 1024 * 1024,
            // One socket per connected device (a long poll holds one), as many as the
            // relay warns it should be able to open.
            max_concurrent_requests: 4096,
        }
    }
}

impl Limits {
    fn check(&self) -> Result<(), ConfigError> {
        let bad = |what| Err(ConfigError::BadLimit(what));
        if self.max_body_bytes == 0 || self.max_envelope_bytes == 0 {
            return bad("byte limits must be positive");
        }
        if self.max_envelope_bytes > self.max_body_bytes {
            return bad("max_envelope_bytes cannot exceed max_body_bytes");
        }
        if self.max_envelopes_per_push == 0 || self.page_size_cap == 0 {
            return bad("max_envelopes_per_push and page_size_cap must be positive");
        }
        if !(1..=tandem_protocol::api::SNAPSHOT_PAGE).contains(&self.snapshot_page_cap) {
            return bad("snapshot_page_cap must be between 1 and 256");
        }
        if !(self.rate_per_second.is_finite() && self.rate_per_second > 0.0) || self.rate_burst == 0
        {
            return bad("rate_per_second and rate_burst must be positive");
        }
        if self.max_json_bytes == 0 || self.max_concurrent_requests == 0 {
            return bad("max_json_bytes and max_concurrent_requests must be positive");
        }
        if self.max_team_envelopes == 0 || self.max_team_bytes < self.max_envelope_bytes as u64 {
            return bad(
                "max_team_envelopes must be positive and max_team_bytes at least max_envelope_bytes",
            );
        }
        Ok(())
    }
}

/// Who may create a team on this relay.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TeamCreation {
    /// Nobody: no token was configured and creation was not opened (the default).
    #[default]
    Closed,
    /// Anyone who can reach the relay (demo and embedded relays).
    Open,
    /// A founding device that presents this token.
    Token(CreationToken),
}

/// Why a team may not be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreationRefused {
    /// The relay takes no new teams at all.
    Closed,
    /// The token is missing or wrong.
    BadToken,
}

impl TeamCreation {
    /// Whether a founding device presenting `given` may create a team.
    pub fn admits(&self, given: Option<&str>) -> Result<(), CreationRefused> {
        match self {
            Self::Open => Ok(()),
            Self::Closed => Err(CreationRefused::Closed),
            Self::Token(token) if token.matches(given) => Ok(()),
            Self::Token(_) => Err(CreationRefused::BadToken),
        }
    }

    /// For logs: `closed`, `open` or `token` (never the token).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::Token(_) => "token",
        }
    }
}

/// The operator's team-creation token, kept only as its SHA-256: compared in constant time
/// (digest against digest, so neither the token's bytes nor its length show in the timing),
/// and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct CreationToken([u8; 32]);

impl std::fmt::Debug for CreationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CreationToken(…)")
    }
}

/// The shortest token accepted: a guessable one would open the relay to anyone.
pub const MIN_TOKEN_CHARS: usize = 16;
/// The longest token accepted.
pub const MAX_TOKEN_CHARS: usize = 512;

impl CreationToken {
    /// A token from its text (surrounding white space ignored).
    pub fn new(token: &str) -> Result<Self, ConfigError> {
        let token = token.trim();
        let chars = token.chars().count();
        if !(MIN_TOKEN_CHARS..=MAX_TOKEN_CHARS).contains(&chars) {
            return Err(ConfigError::BadToken);
        }
        Ok(Self(Sha256::digest(token.as_bytes()).into()))
    }

    /// Whether `given` is this token (surrounding white space ignored, as when it was set).
    pub fn matches(&self, given: Option<&str>) -> bool {
        let Some(given) = given else {
            return false;
        };
        let digest: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
        bool::from(digest.ct_eq(&self.0))
    }
}

/// Where the relay keeps its data.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// An embedded SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            // The URL may hold a password.
            Self::Postgres(_) => f.write_str("Postgres(…)"),
        }
    }
}

/// A complete, checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Where to keep data.
    pub database: Database,
    /// What to enforce.
    pub limits: Limits,
    /// Who may create teams.
    pub team_creation: TeamCreation,
}

/// What is wrong with the configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read the config file {path}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid.
    #[error("the config file {path} is not valid")]
    ParseFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: toml::de::Error,
    },
    /// Neither `--data` nor `--database`.
    #[error("say where to keep data: --data DIR (SQLite) or --database postgres://…")]
    NoStorage,
    /// Both `--data` and `--database`.
    #[error("give either --data (SQLite) or --database (PostgreSQL), not both")]
    TwoStorages,
    /// `--database` is not a PostgreSQL URL.
    #[error("--database must be a postgres:// or postgresql:// URL")]
    NotPostgres,
    /// No `--listen`.
    #[error("say where to listen: --listen 127.0.0.1:8787")]
    NoListen,
    /// A non-loopback address without `--allow-plain-http`.
    #[error(
        "refusing to serve plain HTTP on {0}: the relay does not do TLS itself. Put a TLS \
         reverse proxy (Caddy, nginx, a load balancer) in front, have the relay listen on \
         127.0.0.1, or pass --allow-plain-http if a proxy on this network already adds TLS"
    )]
    PlainHttp(SocketAddr),
    /// A limit makes no sense.
    #[error("bad limit: {0}")]
    BadLimit(&'static str),
    /// Team creation both opened and given a token.
    #[error("team creation is either open or needs a token: give one of them, not both")]
    TwoCreationPolicies,
    /// The team-creation token is too short or too long.
    #[error(
        "the team-creation token must be {MIN_TOKEN_CHARS} to {MAX_TOKEN_CHARS} characters \
         (make one with: openssl rand -hex 24)"
    )]
    BadToken,
    /// The team-creation token file could not be read.
    #[error("cannot read the team-creation token file {path}")]
    ReadToken {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data: Option<PathBuf>,
    database: Option<String>,
    allow_plain_http: Option<bool>,
    #[serde(default)]
    team_creation: FileTeamCreation,
    #[serde(default)]
    limits: FileLimits,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTeamCreation {
    open: Option<bool>,
    token: Option<String>,
    token_file: Option<PathBuf>,
}

impl FileTeamCreation {
    fn is_empty(&self) -> bool {
        self.open.is_none() && self.token.is_none() && self.token_file.is_none()
    }

    /// The one policy these name (none: closed).
    fn policy(self) -> Result<TeamCreation, ConfigError> {
        let open = self.open.unwrap_or(false);
        let token = match (self.token, self.token_file) {
            (Some(_), Some(_)) => return Err(ConfigError::TwoCreationPolicies),
            (Some(token), None) => Some(token),
            (None, Some(path)) => Some(
                std::fs::read_to_string(&path)
                    .map_err(|source| ConfigError::ReadToken { path, source })?
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            ),
            (None, None) => None,
        };
        match (open, token) {
            (true, Some(_)) => Err(ConfigError::TwoCreationPolicies),
            (true, None) => Ok(TeamCreation::Open),
            (false, Some(token)) => Ok(TeamCreation::Token(CreationToken::new(&token)?)),
            (false, None) => Ok(TeamCreation::Closed),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLimits {
    max_body_bytes: Option<usize>,
    max_envelope_bytes: Option<usize>,
    max_envelopes_per_push: Option<usize>,
    rate_per_second: Option<f64>,
    rate_burst: Option<u32>,
    page_size_cap: Option<usize>,
    snapshot_page_cap: Option<usize>,
    max_team_bytes: Option<u64>,
    max_team_envelopes: Option<u64>,
    max_json_bytes: Option<usize>,
    max_concurrent_requests: Option<usize>,
}

impl Config {
    /// Merges flags, the file they name and the defaults, and checks the result.
    pub fn from_args(args: Args) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
                        path: path.clone(),
                        source,
                    })?;
                toml::from_str::<FileConfig>(&text).map_err(|source| ConfigError::ParseFile {
                    path: path.clone(),
                    source,
                })?
            }
            None => FileConfig::default(),
        };
        let defaults = Limits::default();
        let limits = Limits {
            max_body_bytes: args
                .max_body_bytes
                .or(file.limits.max_body_bytes)
                .unwrap_or(defaults.max_body_bytes),
            max_envelope_bytes: args
                .max_envelope_bytes
                .or(file.limits.max_envelope_bytes)
                .unwrap_or(defaults.max_envelope_bytes),
            max_envelopes_per_push: args
                .max_envelopes_per_push
                .or(file.limits.max_envelopes_per_push)
                .unwrap_or(defaults.max_envelopes_per_push),
            rate_per_second: args
                .rate_per_second
                .or(file.limits.rate_per_second)
                .unwrap_or(defaults.rate_per_second),
            rate_burst: args
                .rate_burst
                .or(file.limits.rate_burst)
                .unwrap_or(defaults.rate_burst),
            page_size_cap: args
                .page_size_cap
                .or(file.limits.page_size_cap)
                .unwrap_or(defaults.page_size_cap),
            snapshot_page_cap: args
                .snapshot_page_cap
                .or(file.limits.snapshot_page_cap)
                .unwrap_or(defaults.snapshot_page_cap),
            max_team_bytes: args
                .max_team_bytes
                .or(file.limits.max_team_bytes)
                .unwrap_or(defaults.max_team_bytes),
            max_team_envelopes: args
                .max_team_envelopes
                .or(file.limits.max_team_envelopes)
                .unwrap_or(defaults.max_team_envelopes),
            max_json_bytes: args
                .max_json_bytes
                .or(file.limits.max_json_bytes)
                .unwrap_or(defaults.max_json_bytes),
            max_concurrent_requests: args
                .max_concurrent_requests
                .or(file.limits.max_concurrent_requests)
                .unwrap_or(defaults.max_concurrent_requests),
        };
        limits.check()?;

        let database = match (args.data.or(file.data), args.database.or(file.database)) {
            (Some(dir), None) => Database::Sqlite(dir.join(SQLITE_FILE)),
            (None, Some(url)) => {
                if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                    return Err(ConfigError::NotPostgres);
                }
                Database::Postgres(url)
            }
            (None, None) => return Err(ConfigError::NoStorage),
            (Some(_), Some(_)) => return Err(ConfigError::TwoStorages),
        };

        // Flags (and the environment) name the whole policy, or leave it to the file.
        let from_flags = FileTeamCreation {
            open: args.open_team_creation.then_some(true),
            token: args.team_creation_token,
            token_file: args.team_creation_token_file,
        };
        let team_creation = if from_flags.is_empty() {
            file.team_creation.policy()?
        } else {
            from_flags.policy()?
        };

        let listen = args.listen.or(file.listen).ok_or(ConfigError::NoListen)?;
        let allow_plain_http = args.allow_plain_http || file.allow_plain_http.unwrap_or(false);
        if !listen.ip().is_loopback() && !allow_plain_http {
            return Err(ConfigError::PlainHttp(listen));
        }
        Ok(Self {
            listen,
            database,
            limits,
            team_creation,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn args(extra: &[&str]) -> Args {
        let mut all = vec!["tandem-relay"];
        all.extend_from_slice(extra);
        Args::try_parse_from(all).unwrap()
    }

    #[test]
    fn plain_http_on_a_public_address_is_refused_with_advice() {
        let err =
            Config::from_args(args(&["--listen", "0.0.0.0:8787", "--data", "/tmp/x"])).unwrap_err();
        assert!(matches!(err, ConfigError::PlainHttp(_)));
        assert!(err.to_string().contains("TLS reverse proxy"));
        let ok = Config::from_args(args(&[
            "--listen",
            "0.0.0.0:8787",
            "--data",
            "/tmp/x",
            "--allow-plain-http",
        ]));
        assert!(ok.is_ok());
        assert!(Config::from_args(args(&["--listen", "[::1]:1", "--data", "/tmp/x"])).is_ok());
    }

    #[test]
    fn file_then_flags_override_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("relay.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\ndata = \"/srv/relay\"\n[limits]\nrate_burst = 7\n\
             page_size_cap = 100\n",
        )
        .unwrap();
        let c = Config::from_args(args(&[
            "--config",
            file.to_str().unwrap(),
            "--page-size-cap",
            "50",
        ]))
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.database, Database::Sqlite("/srv/relay/relay.db".into()));
        assert_eq!(c.limits.rate_burst, 7);
        assert_eq!(c.limits.page_size_cap, 50);
        assert_eq!(c.limits.max_envelopes_per_push, 1000);
        assert_eq!(c.limits.max_team_envelopes, 50_000_000);

        std::fs::write(&file, "limits = 3\n").unwrap();
        assert!(matches!(
            Config::from_args(args(&["--config", file.to_str().unwrap()])),
            Err(ConfigError::ParseFile { .. })
        ));
    }

    #[test]
    fn team_creation_is_closed_unless_opened_or_given_a_token() {
        let base = ["--listen", "127.0.0.1:1", "--data", "/x"];
        let with = |more: &[&str]| {
            let mut a = base.to_vec();
            a.extend_from_slice(more);
            Config::from_args(args(&a)).map(|c| c.team_creation)
        };
        // The tests may run with the variable set by someone's shell: not here.
        assert!(std::env::var_os("TANDEM_RELAY_TEAM_CREATION_TOKEN").is_none());
        let closed = with(&[]).unwrap();
        assert_eq!(closed, TeamCreation::Closed);
        assert_eq!(closed.admits(None), Err(CreationRefused::Closed));
        assert_eq!(
            closed.admits(Some("anything at all here")),
            Err(CreationRefused::Closed)
        );
        let open = with(&["--open-team-creation"]).unwrap();
        assert_eq!(open.admits(None), Ok(()));

        let secret = "0123456789abcdef-secret";
        let token = with(&["--team-creation-token", secret]).unwrap();
        assert_eq!(token.admits(Some(secret)), Ok(()));
        assert_eq!(token.admits(Some(" 0123456789abcdef-secret\n")), Ok(()));
        assert_eq!(token.admits(None), Err(CreationRefused::BadToken));
        assert_eq!(token.admits(Some("")), Err(CreationRefused::BadToken));
        assert_eq!(
            token.admits(Some("0123456789abcdef-secreT")),
            Err(CreationRefused::BadToken)
        );
        assert_eq!(
            token.admits(Some("0123456789abcdef-secret-and-more")),
            Err(CreationRefused::BadToken)
        );
        assert!(!format!("{token:?}").contains("secret"), "{token:?}");

        assert!(matches!(
            with(&["--team-creation-token", "short"]),
            Err(ConfigError::BadToken)
        ));
        assert!(matches!(
            with(&["--open-team-creation", "--team-creation-token", secret]),
            Err(ConfigError::TwoCreationPolicies)
        ));

        // From a file named by a flag, or by the config file; flags win over the file.
        let dir = tempfile::tempdir().unwrap();
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, format!("{secret}\n")).unwrap();
        let from_file = with(&["--team-creation-token-file", token_file.to_str().unwrap()]);
        assert_eq!(from_file.unwrap().admits(Some(secret)), Ok(()));
        assert!(matches!(
            with(&["--team-creation-token-file", "/no/such/file"]),
            Err(ConfigError::ReadToken { .. })
        ));
        let config = dir.path().join("relay.toml");
        std::fs::write(
            &config,
            format!(
                "[team_creation]\ntoken_file = {:?}\n",
                token_file.to_str().unwrap()
            ),
        )
        .unwrap();
        let c = config.to_str().unwrap();
        assert_eq!(with(&["--config", c]).unwrap().admits(Some(secret)), Ok(()));
        assert_eq!(
            with(&["--config", c, "--open-team-creation"]).unwrap(),
            TeamCreation::Open
        );
        std::fs::write(
            &config,
            "[team_creation]\nopen = true\ntoken = \"0123456789abcdef\"\n",
        )
        .unwrap();
        assert!(matches!(
            with(&["--config", c]),
            Err(ConfigError::TwoCreationPolicies)
        ));
    }

    #[test]
    fn storage_must_be_named_once_and_postgres_urls_only() {
        let base = ["--listen", "127.0.0.1:1"];
        let with = |more: &[&str]| {
            let mut a = base.to_vec();
            a.extend_from_slice(more);
            Config::from_args(args(&a))
        };
        assert!(matches!(with(&[]), Err(ConfigError::NoStorage)));
        assert!(matches!(
            with(&["--data", "/x", "--database", "postgres://h/db"]),
            Err(ConfigError::TwoStorages)
        ));
        assert!(matches!(
            with(&["--database", "mysql://h/db"]),
            Err(ConfigError::NotPostgres)
        ));
        assert!(matches!(
            with(&["--data", "/x", "--max-envelope-bytes", "99999999999"]),
            Err(ConfigError::BadLimit(_))
        ));
        assert!(matches!(
            with(&["--data", "/x", "--max-team-bytes", "1000"]),
            Err(ConfigError::BadLimit(_))
        ));
        assert!(matches!(
            with(&["--data", "/x", "--max-team-envelopes", "0"]),
            Err(ConfigError::BadLimit(_))
        ));
        let quota = with(&["--data", "/x", "--max-team-envelopes", "7"]).unwrap();
        assert_eq!(quota.limits.quota().max_envelopes, 7);
    }
}
