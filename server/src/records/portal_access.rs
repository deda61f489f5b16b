//! Portal users and their grants. A grant covers a whole customer or chosen
//! locations of one customer, and says whether attachments may be downloaded.

use crate::domain::password;
use crate::storage::{new_id, now_ms, WriteTx};

pub struct NewPortalUser<'a> {
    pub contact_id: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub language: &'a str,
}

/// Creates an active portal user; returns its id.
pub async fn create_user(tx: &mut WriteTx, user: NewPortalUser<'_>) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO portal_users (id, contact_id, email, display_name, password_hash, status, language, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8)",
    )
    .bind(&id)
    .bind(user.contact_id)
    .bind(user.email.to_lowercase())
    .bind(user.display_name)
    .bind(password::hash(user.password))
    .bind(user.language)
    .bind(now)
    .bind(now)
    .execute(&mut ***tx)
    .await?;
    Ok(id)
}

/// What a grant covers.
pub enum Coverage<'a> {
    WholeCustomer,
    Locations(&'a [&'a str]),
}

/// Grants `user_id` access to a customer, wholly or to some of its locations.
pub async fn add_grant(
    tx: &mut WriteTx,
    user_id: &str,
    customer_id: &str,
    coverage: Coverage<'_>,
    can_download: bool,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO portal_grants (id, portal_user_id, customer_id, whole_customer, can_download, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(customer_id)
    .bind(i64::from(matches!(coverage, Coverage::WholeCustomer)))
    .bind(i64::from(can_download))
    .bind(now)
    .bind(now)
    .execute(&mut ***tx)
    .await?;
    if let Coverage::Locations(locations) = coverage {
        for location_id in locations {
            sqlx::query("INSERT INTO portal_grant_locations (grant_id, location_id) VALUES ($1, $2)")
                .bind(&id)
                .bind(*location_id)
                .execute(&mut ***tx)
                .await?;
        }
    }
    Ok(id)
}
