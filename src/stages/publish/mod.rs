//! Publish stage: everything is written into a staging directory beside the output,
//! checked, and swapped in with one atomic rename, so readers of output/ only ever see
//! a complete build (the previous one or the new one).

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

mod manifest;

pub use manifest::{Manifest, write_rejects, write_tables_and_manifest};

/// A directory being filled for publication.
pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
}

impl Staging {
    /// Creates `.<name>.staging-<pid>` beside the target, clearing leftovers of killed builds.
    pub fn create(target: &Path) -> Result<Staging> {
        let parent = parent_of(target);
        std::fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
        let name = target_name(target)?;
        remove_leftovers(&parent, &name);
        let dir = sibling(&parent, &name, STAGING, std::process::id());
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        // First, so that even a killed build's leftovers are recognisably marquee's.
        std::fs::write(dir.join(MARKER), MARKER_TEXT).with_context(|| format!("writing {}", dir.join(MARKER).display()))?;
        Ok(Staging { dir, target: target.to_path_buf() })
    }

    /// Swaps the staged tree in place of the target, then removes the old tree.
    /// The target is checked again: it may have changed while the build ran.
    pub fn publish(self, cleanup: Cleanup) -> Result<()> {
        if let Err(e) = check_replaceable(&self.target) {
            self.abandon();
            return Err(e);
        }
        if self.target.exists() {
            exchange(&self.dir, &self.target)?;
            // Renamed first so it never looks like an unfinished build.
            let old = sibling(&parent_of(&self.target), &target_name(&self.target)?, OLD, std::process::id());
            std::fs::rename(&self.dir, &old).with_context(|| format!("renaming {}", self.dir.display()))?;
            remove_old_tree(&old, cleanup)?;
        } else {
            std::fs::rename(&self.dir, &self.target)
                .with_context(|| format!("renaming {} to {}", self.dir.display(), self.target.display()))?;
        }
        Ok(())
    }

    /// Drops the staged tree (build failed).
    pub fn abandon(self) {
        let _ = remove_marked_tree(&self.dir);
    }
}

/// The file every published output holds, so that a later build knows the directory
/// is marquee's to replace. A directory without it is never replaced or deleted.
pub const MARKER: &str = ".marquee-output";
const MARKER_TEXT: &str = "This directory was published by marquee; the next `marquee build` replaces it whole.\n";

/// Whether `dir` is a directory marquee wrote: it holds the marker as a regular file,
/// or (outputs of marquee 0.1 builds before the marker) a manifest.json it generated.
fn is_marquee_tree(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file()) || has_marquee_manifest(dir)
}

fn has_marquee_manifest(dir: &Path) -> bool {
    published_manifest(dir).is_some_and(|m| m["generator"].as_str().is_some_and(|g| g.starts_with("marquee ")) && m["inputs"].is_object())
}

/// The manifest.json of an output directory, when it holds a readable one.
pub fn published_manifest(dir: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).ok()?).ok()
}

/// What a build may replace or delete: an empty directory, or one marquee wrote.
fn is_ours_to_replace(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none()) || is_marquee_tree(dir)
}

/// Refuses an output path whose replacement would destroy something marquee did not
/// write. Replaceable: a path that does not exist, an empty directory, or a directory
/// holding the marker of a previous build.
pub fn check_replaceable(target: &Path) -> Result<()> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => bail!("cannot inspect the output path {}: {e}", target.display()),
    };
    if meta.file_type().is_symlink() {
        bail!("refusing to publish to {}: it is a symbolic link; pass the directory itself as --out", target.display());
    }
    if !meta.is_dir() {
        bail!("refusing to publish to {}: it exists and is not a directory; marquee only replaces a directory it wrote", target.display());
    }
    if !is_ours_to_replace(target) {
        bail!(
            "refusing to publish to {}: the directory is not empty and was not written by marquee (it has no {MARKER} file). \
             A build replaces its output directory whole, so pass a new or empty directory as --out",
            target.display()
        );
    }
    Ok(())
}

/// Refuses an output that would swallow the input: publishing replaces the output
/// directory whole, and the data directory with it.
pub fn check_data_outside(target: &Path, data: &Path) -> Result<()> {
    let (Ok(target), Ok(data)) = (std::fs::canonicalize(target), std::fs::canonicalize(data)) else {
        return Ok(());
    };
    if data.starts_with(&target) {
        bail!("refusing to publish to {}: the data directory {} is inside it and would be deleted", target.display(), data.display());
    }
    Ok(())
}

/// How the previous output is removed once the new one is in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleanup {
    /// Before `publish` returns.
    Now,
    /// By a detached `marquee purge` process: on ext4, unlinking ~100k files of the
    /// previous site takes 4 to 25 s, and nobody needs to wait for it.
    Background,
}

fn remove_old_tree(old: &Path, cleanup: Cleanup) -> Result<()> {
    if cleanup == Cleanup::Background && spawn_purge(old).is_ok() {
        return Ok(());
    }
    remove_marked_tree(old).with_context(|| format!("removing the previous output, now at {}", old.display()))
}

/// Removes a tree marquee wrote with its marker last, so that a removal cut short (a
/// killed build or purge) leaves a tree still known to be marquee's, which the next
/// build removes; without the marker it would be left alone for good.
fn remove_marked_tree(dir: &Path) -> std::io::Result<()> {
    remove_all_but_marker(dir)?;
    std::fs::remove_dir_all(dir)
}

fn remove_all_but_marker(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        match entry.file_type()?.is_dir() {
            true => std::fs::remove_dir_all(entry.path())?,
            false => std::fs::remove_file(entry.path())?,
        }
    }
    Ok(())
}

fn spawn_purge(old: &Path) -> std::io::Result<()> {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe()?;
    let mut command = Command::new(exe);
    command.arg("purge").arg(old).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    // Its own session, so closing the terminal or a make job does not stop it halfway.
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    command.spawn().map(drop)
}

/// `marquee purge DIR`: removes a previous output tree left beside a target. Only
/// directories named like marquee's own leftovers are touched. The tree is first
/// renamed after this process, so later builds see that someone is deleting it.
pub fn purge(dir: &Path) -> Result<()> {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let Some((target, _)) = leftover_parts(name) else {
        bail!("{} is not a marquee staging or previous-output directory", dir.display());
    };
    if !is_ours_to_replace(dir) {
        bail!("{} has no {MARKER} file: not a tree marquee wrote, left alone", dir.display());
    }
    let mine = sibling(&parent_of(dir), target, OLD, std::process::id());
    std::fs::rename(dir, &mine).with_context(|| format!("renaming {}", dir.display()))?;
    remove_marked_tree(&mine).with_context(|| format!("removing {}", mine.display()))
}

/// The kinds of directory a build leaves beside its target: its staging tree, and the
/// previous output once swapped out.
const STAGING: &str = "staging";
const OLD: &str = "old";

/// `.NAME.KIND-PID` beside the target NAME.
fn sibling(parent: &Path, target_name: &str, kind: &str, pid: u32) -> PathBuf {
    parent.join(format!(".{target_name}.{kind}-{pid}"))
}

fn target_name(target: &Path) -> Result<String> {
    Ok(target.file_name().context("output path has no name")?.to_string_lossy().into_owned())
}

/// `.NAME.staging-PID` or `.NAME.old-PID` -> (NAME, PID).
fn leftover_parts(file_name: &str) -> Option<(&str, u32)> {
    let rest = file_name.strip_prefix('.')?;
    let (target, pid) = [STAGING, OLD].iter().find_map(|kind| rest.rsplit_once(&format!(".{kind}-")))?;
    Some((target, pid.parse().ok()?)).filter(|(t, _)| !t.is_empty())
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Staging trees of builds that were killed, and previous outputs whose purge was
/// killed; their pids are no longer running.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some((target, pid)) = leftover_parts(&file_name) else { continue };
        if target != name {
            continue;
        }
        let alive = Path::new(&format!("/proc/{pid}")).exists();
        if !alive && is_ours_to_replace(&entry.path()) {
            let _ = remove_marked_tree(&entry.path());
        }
    }
}

/// Atomically exchanges two paths (Linux renameat2 with RENAME_EXCHANGE).
fn exchange(a: &Path, b: &Path) -> Result<()> {
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; the call does not retain them.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        bail!("swapping {} into {}: {err}", a.display(), b.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> crate::foundation::scratch::ScratchDir {
        crate::foundation::scratch::ScratchDir::new("publish", name)
    }

    #[test]
    fn publish_replaces_the_whole_tree() {
        let root = tmp("swap");
        let target = root.join("output");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.txt"), "old").unwrap();
        std::fs::write(target.join(MARKER), MARKER_TEXT).unwrap();
        let staging = Staging::create(&target).unwrap();
        std::fs::write(staging.dir.join("new.txt"), "new").unwrap();
        staging.publish(Cleanup::Now).unwrap();
        assert!(target.join(MARKER).is_file(), "the new tree carries the marker");
        assert!(target.join("new.txt").exists());
        assert!(!target.join("old.txt").exists());
        let leftovers: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only output/ remains");
    }

    #[test]
    fn abandoned_staging_leaves_the_target_alone() {
        let root = tmp("abandon");
        let target = root.join("output");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.txt"), "old").unwrap();
        let staging = Staging::create(&target).unwrap();
        std::fs::write(staging.dir.join("half.txt"), "half").unwrap();
        staging.abandon();
        assert_eq!(std::fs::read_to_string(target.join("old.txt")).unwrap(), "old");
        assert_eq!(std::fs::read_dir(&root).unwrap().count(), 1);
    }

    /// A tree a build left beside the output, with a page and the marker saying it is
    /// marquee's.
    fn marked_leftover(root: &Path, name: &str) -> PathBuf {
        let old = root.join(name);
        std::fs::create_dir_all(old.join("movies")).unwrap();
        std::fs::write(old.join("movies/1.html"), "old").unwrap();
        std::fs::write(old.join(MARKER), MARKER_TEXT).unwrap();
        old
    }

    #[test]
    fn purge_removes_only_leftover_trees() {
        let root = tmp("purge");
        let old = marked_leftover(&root, ".output.staging-999999999");
        purge(&old).unwrap();
        assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0);
        let precious = root.join("output");
        std::fs::create_dir_all(&precious).unwrap();
        assert!(purge(&precious).is_err());
        assert!(purge(&root.join(".output.old-x")).is_err());
        assert!(precious.exists());
        // Named like a leftover, but not written by marquee: left alone.
        let lookalike = root.join(".output.old-999999998");
        std::fs::create_dir_all(&lookalike).unwrap();
        std::fs::write(lookalike.join("notes.txt"), "mine").unwrap();
        assert!(purge(&lookalike).unwrap_err().to_string().contains(MARKER));
        remove_leftovers(&root, "output");
        assert!(lookalike.join("notes.txt").exists());
        assert_eq!(leftover_parts(".out.put.old-12"), Some(("out.put", 12)));
        assert_eq!(leftover_parts(".staging-12"), None);
    }

    #[test]
    fn a_removal_cut_short_leaves_a_tree_the_next_build_removes() {
        let root = tmp("cut-short");
        let old = marked_leftover(&root, ".output.old-999999997");
        std::fs::write(old.join("manifest.json"), "{}").unwrap();
        // What a kill between the two steps of remove_marked_tree leaves.
        remove_all_but_marker(&old).unwrap();
        let left: Vec<_> = std::fs::read_dir(&old).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left, [MARKER], "everything else gone, the marker kept");
        remove_leftovers(&root, "output");
        assert!(!old.exists(), "still known to be marquee's, so removed");
    }

    #[test]
    fn only_absent_empty_or_marquee_directories_are_replaceable() {
        let root = tmp("replaceable");
        assert!(check_replaceable(&root.join("absent")).is_ok());
        let empty = root.join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        assert!(check_replaceable(&empty).is_ok());
        let users = root.join("users");
        std::fs::create_dir_all(&users).unwrap();
        std::fs::write(users.join("movies_metadata.csv"), "id\n1\n").unwrap();
        let err = check_replaceable(&users).unwrap_err().to_string();
        assert!(err.contains("not written by marquee") && err.contains("users"), "{err}");
        let file = root.join("somefile");
        std::fs::write(&file, "x").unwrap();
        assert!(check_replaceable(&file).unwrap_err().to_string().contains("not a directory"));
        let link = root.join("link");
        std::os::unix::fs::symlink(&empty, &link).unwrap();
        assert!(check_replaceable(&link).unwrap_err().to_string().contains("symbolic link"));
        let ours = root.join("ours");
        std::fs::create_dir_all(&ours).unwrap();
        std::fs::write(ours.join(MARKER), MARKER_TEXT).unwrap();
        assert!(check_replaceable(&ours).is_ok());
        let legacy = root.join("legacy");
        std::fs::create_dir_all(&legacy).unwrap();
        std::fs::write(legacy.join("manifest.json"), r#"{"generator": "marquee 0.1.0", "inputs": {}}"#).unwrap();
        assert!(check_replaceable(&legacy).is_ok());
        std::fs::write(users.join("manifest.json"), r#"{"generator": "other"}"#).unwrap();
        assert!(check_replaceable(&users).is_err());
    }

    #[test]
    fn a_target_that_changed_during_the_build_is_not_replaced() {
        let root = tmp("changed");
        let target = root.join("output");
        let staging = Staging::create(&target).unwrap();
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("precious.txt"), "mine").unwrap();
        assert!(staging.publish(Cleanup::Now).is_err());
        assert_eq!(std::fs::read_to_string(target.join("precious.txt")).unwrap(), "mine");
        assert_eq!(std::fs::read_dir(&root).unwrap().count(), 1, "staging removed");
    }

    #[test]
    fn data_inside_the_output_is_refused() {
        let root = tmp("inside");
        std::fs::create_dir_all(root.join("p/data")).unwrap();
        assert!(check_data_outside(&root.join("p"), &root.join("p")).is_err());
        assert!(check_data_outside(&root.join("p"), &root.join("p/data")).is_err());
        assert!(check_data_outside(&root.join("p/data"), &root.join("p")).is_ok());
        assert!(check_data_outside(&root.join("absent"), &root.join("p")).is_ok());
    }
}
