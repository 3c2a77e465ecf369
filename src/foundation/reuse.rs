//! What a rebuild may reuse from the output it replaces: for every file the previous
//! build made from a known fingerprint (a page: its template and context), the
//! fingerprint and the file's identity (inode, size, modification time) as published.
//!
//! The record lives in a cache directory beside the output, never inside it. It is only
//! trusted when it reads back whole (its last line counts and checksums the rest), and
//! each file only when the published file is still the very one recorded: a file
//! edited, replaced or removed since, or a record left from another build, is made anew.

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::fingerprint::{Fingerprint, Fingerprinter};
use super::output::write_atomically;

/// The file log's name in the cache directory, and its first line (format version).
const LOG_NAME: &str = "files.tsv";
const LOG_HEADER: &str = "marquee file log 1";

/// One published file: what it was made from and which file it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRecord {
    pub made_from: Fingerprint,
    pub inode: u64,
    pub size: u64,
    pub mtime_ns: i64,
}

impl FileRecord {
    /// The record of the file at `path`, made from `made_from`.
    pub fn of(path: &Path, made_from: Fingerprint) -> std::io::Result<FileRecord> {
        let meta = std::fs::symlink_metadata(path)?;
        Ok(FileRecord { made_from, inode: meta.ino(), size: meta.len(), mtime_ns: mtime_ns(&meta) })
    }

    /// Whether `path` is still the file this record describes.
    fn still_describes(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path)
            .is_ok_and(|m| m.is_file() && m.ino() == self.inode && m.len() == self.size && mtime_ns(&m) == self.mtime_ns)
    }
}

fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.mtime().saturating_mul(1_000_000_000).saturating_add(meta.mtime_nsec())
}

/// The cache directory of an output: `<out>.cache` beside it.
pub fn cache_dir(out: &Path) -> PathBuf {
    let name = out.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parent.join(format!("{name}.cache"))
}

/// The files of the previous output that may be reused, by path relative to it.
#[derive(Debug, Default)]
pub struct FileLog {
    pub files: HashMap<String, FileRecord>,
}

/// Why the previous build's log was not used, when there was one.
pub type Distrust = Option<String>;

impl FileLog {
    /// Reads the log in `cache`; an absent log is an empty one, and so is a damaged one
    /// (with the reason, for the build report).
    pub fn read(cache: &Path) -> (FileLog, Distrust) {
        let path = cache.join(LOG_NAME);
        match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (FileLog::default(), None),
            Err(e) => (FileLog::default(), Some(format!("{}: {e}", path.display()))),
            Ok(text) => match FileLog::parse(&text) {
                Ok(log) => (log, None),
                Err(e) => (FileLog::default(), Some(format!("{}: {e:#}; nothing reused", path.display()))),
            },
        }
    }

    fn parse(text: &str) -> Result<FileLog> {
        let body_end = text.trim_end_matches('\n').rfind('\n').context("no end line: the log was cut short")? + 1;
        let (body, end) = text.split_at(body_end);
        let mut end_fields = end.trim_end_matches('\n').split('\t');
        let (Some("end"), Some(count), Some(sum), None) = (end_fields.next(), end_fields.next(), end_fields.next(), end_fields.next())
        else {
            bail!("no end line: the log was cut short");
        };
        if checksum(body).to_string() != sum {
            bail!("checksum mismatch: the log was altered or cut short");
        }
        let mut lines = body.lines();
        if lines.next() != Some(LOG_HEADER) {
            bail!("not a marquee file log of this version");
        }
        let mut files = HashMap::new();
        for (n, line) in lines.enumerate() {
            let record = parse_record(line).with_context(|| format!("line {}", n + 2))?;
            files.insert(record.0, record.1);
        }
        if count.parse::<usize>().ok() != Some(files.len()) {
            bail!("the end line counts {count} files, the log has {}", files.len());
        }
        Ok(FileLog { files })
    }

    /// The previous file at `rel` under `previous_out`, when it was made from exactly
    /// `made_from` and is still the file that build published.
    pub fn reusable(&self, previous_out: &Path, rel: &str, made_from: Fingerprint) -> Option<(PathBuf, u64)> {
        self.reusable_record(previous_out, rel, made_from).map(|(path, record)| (path, record.size))
    }

    /// Like `reusable`, with the file's record: a hard link to the file is that very
    /// file, so the record also describes the link (no need to read it back).
    pub fn reusable_record(&self, previous_out: &Path, rel: &str, made_from: Fingerprint) -> Option<(PathBuf, FileRecord)> {
        let record = self.files.get(rel)?;
        if record.made_from != made_from {
            return None;
        }
        let path = previous_out.join(rel);
        record.still_describes(&path).then_some((path, *record))
    }

    /// Writes the log of a published output into `cache`, atomically (a crash leaves the
    /// old log or the new one, and either is safe: see the module's comment).
    pub fn write(cache: &Path, files: &[(String, FileRecord)]) -> Result<()> {
        std::fs::create_dir_all(cache).with_context(|| format!("creating {}", cache.display()))?;
        let mut sorted: Vec<&(String, FileRecord)> = files.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut body = format!("{LOG_HEADER}\n");
        for (rel, r) in sorted {
            if rel.contains(['\t', '\n']) {
                bail!("file log: unexpected name {rel:?}");
            }
            body += &format!("{rel}\t{}\t{}\t{}\t{}\n", r.made_from, r.inode, r.size, r.mtime_ns);
        }
        let end = format!("end\t{}\t{}\n", files.len(), checksum(&body));
        write_atomically(&cache.join(LOG_NAME), |w| Ok(w.write_all(body.as_bytes()).and_then(|()| w.write_all(end.as_bytes()))?))
    }
}

fn checksum(body: &str) -> Fingerprint {
    Fingerprinter::new("file log").add_str(body).finish()
}

fn parse_record(line: &str) -> Result<(String, FileRecord)> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [rel, made_from, inode, size, mtime_ns] = fields[..] else { bail!("expected 5 fields, found {}", fields.len()) };
    Ok((
        rel.to_string(),
        FileRecord {
            made_from: made_from.parse().context("fingerprint")?,
            inode: inode.parse().context("inode")?,
            size: size.parse().context("size")?,
            mtime_ns: mtime_ns.parse().context("mtime")?,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> crate::foundation::scratch::ScratchDir {
        crate::foundation::scratch::ScratchDir::new("reuse", name)
    }

    #[test]
    fn a_log_reads_back_and_trusts_only_the_recorded_file() {
        let dir = tmp("log");
        let (out, cache) = (dir.join("out"), dir.join("out.cache"));
        assert_eq!(cache_dir(&out), cache);
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("a.html"), "aaa").unwrap();
        std::fs::write(out.join("b.html"), "bbb").unwrap();
        let print = Fingerprinter::new("t").add_str("a").finish();
        let other = Fingerprinter::new("t").add_str("b").finish();
        let records = vec![
            ("a.html".to_string(), FileRecord::of(&out.join("a.html"), print).unwrap()),
            ("b.html".into(), FileRecord::of(&out.join("b.html"), other).unwrap()),
        ];
        FileLog::write(&cache, &records).unwrap();
        let (log, distrust) = FileLog::read(&cache);
        assert_eq!(distrust, None);
        assert_eq!(log.files.len(), 2);
        assert_eq!(log.reusable(&out, "a.html", print), Some((out.join("a.html"), 3)));
        assert_eq!(log.reusable(&out, "a.html", other), None, "made from something else");
        assert_eq!(log.reusable(&out, "c.html", print), None, "not in the log");
        // Replaced since (same size, new inode): not the recorded file any more.
        std::fs::remove_file(out.join("b.html")).unwrap();
        std::fs::write(out.join("b.html"), "BBB").unwrap();
        assert_eq!(log.reusable(&out, "b.html", other), None);
        std::fs::remove_file(out.join("a.html")).unwrap();
        assert_eq!(log.reusable(&out, "a.html", print), None, "removed");
    }

    #[test]
    fn a_damaged_log_is_not_trusted() {
        let dir = tmp("damaged");
        let print = Fingerprinter::new("t").finish();
        std::fs::write(dir.join("x"), "x").unwrap();
        FileLog::write(&dir, &[("x".to_string(), FileRecord::of(&dir.join("x"), print).unwrap())]).unwrap();
        let good = std::fs::read_to_string(dir.join(LOG_NAME)).unwrap();
        let cut = &good[..good.len() - 10];
        let altered = good.replacen("x\t", "y\t", 1);
        for (what, text) in
            [("cut short", cut.to_string()), ("altered", altered), ("empty", String::new()), ("garbage", "\u{0}\u{1}".into())]
        {
            std::fs::write(dir.join(LOG_NAME), &text).unwrap();
            let (log, distrust) = FileLog::read(&dir);
            assert!(log.files.is_empty(), "{what}");
            assert!(distrust.is_some(), "{what}");
        }
        std::fs::remove_file(dir.join(LOG_NAME)).unwrap();
        assert_eq!(FileLog::read(&dir).1, None, "no log is no distrust");
    }
}
