//! Internal-only records: webhook deliveries, Connect mapping warnings and employee
//! performance. They exist for staff and integrations; no portal code reads them.

use crate::storage::{new_id, now_ms, WriteTx};

pub struct WebhookDelivery<'a> {
    pub endpoint_url: &'a str,
    pub event_kind: &'a str,
    pub payload: &'a str,
    pub response_status: Option<i32>,
    pub attempts: i32,
    pub last_error: Option<&'a str>,
    pub delivered: bool,
}

pub async fn record_webhook_delivery(tx: &mut WriteTx, d: WebhookDelivery<'_>) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_url, event_kind, payload, response_status, attempts, last_error,
             delivered_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(d.endpoint_url)
    .bind(d.event_kind)
    .bind(d.payload)
    .bind(d.response_status)
    .bind(d.attempts)
    .bind(d.last_error)
    .bind(d.delivered.then_some(now))
    .bind(now)
    .execute(&mut ***tx)
    .await?;
    Ok(())
}

pub struct MappingWarning<'a> {
    pub customer_id: Option<&'a str>,
    pub location_id: Option<&'a str>,
    pub source_system: &'a str,
    pub external_ref: &'a str,
    pub message: &'a str,
}

pub async fn record_mapping_warning(tx: &mut WriteTx, w: MappingWarning<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO connect_mapping_warnings (id, customer_id, location_id, source_system, external_ref, message, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(w.customer_id)
    .bind(w.location_id)
    .bind(w.source_system)
    .bind(w.external_ref)
    .bind(w.message)
    .bind(now_ms())
    .execute(&mut ***tx)
    .await?;
    Ok(())
}

pub struct Performance<'a> {
    pub employee_ref: &'a str,
    pub employee_name: &'a str,
    pub period_start: &'a str,
    pub period_end: &'a str,
    pub visits_completed: i32,
    pub first_time_fix_rate: f64,
    pub average_on_site_minutes: i32,
    pub customer_rating: Option<f64>,
}

pub async fn record_performance(tx: &mut WriteTx, p: Performance<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO employee_performance (id, employee_ref, employee_name, period_start, period_end, visits_completed,
             first_time_fix_rate, average_on_site_minutes, customer_rating, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(p.employee_ref)
    .bind(p.employee_name)
    .bind(p.period_start)
    .bind(p.period_end)
    .bind(p.visits_completed)
    .bind(p.first_time_fix_rate)
    .bind(p.average_on_site_minutes)
    .bind(p.customer_rating)
    .bind(now_ms())
    .execute(&mut ***tx)
    .await?;
    Ok(())
}
