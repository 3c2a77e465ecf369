//! The recommender's neighbourhoods, kept beside the output for the next build: the
//! TF-IDF rows with each movie's nearest documents, and each part of the raters'
//! item-item neighbours. They are most of the stage's work (tokens, linfa's vocabulary,
//! the inverted index, item-item) and are made from the documents' text and the rater
//! lists alone, never from popularity or any other number of a movie: a rebuild after
//! one movie's popularity changed loads them and redoes only the ties broken by
//! popularity, the features, the training and the ranking.
//!
//! Each is one file in `<out>.cache/neighbourhoods/`, keyed by a fingerprint of the
//! program and exactly what it is made from, and ending with a checksum of all before
//! it. A file is trusted only when it reads back whole, its checksum agrees and its key
//! is the one wanted; anything else is made again and replaced (atomically).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};

use super::documents::MovieDoc;
use super::ratings::CoRated;
use super::tfidf::SparseRows;
use super::top_k::Neighbor;
use crate::foundation::fingerprint::{Fingerprint, Fingerprinter, program_fingerprint};
use crate::foundation::output::write_atomically;
use crate::settings::{Vocabulary, Weights};

/// The first bytes of every file: what it is and its format's version.
const MAGIC: &[u8; 16] = b"marquee nbhd 1\n\0";
const CONTENT: &str = "content.bin";
const CO_RATED: &str = "co_rated.bin";

/// Where the neighbourhoods of the output whose cache directory is `cache` are kept.
pub fn dir(cache: &Path) -> PathBuf {
    cache.join("neighbourhoods")
}

/// What looking for a kept result found.
#[derive(Debug)]
pub enum Kept<T> {
    Found(T),
    /// No file, or one made from other inputs: made anew, nothing to say.
    Missing,
    /// A file that did not read back whole: made anew, and the build says why.
    Distrusted(String),
}

/// The content side's rows and [`super::top_k::nearest`] lists.
pub type Content = (SparseRows, Vec<Vec<Neighbor>>);
/// The feature users' and every readable user's item-item neighbours.
pub type CoRatedLists = (Vec<Vec<CoRated>>, Vec<Vec<CoRated>>);

/// The content side reads each document's text fields (see `document_text`), the
/// weights, the vocabulary's bounds and the number of candidates; nothing else (ids and
/// popularity only break ties later).
pub fn content_key(docs: &[MovieDoc], weights: &Weights, vocab: &Vocabulary, candidates: usize) -> Result<Fingerprint> {
    let mut print = Fingerprinter::new("recommend content neighbourhoods");
    print.add_fingerprint(program_fingerprint().context("reading the program's own file")?);
    print.add_str(&format!("{weights:?} {vocab:?} {candidates}")).add_u64(docs.len() as u64);
    for d in docs {
        for text in [&d.overview, &d.tagline, &d.collection] {
            match text {
                Some(text) => print.add_u64(1).add_str(text),
                None => print.add_u64(0),
            };
        }
        for list in [&d.genres, &d.directors, &d.cast, &d.keywords] {
            print.add_u64(list.len() as u64);
            list.iter().for_each(|name| {
                print.add_str(name);
            });
        }
    }
    Ok(print.finish())
}

/// Item-item reads the feature users' and every readable user's rater lists, the
/// number of neighbours and the shrinkage; the label users' lists feed only training.
pub fn co_rated_key(feature: &[Vec<u32>], all: &[Vec<u32>], k: usize, shrink: f64) -> Result<Fingerprint> {
    let mut print = Fingerprinter::new("recommend co-rated neighbourhoods");
    print.add_fingerprint(program_fingerprint().context("reading the program's own file")?);
    print.add_u64(k as u64).add_u64(shrink.to_bits());
    for part in [feature, all] {
        print.add_u64(part.len() as u64);
        for list in part {
            print.add_u64(list.len() as u64);
            let bytes: Vec<u8> = list.iter().flat_map(|u| u.to_le_bytes()).collect();
            print.write_all(&bytes).expect("hashing cannot fail");
        }
    }
    Ok(print.finish())
}

pub fn load_content(dir: &Path, key: Fingerprint, rows: usize) -> Kept<Content> {
    load(&dir.join(CONTENT), key, |take| {
        let matrix = take.sparse_rows(rows)?;
        let nearest = take.lists(rows, |take| Ok(Neighbor { row: take.row(rows)?, score: f32::from_bits(take.u32()?) }))?;
        Ok((matrix, nearest))
    })
}

pub fn save_content(dir: &Path, key: Fingerprint, matrix: &SparseRows, nearest: &[Vec<Neighbor>]) -> Result<()> {
    let mut put = Put::default();
    put.sparse_rows(matrix);
    put.lists(nearest, |put, n| {
        put.u32(n.row);
        put.u32(n.score.to_bits());
    });
    save(&dir.join(CONTENT), key, put.0)
}

pub fn load_co_rated(dir: &Path, key: Fingerprint, rows: usize) -> Kept<CoRatedLists> {
    load(&dir.join(CO_RATED), key, |take| {
        let one = |take: &mut Take<'_>| -> Result<CoRated> {
            Ok(CoRated { row: take.row(rows)?, similarity: f64::from_bits(take.u64()?), co: take.u32()? })
        };
        Ok((take.lists(rows, one)?, take.lists(rows, one)?))
    })
}

pub fn save_co_rated(dir: &Path, key: Fingerprint, feature: &[Vec<CoRated>], all: &[Vec<CoRated>]) -> Result<()> {
    let mut put = Put::default();
    for part in [feature, all] {
        put.lists(part, |put, n| {
            put.u32(n.row);
            put.u64(n.similarity.to_bits());
            put.u32(n.co);
        });
    }
    save(&dir.join(CO_RATED), key, put.0)
}

/// The checksum of everything before it in a file.
fn checksum(body: &[u8]) -> u128 {
    Fingerprinter::new("recommend neighbourhoods file").add_bytes(body).finish().0
}

/// Writes `MAGIC`, the key, the payload and the checksum, whole or not at all.
fn save(path: &Path, key: Fingerprint, payload: Vec<u8>) -> Result<()> {
    let dir = path.parent().context("no directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut body = Vec::with_capacity(MAGIC.len() + 16 + payload.len() + 16);
    body.extend_from_slice(MAGIC);
    body.extend_from_slice(&key.0.to_le_bytes());
    body.extend_from_slice(&payload);
    drop(payload);
    let sum = checksum(&body);
    write_atomically(path, |w| Ok(w.write_all(&body).and_then(|()| w.write_all(&sum.to_le_bytes()))?))
        .with_context(|| format!("keeping {}", path.display()))
}

/// Reads a file written by [`save`] for `key`, its payload decoded by `decode`, which
/// must take it all.
fn load<T>(path: &Path, key: Fingerprint, decode: impl FnOnce(&mut Take<'_>) -> Result<T>) -> Kept<T> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Kept::Missing,
        Err(e) => return Kept::Distrusted(format!("{}: {e}; made again", path.display())),
    };
    let head = MAGIC.len() + 16;
    if bytes.len() >= head && bytes[..MAGIC.len()] == MAGIC[..] && bytes[MAGIC.len()..head] != key.0.to_le_bytes() {
        return Kept::Missing;
    }
    let checked = || -> Result<T> {
        ensure!(bytes.len() >= head + 16 && bytes[..MAGIC.len()] == MAGIC[..], "not a whole neighbourhoods file");
        let (body, sum) = bytes.split_at(bytes.len() - 16);
        ensure!(checksum(body).to_le_bytes() == sum, "checksum mismatch: the file was altered or cut short");
        let mut take = Take { bytes: &body[head..], at: 0 };
        let value = decode(&mut take)?;
        ensure!(take.at == take.bytes.len(), "{} bytes after the end", take.bytes.len() - take.at);
        Ok(value)
    };
    match checked() {
        Ok(value) => Kept::Found(value),
        Err(e) => Kept::Distrusted(format!("{}: {e:#}; made again", path.display())),
    }
}

/// A payload being written: little-endian numbers, lengths before lists.
#[derive(Default)]
struct Put(Vec<u8>);

impl Put {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn lists<T>(&mut self, lists: &[Vec<T>], mut each: impl FnMut(&mut Put, &T)) {
        self.u64(lists.len() as u64);
        for list in lists {
            self.u64(list.len() as u64);
            list.iter().for_each(|item| each(self, item));
        }
    }

    fn sparse_rows(&mut self, m: &SparseRows) {
        self.u64(m.n_cols as u64);
        self.u64(m.indptr.len() as u64);
        m.indptr.iter().for_each(|&p| self.u64(p as u64));
        self.u64(m.indices.len() as u64);
        m.indices.iter().for_each(|&t| self.u32(t));
        m.values.iter().for_each(|&v| self.u32(v.to_bits()));
        self.u64(m.vocabulary.len() as u64);
        for term in &m.vocabulary {
            self.u64(term.len() as u64);
            self.0.extend_from_slice(term.as_bytes());
        }
    }
}

/// A payload being read: every read checked against what is left, every list length
/// against the bytes it needs (a damaged length never allocates gigabytes), and every
/// row and column against the size it indexes, so a damaged file is an error, never a
/// panic or a wrong result later.
struct Take<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Take<'_> {
    fn bytes(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len()).context("cut short")?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.bytes(4)?.try_into()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.bytes(8)?.try_into()?))
    }

    /// A length of items of at least `item_bytes` each.
    fn len(&mut self, item_bytes: usize) -> Result<usize> {
        let n = usize::try_from(self.u64()?)?;
        ensure!(n.saturating_mul(item_bytes.max(1)) <= self.bytes.len() - self.at, "a length of {n} beyond the end");
        Ok(n)
    }

    /// A row index below `rows`.
    fn row(&mut self, rows: usize) -> Result<u32> {
        let row = self.u32()?;
        ensure!((row as usize) < rows, "row {row} of {rows}");
        Ok(row)
    }

    fn lists<T>(&mut self, rows: usize, mut each: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<Vec<T>>> {
        let n = self.len(8)?;
        ensure!(n == rows, "{n} lists for {rows} movies");
        let mut lists = Vec::with_capacity(n);
        for _ in 0..n {
            let len = self.len(4)?;
            let mut list = Vec::with_capacity(len);
            for _ in 0..len {
                list.push(each(self)?);
            }
            lists.push(list);
        }
        Ok(lists)
    }

    fn sparse_rows(&mut self, rows: usize) -> Result<SparseRows> {
        let n_cols = usize::try_from(self.u64()?)?;
        let n = self.len(8)?;
        ensure!(n == rows + 1, "{n} row starts for {rows} movies");
        let indptr = (0..n).map(|_| Ok(usize::try_from(self.u64()?)?)).collect::<Result<Vec<usize>>>()?;
        let nonzeros = self.len(8)?;
        let indices = (0..nonzeros).map(|_| self.u32()).collect::<Result<Vec<u32>>>()?;
        let values = (0..nonzeros).map(|_| Ok(f32::from_bits(self.u32()?))).collect::<Result<Vec<f32>>>()?;
        let terms = self.len(8)?;
        let vocabulary = (0..terms)
            .map(|_| {
                let len = self.len(1)?;
                Ok(std::str::from_utf8(self.bytes(len)?)?.to_owned())
            })
            .collect::<Result<Vec<String>>>()?;
        if indptr[0] != 0 || indptr.windows(2).any(|w| w[0] > w[1]) || indptr[rows] != nonzeros {
            bail!("row starts out of order");
        }
        ensure!(indices.iter().all(|&t| (t as usize) < n_cols) && vocabulary.len() == n_cols, "columns beyond the vocabulary");
        Ok(SparseRows { n_cols, indptr, indices, values, vocabulary })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("marquee-neighbourhoods-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn example() -> Content {
        let matrix = SparseRows {
            n_cols: 3,
            indptr: vec![0, 2, 3, 3],
            indices: vec![0, 2, 1],
            values: vec![0.6, 0.8, 1.0],
            vocabulary: vec!["a".into(), "bé".into(), "c".into()],
        };
        let nearest = vec![vec![Neighbor { row: 1, score: 0.25 }], vec![], vec![Neighbor { row: 0, score: f32::MIN_POSITIVE }]];
        (matrix, nearest)
    }

    #[test]
    fn a_kept_file_reads_back_bit_for_bit_and_only_for_its_key() {
        let dir = scratch("round-trip");
        let key = Fingerprinter::new("t").add_str("a").finish();
        let (matrix, nearest) = example();
        save_content(&dir, key, &matrix, &nearest).unwrap();
        let Kept::Found((m, n)) = load_content(&dir, key, 3) else { panic!("not found") };
        assert_eq!((m.n_cols, &m.indptr, &m.indices, &m.vocabulary), (3, &matrix.indptr, &matrix.indices, &matrix.vocabulary));
        assert_eq!(m.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), matrix.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        assert_eq!(n, nearest);
        let other = Fingerprinter::new("t").add_str("b").finish();
        assert!(matches!(load_content(&dir, other, 3), Kept::Missing), "made from other inputs");
        assert!(matches!(load_content(&dir, key, 4), Kept::Distrusted(_)), "for another number of movies");
        let co = vec![vec![CoRated { row: 2, similarity: 0.1 + 0.2, co: 7 }], vec![], vec![]];
        save_co_rated(&dir, key, &co, &co).unwrap();
        let Kept::Found((feature, all)) = load_co_rated(&dir, key, 3) else { panic!("not found") };
        assert_eq!((feature, all), (co.clone(), co));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_file_is_never_trusted_and_never_panics() {
        let dir = scratch("damaged");
        let key = Fingerprinter::new("t").finish();
        let (matrix, nearest) = example();
        save_content(&dir, key, &matrix, &nearest).unwrap();
        let path = dir.join(CONTENT);
        let whole = std::fs::read(&path).unwrap();
        // Cut short at every length, and every byte after the key flipped in turn.
        for len in 0..whole.len() {
            std::fs::write(&path, &whole[..len]).unwrap();
            assert!(!matches!(load_content(&dir, key, 3), Kept::Found(_)), "cut to {len} bytes");
        }
        for at in MAGIC.len() + 16..whole.len() {
            let mut flipped = whole.clone();
            flipped[at] ^= 0x40;
            std::fs::write(&path, &flipped).unwrap();
            let Kept::Distrusted(why) = load_content(&dir, key, 3) else { panic!("byte {at} flipped was trusted") };
            assert!(why.contains("checksum"), "{why}");
        }
        std::fs::write(&path, &whole).unwrap();
        assert!(matches!(load_content(&dir, key, 3), Kept::Found(_)), "the whole file still reads");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
