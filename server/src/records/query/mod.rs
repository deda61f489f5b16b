//! A small SQL builder for list queries. It numbers `$n` placeholders itself,
//! because sqlx's `Any` driver does not rewrite `?` for PostgreSQL.

use sqlx::any::AnyRow;
use sqlx::{Any, FromRow, Row};

use crate::domain::scope::Scope;
use crate::domain::validate::Fields;
use crate::error::{AppError, AppResult};
use crate::extract::{Page, PageQuery};
use crate::storage::Db;

/// A bound value.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
}

/// A `SELECT … WHERE …` under construction.
#[derive(Debug)]
pub struct Select {
    sql: String,
    args: Vec<Arg>,
    clauses: Vec<String>,
}

impl Select {
    /// `base` is a `SELECT … FROM …` without a `WHERE`.
    pub fn new(base: &str) -> Self {
        Self { sql: base.to_string(), args: Vec::new(), clauses: Vec::new() }
    }

    /// Adds a bound value and returns its placeholder.
    pub fn bind(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// Adds a condition; `{}` in `clause` stands for the placeholder of `arg`.
    pub fn filter(&mut self, clause: &str, arg: Arg) {
        let placeholder = self.bind(arg);
        self.clauses.push(clause.replace("{}", &placeholder));
    }

    /// Restricts rows to a portal user's scope: the one place portal queries get
    /// their customer/location visibility. An empty scope matches nothing.
    pub fn scoped(&mut self, scope: &Scope, customer_column: &str, location_column: &str) {
        let clause = self.scope_clause(&scope.customers, &scope.locations, customer_column, location_column);
        self.clauses.push(clause);
    }

    /// Restricts rows to where the scope allows attachment downloads.
    pub fn downloadable(&mut self, scope: &Scope, customer_column: &str, location_column: &str) {
        let clause =
            self.scope_clause(&scope.download_customers, &scope.download_locations, customer_column, location_column);
        self.clauses.push(clause);
    }

    fn scope_clause(
        &mut self,
        customers: &std::collections::BTreeSet<String>,
        locations: &std::collections::BTreeSet<String>,
        customer_column: &str,
        location_column: &str,
    ) -> String {
        let mut parts = Vec::new();
        for (column, ids) in [(customer_column, customers), (location_column, locations)] {
            if !ids.is_empty() {
                let placeholders: Vec<String> = ids.iter().map(|id| self.bind(Arg::Text(id.clone()))).collect();
                parts.push(format!("{column} IN ({})", placeholders.join(", ")));
            }
        }
        if parts.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("({})", parts.join(" OR "))
        }
    }

    /// Keeps rows whose `column` is one of `ids`; none when `ids` is empty.
    pub fn filter_in(&mut self, column: &str, ids: &[String]) {
        if ids.is_empty() {
            self.clauses.push("1 = 0".into());
            return;
        }
        let placeholders: Vec<String> = ids.iter().map(|id| self.bind(Arg::Text(id.clone()))).collect();
        self.clauses.push(format!("{column} IN ({})", placeholders.join(", ")));
    }

    /// Adds a condition without a bound value.
    pub fn filter_raw(&mut self, clause: &str) {
        self.clauses.push(clause.to_string());
    }

    /// The SQL text with `suffix` (ORDER BY, LIMIT…) appended.
    pub fn sql(&self, suffix: &str) -> String {
        let mut sql = self.sql.clone();
        if !self.clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.clauses.join(" AND "));
        }
        sql.push(' ');
        sql.push_str(suffix);
        sql
    }

    pub async fn fetch_all<T>(&self, db: &Db, suffix: &str) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let sql = self.sql(suffix);
        let mut query = sqlx::query_as::<Any, T>(&sql);
        for arg in &self.args {
            query = match arg {
                Arg::Text(text) => query.bind(text.clone()),
                Arg::Int(int) => query.bind(*int),
            };
        }
        query.fetch_all(&db.pool).await
    }
}

impl Select {
    pub async fn fetch_optional<T>(&self, db: &Db, suffix: &str) -> Result<Option<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        Ok(self.fetch_all(db, suffix).await?.into_iter().next())
    }
}

/// Which of the common filters a list supports, and the columns they apply to.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListSpec {
    /// Table alias whose `id` orders the list, e.g. `t`.
    pub alias: &'static str,
    pub customer_column: Option<&'static str>,
    pub location_column: Option<&'static str>,
    pub status_column: Option<&'static str>,
    /// Accepted values of the status filter.
    pub statuses: &'static [&'static str],
}

/// Runs a list query: filters, keyset pagination by id (ids are time-ordered UUIDv7).
pub async fn list<T>(db: &Db, base: &str, spec: ListSpec, query: &PageQuery) -> AppResult<Page<T>>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin + HasId,
{
    let mut fields = Fields::new();
    let limit = query.limit(&mut fields);
    let mut select = Select::new(base);
    let alias = spec.alias;
    apply(&mut fields, &mut select, "customer_id", &query.customer_id, spec.customer_column);
    apply(&mut fields, &mut select, "location_id", &query.location_id, spec.location_column);
    if let Some(status) = &query.status {
        match spec.status_column {
            Some(column) if spec.statuses.contains(&status.as_str()) => {
                select.filter(&format!("{column} = {{}}"), Arg::Text(status.clone()))
            }
            Some(_) => fields.error("status", format!("must be one of: {}", spec.statuses.join(", "))),
            None => fields.error("status", "this list cannot be filtered by status"),
        }
    }
    if let Some(since) = query.updated_since {
        select.filter(&format!("{alias}.updated_at >= {{}}"), Arg::Int(since.timestamp_millis()));
    }
    if let Some(after) = &query.after {
        select.filter(&format!("{alias}.id > {{}}"), Arg::Text(after.clone()));
    }
    fields.finish()?;
    let mut items: Vec<T> = select.fetch_all(db, &format!("ORDER BY {alias}.id LIMIT {}", limit + 1)).await?;
    let next_after = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|item| item.id().to_string())
    } else {
        None
    };
    Ok(Page { items, next_after })
}

fn apply(fields: &mut Fields, select: &mut Select, name: &str, value: &Option<String>, column: Option<&str>) {
    match (value, column) {
        (Some(value), Some(column)) => select.filter(&format!("{column} = {{}}"), Arg::Text(value.clone())),
        (Some(_), None) => fields.error(name, format!("this list cannot be filtered by {name}")),
        (None, _) => {}
    }
}

/// Every row of `base` whose `column` equals `value`: a record's children, e.g. the
/// appointments of a target.
pub async fn children<T>(db: &Db, base: &str, column: &str, value: &str, order: &str) -> AppResult<Vec<T>>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let mut select = Select::new(base);
    select.filter(&format!("{column} = {{}}"), Arg::Text(value.to_string()));
    Ok(select.fetch_all(db, &format!("ORDER BY {order}")).await?)
}

/// Records with a time-ordered id, for keyset pagination.
pub trait HasId {
    fn id(&self) -> &str;
}

/// Fetches one row by id, answering 404 when there is none.
pub async fn one<'c, T, E>(executor: E, sql: &str, id: &str) -> AppResult<T>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    E: sqlx::Executor<'c, Database = Any>,
{
    sqlx::query_as::<Any, T>(sql).bind(id.to_string()).fetch_optional(executor).await?.ok_or(AppError::NotFound)
}

/// When a record last changed, to refuse edits made on an older copy; 404 when
/// there is no such record. `table` is always a literal of the caller's.
pub async fn updated_at(conn: &mut sqlx::AnyConnection, table: &'static str, id: &str) -> AppResult<i64> {
    let row: Option<(i64,)> = sqlx::query_as(&format!("SELECT updated_at FROM {table} WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|(at,)| at).ok_or(AppError::NotFound)
}

/// Reads a 0/1 flag column. Flags are stored as integers because sqlx's `Any`
/// driver cannot decode SQLite booleans.
pub fn flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// Reads a text column holding a wire name (a status or kind).
pub fn wire<T: TryFrom<String, Error = String>>(row: &AnyRow, column: &str) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    T::try_from(text).map_err(|message| sqlx::Error::ColumnDecode { index: column.to_string(), source: message.into() })
}
