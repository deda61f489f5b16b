//! A small SQL builder for list queries. It numbers `$n` placeholders itself,
//! because sqlx's `Any` driver does not rewrite `?` for PostgreSQL; both backends
//! read `$n` by number, so one placeholder may appear several times.

mod ordered;
mod packed;
mod page;

pub use ordered::{Key, Merged, Ordered};
pub use packed::{fetch_wrapped, field_names, json, stored, wrapped, Packed};
pub use page::{Page, PageQuery};

use sqlx::any::AnyRow;
use sqlx::{Any, FromRow, Row};

use crate::domain::scope::Scope;
use crate::domain::validate::Fields;
use crate::error::{AppError, AppResult};
use crate::storage::reader::Value;
use crate::storage::Db;

/// A bound value.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
}

impl Arg {
    /// The value as the SQLite reader binds it.
    fn sqlite_value(&self) -> Value {
        match self {
            Arg::Text(text) => Value::Text(text.clone()),
            Arg::Int(int) => Value::Integer(*int),
        }
    }
}

/// A `SELECT … WHERE …` under construction.
#[derive(Debug)]
pub struct Select {
    sql: String,
    /// Placeholders this select's values follow (see `numbered_after`).
    offset: usize,
    args: Vec<Arg>,
    clauses: Vec<String>,
    scope: Option<ScopeArms>,
}

/// A portal scope bound into a query: the placeholders of its customers and
/// locations. A plain query reads it as one `OR` condition; an ordered page reads
/// it as one indexed range per customer and per location (see `ordered`).
#[derive(Debug)]
struct ScopeArms {
    customer_column: String,
    location_column: String,
    customers: Vec<String>,
    locations: Vec<String>,
    /// Set by `at_location` (the placeholder of the one location asked for), so that
    /// the location's index drives the query.
    pinned: Option<String>,
    /// Set by `filter_in`: the ids find the rows and the scope only checks them.
    checks_only: bool,
}

impl ScopeArms {
    /// The scope as one condition.
    fn any(&self) -> String {
        if let Some(location) = &self.pinned {
            // Rows at one location: in scope when that location is. A location never
            // changes customer and every row takes its customer from its location, so
            // this says the same as the per-row test, without offering the planner the
            // customer's index (which would sort the customer's rows).
            let mut parts = Vec::new();
            if !self.locations.is_empty() {
                parts.push(format!("{location} IN ({})", self.locations.join(", ")));
            }
            if !self.customers.is_empty() {
                parts.push(format!(
                    "EXISTS (SELECT 1 FROM locations sl WHERE sl.id = {location} AND sl.customer_id IN ({}))",
                    self.customers.join(", ")
                ));
            }
            return if parts.is_empty() { "1 = 0".to_string() } else { format!("({})", parts.join(" OR ")) };
        }
        let mut parts = Vec::new();
        for (column, placeholders) in
            [(&self.customer_column, &self.customers), (&self.location_column, &self.locations)]
        {
            if !placeholders.is_empty() {
                // An expression on the column is offered no index, so the planner cannot
                // trade a few hundred id look-ups for a walk of the customer's rows.
                let column = if self.checks_only { format!("({column} || '')") } else { column.clone() };
                parts.push(format!("{column} IN ({})", placeholders.join(", ")));
            }
        }
        if parts.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("({})", parts.join(" OR "))
        }
    }

    /// The scope as conditions that each pin one index range. They are disjoint
    /// because a scope never lists a location of a customer it holds whole.
    fn arms(&self) -> Vec<String> {
        if self.pinned.is_some() || self.customers.len() + self.locations.len() <= 1 {
            return vec![self.any()];
        }
        let customers = self.customers.iter().map(|c| format!("{} = {c}", self.customer_column));
        let locations = self.locations.iter().map(|l| format!("{} = {l}", self.location_column));
        customers.chain(locations).collect()
    }
}

impl Select {
    /// `base` is a `SELECT … FROM …` without a `WHERE`.
    pub fn new(base: &str) -> Self {
        Self { sql: base.to_string(), offset: 0, args: Vec::new(), clauses: Vec::new(), scope: None }
    }

    /// A select whose base itself names bound values: `base` binds them through the
    /// select (a sub-query's conditions in the column list) and returns the
    /// `SELECT … FROM …`.
    pub fn with_base(base: impl FnOnce(&mut Select) -> String) -> Self {
        let mut select = Self::new("");
        select.sql = base(&mut select);
        select
    }

    /// A select whose placeholders follow those of `previous`, so that both can be
    /// parts of one statement (see `Merged`). `base` must not name placeholders.
    pub fn numbered_after(base: &str, previous: &Select) -> Self {
        Self { offset: previous.offset + previous.args.len(), ..Self::new(base) }
    }

    /// Adds a bound value and returns its placeholder.
    pub fn bind(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.offset + self.args.len())
    }

    /// Adds a condition; `{}` in `clause` stands for the placeholder of `arg`.
    pub fn filter(&mut self, clause: &str, arg: Arg) {
        let placeholder = self.bind(arg);
        self.clauses.push(clause.replace("{}", &placeholder));
    }

    /// Restricts rows to a portal user's scope: the one place portal queries get
    /// their customer/location visibility. An empty scope matches nothing.
    pub fn scoped(&mut self, scope: &Scope, customer_column: &str, location_column: &str) {
        let customers = scope.customers.iter().map(|id| self.bind(Arg::Text(id.clone()))).collect();
        let locations = scope.locations.iter().map(|id| self.bind(Arg::Text(id.clone()))).collect();
        self.scope = Some(ScopeArms {
            customer_column: customer_column.to_string(),
            location_column: location_column.to_string(),
            customers,
            locations,
            pinned: None,
            checks_only: false,
        });
    }

    /// Keeps rows at one location (still within the scope, which must be set first).
    pub fn at_location(&mut self, location_id: &str) {
        let placeholder = self.bind(Arg::Text(location_id.to_string()));
        let scope = self.scope.as_mut().expect("at_location refines a scoped query");
        let clause = format!("{} = {placeholder}", scope.location_column);
        scope.pinned = Some(placeholder);
        self.clauses.push(clause);
    }

    /// The condition that a row lies in the scope, with its values bound here, for a
    /// caller that places it inside a larger condition (a sub-query found by its
    /// parent's id, so the scope only checks the rows found).
    pub fn within(&mut self, scope: &Scope, customer_column: &str, location_column: &str) -> String {
        self.lies_in(&scope.customers, &scope.locations, customer_column, location_column)
    }

    /// Restricts rows to where the scope allows attachment downloads.
    pub fn downloadable(&mut self, scope: &Scope, customer_column: &str, location_column: &str) {
        let condition = self.downloads_allowed(scope, customer_column, location_column);
        self.clauses.push(condition);
    }

    /// The condition that a row lies where the scope allows downloads, with its values
    /// bound here, for a caller that places it inside a larger condition.
    pub fn downloads_allowed(&mut self, scope: &Scope, customer_column: &str, location_column: &str) -> String {
        self.lies_in(&scope.download_customers, &scope.download_locations, customer_column, location_column)
    }

    /// The condition that a row's customer is one of `customers` or its location one of
    /// `locations`, with the values bound here.
    fn lies_in<'a>(
        &mut self,
        customers: impl IntoIterator<Item = &'a String>,
        locations: impl IntoIterator<Item = &'a String>,
        customer_column: &str,
        location_column: &str,
    ) -> String {
        let arms = ScopeArms {
            customer_column: customer_column.to_string(),
            location_column: location_column.to_string(),
            customers: customers.into_iter().map(|id| self.bind(Arg::Text(id.clone()))).collect(),
            locations: locations.into_iter().map(|id| self.bind(Arg::Text(id.clone()))).collect(),
            pinned: None,
            checks_only: true,
        };
        arms.any()
    }

    /// Keeps rows whose `column` is one of `ids`; none when `ids` is empty. The ids
    /// drive the query (through `column`'s index): the scope only checks the rows found.
    pub fn filter_in(&mut self, column: &str, ids: &[String]) {
        if let Some(scope) = self.scope.as_mut() {
            scope.checks_only = true;
        }
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
        let scope = self.scope.as_ref().map(ScopeArms::any);
        self.sql_with(scope.as_deref(), suffix)
    }

    /// The SQL text with one more condition (a scope arm) and `suffix`.
    fn sql_with(&self, extra: Option<&str>, suffix: &str) -> String {
        self.sql_on(&self.sql, extra, suffix)
    }

    /// Like `sql_with`, on another `SELECT … FROM …` of the same row (its alias).
    fn sql_on(&self, base: &str, extra: Option<&str>, suffix: &str) -> String {
        let mut sql = base.to_string();
        let clauses: Vec<&str> = self.clauses.iter().map(String::as_str).chain(extra).collect();
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push(' ');
        sql.push_str(suffix);
        sql
    }

    /// The database's plan for this select, for the plan checks.
    pub async fn plan(&self, db: &Db, suffix: &str) -> Result<Vec<String>, sqlx::Error> {
        ordered::plan(db, &self.sql(suffix), &self.args).await
    }

    pub async fn fetch_all<T>(&self, db: &Db, suffix: &str) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        self.run(&db.pool, &self.sql(suffix)).await
    }

    /// Runs `sql`, built from this select, with its bound values.
    async fn run<'c, T, E>(&self, executor: E, sql: &str) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
        E: sqlx::Executor<'c, Database = Any>,
    {
        run(executor, sql, &self.args).await
    }
}

/// Runs `sql` with `args` bound in order.
async fn run<'c, 'a, T, E>(
    executor: E,
    sql: &str,
    args: impl IntoIterator<Item = &'a Arg>,
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    E: sqlx::Executor<'c, Database = Any>,
{
    let mut query = sqlx::query_as::<Any, T>(sql);
    for arg in args {
        query = match arg {
            Arg::Text(text) => query.bind(text.clone()),
            Arg::Int(int) => query.bind(*int),
        };
    }
    query.fetch_all(executor).await
}

impl Select {
    /// Rows read as one packed value (see `packed`), in `order`: an `ORDER BY` on the
    /// output columns, or empty for any order.
    pub async fn fetch_packed<T: Packed>(&self, db: &Db, suffix: &str, order: &str) -> Result<Vec<T>, sqlx::Error> {
        packed::fetch(db, &self.sql(suffix), order, &self.args).await
    }

    /// The one row the select finds, if any, read as a packed value.
    pub async fn fetch_optional<T: Packed>(&self, db: &Db, suffix: &str) -> Result<Option<T>, sqlx::Error> {
        Ok(self.fetch_packed(db, suffix, "").await?.into_iter().next())
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
    list_of(db, Select::new(base), spec, query).await
}

/// `list` over a select that already holds the list's own conditions.
pub async fn list_of<T>(db: &Db, mut select: Select, spec: ListSpec, query: &PageQuery) -> AppResult<Page<T>>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin + HasId,
{
    let mut fields = Fields::new();
    let limit = query.limit(&mut fields);
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
