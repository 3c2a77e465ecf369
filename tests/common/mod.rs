//! What several integration tests share: the bundled sample and output trees as bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn sample() -> PathBuf {
    marquee::foundation::scratch::source_dir().join("data/sample")
}

/// Every file under `dir`, with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Two output trees hold the same files with the same bytes; names the first that differs.
pub fn assert_same_trees(a: &Path, b: &Path) -> usize {
    let (ta, tb) = (tree(a), tree(b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>(), "the same files");
    for (path, bytes) in &ta {
        assert!(bytes == &tb[path], "{} differs", path.display());
    }
    ta.len()
}

/// A copy of the sample's CSV files in `dir/name`, to change or damage.
pub fn sample_copy_in(dir: &Path, name: &str) -> PathBuf {
    let data = dir.join(name);
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir(sample()).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "csv") {
            std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
        }
    }
    data
}
