//! The installed desktop app updates itself (issue 13): version N installed from its
//! .deb with `dpkg -i`, N+1 published on the server at 100 %, the user accepts the
//! offer in Settings, and the package manager installs N+1; the app restarts into it
//! still signed in. A tampered update is refused and N+1 goes on running. Both
//! packages come from `scripts/package.sh test` (make test runs it first).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ordinavo_e2e::desktop::{app_env, click, go, sign_in, wait_text};
use ordinavo_e2e::webdriver::WebDriver;
use ordinavo_e2e::{test_package, Server};

const PACKAGE: &str = "ordinavo-customer-portal";
const INSTALLED: &str = "/usr/bin/ordinavo-desktop";
const CONTACT: &str = "site.manager@northwind.example";
const PASSWORD: &str = "portal-demo-2026";

fn deb_version(deb: &Path) -> String {
    let out = Command::new("dpkg-deb").args(["-f"]).arg(deb).arg("Version").output().expect("dpkg-deb");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The installed version as dpkg reports it, if the package is installed.
fn installed_version() -> Option<String> {
    let out = Command::new("dpkg-query").args(["-W", "-f=${Status} ${Version}", PACKAGE]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.strip_prefix("install ok installed ").map(str::to_string)
}

/// The processes running the installed binary; with `replaced`, also those running
/// one that an install has since replaced (`/usr/bin/ordinavo-desktop (deleted)`).
fn installed_processes(replaced: bool) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let exe = std::fs::read_link(entry.path().join("exe")).ok()?;
            let exe = exe.to_string_lossy();
            (exe == INSTALLED || (replaced && exe.starts_with(INSTALLED))).then_some(pid)
        })
        .collect()
}

async fn wait_until<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Publishes `deb` as `version` with `signature` (the .sig's text) at 100 %.
fn publish(server: &Server, version: &str, deb: &Path, signature: &str) {
    let out = server.cli(&[
        "release",
        "publish",
        "--version",
        version,
        "--file",
        &deb.to_string_lossy(),
        "--signature",
        signature,
        "--notes",
        &format!("Version {version}: faster sync"),
        "--rollout",
        "100",
    ]);
    assert!(out.status.success(), "publish {version}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Opens Settings, checks for updates and waits for the offer of `version`.
async fn offered(app: &WebDriver, version: &str) {
    go(app, "settings").await;
    click(app, "[aria-labelledby=s-about] button").await;
    wait_text(app, "[data-testid=update-offer]", version).await;
}

#[tokio::test]
async fn the_installed_app_updates_itself_and_refuses_a_tampered_update() {
    assert_eq!(
        std::env::var("ORDINAVO_DESKTOP_SESSION").as_deref(),
        Ok("ready"),
        "needs a display, D-Bus, a keyring and dunst: run through scripts/desktop-session.sh (as `make test` does)"
    );
    let _turn = ordinavo_e2e::desktop::one_app_at_a_time().await;
    let (current, next) = (test_package("current"), test_package("next"));
    let (n, n1) = (deb_version(&current), deb_version(&next));
    assert_ne!(n, n1);
    let status = Command::new("dpkg").arg("-i").arg(&current).status().expect("dpkg");
    assert!(status.success(), "dpkg -i {}", current.display());
    assert_eq!(installed_version().as_deref(), Some(n.as_str()), "version N installed");

    let dir = tempfile::tempdir().unwrap();
    let env = vec![("ORDINAVO_DATA_DIR".to_string(), dir.path().join("server").to_string_lossy().to_string())];
    let server = Server::start(&env, &["--demo"]);
    let signature = std::fs::read_to_string(next.with_extension("deb.sig")).unwrap();
    publish(&server, &n1, &next, &signature);

    // The installed app, signed in, takes the offer: it downloads, verifies, installs
    // through the package manager and restarts into N+1.
    let home = dir.path().join("home");
    let app_env = app_env(&home);
    let app = WebDriver::tauri(Path::new(INSTALLED), &app_env).await.expect("the installed app starts");
    sign_in(&app, &server.base_url, CONTACT, PASSWORD).await;
    // Signing in checks at once: Settings shows the offer without being asked.
    go(&app, "settings").await;
    wait_text(&app, "[data-testid=update-offer]", &n1).await;
    wait_text(&app, "[data-testid=update-notes]", "faster sync").await;
    click(&app, "[data-testid=install-update]").await;
    wait_until("dpkg to report N+1", Duration::from_secs(120), || installed_version().filter(|v| *v == n1).map(drop))
        .await;
    // The app it restarted into runs the new binary; end it, as the user closing it would.
    let relaunched = wait_until("the app to restart into the new binary", Duration::from_secs(60), || {
        let running = installed_processes(false);
        (!running.is_empty()).then_some(running)
    })
    .await;
    let _ = app.quit().await;
    for pid in relaunched {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
    wait_until("the relaunched app to end", Duration::from_secs(30), || {
        installed_processes(true).is_empty().then_some(())
    })
    .await;

    // Started again: N+1, still signed in (the keyring kept the session, the disk the cache).
    let app = WebDriver::tauri(Path::new(INSTALLED), &app_env).await.expect("the updated app starts");
    app.wait_for_element("nav a[data-screen=home]").await;
    go(&app, "settings").await;
    wait_text(&app, "[data-testid=app-version]", &n1).await;

    // A tampered N+2 is refused with a clear message; N+1 stays installed and running.
    let n2 = {
        let mut parts: Vec<u64> = n1.split('.').map(|p| p.parse().unwrap()).collect();
        parts[2] += 1;
        format!("{}.{}.{}", parts[0], parts[1], parts[2])
    };
    // The package of N+1 with another package's signature: what an attacker who swapped
    // the file or its signature in transit would serve.
    let foreign = std::fs::read_to_string(current.with_extension("deb.sig")).unwrap();
    publish(&server, &n2, &next, &foreign);
    offered(&app, &n2).await;
    click(&app, "[data-testid=install-update]").await;
    wait_text(&app, "[data-testid=update-failure]", "not signed by Ordinavo").await;
    assert_eq!(installed_version().as_deref(), Some(n1.as_str()), "nothing installed");
    wait_text(&app, "[data-testid=app-version]", &n1).await;
    app.quit().await.unwrap();

    let status = Command::new("dpkg").args(["-r", PACKAGE]).status().expect("dpkg -r");
    assert!(status.success(), "the package removes cleanly");
}
