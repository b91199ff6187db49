//! Baselines: accepted findings, recorded by fingerprint only.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::fingerprint::FingerprintKey;
use crate::Error;

/// A baseline file: the key its fingerprints are made with, and the accepted findings.
/// The rule and path of each entry are there for reviewers; only the fingerprint is
/// matched.
#[derive(Debug, Default)]
pub struct Baseline {
    /// The key every fingerprint is computed with while this baseline is used.
    pub key: FingerprintKey,
    fingerprints: HashSet<String>,
    entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    key: String,
    findings: Vec<Entry>,
}

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule id.
    pub rule: String,
    /// Path of the file.
    pub path: String,
    /// The finding's fingerprint.
    pub fingerprint: String,
}

impl Baseline {
    /// A baseline that accepts nothing yet, keyed with `key`.
    pub fn empty(key: FingerprintKey) -> Self {
        Baseline {
            key,
            fingerprints: HashSet::new(),
            entries: Vec::new(),
        }
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let io = |source| Error::Io {
            path: path.display().to_string(),
            source,
        };
        let bytes =
            gardefou_edges::bounded::read_regular(path, gardefou_edges::bounded::TEXT_LIMIT)
                .map_err(io)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not valid UTF-8",
            ))
        })?;
        let bad = |message: String| Error::Baseline {
            path: path.display().to_string(),
            message,
        };
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if file.version != 1 {
            return Err(bad(format!("unsupported version: {}", file.version)));
        }
        let key = FingerprintKey::from_hex(&file.key)
            .ok_or_else(|| bad("key is not 64 hex digits".to_owned()))?;
        Ok(Baseline {
            key,
            fingerprints: file
                .findings
                .iter()
                .map(|e| e.fingerprint.clone())
                .collect(),
            entries: file.findings,
        })
    }

    /// The accepted findings, as written in the file.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether a finding with this fingerprint is accepted.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// Writes a baseline accepting `entries`, keyed with `key`.
    pub fn write(path: &Path, key: &FingerprintKey, mut entries: Vec<Entry>) -> Result<(), Error> {
        entries.sort();
        entries.dedup();
        let file = BaselineFile {
            version: 1,
            key: key.to_hex(),
            findings: entries,
        };
        let mut text = serde_json::to_string_pretty(&file).expect("baseline serialises");
        text.push('\n');
        gardefou_edges::replace(path, text.as_bytes()).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })
    }
}
