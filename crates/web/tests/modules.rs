//! The web crate's modules form no circle: each API resource module (`src/api/*.rs`) and each
//! page module (`src/pages/*.rs`) uses only its face's `common` module and the modules both
//! faces share (`auth`, `cooperation`, `error`, `reports`, `state`, `views`), never another
//! resource module nor the other face; the shared modules use neither face.

use std::path::{Path, PathBuf};

/// The source of a file without its comments (which may name any module in their links).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The resource modules of a face: its files but `mod.rs` and `common.rs`.
fn resources(face: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(src().join(face))
        .expect("the face's directory")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|s| s != "mod" && s != "common")
        .collect();
    out.sort();
    out
}

#[test]
fn no_module_uses_a_sibling_resource_or_the_other_face() {
    let mut problems = vec![];
    for (face, other) in [("api", "pages"), ("pages", "api")] {
        let modules = resources(face);
        assert!(modules.len() >= 10, "the {face} modules: {modules:?}");
        for (module, file) in modules
            .iter()
            .map(|m| (m.clone(), format!("{face}/{m}.rs")))
            .chain([("common".to_string(), format!("{face}/common.rs"))])
        {
            let text = code(&src().join(&file));
            for sibling in modules.iter().filter(|s| **s != module) {
                for used in [
                    format!("super::{sibling}"),
                    format!("crate::{face}::{sibling}"),
                ] {
                    if text.contains(&used) {
                        problems.push(format!("{file} uses {used}"));
                    }
                }
            }
            if text.contains(&format!("crate::{other}")) {
                problems.push(format!("{file} uses crate::{other}"));
            }
        }
    }
    for shared in ["auth", "cooperation", "error", "reports", "state", "views"] {
        let text = code(&src().join(format!("{shared}.rs")));
        for face in ["api", "pages"] {
            if text.contains(&format!("crate::{face}")) {
                problems.push(format!("{shared}.rs uses crate::{face}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "modules that make a circle:\n{}",
        problems.join("\n")
    );
}
