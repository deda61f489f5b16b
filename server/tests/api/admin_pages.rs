//! Every admin page renders for both roles and in both languages; admin-only
//! actions refuse dispatchers; a stale form is refused without overwriting.

use axum::http::StatusCode;

use crate::admin_support::{Browser, ADMIN, DISPATCHER};
use crate::support::TestApp;

/// One address of every page, with demo ids.
async fn pages(app: &TestApp) -> Vec<String> {
    let id = |sql: &'static str| app.id_of(sql);
    vec![
        "/admin/".into(),
        "/admin/customers".into(),
        "/admin/customers?q=north".into(),
        format!("/admin/customers/{}", id("SELECT id FROM customers ORDER BY name").await),
        format!("/admin/locations/{}", id("SELECT id FROM locations ORDER BY id").await),
        format!("/admin/contacts/{}", id("SELECT id FROM contacts ORDER BY id").await),
        "/admin/access".into(),
        "/admin/access/invite".into(),
        format!("/admin/portal-users/{}", id("SELECT id FROM portal_users ORDER BY id").await),
        format!("/admin/portal-users/{}/view", id("SELECT id FROM portal_users ORDER BY id").await),
        "/admin/requests".into(),
        "/admin/requests?status=submitted".into(),
        format!("/admin/requests/{}", id("SELECT id FROM requests ORDER BY id").await),
        "/admin/targets".into(),
        format!("/admin/targets/{}", id("SELECT id FROM targets ORDER BY id").await),
        "/admin/reports".into(),
        format!("/admin/reports/{}", id("SELECT id FROM visit_reports ORDER BY id").await),
        "/admin/follow-ups".into(),
        "/admin/audit".into(),
        "/admin/audit?what=report.".into(),
        "/admin/settings".into(),
    ]
}

#[tokio::test]
async fn every_page_renders_for_both_roles_in_both_languages() {
    for app in TestApp::all_with_demo().await {
        for email in [ADMIN, DISPATCHER] {
            let browser = Browser::sign_in(&app, email).await;
            for language in ["en", "ar"] {
                browser.act("/admin/language", &[("language", language)]).await;
                for path in pages(&app).await {
                    let page = browser.get(&path).await;
                    assert_eq!(
                        page.status,
                        StatusCode::OK,
                        "[{}] {email} {language} {path}: {}",
                        app.backend,
                        page.body
                    );
                    assert!(page.body.contains(&format!("lang=\"{language}\"")), "{path}");
                    // No untranslated key and no template leftovers.
                    assert!(!page.body.contains("{{") && !page.body.contains("{%"), "{path}");
                    assert!(!page.body.contains("<script>"), "no inline script: {path}");
                }
            }
        }
    }
}

#[tokio::test]
async fn unknown_records_answer_a_404_page() {
    for app in TestApp::all_with_demo().await {
        let browser = Browser::sign_in(&app, ADMIN).await;
        for path in
            ["/admin/requests/nope", "/admin/targets/nope", "/admin/reports/nope", "/admin/portal-users/nope/view"]
        {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(page.body.contains("Not found"));
        }
        let bad_filter = browser.get("/admin/requests?status=bogus").await;
        assert_eq!(bad_filter.status, StatusCode::UNPROCESSABLE_ENTITY);
        let bad_day = browser.get("/admin/audit?from=yesterday").await;
        assert_eq!(bad_day.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_day.body.contains("use the form YYYY-MM-DD"));
    }
}

#[tokio::test]
async fn api_keys_and_staff_users_are_for_admins_only() {
    for app in TestApp::all_with_demo().await {
        let dispatcher = Browser::sign_in(&app, DISPATCHER).await;
        let settings = dispatcher.get("/admin/settings").await;
        assert!(!settings.body.contains("/admin/settings/api-keys"), "dispatchers do not see key management");
        assert_eq!(dispatcher.post("/admin/settings/api-keys", &[("name", "erp")]).await.status, StatusCode::FORBIDDEN);
        let staff = [
            ("name", "New Person"),
            ("email", "new@ordinavo.example"),
            ("role", "admin"),
            ("password", "a very long password 42"),
        ];
        assert_eq!(dispatcher.post("/admin/settings/staff", &staff).await.status, StatusCode::FORBIDDEN);
        let keys_before = app.count("api_keys").await;

        let admin = Browser::sign_in(&app, ADMIN).await;
        let created = admin.post("/admin/settings/api-keys", &[("name", "erp connector")]).await;
        assert_eq!(created.status, StatusCode::OK);
        let marker = "id=\"new-api-key\">";
        let start = created.body.find(marker).expect("the key is shown once") + marker.len();
        let secret = created.body[start..].split('<').next().unwrap().to_string();
        assert!(secret.starts_with("ordk_"));
        assert_eq!(app.count("api_keys").await, keys_before + 1);
        // Shown once: the settings page afterwards lists only its prefix.
        assert!(!admin.get("/admin/settings").await.body.contains(&secret));
        let (status, _) = reqwest_like_get(&app, &secret).await;
        assert_eq!(status, StatusCode::OK, "the new key works on the integration API");
        let id = app.id_of("SELECT id FROM api_keys WHERE name = 'erp connector'").await;
        admin.act(&format!("/admin/settings/api-keys/{id}/revoke"), &[]).await;
        assert_eq!(reqwest_like_get(&app, &secret).await.0, StatusCode::UNAUTHORIZED);

        // A bad staff user re-renders with the input kept, the password never echoed.
        let weak = [
            ("form", "staff"),
            ("name", "New Person"),
            ("email", "new@ordinavo.example"),
            ("role", "dispatcher"),
            ("password", "short"),
        ];
        let rejected = admin.post("/admin/settings/staff", &weak).await;
        assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(rejected.body.contains("value=\"new@ordinavo.example\""));
        assert!(!rejected.body.contains("value=\"short\""));
        admin.act("/admin/settings/staff", &staff).await;
        let signed_in = crate::admin_support::login(&app, "new@ordinavo.example", "a very long password 42").await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "the new staff user can sign in");
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('api_key.create', 'api_key.revoke', 'staff.create')",
        )
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(count, 3, "every admin action is audited");
    }
}

/// GET /api/v1/customers with a bearer key.
async fn reqwest_like_get(app: &TestApp, key: &str) -> (StatusCode, serde_json::Value) {
    let request = axum::http::Request::get("/api/v1/customers")
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {key}"))
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn a_stale_form_is_refused_and_nothing_is_overwritten() {
    for app in TestApp::all_with_demo().await {
        let first = Browser::sign_in(&app, ADMIN).await;
        let second = Browser::sign_in(&app, DISPATCHER).await;
        let customer = app.id_of("SELECT id FROM customers ORDER BY name").await;
        let (opened_at,): (i64,) = sqlx::query_as("SELECT updated_at FROM customers WHERE id = $1")
            .bind(&customer)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let path = format!("/admin/customers/{customer}");
        let stamp = opened_at.to_string();
        second.act(&path, &[("updated_at", &stamp), ("name", "Northwind (renamed)"), ("segment", "FM")]).await;
        let stale = first.post(&path, &[("updated_at", &stamp), ("name", "Northwind (mine)"), ("segment", "FM")]).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert!(stale.body.contains("changed after you opened the form"));
        let (name,): (String,) = sqlx::query_as("SELECT name FROM customers WHERE id = $1")
            .bind(&customer)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(name, "Northwind (renamed)");
    }
}

#[tokio::test]
async fn forms_keep_the_input_and_name_the_wrong_field() {
    for app in TestApp::all_with_demo().await {
        let browser = Browser::sign_in(&app, ADMIN).await;
        let customer = app.id_of("SELECT id FROM customers ORDER BY name").await;
        let before = app.count("locations").await;
        let page = browser
            .post(
                &format!("/admin/customers/{customer}/locations"),
                &[
                    ("form", "location"),
                    ("name", "Depot Ost"),
                    ("address_line", "Am Hafen 3"),
                    ("city", "Bremen"),
                    ("country_code", "DE"),
                    ("time_zone", "Mars/Olympus"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("value=\"Depot Ost\""), "input kept");
        assert!(page.body.contains("id=\"location-time_zone-error\""), "message next to the field");
        assert!(page.body.contains("aria-invalid=\"true\""));
        assert_eq!(app.count("locations").await, before, "nothing half-written");

        let invite = browser
            .post("/admin/access/invite", &[("contact_id", ""), ("coverage", "locations"), ("valid_days", "x")])
            .await;
        assert_eq!(invite.status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["location_ids-error", "valid_days-error"] {
            assert!(invite.body.contains(field), "{field}");
        }
    }
}

#[tokio::test]
async fn reworded_status_labels_reach_the_portal_in_both_languages() {
    for app in TestApp::all_with_demo().await {
        let token = app.sign_in(crate::support::NORTHWIND_ALL, crate::support::PORTAL_PASSWORD).await;
        let (status, labels) = app.portal_get("/portal/v1/status-labels", &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(labels["en"]["planned"], "Planned");
        assert_eq!(labels["ar"]["in_review"], "قيد المراجعة");

        let admin = Browser::sign_in(&app, ADMIN).await;
        admin
            .act("/admin/settings/labels", &[("form", "labels"), ("en.planned", "Booked"), ("ar.planned", "محجوز")])
            .await;
        let (_, labels) = app.portal_get("/portal/v1/status-labels", &token).await;
        assert_eq!(labels["en"]["planned"], "Booked");
        assert_eq!(labels["ar"]["planned"], "محجوز");
        assert_eq!(labels["en"]["completed"], "Completed", "blank fields keep the default");

        let too_long = "x".repeat(300);
        let page = admin.post("/admin/settings/labels", &[("form", "labels"), ("en.planned", &too_long)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, labels) = app.portal_get("/portal/v1/status-labels", &token).await;
        assert_eq!(labels["en"]["planned"], "Booked", "a refused form changes nothing");
    }
}

#[tokio::test]
async fn viewing_as_a_contact_is_audited() {
    for app in TestApp::all_with_demo().await {
        let admin = Browser::sign_in(&app, ADMIN).await;
        let user = app.id_of("SELECT id FROM portal_users WHERE email = 'ops@contoso.example'").await;
        let page = admin.get(&format!("/admin/portal-users/{user}/view")).await;
        assert_eq!(page.status, StatusCode::OK, "[{}]", app.backend);
        let (actor, subject): (String, String) = sqlx::query_as(
            "SELECT actor_label, subject_id FROM audit_log WHERE action = 'portal_user.view_as' ORDER BY occurred_at DESC",
        )
        .fetch_one(&app.state.db.pool)
        .await
        .expect("an audit entry for the view");
        assert_eq!((actor.as_str(), subject.as_str()), (ADMIN, user.as_str()), "[{}] who looked at whom", app.backend);
    }
}
