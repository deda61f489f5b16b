//! Running the server in production: readiness, metrics, graceful shutdown and the
//! periodic background work that must run once per round however many instances
//! share the database.

pub mod cleanup;
pub mod metrics;
pub mod ready;
pub mod rounds;
pub mod shutdown;
