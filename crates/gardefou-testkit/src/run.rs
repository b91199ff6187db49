//! Run a command and assert its exit code in one step; on a mismatch the panic shows the
//! code, stdout and stderr, so that a failing test says why without a rerun.
//!
//! ```no_run
//! use gardefou_testkit::run::Runs;
//!
//! let run = std::process::Command::new("gardefou").arg("--version").run().success();
//! assert!(run.stdout.starts_with("gardefou "));
//! let refused = std::process::Command::new("gardefou").arg("check").run().refused();
//! assert!(refused.stdout.contains("error["), "{refused}");
//! ```

use std::fmt;
use std::process::{Command, Output};

/// A finished command: its exit code (`None` when a signal ended it) and its output as text
/// (lossy UTF-8). `Display` shows all three, the way a failed assertion prints them.
#[derive(Debug, Clone)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The command line, for failure messages (empty for a [`Run`] made from an `Output`).
    pub command: String,
    /// Whether stdout or stderr held bytes that are not UTF-8 (replaced by U+FFFD).
    lossy: bool,
}

/// Runs a command to its end, its output captured: [`Runs::run`].
pub trait Runs {
    /// Runs the command (stdin closed, stdout and stderr captured); panics only when it
    /// cannot be started.
    fn run(&mut self) -> Run;
}

impl Runs for Command {
    #[track_caller]
    fn run(&mut self) -> Run {
        let command = std::iter::once(self.get_program())
            .chain(self.get_args())
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        match self.output() {
            Ok(out) => Run {
                command,
                ..Run::from(out)
            },
            Err(e) => panic!("{command}: cannot be started: {e}"),
        }
    }
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            command: String::new(),
            lossy: std::str::from_utf8(&out.stdout).is_err()
                || std::str::from_utf8(&out.stderr).is_err(),
        }
    }
}

impl Run {
    /// Panics unless the command exited with `code`; the run, for further assertions.
    #[track_caller]
    pub fn exit(self, code: i32) -> Run {
        if self.code != Some(code) {
            panic!("{}: expected exit code {code}\n{self}", self.command);
        }
        self
    }

    /// Exit code 0.
    #[track_caller]
    pub fn success(self) -> Run {
        self.exit(0)
    }

    /// Exit code 1: gardefou refused (a violation, a finding).
    #[track_caller]
    pub fn refused(self) -> Run {
        self.exit(1)
    }

    /// Exit code 2: a usage or configuration error.
    #[track_caller]
    pub fn usage_error(self) -> Run {
        self.exit(2)
    }

    /// Any exit but 0 (a signal included).
    #[track_caller]
    pub fn failure(self) -> Run {
        if self.code == Some(0) {
            panic!("{}: expected a failure\n{self}", self.command);
        }
        self
    }

    /// Panics unless stdout and stderr were UTF-8 as written (nothing was replaced).
    #[track_caller]
    pub fn utf8(self) -> Run {
        assert!(
            !self.lossy,
            "{}: output that is not UTF-8\n{self}",
            self.command
        );
        self
    }

    /// stdout then stderr, as one text.
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// stdout read as one JSON document; panics, showing the run, when it is not one.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        self.parse("stdout", &self.stdout)
    }

    /// stderr read as one JSON document (`run` and `seed` report there).
    #[track_caller]
    pub fn stderr_json(&self) -> serde_json::Value {
        self.parse("stderr", &self.stderr)
    }

    #[track_caller]
    fn parse(&self, which: &str, text: &str) -> serde_json::Value {
        serde_json::from_str(text.trim()).unwrap_or_else(|e| {
            panic!(
                "{}: {which} is not one JSON document ({e})\n{self}",
                self.command
            )
        })
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => writeln!(f, "exit: {code}")?,
            None => writeln!(f, "exit: signal")?,
        }
        write!(f, "--- stdout\n{}--- stderr\n{}", self.stdout, self.stderr)
    }
}

#[cfg(test)]
mod tests {
    use super::Runs;
    use std::process::Command;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[test]
    fn the_code_is_asserted_and_the_output_kept() {
        let run = sh("echo out; echo err >&2; exit 1").run().refused();
        assert_eq!(run.stdout, "out\n");
        assert_eq!(run.stderr, "err\n");
        assert_eq!(run.output(), "out\nerr\n");
        assert_eq!(
            run.to_string(),
            "exit: 1\n--- stdout\nout\n--- stderr\nerr\n"
        );
        sh("exit 2").run().usage_error().failure().utf8();
        let bytes = sh("printf 'a\\377'").run().success();
        assert_eq!(bytes.stdout, "a\u{FFFD}");
        assert!(std::panic::catch_unwind(|| bytes.utf8()).is_err());
        assert_eq!(sh("echo '{\"a\": 1}'").run().success().json()["a"], 1);
    }

    #[test]
    fn a_mismatch_panics_with_the_output() {
        let panic = std::panic::catch_unwind(|| sh("echo shown; exit 3").run().success())
            .expect_err("exit 3 is not success");
        let message = panic.downcast_ref::<String>().unwrap();
        assert!(
            message.starts_with("sh -c echo shown; exit 3: expected exit code 0\n"),
            "{message}"
        );
        assert!(
            message.contains("exit: 3\n--- stdout\nshown\n"),
            "{message}"
        );
        assert!(std::panic::catch_unwind(|| sh("true").run().failure()).is_err());
    }
}
