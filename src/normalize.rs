//! The one input normalisation shared by the pipeline, the JSON bundle and the site:
//! lower-case, decompose (NFD), drop combining marks, trim, collapse whitespace.
//! `Miércoles ` and `miercoles` meet at the same key.
//!
//! The JavaScript twin lives in templates/static/marquee.js; index.json spells the
//! recipe out so any client can reproduce it.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The recipe, as published in the bundle manifest.
pub const RECIPE: &str = "lowercase (Unicode full lower-case mapping, like JavaScript's toLowerCase), \
then Unicode NFD decomposition, then remove every character of general category Mark (\\p{M}), \
then trim whitespace at both ends and replace each run of whitespace with one ASCII space. \
JavaScript: s.toLowerCase().normalize('NFD').replace(/\\p{M}/gu, '').trim().replace(/\\s+/g, ' ')";

/// Normalises a user's input or a data value into its lookup key.
pub fn normalize_key(text: &str) -> String {
    let folded: String = text.to_lowercase().nfd().filter(|c| !is_combining_mark(*c)).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Spanish month names, January first, as the questions spell them.
pub const MONTHS: [&str; 12] = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
];

/// Spanish day names, Sunday first, matching date_part('dow', d).
pub const DAYS: [&str; 7] = ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"];

/// Other spellings people type, mapped to the key they mean.
pub const ALIASES: [(&str, &str); 1] = [("setiembre", "septiembre")];

/// The key an input resolves to: normalised, then aliased.
pub fn lookup_key(input: &str) -> String {
    let key = normalize_key(input);
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map(|(_, target)| target.to_string())
        .unwrap_or(key)
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

    #[test]
    fn aliases_resolve() {
        assert_eq!(lookup_key("Setiembre"), "septiembre");
        assert_eq!(lookup_key("septiembre"), "septiembre");
        assert_eq!(lookup_key("sábado"), "sabado");
    }

    #[test]
    fn spanish_names_are_already_keys_after_normalising() {
        for d in DAYS {
            assert!(!normalize_key(d).is_empty());
        }
        assert_eq!(normalize_key(DAYS[3]), "miercoles");
        assert_eq!(normalize_key(DAYS[6]), "sabado");
    }
}
