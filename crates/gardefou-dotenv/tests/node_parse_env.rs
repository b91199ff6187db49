//! Differential test against Node's own env-file parser, `util.parseEnv` (what `node
//! --env-file` uses): thousands of env files generated deterministically from the pieces
//! the two grammars treat differently. Every file that [`gardefou_dotenv::node_divergence`]
//! lets through must be read by Node exactly as by [`gardefou_dotenv::parse`]; the others
//! are refused by `gardefou run`, never guessed.

use std::collections::BTreeMap;
use std::process::Command;

use gardefou_testkit::fake::Rng;
use gardefou_testkit::run::Run;

fn files(n: usize) -> Vec<String> {
    let keys = [
        "A",
        "DATABASE_URL",
        "export B",
        "C_1",
        " D",
        "E.F",
        "G-H",
        "1X",
    ];
    let seps = ["=", " = ", "= ", " =", ": "];
    let values = [
        "plain",
        "postgresql://u@h:5432/db",
        "\"double quoted\"",
        "'single quoted'",
        "`back quoted`",
        "\"with \\n escape\"",
        "value # comment",
        "value#nocomment",
        "\"quoted # hash\"",
        "  spaced  ",
        "",
        "\"multi\nline\"",
        "'unterminated",
        "a=b",
        "\\$Q",
    ];
    let ends = ["\n", "\r\n", "\n\n", "\n# comment\n", "\n   \n", "\r"];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|_| {
            let lines = 1 + (rng.0 % 4) as usize;
            let mut text = String::new();
            for _ in 0..lines {
                text.push_str(rng.pick(&keys));
                text.push_str(rng.pick(&seps));
                text.push_str(rng.pick(&values));
                text.push_str(rng.pick(&ends));
            }
            text
        })
        .collect()
}

#[test]
fn every_env_file_gardefou_accepts_is_read_alike_by_node() {
    let all = files(4000);
    let accepted: Vec<&String> = all
        .iter()
        .filter(|t| gardefou_dotenv::node_divergence(t).is_none())
        .collect();
    assert!(accepted.len() > 500, "only {} accepted", accepted.len());
    assert!(
        accepted.len() < all.len(),
        "the generator must make refused files too"
    );
    let dir = tempfile_dir();
    let input = dir.join("files.json");
    let output = dir.join("parsed.json");
    std::fs::write(&input, serde_json::to_string(&accepted).unwrap()).unwrap();
    std::fs::write(
        dir.join("read.js"),
        "const fs = require('fs'); const { parseEnv } = require('util');\n\
         if (typeof parseEnv !== 'function') { console.error('util.parseEnv needs Node >= 20.12'); process.exit(3); }\n\
         const files = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));\n\
         fs.writeFileSync(process.argv[3], JSON.stringify(files.map((t) => parseEnv(t))));\n",
    )
    .unwrap();
    let out = Command::new("node")
        .arg(dir.join("read.js"))
        .arg(&input)
        .arg(&output)
        .output()
        .expect("node must be installed (scripts/test.sh installs it)");
    Run::from(out).success();
    let node: Vec<BTreeMap<String, String>> =
        serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    let mut differ = Vec::new();
    for (text, theirs) in accepted.iter().zip(&node) {
        let ours: BTreeMap<String, String> = gardefou_dotenv::parse(text)
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        if &ours != theirs {
            differ.push(format!(
                "{text:?}\n  gardefou: {ours:?}\n  node:     {theirs:?}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        differ.is_empty(),
        "{} of {} files read differently:\n{}",
        differ.len(),
        accepted.len(),
        differ[..differ.len().min(8)].join("\n")
    );
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("gardefou-parse-env-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
