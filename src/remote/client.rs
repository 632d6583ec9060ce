//! The client side: a server's device as the `Device` the learning loop computes on.

use anyhow::{anyhow, Result};
use burn::remote::{ConnectError, RemoteHost};
use burn::tensor::Device;

use super::{tanh_on_server, Address, Server};
use crate::device::Backend;

/// How long a server has to accept the session and say what it computes on, in seconds;
/// `STEPWISE_REMOTE_TIMEOUT` overrides it (a slow link, or a test that needs no 20 s).
fn answer_within() -> std::time::Duration {
    let seconds = std::env::var("STEPWISE_REMOTE_TIMEOUT")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(20);
    std::time::Duration::from_secs(seconds)
}

/// Opens a session on the server's first device and asks it what it computes on.
/// A peer that accepts the connection and never answers (a stalled server, a firewall that
/// drops packets) is given up after [`answer_within`], with a message.
pub fn connect(server: &Server) -> Result<Backend> {
    let host = host(&server.address)?.with_credential(server.token.secret());
    let (answer, answered) = std::sync::mpsc::channel();
    // burn's connect has no timeout of its own: it runs on a thread this one stops waiting for.
    std::thread::spawn(move || {
        let device = Device::remote_options(&host).init();
        let hosted = device.as_ref().ok().map(tanh_on_server::describe);
        answer.send(device.map(|device| (device, hosted))).ok();
    });
    let within = answer_within();
    let (device, hosted) = match answered.recv_timeout(within) {
        Ok(connected) => connected.map_err(|err| refused(&server.address, err))?,
        Err(_) => anyhow::bail!(
            "the server at {} did not answer within {} s; is `stepwise serve` running there, and \
             is the address the one it printed?",
            server.address,
            within.as_secs()
        ),
    };
    let hosted = hosted.unwrap_or_default();
    Ok(Backend {
        name: "remote",
        description: format!("{hosted}, served at {}", server.address),
        software: false,
        device,
    })
}

fn host(address: &Address) -> Result<RemoteHost> {
    Ok(match address {
        Address::WebSocket(url) => RemoteHost::websocket(url),
        Address::Iroh { id, direct } => {
            let id = id
                .parse::<burn::remote::EndpointId>()
                .map_err(|err| anyhow!("--remote {id}: not an iroh endpoint id ({err})"))?;
            let mut host = burn::remote::IrohHost::new(id);
            for address in direct {
                host = host.with_address(*address);
            }
            RemoteHost::iroh(host)
        }
    })
}

/// What a refused connection means for the person at the client.
fn refused(address: &Address, err: ConnectError) -> anyhow::Error {
    let hint = match err {
        ConnectError::Unauthorized => {
            "the server refused the token: use the one it was started with (--token-file or \
             STEPWISE_REMOTE_TOKEN)"
        }
        ConnectError::Unreachable { .. } | ConnectError::NoAddress => {
            "is `stepwise serve` running there, at the address it printed?"
        }
        ConnectError::IncompatibleProtocol { .. } => {
            "build the client and the server from the same stepwise (same burn release)"
        }
        _ => "check the address and that the server is running",
    };
    anyhow!("cannot use the server at {address}: {err}; {hint}")
}
