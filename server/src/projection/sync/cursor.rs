//! Sync positions, kept on the server. A client holds only a random token for its
//! position; the position (which counts every customer's changes and may name a
//! record the user cannot see) never leaves the server. A token works only for the
//! session it was issued to: any other presenter starts over with a reset.

use sqlx::FromRow;

use crate::domain::tokens;
use crate::storage::{Db, WriteTx};

/// Every token starts so; 16 random bytes follow.
const PREFIX: &str = "sc_";

/// Where a sync stopped: the last change looked at, ordered by (version, kind, id),
/// the scope it was computed for, and (in a sync from the start) the clock when it began.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Cursor {
    pub version: i64,
    pub kind: i64,
    pub last_id: String,
    pub scope: String,
    pub fresh_until: i64,
}

impl Cursor {
    /// The start of a sync from the start, taken when the clock reads `high`.
    pub fn start(scope: String, high: i64) -> Self {
        Self { version: 0, kind: 0, last_id: String::new(), scope, fresh_until: high }
    }

    /// Past every change up to `high` of `kinds` kinds.
    pub fn end(&self, high: i64, kinds: usize) -> Self {
        Self { version: high, kind: kinds as i64, last_id: String::new(), ..self.clone() }
    }

    /// True when this cursor is past every change up to `high`.
    pub fn at_end(&self, high: i64, kinds: usize) -> bool {
        (self.version, self.kind) >= (high, kinds as i64)
    }

    /// True while a sync from the start has not passed the clock it began at.
    pub fn fresh(&self, kinds: usize) -> bool {
        !self.at_end(self.fresh_until, kinds)
    }
}

/// True for text shaped like a token this server issues.
pub fn well_formed(token: &str) -> bool {
    token.strip_prefix(PREFIX).is_some_and(|rest| {
        rest.len() == 22 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The position behind `token`, if it was issued to `session_id`.
pub async fn find(db: &Db, session_id: &str, token: &str) -> Result<Option<Cursor>, sqlx::Error> {
    sqlx::query_as(
        "SELECT version, kind, last_id, scope, fresh_until FROM portal_sync_cursors WHERE token = $1 AND session_id = $2",
    )
    .bind(token)
    .bind(session_id)
    .fetch_optional(&db.pool)
    .await
}

/// Stores `cursor` under a new token for `session_id` and returns the token. Only
/// `keep` (the token the client presented, so that a page whose answer was lost
/// can be asked again) and the new one stay.
pub async fn issue(
    tx: &mut WriteTx,
    session_id: &str,
    keep: Option<&str>,
    cursor: &Cursor,
) -> Result<String, sqlx::Error> {
    sqlx::query("DELETE FROM portal_sync_cursors WHERE session_id = $1 AND token <> $2")
        .bind(session_id)
        .bind(keep.unwrap_or_default())
        .execute(&mut ***tx)
        .await?;
    let token = tokens::generate(PREFIX, 16);
    sqlx::query(
        "INSERT INTO portal_sync_cursors (token, session_id, version, kind, last_id, scope, fresh_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&token)
    .bind(session_id)
    .bind(cursor.version)
    .bind(cursor.kind)
    .bind(&cursor.last_id)
    .bind(&cursor.scope)
    .bind(cursor.fresh_until)
    .execute(&mut ***tx)
    .await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_nothing_else_passes() {
        assert!(well_formed(&tokens::generate(PREFIX, 16)));
        assert!(!well_formed("2.4.ab12.0190f7a0-0000-7000-8000-000000000000"));
        assert!(!well_formed("not-a-cursor"));
    }

    #[test]
    fn a_cursor_at_the_end_stays_there_until_the_clock_moves() {
        let start = Cursor::start("ab12".into(), 40);
        assert!(!start.at_end(40, 8));
        let end = start.end(40, 8);
        assert!(end.at_end(40, 8));
        assert!(!end.at_end(41, 8));
    }

    #[test]
    fn a_sync_from_the_start_is_fresh_until_it_passes_its_clock() {
        let start = Cursor::start("ab12".into(), 40);
        assert!(start.fresh(8));
        assert!(Cursor { version: 40, kind: 7, ..start.clone() }.fresh(8));
        assert!(!start.end(40, 8).fresh(8));
        assert!(!Cursor { version: 41, kind: 0, ..start }.fresh(8), "changes after the clock may be removals");
    }
}
