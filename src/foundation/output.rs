//! Writing the build's files: one writer thread, unchanged files hard-linked from the
//! previous output, and file names made from data checked before they are joined.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::fingerprint::Fingerprint;
use super::reuse::FileRecord;

/// Writes files on one thread of its own, fed by the render and bundle stages.
///
/// One writer, because threads creating files in the same directory only contend on
/// the directory's lock. A file whose bytes equal the same path in the previous output
/// is hard-linked from it instead: no new inode, which on ext4 without a journal is the
/// expensive part (it skips inodes deleted in the last seconds, one lookup each).
pub struct FileSink {
    sender: std::sync::mpsc::Sender<Job>,
    /// What is queued and not yet stored (see `QUEUE_BYTES`).
    queued: std::sync::Arc<Queued>,
    thread: std::thread::JoinHandle<Result<SinkStats>>,
    /// Files queued without a fingerprint: not on record for the next build.
    unrecorded: std::sync::atomic::AtomicUsize,
}

/// How much may wait for the writer, in bytes of pages plus `JOB_BYTES` a job. A link is
/// small, so a kind's many links queue up and are made while the next kind's script
/// runs on the other core; pages' bytes stay bounded.
const QUEUE_BYTES: usize = 8 << 20;
const JOB_BYTES: usize = 256;

#[derive(Default)]
struct Queued {
    bytes: std::sync::Mutex<usize>,
    drained: std::sync::Condvar,
}

/// What the writer is asked to do with one file.
enum Job {
    /// Store these bytes (linking the previous output's file when they are equal);
    /// with a fingerprint, record the file for the next build's reuse.
    Write { path: PathBuf, bytes: Vec<u8>, made_from: Option<Fingerprint> },
    /// Link the previous output's file, known unchanged by its fingerprint; with its
    /// record, when the caller has just checked it still describes `old`.
    Reuse { path: PathBuf, old: PathBuf, made_from: Fingerprint, known: Option<FileRecord> },
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SinkStats {
    pub written: usize,
    /// Files made again and found byte-equal to the previous output's, then linked.
    pub linked: usize,
    /// Files not made again: known unchanged by their fingerprint, and linked.
    pub reused: usize,
    /// Seconds the writer spent storing files (not waiting for them).
    pub busy_s: f64,
    /// What each fingerprinted file was made from, by path under the root, for the
    /// next build.
    #[serde(skip)]
    pub records: Vec<(String, FileRecord)>,
}

impl FileSink {
    /// Files go under `root`; `previous` is the output being replaced, if any.
    pub fn start(root: &Path, previous: Option<&Path>) -> FileSink {
        let (sender, receiver) = std::sync::mpsc::channel::<Job>();
        let queued = std::sync::Arc::new(Queued::default());
        let drained = queued.clone();
        let root = root.to_path_buf();
        let previous = previous.filter(|p| p.is_dir()).map(Path::to_path_buf);
        let thread = std::thread::spawn(move || {
            let mut stats = SinkStats::default();
            let mut failure = None;
            // Two pages claiming one file would silently lose one of them.
            let mut claimed = std::collections::HashSet::new();
            // Directories made for reused files (a kind linked whole has no render to make them).
            let mut made_dirs = std::collections::HashSet::new();
            for job in receiver {
                let _done = Dequeue(&drained, job.weight());
                let path = match &job {
                    Job::Write { path, .. } | Job::Reuse { path, .. } => path.clone(),
                };
                if failure.is_some() {
                    continue;
                }
                if !claimed.insert(path.clone()) {
                    failure = Some(anyhow::anyhow!("two files of the build claim {}", path.display()));
                    continue;
                }
                let started = std::time::Instant::now();
                let mut known = None;
                let done = match job {
                    Job::Write { path, bytes, made_from } => {
                        let old = previous.as_ref().and_then(|p| path.strip_prefix(&root).ok().map(|rel| p.join(rel)));
                        store(&path, &bytes, old.as_deref()).map(|linked| {
                            if linked {
                                stats.linked += 1;
                            } else {
                                stats.written += 1;
                            }
                            made_from
                        })
                    }
                    Job::Reuse { path, old, made_from, known: record } => link_reused(&path, &old, &mut made_dirs).map(|()| {
                        stats.reused += 1;
                        known = record.filter(|r| r.made_from == made_from);
                        Some(made_from)
                    }),
                };
                let recorded = done.and_then(|made_from| match (made_from, known) {
                    // A hard link is the old file: same inode, size and modification time.
                    (Some(_), Some(record)) => relative(&root, &path).map(|rel| stats.records.push((rel, record))),
                    (Some(print), None) => record(&root, &path, print).map(|r| stats.records.push(r)),
                    (None, _) => Ok(()),
                });
                stats.busy_s += started.elapsed().as_secs_f64();
                if let Err(e) = recorded {
                    failure = Some(e);
                }
            }
            failure.map_or(Ok(stats), Err)
        });
        FileSink { sender, queued, thread, unrecorded: std::sync::atomic::AtomicUsize::new(0) }
    }

    /// Queues a file; errors surface in `finish`.
    pub fn send(&self, path: PathBuf, bytes: Vec<u8>) -> Result<()> {
        self.unrecorded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.queue(Job::Write { path, bytes, made_from: None })
    }

    /// How many files were queued without a fingerprint so far.
    pub fn unrecorded(&self) -> usize {
        self.unrecorded.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Queues a file made from `made_from`, recorded for the next build.
    pub fn send_made(&self, path: PathBuf, bytes: Vec<u8>, made_from: Fingerprint) -> Result<()> {
        self.queue(Job::Write { path, bytes, made_from: Some(made_from) })
    }

    /// Queues a link to `old`, a previous file made from the same `made_from`.
    pub fn reuse(&self, path: PathBuf, old: PathBuf, made_from: Fingerprint) -> Result<()> {
        self.queue(Job::Reuse { path, old, made_from, known: None })
    }

    /// Queues a link to `old`, which `record` was just found to describe: the link is
    /// recorded with it rather than read back (one system call less per file).
    pub fn reuse_recorded(&self, path: PathBuf, old: PathBuf, record: FileRecord) -> Result<()> {
        self.queue(Job::Reuse { path, old, made_from: record.made_from, known: Some(record) })
    }

    /// Queues a job once there is room for it (a job alone always fits).
    fn queue(&self, job: Job) -> Result<()> {
        let weight = job.weight();
        let mut bytes = self.queued.bytes.lock().map_err(|_| anyhow::anyhow!("the file writer panicked"))?;
        while *bytes > 0 && *bytes + weight > QUEUE_BYTES {
            if self.thread.is_finished() {
                bail!("the file writer stopped");
            }
            let timeout = std::time::Duration::from_millis(100);
            bytes = self.queued.drained.wait_timeout(bytes, timeout).map_err(|_| anyhow::anyhow!("the file writer panicked"))?.0;
        }
        *bytes += weight;
        drop(bytes);
        self.sender.send(job).map_err(|_| anyhow::anyhow!("the file writer stopped"))
    }

    /// Waits for every queued file; the first error, if any.
    pub fn finish(self) -> Result<SinkStats> {
        drop(self.sender);
        self.thread.join().map_err(|_| anyhow::anyhow!("the file writer panicked"))?
    }
}

impl Job {
    fn weight(&self) -> usize {
        match self {
            Job::Write { bytes, .. } => JOB_BYTES + bytes.len(),
            Job::Reuse { .. } => JOB_BYTES,
        }
    }
}

/// Frees a job's room in the queue once the writer is done with it.
struct Dequeue<'a>(&'a Queued, usize);

impl Drop for Dequeue<'_> {
    fn drop(&mut self) {
        if let Ok(mut bytes) = self.0.bytes.lock() {
            *bytes = bytes.saturating_sub(self.1);
        }
        self.0.drained.notify_all();
    }
}

/// Hard-links a previous file into place, making its directory the first time.
fn link_reused(path: &Path, old: &Path, made_dirs: &mut std::collections::HashSet<PathBuf>) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !made_dirs.contains(*d)) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        made_dirs.insert(dir.to_path_buf());
    }
    std::fs::hard_link(old, path).with_context(|| format!("linking {} to {}", path.display(), old.display()))
}

/// Fills a directory made under a partial name beside `target`, then renames it over
/// `target`, replacing what was there: readers see the old directory or the whole new
/// one. On an error the partial directory is removed and `target` is left as it was.
pub async fn replace_dir_atomically(target: &Path, fill: impl AsyncFnOnce(&Path) -> Result<()>) -> Result<()> {
    let parent = target.parent().context("no parent directory")?;
    let name = target.file_name().context("no directory name")?.to_string_lossy();
    let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let made = async {
        fill(&partial).await?;
        if target.exists() {
            std::fs::remove_dir_all(target).with_context(|| format!("removing {}", target.display()))?;
        }
        std::fs::rename(&partial, target).with_context(|| format!("renaming {}", partial.display()))
    };
    let result = made.await;
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    result
}

/// Writes `path` whole or not at all: into a partial file beside it, synced, then
/// renamed over it. A crash leaves the old file or the new one.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>) -> Result<()> {
    let name = path.file_name().context("no file name")?.to_string_lossy();
    let partial = path.with_file_name(format!("{name}.partial-{}", std::process::id()));
    let mut writer = std::io::BufWriter::new(std::fs::File::create(&partial).with_context(|| format!("writing {}", partial.display()))?);
    write(&mut writer)?;
    writer.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, path).with_context(|| format!("renaming {}", partial.display()))
}

fn record(root: &Path, path: &Path, made_from: Fingerprint) -> Result<(String, FileRecord)> {
    let record = FileRecord::of(path, made_from).with_context(|| format!("reading back {}", path.display()))?;
    Ok((relative(root, path)?, record))
}

fn relative(root: &Path, path: &Path) -> Result<String> {
    let rel = path.strip_prefix(root).with_context(|| format!("{} is outside {}", path.display(), root.display()))?;
    Ok(rel.to_string_lossy().into_owned())
}

/// Links `path` to `old` when their bytes are equal, writes it otherwise; true if linked.
fn store(path: &Path, bytes: &[u8], old: Option<&Path>) -> Result<bool> {
    if let Some(old) = old {
        let same = std::fs::metadata(old).is_ok_and(|m| m.len() == bytes.len() as u64) && std::fs::read(old).is_ok_and(|b| b == bytes);
        if same && std::fs::hard_link(old, path).is_ok() {
            return Ok(true);
        }
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(false)
}

/// Joins a file name made from data onto a directory, refusing anything that could
/// leave it (separators, `..`, empty or hidden names).
pub fn safe_join(dir: &Path, name: &str) -> Result<PathBuf> {
    let ok = !name.is_empty() && !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        bail!("refusing unsafe file name {name:?}");
    }
    Ok(dir.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> crate::foundation::scratch::ScratchDir {
        crate::foundation::scratch::ScratchDir::new("output", name)
    }

    #[test]
    fn sink_links_unchanged_files_and_writes_the_rest() {
        let root = tmp("sink");
        let (old, new) = (root.join("old"), root.join("new"));
        std::fs::create_dir_all(&old).unwrap();
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(old.join("same.html"), "same").unwrap();
        std::fs::write(old.join("changed.html"), "before").unwrap();
        let sink = FileSink::start(&new, Some(&old));
        for (name, text) in [("same.html", "same"), ("changed.html", "after"), ("added.html", "new")] {
            sink.send(new.join(name), text.as_bytes().to_vec()).unwrap();
        }
        let stats = sink.finish().unwrap();
        assert_eq!((stats.linked, stats.written), (1, 2));
        use std::os::unix::fs::MetadataExt;
        assert_eq!(std::fs::metadata(new.join("same.html")).unwrap().ino(), std::fs::metadata(old.join("same.html")).unwrap().ino());
        assert_eq!(std::fs::read_to_string(new.join("changed.html")).unwrap(), "after");
        assert_eq!(std::fs::read_to_string(old.join("changed.html")).unwrap(), "before");
        assert_eq!(std::fs::read_to_string(new.join("added.html")).unwrap(), "new");
        let twice = FileSink::start(&new, None);
        twice.send(new.join("one.html"), b"a".to_vec()).unwrap();
        twice.send(new.join("one.html"), b"b".to_vec()).unwrap();
        assert!(twice.finish().unwrap_err().to_string().contains("two files of the build claim"));
        let failing = FileSink::start(&new, None);
        failing.send(new.join("missing-dir/x.html"), b"x".to_vec()).unwrap();
        assert!(failing.finish().unwrap_err().to_string().contains("missing-dir/x.html"));
    }

    #[test]
    fn unsafe_names_are_refused() {
        let dir = Path::new("/tmp/out");
        for bad in ["", "..", "../x", "a/b", ".hidden", "a\\b", "é"] {
            assert!(safe_join(dir, bad).is_err(), "{bad:?}");
        }
        assert_eq!(safe_join(dir, "movie-12.html").unwrap(), dir.join("movie-12.html"));
    }
}
