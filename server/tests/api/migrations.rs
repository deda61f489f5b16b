//! Migrations apply on both backends, create the whole data model, and re-running them is a no-op.

use crate::support::TestApp;

const TABLES: &[&str] = &[
    "staff_users",
    "customers",
    "locations",
    "contacts",
    "portal_users",
    "portal_grants",
    "portal_grant_locations",
    "portal_invitations",
    "portal_invitation_locations",
    "requests",
    "request_time_windows",
    "targets",
    "appointments",
    "visit_reports",
    "attachments",
    "follow_ups",
    "timeline_events",
    "api_keys",
    "webhook_deliveries",
    "connect_mapping_warnings",
    "audit_log",
    "employee_performance",
    "sync_clock",
    "desktop_releases",
    "desktop_release_files",
    "portal_access_log",
];

#[tokio::test]
async fn migrations_create_every_table_and_are_idempotent() {
    for app in TestApp::all().await {
        for table in TABLES {
            app.count(table).await;
        }
        ordinavo_server::storage::migrate(&app.state.db).await.expect("second run is a no-op");
        let (applied,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&app.state.db.pool).await.unwrap();
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations")).unwrap().count();
        assert_eq!(applied as usize, files, "[{}] every migration applied once", app.backend);
    }
}

#[tokio::test]
async fn flags_and_statuses_are_checked_by_the_database_too() {
    for app in TestApp::all().await {
        let result = sqlx::query(
            "INSERT INTO api_keys (id, name, key_prefix, key_hash, created_at) VALUES ('k', 'n', 'p', 'h', 0)",
        )
        .execute(&app.state.db.pool)
        .await;
        assert!(result.is_ok(), "[{}]", app.backend);
        let bad = sqlx::query(
            "INSERT INTO staff_users (id, email, name, role, password_hash, created_at, updated_at) VALUES ('s', 'e', 'n', 'owner', 'h', 0, 0)",
        )
        .execute(&app.state.db.pool)
        .await;
        assert!(bad.is_err(), "[{}] unknown roles are refused", app.backend);
    }
}
