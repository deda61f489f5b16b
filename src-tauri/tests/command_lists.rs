//! One desktop command is named in four places Rust cannot check against each other:
//! build.rs (the permissions it generates), the capability that allows them, the
//! handler list in lib.rs and the UI's `invoke` calls. This fails when they disagree,
//! naming what is missing where. (The UI's Backend interface keeps tauri-backend.ts
//! and the test fake in line through TypeScript.)

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no `{start}`")) + start.len();
    let to = text[from..].find(end).unwrap_or_else(|| panic!("no `{end}` after `{start}`")) + from;
    &text[from..to]
}

/// Every `"…"` string in `text`.
fn quoted(text: &str) -> BTreeSet<String> {
    text.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

fn build_rs() -> BTreeSet<String> {
    quoted(between(&read("build.rs"), "const COMMANDS: &[&str] = &[", "];"))
}

fn capability() -> BTreeSet<String> {
    let capability: serde_json::Value = serde_json::from_str(&read("capabilities/default.json")).unwrap();
    capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|name| name.replace('-', "_"))
        .collect()
}

fn handler() -> BTreeSet<String> {
    between(&read("src/lib.rs"), "generate_handler![", "]")
        .split(',')
        .filter_map(|path| path.trim().rsplit("::").next())
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

fn ui_invokes() -> BTreeSet<String> {
    read("../ui/src/lib/tauri-backend.ts")
        .split("invoke('")
        .skip(1)
        .filter_map(|rest| rest.split('\'').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_is_declared_allowed_handled_and_called_by_the_same_name() {
    let declared = build_rs();
    assert!(declared.len() > 20, "{declared:?}");
    for (place, names) in [
        ("capabilities/default.json", capability()),
        ("the handler list in src/lib.rs", handler()),
        ("ui/src/lib/tauri-backend.ts", ui_invokes()),
    ] {
        let missing: Vec<_> = declared.difference(&names).collect();
        let unknown: Vec<_> = names.difference(&declared).collect();
        assert!(missing.is_empty(), "declared in build.rs but not in {place}: {missing:?}");
        assert!(unknown.is_empty(), "in {place} but not declared in build.rs: {unknown:?}");
    }
}
