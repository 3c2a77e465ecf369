//! The Python-literal parser: never panics, and what it parses survives a repr round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;

use marquee_parse::pylit;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(value) = pylit::parse(text) {
        let again = pylit::parse(&pylit::to_repr(&value)).expect("repr output parses");
        // NaN never equals itself; compare the printed forms instead.
        assert_eq!(pylit::to_repr(&again), pylit::to_repr(&value));
    }
});
