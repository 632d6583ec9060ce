//! What the page asks the server for: the page itself, the choices, sessions (start, events,
//! commands, save, close) and uploads. Every failure is a message the page shows.

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use super::session::{Command, Session};
use super::setup::MOST_UPLOAD_BYTES;
use super::Shared;
use crate::data::builtin::Builtin;
use crate::data::SHIPPED;

/// The server's shared state, as a handler receives it.
type Server = State<Arc<Shared>>;

pub(super) fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(|| async { Html(include_str!("page/index.html")) }))
        .route(
            "/play.js",
            get(|| page("text/javascript", include_str!("page/play.js"))),
        )
        .route(
            "/draw.js",
            get(|| page("text/javascript", include_str!("page/draw.js"))),
        )
        .route(
            "/play.css",
            get(|| page("text/css", include_str!("page/play.css"))),
        )
        .route("/api/choices", get(choices))
        .route("/api/sessions", post(start))
        .route("/api/sessions/{id}/events", get(events))
        .route("/api/sessions/{id}/save", post(save))
        .route("/api/sessions/{id}/close", post(close))
        .route("/api/sessions/{id}/{action}", post(command))
        .route(
            "/api/upload",
            post(upload).layer(DefaultBodyLimit::max(MOST_UPLOAD_BYTES)),
        )
        .with_state(shared)
}

async fn page(kind: &'static str, text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}

/// An error the page shows as it is.
fn refused(status: StatusCode, message: impl Into<String>) -> Response {
    #[derive(Serialize)]
    struct Refused {
        error: String,
    }
    let error = message.into();
    (status, Json(Refused { error })).into_response()
}

fn no_session(id: u64) -> Response {
    refused(
        StatusCode::NOT_FOUND,
        format!("no session {id}: it ended (the page was closed, or the server restarted); reload the page"),
    )
}

#[derive(Serialize)]
struct Choice {
    name: &'static str,
    description: String,
    plane: bool,
    noise: f32,
}

/// The data sets the page offers, and the file the command line named.
async fn choices(State(shared): Server) -> Json<serde_json::Value> {
    let sets = Builtin::ALL.iter().filter(|set| set.image().is_none());
    let builtin: Vec<Choice> = sets
        .map(|set| Choice {
            name: set.name(),
            description: set.description(),
            plane: set.is_plane(),
            noise: set.default_noise(),
        })
        .collect();
    let shipped: Vec<&str> = SHIPPED.iter().map(|shipped| shipped.name).collect();
    Json(serde_json::json!({
        "builtin": builtin,
        "shipped": shipped,
        "named": shared.files.named(),
        "most_upload_bytes": MOST_UPLOAD_BYTES,
        "updates_per_second": super::UPDATES_PER_SECOND,
    }))
}

#[derive(Deserialize)]
struct Start {
    arguments: Vec<String>,
}

/// A new session for the page's choices, unless too many pages train already.
async fn start(State(shared): Server, Json(start): Json<Start>) -> Response {
    let most = shared.most_sessions;
    if shared.lock().len() >= most {
        return refused(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{most} pages are training already, the most this server runs at once: close \
                 one of them, or start the server with a larger --sessions"
            ),
        );
    }
    let setup = match shared.files.setup(&start.arguments) {
        Ok(setup) => setup,
        Err(err) => return refused(StatusCode::BAD_REQUEST, format!("{err:#}")),
    };
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let started = tokio::task::spawn_blocking(move || Session::start(id, setup)).await;
    match started {
        Ok(Ok(session)) => {
            let opening = session.opening.clone();
            shared.lock().insert(id, Arc::new(session));
            tokio::spawn(end_unless_watched(shared, id));
            Json(opening).into_response()
        }
        Ok(Err(err)) => refused(StatusCode::BAD_REQUEST, format!("{err:#}")),
        Err(err) => refused(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()),
    }
}

/// The session's updates as server-sent events, the newest first; when the page goes (its
/// connection closes), its session ends.
async fn events(State(shared): Server, Path(id): Path<u64>) -> Response {
    let Some(session) = shared.session(id) else {
        return no_session(id);
    };
    session.watched.store(true, Ordering::Relaxed);
    let updates = session.updates.clone();
    let stopping = shared.stopping.clone();
    let ends = Ends { shared, id };
    let stream = futures_util::stream::unfold(
        (updates, stopping, ends, true),
        |(mut updates, mut stopping, ends, first)| async move {
            if !first {
                tokio::select! {
                    changed = updates.changed() => changed.ok()?,
                    _ = stopping.changed() => return None,
                }
            }
            let json = updates.borrow_and_update().clone();
            let event = Ok::<_, Infallible>(Event::default().data(&*json));
            Some((event, (updates, stopping, ends, false)))
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// How long a new session waits for its page to watch it.
const WATCHED_WITHIN: Duration = Duration::from_secs(30);

/// Ends a session no page came to watch (one that failed to load, or a script's request): it
/// would hold its place under the bound forever.
async fn end_unless_watched(shared: Arc<Shared>, id: u64) {
    tokio::time::sleep(WATCHED_WITHIN).await;
    let unwatched = shared
        .session(id)
        .is_some_and(|s| !s.watched.load(Ordering::Relaxed));
    if unwatched {
        shared.lock().remove(&id);
    }
}

/// Ends a session when its page's event stream goes.
struct Ends {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Ends {
    fn drop(&mut self) {
        self.shared.lock().remove(&self.id);
    }
}

async fn command(State(shared): Server, Path((id, action)): Path<(u64, String)>) -> Response {
    let command = match action.as_str() {
        "play" => Command::Play,
        "pause" => Command::Pause,
        "step" => Command::Step,
        "epoch" => Command::Epoch,
        "reset" => Command::Reset,
        other => {
            let known = "play, pause, step, epoch, reset, save, close";
            return refused(
                StatusCode::NOT_FOUND,
                format!("no command '{other}' (known: {known})"),
            );
        }
    };
    match shared.session(id) {
        Some(session) if session.send(command) => StatusCode::NO_CONTENT.into_response(),
        _ => no_session(id),
    }
}

async fn save(State(shared): Server, Path(id): Path<u64>) -> Response {
    let (reply, saved) = oneshot::channel();
    let sent = shared
        .session(id)
        .is_some_and(|s| s.send(Command::Save(reply)));
    if !sent {
        return no_session(id);
    }
    match saved.await {
        Ok(Ok(dir)) => Json(serde_json::json!({ "dir": dir })).into_response(),
        Ok(Err(err)) => refused(StatusCode::CONFLICT, err),
        Err(_) => no_session(id),
    }
}

async fn close(State(shared): Server, Path(id): Path<u64>) -> StatusCode {
    shared.lock().remove(&id);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

/// A CSV from the page, kept for a session to load (and check) by its name.
async fn upload(State(shared): Server, Query(named): Query<Named>, body: Bytes) -> Response {
    match shared.files.upload(&named.name, &body) {
        Ok(name) => Json(serde_json::json!({ "dataset": name })).into_response(),
        Err(err) => refused(StatusCode::BAD_REQUEST, format!("{err:#}")),
    }
}
