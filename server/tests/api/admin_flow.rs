//! The staff side of the whole story through the admin web's forms: review,
//! accept, convert, schedule, report, release, follow-up — and what the contact
//! sees through the portal API and on the "view as contact" page at each step.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::admin_support::{send, Browser, ADMIN};
use crate::support::{TestApp, NORTHWIND_MARINA, PDF, PORTAL_PASSWORD};

/// Uploads a file through the report page's multipart form.
async fn upload(browser: &Browser<'_>, report: &str, csrf: &str, name: &str, bytes: &[u8]) -> StatusCode {
    let boundary = "admin-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::post(format!("/admin/reports/{report}/attachments"))
        .header(header::HOST, "admin.test")
        .header(header::ORIGIN, "http://admin.test")
        .header(header::COOKIE, format!("ordinavo_staff={}", browser.cookie))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    send(browser.app, request).await.status
}

/// The `updated_at` a form opened now would carry.
async fn stamp(app: &TestApp, table: &str, id: String) -> String {
    let (at,): (i64,) = sqlx::query_as(&format!("SELECT updated_at FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    at.to_string()
}

fn after_slash(location: &str) -> String {
    location.rsplit('/').next().unwrap().split('?').next().unwrap().to_string()
}

#[tokio::test]
async fn staff_take_a_request_from_review_to_a_published_report_and_a_follow_up() {
    for app in TestApp::all_with_demo().await {
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let marina = app.id_of("SELECT location_id FROM portal_grant_locations").await;
        let (status, bytes) = app
            .portal(
                Method::POST,
                "/portal/v1/requests",
                Some(&token),
                Some(json!({ "location_id": marina, "kind": "maintenance", "title": "Chiller alarm in plant room",
                             "description": "Alarm light on chiller 2 since this morning.",
                             "preferred_windows": [{ "starts_at": "2030-03-02T05:00:00Z", "ends_at": "2030-03-02T09:00:00Z" }] })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&bytes));
        let request: Value = serde_json::from_slice(&bytes).unwrap();
        let request_id = request["id"].as_str().unwrap().to_string();

        let staff = Browser::sign_in(&app, ADMIN).await;
        let inbox = staff.get("/admin/requests?status=submitted").await;
        assert!(inbox.body.contains("Chiller alarm in plant room"));
        let detail = staff.get(&format!("/admin/requests/{request_id}")).await;
        assert!(detail.body.contains("2030-03-02 09:00 +04"), "windows in the location's zone: {}", detail.body);
        // Rejecting needs a reason for the customer; the input is kept on the page.
        let at = stamp(&app, "requests", request_id.clone()).await;
        let reject = staff
            .post(&format!("/admin/requests/{request_id}/decide"), &[("updated_at", &at), ("status", "rejected")])
            .await;
        assert_eq!(reject.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reject.body.contains("decision_reason-error"));

        staff
            .act(&format!("/admin/requests/{request_id}/decide"), &[("updated_at", &at), ("status", "in_review")])
            .await;
        let at = stamp(&app, "requests", request_id.clone()).await;
        staff
            .act(&format!("/admin/requests/{request_id}/decide"), &[("updated_at", &at), ("status", "accepted")])
            .await;
        let converted = staff
            .act(
                &format!("/admin/requests/{request_id}/convert"),
                &[
                    ("title", "Chiller 2 alarm"),
                    ("internal_notes", "CANARY-NOTE bring refrigerant gauges"),
                    ("billing_trigger", "CANARY-BILLING on completion"),
                    ("routing_score", "61.5"),
                    ("assigned_employee", "CANARY-TECH"),
                ],
            )
            .await;
        assert!(converted.contains("done=converted"), "{converted}");
        let target = after_slash(&converted);

        // Times are entered on site (Dubai, +04).
        let bad = staff
            .post(
                &format!("/admin/targets/{target}/appointments"),
                &[("form", "schedule"), ("starts_at", "soon"), ("ends_at", "")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("schedule-starts_at-error"));
        staff
            .act(
                &format!("/admin/targets/{target}/appointments"),
                &[
                    ("form", "schedule"),
                    ("starts_at", "2030-03-02T10:00"),
                    ("ends_at", "2030-03-02T12:00"),
                    ("shared_with_portal", "on"),
                ],
            )
            .await;
        let (starts_at,): (i64,) = sqlx::query_as("SELECT starts_at FROM appointments WHERE target_id = $1")
            .bind(&target)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(starts_at, 1_898_661_600_000, "10:00 in Dubai is 06:00 UTC");
        let (_, mine) = app.portal_get(&format!("/portal/v1/requests/{request_id}"), &token).await;
        assert_eq!(mine["status"], "planned");

        // A report: draft → approved (still invisible) → published.
        let created = staff
            .act(
                &format!("/admin/targets/{target}/reports"),
                &[
                    ("form", "report"),
                    ("visit_date", "2030-03-02"),
                    ("internal_title", "CANARY-TITLE chiller"),
                    ("internal_body", "CANARY-BODY compressor relay replaced"),
                ],
            )
            .await;
        let report = after_slash(&created);
        let at = stamp(&app, "visit_reports", report.clone()).await;
        staff
            .act(
                &format!("/admin/reports/{report}"),
                &[("form", "internal"), ("updated_at", &at), ("action", "approve")],
            )
            .await;
        let (_, reports) = app.portal_get("/portal/v1/reports", &token).await;
        assert!(!reports.to_string().contains(&report), "approved is not published");
        let page = staff.get("/admin/reports").await;
        assert!(page.body.contains("Approved · not visible to customers"));

        let at = stamp(&app, "visit_reports", report.clone()).await;
        let empty = staff
            .post(
                &format!("/admin/reports/{report}"),
                &[("form", "publish"), ("updated_at", &at), ("action", "publish"), ("portal_title", "")],
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("publish-portal_title-error"));
        staff
            .act(
                &format!("/admin/reports/{report}"),
                &[
                    ("form", "publish"),
                    ("updated_at", &at),
                    ("action", "publish"),
                    ("portal_title", "Chiller visit"),
                    ("portal_summary", "We replaced a faulty relay on chiller 2."),
                    ("portal_message", ""),
                ],
            )
            .await;
        assert_eq!(upload(&staff, &report, &staff.csrf, "relay.pdf", PDF).await, StatusCode::SEE_OTHER);
        assert_eq!(upload(&staff, &report, "forged", "relay.pdf", PDF).await, StatusCode::FORBIDDEN);
        let attachment = app.id_of("SELECT id FROM attachments WHERE file_name = 'relay.pdf'").await;
        let (_, reports) = app.portal_get("/portal/v1/reports", &token).await;
        assert!(reports.to_string().contains("Chiller visit"));
        assert!(!reports.to_string().contains(&attachment), "unreleased attachments stay internal");
        staff.act(&format!("/admin/attachments/{attachment}/release"), &[("released", "true")]).await;
        let (status, file) =
            app.portal(Method::GET, &format!("/portal/v1/attachments/{attachment}/content"), Some(&token), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(file, PDF);
        let staff_copy = staff.get(&format!("/admin/attachments/{attachment}/content")).await;
        assert_eq!(staff_copy.status, StatusCode::OK);

        // A follow-up the customer reads, then planned with a new appointment.
        staff
            .act(
                &format!("/admin/targets/{target}/follow-ups"),
                &[("form", "follow_up"), ("description", "Replace the relay housing"), ("origin_report_id", &report)],
            )
            .await;
        let (_, follow_ups) = app.portal_get("/portal/v1/follow-ups", &token).await;
        assert!(follow_ups.to_string().contains("Replace the relay housing"));
        let follow_up = app.id_of("SELECT id FROM follow_ups WHERE description = 'Replace the relay housing'").await;
        let at = stamp(&app, "follow_ups", follow_up.clone()).await;
        staff
            .act(
                &format!("/admin/follow-ups/{follow_up}/plan"),
                &[
                    ("updated_at", &at),
                    ("appointment_id", ""),
                    ("starts_at", "2030-03-09T10:00"),
                    ("ends_at", "2030-03-09T11:00"),
                    ("shared_with_portal", "on"),
                ],
            )
            .await;
        let (_, follow_ups) = app.portal_get("/portal/v1/follow-ups", &token).await;
        assert!(follow_ups.to_string().contains("planned_appointment\":{"), "{follow_ups}");

        // "View as contact" shows what the contact sees and nothing internal.
        let user = app.id_of("SELECT id FROM portal_users WHERE email = 'site.manager@northwind.example'").await;
        let view = staff.get(&format!("/admin/portal-users/{user}/view")).await;
        assert_eq!(view.status, StatusCode::OK);
        for visible in [
            "Chiller visit",
            "We replaced a faulty relay on chiller 2.",
            "relay.pdf",
            "Replace the relay housing",
            "Chiller 2 alarm",
        ] {
            assert!(view.body.contains(visible), "{visible} missing from view-as");
        }
        for internal in ["CANARY", "61.5", "Northwind HQ Berlin", "Sprinkler inspection, 4th quarter", "Contoso"] {
            assert!(!view.body.contains(internal), "{internal} leaked into view-as");
        }
        let target_page = staff.get(&format!("/admin/targets/{target}")).await;
        assert!(target_page.body.contains("CANARY-NOTE"), "staff see internal fields");
    }
}
