//! The HTTP API of [`tandem_protocol::api`], on axum.

mod auth;
mod envelopes;
mod error;
mod keys;
mod ops;
mod record;
mod teams;

pub use error::ApiError;

use crate::config::{Limits, TeamCreation};
use crate::long_poll::TeamBells;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::record_cache::RecordCache;
use crate::storage::Storage;
use axum::body::HttpBody as _;
use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{RequestExt, Router};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tandem_protocol::request::HEADER_DEVICE;
use tandem_protocol::{DeviceId, RelayErrorCode, TeamId};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::limit::RequestBodyLimitLayer;

/// How long an oversized body is read before the 413 goes out anyway.
const DRAIN_FOR: Duration = Duration::from_secs(10);

/// How often stale replay-table entries are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Everything a handler needs (cheap to clone).
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    storage: Storage,
    limits: Limits,
    team_creation: TeamCreation,
    metrics: Metrics,
    rate_limiter: RateLimiter,
    bells: TeamBells,
    stopping: watch::Sender<bool>,
    /// One permit per request being served.
    in_flight: Arc<tokio::sync::Semaphore>,
    /// The teams' verified records.
    records: RecordCache,
}

impl AppState {
    /// A relay over `storage` enforcing `limits`, creating teams as `team_creation` allows.
    pub fn new(storage: Storage, limits: Limits, team_creation: TeamCreation) -> Self {
        Self {
            inner: Arc::new(Shared {
                rate_limiter: RateLimiter::new(limits.rate_per_second, limits.rate_burst),
                storage,
                limits,
                team_creation,
                metrics: Metrics::default(),
                bells: TeamBells::default(),
                stopping: watch::channel(false).0,
                in_flight: Arc::new(tokio::sync::Semaphore::new(limits.max_concurrent_requests)),
                records: RecordCache::default(),
            }),
        }
    }

    /// The storage.
    pub fn storage(&self) -> &Storage {
        &self.inner.storage
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Who may create teams.
    pub fn team_creation(&self) -> &TeamCreation {
        &self.inner.team_creation
    }

    /// The counters.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    fn records(&self) -> &RecordCache {
        &self.inner.records
    }

    fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.rate_limiter
    }

    fn bells(&self) -> &TeamBells {
        &self.inner.bells
    }

    /// Turns `true` when the relay shuts down, so long polls answer at once.
    fn stopping(&self) -> watch::Receiver<bool> {
        self.inner.stopping.subscribe()
    }
}

/// Unix milliseconds now.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The relay's routes.
pub fn app(state: AppState) -> Router {
    let max_body = state.limits().max_body_bytes;
    Router::new()
        .route("/health", get(ops::health))
        .route("/metrics", get(ops::metrics))
        .route("/v1/info", get(ops::info))
        .route("/v1/teams", post(teams::create_team))
        .route("/v1/join", post(teams::join))
        .route("/v1/join/complete", post(record::complete_join))
        .route(
            "/v1/teams/{team}/record",
            get(record::fetch).post(record::post),
        )
        .route("/v1/teams/{team}/devices", get(teams::devices))
        .route(
            "/v1/teams/{team}/devices/{device}/revoke",
            post(teams::revoke),
        )
        .route("/v1/teams/{team}/invites", post(teams::create_invite))
        .route(
            "/v1/teams/{team}/envelopes",
            get(envelopes::pull).post(envelopes::push),
        )
        .route(
            "/v1/teams/{team}/snapshots",
            get(envelopes::snapshots).post(envelopes::put_snapshot),
        )
        .route(
            "/v1/teams/{team}/snapshots/batch",
            post(envelopes::put_snapshots),
        )
        .route("/v1/teams/{team}/keys", get(keys::fetch).post(keys::post))
        .route(
            "/v1/teams/{team}/docs/{doc}/erase",
            post(envelopes::erase_doc),
        )
        // Innermost first: the body limit, its 413 made JSON, the signed headers checked (and
        // an oversized body refused, drained only for a device that signed it), the
        // concurrency limit, then logs and metrics around everything so refusals are counted
        // too.
        .route_layer(RequestBodyLimitLayer::new(max_body))
        .route_layer(middleware::map_response(json_too_large))
        .route_layer(middleware::from_fn_with_state(state.clone(), guard))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limit_in_flight,
        ))
        .route_layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// Serves until `shutdown` completes, then lets requests in flight finish (long polls answer
/// at once). Bind the listener first (port 0 is fine): the relay is reachable as soon as this
/// is called.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let pruner = tokio::spawn(prune_replay_table(state.clone()));
    // Relays sharing one PostgreSQL wake each other's long polls at once.
    let listener_state = state.clone();
    let notices = state
        .storage()
        .listen_for_appends(std::sync::Arc::new(move |team| {
            listener_state.metrics().append_notice();
            listener_state.bells().ring(team);
        }));
    let stopping = state.inner.stopping.clone();
    let result = axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            shutdown.await;
            stopping.send_replace(true);
        })
        .await;
    pruner.abort();
    if let Some(task) = notices {
        task.abort();
    }
    result
}

async fn prune_replay_table(state: AppState) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        every.tick().await;
        match state.storage().prune_signatures(now_ms()).await {
            Ok(n) => tracing::debug!(pruned = n, "replay table pruned"),
            Err(e) => tracing::warn!(error = %e, "pruning the replay table failed"),
        }
    }
}

async fn not_found() -> ApiError {
    ApiError::not_found(RelayErrorCode::NoRoute, "no such path on this relay")
}

async fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(tandem_protocol::api::ErrorBody {
            error: RelayErrorCode::MethodNotAllowed,
            reason: "this path does not take that method".into(),
        }),
    )
        .into_response()
}

/// The body limit layer answers 413 in plain text; clients expect an [`ApiError`] body.
async fn json_too_large(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        ApiError::too_large().into_response()
    } else {
        response
    }
}

/// Routes anyone may call without signing.
fn unsigned(path: &str) -> bool {
    matches!(path, "/health" | "/metrics" | "/v1/info")
}

/// Before anything reads a body: a request to a signed route without well-formed, fresh
/// signed headers is answered 401 at once; one declaring a body over the relay's limit is
/// answered 413 at once. Only when such a body's signature (over its declared hash) is a
/// team device's is it read and dropped first (up to twice the limit): a server that answers
/// while the client is still sending, then closes, makes the client see a connection reset
/// instead of the 413 (nginx's "lingering close" for the same reason). A stranger's is never
/// read.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if unsigned(req.uri().path()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let signed = match auth::SignedHeaders::parse(&parts) {
        Ok(signed) => signed,
        Err(refused) => return refused.into_response(),
    };
    let max = state.limits().max_body_bytes as u64;
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let team = parts
        .uri
        .path()
        .strip_prefix("/v1/teams/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|t| t.parse::<TeamId>().ok());
    let req = Request::from_parts(parts, body);
    match declared {
        Some(len) if len > max => {
            if len <= max.saturating_mul(2) && signed_by_a_member(&state, team, &signed).await {
                let mut body = req.into_body();
                let drain = async {
                    while let Some(frame) =
                        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx))
                            .await
                    {
                        if frame.is_err() {
                            break;
                        }
                    }
                };
                let _ = tokio::time::timeout(DRAIN_FOR, drain).await;
            }
            ApiError::too_large().into_response()
        }
        _ => next.run(req).await,
    }
}

/// Whether `signed` verifies, over its declared body hash, with the key of a device of the
/// team in the path.
async fn signed_by_a_member(
    state: &AppState,
    team: Option<TeamId>,
    signed: &auth::SignedHeaders,
) -> bool {
    let Some(team) = team else {
        return false;
    };
    let Ok(crate::storage::DeviceLookup::Member(device)) =
        state.storage().lookup_device(team, signed.device).await
    else {
        return false;
    };
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&device.public_key) else {
        return false;
    };
    matches!(
        signed.verify_declared(state.storage().relay_id(), &key, now_ms()),
        Ok(true)
    )
}

/// At most `max_concurrent_requests` served at once (long polls included): more are
/// answered 503 `busy` at once rather than queued, so a flood cannot hold every socket and
/// task; health checks and metrics are never turned away.
async fn limit_in_flight(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(req.uri().path(), "/health" | "/metrics") {
        return next.run(req).await;
    }
    match state.inner.in_flight.clone().try_acquire_owned() {
        Ok(permit) => {
            let response = next.run(req).await;
            drop(permit);
            response
        }
        Err(_) => ApiError::busy().into_response(),
    }
}

/// Counts and logs each request: route, status, duration, and the team and device ids.
/// Nothing else from the request is logged.
async fn observe(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().clone();
    let team = req
        .extract_parts::<RawPathParams>()
        .await
        .ok()
        .and_then(|params| {
            params
                .iter()
                .find(|(k, _)| *k == "team")
                .and_then(|(_, v)| v.parse::<TeamId>().ok())
        });
    let device = req
        .headers()
        .get(HEADER_DEVICE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<DeviceId>().ok());
    let response = next.run(req).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    state.metrics().request(&route, status, took);
    tracing::info!(
        method = %method,
        route,
        status,
        duration_ms = took.as_secs_f64() * 1000.0,
        team = team.map(|t| t.to_hex()).unwrap_or_default(),
        device = device.map(|d| d.to_hex()).unwrap_or_default(),
        "request"
    );
    response
}
