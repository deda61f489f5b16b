//! The client library against a real server process, in a real desktop session
//! (Secret Service keyring, notification daemon). Run through scripts/desktop-session.sh.

mod attention;
mod files;
mod messages;
mod notifications;
mod outbox;
mod private;
mod session;
mod support;
mod sync;
mod windows;
