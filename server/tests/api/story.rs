//! The integration story: internal systems push customers, work, appointments,
//! reports and attachments; every write is audited and customer-safe milestones
//! reach the timeline.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::support::{work, TestApp, PDF};

#[tokio::test]
async fn internal_systems_push_work_through_to_a_published_report() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (customer, location, target) = work(&app).await;
        let contact = app
            .create(
                "/api/v1/contacts",
                json!({ "customer_id": customer, "name": "Hannah Becker", "email": "Facilities@Northwind.example" }),
            )
            .await;
        let (_, stored) = app.get(&format!("/api/v1/contacts/{contact}")).await;
        assert_eq!(stored["email"], "facilities@northwind.example", "[{b}] e-mails are normalized");

        let appointment = app
            .create(
                "/api/v1/appointments",
                json!({ "target_id": target, "starts_at": "2026-12-01T08:00:00Z", "ends_at": "2026-12-01T10:00:00Z", "shared_with_portal": true }),
            )
            .await;
        let (_, stored) = app.get(&format!("/api/v1/targets/{target}")).await;
        assert_eq!(stored["status"], "scheduled", "[{b}] scheduling moves the target on");
        let (status, rescheduled) = app
            .patch(
                &format!("/api/v1/appointments/{appointment}"),
                json!({ "starts_at": "2026-12-02T08:00:00+01:00", "ends_at": "2026-12-02T10:00:00+01:00" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{b}] {rescheduled}");
        assert_eq!(rescheduled["starts_at"], "2026-12-02T07:00:00Z");
        for status in ["in_progress", "completed"] {
            let (code, body) =
                app.patch(&format!("/api/v1/appointments/{appointment}"), json!({ "status": status })).await;
            assert_eq!(code, StatusCode::OK, "[{b}] {body}");
        }

        let report = app
            .create(
                "/api/v1/visit-reports",
                json!({ "target_id": target, "appointment_id": appointment, "visit_date": "2026-12-02",
                        "internal_title": "Q4", "internal_body": "Riser 2 gasket worn", "internal_notes": "margin 18%" }),
            )
            .await;
        let (status, _) = app.post(&format!("/api/v1/visit-reports/{report}/approve"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, published) = app
            .post(
                &format!("/api/v1/visit-reports/{report}/publish"),
                json!({ "portal_title": "Sprinkler inspection", "portal_summary": "All heads fine; one gasket to replace." }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{b}] {published}");
        assert_eq!(published["status"], "published");
        assert_eq!(published["published_by"], "api_key:tests");

        let (status, attachment) = app.upload("report", &report, "../Protocol Q4.pdf", "application/pdf", PDF).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {attachment}");
        assert_eq!(attachment["file_name"], "Protocol Q4.pdf");
        assert_eq!(attachment["released"], false, "attachments start unreleased");
        assert_eq!(attachment["size_bytes"], PDF.len());
        assert!(attachment.get("storage_key").is_none());
        let id = attachment["id"].as_str().unwrap();
        let (_, released) = app.patch(&format!("/api/v1/attachments/{id}"), json!({ "released": true })).await;
        assert_eq!(released["released"], true);

        let download = Request::builder()
            .uri(format!("/api/v1/attachments/{id}/content"))
            .header(header::AUTHORIZATION, format!("Bearer {}", app.key))
            .header(header::RANGE, "bytes=0-3")
            .body(Body::empty())
            .unwrap();
        let response = app.router.clone().oneshot(download).await.unwrap();
        assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(response.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(response.headers()[header::CONTENT_RANGE], format!("bytes 0-3/{}", PDF.len()));
        assert!(response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"Protocol Q4.pdf\""));
        assert_eq!(&response.into_body().collect().await.unwrap().to_bytes()[..], b"%PDF");

        let follow_up = app
            .create(
                "/api/v1/follow-ups",
                json!({ "target_id": target, "origin_report_id": report, "description": "Replace the gasket." }),
            )
            .await;
        let (status, body) =
            app.patch(&format!("/api/v1/follow-ups/{follow_up}"), json!({ "status": "planned" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] planning needs an appointment: {body}");
        let next = app
            .create(
                "/api/v1/appointments",
                json!({ "target_id": target, "starts_at": "2026-12-09T08:00:00Z", "ends_at": "2026-12-09T09:00:00Z" }),
            )
            .await;
        let (status, planned) = app
            .patch(
                &format!("/api/v1/follow-ups/{follow_up}"),
                json!({ "status": "planned", "planned_appointment_id": next }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{b}] {planned}");

        let kinds: Vec<String> =
            sqlx::query_as::<_, (String,)>("SELECT kind FROM timeline_events ORDER BY version, id")
                .fetch_all(&app.state.db.pool)
                .await
                .unwrap()
                .into_iter()
                .map(|(kind,)| kind)
                .collect();
        assert_eq!(
            kinds,
            [
                "appointment_scheduled",
                "appointment_rescheduled",
                "visit_completed",
                "report_shared",
                "follow_up_required",
                "follow_up_planned"
            ],
            "[{b}] the unshared second appointment leaves no trace"
        );
        let (audits,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE actor_kind = 'api_key' AND actor_label = 'tests'")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(audits, 16, "[{b}] every write is audited");
        let (_, location_page) = app.get(&format!("/api/v1/locations?customer_id={customer}")).await;
        assert_eq!(location_page["items"][0]["id"], location);
    }
}

#[tokio::test]
async fn lists_page_and_filter() {
    for app in TestApp::all().await {
        for i in 0..5 {
            app.create("/api/v1/customers", json!({ "name": format!("Customer {i}") })).await;
        }
        let (_, first) = app.get("/api/v1/customers?limit=2").await;
        assert_eq!(first["items"].as_array().unwrap().len(), 2, "[{}]", app.backend);
        let after = first["next_after"].as_str().unwrap();
        let (_, second) = app.get(&format!("/api/v1/customers?limit=2&after={after}")).await;
        let (_, third) =
            app.get(&format!("/api/v1/customers?limit=2&after={}", second["next_after"].as_str().unwrap())).await;
        assert_eq!(third["items"].as_array().unwrap().len(), 1);
        assert!(third["next_after"].is_null());
        let names: Vec<_> = [&first, &second, &third]
            .iter()
            .flat_map(|page| page["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(names, (0..5).map(|i| format!("Customer {i}")).collect::<Vec<_>>());

        let (_, none) = app.get("/api/v1/customers?updated_since=2999-01-01T00:00:00Z").await;
        assert!(none["items"].as_array().unwrap().is_empty());
        let (_, targets) = app.get("/api/v1/targets?status=new").await;
        assert!(targets["items"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn requests_are_read_out_and_decided() {
    for app in TestApp::all().await {
        let (_, location, _) = work(&app).await;
        let mut tx = app.state.db.begin_write().await.unwrap();
        let (request, created) = ordinavo_server::records::requests::submit(
            &mut tx,
            &ordinavo_server::records::audit::Actor::System,
            None,
            None,
            serde_json::from_value(json!({
                "location_id": location, "kind": "maintenance", "title": "Door sticks", "description": "Dock 3",
                "preferred_windows": [{ "starts_at": "2099-12-01T08:00:00Z", "ends_at": "2099-12-01T12:00:00Z" }]
            }))
            .unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(created);
        let path = format!("/api/v1/requests/{}", request.id);
        let (_, stored) = app.get(&path).await;
        assert_eq!(stored["preferred_windows"][0]["ends_at"], "2099-12-01T12:00:00Z", "[{}]", app.backend);
        let (status, body) = app.post(&format!("{path}/decision"), json!({ "status": "rejected" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "rejecting needs a reason: {body}");
        let (status, body) = app.post(&format!("{path}/decision"), json!({ "status": "planned" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (status, accepted) = app.post(&format!("{path}/decision"), json!({ "status": "accepted" })).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(accepted["status"], "accepted");
        let target = app
            .create(
                "/api/v1/targets",
                json!({ "location_id": location, "request_id": request.id, "title": "Fix dock door 3" }),
            )
            .await;
        app.create(
            "/api/v1/appointments",
            json!({ "target_id": target, "starts_at": "2026-12-01T08:00:00Z", "ends_at": "2026-12-01T09:00:00Z" }),
        )
        .await;
        let (_, planned) = app.get(&path).await;
        assert_eq!(planned["status"], "planned", "an appointment for its work plans the request");
    }
}
