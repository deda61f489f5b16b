//! Periodic clean-up with several instances on one database: every instance keeps the
//! timer, but each round is claimed once, so exactly one of them does the work; and a
//! round removes ended sessions and old sign-in counters while live ones stay.

use axum::http::StatusCode;
use ordinavo_server::domain::throttle::WINDOW_MS;
use ordinavo_server::ops::cleanup::{run_round, EVERY};
use ordinavo_server::records::{sessions, staff_sessions};
use ordinavo_server::storage::{now_ms, Db};

use crate::support::{TestApp, NORTHWIND_ALL, PORTAL_PASSWORD};

const EVERY_MS: i64 = EVERY.as_millis() as i64;

/// Runs the round due at `now` from four claimants on each instance at once; returns
/// which claimants did the work and how many stale counters they removed.
async fn race(a: &Db, b: &Db, now: i64) -> Vec<(String, u64)> {
    let claimants = (0..8).map(|i| {
        let db = if i % 2 == 0 { a.clone() } else { b.clone() };
        let holder = format!("instance {} claimant {i}", if i % 2 == 0 { "A" } else { "B" });
        async move { run_round(&db, &holder, now).await.unwrap().map(|purged| (holder, purged.throttle_windows)) }
    });
    futures_util::future::join_all(claimants).await.into_iter().flatten().collect()
}

async fn add_counter(db: &Db, key: &str, window_start: i64) {
    sqlx::query("INSERT INTO login_throttle (throttle_key, window_start, failures) VALUES ($1, $2, 3)")
        .bind(key)
        .bind(window_start)
        .execute(&db.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn with_two_instances_on_one_database_each_clean_up_round_runs_on_exactly_one() {
    for app in TestApp::all().await {
        let (other, _other_dir) = app.second_instance().await;
        let (a, b) = (&app.state.db, &other.db);
        let now = now_ms();
        add_counter(a, "ip:stale", now - WINDOW_MS - 1).await;
        add_counter(a, "ip:fresh", now).await;

        let winners = race(a, b, now).await;
        assert_eq!(winners.len(), 1, "[{}] one claimant per round: {winners:?}", app.backend);
        assert_eq!(winners[0].1, 1, "[{}] the stale counter was removed once", app.backend);
        let (holder,): (String,) =
            sqlx::query_as("SELECT claimed_by FROM background_rounds WHERE task = 'expiry_cleanup'")
                .fetch_one(&b.pool)
                .await
                .unwrap();
        assert_eq!(holder, winners[0].0, "[{}] the round names who ran it", app.backend);
        assert_eq!(app.count("login_throttle").await, 1, "[{}] the fresh counter stays", app.backend);

        assert!(race(a, b, now + 1000).await.is_empty(), "[{}] the same round is not run again", app.backend);
        add_counter(b, "ip:later", now - WINDOW_MS - 1).await;
        let next = race(a, b, now + EVERY_MS).await;
        assert_eq!(next.len(), 1, "[{}] the next round runs once: {next:?}", app.backend);
        assert_eq!(next[0].1, 2, "[{}] the new stale counter, and the fresh one whose window has passed", app.backend);
    }
}

#[tokio::test]
async fn a_round_removes_ended_sessions_and_keeps_live_ones() {
    for app in TestApp::all_with_demo().await {
        let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let now = now_ms();
        let user = app.id_of(&format!("SELECT id FROM portal_users WHERE email = '{NORTHWIND_ALL}'")).await;
        let staff = app.id_of("SELECT id FROM staff_users ORDER BY id").await;
        // (id, last seen, expires, revoked)
        let ended = [
            ("revoked", now, now + 1000, Some(now)),
            ("expired", now, now - 1, None),
            ("idle", now - sessions::IDLE_MS - 1, now + 1000, None),
        ];
        for (id, last_seen, expires, revoked) in ended {
            sqlx::query(
                "INSERT INTO portal_sessions (id, portal_user_id, token_hash, created_at, last_seen_at, expires_at, revoked_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(format!("portal-{id}"))
            .bind(&user)
            .bind(format!("hash-{id}"))
            .bind(now - 1000)
            .bind(last_seen)
            .bind(expires)
            .bind(revoked)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
            let staff_last_seen = if id == "idle" { now - staff_sessions::IDLE_MS - 1 } else { last_seen };
            sqlx::query(
                "INSERT INTO staff_sessions (id, staff_user_id, token_hash, csrf_token, created_at, last_seen_at, expires_at, revoked_at)
                 VALUES ($1, $2, $3, 'csrf', $4, $5, $6, $7)",
            )
            .bind(format!("staff-{id}"))
            .bind(&staff)
            .bind(format!("staff-hash-{id}"))
            .bind(now - 1000)
            .bind(staff_last_seen)
            .bind(expires)
            .bind(revoked)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        }
        sqlx::query("INSERT INTO portal_sync_sent (session_id, kind, id) VALUES ('portal-idle', 'report', 'r1')")
            .execute(&app.state.db.pool)
            .await
            .unwrap();

        let purged = run_round(&app.state.db, "test", now).await.unwrap().expect("the first round is due");
        assert_eq!((purged.portal_sessions, purged.staff_sessions), (3, 3), "[{}] {purged:?}", app.backend);
        assert_eq!(app.count("portal_sessions").await, 1, "[{}] only the live session is left", app.backend);
        assert_eq!(app.count("staff_sessions").await, 0, "[{}]", app.backend);
        assert_eq!(app.count("portal_sync_sent").await, 0, "[{}] sync bookkeeping goes with its session", app.backend);
        assert_eq!(app.portal_get("/portal/v1/me", &token).await.0, StatusCode::OK, "[{}]", app.backend);
    }
}
