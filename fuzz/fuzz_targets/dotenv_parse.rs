//! `gardefou_dotenv::parse` must never panic, and its `Debug` output must
//! never contain a value.
//!
//! Every `§` in the input is replaced by a planted secret, so the fuzzer can
//! put it anywhere (in quotes, after `export`, across lines…); a definition
//! holding it is also appended. Keys are ASCII, so the planted text (which
//! is not) can only reach `Debug` through a value.
#![no_main]

use libfuzzer_sys::fuzz_target;

const PLANTED: &str = "\u{1F512}planted-fuzz-value\u{1F512}";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let src = format!("{}\nPLANTED_KEY={PLANTED}\n", text.replace('§', PLANTED));
    let env = gardefou_dotenv::parse(&src);

    let debug = format!("{env:?} {env:#?} {:?}", env.duplicates());
    assert!(
        !debug.contains("planted-fuzz-value"),
        "a value leaked into Debug"
    );
    for (key, value) in env.iter() {
        assert!(!key.contains('§') && !key.is_empty());
        assert_eq!(env.get(key), Some(value));
        let line = env.line_of(key).expect("every key has a line");
        assert!(line >= 1 && line <= src.len() + 1);
    }
    for dup in env.duplicates() {
        assert!(dup.lines().len() >= 2);
        assert_eq!(env.line_of(dup.key()), dup.lines().last().copied());
    }
});
