//! Every output file of Synergies (exports, the journal, reports, backups, data packages, the
//! IATI file) is written through this crate, whole or not at all.
//!
//! A file or directory is first written as a temporary with a unique name in the target's own
//! directory (so that the final rename never crosses a file system), named
//! `.synergies-tmp-PID-RANDOM-NAME`; [`AtomicFile::commit`] / [`AtomicDir::commit`] sync it and
//! rename it over the target. Every other way out (an error, a panic, dropping the writer)
//! removes the temporary. A process killed outright cannot clean up: the next time any
//! Synergies command writes into that directory, [`remove_stale`] deletes the temporaries whose
//! process is gone (never those of a run still alive, which may be writing right now).
//!
//! An interrupted run (Ctrl-C, SIGTERM) removes its temporaries too: the command line calls
//! [`remove_live`] from its signal handler before it exits.
//!
//! Two runs writing two targets, or the same target, never share a temporary: the one that
//! renames last wins, and each target is always one complete file.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The prefix of every temporary this program writes.
pub const PREFIX: &str = ".synergies-tmp-";

/// The temporaries this process is writing, for [`remove_live`].
static LIVE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|p| p.into_inner())
}

fn register(path: &Path) {
    live().push(path.to_path_buf());
}

fn unregister(path: &Path) {
    live().retain(|p| p != path);
}

/// Removes every temporary this process is still writing (files and directories): for a
/// process about to exit on a signal, which runs no destructor. Returns how many it removed.
pub fn remove_live() -> usize {
    let paths = std::mem::take(&mut *live());
    paths
        .iter()
        .filter(|p| {
            std::fs::remove_dir_all(p)
                .or_else(|_| std::fs::remove_file(p))
                .is_ok()
        })
        .count()
}

/// The directory a target lives in (`.` for a bare file name).
fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn name_of(target: &Path) -> io::Result<String> {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a file name", target.display()),
            )
        })
}

fn with_path(e: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{what} {}: {e}", path.display()))
}

/// The builder of this process's temporaries for `target`.
fn builder(name: &str) -> (String, String) {
    (
        format!("{PREFIX}{}-", std::process::id()),
        format!("-{name}"),
    )
}

/// Whether the process that wrote a temporary named `name` may still be running.
fn owner_alive(name: &str) -> bool {
    let Some(pid) = name
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse::<u32>().ok())
    else {
        // Not one of ours after all: leave it.
        return true;
    };
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    if proc.is_dir() {
        return proc.join(pid.to_string()).exists();
    }
    // Without /proc there is no portable way to ask: keep it (the safe side).
    true
}

/// Removes, in `dir`, the temporaries of Synergies runs that are gone (killed before they could
/// clean up). Returns how many it removed. Temporaries of live runs are left alone.
pub fn remove_stale(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(with_path(e, "cannot read", dir)),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with(PREFIX) || owner_alive(name) {
            continue;
        }
        let path = entry.path();
        let result = if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match result {
            Ok(()) => removed += 1,
            // Another run cleaned it first.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(with_path(e, "cannot remove", &path)),
        }
    }
    Ok(removed)
}

/// Makes what was renamed into `dir` durable (the directory entry itself).
fn sync_dir(dir: &Path) {
    // Not every platform can open a directory to sync it; the rename is atomic regardless.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A file being written: a temporary beside the target until [`AtomicFile::commit`] renames it
/// into place. Dropped before that, it removes the temporary.
pub struct AtomicFile {
    target: PathBuf,
    /// Present until committed.
    file: Option<BufWriter<tempfile::NamedTempFile>>,
}

impl AtomicFile {
    /// Starts writing `target`, after removing stale temporaries of its directory.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let dir = parent_of(target);
        let name = name_of(target)?;
        remove_stale(&dir)?;
        let (prefix, suffix) = builder(&name);
        let file = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(&suffix)
            .tempfile_in(&dir)
            .map_err(|e| with_path(e, "cannot create a file in", &dir))?;
        register(file.path());
        Ok(AtomicFile {
            target: target.to_path_buf(),
            file: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    fn writer(&mut self) -> &mut BufWriter<tempfile::NamedTempFile> {
        self.file.as_mut().expect("present until committed")
    }

    /// The temporary's path (for messages and tests).
    pub fn temporary(&self) -> &Path {
        self.file
            .as_ref()
            .expect("present until committed")
            .get_ref()
            .path()
    }

    /// Flushes, syncs and renames the file over the target.
    pub fn commit(mut self) -> io::Result<()> {
        let target = self.target.clone();
        let writer = self.file.take().expect("present until committed");
        let temporary = writer.get_ref().path().to_path_buf();
        // Whatever happens next, the temporary is renamed or removed (NamedTempFile's drop).
        unregister(&temporary);
        let file = writer
            .into_inner()
            .map_err(|e| with_path(e.into_error(), "cannot write", &target))?;
        file.as_file()
            .sync_all()
            .map_err(|e| with_path(e, "cannot write", &target))?;
        file.persist(&target)
            .map_err(|e| with_path(e.error, "cannot write", &target))?;
        sync_dir(&parent_of(&target));
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Not committed: NamedTempFile's own drop removes the file.
        if let Some(w) = &self.file {
            unregister(w.get_ref().path());
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer().write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer().write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer().flush()
    }
}

/// Writes `bytes` to `target` whole or not at all.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)?;
    f.commit()
}

/// Writes `target` through `write`, whole or not at all: when `write` fails, the target is
/// left as it was and the temporary removed.
pub fn write_with<E: From<io::Error>>(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    let mut f = AtomicFile::create(target)?;
    write(&mut f)?;
    f.commit()?;
    Ok(())
}

/// A directory being written: a temporary directory beside the target until
/// [`AtomicDir::commit`] renames it into place. Dropped before that, it is removed with what
/// it holds.
pub struct AtomicDir {
    target: PathBuf,
    dir: Option<tempfile::TempDir>,
}

impl AtomicDir {
    /// Starts writing the directory `target`, which must not exist or be empty; removes stale
    /// temporaries of its parent first.
    pub fn create(target: &Path) -> io::Result<AtomicDir> {
        let parent = parent_of(target);
        let name = name_of(target)?;
        remove_stale(&parent)?;
        let (prefix, suffix) = builder(&name);
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(&suffix)
            .tempdir_in(&parent)
            .map_err(|e| with_path(e, "cannot create a directory in", &parent))?;
        register(dir.path());
        Ok(AtomicDir {
            target: target.to_path_buf(),
            dir: Some(dir),
        })
    }

    /// The temporary directory to write into.
    pub fn path(&self) -> &Path {
        self.dir.as_ref().expect("present until committed").path()
    }

    /// Syncs what was written and renames the directory to the target (replacing an empty
    /// directory there; refusing one that is not empty).
    pub fn commit(mut self) -> io::Result<()> {
        let dir = self.dir.take().expect("present until committed");
        // Whatever happens next, the directory is renamed or removed.
        unregister(dir.path());
        for entry in std::fs::read_dir(dir.path())? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                File::open(entry.path())?.sync_all()?;
            }
        }
        if self.target.is_dir() {
            // An empty directory is replaced; one that is not makes remove_dir fail.
            std::fs::remove_dir(&self.target)
                .map_err(|e| with_path(e, "cannot replace", &self.target))?;
        }
        let temp = dir.keep();
        if let Err(e) = std::fs::rename(&temp, &self.target) {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(with_path(e, "cannot move into place", &self.target));
        }
        sync_dir(&parent_of(&self.target));
        Ok(())
    }
}

impl Drop for AtomicDir {
    fn drop(&mut self) {
        // Not committed: TempDir's own drop removes the directory.
        if let Some(d) = &self.dir {
            unregister(d.path());
        }
    }
}

/// Whether `name` is one of this program's temporaries.
pub fn is_temporary(name: &OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with(PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_file_is_written_whole_and_a_failure_leaves_the_target_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("report.csv");
        write_atomically(&target, b"first").unwrap();
        let failed: Result<(), io::Error> = write_with(&target, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("the export failed"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        assert_eq!(names(tmp.path()), vec!["report.csv"]);
    }

    #[test]
    fn two_targets_of_the_same_stem_get_different_temporaries() {
        let tmp = tempfile::tempdir().unwrap();
        let mut csv = AtomicFile::create(&tmp.path().join("report.csv")).unwrap();
        let mut json = AtomicFile::create(&tmp.path().join("report.json")).unwrap();
        assert_ne!(csv.temporary(), json.temporary());
        csv.write_all(b"a,b\n").unwrap();
        json.write_all(b"{}\n").unwrap();
        json.commit().unwrap();
        csv.commit().unwrap();
        assert_eq!(
            std::fs::read(tmp.path().join("report.csv")).unwrap(),
            b"a,b\n"
        );
        assert_eq!(
            std::fs::read(tmp.path().join("report.json")).unwrap(),
            b"{}\n"
        );
        assert_eq!(names(tmp.path()), vec!["report.csv", "report.json"]);
    }

    #[test]
    fn stale_temporaries_of_dead_runs_are_removed_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let live = AtomicFile::create(&tmp.path().join("live.csv")).unwrap();
        // A process that has exited: its id is free (or reused by a process of another name,
        // which keeps the temporary: the safe side).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let dead_file = format!("{PREFIX}{dead}-abc-out.csv");
        let dead_dir = format!("{PREFIX}{dead}-abc-pkg");
        std::fs::write(tmp.path().join(&dead_file), b"half").unwrap();
        std::fs::create_dir(tmp.path().join(&dead_dir)).unwrap();
        std::fs::write(tmp.path().join(&dead_dir).join("x.csv"), b"half").unwrap();
        let other = "notes.txt";
        std::fs::write(tmp.path().join(other), b"mine").unwrap();
        let removed = remove_stale(tmp.path()).unwrap();
        let left = names(tmp.path());
        if Path::new("/proc").join(dead.to_string()).exists() {
            return; // the id was reused at once: nothing to conclude
        }
        assert_eq!(removed, 2, "{left:?}");
        assert!(left.contains(&other.to_string()));
        assert!(
            left.iter().any(|n| live.temporary().ends_with(n)),
            "{left:?}"
        );
        assert!(!left.contains(&dead_file) && !left.contains(&dead_dir));
    }

    #[test]
    fn a_directory_appears_whole_or_not_at_all() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("pkg");
        {
            let d = AtomicDir::create(&target).unwrap();
            std::fs::write(d.path().join("a.csv"), b"x").unwrap();
            // Dropped: nothing left.
        }
        assert!(names(tmp.path()).is_empty());
        std::fs::create_dir(&target).unwrap();
        let d = AtomicDir::create(&target).unwrap();
        std::fs::write(d.path().join("a.csv"), b"x").unwrap();
        d.commit().unwrap();
        assert_eq!(names(tmp.path()), vec!["pkg"]);
        assert_eq!(names(&target), vec!["a.csv"]);
        let d = AtomicDir::create(&target).unwrap();
        assert!(
            d.commit().is_err(),
            "a directory that is not empty is not replaced"
        );
        assert_eq!(names(tmp.path()), vec!["pkg"]);
    }
}
