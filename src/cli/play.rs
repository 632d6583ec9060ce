//! `stepwise play`: where the playground is served, and what a user must know about it.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::play::{PlayOptions, Playground};

#[derive(Args, Debug)]
pub struct PlayArgs {
    /// The port to serve on; 0 picks a free one.
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// The address to listen on. Only this machine can reach the default; another address
    /// (0.0.0.0: every interface) lets anyone who can reach it use the playground.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// A CSV file with a header row the page may train on, besides the built-in sets and the
    /// files uploaded in the page.
    #[arg(long, value_name = "FILE")]
    pub dataset: Option<PathBuf>,
    /// Pages that may train at once; one more is told to wait.
    #[arg(long, default_value_t = 4,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64))]
    pub sessions: usize,
}

pub fn play(args: PlayArgs) -> Result<()> {
    let playground = Playground::bind(PlayOptions {
        bind: SocketAddr::new(args.bind, args.port),
        dataset: args.dataset,
        most_sessions: args.sessions,
    })?;
    if !args.bind.is_loopback() {
        tell!(
            "warning: --bind {}: anyone who can reach this address can use the playground — \
             train on this machine, upload CSV files to it and save models under artifacts/",
            args.bind
        );
    }
    let address = playground.address()?;
    say!("playground  http://{address}/  (open it in a browser; Ctrl-C stops the server)")?;
    playground.serve()?;
    say!("stopped")
}
