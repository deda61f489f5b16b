//! The server's layers, lowest first: each may use only itself and those below it,
//! plus the crate-wide `error` and `config` (see docs/architecture.md). Checked over
//! every `crate::` path in the source, so an upward import fails the build's tests.

use std::path::Path;

const LAYERS: &[&str] = &["domain", "storage", "records", "projection"];
const SHARED: &[&str] = &["error", "config"];

/// Every `crate::<module>` a source file names.
fn crate_modules(source: &str) -> Vec<String> {
    source
        .match_indices("crate::")
        .map(|(at, _)| {
            let rest = &source[at + "crate::".len()..];
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
        })
        .collect()
}

fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn imports_point_only_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut upward = Vec::new();
    for (level, layer) in LAYERS.iter().enumerate() {
        let mut files = Vec::new();
        sources(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "no sources under src/{layer}");
        for (file, text) in files {
            for module in crate_modules(&text) {
                let allowed = LAYERS[..=level].contains(&module.as_str()) || SHARED.contains(&module.as_str());
                if !allowed {
                    upward.push(format!("{file}: crate::{module}"));
                }
            }
        }
    }
    assert!(upward.is_empty(), "imports that point up:\n{}", upward.join("\n"));
}

#[test]
fn the_check_sees_paths_anywhere_in_a_line() {
    let modules = crate_modules("use crate::storage::Db;\n let x = crate::projection::sync::f(crate::error::E);");
    assert_eq!(modules, ["storage", "projection", "error"]);
}
