//! Fingerprints of what a result was made from, so a rebuild can tell what it may
//! reuse: 128-bit SipHash-1-3 with fixed keys, the same on every machine and run.

use std::hash::Hasher;

use siphasher::sip128::{Hasher128, SipHasher13};

/// A finished fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub u128);

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl std::str::FromStr for Fingerprint {
    type Err = std::num::ParseIntError;
    fn from_str(text: &str) -> Result<Fingerprint, Self::Err> {
        u128::from_str_radix(text, 16).map(Fingerprint)
    }
}

/// Collects what a result depends on. Every piece is length-prefixed, so ("ab", "c")
/// and ("a", "bc") differ; the domain keeps fingerprints of different things apart.
#[derive(Debug, Clone)]
pub struct Fingerprinter(SipHasher13);

impl Fingerprinter {
    pub fn new(domain: &str) -> Fingerprinter {
        let mut print = Fingerprinter(SipHasher13::new_with_keys(0x6d61_7271_7565_6531, 0x6669_6e67_6572_7072));
        print.add_str(domain);
        print
    }

    pub fn add_bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.write_u64(bytes.len() as u64);
        self.0.write(bytes);
        self
    }

    pub fn add_str(&mut self, text: &str) -> &mut Self {
        self.add_bytes(text.as_bytes())
    }

    pub fn add_u64(&mut self, value: u64) -> &mut Self {
        self.0.write_u64(value);
        self
    }

    pub fn add_fingerprint(&mut self, print: Fingerprint) -> &mut Self {
        self.0.write_u128(print.0);
        self
    }

    pub fn finish(&self) -> Fingerprint {
        Fingerprint(self.0.finish128().as_u128())
    }
}

/// Streams serialised values (a page's context, say) straight into the hash.
impl std::io::Write for Fingerprinter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The fingerprint of a file's bytes, read in blocks.
pub fn file_fingerprint(path: &std::path::Path) -> std::io::Result<Fingerprint> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut print = Fingerprinter::new("file");
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            break;
        }
        std::io::Write::write_all(&mut print, &block[..n])?;
    }
    Ok(print.finish())
}

/// The running program's own bytes: its code, SQL, settings and embedded templates.
/// A result made by another build of marquee is never reused.
pub fn program_fingerprint() -> std::io::Result<Fingerprint> {
    static PROGRAM: std::sync::OnceLock<Fingerprint> = std::sync::OnceLock::new();
    if let Some(print) = PROGRAM.get() {
        return Ok(*print);
    }
    let print = file_fingerprint(&std::env::current_exe()?)?;
    Ok(*PROGRAM.get_or_init(|| print))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_delimited_and_domains_differ() {
        let of = |domain: &str, parts: &[&str]| {
            let mut p = Fingerprinter::new(domain);
            parts.iter().for_each(|s| {
                p.add_str(s);
            });
            p.finish()
        };
        assert_eq!(of("d", &["ab", "c"]), of("d", &["ab", "c"]));
        assert_ne!(of("d", &["ab", "c"]), of("d", &["a", "bc"]));
        assert_ne!(of("d", &["x"]), of("e", &["x"]));
        let print = of("d", &["x"]);
        assert_eq!(print.to_string().parse::<Fingerprint>().unwrap(), print);
        assert_eq!(print.to_string().len(), 32);
    }
}
