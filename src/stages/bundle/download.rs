//! bundle.json.gz as a chain of deflate segments, one per question, so that a rebuild
//! compresses only the questions whose answers changed and takes the rest from the
//! cache.
//!
//! Each segment is a raw deflate stream that ends with a sync flush (on a byte
//! boundary, without the final-block bit), so segments placed one after another are
//! one valid deflate stream; the last one, the index, is finished. The gzip trailer's
//! CRC-32 is combined from the segments' own, so a reused segment needs only its bytes,
//! its CRC and its length, never its text. This is how pigz compresses in parallel.

use std::io::Write;

use crate::settings::DOWNLOAD_GZIP_LEVEL;

/// One piece of the download: compressed bytes, and the CRC-32 and length of the text
/// they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub deflate: Vec<u8>,
    pub crc: u32,
    pub len: u64,
}

/// Compresses text into a [`Segment`] as it is written.
pub struct SegmentWriter {
    encoder: flate2::write::DeflateEncoder<Vec<u8>>,
    crc: crc32fast::Hasher,
    len: u64,
}

impl Default for SegmentWriter {
    fn default() -> Self {
        SegmentWriter {
            encoder: flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(DOWNLOAD_GZIP_LEVEL)),
            crc: crc32fast::Hasher::new(),
            len: 0,
        }
    }
}

impl Write for SegmentWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.encoder.write(bytes)?;
        self.crc.update(&bytes[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SegmentWriter {
    /// A segment that more segments may follow: ends with a sync flush.
    pub fn open_segment(mut self) -> std::io::Result<Segment> {
        // DeflateEncoder's flush is a sync flush: everything written is emitted and the
        // stream is left on a byte boundary, not finished.
        self.encoder.flush()?;
        let deflate = std::mem::take(self.encoder.get_mut());
        Ok(Segment { deflate, crc: self.crc.finalize(), len: self.len })
    }

    /// The last segment: finishes the deflate stream.
    pub fn last_segment(self) -> std::io::Result<Segment> {
        let deflate = self.encoder.finish()?;
        Ok(Segment { deflate, crc: self.crc.finalize(), len: self.len })
    }
}

/// A segment holding `text`, more to follow.
pub fn open_segment_of(text: &[u8]) -> std::io::Result<Segment> {
    let mut writer = SegmentWriter::default();
    writer.write_all(text)?;
    writer.open_segment()
}

/// The gzip file of the segments in order; the last must be a [`SegmentWriter::last_segment`].
pub fn gzip_of(segments: &[Segment]) -> Vec<u8> {
    // Magic, deflate, no flags, no modification time (the same bytes on every build),
    // no extra flags, unknown OS.
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let size = HEADER.len() + segments.iter().map(|s| s.deflate.len()).sum::<usize>() + 8;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&HEADER);
    let mut crc = crc32fast::Hasher::new();
    let mut len = 0u64;
    for segment in segments {
        out.extend_from_slice(&segment.deflate);
        crc.combine(&crc32fast::Hasher::new_with_initial_len(segment.crc, segment.len));
        len += segment.len;
    }
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    // ISIZE is the length modulo 2^32 (RFC 1952).
    out.extend_from_slice(&((len & 0xffff_ffff) as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        // GzDecoder checks the CRC-32 and the length in the trailer.
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut text).unwrap();
        text
    }

    fn text(n: usize, seed: u64) -> Vec<u8> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                b"{}[],:\"abcdefghij0123456789 "[(state >> 59) as usize % 28]
            })
            .collect()
    }

    #[test]
    fn segments_in_a_row_are_one_gzip_of_their_texts() {
        let parts = [text(0, 1), text(10, 2), text(300_000, 3), text(70_000, 4), text(5, 5)];
        let mut segments: Vec<Segment> = parts[..parts.len() - 1].iter().map(|p| open_segment_of(p).unwrap()).collect();
        let mut last = SegmentWriter::default();
        last.write_all(&parts[parts.len() - 1]).unwrap();
        segments.push(last.last_segment().unwrap());
        let gz = gzip_of(&segments);
        assert_eq!(gunzip(&gz), parts.concat());
        // The same texts give the same bytes: a segment taken from the cache is the one
        // a cold build would make.
        assert_eq!(open_segment_of(&parts[2]).unwrap(), segments[2]);
    }

    #[test]
    fn a_damaged_crc_is_caught_by_a_reader() {
        let segments = [open_segment_of(b"{\"a\":1").unwrap(), {
            let mut w = SegmentWriter::default();
            w.write_all(b"}").unwrap();
            w.last_segment().unwrap()
        }];
        let mut gz = gzip_of(&segments);
        assert_eq!(gunzip(&gz), b"{\"a\":1}");
        let at = gz.len() - 8;
        gz[at] ^= 1;
        let mut out = Vec::new();
        assert!(flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out).is_err());
    }
}
