//! The desktop app's .deb as `dpkg` reads it (issue 13): control data with the
//! workspace's version and the runtime dependencies a fresh Debian needs, the binary
//! (marked as installed from a deb, so the updater installs updates with dpkg), the icons,
//! and a desktop entry that registers the `ordinavo://` scheme. `scripts/package.sh test`
//! (run by `make test` before `cargo test`) builds the package from the debug app the tests
//! run; `make package` builds the same from the release app.

use std::path::{Path, PathBuf};
use std::process::Command;

use ordinavo_e2e::test_package;

/// The package of the current version that `scripts/package.sh test` built.
fn current_package() -> PathBuf {
    test_package("current")
}

fn dpkg_deb(args: &[&str], deb: &Path) -> String {
    let out = Command::new("dpkg-deb").args(args).arg(deb).output().expect("dpkg-deb");
    assert!(out.status.success(), "dpkg-deb {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn field(deb: &Path, name: &str) -> String {
    dpkg_deb(&["-f"], deb)
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}: ")).map(str::to_string))
        .unwrap_or_else(|| panic!("{} has no {name} field", deb.display()))
}

/// The paths the package installs, as `./usr/…` (names may hold spaces; the bundler
/// writes them with or without the leading `./`).
fn contents(deb: &Path) -> Vec<String> {
    dpkg_deb(&["-c"], deb)
        .lines()
        .map(|line| line.split_whitespace().skip(5).collect::<Vec<_>>().join(" "))
        .filter(|path| !path.is_empty())
        .map(|path| format!("./{}", path.trim_start_matches("./")))
        .collect()
}

/// One file of the package, unpacked.
fn unpacked(deb: &Path, path: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    assert!(Command::new("dpkg-deb").arg("-x").arg(deb).arg(dir.path()).status().unwrap().success());
    std::fs::read(dir.path().join(path.trim_start_matches("./"))).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_control_data_names_the_workspace_version_and_the_runtime_dependencies() {
    let deb = current_package();
    assert_eq!(field(&deb, "Package"), "ordinavo-customer-portal");
    assert_eq!(field(&deb, "Version"), env!("CARGO_PKG_VERSION"), "the workspace's version");
    assert_eq!(field(&deb, "Architecture"), "amd64");
    let depends: Vec<String> = field(&deb, "Depends").split(", ").map(str::to_string).collect();
    for wanted in [
        "libwebkit2gtk-4.1-0",
        "libgtk-3-0",
        "libayatana-appindicator3-1",
        "default-dbus-session-bus | dbus-session-bus",
        "gnome-keyring | libkf5wallet-bin | keepassxc",
        "notification-daemon",
    ] {
        assert!(depends.iter().any(|d| d == wanted), "Depends lacks `{wanted}`: {depends:?}");
    }
    let signature = deb.with_extension("deb.sig");
    assert!(std::fs::metadata(&signature).is_ok_and(|m| m.len() > 0), "{} is missing", signature.display());
}

#[test]
fn the_package_installs_the_binary_marked_as_a_deb_and_the_icons() {
    let deb = current_package();
    let files = contents(&deb);
    let binary = "./usr/bin/ordinavo-desktop";
    assert!(files.iter().any(|f| f == binary), "no {binary} in {files:?}");
    for icon in ["32x32/apps", "128x128/apps", "256x256@2/apps"] {
        let wanted = format!("./usr/share/icons/hicolor/{icon}/ordinavo-desktop.png");
        assert!(files.contains(&wanted), "no {wanted} in {files:?}");
    }
    // The bundler marks the binary as installed from a deb: the updater then installs
    // an update with dpkg and asks the server for the deb.
    let bytes = unpacked(&deb, binary);
    let marked = |mark: &[u8]| bytes.windows(mark.len()).any(|w| w == mark);
    assert!(marked(b"__TAURI_BUNDLE_TYPE_VAR_DEB"), "the binary is not marked as a deb");
    assert!(!marked(b"__TAURI_BUNDLE_TYPE_VAR_UNK"), "the bundle type is still unknown");
}

#[test]
fn the_desktop_entry_registers_the_ordinavo_scheme_and_passes_the_link() {
    let deb = current_package();
    let files = contents(&deb);
    let entries: Vec<&String> =
        files.iter().filter(|f| f.starts_with("./usr/share/applications/") && f.ends_with(".desktop")).collect();
    assert_eq!(entries.len(), 1, "one desktop entry: {files:?}");
    let entry = String::from_utf8(unpacked(&deb, entries[0])).unwrap();
    let lines: Vec<&str> = entry.lines().collect();
    assert!(lines.contains(&"[Desktop Entry]"), "{entry}");
    assert!(lines.contains(&"Name=Ordinavo Customer Portal"), "{entry}");
    assert!(lines.contains(&"Icon=ordinavo-desktop"), "{entry}");
    let mime = lines.iter().find_map(|l| l.strip_prefix("MimeType=")).unwrap_or_else(|| panic!("no MimeType: {entry}"));
    assert!(mime.split(';').any(|m| m == "x-scheme-handler/ordinavo"), "{entry}");
    let exec = lines.iter().find_map(|l| l.strip_prefix("Exec=")).unwrap_or_else(|| panic!("no Exec: {entry}"));
    let words: Vec<&str> = exec.split_whitespace().collect();
    assert_eq!(words.last(), Some(&"%u"), "the link reaches the app: {entry}");
    assert!(
        files.iter().any(|f| f.strip_prefix("./usr/bin/") == Some(words[0].trim_start_matches("/usr/bin/"))),
        "Exec names the installed binary: {entry}"
    );
}
