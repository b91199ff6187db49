//! The scanner's line engine, `gardefou_scan::Scanner::scan_bytes`: it must never panic on
//! any bytes, a live Stripe key on a line of its own is always found, and no finding's
//! `Debug` holds any 8 characters of the key's secret part.
//!
//! Every `§` in the input becomes the key (so the fuzzer can put it anywhere: in quotes,
//! after a name, beside `gardefou:allow`, across odd line endings), and the key is also
//! appended on a line of its own. The key is built at run time: the repository scans
//! itself.
#![no_main]

use std::sync::OnceLock;

use gardefou_scan::{ScanOptions, Scanner};
use libfuzzer_sys::fuzz_target;

// The key's secret part: distinctive enough not to occur by chance.
const PLANTED: &str = "Zq8pW3xLm9Kt2Rv7Bn4Hc6Jd";

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::new(ScanOptions::default()).expect("the built-in rules"))
}

/// `data` with every `§` replaced by `key`, then `key` assigned on a line of its own.
fn plant(data: &[u8], key: &[u8]) -> Vec<u8> {
    let marker = "§".as_bytes();
    let mut out = Vec::with_capacity(data.len() + 2 * key.len() + 32);
    let mut rest = data;
    while let Some(at) = rest.windows(marker.len()).position(|w| w == marker) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(key);
        rest = &rest[at + marker.len()..];
    }
    out.extend_from_slice(rest);
    out.extend_from_slice(b"\nconst stripe = \"");
    out.extend_from_slice(key);
    out.extend_from_slice(b"\";\n");
    out
}

fuzz_target!(|data: &[u8]| {
    // The fuzzer learns constants: an input that carries the secret part itself (as a
    // name, say) may show it without leaking the key.
    if data.windows(8).any(|w| PLANTED.as_bytes().windows(8).any(|p| p == w)) {
        return;
    }
    let key = ["sk", "_live_", PLANTED].concat();
    let input = plant(data, key.as_bytes());
    let findings = scanner().scan_bytes("src/pay.js", &input);
    assert!(!findings.is_empty(), "the key on its own line was not found");
    let shown = format!("{findings:?} {findings:#?}");
    for piece in PLANTED.as_bytes().windows(8) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(!shown.contains(piece), "a finding shows the key: {piece}");
    }
});
