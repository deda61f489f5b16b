//! This instance's Prometheus metrics, in the text format, on their own listener
//! (`ORDINAVO_METRICS_BIND`) and never on the public port: they describe traffic,
//! which is nobody else's business. Requests are labelled with the route template
//! (`/portal/v1/reports/{id}`), never the raw path, so ids cannot multiply the series.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::{prometheus_text, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::error::AppError;

/// The route label of a request that matched no route (answered by the fallback).
const UNMATCHED: &str = "unmatched";

/// Latency buckets in seconds: from a cached read to a slow sync page.
const LATENCY_BUCKETS: [f64; 12] = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LoginLabels {
    surface: &'static str,
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventQueryLabels {
    purpose: &'static str,
}

/// Why the live event machinery asked the database something: the hub's reads happen
/// once per change for the whole instance, a stream's only when it connects.
#[derive(Debug, Clone, Copy)]
pub enum EventQuery {
    /// The hub reads a batch of new events.
    Batch,
    /// The hub re-reads the sessions and grants of every open stream.
    Recheck,
    /// The hub decides which subscribed users may see a batch.
    Visibility,
    /// One stream finds its start or replays what it missed.
    Connect,
}

/// Which sign-in failed: the portal's or the staff web's.
#[derive(Debug, Clone, Copy)]
pub enum Surface {
    Portal,
    Staff,
}

/// Why a sign-in failed.
#[derive(Debug, Clone, Copy)]
pub enum LoginFailure {
    /// Unknown account, wrong password or disabled user (one answer for all three).
    Credentials,
    /// Refused by the attempt limits before the password was checked.
    Throttled,
}

/// The instance's metrics; one registry per `AppState`, so tests never share counts.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    event_streams: Gauge,
    event_queries: Family<EventQueryLabels, Counter>,
    lagging_streams: Counter,
    sync_pages: Counter,
    login_failures: Family<LoginLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("ordinavo");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Family<RouteLabels, Histogram> = Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        let event_streams = Gauge::default();
        let event_queries = Family::<EventQueryLabels, Counter>::default();
        let lagging_streams = Counter::default();
        let sync_pages = Counter::default();
        let login_failures = Family::<LoginLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by route template and status", requests.clone());
        registry.register_with_unit(
            "http_request_duration",
            "Time until the response head, by route template",
            Unit::Seconds,
            latency.clone(),
        );
        registry.register("event_streams_open", "Live event streams (SSE) open now", event_streams.clone());
        registry.register(
            "event_queries",
            "Database queries for live events, by purpose (batch, recheck and visibility are per change, not per stream)",
            event_queries.clone(),
        );
        registry.register(
            "event_streams_lagging",
            "Event streams closed because they fell behind (the client resumes)",
            lagging_streams.clone(),
        );
        registry.register("sync_pages", "Delta sync pages served", sync_pages.clone());
        registry.register("login_failures", "Failed sign-ins, by surface and reason", login_failures.clone());
        Self { registry, requests, latency, event_streams, event_queries, lagging_streams, sync_pages, login_failures }
    }
}

impl Metrics {
    /// Counts an open event stream until the returned guard is dropped with the stream.
    pub fn event_stream_opened(self: &Arc<Self>) -> OpenStream {
        self.event_streams.inc();
        OpenStream(Arc::clone(self))
    }

    pub fn event_queried(&self, query: EventQuery) {
        let purpose = match query {
            EventQuery::Batch => "batch",
            EventQuery::Recheck => "recheck",
            EventQuery::Visibility => "visibility",
            EventQuery::Connect => "connect",
        };
        self.event_queries.get_or_create(&EventQueryLabels { purpose }).inc();
    }

    pub fn event_stream_lagging(&self) {
        self.lagging_streams.inc();
    }

    pub fn sync_page_served(&self) {
        self.sync_pages.inc();
    }

    pub fn login_failed(&self, surface: Surface, failure: LoginFailure) {
        let surface = match surface {
            Surface::Portal => "portal",
            Surface::Staff => "staff",
        };
        let reason = match failure {
            LoginFailure::Credentials => "credentials",
            LoginFailure::Throttled => "throttled",
        };
        self.login_failures.get_or_create(&LoginLabels { surface, reason }).inc();
    }

    /// The registry in the Prometheus text format (version 0.0.4).
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Keeps one event stream counted as open.
pub struct OpenStream(Arc<Metrics>);

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.event_streams.dec();
    }
}

/// Middleware on every route: counts the answer and times it, by route template.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or(UNMATCHED, MatchedPath::as_str).to_string();
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    metrics
        .latency
        .get_or_create(&RouteLabels { method, route: route.clone() })
        .observe(started.elapsed().as_secs_f64());
    metrics.requests.get_or_create(&RequestLabels { method, route, status }).inc();
    response
}

/// Known methods by name; anything else as one label, so made-up methods add no series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The metrics listener's application: `GET /metrics` and nothing else.
pub fn router(metrics: Arc<Metrics>) -> Router {
    Router::new().route("/metrics", get(scrape)).fallback(|| async { AppError::NotFound }).with_state(metrics)
}

async fn scrape(State(metrics): State<Arc<Metrics>>) -> Result<Response, AppError> {
    let text = metrics.render().map_err(AppError::internal)?;
    Ok(([(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)], text).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
    }

    #[test]
    fn open_streams_count_down_when_their_guard_drops() {
        let metrics = Arc::new(Metrics::default());
        let first = metrics.event_stream_opened();
        let _second = metrics.event_stream_opened();
        assert!(metrics.render().unwrap().contains("ordinavo_event_streams_open 2\n"));
        drop(first);
        assert!(metrics.render().unwrap().contains("ordinavo_event_streams_open 1\n"));
    }
}
