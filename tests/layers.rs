//! The tree is the pipeline: every reference between modules points down.
//!
//! Layers, bottom up: settings, foundation, the stages (in the order they run: a stage
//! may use the stages before it), pipeline, commands, main.rs. Within foundation the
//! engine sits above the rest. This test reads every `crate::` (and, in main.rs,
//! `marquee::`) path in src/ and fails on any that points up or sideways.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const STAGES: &[&str] = &["load", "etl", "recommend", "questions", "bundle", "site", "publish"];

/// A module's place: (layer, position within the layer). Lower may not use higher.
fn rank(unit: &str) -> (u32, u32) {
    let parts: Vec<&str> = unit.split("::").collect();
    match parts.as_slice() {
        ["settings", ..] => (0, 0),
        ["foundation", "engine", ..] => (1, 1),
        ["foundation", ..] => (1, 0),
        ["stages", stage, ..] => (2, STAGES.iter().position(|s| s == stage).unwrap_or_else(|| panic!("unknown stage {stage}")) as u32),
        ["pipeline", ..] => (3, 0),
        ["commands", ..] => (4, 0),
        ["main"] => (5, 0),
        _ => panic!("module {unit} is in no layer: add it to tests/layers.rs"),
    }
}

/// The unit a path belongs to: a stage, a foundation module, or a top-level module.
fn unit_of(path: &[&str]) -> String {
    match path {
        ["stages", stage, ..] => format!("stages::{stage}"),
        ["foundation", module, ..] => format!("foundation::{module}"),
        ["commands", module, ..] => format!("commands::{module}"),
        // The `sql!` macro is exported at the crate root but defined by the engine.
        ["sql"] => "foundation::engine".to_string(),
        [top, ..] => top.to_string(),
        [] => String::new(),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Module path of a source file: src/stages/site/mod.rs -> [stages, site].
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Every module path the code refers to through `prefix::`, with `{a, b}` groups expanded.
fn references(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let needle = format!("{prefix}::");
    let mut rest = code;
    while let Some(at) = rest.find(&needle) {
        let preceded = rest[..at].chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[at + needle.len()..];
        if preceded {
            continue;
        }
        let mut path = String::new();
        for c in rest.chars() {
            if !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{') {
                break;
            }
            path.push(c);
            if c == '{' {
                break;
            }
        }
        let head: Vec<String> = path.trim_end_matches('{').split("::").filter(|p| !p.is_empty()).map(String::from).collect();
        if path.ends_with('{') {
            let group: String = rest[path.len()..].chars().take_while(|c| *c != '}').collect();
            for item in group.split(',') {
                let name = item.trim().split("::").next().unwrap_or("").trim();
                if !name.is_empty() && name != "self" {
                    out.push(head.iter().cloned().chain([name.to_string()]).collect());
                }
            }
        }
        out.push(head);
    }
    out
}

#[test]
fn dependencies_point_down() {
    let src = marquee::foundation::scratch::source_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = BTreeSet::new();
    let mut edges = 0;
    for file in &files {
        let module = module_of(&src, file);
        let module_refs: Vec<&str> = module.iter().map(String::as_str).collect();
        let from = if module_refs == ["lib"] { continue } else { unit_of(&module_refs) };
        let code = std::fs::read_to_string(file).unwrap();
        let prefix = if from == "main" { "marquee" } else { "crate" };
        for path in references(&code, prefix) {
            let parts: Vec<&str> = path.iter().map(String::as_str).collect();
            let to = unit_of(&parts);
            if to.is_empty() || to == from || to == "stages" || to == "foundation" || to == "commands" {
                continue;
            }
            edges += 1;
            if rank(&to) > rank(&from) || (rank(&to) == rank(&from) && to != from && from.starts_with("stages")) {
                wrong.insert(format!("{from} -> {to} ({})", file.strip_prefix(&src).unwrap().display()));
            }
        }
    }
    assert!(edges > 40, "the scan found only {edges} references: is it reading the tree?");
    assert!(wrong.is_empty(), "dependencies that point up or sideways:\n{}", wrong.into_iter().collect::<Vec<_>>().join("\n"));
}

#[test]
fn the_scan_sees_grouped_and_nested_paths() {
    let refs = references("use crate::stages::{bundle, load::{self, X}};\nlet x = crate::settings::TOP_K; mycrate::x", "crate");
    let units: Vec<String> = refs.iter().map(|p| unit_of(&p.iter().map(String::as_str).collect::<Vec<_>>())).collect();
    assert!(units.contains(&"stages::bundle".to_string()));
    assert!(units.contains(&"stages::load".to_string()));
    assert!(units.contains(&"settings".to_string()));
    assert!(rank("stages::site") > rank("stages::questions"));
    assert!(rank("foundation::engine") > rank("foundation::cells"));
}
