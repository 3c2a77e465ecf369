//! Word indexes read while typing: the site's search (search/) and the questions page's
//! suggestions (api/suggest/). templates/static/marquee.js reads them; this file says
//! how they are cut so that one query fetches a few small files, typos included.
//!
//! - Entry files `e/NNNN.json`: `{key: [record, ...]}`. A record is filed under the
//!   first 2 characters of each of its words and, for words of 3 or more, under the
//!   first 3. Records come in popularity order, and a key keeps only its first
//!   records when it would grow past a cap (the 2-character keys at [`KEY2_RECORDS`],
//!   the 3-character ones at [`KEY3_BYTES`]); the capped keys are listed in the meta, so
//!   the client anchors a query on an uncapped word when it has one.
//! - Word files `w/NNNN.json`: `[word, ...]`, every distinct word of 3 or more
//!   characters under each 3-character subsequence of its first 5 characters. Two
//!   words within k edits (transpositions counting one) keep a common 3-character
//!   subsequence within their first 3 + k characters, so the client finds the
//!   corrections of a word with up to two typos in at most 10 small files, and then
//!   fetches the entry files of their 3-character prefixes.
//!
//! A key's file is FNV-1a 32 of the key modulo the file count, as a 4-digit number.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::fnv1a32;
use super::normalize::normalize_key;

/// Records a 2-character key keeps: enough for the first letters typed, small to fetch.
pub const KEY2_RECORDS: usize = 300;
/// Bytes of records a 3-character key keeps: "the", "los" or "joh" hold thousands of
/// records; the most popular 60 KB of them answer a query that has no rarer word.
pub const KEY3_BYTES: usize = 60 * 1024;
/// Average bytes a file aims at: the file counts grow with the index, in powers of two.
const FILE_BYTES: usize = 12 * 1024;
/// The most files of each kind (entries, words) an index has.
const MAX_FILES: usize = 8192;
/// Longest typo-tolerant prefix: 3 characters plus two typos.
const WORD_KEY_SPAN: usize = 5;

/// The words of a text as search matches them: the normalised key split at every
/// character that is not a letter or a digit ("Spider-Man" -> spider, man). The
/// browser splits on `[^\p{Alphabetic}\p{N}]`, which is what `char::is_alphanumeric` tests.
pub fn words(text: &str) -> Vec<String> {
    normalize_key(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// The first `n` characters (code points) of a word.
fn prefix(word: &str, n: usize) -> String {
    word.chars().take(n).collect()
}

/// The entry keys a word files its record under.
fn entry_keys(word: &str) -> Vec<String> {
    let mut keys = vec![prefix(word, 2)];
    if word.chars().count() >= 3 {
        keys.push(prefix(word, 3));
    }
    keys
}

/// Every 3-character subsequence of the word's first five characters (the word itself
/// when it is 3 long).
pub fn word_keys(word: &str) -> BTreeSet<String> {
    let head: Vec<char> = word.chars().take(WORD_KEY_SPAN).collect();
    let mut keys = BTreeSet::new();
    for a in 0..head.len() {
        for b in a + 1..head.len() {
            for c in b + 1..head.len() {
                keys.insert([head[a], head[b], head[c]].iter().collect());
            }
        }
    }
    keys
}

/// How many files hold `bytes`: a power of two, about [`FILE_BYTES`] each.
fn file_count(bytes: usize) -> u32 {
    (bytes / FILE_BYTES + 1).next_power_of_two().min(MAX_FILES) as u32
}

/// A key's file name within its kind's directory.
pub fn file_name(key: &str, files: u32) -> String {
    format!("{:04}.json", fnv1a32(key) % files)
}

/// Collects records, most popular first, and cuts them into files.
#[derive(Default)]
pub struct Builder {
    /// Each key's record texts, in the order added, and their bytes.
    keys: BTreeMap<String, (Vec<usize>, usize, bool)>,
    records: Vec<String>,
    words: BTreeSet<String>,
}

/// A finished index: its files (path under the index's directory, bytes) and its meta.
pub struct Built {
    pub files: Vec<(String, Vec<u8>)>,
    pub meta: Value,
    pub bytes: u64,
}

impl Builder {
    /// Adds a record found by the words of `name`: `[rank, fields...]`, the rank being
    /// its place in popularity order, which orders records of different files.
    /// Records must come most popular first: the caps keep the first ones.
    pub fn add(&mut self, name: &str, fields: &[Value]) {
        let id = self.records.len();
        let mut record = vec![Value::from(id)];
        record.extend_from_slice(fields);
        let text = Value::Array(record).to_string();
        let ws = words(name);
        let mut keys: BTreeSet<String> = BTreeSet::new();
        for w in &ws {
            keys.extend(entry_keys(w));
            if w.chars().count() >= 3 {
                self.words.insert(w.clone());
            }
        }
        for key in keys {
            let (ids, bytes, capped) = self.keys.entry(key.clone()).or_default();
            let full = if key.chars().count() < 3 { ids.len() >= KEY2_RECORDS } else { *bytes + text.len() + 1 > KEY3_BYTES };
            if full {
                *capped = true;
            } else {
                ids.push(id);
                *bytes += text.len() + 1;
            }
        }
        self.records.push(text);
    }

    pub fn finish(self) -> Built {
        let entry_bytes: usize = self.keys.iter().map(|(k, (_, bytes, _))| k.len() + bytes + 4).sum();
        let entry_files = file_count(entry_bytes);
        let mut entries: Vec<BTreeMap<&str, Vec<usize>>> = vec![BTreeMap::new(); entry_files as usize];
        for (key, (ids, _, _)) in &self.keys {
            entries[(fnv1a32(key) % entry_files) as usize].insert(key, ids.clone());
        }
        let mut filed_words: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for w in &self.words {
            for key in word_keys(w) {
                filed_words.entry(key).or_default().insert(w);
            }
        }
        let word_bytes: usize = filed_words.values().flatten().map(|w| w.len() + 3).sum();
        let word_files = file_count(word_bytes);
        let mut by_file: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); word_files as usize];
        for (key, ws) in &filed_words {
            by_file[(fnv1a32(key) % word_files) as usize].extend(ws);
        }
        let mut files = Vec::new();
        for (i, keys) in entries.iter().enumerate() {
            let mut text = String::from("{");
            for (n, (key, ids)) in keys.iter().enumerate() {
                if n > 0 {
                    text.push(',');
                }
                text.push_str(&Value::from(*key).to_string());
                text.push_str(":[");
                let list: Vec<&str> = ids.iter().map(|&id| self.records[id].as_str()).collect();
                text.push_str(&list.join(","));
                text.push(']');
            }
            text.push('}');
            files.push((format!("e/{i:04}.json"), text.into_bytes()));
        }
        for (i, ws) in by_file.iter().enumerate() {
            files.push((format!("w/{i:04}.json"), json!(ws).to_string().into_bytes()));
        }
        let capped: Vec<&str> = self.keys.iter().filter(|(_, (_, _, capped))| *capped).map(|(k, _)| k.as_str()).collect();
        let bytes = files.iter().map(|(_, b)| b.len() as u64).sum();
        let meta = json!({
            "entry_files": entry_files,
            "word_files": word_files,
            "records": self.records.len(),
            "capped": capped,
            "key2_records": KEY2_RECORDS,
            "key3_bytes": KEY3_BYTES,
        });
        Built { files, meta, bytes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_punctuation_and_drop_accents() {
        assert_eq!(words("Spider-Man: No Way Home"), ["spider", "man", "no", "way", "home"]);
        assert_eq!(words("  Amélie (2001)"), ["amelie", "2001"]);
        assert_eq!(words("WALL·E"), ["wall", "e"]);
    }

    #[test]
    fn one_typo_keeps_a_common_word_key() {
        // Substitution, deletion, insertion and transposition in the first letters.
        for (typed, word) in [
            ("fiction", "fiction"),
            ("fuction", "fiction"),
            ("fction", "fiction"),
            ("fiiction", "fiction"),
            ("ficiton", "fiction"),
            ("ifction", "fiction"),
        ] {
            let typed_keys: BTreeSet<String> = word_keys(&prefix(typed, 4));
            assert!(typed_keys.intersection(&word_keys(word)).next().is_some(), "{typed} / {word}");
        }
        // Two typos in a long word: the query uses its first five characters.
        let typed = word_keys("shawhsank");
        assert!(typed.intersection(&word_keys("shawshank")).next().is_some());
        let typed = word_keys("sahwshnak");
        assert!(typed.intersection(&word_keys("shawshank")).next().is_some());
    }

    #[test]
    fn caps_keep_the_first_records_and_say_so() {
        let mut b = Builder::default();
        for i in 0..KEY2_RECORDS + 5 {
            b.add(&format!("Zed {i}"), &[json!(format!("Zed {i}"))]);
        }
        let built = b.finish();
        assert_eq!(built.meta["capped"], json!(["ze"]));
        let files = built.meta["entry_files"].as_u64().unwrap() as u32;
        let name = format!("e/{}", file_name("ze", files));
        let text = &built.files.iter().find(|(p, _)| *p == name).unwrap().1;
        let shard: BTreeMap<String, Vec<Value>> = serde_json::from_slice(text).unwrap();
        assert_eq!(shard["ze"].len(), KEY2_RECORDS);
        assert_eq!(shard["ze"][0], json!([0, "Zed 0"]));
        assert_eq!(shard["zed"].len(), KEY2_RECORDS + 5);
    }
}
