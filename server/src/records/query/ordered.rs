//! Pages of a scoped list, each read from an index in the list's own order.
//!
//! A scope of several customers or locations written as one `OR` makes the
//! database collect the whole scope and sort it for every page: the cost of a page
//! then grows with the customer. Instead every scope arm (and every range the
//! caller splits the list into) becomes its own `ORDER BY … LIMIT` sub-query on an
//! index, and the outer query merges the few rows they return.

use super::{packed, run, Arg, Packed, Select};
use crate::storage::{Backend, Db};

/// The sort key of a list: qualified columns (`a.starts_at`, `a.id`), all in one direction.
#[derive(Debug, Clone)]
pub struct Key {
    pub columns: Vec<String>,
    pub descending: bool,
}

impl Key {
    /// `columns` of the table aliased `alias`.
    pub fn on(alias: &str, columns: &[&str], descending: bool) -> Self {
        Self { columns: columns.iter().map(|c| format!("{alias}.{c}")).collect(), descending }
    }

    /// The same columns the other way round.
    pub fn reversed(self) -> Self {
        Self { descending: !self.descending, ..self }
    }

    fn order_by(&self, unqualified: bool) -> String {
        let direction = if self.descending { " DESC" } else { "" };
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|column| {
                let name = if unqualified { column.rsplit('.').next().unwrap_or(column) } else { column.as_str() };
                format!("{name}{direction}")
            })
            .collect();
        format!("ORDER BY {}", columns.join(", "))
    }
}

/// One page of a scoped list in key order.
#[derive(Debug)]
pub struct Ordered {
    pub select: Select,
    key: Key,
    ranges: Vec<String>,
    limit: usize,
    keys_from: Option<String>,
}

impl Ordered {
    /// At most `limit` rows of `select` (which must be scoped) in `key` order.
    pub fn new(select: Select, key: Key, limit: usize) -> Self {
        Self { select, key, ranges: Vec::new(), limit, keys_from: None }
    }

    /// Reads the keys of a page of several arms from `table` (`"appointments n"`,
    /// the select's own row, which its conditions name) before anything else: each
    /// arm walks the index for keys alone, and only the rows kept after the merge
    /// are joined to what their views embed. Otherwise every arm would build all of
    /// its `limit` rows, of which the merge keeps a few.
    pub fn keys_from(mut self, table: &str) -> Self {
        self.keys_from = Some(table.to_string());
        self
    }

    /// Reads the list as the union of disjoint `ranges`, each from the index on its
    /// own: a condition no single index range serves (visits not yet over, in
    /// start order) becomes ranges that each do.
    pub fn ranges(mut self, ranges: Vec<String>) -> Self {
        self.ranges = ranges;
        self
    }

    /// Keeps the rows after `values` in key order (keyset paging).
    pub fn after(&mut self, values: Vec<Arg>) {
        let placeholders: Vec<String> = values.into_iter().map(|v| self.select.bind(v)).collect();
        let op = if self.key.descending { "<" } else { ">" };
        let clause = format!("({}) {op} ({})", self.key.columns.join(", "), placeholders.join(", "));
        self.select.filter_raw(&clause);
    }

    /// The query: one sub-query per scope arm and range, merged when there are several.
    pub fn sql(&self) -> String {
        let base = &self.select.sql;
        match &self.keys_from {
            Some(table) if self.arms() > 1 => {
                let keys = self.key.columns.join(", ");
                let arms = self.arm_sql(&format!("SELECT {keys} FROM {table}"));
                let id = self.key.columns.last().expect("a key names the row's id");
                let name = id.rsplit('.').next().unwrap_or(id);
                let page = merge(&arms, &self.key, self.limit);
                // The kept keys drive the join (SQLite keeps a `CROSS JOIN`'s order):
                // each finds its row by primary key, where an `IN` let the planner scan
                // the table and test every row against the page.
                let from = format!("FROM {table}");
                let (head, tail) = base.split_once(&from).expect("keys_from names the select's own table");
                format!("{head}FROM ({page}) AS k CROSS JOIN {table}{tail} WHERE {id} = k.{name}")
            }
            _ => {
                let mut arms = self.arm_sql(base);
                if arms.len() == 1 {
                    return arms.remove(0);
                }
                merge(&arms, &self.key, self.limit)
            }
        }
    }

    /// One `ORDER BY … LIMIT` sub-query per scope arm and range, each `base` (a
    /// `SELECT … FROM …`) with the select's conditions.
    fn arm_sql(&self, base: &str) -> Vec<String> {
        let scope_arms = self.select.scope.as_ref().map(|s| s.arms()).unwrap_or_else(|| vec!["1 = 1".into()]);
        let ranges = if self.ranges.is_empty() { vec!["1 = 1".to_string()] } else { self.ranges.clone() };
        let inner = format!("{} LIMIT {}", self.key.order_by(false), self.limit);
        let mut arms = Vec::new();
        for scope in &scope_arms {
            for range in &ranges {
                let condition = format!("{scope} AND {range}");
                arms.push(self.select.sql_on(base, Some(&condition), &inner));
            }
        }
        arms
    }

    /// The page's rows, read as one packed value.
    pub async fn fetch_all<T: Packed>(&self, db: &Db) -> Result<Vec<T>, sqlx::Error> {
        packed::fetch(db, &self.sql(), &self.key.order_by(true), &self.select.args).await
    }

    /// The database's plan for this page, one line per step, for the plan checks.
    pub async fn plan(&self, db: &Db) -> Result<Vec<String>, sqlx::Error> {
        plan(db, &self.sql(), &self.select.args).await
    }

    /// How many sub-queries the page is read as (scope arms times ranges).
    pub fn arms(&self) -> usize {
        let scope = self.select.scope.as_ref().map_or(1, |s| s.arms().len());
        scope * self.ranges.len().max(1)
    }
}

/// Merges `arms`, each already in `key` order, under one `LIMIT`.
fn merge(arms: &[String], key: &Key, limit: usize) -> String {
    let union: Vec<String> = arms.iter().enumerate().map(|(i, arm)| format!("SELECT * FROM ({arm}) AS s{i}")).collect();
    format!("SELECT * FROM ({}) AS u {} LIMIT {limit}", union.join(" UNION ALL "), key.order_by(true))
}

/// Pages of several tables read as one statement: every part's arms merge in
/// `key` order under one `LIMIT`, so the database hands over only the rows kept.
/// Each part's select must be numbered after the one before (`Select::numbered_after`)
/// and yield the columns of `key`.
#[derive(Debug)]
pub struct Merged {
    parts: Vec<Ordered>,
    key: Key,
    limit: usize,
}

impl Merged {
    pub fn new(parts: Vec<Ordered>, key: Key, limit: usize) -> Self {
        Self { parts, key, limit }
    }

    pub fn sql(&self) -> String {
        let arms: Vec<String> = self.parts.iter().flat_map(|part| part.arm_sql(&part.select.sql)).collect();
        merge(&arms, &self.key, self.limit)
    }

    fn args(&self) -> impl Iterator<Item = &Arg> {
        self.parts.iter().flat_map(|part| &part.select.args)
    }

    pub async fn fetch_all<T: Packed>(&self, db: &Db) -> Result<Vec<T>, sqlx::Error> {
        packed::fetch(db, &self.sql(), &self.key.order_by(true), self.args()).await
    }

    pub async fn plan(&self, db: &Db) -> Result<Vec<String>, sqlx::Error> {
        plan(db, &self.sql(), self.args()).await
    }

    /// How many sub-queries the statement merges.
    pub fn arms(&self) -> usize {
        self.parts.iter().map(Ordered::arms).sum()
    }
}

/// The database's plan for `sql`, one line per step. PostgreSQL plans with
/// sequential scans, bitmap scans and sorts priced out, so that even on small
/// tables it shows whether an index serves the page in order.
pub(super) async fn plan<'a>(
    db: &Db,
    sql: &str,
    args: impl IntoIterator<Item = &'a Arg>,
) -> Result<Vec<String>, sqlx::Error> {
    match db.backend {
        Backend::Sqlite => {
            // Steps name their parent step; indent each by its depth, as the sqlite3 shell does.
            let rows: Vec<(i64, i64, i64, String)> = run(&db.pool, &format!("EXPLAIN QUERY PLAN {sql}"), args).await?;
            let mut depths = std::collections::HashMap::new();
            let mut lines = Vec::new();
            for (id, parent, _, detail) in rows {
                let depth = depths.get(&parent).map_or(0, |d| d + 1);
                depths.insert(id, depth);
                lines.push(format!("{}{detail}", "  ".repeat(depth)));
            }
            Ok(lines)
        }
        Backend::Postgres => {
            let mut tx = db.pool.begin().await?;
            for setting in ["enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_incremental_sort"] {
                sqlx::query(&format!("SET LOCAL {setting} = off")).execute(&mut *tx).await?;
            }
            let rows: Vec<(String,)> = run(&mut *tx, &format!("EXPLAIN {sql}"), args).await?;
            tx.rollback().await?;
            Ok(rows.into_iter().map(|(line,)| line).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scope::{Grant, Scope};

    fn page(locations: &[&str]) -> Ordered {
        let grants = [Grant {
            customer_id: "c".into(),
            whole_customer: false,
            can_download: false,
            location_ids: locations.iter().map(|l| l.to_string()).collect(),
        }];
        let mut select = Select::new(
            "SELECT n.id, n.starts_at, nl.time_zone FROM appointments n JOIN locations nl ON nl.id = n.location_id",
        );
        select.scoped(&Scope::from_grants(&grants), "n.customer_id", "n.location_id");
        select.filter_raw("n.shared = 1");
        Ordered::new(select, Key::on("n", &["starts_at", "id"], false), 3).keys_from("appointments n")
    }

    #[test]
    fn several_arms_read_keys_alone_and_join_only_the_rows_kept() {
        let sql = page(&["l1", "l2"]).sql();
        let arm = |p: &str| {
            format!(
                "SELECT * FROM (SELECT n.starts_at, n.id FROM appointments n WHERE n.shared = 1 AND n.location_id = {p} \
                 AND 1 = 1 ORDER BY n.starts_at, n.id LIMIT 3) AS s"
            )
        };
        let expected = format!(
            "SELECT n.id, n.starts_at, nl.time_zone FROM (SELECT * FROM ({}0 UNION ALL {}1) AS u ORDER BY starts_at, id \
             LIMIT 3) AS k CROSS JOIN appointments n JOIN locations nl ON nl.id = n.location_id WHERE n.id = k.id",
            arm("$1"),
            arm("$2")
        );
        assert_eq!(sql, expected);
    }

    #[test]
    fn one_arm_reads_its_rows_directly() {
        let sql = page(&["l1"]).sql();
        assert_eq!(
            sql,
            "SELECT n.id, n.starts_at, nl.time_zone FROM appointments n JOIN locations nl ON nl.id = n.location_id \
             WHERE n.shared = 1 AND (n.location_id IN ($1)) AND 1 = 1 ORDER BY n.starts_at, n.id LIMIT 3"
        );
    }
}
