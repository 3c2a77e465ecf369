//! The whole ETL on a tiny movies file: load, sql/etl, row accounting, then the
//! recommend and queries stages the way `pipeline::build` runs them.
//!
//! The input is the body of movies_metadata.csv; the real header is put in front of it
//! unless its first line looks like a header itself (it names `release_date`, or starts
//! with `adult`, after an optional BOM). credits.csv is fixed: three valid rows (ids
//! 363552, 316210, 26706) taken from data/sample/credits.csv.
//!
//! Invariants: nothing panics; when load_all succeeds, etl::run and etl::account succeed,
//! every file's accounting adds up to the loader's record count, `movies` holds exactly
//! the kept movie records, and the later stages succeed too.
//!
//! MARQUEE_FUZZ_STAGES (comma list, default "recommend,queries") picks the stages after
//! the ETL. MARQUEE_FUZZ_EXPECT="text1|text2" makes errors whose chain contains one of
//! the texts expected, to explore past a known finding; never set it in committed code.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::fuzz_target;
use marquee::{etl, load};

const CREDITS: &str = include_str!("../etl_credits.csv");

struct Setup {
    runtime: tokio::runtime::Runtime,
    base: PathBuf,
    recommend: bool,
    queries: bool,
    expected: Vec<String>,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
        // Each case gets its own directory, removed after loading: nothing is left behind.
        let base = std::env::temp_dir().join(format!("marquee-fuzz-etl-{}", std::process::id()));
        let stages = std::env::var("MARQUEE_FUZZ_STAGES").unwrap_or_else(|_| "recommend,queries".into());
        let expected = std::env::var("MARQUEE_FUZZ_EXPECT")
            .map(|v| v.split('|').filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        Setup {
            runtime,
            base,
            recommend: stages.split(',').any(|s| s == "recommend"),
            queries: stages.split(',').any(|s| s == "queries"),
            expected,
        }
    })
}

fn looks_like_header(data: &[u8]) -> bool {
    let first = data.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = first.strip_prefix("\u{feff}".as_bytes()).unwrap_or(first);
    first.starts_with(b"adult") || first.windows(12).any(|w| w == b"release_date")
}

/// Fails the run unless the error is one MARQUEE_FUZZ_EXPECT names.
fn check(setup: &Setup, stage: &str, result: anyhow::Result<()>) -> bool {
    let Err(e) = result else { return true };
    let text = format!("{e:#}");
    if setup.expected.iter().any(|x| text.contains(x.as_str())) {
        return false;
    }
    panic!("{stage} failed on input that loaded: {text}");
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

    setup.runtime.block_on(async {
        let ctx = etl::new_context();
        let accounting = async {
            etl::run(&ctx, &mut loaded).await?;
            etl::account(&ctx, &loaded).await
        }
        .await;
        let accounting = match accounting {
            Ok(a) => a,
            Err(e) => {
                check(setup, "etl", Err(e));
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
        drop(loaded);
        if !check(setup, "release", etl::release_intermediate_tables(&ctx)) {
            return;
        }
        etl::switch_to_deterministic_plans(&ctx);
        if setup.recommend && !check(setup, "recommend", marquee::recommend::run(&ctx).await.map(|_| ())) {
            return;
        }
        if setup.queries {
            check(setup, "queries", marquee::queries::run(&ctx).await.map(|_| ()));
        }
    });
});
