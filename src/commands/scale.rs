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

/// Writes `factor` copies of every input file found in `data` into `out` (plain CSV,
/// under the input's own name). With `ratings_rows`, the ratings are instead written
/// as `ratings.csv` with exactly that many rows (see [`write_synthetic_ratings`]), so
/// the build reads them as the full MovieLens file. The output must be new or empty,
/// so it can never overwrite the input or anything else (`--out data` would replace
/// the real files with their scaled copies).
pub fn scale(data: &Path, out: &Path, factor: i64, ratings_rows: Option<u64>) -> Result<()> {
    if factor < 1 {
        bail!("--factor must be at least 1, not {factor}");
    }
    if std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some()) || out.is_file() {
        bail!("refusing to write into {}: it exists and is not empty; pass a new or empty directory as --out", out.display());
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for source in SOURCES {
        let Some(found) = load::find_source_file(data, source)? else { continue };
        let path = found.path;
        let (header, records) = read_records(&path)?;
        let missing: Vec<&str> = source.columns.iter().copied().filter(|c| !header.iter().any(|h| h == *c)).collect();
        if !missing.is_empty() {
            bail!("{}:1: header lacks column(s) {}", path.display(), missing.join(", "));
        }
        let column = |name: &str| header.iter().position(|h| h == name);
        let copies = copied_records(source.copies, &header, &records, &column, factor);
        if let (Some(rows), "ratings") = (ratings_rows, source.table) {
            let target = out.join(format!("{}.csv", source.stems[0]));
            write_synthetic_ratings(&target, &header, &copies, rows)?;
            continue;
        }
        let name = load::file_name(&path);
        let target = out.join(name.strip_suffix(".gz").unwrap_or(&name));
        let mut writer = csv::WriterBuilder::new().flexible(true).from_path(&target)?;
        writer.write_record(&header)?;
        for record in &copies {
            writer.write_record(record)?;
        }
        writer.flush()?;
    }
    Ok(())
}

/// The records as they are (copy 0), then copies 1 to `factor - 1`.
fn copied_records(
    copies: Copies,
    header: &csv::StringRecord,
    records: &[csv::StringRecord],
    column: &dyn Fn(&str) -> Option<usize>,
    factor: i64,
) -> Vec<csv::StringRecord> {
    let mut out = records.to_vec();
    let n = records.len();
    for k in 1..factor {
        for (i, record) in records.iter().enumerate() {
            if record.len() != header.len() {
                continue; // malformed records stay in copy 0 only
            }
            let mut fields: Vec<String> = record.iter().map(str::to_owned).collect();
            let donor = &records[(i + k as usize * 7919) % n];
            if copy_record(copies, &mut fields, donor, column, k) {
                out.push(csv::StringRecord::from(fields));
            }
        }
    }
    out
}

/// One usable rating of the records synthetic users are made from.
#[derive(Debug, Clone, Copy)]
struct BaseRating {
    user: i64,
    movie: i64,
    rating: f64,
    at: i64,
}

/// Writes exactly `rows` ratings: the given records first (cut short if `rows` is
/// smaller), then rounds of synthetic users until `rows` is reached. In round r every
/// user of the records has a synthetic twin with a new id (after the largest real id,
/// numbered densely so ids stay small) who rated the same movies except about a
/// quarter of them (dropped by a hash), with about a quarter of the ratings moved half
/// a star, and at shifted times. People who liked the same films still co-rate them,
/// so the item-item similarity has the structure of real data at the size of the full
/// MovieLens file; every value is a function of (user, movie, round), so two runs write
/// the same bytes.
pub fn write_synthetic_ratings(target: &Path, header: &csv::StringRecord, records: &[csv::StringRecord], rows: u64) -> Result<()> {
    use std::io::Write;
    let column = |name: &str| header.iter().position(|h| h == name).with_context(|| format!("ratings header lacks {name}"));
    let (user, movie, rating, at) = (column("userId")?, column("movieId")?, column("rating")?, column("timestamp")?);
    let mut out = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(target).with_context(|| format!("creating {}", target.display()))?,
    );
    writeln!(out, "userId,movieId,rating,timestamp")?;
    let mut written = 0u64;
    let cell = |r: &csv::StringRecord, c: usize| r.get(c).unwrap_or("").to_string();
    for r in records.iter().take(rows as usize) {
        writeln!(out, "{},{},{},{}", cell(r, user), cell(r, movie), cell(r, rating), cell(r, at))?;
        written += 1;
    }
    let base: Vec<BaseRating> = records
        .iter()
        .filter_map(|r| {
            let int = |c: usize| r.get(c)?.trim().parse::<i64>().ok();
            let stars = r.get(rating)?.trim().parse::<f64>().ok().filter(|s| (0.5..=5.0).contains(s))?;
            Some(BaseRating { user: int(user)?, movie: int(movie)?, rating: stars, at: int(at).unwrap_or(0) })
        })
        .collect();
    if written < rows && base.is_empty() {
        bail!("--ratings-rows {rows}: the ratings have no usable row to make synthetic users from");
    }
    let mut users: Vec<i64> = base.iter().map(|b| b.user).collect();
    users.sort_unstable();
    users.dedup();
    let first_id = users.last().map_or(1, |u| u + 1);
    let index: std::collections::HashMap<i64, i64> = users.iter().enumerate().map(|(i, &u)| (u, i as i64)).collect();
    let mut round = 1i64;
    while written < rows {
        for b in &base {
            if written == rows {
                break;
            }
            let h = mix((b.user as u64) << 32 ^ (b.movie as u64) ^ (round as u64) << 48);
            if h.is_multiple_of(4) {
                continue;
            }
            let id = first_id + (round - 1) * users.len() as i64 + index[&b.user];
            let stars = match (h >> 8) % 8 {
                0 => (b.rating - 0.5).max(0.5),
                1 => (b.rating + 0.5).min(5.0),
                _ => b.rating,
            };
            let at = b.at + ((h >> 16) % (30 * 86_400)) as i64;
            writeln!(out, "{id},{},{stars:.1},{at}", b.movie)?;
            written += 1;
        }
        round += 1;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_never_writes_into_a_directory_with_files() {
        let dir = crate::foundation::scratch::ScratchDir::new("scale", "test");
        std::fs::write(dir.join("movies_metadata.csv"), "precious").unwrap();
        let err = scale(&dir, &dir, 2, None).unwrap_err().to_string();
        assert!(err.contains("not empty"), "{err}");
        assert_eq!(std::fs::read_to_string(dir.join("movies_metadata.csv")).unwrap(), "precious");
        assert!(scale(&dir, &dir.join("new"), 0, None).unwrap_err().to_string().contains("at least 1"));
        std::fs::write(dir.join("movies_metadata.csv"), "id,title\n1,x\n").unwrap();
        std::fs::write(dir.join("credits.csv"), "cast,crew,id\n[],[],1\n").unwrap();
        let err = scale(&dir, &dir.join("new"), 2, None).unwrap_err().to_string();
        assert!(err.contains("header lacks column(s) adult"), "{err}");
    }

    #[test]
    fn synthetic_ratings_have_exactly_the_rows_asked_for_and_the_real_ones_first() {
        let dir = crate::foundation::scratch::ScratchDir::new("scale-ratings", "test");
        let real = "userId,movieId,rating,timestamp\n1,10,4.0,100\n1,20,4.5,200\n2,10,3.0,300\n2,20,0.5,400\n2,30,5.0,500\n";
        std::fs::write(dir.join("ratings_small.csv"), real).unwrap();
        std::fs::write(dir.join("movies_metadata.csv"), format!("{}\n", crate::stages::load::MOVIE_COLUMNS.join(","))).unwrap();
        std::fs::write(dir.join("credits.csv"), "cast,crew,id\n").unwrap();
        let (a, b) = (dir.join("a"), dir.join("b"));
        scale(&dir, &a, 1, Some(1000)).unwrap();
        scale(&dir, &b, 1, Some(1000)).unwrap();
        let text = std::fs::read_to_string(a.join("ratings.csv")).unwrap();
        assert_eq!(text, std::fs::read_to_string(b.join("ratings.csv")).unwrap(), "deterministic");
        assert!(!a.join("ratings_small.csv").exists(), "only the full-ratings name is written");
        assert!(text.starts_with(real), "the real ratings come first, unchanged");
        let rows: Vec<Vec<f64>> = text.lines().skip(1).map(|l| l.split(',').map(|c| c.parse().unwrap()).collect()).collect();
        assert_eq!(rows.len(), 1000);
        for r in &rows[5..] {
            assert!(r[0] > 2.0 && r[0] < f64::from(u32::MAX), "a new, small user id: {r:?}");
            assert!([10.0, 20.0, 30.0].contains(&r[1]), "the real users' movies: {r:?}");
            assert!((0.5..=5.0).contains(&r[2]) && (r[2] * 2.0).fract() == 0.0, "half stars: {r:?}");
        }
        // Twins of user 2 never rate what user 2 did not (movie 30 only from user 2).
        let twins_of_1: Vec<&Vec<f64>> = rows[5..].iter().filter(|r| (r[0] as i64 - 3) % 2 == 0).collect();
        assert!(twins_of_1.iter().all(|r| r[1] != 30.0));
        // Fewer rows than the real file: its first rows.
        let c = dir.join("c");
        scale(&dir, &c, 1, Some(2)).unwrap();
        assert_eq!(
            std::fs::read_to_string(c.join("ratings.csv")).unwrap(),
            "userId,movieId,rating,timestamp\n1,10,4.0,100\n1,20,4.5,200\n"
        );
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
