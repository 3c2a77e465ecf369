//! What marquee publishes and clients rely on, in one place: the key normalisation
//! (also implemented by templates/static/marquee.js), the hash that files keys into
//! shards and slugs, and the generator name stamped into every manifest.

pub mod normalize;
pub mod word_index;

/// Names the program and version that made an output, in manifest.json and the bundle.
pub const GENERATOR: &str = concat!("marquee ", env!("CARGO_PKG_VERSION"));

/// 32-bit FNV-1a over the key's UTF-8 bytes: tiny, and the same in every language.
pub fn fnv1a32(text: &str) -> u32 {
    text.bytes().fold(0x811c9dc5u32, |hash, byte| (hash ^ byte as u32).wrapping_mul(0x01000193))
}
