//! `stepwise play`: the learning loop live in a browser. A page served from the binary picks
//! the data, the network and the STEP, then plays, pauses, steps one minibatch or one epoch,
//! and resets — and watches the loss fall, the regions of the classes form, each hidden
//! neuron's picture, the weights, and a line's path down its loss surface.
//!
//! ```text
//! mod.rs      the server: bind, serve until Ctrl-C, the bound on sessions
//! routes.rs   what the page asks for (the page itself, sessions, commands, uploads, saves)
//! session.rs  one page's training: a thread running `Learner::run`, and what it sends
//! watcher.rs  the page's hold on the loop: pause, one step, one epoch, reset
//! views.rs    what the page draws, computed from the network
//! surface.rs  a line's loss over its slope and intercept, for the path STEP takes
//! setup.rs    the page's choices read by `stepwise train`'s parser; the files it may read
//! page/       the page: HTML, CSS and JavaScript, no build step, nothing from the network
//! ```
//!
//! The page trains through the same loop as `stepwise train` (`Learner::run`, the one
//! `step`), so the command it shows trains the same run in a terminal, number for number.

mod routes;
mod session;
mod setup;
mod surface;
mod views;
mod watcher;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use tokio::sync::watch;

use session::Session;
use setup::Files;

pub use watcher::UPDATES_PER_SECOND;

/// How `stepwise play` serves.
#[derive(Clone, Debug)]
pub struct PlayOptions {
    pub bind: SocketAddr,
    /// A CSV the page may train on, besides the built-in sets and uploads.
    pub dataset: Option<PathBuf>,
    /// Pages that may train at once.
    pub most_sessions: usize,
}

/// What every request shares: the files, the sessions, and the signal to stop.
struct Shared {
    files: Files,
    sessions: Mutex<HashMap<u64, Arc<Session>>>,
    next_id: AtomicU64,
    most_sessions: usize,
    stopping: watch::Receiver<bool>,
}

impl Shared {
    fn session(&self, id: u64) -> Option<Arc<Session>> {
        self.lock().get(&id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Session>>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A playground bound to its address, not yet serving.
pub struct Playground {
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl Playground {
    /// Binds the address; a named data set must exist.
    pub fn bind(options: PlayOptions) -> Result<Playground> {
        if let Some(path) = &options.dataset {
            anyhow::ensure!(
                path.is_file(),
                "--dataset {}: no such file; name a CSV file with a header row",
                path.display()
            );
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(options.bind))
            .with_context(|| {
                format!(
                    "cannot listen on {}; another program may use that port: choose another \
                     with --port",
                    options.bind
                )
            })?;
        let (stop, stopping) = watch::channel(false);
        let shared = Arc::new(Shared {
            files: Files::new(options.dataset)?,
            sessions: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            most_sessions: options.most_sessions.max(1),
            stopping,
        });
        Ok(Playground {
            runtime,
            listener,
            shared,
            stop,
        })
    }

    /// Where the page is served.
    pub fn address(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until Ctrl-C (or SIGTERM), then ends every session and returns.
    pub fn serve(self) -> Result<()> {
        let Playground {
            runtime,
            listener,
            shared,
            stop,
        } = self;
        let app = routes::app(shared.clone());
        runtime.block_on(async move {
            let stopped = async move {
                stop_signal().await;
                stop.send_replace(true);
            };
            axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await
        })?;
        shared.lock().clear();
        Ok(())
    }
}

/// Ctrl-C, or SIGTERM.
async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => tokio::select! {
            _ = ctrl_c => {}
            _ = terminate.recv() => {}
        },
        Err(_) => ctrl_c.await,
    }
}
