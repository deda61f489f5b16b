//! Server tests through the real router, on SQLite and (when configured) PostgreSQL.
//! One test binary: it links once and shares the support module.

mod admin_flow;
mod admin_pages;
mod admin_session;
mod admin_support;
mod auth;
mod background_rounds;
mod bad_input;
mod blob_maintenance;
mod blob_stores;
mod body_limits;
mod client_address;
mod dangerous_files;
mod demo_seed;
mod desktop_releases;
mod migrations;
mod openapi;
mod operations;
mod portal_canary;
mod portal_downloads;
mod portal_events;
mod portal_fanout;
mod portal_invitations;
mod portal_mail;
mod portal_matrix;
mod portal_requests;
mod portal_scale;
mod portal_session;
mod portal_sync;
mod rejections;
mod shutdown;
mod story;
mod support;
mod updates;
mod versions;
