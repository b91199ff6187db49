//! Turns `rules/*.toml` into JSON at build time: reading 90 KB of TOML took two
//! milliseconds of every `gardefou check`, the same data as JSON a tenth of that.
//!
//! The files are listed here in priority order (when two kinds report the same value, the
//! one that comes first wins; generic rules always lose to specific ones). A file in
//! `rules/` that is not listed fails the build: it can't be silently ignored.

// A build script reads the crate's own files and writes to OUT_DIR, at build time: not
// the input gardefou-edges guards at run time.
#![allow(clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::path::Path;

const ORDER: &[&str] = &[
    "stripe.toml",
    "sendgrid.toml",
    "ai.toml",
    "email.toml",
    "cloud.toml",
    "chat.toml",
    "saas.toml",
    "postgres.toml",
    "urls.toml",
    "private-key.toml",
    "tokens.toml",
    "jwt.toml",
    "generic.toml",
];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("rules/ exists")
        .map(|e| {
            e.expect("rules/ is readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = ORDER.iter().map(|n| (*n).to_owned()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every file of rules/ must be listed in build.rs's ORDER, and only those"
    );
    let mut out = String::from(
        "/// The kind files in priority order: name, TOML source, the same as JSON.\n\
         pub const RULE_FILES: &[(&str, &str, &str)] = &[\n",
    );
    for name in ORDER {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("rule file is readable");
        // A file that does not parse is reported by the loader, with its position.
        let json = match toml::from_str::<toml::Value>(&text) {
            Ok(value) => serde_json::to_string(&value).expect("TOML values are JSON"),
            Err(_) => String::from("{}"),
        };
        assert!(!json.contains("\"#####"), "{name}: raw string delimiter");
        writeln!(
            out,
            "    ({name:?}, include_str!({:?}), r#####\"{json}\"#####),",
            path.display().to_string()
        )
        .expect("writing to a String");
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("rule_files.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
