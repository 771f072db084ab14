//! `/health`, `/metrics` and `/v1/info`.

use super::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tandem_protocol::api::RelayInfo;

/// `ok` when storage answers.
pub async fn health(State(state): State<AppState>) -> Response {
    match state.storage().ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: storage does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").into_response()
        }
    }
}

/// Prometheus text.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut text = state.metrics().render();
    let (groups, writes) = state.storage().group_commits();
    text.push_str(&format!(
        "# HELP tandem_relay_write_groups_total Group commits: one transaction and one fsync \
         each.\n# TYPE tandem_relay_write_groups_total counter\n\
         tandem_relay_write_groups_total {groups}\n\
         # HELP tandem_relay_grouped_writes_total Writes committed in those groups (SQLite: \
         every write; PostgreSQL: pushes).\n\
         # TYPE tandem_relay_grouped_writes_total counter\n\
         tandem_relay_grouped_writes_total {writes}\n"
    ));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// The relay's identity and limits.
pub async fn info(State(state): State<AppState>) -> Json<RelayInfo> {
    let limits = state.limits();
    Json(RelayInfo {
        relay_id: state.storage().relay_id().to_owned(),
        version: tandem_protocol::VERSION,
        max_body_bytes: limits.max_body_bytes,
        max_envelope_bytes: limits.max_envelope_bytes,
    })
}
