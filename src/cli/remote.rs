//! The command line's side of training on another machine: what `stepwise serve` prints (what it
//! hosts, how to connect, each session), and what a client says when its server goes away.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};

use crate::device::DeviceChoice;
use crate::remote::{self, Address, ServeOptions, Server, ServerEvent, Serving, Token, Transport};

/// Which server `--device remote` computes on.
#[derive(Args, Clone, Debug)]
pub struct RemoteArgs {
    /// The server: the ws://HOST:PORT or iroh endpoint id (ID, or ID@IP:PORT to dial it
    /// directly) that `stepwise serve` printed. Implies --device remote.
    #[arg(long, value_name = "ADDRESS")]
    pub remote: Option<String>,
    /// A file whose first line is the server's token (default: the STEPWISE_REMOTE_TOKEN
    /// environment variable; never the command line, which every user can read).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

impl RemoteArgs {
    /// The server --remote names, with its token; `None` without --remote.
    pub fn server(&self) -> Result<Option<Server>> {
        let Some(address) = &self.remote else {
            if self.token_file.is_some() {
                anyhow::bail!("--token-file is the token of a --remote server; give --remote too");
            }
            return Ok(None);
        };
        let address = Address::parse(address)?;
        let token = Token::read(self.token_file.as_deref())?;
        Ok(Some(Server { address, token }))
    }
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The device to host: `auto` takes the GPU when there is one.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    pub device: DeviceChoice,
    /// iroh: dialed by endpoint id, authenticated and encrypted, over any network. websocket:
    /// unencrypted, for a trusted network only.
    #[arg(long, value_enum, default_value_t = Transport::Iroh)]
    pub transport: Transport,
    /// The port to listen on (websocket TCP, iroh UDP); 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// websocket: the interface to listen on; 0.0.0.0 for every one (a trusted network only).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// A file whose first line is the token clients must present (default: the
    /// STEPWISE_REMOTE_TOKEN environment variable). A server without a token does not start.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// iroh: the server's secret key, created on first use, so its endpoint id survives restarts
    /// (default: ~/.config/stepwise/iroh-server.key).
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// iroh: no relays, direct connections only (clients dial ID@IP:PORT; needs --port).
    #[arg(long)]
    pub no_relay: bool,
}

pub fn serve(args: ServeArgs) -> Result<()> {
    if !crate::device::compiled_backends().contains(&"remote") {
        // Before the token: a build that cannot serve says so first.
        return remote::serve_unavailable();
    }
    let options = ServeOptions {
        device: args.device,
        transport: args.transport,
        bind: args.bind,
        port: args.port,
        token: Token::read(args.token_file.as_deref())?,
        identity: args.identity.unwrap_or_else(default_identity),
        no_relay: args.no_relay,
    };
    if options.no_relay && (options.transport != Transport::Iroh || options.port == 0) {
        anyhow::bail!("--no-relay is for --transport iroh with a --port clients can dial");
    }
    log_to_stdout();
    remote::serve(&options, |event| {
        // stdout, where burn's server logs too, so the lines stay in order. A log that can no
        // longer be written (a closed terminal) does not stop the server.
        let _ = match event {
            ServerEvent::Ready(serving) => say!("{}", ready(&serving)),
            ServerEvent::Opened { client, device } => {
                say!("session: {client} opened device {device}")
            }
            ServerEvent::Closed { open } => {
                say!("session: closed, its tensors freed ({open} still open)")
            }
            ServerEvent::Refused(reason) => say!("refused: {reason}"),
        };
    })?;
    say!("stopped: every session is closed")
}

/// burn's server logs through `tracing` (listening sockets, failed sessions), at `info` unless
/// RUST_LOG says otherwise. On stdout with stepwise's own lines, so they read in order, and
/// without colour codes when that is a file.
#[cfg(feature = "remote")]
fn log_to_stdout() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,wgpu=warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal())
        .try_init(); // burn's own subscriber stays out once one is installed
}

#[cfg(not(feature = "remote"))]
fn log_to_stdout() {}

/// What a server that listens says: what it hosts, and how to connect.
fn ready(serving: &Serving) -> String {
    let transport = serving.transport.to_possible_value().expect("a transport");
    let mut lines = vec![
        format!("serving {} over {}", serving.device, transport.get_name()),
        format!("connect with: --device remote --remote {}", serving.address),
        "  (and the same token, in --token-file FILE or STEPWISE_REMOTE_TOKEN)".to_string(),
    ];
    if let Some(warning) = &serving.warning {
        lines.insert(0, format!("warning: {warning}"));
    }
    if let Address::WebSocket(url) = &serving.address {
        if url.contains("0.0.0.0") {
            lines.push("  (0.0.0.0: every interface; dial this machine's address)".into());
        }
        lines.push("  websocket is unencrypted: use it on a trusted network only".into());
    }
    lines.push("Ctrl-C or SIGTERM stops the server".into());
    lines.join("\n")
}

/// `~/.config/stepwise/iroh-server.key` (`$XDG_CONFIG_HOME` when set).
fn default_identity() -> PathBuf {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    config.join("stepwise").join("iroh-server.key")
}

/// A remote device that loses its server fails inside burn-remote, which panics, on whichever
/// thread noticed, since it has no caller to hand an error to. From the moment a client connects,
/// such a panic ends the process as any stepwise error does: one line and exit status 1. Every
/// save is atomic, so the last checkpoint is whole.
pub fn on_lost_server(address: &Address) {
    let address = address.to_string();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let reason = (payload.downcast_ref::<&str>().map(|text| text.to_string()))
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no reason given".into());
        // burn's message ends with the cause ("Failed to read tensor: …"), after advice meant
        // for programmers.
        let reason = reason
            .lines()
            .map(str::trim)
            .rfind(|line| !line.is_empty())
            .unwrap_or("");
        tell!(
            "error: the remote server at {address} stopped answering ({reason}); start it again \
             (a run with --checkpoint-every continues with --resume DIR, there or here)"
        );
        std::process::exit(1);
    }));
}
