//! Framing text read piece by piece gives what framing it whole gives: the same
//! records, lines, problems and errors, however the reads fall.

use std::io::Read;

use marquee_parse::frame::{self, FrameError, Framed};

/// Hands out its text in reads of the given sizes, in turn.
struct Pieces<'a> {
    text: &'a [u8],
    sizes: &'a [usize],
    turn: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.turn % self.sizes.len()];
        self.turn += 1;
        let n = size.min(buf.len()).min(self.text.len());
        buf[..n].copy_from_slice(&self.text[..n]);
        self.text = &self.text[n..];
        Ok(n)
    }
}

type Outcome = (Vec<Framed>, Result<u64, FrameError>);

fn whole(text: &[u8], columns: &[&str], rejoin: bool) -> Outcome {
    let mut records = Vec::new();
    let result = frame::frame_records(text, columns, rejoin, |r| records.push(r));
    (records, result)
}

fn in_pieces(text: &[u8], sizes: &[usize], columns: &[&str], rejoin: bool) -> Outcome {
    let mut records = Vec::new();
    let result = frame::frame_reader(Pieces { text, sizes, turn: 0 }, columns, rejoin, |r| records.push(r));
    (records, result)
}

const PIECES: &[&[usize]] = &[&[1], &[2, 3], &[7, 1, 64], &[4096, 5]];

fn assert_same_in_pieces(name: &str, text: &[u8], columns: &[&str]) {
    for rejoin in [false, true] {
        let expected = whole(text, columns, rejoin);
        for sizes in PIECES {
            assert_eq!(in_pieces(text, sizes, columns, rejoin), expected, "{name}, reads of {sizes:?}, rejoin {rejoin}");
        }
    }
}

#[test]
fn the_fuzz_corpus_frames_the_same_in_pieces() {
    // Where cargo runs the test from, not where it was compiled: clones sharing a target
    // directory share unchanged test binaries.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), std::path::PathBuf::from);
    let corpus = manifest.join("../../fuzz/corpus");
    let mut seen = 0;
    for (kind, columns) in [("frame", &["a", "b", "c"][..]), ("etl", &["id", "title", "overview", "release_date"][..])] {
        for entry in std::fs::read_dir(corpus.join(kind)).unwrap().flatten() {
            let text = std::fs::read(entry.path()).unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
            assert_same_in_pieces(&entry.path().display().to_string(), &text, columns);
            seen += 1;
        }
    }
    assert!(seen > 40, "the corpus is in the repository ({seen} files)");
}

#[test]
fn small_damaged_files_frame_the_same_in_pieces() {
    let cases: &[&[u8]] = &[
        b"",
        b" \r\n\t\n",
        b"\xEF\xBB\xBF",
        b"\xEF\xBB\xBFa,b,c\r\n1,2,3\r\n",
        b"\xEF\xBB",
        b"a,b,c\n1,\"2\n3\",4\n\"5,6,7\n8,9,10\n11,12,13\n",
        b"a,b,c\n1,2\n,3\n4,5,6\n1,2\n7,8,9,10\n\n\n1,2,3",
        b"a,b\n1,2\n",
        b"c,b,a,b\n1,2,3,4\n",
        b"a,b,c\n\"\n\n\"\"\n1,2,3\n\"",
        b"a,b,c\n1,2,\xff\n",
        b"a,b,c\r\r\n1,2,3\r\r\n\r\n4,5\r\n,6\r\n",
    ];
    for text in cases {
        assert_same_in_pieces(&String::from_utf8_lossy(text), text, &["a", "b", "c"]);
    }
}

/// Megabytes of records with every kind of damage, so that the text already framed is
/// dropped from memory several times while a stray quote holds some back.
#[test]
fn megabytes_of_damaged_records_frame_the_same_in_pieces() {
    let mut text = String::from("\u{feff}a,b,c\r\n");
    let mut n: u64 = 7;
    let mut next = || {
        n = n.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (n >> 33) as usize
    };
    while text.len() < 5 << 20 {
        let id = text.len();
        match next() % 40 {
            0 => text.push_str(&format!("\"{id},x,y\n{id},z\n")),
            1 => text.push_str(&format!("{id},part one\n of the text,end\n")),
            2 => text.push_str(&format!("{id},\"quoted\nacross lines\",3\r\n")),
            3 => text.push_str("\n\r\n"),
            4 => text.push_str(&format!("{id},{}\n", "long ".repeat(next() % 5000))),
            5 => text.push_str(&format!("{id},caf\u{e9} \u{9a},\u{1f3ac}\n")),
            _ => text.push_str(&format!("{id},plain,{}\n", next() % 1000)),
        }
        if next() % 2000 == 0 {
            // An unbalanced quote that swallows a long run of lines.
            text.push_str(&format!("{id},\"open,2\n"));
            for i in 0..(next() % 30_000) {
                text.push_str(&format!("{i},b,c\n"));
            }
            text.push_str("x\",y,z\n");
        }
    }
    let expected = whole(text.as_bytes(), &["a", "b", "c"], true);
    assert!(expected.1.as_ref().is_ok_and(|&n| n > 50_000), "{:?}", expected.1);
    for sizes in [&[1usize, 2, 3][..], &[8191, 13]] {
        let pieces = in_pieces(text.as_bytes(), sizes, &["a", "b", "c"], true);
        assert!(pieces == expected, "reads of {sizes:?} frame differently");
    }
}
