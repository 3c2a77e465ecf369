//! The fuzz corpus of hostile movies files (fuzz/corpus/etl: out-of-range numbers,
//! impossible dates, stray quotes, control characters, broken literals, and every
//! reproducer the fuzzer found) run through the whole ETL, recommend and questions on
//! every `make test`, without the fuzzer: nothing panics, a file that loads never
//! aborts a later stage, and every record is accounted for.

use std::path::PathBuf;

use marquee::pipeline;
use marquee::stages::load;

fn fuzz_dir() -> PathBuf {
    marquee::foundation::scratch::source_dir().join("fuzz")
}

/// The fuzz target's rule: the real header goes in front unless the input has its own.
fn movies_file(body: &[u8]) -> Vec<u8> {
    let first = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = first.strip_prefix("\u{feff}".as_bytes()).unwrap_or(first);
    let has_header = first.starts_with(b"adult") || first.windows(12).any(|w| w == b"release_date");
    let mut out = Vec::new();
    if !has_header {
        out.extend_from_slice(load::MOVIE_COLUMNS.join(",").as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(body);
    out
}

#[test]
fn every_hostile_input_is_rejected_row_by_row_or_refused_at_load() {
    let corpus = fuzz_dir().join("corpus/etl");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(files.len() >= 40, "the corpus is in the repository");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let work = std::env::temp_dir().join(format!("marquee-hostile-{}", std::process::id()));
    let (mut loaded_ok, mut refused) = (0, 0);
    for (i, file) in files.iter().enumerate() {
        let dir = work.join(i.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("movies_metadata.csv"), movies_file(&std::fs::read(file).unwrap())).unwrap();
        std::fs::copy(fuzz_dir().join("etl_credits.csv"), dir.join("credits.csv")).unwrap();
        let Ok(mut loaded) = load::load_all(&dir) else {
            refused += 1;
            continue;
        };
        let records: Vec<(String, u64)> = loaded.iter().map(|f| (f.source.table.to_string(), f.records)).collect();
        let accounting = runtime
            .block_on(pipeline::dry_run(&mut loaded))
            .unwrap_or_else(|e| panic!("{}: a stage failed on input that loaded: {e:#}", file.display()));
        for (table, read) in records {
            let account = &accounting.inputs[&table];
            assert!(account.adds_up() && account.records_read == read, "{}: {table} {account:?}", file.display());
        }
        assert_eq!(accounting.tables["movies"], accounting.inputs["movies"].kept, "{}", file.display());
        loaded_ok += 1;
    }
    let _ = std::fs::remove_dir_all(&work);
    assert!(loaded_ok > refused, "most hostile files load and are cleaned row by row ({loaded_ok} vs {refused})");
}
