//! Scratch directories for tests and tools: made empty under the system's temporary
//! directory, removed when dropped, and kept when dropped by a panic, so that a failed
//! test leaves its files to look at while passing runs leave nothing behind.

use std::path::{Path, PathBuf};

/// An empty directory `marquee-<kind>-<pid>-<name>` under the temporary directory.
#[derive(Debug)]
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn new(kind: &str, name: &str) -> ScratchDir {
        let dir = std::env::temp_dir().join(format!("marquee-{kind}-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        ScratchDir(dir)
    }
}

/// The source tree the tests run from, as cargo says when it runs them. Read at run
/// time, not compiled in: clones sharing one target directory (CI's and a working
/// copy) share test binaries that are unchanged between them, and a path compiled in
/// would point into the clone that built them, perhaps deleted since.
pub fn source_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// A directory for what the tests of one test binary share through a static,
/// `marquee-<kind>-<pid>` under the temporary directory. Statics are never dropped, so
/// it cannot remove itself when the run ends: each run removes instead the ones left by
/// runs whose process has ended.
pub fn shared_dir(kind: &str) -> PathBuf {
    let prefix = format!("marquee-{kind}-");
    remove_left_by_ended_runs(&prefix);
    let dir = std::env::temp_dir().join(format!("{prefix}{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

/// Removes `<prefix><pid>` directories of processes that no longer run.
fn remove_left_by_ended_runs(prefix: &str) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name.to_str().and_then(|n| n.strip_prefix(prefix)).and_then(|rest| rest.parse::<u32>().ok());
        if pid.is_some_and(|pid| pid != std::process::id() && has_ended(pid)) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether no process `pid` runs; on a system without /proc, nothing is known to have
/// ended, so nothing is removed.
fn has_ended(pid: u32) -> bool {
    let proc = Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

impl std::ops::Deref for ScratchDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for ScratchDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_dirs_of_ended_runs_are_removed_and_live_ones_kept() {
        let temp = std::env::temp_dir();
        // pid_max is at most 2^22 on Linux: this pid never runs.
        let ended = temp.join("marquee-scratch-shared-4294967295");
        let live = temp.join("marquee-scratch-shared-1");
        let other = temp.join("marquee-scratch-shared-1-named");
        for dir in [&ended, &live, &other] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let mine = shared_dir("scratch-shared");
        assert_eq!(mine, temp.join(format!("marquee-scratch-shared-{}", std::process::id())));
        assert!(mine.is_dir());
        assert!(!ended.exists(), "left by a run that ended");
        assert!(live.exists(), "pid 1 runs");
        assert!(other.exists(), "not a shared directory's name");
        for dir in [&live, &other, &mine] {
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn removed_when_dropped_and_kept_after_a_panic() {
        let dir = ScratchDir::new("scratch", "dropped");
        std::fs::write(dir.join("f"), b"x").unwrap();
        let path = dir.to_path_buf();
        drop(dir);
        assert!(!path.exists());
        let kept = std::thread::spawn(|| {
            let dir = ScratchDir::new("scratch", "panicked");
            let path = dir.to_path_buf();
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _dir = dir;
                panic!("a failing test");
            }));
            path
        })
        .join()
        .unwrap();
        assert!(kept.is_dir(), "a failed test's files stay");
        std::fs::remove_dir_all(kept).unwrap();
    }
}
