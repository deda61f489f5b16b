//! Windows on the cache after a real sync, and reads through the second, read-only
//! connection while sync writes: what has arrived shows page by page, and a read
//! never waits for a page being applied.

use std::sync::{Arc, Mutex};

use futures_util::stream::{self, StreamExt};
use ordinavo_client::cache::window::{When, Window};
use ordinavo_client::runner::{self, Update};
use portal_types::{AppointmentView, SyncKind};
use serde_json::json;

use crate::support::{location, Stack, FACILITIES};

/// Upcoming Berlin visits, hourly: many list windows, and many sync pages of `PAGE`.
const VISITS: usize = 150;
/// Changes per sync page in these tests.
const PAGE: u32 = 40;

async fn many_visits(stack: &Stack, location_id: &str) {
    let target = stack.target(location_id, "Facade inspection").await;
    stream::iter(0..VISITS)
        .for_each_concurrent(8, |i| {
            let target = target.clone();
            async move {
                let starts = chrono::Utc::now() + chrono::Duration::hours(i as i64 + 1);
                let ends = starts + chrono::Duration::minutes(45);
                let format = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                stack
                    .post(
                        "/api/v1/appointments",
                        json!({ "target_id": target, "starts_at": format(starts), "ends_at": format(ends),
                                "shared_with_portal": true }),
                    )
                    .await;
            }
        })
        .await;
}

#[tokio::test]
async fn walking_a_window_returns_each_appointment_once_in_order_with_its_filters() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    many_visits(&stack, &berlin.id).await;
    client.sync().await.unwrap();

    let walk = |window: Window| {
        let mut window = window;
        let mut all: Vec<AppointmentView> = Vec::new();
        loop {
            let slice = client.window::<AppointmentView>(&window).unwrap();
            all.extend(slice.items);
            match slice.next {
                Some(next) => window.after = Some(next),
                None => return all,
            }
        }
    };
    let upcoming = walk(Window { when: Some(When::Upcoming), ..Window::of(SyncKind::Appointment, 64) });
    let mut ids: Vec<&str> = upcoming.iter().map(|a| a.id.as_str()).collect();
    assert!(upcoming.windows(2).all(|w| (&w[0].starts_at, &w[0].id) < (&w[1].starts_at, &w[1].id)), "soonest first");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), upcoming.len(), "each appointment once");
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(upcoming.iter().all(|a| a.ends_at >= now), "none has ended");

    let in_berlin = walk(Window {
        when: Some(When::Upcoming),
        location: Some(berlin.id.clone()),
        ..Window::of(SyncKind::Appointment, 100)
    });
    assert!(in_berlin.len() >= VISITS && in_berlin.iter().all(|a| a.location_id == berlin.id));
    let past = walk(Window { when: Some(When::Past), ..Window::of(SyncKind::Appointment, 10) });
    assert!(past.windows(2).all(|w| w[0].starts_at >= w[1].starts_at), "latest first");
    assert!(past.iter().all(|a| a.ends_at < now));
    assert_eq!(
        upcoming.len() + past.len(),
        client.count(SyncKind::Appointment).unwrap(),
        "upcoming and past together are every cached appointment"
    );
}

#[tokio::test]
async fn a_first_sync_in_the_background_shows_each_page_as_it_lands() {
    let stack = Stack::start();
    {
        let mut client = stack.sign_in(FACILITIES).await;
        client.sync().await.unwrap();
        let berlin = location(&client, "Berlin");
        many_visits(&stack, &berlin.id).await;
        client.sign_out().await.unwrap();
    }
    let mut client = stack.sign_in(FACILITIES).await;
    client.set_page_size(PAGE);
    let reader = Arc::new(client.reader().unwrap());
    let shared: runner::Shared = Arc::new(tokio::sync::Mutex::new(Some(client)));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (done, finished) = tokio::sync::oneshot::channel();
    let done = Mutex::new(Some(done));
    let (seen_by_loop, reader_of_loop) = (seen.clone(), reader.clone());
    let on_update = Arc::new(move |update: Update| match update {
        // Between pages: what arrived so far is readable through the reader.
        Update::Progress { progress } => {
            let shown = reader_of_loop.window::<AppointmentView>(&Window::of(SyncKind::Appointment, 500)).unwrap();
            seen_by_loop.lock().unwrap().push((progress.received, shown.items.len()));
        }
        Update::Connected => {}
        ended => {
            if let Some(done) = done.lock().unwrap().take() {
                let _ = done.send(ended);
            }
        }
    });
    let background = tokio::spawn(runner::run(shared.clone(), runner::PERIOD, on_update));

    // While the loop syncs, reads go through the reader and never wait for its lock.
    let mut reads = 0;
    let mut finished = finished;
    let ended = loop {
        tokio::select! {
            ended = &mut finished => break ended.unwrap(),
            _ = tokio::task::yield_now() => {
                reader.window::<AppointmentView>(&Window::of(SyncKind::Appointment, 50)).unwrap();
                reads += 1;
            }
        }
    };
    background.abort();
    assert!(matches!(ended, Update::Synced { .. }), "{ended:?}");
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty(), "a sync of more than one page reports progress");
    assert!(seen.iter().all(|(received, shown)| *received > 0 && *shown > 0), "each page shows at once: {seen:?}");
    assert!(reads > 0);
    let client = shared.lock().await;
    let cached = client.as_ref().unwrap().count(SyncKind::Appointment).unwrap();
    assert!(cached > VISITS);
}

#[tokio::test]
async fn the_reader_answers_while_a_write_transaction_is_open() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let reader = client.reader().unwrap();
    let before = reader.window::<AppointmentView>(&Window::of(SyncKind::Appointment, 500)).unwrap().items.len();
    assert!(before > 0);

    // A page being applied: a write transaction holds the cache and has not committed.
    let cache = client.account().dir(stack.app()).join("cache.sqlite");
    let writer = rusqlite::Connection::open(&cache).unwrap();
    client.account().cache_key().unwrap().expect("in the keyring").unlock(&writer).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE; DELETE FROM records WHERE kind = 'appointment';").unwrap();
    let during = reader.window::<AppointmentView>(&Window::of(SyncKind::Appointment, 500)).unwrap().items.len();
    assert_eq!(during, before, "the reader sees the last committed state, without waiting");
    writer.execute_batch("ROLLBACK;").unwrap();
}
