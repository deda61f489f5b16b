//! The demo seed: realistic data in every state, seeded once.

use ordinavo_server::demo;

use crate::support::TestApp;

async fn statuses(app: &TestApp, table: &str) -> Vec<String> {
    sqlx::query_as::<_, (String,)>(&format!("SELECT DISTINCT status FROM {table} ORDER BY status"))
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|(s,)| s)
        .collect()
}

#[tokio::test]
async fn demo_seeds_every_state_once() {
    for app in TestApp::all().await {
        let b = app.backend;
        assert!(demo::seed(&app.state).await.unwrap(), "[{b}] an empty database is seeded");
        assert_eq!(
            statuses(&app, "requests").await,
            ["accepted", "cancelled", "in_review", "planned", "rejected", "submitted"],
            "[{b}]"
        );
        assert_eq!(statuses(&app, "visit_reports").await, ["approved", "draft", "published"]);
        assert_eq!(statuses(&app, "follow_ups").await, ["planned", "required"]);
        assert!(statuses(&app, "appointments").await.contains(&"completed".to_string()));
        let (released, unreleased): (i64, i64) = sqlx::query_as(
            "SELECT SUM(CASE WHEN released = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN released = 0 THEN 1 ELSE 0 END) FROM attachments",
        )
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert!(released >= 2 && unreleased >= 1, "[{b}] {released} released, {unreleased} unreleased");
        let (zones,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT time_zone) FROM locations")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(zones, 2);
        for table in [
            "webhook_deliveries",
            "connect_mapping_warnings",
            "employee_performance",
            "timeline_events",
            "portal_users",
        ] {
            assert!(app.count(table).await > 0, "[{b}] {table} is seeded");
        }
        let before: Vec<i64> = table_counts(&app).await;
        assert!(!demo::seed(&app.state).await.unwrap(), "[{b}] a second start seeds nothing");
        assert_eq!(table_counts(&app).await, before);
    }
}

async fn table_counts(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in ["customers", "locations", "staff_users", "portal_users", "requests", "attachments", "audit_log"] {
        counts.push(app.count(table).await);
    }
    counts
}
