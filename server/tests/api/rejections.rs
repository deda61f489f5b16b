//! Whatever axum cannot extract (a path segment, a query, a JSON body, a header) is
//! answered in the project's error shape on `/api` and `/portal`, and as a page on
//! `/admin`, never as axum's plain text.

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};

use crate::admin_support::{Browser, ADMIN};
use crate::support::{TestApp, CONTOSO, PORTAL_PASSWORD};

#[tokio::test]
async fn non_utf8_path_segments_answer_in_the_error_shape() {
    for app in TestApp::all_with_demo().await {
        let (status, body) = app.get("/api/v1/customers/%FF%FE").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}] {body}", app.backend);
        assert_eq!(body["error"]["code"], "invalid_input");
        assert_eq!(body["error"]["fields"]["id"], "is not valid UTF-8");

        let token = app.sign_in(CONTOSO, PORTAL_PASSWORD).await;
        let (status, body) = app.portal_get("/portal/v1/requests/%C3%28", &token).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"]["id"], "is not valid UTF-8");

        let admin = Browser::sign_in(&app, ADMIN).await;
        let page = admin.get("/admin/customers/%FF").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.starts_with("<!doctype html>") && page.body.contains("Check your input"), "{}", page.body);
    }
}

#[tokio::test]
async fn bad_queries_and_bodies_answer_a_page_on_the_admin_web() {
    for app in TestApp::all_with_demo().await {
        let admin = Browser::sign_in(&app, ADMIN).await;
        for path in ["/admin/requests?limit=many", "/admin/customers?q=a&q=b", "/admin/audit?who=a&who=b"] {
            let page = admin.get(path).await;
            assert!(page.status.is_client_error(), "[{}] {path}: {}", app.backend, page.status);
            assert!(page.body.starts_with("<!doctype html>"), "{path}: {}", page.body);
            assert_eq!(page.headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
        }
    }
}

#[tokio::test]
async fn bad_queries_bodies_and_headers_answer_json_on_the_apis() {
    for app in TestApp::all_with_demo().await {
        let token = app.sign_in(CONTOSO, PORTAL_PASSWORD).await;
        let (status, body) = app.portal_get("/portal/v1/appointments?limit=%FF", &token).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}] {body}", app.backend);
        assert!(body["error"]["fields"]["limit"].is_string(), "{body}");

        let (status, body) = app.raw(Method::POST, "/api/v1/customers", "application/json", "{\"name\": \"x\",").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "bad_request");

        let mut request = Request::get("/portal/v1/me").body(Body::empty()).unwrap();
        request.headers_mut().insert(header::AUTHORIZATION, HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap());
        let (status, body) = app.send(request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "unauthorized");

        let request = Request::post("/portal/v1/session").body(Body::from("{}")).unwrap();
        let (status, body) = app.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "no Content-Type");
        assert_eq!(body["error"]["code"], "bad_request");
    }
}

#[tokio::test]
async fn unknown_addresses_and_methods_answer_in_each_surfaces_shape() {
    for app in TestApp::all_with_demo().await {
        let (status, body) = app.call(Method::DELETE, "/api/v1/customers", None).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "[{}] {body}", app.backend);
        assert_eq!(body["error"]["code"], "method_not_allowed");
        let token = app.sign_in(CONTOSO, PORTAL_PASSWORD).await;
        let (status, body) = app.portal_get("/portal/v1/no-such-list", &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "not_found");

        let admin = Browser::sign_in(&app, ADMIN).await;
        for (path, status) in
            [("/admin/no-such-page", StatusCode::NOT_FOUND), ("/admin/logout", StatusCode::METHOD_NOT_ALLOWED)]
        {
            let page = admin.get(path).await;
            assert_eq!(page.status, status, "{path}");
            assert!(page.body.starts_with("<!doctype html>"), "{path}: {}", page.body);
        }
    }
}
