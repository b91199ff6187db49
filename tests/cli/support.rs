//! Shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub use gardefou_testkit::run::{Run, Runs};

/// The Neon region suffix used in tests.
pub const R: &str = ".eu-west-2.aws.neon.tech";

/// A database password built at run time, so that no secret-shaped literal is committed.
pub fn fake_password() -> String {
    ["Tst", "Pw", "4x", "9q"].concat()
}

/// A live and a test Stripe secret key that end in `body`, built at run time.
pub fn stripe_keys(body: &str) -> (String, String) {
    (
        ["sk_", "live_", body].concat(),
        ["sk_", "test_", body].concat(),
    )
}

/// `ep-alpha-1` is production, `ep-beta-1` sandbox.
pub fn sandbox_policy() -> &'static str {
    "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n[database.sandbox]\nneon_endpoints = [\"ep-beta-1\"]\n"
}

/// Production on the loopback port `prod`, the sandbox on the loopback ports `sandbox`.
pub fn hosts_policy(prod: u16, sandbox: &[u16]) -> String {
    let sandbox: Vec<String> = sandbox
        .iter()
        .map(|p| format!("\"127.0.0.1:{p}\""))
        .collect();
    format!(
        "[database.production]\nhosts = [\"127.0.0.1:{prod}\"]\n[database.sandbox]\nhosts = [{}]\n",
        sandbox.join(", ")
    )
}

pub struct Env {
    pub dir: tempfile::TempDir,
}

/// The throwaway signing key of this test process: an Ed25519 key made by `ssh-keygen` in a
/// temp dir on first use (no key is committed), with its allowed signers line.
pub struct TestSigner {
    _dir: tempfile::TempDir,
    pub key: PathBuf,
    /// `gardefou-tests namespaces="gardefou-policy" ssh-ed25519 AAAA…`
    pub allowed: String,
}

/// The process's [`TestSigner`].
pub fn signer() -> &'static TestSigner {
    static SIGNER: std::sync::OnceLock<TestSigner> = std::sync::OnceLock::new();
    SIGNER.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let key = ssh_keygen(dir.path(), "signer");
        let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
        TestSigner {
            allowed: format!(
                "gardefou-tests namespaces=\"gardefou-policy\" {}",
                public.trim()
            ),
            key,
            _dir: dir,
        }
    })
}

/// An unencrypted Ed25519 key pair made by `ssh-keygen` in `dir`: the private key's path.
pub fn ssh_keygen(dir: &Path, name: &str) -> PathBuf {
    ssh_keygen_with(dir, name, &["-t", "ed25519", "-N", ""])
}

/// A key pair made by `ssh-keygen` with `args` (type, size, passphrase).
pub fn ssh_keygen_with(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    Command::new("ssh-keygen")
        .args(["-q", "-C", &format!("{name}@koomy.app"), "-f"])
        .arg(&path)
        .args(args)
        .run()
        .success();
    path
}

/// Signs the file `path` with `key` as `ssh-keygen -Y sign -n gardefou-policy` would:
/// `path.sig` beside it.
pub fn sign_file(path: &Path, key: &Path) {
    let text = gardefou_redact::Secret::from(std::fs::read_to_string(key).unwrap());
    let key = gardefou_sshsig::SigningKey::from_openssh(&text).unwrap();
    let signature = key
        .sign(&std::fs::read(path).unwrap(), "gardefou-policy")
        .unwrap();
    let mut sig = path.as_os_str().to_owned();
    sig.push(".sig");
    std::fs::write(sig, signature).unwrap();
}

impl Env {
    pub fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A new env whose `./gardefou.toml` is `policy`, signed ([`Env::write_policy`]).
    pub fn with_policy(policy: &str) -> Self {
        let env = Env::new();
        env.write_policy("gardefou.toml", policy);
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `text` to `name` (its directories made as needed).
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Writes an env file `name` that sets `STRIPE_SECRET_KEY` to `key`.
    pub fn write_stripe_key(&self, name: &str, key: &str) -> PathBuf {
        self.write(name, &format!("STRIPE_SECRET_KEY={key}\n"))
    }

    /// Makes `name` a sparse file of `len` bytes, which costs no disk.
    pub fn write_sparse(&self, name: &str, len: u64) -> PathBuf {
        let p = self.path(name);
        std::fs::File::create(&p).unwrap().set_len(len).unwrap();
        p
    }

    /// Writes an executable file (a script with its `#!` line).
    pub fn write_executable(&self, name: &str, text: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = self.write(name, text);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    /// Writes a policy file and signs it with the process's [`TestSigner`], whose allowed
    /// signers line every [`Env::cmd`] gets: a policy production accepts.
    pub fn write_policy(&self, name: &str, text: &str) -> PathBuf {
        let p = self.write(name, text);
        sign_file(&p, &signer().key);
        p
    }

    /// A `gardefou` command with an empty environment (PATH aside, and the test signer as
    /// `GARDEFOU_ALLOWED_SIGNERS` unless `vars` names allowed signers), run in the temp dir
    /// so that no stray `gardefou.toml` is picked up.
    pub fn cmd(&self, vars: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("gardefou"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .current_dir(self.dir.path());
        if !vars
            .iter()
            .any(|(k, _)| k.starts_with("GARDEFOU_ALLOWED_SIGNERS"))
        {
            cmd.env("GARDEFOU_ALLOWED_SIGNERS", &signer().allowed);
        }
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd
    }

    /// `gardefou ARGS` as [`Env::cmd`] builds it, run to its end.
    pub fn run(&self, vars: &[(&str, &str)], args: &[&str]) -> Run {
        self.cmd(vars).args(args).run()
    }

    /// [`Env::run`] with the arguments written as one line, split at spaces (no argument
    /// of such a line holds one): `env.run_line(&[], "check --format json")`.
    pub fn run_line(&self, vars: &[(&str, &str)], line: &str) -> Run {
        self.cmd(vars).args(line.split_ascii_whitespace()).run()
    }

    /// [`Env::run_line`] with one more argument after the line's, taken whole (a path or
    /// `NAME=PATH`, which may hold spaces): `env.run_line_with(&[], "policy sign --key", &key)`.
    pub fn run_line_with(
        &self,
        vars: &[(&str, &str)],
        line: &str,
        last: impl AsRef<std::ffi::OsStr>,
    ) -> Run {
        self.cmd(vars)
            .args(line.split_ascii_whitespace())
            .arg(last)
            .run()
    }

    /// `gardefou run -- COMMAND` as [`Env::cmd`] builds it, run to its end.
    pub fn run_guarded(&self, vars: &[(&str, &str)], command: &[&str]) -> Run {
        self.cmd(vars).arg("run").arg("--").args(command).run()
    }

    /// The run as a snapshot shows it: exit code, stdout and stderr, scrubbed ([`scrub`]).
    pub fn render(&self, run: &Run) -> String {
        render(run, self.dir.path())
    }
}

/// The findings of a JSON report (`check`, `run`…), each a `{rule, severity, …}` object.
pub fn findings(doc: &serde_json::Value) -> &[serde_json::Value] {
    doc["findings"].as_array().unwrap()
}

/// The string `key` of each object of the JSON array `list`, in order.
pub fn strings_of<'a>(list: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap())
        .collect()
}

/// The rule ids of a JSON report's findings whose severity is `error`, in order.
pub fn error_rules(doc: &serde_json::Value) -> Vec<&str> {
    findings(doc)
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

/// The finding of `rule` in a JSON report; panics, showing the report, when there is none.
#[track_caller]
pub fn finding<'a>(doc: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    findings(doc)
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no finding {rule}: {doc:#}"))
}

/// The row `id` of `gardefou report --format json`; panics, showing the report, when there
/// is none.
#[track_caller]
pub fn report_row<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no row {id}: {doc:#}"))
}

/// Panics, showing `text`, unless `text` contains `needle`.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "{text}");
}

/// Panics, showing `text`, if `text` contains `needle`.
#[track_caller]
pub fn assert_lacks(text: &str, needle: &str) {
    assert!(!text.contains(needle), "{text}");
}

/// Panics if any 8 consecutive characters of `secret` (all of it, when shorter) appear in
/// `text`; `what` names the text. The message shows two characters of the piece, no more.
pub fn assert_no_piece_of(what: &str, secret: &str, text: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for window in chars.windows(chars.len().clamp(1, 8)) {
        let piece: String = window.iter().collect();
        assert!(
            !text.contains(&piece),
            "{what} holds a piece of a planted value ({:.2}…):\n{text}",
            piece
        );
    }
}

/// The run as a snapshot shows it: exit code, stdout and stderr, scrubbed ([`scrub`]).
pub fn render(run: &Run, dir: &Path) -> String {
    scrub(&run.to_string(), dir)
}

/// What changes from one run to the next, replaced by a placeholder so that snapshots hold
/// only what the command decides: the temp dir (`[TMP]`) and the ports the system hands out
/// on loopback (5 digits: `127.0.0.1:[PORT]`; the fixed ports tests write stay).
pub fn scrub(text: &str, dir: &Path) -> String {
    use std::sync::OnceLock;
    static RULES: OnceLock<Vec<(regex::Regex, &'static str)>> = OnceLock::new();
    let rules = RULES.get_or_init(|| {
        [(
            r"(127\.0\.0\.1|localhost):[1-9][0-9]{4}(?-u:\b)",
            "$1:[PORT]",
        )]
        .into_iter()
        .map(|(re, to)| (regex::Regex::new(re).unwrap(), to))
        .collect()
    });
    let mut text = text.replace(&dir.display().to_string(), "[TMP]");
    for (re, to) in rules {
        text = re.replace_all(&text, *to).into_owned();
    }
    text
}

/// A throwaway cluster with a database `koomy`, and the URL of the application role.
pub fn cluster() -> (gardefou_testkit::Cluster, String) {
    let pg = gardefou_testkit::Cluster::start();
    pg.create_database("koomy");
    let url = pg.url("koomy", "");
    (pg, url)
}

/// `KOOMY_ENV`, `NODE_ENV` and `DATABASE_URL` for an environment.
pub fn vars<'a>(env: &'a str, url: &'a str) -> [(&'static str, &'a str); 3] {
    let node = if env == "local" {
        "development"
    } else {
        "production"
    };
    [
        ("KOOMY_ENV", env),
        ("NODE_ENV", node),
        ("DATABASE_URL", url),
    ]
}

/// The words of `line`, split at spaces: a command none of whose arguments holds one.
pub fn words(line: &str) -> Vec<&str> {
    line.split_ascii_whitespace().collect()
}

/// `base` followed by `extra`: an environment with a few more variables.
pub fn vars_with<'a>(
    base: &[(&'a str, &'a str)],
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    base.iter().chain(extra).copied().collect()
}

/// Variables written as one line of `NAME=value` words (no value holds a space):
/// `assignments("KOOMY_ENV=sandbox NODE_ENV=dev")`.
pub fn assignments(line: &str) -> Vec<(&str, &str)> {
    line.split_ascii_whitespace()
        .map(|word| {
            word.split_once('=')
                .unwrap_or_else(|| panic!("not NAME=value: {word}"))
        })
        .collect()
}

/// A local cluster stamped `local` with `gardefou db stamp` itself.
pub fn stamped_local(env: &Env) -> (gardefou_testkit::Cluster, String) {
    let (pg, url) = cluster();
    env.run(&vars("local", &url), &["db", "stamp"]).success();
    (pg, url)
}

/// A `gardefou ARGS` command in the temp dir whose environment is exactly this block,
/// duplicates included (which no safe API can build): the forked child calls `execve`
/// itself with that block.
#[allow(unsafe_code)] // fork + execve of a raw environment block: no safe API builds one
pub fn raw_environment_cmd(dir: &Path, args: &[&str], entries: &[String]) -> std::process::Command {
    use std::ffi::{c_char, c_int, CString};
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::process::CommandExt;
    extern "C" {
        fn execve(
            path: *const c_char,
            argv: *const *const c_char,
            envp: *const *const c_char,
        ) -> c_int;
    }
    let program = assert_cmd::cargo::cargo_bin("gardefou");
    let mut cmd = std::process::Command::new(&program);
    cmd.current_dir(dir);
    // Everything is built in the parent: between fork and exec the child only reads it.
    // Addresses are kept as integers so that the closure is Send + Sync.
    let path = CString::new(program.as_os_str().as_bytes()).unwrap();
    let strings = |items: Vec<CString>| {
        let mut ptrs: Vec<usize> = items.iter().map(|s| s.as_ptr() as usize).collect();
        ptrs.push(0);
        (items, ptrs)
    };
    let argv = strings(
        std::iter::once("gardefou")
            .chain(args.iter().copied())
            .map(|a| CString::new(a).unwrap())
            .collect(),
    );
    let envp = strings(
        entries
            .iter()
            .map(|e| CString::new(e.as_str()).unwrap())
            .collect(),
    );
    // SAFETY: the closure only reads memory built before the fork and calls execve, which
    // is async-signal-safe; it returns only when execve failed.
    unsafe {
        cmd.pre_exec(move || {
            // Keeps the strings alive (a closure captures only the fields it names).
            let _strings = (&argv.0, &envp.0);
            execve(
                path.as_ptr(),
                argv.1.as_ptr().cast::<*const c_char>(),
                envp.1.as_ptr().cast::<*const c_char>(),
            );
            Err(std::io::Error::last_os_error())
        });
    }
    cmd
}
