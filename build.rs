//! Embeds the SQL scripts of sql/<stage>/ into the binary, in file-name order, so the
//! installed `marquee` needs no source tree while the SQL stays in .sql files.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut code = String::new();
    for stage in ["etl", "recommend", "queries", "render"] {
        let dir = root.join("sql").join(stage);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "sql"));
        files.sort();
        writeln!(code, "pub const {}: &[(&str, &str)] = &[", stage.to_uppercase()).unwrap();
        for path in files {
            println!("cargo:rerun-if-changed={}", path.display());
            let name = path.file_name().unwrap().to_string_lossy();
            writeln!(code, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("sql_scripts.rs");
    std::fs::write(out, code).unwrap();
}
