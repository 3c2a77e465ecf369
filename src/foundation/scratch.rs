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
