//! Publishing desktop releases (`release publish`, through its function and the real
//! binary) refuses bad input by argument and writes nothing; the "Desktop releases"
//! admin page is for admins, audits its changes, and counts the app versions in use.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use ordinavo_server::error::AppError;
use ordinavo_server::records::releases;
use ordinavo_server::storage::blobs::orphans;
use ordinavo_server::updates::publish;

use crate::admin_support::{Browser, ADMIN, DISPATCHER};
use crate::support::{TestApp, NORTHWIND_ALL, PORTAL_PASSWORD};
use crate::updates::{input, signature};

/// What publishing left in the database and the blob store.
async fn written(app: &TestApp) -> (i64, i64, i64, usize) {
    let blob_files = walk(&app.state.config.data_dir);
    (
        app.count("desktop_releases").await,
        app.count("desktop_release_files").await,
        app.count("stored_blobs").await,
        blob_files,
    )
}

fn walk(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| if e.path().is_dir() { walk(&e.path()) } else { usize::from(!e.path().ends_with("test.db")) })
        .sum()
}

#[tokio::test]
async fn bad_publish_arguments_name_the_argument_and_write_nothing() {
    for app in TestApp::all().await {
        let dir = tempfile::tempdir().unwrap();
        let good = || input(dir.path(), "1.4.0", "stable", 25);
        let before = written(&app).await;
        let cases: Vec<(&str, publish::PublishInput)> = vec![
            ("--version", publish::PublishInput { version: "v1.4".into(), ..good() }),
            ("--rollout", publish::PublishInput { rollout: 101, ..good() }),
            ("--rollout", publish::PublishInput { rollout: -1, ..good() }),
            ("--channel", publish::PublishInput { channel: "nightly".into(), ..good() }),
            ("--file", publish::PublishInput { file: dir.path().join("missing.deb"), ..good() }),
            ("--file", publish::PublishInput { file: dir.path().to_path_buf(), ..good() }),
            ("--signature", publish::PublishInput { signature: "not a signature".into(), ..good() }),
            ("--notes", publish::PublishInput { notes: "  ".into(), ..good() }),
            ("--bundle", publish::PublishInput { bundle: "appimage".into(), ..good() }),
            ("--target", publish::PublishInput { target: "solaris".into(), ..good() }),
        ];
        for (argument, bad) in cases {
            match publish::publish(&app.state, bad).await {
                Err(AppError::Invalid { fields, .. }) => {
                    assert!(fields.contains_key(argument), "[{}] {argument}: {fields:?}", app.backend)
                }
                other => panic!("[{}] {argument}: {other:?}", app.backend),
            }
            assert_eq!(written(&app).await, before, "[{}] {argument}: nothing written", app.backend);
        }

        let sig_file = dir.path().join("package.deb.sig");
        std::fs::write(&sig_file, signature("1.4.0")).unwrap();
        let from_file = publish::PublishInput { signature: sig_file.to_string_lossy().into(), ..good() };
        assert!(publish::publish(&app.state, from_file).await.unwrap().new_release, "a .sig file is read");
        let after = written(&app).await;
        match publish::publish(&app.state, good()).await {
            Err(AppError::Invalid { fields, .. }) => {
                assert!(fields["--version"].contains("already has a deb"), "{fields:?}")
            }
            other => panic!("[{}] duplicate: {other:?}", app.backend),
        }
        let other_notes = publish::PublishInput { bundle: "rpm".into(), notes: "Different".into(), ..good() };
        assert!(matches!(publish::publish(&app.state, other_notes).await, Err(AppError::Invalid { .. })));
        assert_eq!(written(&app).await, after, "[{}] the duplicates wrote nothing", app.backend);

        let rpm = publish::publish(&app.state, publish::PublishInput { bundle: "rpm".into(), ..good() }).await.unwrap();
        assert!(!rpm.new_release, "a further package joins the release");
        assert_eq!((app.count("desktop_releases").await, app.count("desktop_release_files").await), (1, 2));
    }
}

#[tokio::test]
async fn the_release_publish_command_names_the_bad_argument() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let package = dir.path().join("ordinavo.deb");
    std::fs::write(&package, b"a package").unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ordinavo-server"))
            .args(["release", "publish", "--version", "1.4.0", "--notes", "Faster sync"])
            .args(["--file", package.to_str().unwrap(), "--signature", &signature("1.4.0")])
            .args(args)
            .env("ORDINAVO_DATA_DIR", &data)
            .env_remove("ORDINAVO_DATABASE_URL")
            .env_remove("ORDINAVO_BLOB_STORE")
            .output()
            .unwrap()
    };
    let bad = run(&["--rollout", "150"]);
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("--rollout must be a whole number from 0 to 100"), "{stderr}");

    let good = run(&["--rollout", "25"]);
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    assert!(String::from_utf8_lossy(&good.stdout).contains("release 1.4.0 published for linux-x86_64 deb"));
    let again = run(&[]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("--version 1.4.0 already has a deb package"));
}

#[tokio::test]
async fn the_releases_page_is_for_admins_and_its_changes_are_audited() {
    for app in TestApp::all_with_demo().await {
        let published = crate::updates::publish(&app, "1.4.0", "stable", 25).await;
        let dispatcher = Browser::sign_in(&app, DISPATCHER).await;
        assert_eq!(dispatcher.get("/admin/releases").await.status, StatusCode::FORBIDDEN, "[{}]", app.backend);
        let path = format!("/admin/releases/{}/rollout", published.release_id);
        assert_eq!(dispatcher.post(&path, &[("rollout_percent", "100")]).await.status, StatusCode::FORBIDDEN);
        assert!(!dispatcher.get("/admin/").await.body.contains("/admin/releases"), "no menu entry for dispatchers");

        let admin = Browser::sign_in(&app, ADMIN).await;
        let page = admin.get("/admin/releases").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for text in
            ["1.4.0", "What is new in 1.4.0", "linux-x86_64 deb", "value=\"25\"", "Stable", "Northwind Properties"]
        {
            assert!(page.body.contains(text), "[{}] {text}: {}", app.backend, page.body);
        }
        admin.act("/admin/language", &[("language", "ar")]).await;
        let arabic = admin.get("/admin/releases").await;
        assert!(arabic.body.contains("إصدارات تطبيق سطح المكتب") && arabic.body.contains("dir=\"rtl\""));
        admin.act("/admin/language", &[("language", "en")]).await;

        let refused = admin.post(&path, &[("rollout_percent", "150")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Enter a whole number from 0 to 100.") && refused.body.contains("value=\"150\""));
        assert_eq!(admin.act(&path, &[("rollout_percent", "60")]).await, "/admin/releases?done=saved");
        let pause = format!("/admin/releases/{}/pause", published.release_id);
        admin.act(&pause, &[("paused", "true")]).await;
        assert!(admin.get("/admin/releases").await.body.contains("Paused"));
        admin.act(&pause, &[("paused", "false")]).await;
        let customer = app.id_of("SELECT id FROM customers WHERE name = 'Northwind Properties'").await;
        admin.act(&format!("/admin/customers/{customer}/desktop-beta"), &[("allowed", "true")]).await;
        assert!(releases::beta_allowed(&app.state.db, &[customer]).await.unwrap());

        let (rollout, paused): (i64, i64) = sqlx::query_as("SELECT rollout_percent, paused FROM desktop_releases")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!((rollout, paused), (60, 0));
        let audited: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT action, actor_label, details FROM audit_log
             WHERE action LIKE 'release.%' OR action = 'customer.desktop_beta' ORDER BY occurred_at, id",
        )
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
        let actions: Vec<&str> = audited.iter().map(|(a, _, _)| a.as_str()).collect();
        assert_eq!(
            actions,
            ["release.publish", "release.rollout", "release.pause", "release.resume", "customer.desktop_beta"]
        );
        assert_eq!(audited[1].1, ADMIN);
        assert!(audited[1].2.contains("\"from\":25") && audited[1].2.contains("\"to\":60"), "{}", audited[1].2);
    }
}

#[tokio::test]
async fn versions_in_use_count_the_sessions_that_sent_their_version() {
    for app in TestApp::all_with_demo().await {
        for agent in ["Ordinavo desktop/1.3.0", "Ordinavo desktop/1.3.0", "Ordinavo desktop/1.4.0", "curl/8.5"] {
            let request = Request::post("/portal/v1/session")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::USER_AGENT, agent)
                .body(Body::from(
                    serde_json::json!({ "email": NORTHWIND_ALL, "password": PORTAL_PASSWORD }).to_string(),
                ))
                .unwrap();
            let (status, body) = app.send(request).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let versions = releases::versions_in_use(&app.state.db).await.unwrap();
        assert_eq!(versions, [("1.3.0".to_string(), 2), ("1.4.0".to_string(), 1)], "[{}]", app.backend);

        sqlx::query("UPDATE portal_sessions SET revoked_at = 1 WHERE client_version = '1.4.0'")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let page = Browser::sign_in(&app, ADMIN).await.get("/admin/releases").await;
        let table = page.body.split("id=\"s-versions\"").nth(1).unwrap();
        assert!(table.contains("<bdi dir=\"ltr\">1.3.0</bdi></th><td>2</td>"), "[{}] {table}", app.backend);
        assert!(!table.split("id=\"s-beta\"").next().unwrap().contains("1.4.0"), "a revoked session is not in use");
    }
}

#[tokio::test]
async fn orphan_collection_keeps_release_packages() {
    for app in TestApp::all().await {
        let published = crate::updates::publish(&app, "1.4.0", "stable", 100).await;
        let cutoff = ordinavo_server::storage::now_ms() + 1_000;
        orphans::collect(&app.state.db, app.state.blobs.as_ref(), cutoff).await.unwrap();
        let (status, bytes) =
            app.portal(Method::GET, &format!("/updates/files/{}", published.file_id), None, None).await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.backend);
        assert_eq!(bytes, crate::updates::package("1.4.0"), "[{}]", app.backend);
    }
}
