//! Portal lists and sync at size, on both backends: walking every list with its
//! cursor returns each visible row exactly once and in order, a full sync yields
//! exactly the visible set, and every list and sync page is read from an index in
//! its order (the plan checks), for a whole-customer user, a user of some
//! locations, and a user who mixes a whole customer with a location of another.

use std::collections::{BTreeSet, HashMap};

use ordinavo_server::domain::scope::Scope;
use ordinavo_server::projection::appointments::AppointmentQuery;
use ordinavo_server::projection::{self, PortalPage, Viewer};
use ordinavo_server::records::appointments::{self, NewAppointment};
use ordinavo_server::records::audit::Actor;
use ordinavo_server::records::contacts::{self, NewContact};
use ordinavo_server::records::customers::{self, NewCustomer};
use ordinavo_server::records::follow_ups::{self, NewFollowUp};
use ordinavo_server::records::locations::{self, NewLocation};
use ordinavo_server::records::portal_access::{self, Coverage, NewPortalUser};
use ordinavo_server::records::query::Ordered;
use ordinavo_server::records::reports::{self, NewReport, Publication};
use ordinavo_server::records::sessions;
use ordinavo_server::records::targets::{self, NewTarget};
use ordinavo_server::records::time::Timestamp;
use ordinavo_server::storage::{Backend, Db};
use serde_json::Value;

use crate::support::TestApp;

const HOUR: i64 = 3_600_000;
const LOCATIONS: usize = 4;
const APPOINTMENTS_A: usize = 1_200;
const APPOINTMENTS_B: usize = 300;

/// Two customers; A is the large one.
struct World {
    a_locations: Vec<String>,
    b: String,
    users: Vec<User>,
}

struct User {
    name: &'static str,
    token: String,
    viewer: Viewer,
}

async fn customer(tx: &mut ordinavo_server::storage::WriteTx, name: &str) -> (String, Vec<String>) {
    let actor = Actor::System;
    let customer =
        customers::create(tx, &actor, NewCustomer { name: name.into(), segment: String::new(), external_ref: None })
            .await
            .unwrap();
    let mut ids = Vec::new();
    for i in 0..LOCATIONS {
        let location = locations::create(
            tx,
            &actor,
            NewLocation {
                customer_id: customer.id.clone(),
                name: format!("{name} site {i}"),
                address_line: "Sheikh Zayed Road 1".into(),
                postal_code: String::new(),
                city: "Dubai".into(),
                country_code: "AE".into(),
                time_zone: "Asia/Dubai".into(),
                external_ref: None,
            },
        )
        .await
        .unwrap();
        ids.push(location.id);
    }
    (customer.id, ids)
}

/// Appointments spread over the past and the future (some in progress, some not
/// shared), work with a next visit, published and draft reports, follow-ups.
async fn fill(db: &Db, locations: &[String], appointments_total: usize) {
    let actor = Actor::System;
    let now = Timestamp::now().0;
    let mut tx = db.begin_write().await.unwrap();
    let mut work = Vec::new();
    for (i, location) in locations.iter().enumerate() {
        for j in 0..3 {
            let target = targets::create(
                &mut tx,
                &actor,
                NewTarget {
                    location_id: location.clone(),
                    contact_id: None,
                    request_id: None,
                    title: format!("Contract {i}.{j}"),
                    internal_notes: "internal".into(),
                    routing_score: None,
                    billing_trigger: None,
                    assigned_employee: None,
                    external_ref: None,
                },
            )
            .await
            .unwrap();
            work.push(target.id);
        }
    }
    tx.commit().await.unwrap();
    for n in 0..appointments_total / 100 {
        let mut tx = db.begin_write().await.unwrap();
        for i in 0..100 {
            let k = (n * 100 + i) as i64;
            let target = &work[k as usize % work.len()];
            // Half in the past, half to come; every 50th spans now; every 7th unshared.
            let starts = if k % 50 == 0 { now - HOUR } else { now + (k - (appointments_total as i64) / 2) * 5 * HOUR };
            appointments::create(
                &mut tx,
                &actor,
                NewAppointment {
                    target_id: target.clone(),
                    starts_at: Timestamp(starts),
                    ends_at: Timestamp(starts + 2 * HOUR),
                    arrival_window_start: None,
                    arrival_window_end: None,
                    shared_with_portal: k % 7 != 3,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    let mut tx = db.begin_write().await.unwrap();
    for (i, target) in work.iter().enumerate() {
        for j in 0..4 {
            let report = reports::create(
                &mut tx,
                &actor,
                NewReport {
                    target_id: target.clone(),
                    appointment_id: None,
                    visit_date: "2026-11-20".into(),
                    internal_title: format!("Visit {i}.{j}"),
                    internal_body: "Checked all systems.".into(),
                    internal_notes: String::new(),
                },
            )
            .await
            .unwrap();
            if j != 3 {
                reports::approve(&mut tx, &actor, &report.id).await.unwrap();
                let publication = Publication {
                    portal_title: "Maintenance visit".into(),
                    portal_summary: "All systems checked.".into(),
                    portal_message: String::new(),
                };
                reports::publish(&mut tx, &actor, &report.id, publication).await.unwrap();
                let follow_up = NewFollowUp {
                    target_id: target.clone(),
                    origin_report_id: Some(report.id.clone()),
                    description: "Replace the filter".into(),
                };
                follow_ups::create(&mut tx, &actor, follow_up).await.unwrap();
            }
        }
    }
    tx.commit().await.unwrap();
}

async fn user(db: &Db, name: &'static str, customer_id: &str, grants: Vec<(&str, Coverage<'_>)>) -> User {
    let mut tx = db.begin_write().await.unwrap();
    let email = format!("{name}@scale.example");
    let contact = contacts::create(
        &mut tx,
        &Actor::System,
        NewContact {
            customer_id: customer_id.into(),
            name: name.into(),
            email: email.clone(),
            phone: String::new(),
            job_title: String::new(),
        },
    )
    .await
    .unwrap();
    let id = portal_access::create_user(
        &mut tx,
        NewPortalUser {
            contact_id: &contact.id,
            email: &email,
            display_name: name,
            password: "scale test passphrase 2026",
            language: "en",
        },
    )
    .await
    .unwrap();
    for (customer, coverage) in grants {
        portal_access::add_grant(&mut tx, &id, customer, coverage, true).await.unwrap();
    }
    let session = sessions::create(&mut tx, &id, "127.0.0.1", "tests").await.unwrap();
    tx.commit().await.unwrap();
    User { name, token: session.token, viewer: Viewer::of(db, &id).await.unwrap() }
}

async fn world(app: &TestApp) -> World {
    let db = &app.state.db;
    let mut tx = db.begin_write().await.unwrap();
    let (a, a_locations) = customer(&mut tx, "Alpha").await;
    let (b, b_locations) = customer(&mut tx, "Beta").await;
    tx.commit().await.unwrap();
    fill(db, &a_locations, APPOINTMENTS_A).await;
    fill(db, &b_locations, APPOINTMENTS_B).await;
    let some: Vec<&str> = a_locations[..2].iter().map(String::as_str).collect();
    let one: Vec<&str> = a_locations[3..].iter().map(String::as_str).collect();
    let users = vec![
        user(db, "whole", &a, vec![(&a, Coverage::WholeCustomer)]).await,
        user(db, "partial", &a, vec![(&a, Coverage::Locations(&some))]).await,
        user(db, "mixed", &b, vec![(&b, Coverage::WholeCustomer), (&a, Coverage::Locations(&one))]).await,
    ];
    sqlx::query("ANALYZE").execute(&db.pool).await.unwrap();
    World { a_locations, b, users }
}

/// Walks a portal list page by page; returns the ids in the order served.
async fn walk(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    let join = if path.contains('?') { '&' } else { '?' };
    for _ in 0..1_000 {
        let url = match &after {
            Some(cursor) => format!("{path}{join}limit=37&after={cursor}"),
            None => format!("{path}{join}limit=37"),
        };
        let (status, page) = app.portal_get(&url, token).await;
        assert_eq!(status, 200, "[{}] {url}: {page}", app.backend);
        ids.extend(page["items"].as_array().unwrap().iter().map(|item| item["id"].as_str().unwrap().to_string()));
        match page["next_after"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => return ids,
        }
    }
    panic!("{path} never ended");
}

/// The ids an independent query finds, for comparing with what the portal served.
async fn oracle(db: &Db, sql: &str, scope: &Scope, binds: &[&str]) -> Vec<String> {
    let customers: Vec<String> = scope.customers.iter().map(|c| format!("'{c}'")).collect();
    let locations: Vec<String> = scope.locations.iter().map(|l| format!("'{l}'")).collect();
    let list = |items: &[String]| if items.is_empty() { "''".to_string() } else { items.join(", ") };
    let sql = sql.replace("{customers}", &list(&customers)).replace("{locations}", &list(&locations));
    let mut query = sqlx::query_as::<_, (String,)>(&sql);
    for bind in binds {
        query = query.bind(bind.to_string());
    }
    query.fetch_all(&db.pool).await.unwrap().into_iter().map(|(id,)| id).collect()
}

fn assert_once(backend: &str, what: &str, ids: &[String]) {
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "[{backend}] {what}: a row served twice");
}

const IN_SCOPE: &str = "(x.customer_id IN ({customers}) OR x.location_id IN ({locations}))";

#[tokio::test]
async fn walking_every_list_returns_each_visible_row_once_in_order() {
    for app in TestApp::all().await {
        let world = world(&app).await;
        let db = &app.state.db;
        let now = Timestamp::now().0.to_string();
        for user in &world.users {
            let scope = &user.viewer.scope;
            let who = format!("{} {}", app.backend, user.name);
            let upcoming = oracle(
                db,
                &format!("SELECT x.id FROM appointments x WHERE {IN_SCOPE} AND x.shared_with_portal = 1 AND x.ends_at >= CAST($1 AS BIGINT) ORDER BY x.starts_at, x.id"),
                scope,
                &[&now],
            )
            .await;
            let past = oracle(
                db,
                &format!("SELECT x.id FROM appointments x WHERE {IN_SCOPE} AND x.shared_with_portal = 1 AND x.ends_at < CAST($1 AS BIGINT) ORDER BY x.starts_at DESC, x.id DESC"),
                scope,
                &[&now],
            )
            .await;
            assert!(upcoming.len() > 100 && past.len() > 100, "[{who}] the data set has both");
            assert_eq!(walk(&app, &user.token, "/portal/v1/appointments").await, upcoming, "[{who}] upcoming");
            assert_eq!(walk(&app, &user.token, "/portal/v1/appointments?when=past").await, past, "[{who}] past");
            let reports = oracle(
                db,
                &format!(
                    "SELECT x.id FROM visit_reports x WHERE {IN_SCOPE} AND x.status = 'published' ORDER BY x.id DESC"
                ),
                scope,
                &[],
            )
            .await;
            assert_eq!(walk(&app, &user.token, "/portal/v1/reports").await, reports, "[{who}] reports");
            let work = oracle(
                db,
                &format!("SELECT x.id FROM targets x WHERE {IN_SCOPE} AND x.status IN ('new', 'scheduled', 'in_progress', 'on_hold') ORDER BY x.id"),
                scope,
                &[],
            )
            .await;
            assert_eq!(walk(&app, &user.token, "/portal/v1/work").await, work, "[{who}] work");
            let follow_ups =
                oracle(db, &format!("SELECT x.id FROM follow_ups x WHERE {IN_SCOPE} ORDER BY x.id DESC"), scope, &[])
                    .await;
            assert_eq!(walk(&app, &user.token, "/portal/v1/follow-ups").await, follow_ups, "[{who}] follow-ups");
            let timeline = walk(&app, &user.token, "/portal/v1/timeline").await;
            assert_once(app.backend, "timeline", &timeline);
            let mut newest_first = timeline.clone();
            newest_first.sort_by(|a, b| b.cmp(a));
            assert_eq!(timeline, newest_first, "[{who}] timeline is newest first");
            assert!(timeline.len() > upcoming.len(), "[{who}] every shared visit has its milestone");

            // One location of the scope, and one outside it (which matches nothing).
            let location = match user.name {
                "mixed" => world.a_locations[3].clone(),
                _ => world.a_locations[0].clone(),
            };
            let at = walk(&app, &user.token, &format!("/portal/v1/appointments?location_id={location}")).await;
            let expected: Vec<String> = oracle(
                db,
                "SELECT x.id FROM appointments x WHERE x.location_id = $1 AND x.shared_with_portal = 1 AND x.ends_at >= CAST($2 AS BIGINT) ORDER BY x.starts_at, x.id",
                scope,
                &[&location, &now],
            )
            .await;
            assert_eq!(at, expected, "[{who}] upcoming at one location");
            let outside = if user.name == "whole" { world.b.clone() } else { world.a_locations[2].clone() };
            let none = walk(&app, &user.token, &format!("/portal/v1/appointments?location_id={outside}")).await;
            assert!(none.is_empty(), "[{who}] a location outside the scope shows nothing");
        }
    }
}

#[tokio::test]
async fn a_full_sync_yields_exactly_the_visible_set() {
    for app in TestApp::all().await {
        let world = world(&app).await;
        for user in &world.users {
            let who = format!("{} {}", app.backend, user.name);
            let mut synced: HashMap<String, Vec<String>> = HashMap::new();
            let mut cursor = String::new();
            let mut total = None;
            for page_number in 0.. {
                let (status, page) =
                    app.portal_get(&format!("/portal/v1/sync?limit=97&cursor={cursor}"), &user.token).await;
                assert_eq!(status, 200, "[{who}] {page}");
                if page_number == 0 {
                    total = page["total"].as_u64();
                } else {
                    assert!(page.get("total").is_none(), "[{who}] only the first page counts");
                }
                for change in page["changes"].as_array().unwrap() {
                    assert_eq!(change["op"], "upsert", "[{who}] a first sync only adds");
                    let kind = change["kind"].as_str().unwrap().to_string();
                    synced.entry(kind).or_default().push(change["item"]["id"].as_str().unwrap().to_string());
                }
                cursor = page["cursor"].as_str().unwrap().to_string();
                if page["more"] == Value::Bool(false) {
                    break;
                }
            }
            let received: usize = synced.values().map(Vec::len).sum();
            let total = total.expect("the first page says how much is coming") as usize;
            assert!(total >= received, "[{who}] total {total} bounds the {received} changes");
            for ids in synced.values() {
                assert_once(app.backend, "sync", ids);
            }
            let sorted = |mut ids: Vec<String>| {
                ids.sort();
                ids
            };
            let upcoming = walk(&app, &user.token, "/portal/v1/appointments").await;
            let past = walk(&app, &user.token, "/portal/v1/appointments?when=past").await;
            let appointments = sorted([upcoming, past].concat());
            assert_eq!(sorted(synced.remove("appointment").unwrap_or_default()), appointments, "[{who}] appointments");
            for (kind, path) in [
                ("report", "/portal/v1/reports"),
                ("work", "/portal/v1/work"),
                ("timeline", "/portal/v1/timeline"),
                ("follow_up", "/portal/v1/follow-ups"),
            ] {
                let listed = sorted(walk(&app, &user.token, path).await);
                assert_eq!(sorted(synced.remove(kind).unwrap_or_default()), listed, "[{who}] {kind}");
            }
            let (_, again) = app.portal_get(&format!("/portal/v1/sync?cursor={cursor}"), &user.token).await;
            assert_eq!(again["changes"], Value::Array(Vec::new()), "[{who}] nothing new");
            assert_eq!(again["cursor"].as_str(), Some(cursor.as_str()), "[{who}] an idle sync keeps its place");
        }
    }
}

/// Whether a SQLite `SCAN` step reads the rows an arm's sub-query returned (`s0`,
/// `u`, `(subquery-1)`) or the keys a merge kept (`k`), not a table.
fn merged_subquery(name: &str) -> bool {
    name.starts_with('s') && name[1..].chars().all(|c| c.is_ascii_digit())
        || name == "u"
        || name == "k"
        || name.starts_with("(subquery")
}

/// The plan must read rows from an index in the list's order: no full scan of a
/// table and no sort, except the merge of several arms' few rows at the top.
fn assert_indexed(backend: Backend, what: &str, plan: &[String], arms: usize) {
    let text = plan.join("\n");
    match backend {
        Backend::Sqlite => {
            for line in plan {
                let step = line.trim_start();
                let subquery = step.strip_prefix("SCAN ").is_some_and(merged_subquery);
                assert!(!step.starts_with("SCAN ") || subquery, "{what}: a full scan\n{text}");
                // Embedded lists (a report's attachments) included: the reader orders
                // those, so no sorter runs once per row.
                if step.contains("TEMP B-TREE") {
                    assert!(arms > 1 && sorts_a_subquery(plan, line), "{what}: a sort of table rows\n{text}");
                }
            }
        }
        Backend::Postgres => {
            assert!(!text.contains("Seq Scan"), "{what}: a full scan\n{text}");
            let sorts: Vec<usize> = plan
                .iter()
                .enumerate()
                .filter(|(_, line)| {
                    let step = line.trim_start().trim_start_matches("->  ");
                    step.starts_with("Sort  (") || step.starts_with("Incremental Sort")
                })
                .map(|(i, _)| i)
                .collect();
            assert!(sorts.is_empty() || (arms > 1 && sorts == [1]), "{what}: a sort below the top\n{text}");
        }
    }
}

/// Whether the sort step `line` of a SQLite plan sorts the few rows an arm's
/// sub-query returned (it follows the scan of that sub-query), for the merge.
fn sorts_a_subquery(plan: &[String], line: &String) -> bool {
    let depth = |l: &str| l.len() - l.trim_start().len();
    let at = plan.iter().position(|l| std::ptr::eq(l, line)).unwrap();
    let previous = plan[..at].iter().rev().find(|l| depth(l) <= depth(line));
    previous.is_some_and(|l| {
        depth(l) == depth(line)
            && l.trim_start().strip_prefix("SCAN ").is_some_and(|name| name == "u" || name.starts_with('s'))
    })
}

#[tokio::test]
async fn every_portal_list_and_sync_page_is_read_from_an_index_in_its_order() {
    for app in TestApp::all().await {
        let world = world(&app).await;
        let db = &app.state.db;
        for user in &world.users {
            let viewer = &user.viewer;
            let location = Some(world.a_locations[if user.name == "mixed" { 3 } else { 0 }].clone());
            let mut queries: Vec<(String, Ordered)> = Vec::new();
            for when in ["upcoming", "past"] {
                for (filter, location_id) in [("all", None), ("one location", location.clone())] {
                    for after in [None, Some("1795000000000_0190f7a0-0000-7000-8000-000000000000".to_string())] {
                        let query = AppointmentQuery {
                            when: Some(when.into()),
                            limit: None,
                            after: after.clone(),
                            location_id: location_id.clone(),
                        };
                        let what = format!("appointments {when} {filter} after {after:?}");
                        queries.push((what, projection::appointments::list_query(viewer, &query).unwrap()));
                    }
                }
            }
            for (filter, location_id) in [("all", None), ("one location", location.clone())] {
                for after in [None, Some("0190f7a0-0000-7000-8000-000000000000".to_string())] {
                    let page = || PortalPage { limit: None, after: after.clone(), location_id: location_id.clone() };
                    let what = |list: &str| format!("{list} {filter} after {after:?}");
                    queries.push((what("work"), projection::work::list_query(viewer, db.backend, &page()).unwrap()));
                    queries.push((what("timeline"), projection::timeline::list_query(viewer, &page()).unwrap()));
                    queries
                        .push((what("reports"), projection::reports::list_query(viewer, db.backend, &page()).unwrap()));
                    queries.push((what("follow-ups"), projection::follow_ups::list_query(viewer, &page()).unwrap()));
                    queries.push((what("requests"), projection::requests::list_query(viewer, &page()).unwrap()));
                }
            }
            let (parts, statements) = projection::sync::candidate_queries(viewer);
            for (what, query) in parts {
                // A granted location is read by its primary key: one row, nothing to order.
                if !what.starts_with("location") || viewer.scope.locations.is_empty() {
                    queries.push((format!("sync {what}"), query));
                }
            }
            for (what, query) in queries {
                let plan = query.plan(db).await.unwrap();
                let what = format!("[{} {}] {what}\n{}", app.backend, user.name, query.sql());
                assert_indexed(db.backend, &what, &plan, query.arms());
            }
            // A sync page's views are found by their ids, never by walking the scope.
            let ids =
                vec!["0190f7a0-0000-7000-8000-000000000001".to_string(), "0190f7a0-0000-7000-8000-000000000002".into()];
            for (table, select) in [
                ("appointments", projection::appointments::by_ids_query(viewer, &ids)),
                ("timeline_events", projection::timeline::by_ids_query(viewer, &ids)),
            ] {
                let plan = select.plan(db, "").await.unwrap().join("\n");
                let by_key = match db.backend {
                    Backend::Sqlite => plan.contains(&format!("sqlite_autoindex_{table}_1 (id=?)")),
                    // The key's index, whatever a rebuild of the table named it.
                    Backend::Postgres => plan.contains("Index Cond: (id = ANY"),
                };
                assert!(by_key, "[{} {}] {table} by ids\n{}\n{plan}", app.backend, user.name, select.sql(""));
            }
            // A sync page is one statement of all those parts: still no full scan.
            for statement in statements {
                let plan = statement.plan(db).await.unwrap().join("\n");
                let what = format!("[{} {}] sync page\n{}", app.backend, user.name, statement.sql());
                let full_scan = match db.backend {
                    Backend::Sqlite => {
                        plan.lines().any(|l| l.trim_start().strip_prefix("SCAN ").is_some_and(|n| !merged_subquery(n)))
                    }
                    Backend::Postgres => plan.contains("Seq Scan"),
                };
                assert!(!full_scan, "{what}: a full scan\n{plan}");
            }
        }
    }
}
