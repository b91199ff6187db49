//! Fuzzes the strict PostgreSQL URL grammar: it must never panic, an accepted URL must
//! redact to a URL that parses back to the same target, and a planted password must never
//! appear in an error, a `Debug` or the redacted form.
#![no_main]

use libfuzzer_sys::fuzz_target;

// Spliced in as the password: distinctive enough not to occur by chance.
const PLANTED: &str = "Zq8PLANTEDvalue7w";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The fuzzer learns constants: when the text itself carries the planted value (as a
    // database name, say), showing it is not a leak of the password.
    if text.contains(PLANTED) {
        return;
    }
    // Arbitrary text as is, and with the planted password in the user info.
    let planted = format!("postgresql://u:{PLANTED}@{text}");
    for input in [text, planted.as_str()] {
        match gardefou_pgurl::parse(input) {
            Err(e) => {
                let shown = format!("{e} {e:?} {}", e.fix());
                assert!(!shown.contains(PLANTED), "error leaked the password: {shown}");
            }
            Ok(url) => {
                let redacted = url.redacted().to_string();
                let debug = format!("{url:?}");
                assert!(!redacted.contains(PLANTED), "redacted form leaked: {redacted}");
                assert!(!debug.contains(PLANTED), "Debug leaked: {debug}");
                let again = gardefou_pgurl::parse(&redacted).expect("the redacted form parses");
                assert_eq!(again.host(), url.host());
                assert_eq!(again.port(), url.port());
                assert_eq!(again.dbname(), url.dbname());
            }
        }
    }
});
