//! Delta sync: pages that cover everything exactly once, nothing when nothing
//! changed, removals for what left the user's view, and a reset when scope changed.

use std::collections::HashSet;

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{TestApp, NORTHWIND_ALL, NORTHWIND_MARINA, PDF, PORTAL_PASSWORD};

/// Syncs to the end from `cursor`; returns every change and the final cursor.
async fn sync_all(app: &TestApp, token: &str, mut cursor: Option<String>, limit: u32) -> (Vec<Value>, String, bool) {
    let mut changes = Vec::new();
    let mut reset = false;
    loop {
        let path = match &cursor {
            Some(c) => format!("/portal/v1/sync?limit={limit}&cursor={c}"),
            None => format!("/portal/v1/sync?limit={limit}"),
        };
        let (status, page) = app.portal_get(&path, token).await;
        assert_eq!(status, StatusCode::OK, "[{}] {page}", app.backend);
        reset |= page["reset"].as_bool().unwrap();
        changes.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = Some(page["cursor"].as_str().unwrap().to_string());
        if !page["more"].as_bool().unwrap() {
            return (changes, cursor.unwrap(), reset);
        }
    }
}

/// The first work item at the Marina site, the one site `NORTHWIND_MARINA` is granted.
async fn marina_work(app: &TestApp) -> String {
    app.id_of("SELECT t.id FROM targets t JOIN locations l ON l.id = t.location_id WHERE l.name LIKE '%مارينا%'").await
}

/// A draft (unpublished) visit report on `target`.
async fn draft_report(app: &TestApp, target: &str, title: &str) -> String {
    let report = json!({ "target_id": target, "visit_date": "2026-11-26", "internal_title": title, "internal_body": "internal" });
    app.create("/api/v1/visit-reports", report).await
}

fn ids_of(changes: &[Value], op: &str, kind: &str) -> Vec<String> {
    changes
        .iter()
        .filter(|c| c["op"] == op && c["kind"] == kind)
        .map(|c| {
            if op == "upsert" {
                c["item"]["id"].as_str().unwrap().to_string()
            } else {
                c["id"].as_str().unwrap().to_string()
            }
        })
        .collect()
}

#[tokio::test]
async fn a_full_sync_in_small_pages_brings_everything_in_scope_once() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (changes, cursor, reset) = sync_all(&app, &token, None, 3).await;
        assert!(reset, "[{b}] a first sync starts from a reset");
        let keys: Vec<String> = changes.iter().map(|c| format!("{}:{}", c["kind"], c["item"]["id"])).collect();
        let unique: HashSet<&String> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "[{b}] no change twice across pages");
        assert!(changes.iter().all(|c| c["op"] == "upsert"), "[{b}] nothing to remove on a first sync");
        let marina = app.id_of("SELECT id FROM locations WHERE name LIKE '%مارينا%'").await;
        assert_eq!(ids_of(&changes, "upsert", "location"), std::slice::from_ref(&marina));
        for change in &changes {
            if let Some(location) = change["item"]["location_id"].as_str() {
                assert_eq!(location, marina, "[{b}] only the granted location: {change}");
            }
        }
        for kind in ["appointment", "report", "attachment", "timeline", "follow_up", "request", "work"] {
            assert!(!ids_of(&changes, "upsert", kind).is_empty(), "[{b}] the demo has a {kind} at the marina");
        }
        let (again, same_cursor, reset) = sync_all(&app, &token, Some(cursor.clone()), 500).await;
        assert!(again.is_empty() && !reset, "[{b}] nothing new: {again:?}");
        assert_eq!(same_cursor, cursor);
    }
}

#[tokio::test]
async fn what_leaves_the_users_view_is_removed_at_the_next_sync() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let (_, cursor, _) = sync_all(&app, &token, None, 500).await;

        let report = app.id_of("SELECT id FROM visit_reports WHERE status = 'published' AND location_id IN (SELECT id FROM locations WHERE city = 'Berlin')").await;
        let attachments: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM attachments WHERE released = 1 AND report_id = $1 ORDER BY id")
                .bind(&report)
                .fetch_all(&app.state.db.pool)
                .await
                .unwrap();
        let appointment = app.id_of("SELECT id FROM appointments WHERE shared_with_portal = 1 AND status = 'scheduled' ORDER BY starts_at DESC").await;
        assert_eq!(app.post(&format!("/api/v1/visit-reports/{report}/unpublish"), json!({})).await.0, StatusCode::OK);
        assert_eq!(
            app.patch(&format!("/api/v1/attachments/{}", attachments[0].0), json!({ "released": false })).await.0,
            StatusCode::OK
        );
        assert_eq!(
            app.call(axum::http::Method::DELETE, &format!("/api/v1/attachments/{}", attachments[1].0), None).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.patch(&format!("/api/v1/appointments/{appointment}"), json!({ "shared_with_portal": false })).await.0,
            StatusCode::OK
        );

        let (changes, _, reset) = sync_all(&app, &token, Some(cursor), 500).await;
        assert!(!reset, "[{b}]");
        assert_eq!(ids_of(&changes, "remove", "report"), std::slice::from_ref(&report), "[{b}] {changes:?}");
        let removed: HashSet<String> = ids_of(&changes, "remove", "attachment").into_iter().collect();
        assert!(
            removed.contains(&attachments[0].0) && removed.contains(&attachments[1].0),
            "[{b}] unreleased and deleted"
        );
        assert!(ids_of(&changes, "remove", "appointment").contains(&appointment), "[{b}] unshared");
    }
}

#[tokio::test]
async fn a_changed_scope_asks_the_client_to_start_over() {
    for app in TestApp::all_with_demo().await {
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (_, cursor, _) = sync_all(&app, &token, None, 500).await;
        sqlx::query("UPDATE portal_grants SET can_download = 0").execute(&app.state.db.pool).await.unwrap();
        let (changes, _, reset) = sync_all(&app, &token, Some(cursor), 500).await;
        assert!(reset, "[{}] the grant changed: reset", app.backend);
        assert!(ids_of(&changes, "upsert", "attachment").is_empty(), "no downloads any more");
        let (status, body) = app.portal_get("/portal/v1/sync?cursor=not-a-cursor", &token).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
}

#[tokio::test]
async fn hidden_records_never_show_up_even_as_removals() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (_, cursor, _) = sync_all(&app, &token, None, 500).await;
        let chiller = marina_work(&app).await;
        let draft = draft_report(&app, &chiller, "Draft").await;
        let hidden = app
            .create(
                "/api/v1/appointments",
                json!({ "target_id": chiller, "starts_at": "2099-02-01T08:00:00Z", "ends_at": "2099-02-01T09:00:00Z" }),
            )
            .await;
        let (changes, _, _) = sync_all(&app, &token, Some(cursor), 500).await;
        let text = serde_json::to_string(&changes).unwrap();
        assert!(!text.contains(&draft) && !text.contains(&hidden), "[{b}] {text}");
    }
}

#[tokio::test]
async fn unpublishing_a_report_removes_what_hangs_on_it() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (first, cursor, _) = sync_all(&app, &token, None, 500).await;
        let report = ids_of(&first, "upsert", "report").remove(0);
        let milestone: Vec<String> = first
            .iter()
            .filter(|c| c["kind"] == "timeline" && c["item"]["subject_id"] == report.as_str())
            .map(|c| c["item"]["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(milestone.len(), 1, "[{b}] the report_shared milestone was synced");
        let attachments = ids_of(&first, "upsert", "attachment");
        assert_eq!(app.post(&format!("/api/v1/visit-reports/{report}/unpublish"), json!({})).await.0, StatusCode::OK);
        let (changes, _, _) = sync_all(&app, &token, Some(cursor), 500).await;
        assert_eq!(ids_of(&changes, "remove", "timeline"), milestone, "[{b}] {changes:?}");
        let removed: HashSet<String> = ids_of(&changes, "remove", "attachment").into_iter().collect();
        assert_eq!(removed, attachments.into_iter().collect(), "[{b}] its attachments leave the cache too");
    }
}

/// Reads pages of `limit` from `cursor` to the end; returns each page.
async fn pages(app: &TestApp, token: &str, mut cursor: String, limit: u32) -> Vec<Value> {
    let mut pages = Vec::new();
    loop {
        let (status, page) = app.portal_get(&format!("/portal/v1/sync?limit={limit}&cursor={cursor}"), token).await;
        assert_eq!(status, StatusCode::OK, "[{}] {page}", app.backend);
        cursor = page["cursor"].as_str().unwrap().to_string();
        let more = page["more"].as_bool().unwrap();
        pages.push(page);
        if !more {
            return pages;
        }
    }
}

#[tokio::test]
async fn sync_cursor_never_names_a_hidden_record() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (_, cursor, _) = sync_all(&app, &token, None, 500).await;
        let chiller = marina_work(&app).await;
        let mut hidden =
            vec![draft_report(&app, &chiller, "Draft one").await, draft_report(&app, &chiller, "Draft two").await];
        let visit = json!({ "target_id": chiller, "starts_at": "2099-02-01T08:00:00Z", "ends_at": "2099-02-01T09:00:00Z",
                            "shared_with_portal": true });
        let shared = app.create("/api/v1/appointments", visit).await;
        hidden.push(draft_report(&app, &chiller, "Draft three").await);

        // Stepping one change at a time: each page carries one change the user may see,
        // and no cursor says anything about what they may not.
        let pages = pages(&app, &token, cursor, 1).await;
        for page in &pages {
            let text = page["cursor"].as_str().unwrap();
            // A random token of fixed shape: no record id, kind or change counter in it.
            assert!(text.starts_with("sc_") && text.len() == 25 && !text.contains('.'), "[{b}] {text}");
            assert!(hidden.iter().all(|id| !text.contains(id.as_str())), "[{b}] {text}");
            if page["more"] == true {
                assert_eq!(
                    page["changes"].as_array().unwrap().len(),
                    1,
                    "[{b}] a page fills with visible changes: {page}"
                );
            }
        }
        let changes: Vec<Value> = pages.iter().flat_map(|p| p["changes"].as_array().unwrap().clone()).collect();
        let text = serde_json::to_string(&changes).unwrap();
        assert!(text.contains(&shared), "[{b}] the shared visit arrives");
        assert!(hidden.iter().all(|id| !text.contains(id.as_str())), "[{b}] {text}");
    }
}

#[tokio::test]
async fn a_new_session_with_an_old_cursor_starts_over_and_misses_no_removal() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let first = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (synced, cursor, _) = sync_all(&app, &first, None, 500).await;
        let report = ids_of(&synced, "upsert", "report").remove(0);
        assert_eq!(app.post(&format!("/api/v1/visit-reports/{report}/unpublish"), json!({})).await.0, StatusCode::OK);

        // The keyring lost the token: the same user signs in again and continues the cache.
        let second = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (changes, _, reset) = sync_all(&app, &second, Some(cursor.clone()), 500).await;
        assert!(reset, "[{b}] another session's cursor starts over, so the cache is rebuilt");
        assert!(!ids_of(&changes, "upsert", "report").contains(&report), "[{b}] the unpublished report is gone");

        // The first session still continues its own cursor and hears the removal.
        let (changes, _, reset) = sync_all(&app, &first, Some(cursor), 500).await;
        assert!(!reset, "[{b}]");
        assert!(ids_of(&changes, "remove", "report").contains(&report), "[{b}] {changes:?}");
    }
}

#[tokio::test]
async fn a_first_sync_counts_only_what_the_user_may_see() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let chiller = marina_work(&app).await;
        let (_, before) = app.portal_get("/portal/v1/sync?limit=1", &token).await;
        for title in ["Draft one", "Draft two"] {
            draft_report(&app, &chiller, title).await;
        }
        let (_, page) = app.portal_get("/portal/v1/sync?limit=1", &token).await;
        assert_eq!(page["total"], before["total"], "[{b}] drafts are not counted");
        let (changes, _, _) = sync_all(&app, &token, None, 7).await;
        assert_eq!(page["total"].as_u64(), Some(changes.len() as u64), "[{b}] the total is what the sync brings");
    }
}

#[tokio::test]
async fn files_on_closed_work_leave_the_portal() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let chiller = marina_work(&app).await;
        let (status, uploaded) = app.upload("target", &chiller, "checklist.pdf", "application/pdf", PDF).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {uploaded}");
        let file = uploaded["id"].as_str().unwrap().to_string();
        app.patch(&format!("/api/v1/attachments/{file}"), json!({ "released": true })).await;
        let (synced, cursor, _) = sync_all(&app, &token, None, 500).await;
        assert!(ids_of(&synced, "upsert", "attachment").contains(&file), "[{b}] a file on open work is shared");

        let (status, body) = app.patch(&format!("/api/v1/targets/{chiller}"), json!({ "status": "cancelled" })).await;
        assert_eq!(status, StatusCode::OK, "[{b}] {body}");
        let (changes, _, _) = sync_all(&app, &token, Some(cursor), 500).await;
        assert_eq!(ids_of(&changes, "remove", "attachment"), vec![file.clone()], "[{b}] {changes:?}");
        let (status, _) = app.portal_get(&format!("/portal/v1/attachments/{file}/content"), &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{b}] no longer downloadable");
    }
}
