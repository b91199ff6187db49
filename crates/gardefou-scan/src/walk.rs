//! Tree mode: a parallel walk that honours `.gitignore` and skips binary and oversized
//! files.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::{progress_bar, Error, Origin, Outcome, Scanner, Sink};

/// The path shown for a walked file: as given, without a leading `./`.
fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.replace('\\', "/")
}

pub(crate) fn scan_paths(scanner: &Scanner, paths: &[PathBuf]) -> Result<Outcome, Error> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    for p in paths {
        if let Err(source) = std::fs::metadata(p) {
            return Err(Error::Io {
                path: p.display().to_string(),
                source,
            });
        }
    }
    let mut builder = WalkBuilder::new(&paths[0]);
    for p in &paths[1..] {
        builder.add(p);
    }
    builder
        .hidden(false) // .env files are hidden, and exactly what we look for
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .ignore(true)
        .parents(true)
        .require_git(false)
        .follow_links(false)
        .threads(scanner.threads())
        .filter_entry(|e| e.file_name() != ".git");
    let max = scanner.options().max_file_size;
    let total = Mutex::new(Sink::default());
    let bar = progress_bar(scanner.options().progress, "files scanned");
    builder.build_parallel().run(|| {
        let total = &total;
        let bar = &bar;
        let mut sink = SinkGuard {
            sink: Sink::default(),
            total,
        };
        let mut buf = Vec::with_capacity(64 * 1024);
        Box::new(move |entry| {
            let sink = &mut sink.sink;
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    sink.stats.errors.push(err.to_string());
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let path = entry.path();
            let shown = display_path(path);
            match gardefou_edges::bounded::read_regular_into(path, max, &mut buf) {
                Err(err) => {
                    sink.stats.errors.push(format!("{shown}: {err}"));
                    return WalkState::Continue;
                }
                Ok(gardefou_edges::bounded::Filled::TooLarge) => {
                    sink.stats.skipped_large += 1;
                    return WalkState::Continue;
                }
                Ok(gardefou_edges::bounded::Filled::Read) => {}
            }
            if Scanner::is_binary(&buf) {
                sink.stats.skipped_binary += 1;
            } else {
                scanner.scan_into(&shown, Origin::default(), &buf, sink);
            }
            bar.inc(1);
            // Don't keep a large buffer alive for the rest of the walk.
            if buf.capacity() > 1 << 20 {
                buf = Vec::with_capacity(64 * 1024);
            }
            WalkState::Continue
        })
    });
    bar.finish_and_clear();
    let total = total.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(total.finish(scanner))
}

/// Hands a worker's findings to the shared total when the worker's closure is dropped.
struct SinkGuard<'a> {
    sink: Sink,
    total: &'a Mutex<Sink>,
}

impl Drop for SinkGuard<'_> {
    fn drop(&mut self) {
        let sink = std::mem::take(&mut self.sink);
        let mut total = self.total.lock().unwrap_or_else(|e| e.into_inner());
        total.merge(sink);
    }
}
