//! What `stepwise datasets` and `stepwise devices` print: the data sets and the backends this
//! build knows.

use anyhow::Result;

use crate::data;
use crate::device::{self, DeviceChoice};

use super::RemoteArgs;

pub fn datasets() -> Result<()> {
    for (name, description) in data::catalogue() {
        say!("{name:<8} {description}")?;
    }
    Ok(())
}

pub fn devices(remote: RemoteArgs) -> Result<()> {
    say!(
        "compiled backends: {}",
        device::compiled_backends().join(", ")
    )?;
    let server = remote.server()?;
    if let Some(server) = &server {
        super::remote::on_lost_server(&server.address); // the survey asks it what it hosts
    }
    let mut reached = false;
    for (name, backend) in crate::remote::survey(server.as_ref()) {
        match backend {
            Ok(backend) => {
                reached |= name == "remote";
                say!("{name:<8} {}", backend.description)?
            }
            Err(err) => say!("{name:<8} unavailable: {err:#}")?,
        }
    }
    // With --remote, `auto` is the server (connecting again would only repeat the wait).
    if server.is_some() {
        let verdict = if reached {
            "remote"
        } else {
            "none: the server is unavailable"
        };
        return say!("auto     -> {verdict}");
    }
    match device::select(DeviceChoice::Auto) {
        Ok(selection) => {
            say!("auto     -> {}", selection.backend.name)?;
            if let Some(warning) = selection.warning {
                say!("         ({warning})")?;
            }
        }
        Err(err) => say!("auto     -> none: {err:#}")?,
    }
    Ok(())
}
