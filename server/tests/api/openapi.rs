//! The checked-in OpenAPI documents match the code. Regenerate with `make openapi`.

use crate::support::TestApp;

/// Compares (or, with `UPDATE_OPENAPI=1`, rewrites) a checked-in spec and checks it is served.
async fn check(file: &str, generated: utoipa::openapi::OpenApi, served_at: &str, paths: &[&str]) {
    let path = format!("{}/openapi/{file}", env!("CARGO_MANIFEST_DIR"));
    let generated = serde_json::to_string_pretty(&generated).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(checked_in == generated, "server/openapi/{file} is stale; regenerate it with `make openapi`");

    let app = TestApp::all().await.remove(0);
    let (status, served) = app.get(served_at).await;
    assert_eq!(status, 200);
    assert_eq!(served, serde_json::from_str::<serde_json::Value>(&generated).unwrap());
    for path in paths {
        assert!(served["paths"].get(path).is_some(), "{path} is documented");
    }
}

#[tokio::test]
async fn integration_api_spec_is_current_and_served() {
    check(
        "api-v1.json",
        ordinavo_server::api_openapi(),
        "/api/v1/openapi.json",
        &[
            "/api/v1/customers",
            "/api/v1/attachments/{id}/content",
            "/api/v1/visit-reports/{id}/publish",
            "/api/v1/invitations",
        ],
    )
    .await;
}

#[tokio::test]
async fn portal_api_spec_is_current_and_served() {
    check(
        "portal-v1.json",
        ordinavo_server::portal_openapi(),
        "/portal/v1/openapi.json",
        &[
            "/portal/v1/session",
            "/portal/v1/requests",
            "/portal/v1/attachments/{id}/content",
            "/portal/v1/invitations/accept",
        ],
    )
    .await;
}
