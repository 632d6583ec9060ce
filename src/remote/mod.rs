//! Training on another machine, through burn's remote backend (the `remote` feature).
//!
//! `stepwise serve` hosts one of this machine's devices; `--device remote --remote ADDRESS`
//! makes a server's device the one the learning loop computes on. burn-remote carries every tensor
//! operation to the server and only the numbers stepwise reads (the loss, the metrics, the saved
//! parameters) back, so the loop, the model and the artifacts are the same as on a local device.
//!
//! Two transports, as burn ships them: iroh (the default) dials a server by its endpoint id over
//! any network, authenticated and encrypted; websocket (`ws://host:port`) is unencrypted, for a
//! trusted network. Either way the server lets in only clients with its token, read from a file
//! or the `STEPWISE_REMOTE_TOKEN` environment variable, never from the command line, which
//! other users of the machine can read in the process list.
//!
//! This file reads addresses and tokens, which need no network; `client.rs`, `server.rs` and
//! `tanh.rs` are compiled with the feature.

#[cfg(feature = "remote")]
mod client;
#[cfg(feature = "remote")]
mod gate;
#[cfg(feature = "remote")]
mod server;
#[cfg(feature = "remote")]
mod tanh_on_server;

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::ValueEnum;

use crate::device::{self, Backend, DeviceChoice, Selection};

/// The environment variable a token is read from when no file names it.
pub const TOKEN_VARIABLE: &str = "STEPWISE_REMOTE_TOKEN";

/// The shared secret a server asks of its clients. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// The token in `file` (its first line, without the line ending), else in
    /// `STEPWISE_REMOTE_TOKEN`.
    pub fn read(file: Option<&Path>) -> Result<Token> {
        let (text, source) = match file {
            Some(path) => {
                // A token is one short line: more than this is not a token file (or a device
                // such as /dev/zero, which `open_file` refuses).
                const MOST: u64 = 64 * 1024;
                let mut text = String::new();
                std::io::Read::read_to_string(
                    &mut std::io::Read::take(crate::machine::open_file(path)?, MOST),
                    &mut text,
                )
                .with_context(|| format!("cannot read the token file {}", path.display()))?;
                (text, format!("the token file {}", path.display()))
            }
            None => match std::env::var(TOKEN_VARIABLE) {
                Ok(text) => (text, TOKEN_VARIABLE.to_string()),
                Err(_) => bail!(
                    "no token: put the server's token in a file and pass --token-file FILE, or set \
                     {TOKEN_VARIABLE} (a token on the command line would be readable by every user \
                     of the machine)"
                ),
            },
        };
        let token = text.lines().next().unwrap_or("").trim();
        if token.is_empty() {
            bail!("{source} holds no token: write one on its first line (e.g. `openssl rand -hex 32`)");
        }
        Ok(Token(token.to_string()))
    }

    /// The token itself, for the authorizer.
    #[cfg_attr(not(feature = "remote"), allow(dead_code))] // read by the server and client
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

/// Where a server is, as `stepwise serve` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// `ws://host:port`.
    WebSocket(String),
    /// An iroh endpoint id, found through the relays, and addresses to try directly
    /// (`ID@IP:PORT`, or several separated by commas).
    Iroh { id: String, direct: Vec<SocketAddr> },
}

impl Address {
    /// Reads `ws://…`, `ID` or `ID@IP:PORT[,IP:PORT…]`.
    pub fn parse(text: &str) -> Result<Address> {
        let text = text.trim();
        if text.starts_with("ws://") || text.starts_with("wss://") {
            return Ok(Address::WebSocket(text.to_string()));
        }
        if text.contains("://") {
            bail!("--remote {text}: a websocket address starts with ws://, an iroh one is the server's endpoint id");
        }
        let (id, direct) = match text.split_once('@') {
            Some((id, addresses)) => (id, addresses.split(',').collect()),
            None => (text, Vec::new()),
        };
        let hex = id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex {
            bail!(
                "--remote {text}: not a server address; give the ws://HOST:PORT or the iroh \
                 endpoint id (64 hex digits, optionally @IP:PORT) that `stepwise serve` printed"
            );
        }
        let direct = direct
            .into_iter()
            .map(|address| {
                address.parse().with_context(|| {
                    format!("--remote: `{address}` after @ is not an IP:PORT address")
                })
            })
            .collect::<Result<_>>()?;
        Ok(Address::Iroh {
            id: id.to_ascii_lowercase(),
            direct,
        })
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::WebSocket(url) => f.write_str(url),
            Address::Iroh { id, direct } if direct.is_empty() => f.write_str(id),
            Address::Iroh { id, direct } => {
                let direct: Vec<String> = direct.iter().map(|a| a.to_string()).collect();
                write!(f, "{id}@{}", direct.join(","))
            }
        }
    }
}

/// A server to compute on: where it is, and the token it asks for.
#[derive(Clone, Debug)]
pub struct Server {
    pub address: Address,
    #[cfg_attr(not(feature = "remote"), allow(dead_code))] // read by the server and client
    pub token: Token,
}

/// The backend `--device` names, with `server` where --remote points, if anywhere (with
/// `--device auto`, it is the device): the server's, or one of this machine's.
pub fn select(choice: DeviceChoice, server: Option<&Server>) -> Result<Selection> {
    match (choice, server) {
        (DeviceChoice::Remote | DeviceChoice::Auto, Some(server)) => Ok(Selection {
            backend: connect(server)?,
            warning: None,
        }),
        (_, Some(server)) => bail!(
            "--remote {} is for --device remote; --device {} computes here",
            server.address,
            choice
                .to_possible_value()
                .expect("no skipped choice")
                .get_name()
        ),
        (_, None) => device::select(choice),
    }
}

/// Every compiled backend with what it would run on, or why it cannot run: `stepwise devices`
/// (`remote` connects to `server`, when given).
pub fn survey(server: Option<&Server>) -> Vec<(&'static str, Result<Backend>)> {
    device::compiled_backends()
        .into_iter()
        .map(|name| {
            let choice = DeviceChoice::from_str(name, false).expect("every backend is a choice");
            let server = server.filter(|_| choice == DeviceChoice::Remote);
            (
                name,
                select(choice, server).map(|selection| selection.backend),
            )
        })
        .collect()
}

/// The server's first device, connected; an error says what to check.
pub fn connect(server: &Server) -> Result<Backend> {
    #[cfg(feature = "remote")]
    return client::connect(server);
    #[cfg(not(feature = "remote"))]
    Err(not_compiled(&server.address.to_string()))
}

/// How the server is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    /// Authenticated and encrypted, over any network: clients dial the endpoint id.
    #[default]
    Iroh,
    /// Plain websocket: unencrypted, for a trusted network only.
    Websocket,
}

/// What `stepwise serve` was asked for.
#[cfg_attr(not(feature = "remote"), allow(dead_code))] // read by the server and client
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The local device to host (`remote` is refused).
    pub device: DeviceChoice,
    pub transport: Transport,
    /// The interface to listen on (websocket); loopback unless asked.
    pub bind: IpAddr,
    /// The port; 0 lets the system pick a free one.
    pub port: u16,
    pub token: Token,
    /// iroh: the file holding the server's secret key, so its endpoint id outlives a restart.
    pub identity: PathBuf,
    /// iroh: dial only directly, without n0's public relays (a closed network, or a test).
    pub no_relay: bool,
}

/// A server ready for clients.
#[derive(Clone, Debug)]
pub struct Serving {
    /// The hosted device, for a person.
    pub device: String,
    /// What a client passes to --remote.
    pub address: Address,
    pub transport: Transport,
    /// Why `--device auto` did not take the GPU, if it did not.
    pub warning: Option<String>,
}

/// What a running server reports, for the command line to log.
#[cfg_attr(not(feature = "remote"), allow(dead_code))] // made by the server
#[derive(Clone, Debug)]
pub enum ServerEvent {
    /// Listening: what it serves and how to connect.
    Ready(Serving),
    /// A client with the token opened a session.
    Opened { client: String, device: u32 },
    /// A session ended (its client disconnected) and its tensors were freed; `open` remain.
    Closed { open: usize },
    /// A client was turned away, and why (a wrong token, say).
    Refused(String),
}

/// Hosts `options.device` until Ctrl-C or SIGTERM, telling `report` what happens. burn's server
/// itself logs to stderr (a session that fails, the listening sockets).
pub fn serve(
    options: &ServeOptions,
    report: impl Fn(ServerEvent) + Send + Sync + 'static,
) -> Result<()> {
    #[cfg(feature = "remote")]
    return server::serve(options, report);
    #[cfg(not(feature = "remote"))]
    {
        let _ = (options, report);
        serve_unavailable()
    }
}

/// What `stepwise serve` says in a build without the `remote` feature.
pub fn serve_unavailable() -> Result<()> {
    bail!("stepwise serve needs the remote feature: build with `cargo build --release --features remote`")
}

#[cfg(not(feature = "remote"))]
fn not_compiled(address: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "--remote {address}: the remote backend is not compiled into this build; rebuild with \
         `--features remote`"
    )
}

#[cfg(test)]
mod tests;
