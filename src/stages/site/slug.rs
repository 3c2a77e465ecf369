//! File names made from labels: ascii words and a hash, unique within a facet.

use std::collections::BTreeMap;

use crate::foundation::published::fnv1a32;
use crate::foundation::published::normalize::normalize_key;

/// A file-name-safe, unique slug for a label: ascii words, then a hash of the label.
pub fn slug(label: &str) -> String {
    let words: String = normalize_key(label).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let words: Vec<&str> = words.split('-').filter(|w| !w.is_empty()).collect();
    let mut base = words.join("-");
    base.truncate(60);
    let base = base.trim_end_matches('-');
    let hash = format!("{:08x}", fnv1a32(label));
    if base.is_empty() { hash } else { format!("{base}-{hash}") }
}

/// Gives every page of one facet its own file: `(label, file)` pairs, `None` for a
/// value without a page. Labels whose slugs collide (same words and the same 32-bit
/// hash) are ordered by label, and all but the first get `-2`, `-3`, ... after the
/// hash, a form `slug` never produces.
pub fn disambiguate_files(values: &mut [(String, Option<String>)]) {
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, file)) in values.iter().enumerate() {
        if let Some(file) = file {
            by_file.entry(file.clone()).or_default().push(i);
        }
    }
    for (file, mut claimants) in by_file.into_iter().filter(|(_, c)| c.len() > 1) {
        claimants.sort_by(|&a, &b| values[a].0.cmp(&values[b].0));
        let stem = file.trim_end_matches(".html").to_string();
        for (n, &i) in claimants.iter().enumerate().skip(1) {
            values[i].1 = Some(format!("{stem}-{}.html", n + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::foundation::output::safe_join;

    /// Two labels with the same words and the same FNV-1a hash (found by a birthday search).
    const COLLIDING_LABELS: (&str, &str) = ("Drama,!,**", "Drama?;;!*?");

    #[test]
    fn colliding_slugs_get_distinct_files() {
        // Found by search: the same words and the same FNV-1a hash.
        let (a, b) = COLLIDING_LABELS;
        assert_eq!(slug(a), slug(b), "the labels collide");
        let value = |label: &str, single: bool| (label.to_string(), (!single).then(|| format!("{}.html", slug(label))));
        let mut values = vec![value(b, false), value("Other", false), value(a, false), value(b, true)];
        disambiguate_files(&mut values);
        let files: Vec<Option<&str>> = values.iter().map(|v| v.1.as_deref()).collect();
        let (first, second) = if a < b { (2, 0) } else { (0, 2) };
        assert_eq!(files[first], Some(format!("{}.html", slug(a.min(b)))).as_deref());
        assert_eq!(files[second], Some(format!("{}-2.html", slug(a.min(b)))).as_deref());
        assert_eq!(files[3], None, "single-movie values have no page of their own");
        assert!(safe_join(Path::new("/x"), files[second].unwrap()).is_ok());
    }

    #[test]
    fn slugs_are_safe_and_distinct() {
        for label in ["../../etc/passwd", "Pixar Animation Studios", "日本", "", "a/b", "Ørnås & Co."] {
            let s = slug(label);
            assert!(safe_join(Path::new("/out"), &format!("{s}.html")).is_ok(), "{label} -> {s}");
        }
        assert_ne!(slug("Drama!"), slug("Drama?"));
        assert!(slug("Pixar Animation Studios").starts_with("pixar-animation-studios-"));
    }
}
