//! Shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The Neon region suffix used in tests.
pub const R: &str = ".eu-west-2.aws.neon.tech";

/// A database password built at run time, so that no secret-shaped literal is committed.
pub fn fake_password() -> String {
    ["Tst", "Pw", "4x", "9q"].concat()
}

/// `ep-alpha-1` is production, `ep-beta-1` sandbox.
pub fn sandbox_policy() -> &'static str {
    "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n[database.sandbox]\nneon_endpoints = [\"ep-beta-1\"]\n"
}

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A `gardefou` command with an empty environment (PATH aside), run in the temp dir so
    /// that no stray `gardefou.toml` is picked up.
    pub fn cmd(&self, vars: &[(&str, &str)]) -> Command {
        Command::from_std(self.std_cmd(vars))
    }

    /// The same, as a `std::process::Command`, for tests that spawn and signal.
    pub fn std_cmd(&self, vars: &[(&str, &str)]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("gardefou"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .current_dir(self.dir.path());
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd
    }
}

pub fn render(out: &Output, dir: &Path) -> String {
    let scrub = |s: &[u8]| String::from_utf8_lossy(s).replace(&dir.display().to_string(), "[TMP]");
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().map_or("signal".into(), |c| c.to_string()),
        scrub(&out.stdout),
        scrub(&out.stderr)
    )
}
