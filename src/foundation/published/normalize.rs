//! The one input normalisation shared by the pipeline, the JSON bundle and the site:
//! lower-case, decompose (NFD), drop marks and invisible format characters, fold final
//! sigma, trim, collapse whitespace. `Miércoles ` and `miercoles` meet at the same key.
//!
//! The JavaScript twin lives in templates/static/marquee.js. Both must agree byte for
//! byte, or a key written by the build is never found by the browser: the spec is
//! RECIPE (published in index.json) and the vectors in tests/normalization/vectors.json,
//! which a test here and tests/normalization/check.mjs (under node) both check.
//!
//! Whitespace and ignorable characters are explicit lists, not "whatever the language
//! calls whitespace": Rust's char::is_whitespace is Unicode White_Space, while
//! JavaScript's \s and trim() add U+FEFF and miss U+0085, and either set can move with
//! a Unicode update. Tests check the lists against the Unicode properties they copy.
//! Lower-casing, NFD and marks come from each side's Unicode tables: compared over every
//! code point (Rust 1.95 against node 20), they differ only on 37 marks that node's
//! Unicode 17 has not assigned yet (unicode-normalization ships newer tables).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The recipe, as published in the bundle manifest.
pub const RECIPE: &str = "1. lower-case with the Unicode full lower-case mapping (JavaScript's toLowerCase(), \
Rust's str::to_lowercase); \
2. Unicode NFD decomposition; \
3. remove every character of General_Category Mark (\\p{M}) and every Default_Ignorable_Code_Point of Unicode 17, \
listed: U+00AD, U+034F, U+061C, U+115F-U+1160, U+17B4-U+17B5, U+180B-U+180F, U+200B-U+200F, U+202A-U+202E, \
U+2060-U+206F, U+3164, U+FE00-U+FE0F, U+FEFF, U+FFA0, U+FFF0-U+FFF8, U+1BCA0-U+1BCA3, U+1D173-U+1D17A, U+E0000-U+E0FFF \
(so a byte order mark, zero-width space or joiner, soft hyphen or direction mark vanishes); \
4. replace final sigma U+03C2 with U+03C3; \
5. whitespace is exactly Unicode White_Space: U+0009-U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000-U+200A, \
U+2028, U+2029, U+202F, U+205F, U+3000 (not JavaScript's \\s, which adds U+FEFF and lacks U+0085): \
remove it at both ends and replace each run of it with one U+0020. \
Every other character (controls, punctuation, symbols, emoji, CJK, ß) is kept as it is. \
JavaScript: s.toLowerCase().normalize('NFD').replace(/[\\p{M}IGNORABLE]/gu, '').replace(/\\u03C2/g, '\\u03C3')\
.replace(/[WHITESPACE]+/g, ' ').replace(/^ | $/g, '') with IGNORABLE and WHITESPACE the classes above \
(templates/static/marquee.js spells them out).";

/// Unicode White_Space, the only characters that separate words in a key.
pub fn is_key_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{D}'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// Default_Ignorable_Code_Point (Unicode 17): characters that render as nothing, so a
/// pasted title carrying a byte order mark or a zero-width joiner finds its movie.
pub fn is_key_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Normalises a user's input or a data value into its lookup key (see RECIPE).
pub fn normalize_key(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut key = String::with_capacity(lower.len());
    // A space is written only when a word follows it: trims both ends, collapses runs.
    let mut space_pending = false;
    for c in lower.nfd() {
        if is_combining_mark(c) || is_key_ignorable(c) {
            continue;
        }
        if is_key_space(c) {
            space_pending = !key.is_empty();
            continue;
        }
        if space_pending {
            key.push(' ');
            space_pending = false;
        }
        // to_lowercase picks σ or ς from the letters around a Σ; folding ς makes the key
        // independent of that context (and of how each language reads it).
        key.push(if c == 'ς' { 'σ' } else { c });
    }
    key
}

/// Another spelling people type, mapped to the key it means: (alias, key), both keys.
pub type Alias = (&'static str, &'static str);

/// Other spellings of month names (Peru, Chile and Uruguay write "setiembre"). Only the
/// questions whose input is a month use them (Question::aliases): a movie may well be
/// called "Setiembre".
pub const MONTH_ALIASES: &[Alias] = &[("setiembre", "septiembre")];

/// The key an input resolves to under one question's aliases: normalised, then aliased.
pub fn lookup_key<'a>(input: &str, aliases: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let key = normalize_key(input);
    aliases.into_iter().find(|(alias, _)| *alias == key).map_or(key, |(_, target)| target.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_spaces_fold_together() {
        assert_eq!(normalize_key("Miércoles"), "miercoles");
        assert_eq!(normalize_key("  SÁBADO "), "sabado");
        assert_eq!(normalize_key("The   Dark\tKnight"), "the dark knight");
        assert_eq!(normalize_key("José Núñez"), "jose nunez");
        assert_eq!(normalize_key("Zoë Ørnås"), "zoe ørnas");
        assert_eq!(normalize_key("日本語"), "日本語");
        assert_eq!(normalize_key(""), "");
    }

    /// The spec both implementations pass (tests/normalization/check.mjs for marquee.js).
    #[test]
    fn the_spec_vectors_pass() {
        let vectors: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../../tests/normalization/vectors.json")).expect("vectors.json parses");
        assert!(vectors.len() >= 40);
        let mut failures = Vec::new();
        for v in &vectors {
            let (input, key) = (v["input"].as_str().unwrap(), v["key"].as_str().unwrap());
            let got = normalize_key(input);
            if got != key {
                failures.push(format!("{input:?} -> {got:?}, the spec says {key:?} ({})", v["note"]));
            }
            if let Some(hash) = v.get("fnv1a32") {
                assert_eq!(Some(u64::from(crate::foundation::published::fnv1a32(key))), hash.as_u64(), "fnv1a32({key:?})");
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// The lists are spelled out so a Unicode update cannot move keys silently; these say
    /// when the toolchain's Unicode no longer agrees with them.
    #[test]
    fn whitespace_is_unicode_white_space() {
        let differ: Vec<char> =
            (0..=char::MAX as u32).filter_map(char::from_u32).filter(|c| is_key_space(*c) != c.is_whitespace()).collect();
        assert!(differ.is_empty(), "{differ:?}");
    }

    #[test]
    fn ignorables_are_default_ignorable_code_points() {
        let property = regex::Regex::new(r"^\p{Default_Ignorable_Code_Point}$").unwrap();
        let mut buf = [0u8; 4];
        let differ: Vec<char> = (0..=char::MAX as u32)
            .filter_map(char::from_u32)
            .filter(|c| !is_combining_mark(*c))
            .filter(|c| is_key_ignorable(*c) != property.is_match(c.encode_utf8(&mut buf)))
            .collect();
        assert!(differ.is_empty(), "{differ:?}");
    }

    #[test]
    fn aliases_apply_only_where_given() {
        assert_eq!(lookup_key("Setiembre", MONTH_ALIASES.iter().copied()), "septiembre");
        assert_eq!(lookup_key("septiembre", MONTH_ALIASES.iter().copied()), "septiembre");
        assert_eq!(lookup_key("Setiembre", []), "setiembre");
        assert_eq!(lookup_key("sábado", MONTH_ALIASES.iter().copied()), "sabado");
    }

    #[test]
    fn aliases_are_keys_and_point_at_months() {
        for (alias, target) in MONTH_ALIASES {
            assert_eq!(normalize_key(alias), *alias);
            assert!(["septiembre"].contains(target), "{target}");
        }
    }

    #[test]
    fn spanish_names_are_already_keys_after_normalising() {
        // The names themselves live in sql/queries/shared.sql.
        assert_eq!(normalize_key("miércoles"), "miercoles");
        assert_eq!(normalize_key("Sábado"), "sabado");
    }
}
