//! The loader's CSV framing: never panics, counts every record, lines never go backwards.
#![no_main]

use libfuzzer_sys::fuzz_target;

use marquee_parse::frame;

const COLUMNS: &[&str] = &["a", "b", "c"];

fuzz_target!(|data: &[u8]| {
    for rejoin in [false, true] {
        let mut emitted = 0u64;
        let mut last_line = 0u64;
        let result = frame::frame_records(data, COLUMNS, rejoin, |record| {
            assert!(record.line >= last_line, "lines go backwards");
            last_line = record.line;
            assert_eq!(record.fields.len(), COLUMNS.len());
            emitted += record.records as u64;
        });
        if let Ok(records) = result {
            assert_eq!(records, emitted, "every physical record is accounted for");
        }
    }
});
