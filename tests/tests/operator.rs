//! An operator's first steps with the real binary: start with demo data, create an
//! API key with the CLI, list customers, create a location, upload an attachment,
//! restart without duplicating the demo — on SQLite and on PostgreSQL.

use ordinavo_e2e::{environments, Server};
use serde_json::{json, Value};

#[tokio::test]
async fn demo_server_serves_the_integration_api_with_a_cli_created_key() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, env) in environments(dir.path()) {
        let server = Server::start(&env, &["--demo"]);
        let http = reqwest::Client::new();
        let base = server.base_url.clone();

        let spec: Value = http.get(format!("{base}/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
        assert_eq!(spec["info"]["title"], "Ordinavo integration API", "[{backend}]");

        let created = server.cli(&["api-key", "create", "--name", "erp-sync"]);
        assert!(created.status.success(), "[{backend}] {}", String::from_utf8_lossy(&created.stderr));
        let key = String::from_utf8(created.stdout).unwrap().trim().to_string();
        assert!(key.starts_with("ordk_"), "[{backend}] the key is printed once on stdout");

        let unauthorized = http.get(format!("{base}/api/v1/customers")).send().await.unwrap();
        assert_eq!(unauthorized.status(), 401);
        let customers: Value =
            http.get(format!("{base}/api/v1/customers")).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
        let names: Vec<&str> =
            customers["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Northwind Properties", "Contoso Retail"], "[{backend}]");
        let northwind = customers["items"][0]["id"].as_str().unwrap();

        let response = http
            .post(format!("{base}/api/v1/locations"))
            .bearer_auth(&key)
            .json(&json!({ "customer_id": northwind, "name": "Northwind Depot Sharjah", "address_line": "Industrial Area 6",
                           "city": "Sharjah", "country_code": "AE", "time_zone": "Asia/Dubai" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "[{backend}]");
        let location: Value = response.json().await.unwrap();
        let target: Value = http
            .post(format!("{base}/api/v1/targets"))
            .bearer_auth(&key)
            .json(&json!({ "location_id": location["id"], "title": "Generator inspection" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();

        let form = reqwest::multipart::Form::new()
            .text("owner_kind", "target")
            .text("owner_id", target["id"].as_str().unwrap().to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec())
                    .file_name("generator.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            );
        let response =
            http.post(format!("{base}/api/v1/attachments")).bearer_auth(&key).multipart(form).send().await.unwrap();
        assert_eq!(response.status(), 201, "[{backend}]");
        let attachment: Value = response.json().await.unwrap();
        let bytes = http
            .get(format!("{base}/api/v1/attachments/{}/content", attachment["id"].as_str().unwrap()))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(&bytes[..], b"%PDF-1.4\n%%EOF\n");

        let revoked = server.cli(&["api-key", "revoke", "erp-sync"]);
        assert!(revoked.status.success());
        let after = http.get(format!("{base}/api/v1/customers")).bearer_auth(&key).send().await.unwrap();
        assert_eq!(after.status(), 401, "[{backend}] a revoked key stops working at once");

        // A second start with --demo seeds nothing again.
        let env =
            server.env.iter().filter(|(k, _)| k != "ORDINAVO_BIND" && k != "ORDINAVO_LOG").cloned().collect::<Vec<_>>();
        server.stop();
        let again = Server::start(&env, &["--demo"]);
        let key =
            String::from_utf8(again.cli(&["api-key", "create", "--name", "check"]).stdout).unwrap().trim().to_string();
        let customers: Value = http
            .get(format!("{}/api/v1/customers", again.base_url))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(customers["items"].as_array().unwrap().len(), 2, "[{backend}] no duplicate demo data");
    }
}

#[test]
fn bad_configuration_is_named() {
    let binary = ordinavo_e2e::server_binary();
    let output = std::process::Command::new(&binary)
        .arg("migrate")
        .env("ORDINAVO_DATABASE_URL", "postgres://app:secret@127.0.0.1:1/ordinavo")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("127.0.0.1:1"), "names the host: {message}");
    assert!(!message.contains("secret"), "never prints the password: {message}");

    let output =
        std::process::Command::new(&binary).arg("migrate").env("ORDINAVO_BIND", "everywhere").output().unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("ORDINAVO_BIND"));

    for (store, named) in
        [("disk", "ORDINAVO_BLOB_STORE"), ("s3://files?endpoint=http://127.0.0.1:1", "AWS_ACCESS_KEY_ID")]
    {
        let output = std::process::Command::new(&binary)
            .arg("serve")
            .env("ORDINAVO_BLOB_STORE", store)
            .env_remove("AWS_ACCESS_KEY_ID")
            .output()
            .unwrap();
        assert!(!output.status.success(), "{store}: the server does not start");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.contains(named), "{store}: names {named}: {message}");
    }
}

#[test]
fn staff_add_reads_the_password_from_stdin_and_enforces_the_rules() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let binary = ordinavo_e2e::server_binary();
    let add = |password: &str| {
        let mut child = std::process::Command::new(&binary)
            .args([
                "staff",
                "add",
                "--email",
                "dispatch@ordinavo.example",
                "--name",
                "Yusuf Haddad",
                "--role",
                "dispatcher",
            ])
            .env("ORDINAVO_DATA_DIR", dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let short = add("short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let ok = add("a long dispatch passphrase");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let again = add("a long dispatch passphrase");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}
