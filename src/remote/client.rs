//! The client side: a server's device as the `Device` the learning loop computes on.

use anyhow::{anyhow, Result};
use burn::remote::{ConnectError, RemoteHost};
use burn::tensor::Device;

use super::{tanh, Address, Server};
use crate::device::Backend;

/// Opens a session on the server's first device and asks it what it computes on.
pub fn connect(server: &Server) -> Result<Backend> {
    let host = host(&server.address)?.with_credential(server.token.secret());
    let device = Device::remote_options(&host)
        .init()
        .map_err(|err| refused(&server.address, err))?;
    let hosted = tanh::describe(&device);
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
