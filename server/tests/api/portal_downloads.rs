//! Controlled downloads: released attachments only, only where the grant allows
//! downloads, with safe headers and range support; every download is audited.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{TestApp, NORTHWIND_MARINA, PORTAL_PASSWORD};

#[tokio::test]
async fn released_attachments_download_with_safe_headers_and_ranges() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (_, reports) = app.portal_get("/portal/v1/reports", &token).await;
        let attachment = &reports["items"][0]["attachments"][0];
        let path = attachment["download_path"].as_str().unwrap().to_string();
        let size = attachment["size_bytes"].as_u64().unwrap();

        let request = Request::get(&path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::RANGE, "bytes=0-4")
            .body(Body::empty())
            .unwrap();
        let response = app.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT, "[{b}]");
        let headers = response.headers().clone();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CONTENT_RANGE], format!("bytes 0-4/{size}"));
        assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename="));
        assert_eq!(&response.into_body().collect().await.unwrap().to_bytes()[..], b"%PDF-");

        let (status, bytes) = app.portal(axum::http::Method::GET, &path, Some(&token), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bytes.len() as u64, size);
        let (downloads,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'portal.download'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(downloads, 2, "[{b}] every download is audited");
        let (status, _) = app.portal(axum::http::Method::GET, &path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "no download without a session");

        // A grant without downloads hides attachments entirely.
        sqlx::query("UPDATE portal_grants SET can_download = 0").execute(&app.state.db.pool).await.unwrap();
        let (status, _) = app.portal(axum::http::Method::GET, &path, Some(&token), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{b}]");
        let (_, reports) = app.portal_get("/portal/v1/reports", &token).await;
        assert!(reports["items"][0]["attachments"].as_array().unwrap().is_empty());
    }
}
