//! The server side: one of this machine's devices, hosted for clients that hold the token.

use std::net::TcpListener;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use burn::server::telemetry::{DrainStatus, TelemetryEvent, TelemetryProbe};
use burn::server::{
    AuthorizationRequest, IrohIdentity, IrohRelays, IrohTransport, PeerAuthorizer, RemoteServer,
    TokenAuthorizer, Transport as BurnTransport, WebSocketTransport,
};

use super::{tanh_on_server, Address, ServeOptions, ServerEvent, Serving, Transport};
use crate::device::{self, DeviceChoice};

/// Serves until Ctrl-C or SIGTERM (burn's `serve` handles both and closes every session).
pub fn serve(
    options: &ServeOptions,
    report: impl Fn(ServerEvent) + Send + Sync + 'static,
) -> Result<()> {
    if options.device == DeviceChoice::Remote {
        bail!(
            "stepwise serve hosts a device of this machine: --device auto, flex, ndarray or wgpu"
        );
    }
    let selection = device::select(options.device)?;
    let backend = selection.backend;
    let hosted = format!("{}: {}", backend.name, backend.description);
    let tokens =
        TokenAuthorizer::new(options.token.secret()).context("the server needs a token")?;
    let (transport, address, public) = transport(options)?;
    let report = Arc::new(report);
    if let Some((public, inner)) = public {
        let refused = report.clone();
        let refused = Arc::new(move |why: String| refused(ServerEvent::Refused(why)));
        std::thread::spawn(move || super::gate::guard(public, inner, refused));
    }
    report(ServerEvent::Ready(Serving {
        device: hosted.clone(),
        address,
        transport: options.transport,
        warning: selection.warning,
    }));
    let (probe, watched) = watch_sessions(report.clone());
    let authorizer = Reported { tokens, report };
    let server = RemoteServer::new([backend.device.clone()])
        .with_authorizer(authorizer)
        .with_telemetry(probe);
    let server = tanh_on_server::register(server, backend.name, &hosted);
    let served = server.serve(transport);
    // The last sessions' closing lines come before the caller's "stopped".
    drop(server);
    let _ = watched.recv_timeout(Duration::from_secs(2));
    served.map_err(|err| anyhow::anyhow!("the server stopped: {err}"))
}

/// The gate's listener and burn's address behind it (websocket only).
type Gate = Option<(TcpListener, std::net::SocketAddr)>;

/// The listening transport, the address a client passes to --remote, and for websocket the
/// listener the gate (`gate.rs`) guards, in front of burn's on the loopback.
fn transport(options: &ServeOptions) -> Result<(BurnTransport, Address, Gate)> {
    match options.transport {
        Transport::Websocket => {
            let public = TcpListener::bind((options.bind, options.port)).with_context(|| {
                format!(
                    "cannot listen on {}:{} (is another server there? --port 0 picks a free port)",
                    options.bind, options.port
                )
            })?;
            let address = Address::WebSocket(format!("ws://{}", public.local_addr()?));
            let inner = TcpListener::bind(("127.0.0.1", 0)).context("cannot listen on loopback")?;
            let behind = inner.local_addr()?;
            let transport = WebSocketTransport::from_listener(inner).into();
            Ok((transport, address, Some((public, behind))))
        }
        Transport::Iroh => {
            if !options.bind.is_loopback() {
                bail!(
                    "--bind is websocket's: an iroh server is dialed by its endpoint id, through \
                     relays or --port, and lets in only authenticated, encrypted connections"
                );
            }
            let identity = identity(options)?;
            let id = identity.id().to_string();
            let mut transport = IrohTransport::new(identity);
            let mut direct = Vec::new();
            if options.no_relay {
                transport = transport.with_relays(IrohRelays::Disabled);
            }
            if options.port != 0 {
                transport = transport.with_port(options.port);
                direct.push((options.bind, options.port).into());
            }
            Ok((transport.into(), Address::Iroh { id, direct }, None))
        }
    }
}

/// The server's iroh key, created on first use (readable by its owner only).
fn identity(options: &ServeOptions) -> Result<IrohIdentity> {
    let path = &options.identity;
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create {} for the server key", dir.display()))?;
    }
    IrohIdentity::load_or_create(path)
        .with_context(|| format!("cannot load or create the server key {}", path.display()))
}

/// The token check, reported: every session that opens, and every one refused. A refused
/// client never reaches the device.
struct Reported<F> {
    tokens: TokenAuthorizer,
    report: Arc<F>,
}

impl<F: Fn(ServerEvent) + Send + Sync + 'static> PeerAuthorizer for Reported<F> {
    fn authorize(&self, request: AuthorizationRequest<'_>) -> Result<(), String> {
        let (client, device) = (request.client.to_string(), request.device_index);
        let verdict = self.tokens.authorize(request);
        (self.report)(match &verdict {
            Ok(()) => ServerEvent::Opened { client, device },
            Err(reason) => ServerEvent::Refused(reason.clone()),
        });
        verdict
    }
}

/// How often the watcher looks at the events: a wait that each event would end costs the
/// server a wake-up per operation, and a session's closing line can come a moment late.
const WATCH_EVERY: Duration = Duration::from_millis(100);

/// Bounds the events waiting between two looks; burn drops the oldest beyond it.
const EVENTS: usize = 1 << 16;

/// Reports every session that ends, from burn's telemetry: the client went away and the server
/// dropped its tensors. The receiver hears when the last event has been reported.
fn watch_sessions<F>(report: Arc<F>) -> (TelemetryProbe, mpsc::Receiver<()>)
where
    F: Fn(ServerEvent) + Send + Sync + 'static,
{
    let (probe, mut events) = TelemetryProbe::channel(EVENTS);
    let (done, watched) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut open, mut seen) = (0usize, Vec::new());
        loop {
            let status = events.drain_into(&mut seen);
            for event in seen.drain(..) {
                match *event {
                    TelemetryEvent::SessionOpened { .. } => open += 1,
                    TelemetryEvent::SessionClosed { .. } => {
                        open = open.saturating_sub(1);
                        report(ServerEvent::Closed { open });
                    }
                    _ => {} // every operation is an event too; the log needs none of them
                }
            }
            if let DrainStatus::Closed = status {
                break;
            }
            std::thread::sleep(WATCH_EVERY);
        }
        let _ = done.send(());
    });
    (probe, watched)
}
