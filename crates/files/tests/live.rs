//! `remove_live`, alone in its process (it removes every temporary the process is writing).

use std::path::Path;

use synergies_files::{remove_live, AtomicDir, AtomicFile};

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn live_temporaries_are_removed_on_demand_and_forgotten_once_done() {
    let tmp = tempfile::tempdir().unwrap();
    let file = AtomicFile::create(&tmp.path().join("a.csv")).unwrap();
    let dir = AtomicDir::create(&tmp.path().join("pkg")).unwrap();
    std::fs::write(dir.path().join("x.csv"), b"x").unwrap();
    let done = AtomicFile::create(&tmp.path().join("b.csv")).unwrap();
    done.commit().unwrap();
    assert_eq!(names(tmp.path()).len(), 3, "two temporaries beside b.csv");
    assert_eq!(remove_live(), 2);
    assert_eq!(names(tmp.path()), vec!["b.csv"]);
    // Dropping the writers afterwards is harmless; nothing is left to remove.
    drop(file);
    drop(dir);
    assert_eq!(remove_live(), 0);
    assert_eq!(names(tmp.path()), vec!["b.csv"]);
}
