//! Staged changes, through git's own plumbing (the history is read in-process: see
//! `history`). The index, `GIT_INDEX_FILE` in a hook and `git diff`'s idea of what a commit
//! adds are git's: `git diff --cached --raw` names the blobs about to be committed;
//! `cat-file` streams them. Each blob is scanned whole (a private key or a multi-line assignment
//! needs its context), and only findings on lines the commit adds are kept: those are
//! read from `git diff --cached -U0`'s hunk headers.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Mutex};

use crate::{progress_bar, Error, Origin, Outcome, Scanner, Sink};

/// git in the repository, in gardefou's controlled environment. The caller's
/// `GIT_INDEX_FILE` is kept: in a pre-commit hook of `git commit -a` it names the index of
/// what is about to be committed.
fn git(repo: &Path) -> Command {
    gardefou_edges::git::command(repo, gardefou_edges::git::Index::Callers)
}

fn spawn(mut cmd: Command, command: &'static str) -> Result<Child, Error> {
    cmd.spawn().map_err(|e| Error::Git {
        command,
        message: e.to_string(),
    })
}

fn check(child: &mut Child, command: &'static str) -> Result<(), Error> {
    let status = child.wait().map_err(|e| Error::Git {
        command,
        message: e.to_string(),
    })?;
    if status.success() {
        return Ok(());
    }
    let mut message = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut message);
    }
    let message = message.lines().next().unwrap_or("").trim().to_owned();
    Err(Error::Git {
        command,
        message: if message.is_empty() {
            status.to_string()
        } else {
            message
        },
    })
}

/// One blob to scan.
struct Blob {
    path: String,
    data: Vec<u8>,
}

/// Reads `cat-file --batch` output (format `%(objectname) %(objecttype) %(objectsize)
/// %(rest)`) and sends blobs of at most `max` bytes to `tx`.
fn read_batch(
    out: impl Read,
    max: u64,
    tx: &mpsc::SyncSender<Blob>,
    sink: &mut Sink,
    bar: &indicatif::ProgressBar,
) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Git {
        command: "cat-file",
        message: e.to_string(),
    };
    let mut out = BufReader::with_capacity(256 * 1024, out);
    let mut header = String::new();
    loop {
        header.clear();
        if out.read_line(&mut header).map_err(io)? == 0 {
            return Ok(());
        }
        let line = header.trim_end_matches('\n');
        // A missing object is reported as `<oid> missing` (the path is not echoed).
        if let Some(oid) = line.strip_suffix(" missing") {
            sink.stats
                .errors
                .push(format!("object {oid}: missing from the repository"));
            continue;
        }
        let mut parts = line.splitn(4, ' ');
        let (oid, kind, size) = (parts.next(), parts.next(), parts.next());
        let path = parts.next().unwrap_or("").to_owned();
        let (Some(_), Some(kind), Some(size)) = (oid, kind, size) else {
            return Err(Error::Git {
                command: "cat-file",
                message: format!("unexpected output: {line}"),
            });
        };
        let size: u64 = size.parse().map_err(|_| Error::Git {
            command: "cat-file",
            message: format!("unexpected size: {size}"),
        })?;
        let wanted = kind == "blob" && !path.is_empty();
        if !wanted || size > max {
            if wanted {
                sink.stats.skipped_large += 1;
            }
            std::io::copy(&mut (&mut out).take(size + 1), &mut std::io::sink()).map_err(io)?;
            continue;
        }
        let mut data = vec![0u8; size as usize];
        out.read_exact(&mut data).map_err(io)?;
        let mut lf = [0u8; 1];
        out.read_exact(&mut lf).map_err(io)?;
        if Scanner::is_binary(&data) {
            sink.stats.skipped_binary += 1;
            continue;
        }
        bar.inc(1);
        if tx.send(Blob { path, data }).is_err() {
            return Ok(());
        }
    }
}

/// Scans blobs from `produce` on worker threads.
fn scan_blobs(
    scanner: &Scanner,
    produce: impl FnOnce(&mpsc::SyncSender<Blob>, &mut Sink) -> Result<(), Error> + Send,
) -> Result<Sink, Error> {
    let total = Mutex::new(Sink::default());
    let (tx, rx) = mpsc::sync_channel::<Blob>(scanner.threads() * 4);
    let rx = Mutex::new(rx);
    let produced = std::thread::scope(|s| {
        for _ in 0..scanner.threads() {
            s.spawn(|| {
                let mut sink = Sink::default();
                loop {
                    let blob = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok(blob) = blob else { break };
                    // Staged content has no commit yet.
                    scanner.scan_into(&blob.path, Origin::default(), &blob.data, &mut sink);
                }
                if let Ok(mut t) = total.lock() {
                    t.merge(sink);
                }
            });
        }
        let mut sink = Sink::default();
        let r = produce(&tx, &mut sink);
        drop(tx);
        if let Ok(mut t) = total.lock() {
            t.merge(sink);
        }
        r
    });
    produced?;
    Ok(total.into_inner().unwrap_or_else(|e| e.into_inner()))
}

pub(crate) fn scan_staged(scanner: &Scanner, repo: &Path) -> Result<Outcome, Error> {
    let raw = diff_cached(
        repo,
        &[
            "--raw",
            "-z",
            "--no-abbrev",
            "--no-renames",
            "--diff-filter=ACMRT",
        ],
    )?;
    // `:old_mode new_mode old_oid new_oid status\0path\0`
    let mut staged = Vec::new();
    let mut fields = raw.split(|&b| b == 0);
    while let Some(meta) = fields.next() {
        if meta.is_empty() {
            continue;
        }
        let Some(path) = fields.next() else { break };
        let meta = String::from_utf8_lossy(meta);
        let mut parts = meta.split(' ');
        let new_mode = parts.nth(1).unwrap_or("");
        let new_oid = parts.nth(1).unwrap_or("");
        // Skip submodules (160000) and symlinks (120000): no content of ours to scan.
        if new_mode.starts_with("1600") || new_mode.starts_with("1200") {
            continue;
        }
        if new_oid.bytes().all(|b| b == b'0') {
            continue;
        }
        staged.push((
            new_oid.to_owned(),
            String::from_utf8_lossy(path).into_owned(),
        ));
    }
    let max = scanner.options().max_file_size;
    let bar = progress_bar(scanner.options().progress, "staged files scanned");
    let mut sink = scan_blobs(scanner, |tx, sink| {
        let mut cat = git(repo);
        cat.args([
            "cat-file",
            "--batch=%(objectname) %(objecttype) %(objectsize) %(rest)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut cat = spawn(cat, "cat-file")?;
        let mut stdin = cat.stdin.take().expect("piped");
        let out = cat.stdout.take().expect("piped");
        // Feed on a thread: cat-file's output is consumed concurrently.
        let feeder = std::thread::spawn(move || {
            for (oid, path) in staged {
                if writeln!(stdin, "{oid} {path}").is_err() {
                    break;
                }
            }
        });
        let read = read_batch(out, max, tx, sink, &bar);
        let _ = feeder.join();
        read?;
        check(&mut cat, "cat-file")
    })?;
    bar.finish_and_clear();
    let added = added_lines(repo)?;
    sink.findings.retain(|f| {
        let Some(loc) = f.location.as_ref() else {
            return true;
        };
        // A file the diff did not name is kept whole: nothing is dropped on a guess.
        added
            .get(&loc.path)
            .is_none_or(|ranges| ranges.iter().any(|r| r.contains(&loc.line)))
    });
    Ok(sink.finish(scanner))
}

/// For each staged path, the line ranges (1-based, in the staged file) that the commit
/// adds or changes, from `git diff --cached -U0`.
fn added_lines(repo: &Path) -> Result<HashMap<String, Vec<std::ops::Range<usize>>>, Error> {
    let out = diff_cached(
        repo,
        &[
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
            "--diff-filter=ACMRT",
            "--src-prefix=a/",
            "--dst-prefix=b/",
        ],
    )?;
    Ok(parse_added_lines(&out))
}

/// The standard output of `git diff --cached` with `args`; an error if git fails.
fn diff_cached(repo: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let mut diff = git(repo);
    diff.args(["diff", "--cached"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn(diff, "diff")?;
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_end(&mut out)
        .map_err(|e| Error::Git {
            command: "diff",
            message: e.to_string(),
        })?;
    check(&mut child, "diff")?;
    Ok(out)
}

/// Reads a `-U0` patch: `+++ b/PATH` names the file, each `@@ -a,b +c,d @@` adds lines
/// `c..c+d`. Hunk bodies are skipped by count, so an added line that reads `+++ b/x` is
/// never taken for a header.
fn parse_added_lines(patch: &[u8]) -> HashMap<String, Vec<std::ops::Range<usize>>> {
    let mut files: HashMap<String, Vec<std::ops::Range<usize>>> = HashMap::new();
    let mut current: Option<String> = None;
    let (mut old_left, mut new_left) = (0usize, 0usize);
    for line in patch.split(|&b| b == b'\n') {
        if old_left + new_left > 0 {
            match line.first() {
                Some(b'-') => old_left = old_left.saturating_sub(1),
                Some(b'+') => new_left = new_left.saturating_sub(1),
                _ => {} // `\ No newline at end of file`
            }
            continue;
        }
        if line.starts_with(b"diff --git ") {
            current = None;
        } else if let Some(path) = line.strip_prefix(b"+++ ") {
            current = path
                .strip_prefix(b"b/")
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .or_else(|| unquote(path).and_then(|p| p.strip_prefix("b/").map(str::to_owned)));
            if let Some(path) = &current {
                files.entry(path.clone()).or_default();
            }
        } else if let Some(header) = line.strip_prefix(b"@@ -") {
            let header = String::from_utf8_lossy(header);
            let mut parts = header.split(' ');
            let count = |spec: &str| -> (usize, usize) {
                let mut it = spec.splitn(2, ',');
                let start = it.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                let len = it.next().map_or(Some(1), |n| n.parse().ok()).unwrap_or(0);
                (start, len)
            };
            let (_, old_len) = count(parts.next().unwrap_or(""));
            let (new_start, new_len) =
                count(parts.next().and_then(|p| p.strip_prefix('+')).unwrap_or(""));
            old_left = old_len;
            new_left = new_len;
            if let (Some(path), true) = (&current, new_len > 0) {
                files
                    .entry(path.clone())
                    .or_default()
                    .push(new_start..new_start + new_len);
            }
        }
    }
    files
}

/// Git's C-style quoting of a path (`"a\"b\tc\303\251"`), for names with quotes,
/// backslashes or control characters.
fn unquote(quoted: &[u8]) -> Option<String> {
    let inner = quoted.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let mut out = Vec::with_capacity(inner.len());
    let mut bytes = inner.iter().copied();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let escaped = match bytes.next()? {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'a' => 0x07,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'v' => 0x0b,
            d @ b'0'..=b'7' => {
                let mut n = u32::from(d - b'0');
                for _ in 0..2 {
                    n = n * 8 + u32::from(bytes.next()?.checked_sub(b'0').filter(|v| *v < 8)?);
                }
                u8::try_from(n).ok()?
            }
            other => other,
        };
        out.push(escaped);
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_come_from_hunk_headers_and_bodies_are_skipped() {
        let patch = b"diff --git a/a.js b/a.js\n\
index 1..2 100644\n\
--- a/a.js\n\
+++ b/a.js\n\
@@ -2,0 +3,2 @@ ctx\n\
++++ b/evil\n\
+@@ -1 +1,9 @@\n\
@@ -9 +10 @@\n\
-old\n\
+new\n\
diff --git a/gone.txt b/gone.txt\n\
@@ -1 +0,0 @@\n\
-x\n\
diff --git \"a/q\\\"uote\\303\\251\" \"b/q\\\"uote\\303\\251\"\n\
new file mode 100644\n\
--- /dev/null\n\
+++ \"b/q\\\"uote\\303\\251\"\n\
@@ -0,0 +1 @@\n\
+k\n";
        let added = parse_added_lines(patch);
        assert_eq!(added["a.js"], vec![3..5, 10..11]);
        assert!(!added.contains_key("evil"));
        assert_eq!(added["q\"uote\u{e9}"], vec![1..2]);
        assert_eq!(added.len(), 2);
    }
}
