//! `marquee scale`: a deterministic N-times version of a dataset in the Kaggle format,
//! for measuring how each stage grows. Copy 0 is the input as it is; copy k gets ids
//! shifted by k x 10,000,000, varied titles and overviews, the cast and crew of another
//! movie (so cast sizes and name frequencies keep their distribution), and ratings by
//! shifted users of the shifted movies.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::stages::load::{self, Copies, SOURCES};
use marquee_parse::pylit::{self, Value};

const OFFSET: i64 = 10_000_000;
const SUFFIXES: &[&str] = &["Returns", "Reloaded", "Origins", "Rising", "Redux", "Legacy", "Revenge", "Awakening"];

fn read_records(path: &Path) -> Result<(csv::StringRecord, Vec<csv::StringRecord>)> {
    let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&raw[..]), &mut out)?;
        out
    } else {
        raw
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(&bytes[..]);
    let header = reader.headers()?.clone();
    let records = reader.records().collect::<Result<Vec<_>, _>>()?;
    Ok((header, records))
}

fn shift_id(text: &str, k: i64) -> Option<String> {
    text.trim().parse::<i64>().ok().map(|id| (id + k * OFFSET).to_string())
}

/// A small deterministic hash for varying text per record and copy.
fn mix(seed: u64) -> u64 {
    let mut x = seed.wrapping_mul(0x9E3779B97F4A7C15);
    x ^= x >> 31;
    x.wrapping_mul(0xBF58476D1CE4E5B9) ^ (x >> 29)
}

fn vary_title(title: &str, k: i64, id: i64) -> String {
    if title.is_empty() {
        return String::new();
    }
    let suffix = SUFFIXES[(mix(id as u64 ^ k as u64) % SUFFIXES.len() as u64) as usize];
    format!("{title}: {suffix} {}", k + 1)
}

/// The same words in another order: same length, same vocabulary distribution.
fn vary_overview(text: &str, k: i64, id: i64) -> String {
    let mut words: Vec<&str> = text.split(' ').collect();
    let n = words.len();
    for i in (1..n).rev() {
        let j = (mix((id as u64) << 8 ^ k as u64 ^ i as u64) % (i as u64 + 1)) as usize;
        words.swap(i, j);
    }
    words.join(" ")
}

fn vary_collection(cell: &str, k: i64) -> String {
    let Ok(Value::Dict(mut entries)) = pylit::parse(cell) else { return cell.to_string() };
    for (key, value) in entries.iter_mut() {
        match (key, value) {
            (Value::Str(key), Value::Int(id)) if key == "id" => *id += k * OFFSET,
            (Value::Str(key), Value::Str(name)) if key == "name" => *name = format!("{name} {}", k + 1),
            _ => {}
        }
    }
    pylit::to_repr(&Value::Dict(entries))
}

/// Turns `fields` into copy `k` of its record; false when the record is not copied.
fn copy_record(
    copies: Copies,
    fields: &mut Vec<String>,
    donor: &csv::StringRecord,
    column: &dyn Fn(&str) -> Option<usize>,
    k: i64,
) -> bool {
    let shift = |fields: &mut Vec<String>, name: &str| match column(name) {
        Some(c) => match shift_id(&fields[c], k) {
            Some(id) => {
                fields[c] = id;
                true
            }
            None => false,
        },
        None => false,
    };
    match copies {
        Copies::Movie => {
            let Some(id_col) = column("id") else { return false };
            let Some(id) = fields[id_col].trim().parse::<i64>().ok() else { return false };
            fields[id_col] = (id + k * OFFSET).to_string();
            for name in ["title", "original_title"] {
                if let Some(c) = column(name) {
                    fields[c] = vary_title(&fields[c], k, id);
                }
            }
            if let Some(c) = column("overview") {
                fields[c] = vary_overview(&fields[c], k, id);
            }
            if let Some(c) = column("belongs_to_collection").filter(|&c| !fields[c].is_empty()) {
                fields[c] = vary_collection(&fields[c], k);
            }
            true
        }
        Copies::CreditsFromDonor => {
            let Some(id_col) = column("id") else { return false };
            let Some(id) = shift_id(&fields[id_col], k) else { return false };
            if donor.len() == fields.len() {
                *fields = donor.iter().map(str::to_owned).collect();
            }
            fields[id_col] = id;
            true
        }
        Copies::KeyedBy(ids) => ids.iter().enumerate().all(|(i, name)| shift(fields, name) || i > 0),
        Copies::Ids(ids) => {
            for name in ids {
                shift(fields, name);
            }
            true
        }
    }
}

/// Writes `factor` copies of every input file found in `data` into `out` (plain CSV).
/// The output must be new or empty, so it can never overwrite the input or anything
/// else (`--out data` would replace the real files with their scaled copies).
pub fn scale(data: &Path, out: &Path, factor: i64) -> Result<()> {
    if factor < 1 {
        bail!("--factor must be at least 1, not {factor}");
    }
    if std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some()) || out.is_file() {
        bail!("refusing to write into {}: it exists and is not empty; pass a new or empty directory as --out", out.display());
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for source in SOURCES {
        let Some(path) = load::find_source_file(data, source)? else { continue };
        let (header, records) = read_records(&path)?;
        let missing: Vec<&str> = source.columns.iter().copied().filter(|c| !header.iter().any(|h| h == *c)).collect();
        if !missing.is_empty() {
            bail!("{}:1: header lacks column(s) {}", path.display(), missing.join(", "));
        }
        let column = |name: &str| header.iter().position(|h| h == name);
        let target = out.join(format!("{}.csv", source.stems[0]));
        let mut writer = csv::WriterBuilder::new().flexible(true).from_path(&target)?;
        writer.write_record(&header)?;
        for record in &records {
            writer.write_record(record)?;
        }
        let n = records.len();
        for k in 1..factor {
            for (i, record) in records.iter().enumerate() {
                if record.len() != header.len() {
                    continue; // malformed records stay in copy 0 only
                }
                let mut fields: Vec<String> = record.iter().map(str::to_owned).collect();
                let donor = &records[(i + k as usize * 7919) % n];
                if !copy_record(source.copies, &mut fields, donor, &column, k) {
                    continue;
                }
                writer.write_record(&fields)?;
            }
        }
        writer.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_never_writes_into_a_directory_with_files() {
        let dir = std::env::temp_dir().join(format!("marquee-scale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("movies_metadata.csv"), "precious").unwrap();
        let err = scale(&dir, &dir, 2).unwrap_err().to_string();
        assert!(err.contains("not empty"), "{err}");
        assert_eq!(std::fs::read_to_string(dir.join("movies_metadata.csv")).unwrap(), "precious");
        assert!(scale(&dir, &dir.join("new"), 0).unwrap_err().to_string().contains("at least 1"));
        std::fs::write(dir.join("movies_metadata.csv"), "id,title\n1,x\n").unwrap();
        std::fs::write(dir.join("credits.csv"), "cast,crew,id\n[],[],1\n").unwrap();
        let err = scale(&dir, &dir.join("new"), 2).unwrap_err().to_string();
        assert!(err.contains("header lacks column(s) adult"), "{err}");
    }

    #[test]
    fn variations_are_deterministic_and_keep_length() {
        let text = "a crooked bank manager assembles a crew";
        assert_eq!(vary_overview(text, 1, 7), vary_overview(text, 1, 7));
        assert_ne!(vary_overview(text, 1, 7), vary_overview(text, 2, 7));
        assert_eq!(vary_overview(text, 1, 7).len(), text.len());
        assert!(vary_title("Toy Story", 1, 862).starts_with("Toy Story: "));
        let c = vary_collection("{'id': 10194, 'name': 'Toy Story Collection', 'poster_path': None}", 2);
        assert_eq!(c, "{'id': 20010194, 'name': 'Toy Story Collection 3', 'poster_path': None}");
    }
}
