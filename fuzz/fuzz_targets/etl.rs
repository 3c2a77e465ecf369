//! The whole ETL on a tiny movies file: load, sql/etl, row accounting, then the
//! recommend and queries stages the way `pipeline::build` runs them.
//!
//! The input is the body of movies_metadata.csv; the real header is put in front of it
//! unless its first line looks like a header itself (it names `release_date`, or starts
//! with `adult`, after an optional BOM). credits.csv is fixed: three valid rows (ids
//! 363552, 316210, 26706) taken from data/sample/credits.csv.
//!
//! Invariants: nothing panics; when load_all succeeds, `pipeline::dry_run` (ETL,
//! accounting, recommend, questions) succeeds, every file's accounting adds up to the
//! loader's record count, and `movies` holds exactly the kept movie records.
//!
//! MARQUEE_FUZZ_EXPECT="text1|text2" makes errors whose chain contains one of
//! the texts expected, to explore past a known finding; never set it in committed code.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::fuzz_target;
use marquee::pipeline;
use marquee::stages::load;

const CREDITS: &str = include_str!("../etl_credits.csv");

struct Setup {
    runtime: tokio::runtime::Runtime,
    base: PathBuf,
    expected: Vec<String>,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
        // Each case gets its own directory, removed after loading: nothing is left behind.
        let base = std::env::temp_dir().join(format!("marquee-fuzz-etl-{}", std::process::id()));
        let expected = std::env::var("MARQUEE_FUZZ_EXPECT")
            .map(|v| v.split('|').filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        Setup { runtime, base, expected }
    })
}

fn looks_like_header(data: &[u8]) -> bool {
    let first = data.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = first.strip_prefix("\u{feff}".as_bytes()).unwrap_or(first);
    first.starts_with(b"adult") || first.windows(12).any(|w| w == b"release_date")
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = setup.base.with_extension(N.fetch_add(1, Ordering::Relaxed).to_string());
    std::fs::create_dir_all(&dir).expect("case dir");
    let mut movies = Vec::with_capacity(data.len() + 300);
    if !looks_like_header(data) {
        movies.extend_from_slice(load::MOVIE_COLUMNS.join(",").as_bytes());
        movies.push(b'\n');
    }
    movies.extend_from_slice(data);
    std::fs::write(dir.join("movies_metadata.csv"), &movies).expect("write movies");
    std::fs::write(dir.join("credits.csv"), CREDITS).expect("write credits");

    let loaded = load::load_all(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let Ok(mut loaded) = loaded else { return };
    let counts: Vec<(String, u64)> = loaded.iter().map(|f| (f.source.table.to_string(), f.records)).collect();

    // The same stages as a build, up to the questions, without writing anything.
    let accounting = match setup.runtime.block_on(pipeline::dry_run(&mut loaded)) {
        Ok(accounting) => accounting,
        Err(e) => {
            // Only an error MARQUEE_FUZZ_EXPECT names may end the case quietly.
            let text = format!("{e:#}");
            assert!(setup.expected.iter().any(|x| text.contains(x.as_str())), "a stage failed on input that loaded: {text}");
            return;
        }
    };
    for (table, records) in &counts {
        let account = accounting.inputs.get(table).unwrap_or_else(|| panic!("no account for {table}"));
        assert!(account.adds_up(), "{table} does not add up: {account:?}");
        assert_eq!(account.records_read, *records, "{table}: records_read is not the loader's count");
    }
    let movies = &accounting.inputs["movies"];
    assert_eq!(accounting.tables.get("movies").copied(), Some(movies.kept), "movies table vs kept records");
    let rejected: u64 = accounting.inputs.values().map(|a| a.rejected).sum();
    assert_eq!(accounting.rejects.len() as u64, rejected, "rejects listed vs rejected counted");
});
