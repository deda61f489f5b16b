//! Live events at scale: one change costs the instance a few queries however many
//! streams are open, and each stream still gets exactly what its user may see.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::portal_events::{new_follow_up, SseReader};
use crate::support::{TestApp, CONTOSO, NORTHWIND_ALL, NORTHWIND_MARINA, PDF, PORTAL_PASSWORD};

const MARINA: &str = "name LIKE '%مارينا%'";
const BERLIN: &str = "city = 'Berlin'";
const MUNICH: &str = "city = 'München'";

/// The instance's live event queries so far, by purpose, from its metrics.
fn event_queries(app: &TestApp) -> HashMap<String, u64> {
    let text = app.state.metrics.render().unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("ordinavo_event_queries_total{purpose=\""))
        .filter_map(|rest| rest.split_once("\"} "))
        .map(|(purpose, count)| (purpose.to_string(), count.parse().unwrap()))
        .collect()
}

fn total(counts: &HashMap<String, u64>) -> u64 {
    counts.values().sum()
}

/// Reads a stream until the event about `marker`, returning the subjects it sent.
async fn subjects_until(stream: &mut SseReader, marker: &str) -> Vec<String> {
    let mut subjects = Vec::new();
    loop {
        let subject = stream.next().await["subject_id"].as_str().unwrap().to_string();
        subjects.push(subject.clone());
        if subject == marker {
            return subjects;
        }
    }
}

#[tokio::test]
async fn one_change_costs_a_few_queries_however_many_streams_are_open() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let mut streams = Vec::new();
        for user in [NORTHWIND_MARINA, NORTHWIND_ALL, CONTOSO] {
            for _session in 0..2 {
                let token = app.sign_in(user, PORTAL_PASSWORD).await;
                for _ in 0..5 {
                    streams.push((user, SseReader::open(&app, &token, None).await));
                }
            }
        }
        let before = event_queries(&app);
        let follow_up = new_follow_up(&app, MARINA, "Check chiller 2 bearing").await;
        for (user, stream) in streams.iter_mut().filter(|(user, _)| *user != CONTOSO) {
            assert_eq!(stream.next().await["subject_id"], follow_up, "[{b}] {user}");
        }
        let after = event_queries(&app);
        let spent = total(&after) - total(&before);
        // A batch read, the sessions and grants re-read, one visibility query; a periodic
        // re-check may fall in between. Per-stream queries would be 30 or more.
        assert!(spent <= 6, "[{b}] {} streams cost {spent} queries: {before:?} → {after:?}", streams.len());
        assert_eq!(after.get("connect"), before.get("connect"), "[{b}] no stream read anything itself");
    }
}

#[tokio::test]
async fn streams_of_different_scopes_each_get_exactly_what_they_may_see() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        // Hannah sees all of Northwind but may not download; Omar sees Marina only and
        // may download; Lena sees Contoso only.
        sqlx::query(
            "UPDATE portal_grants SET can_download = 0 WHERE portal_user_id = (SELECT id FROM portal_users WHERE email = $1)",
        )
        .bind(NORTHWIND_ALL)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
        let open = |user: &'static str| {
            let app = &app;
            async move {
                let token = app.sign_in(user, PORTAL_PASSWORD).await;
                (SseReader::open(app, &token, None).await, SseReader::open(app, &token, None).await)
            }
        };
        let (mut hannah, mut hannah_too) = open(NORTHWIND_ALL).await;
        let (mut omar, mut omar_too) = open(NORTHWIND_MARINA).await;
        let (mut lena, mut lena_too) = open(CONTOSO).await;

        let berlin = new_follow_up(&app, BERLIN, "Replace filter mats").await;
        let munich = new_follow_up(&app, MUNICH, "Check the split unit").await;
        let work = app
            .id_of(&format!("SELECT t.id FROM targets t JOIN locations l ON l.id = t.location_id WHERE l.{MARINA}"))
            .await;
        let (status, uploaded) = app.upload("target", &work, "checklist.pdf", "application/pdf", PDF).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {uploaded}");
        let file = uploaded["id"].as_str().unwrap().to_string();
        app.patch(&format!("/api/v1/attachments/{file}"), json!({ "released": true })).await;
        let marina = new_follow_up(&app, MARINA, "Check chiller 2 bearing").await;
        let contoso_marker = new_follow_up(&app, MUNICH, "Marker for Contoso").await;

        for stream in [&mut hannah, &mut hannah_too] {
            assert_eq!(
                subjects_until(stream, &marina).await,
                [berlin.clone(), marina.clone()],
                "[{b}] Hannah: no file"
            );
        }
        for stream in [&mut omar, &mut omar_too] {
            assert_eq!(
                subjects_until(stream, &marina).await,
                [file.clone(), marina.clone()],
                "[{b}] Omar: Marina only"
            );
        }
        for stream in [&mut lena, &mut lena_too] {
            assert_eq!(
                subjects_until(stream, &contoso_marker).await,
                [munich.clone(), contoso_marker.clone()],
                "[{b}] Lena: Contoso only"
            );
        }
    }
}

#[tokio::test]
async fn a_signed_out_session_stops_receiving_while_others_go_on() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let leaving = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let staying = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let mut gone = SseReader::open(&app, &leaving, None).await;
        let mut live = SseReader::open(&app, &staying, None).await;
        let request = Request::delete("/portal/v1/session")
            .header(header::AUTHORIZATION, format!("Bearer {leaving}"))
            .body(Body::empty())
            .unwrap();
        let (status, _) = app.send(request).await;
        assert!(status.is_success(), "[{b}] sign-out: {status}");

        let follow_up = new_follow_up(&app, MARINA, "Check chiller 2 bearing").await;
        assert_eq!(live.next().await["subject_id"], follow_up, "[{b}]");
        assert_eq!(gone.next_or_end().await, None, "[{b}] the signed-out stream ends without the event");
    }
}
