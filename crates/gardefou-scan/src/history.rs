//! Git history, read in-process with `gix`: every blob reachable from any ref, once.
//!
//! - **What is read**: the tips are every ref under `refs/` (branches, tags, remotes, the
//!   stash, notes) and `HEAD`, annotated tags peeled — what `git rev-list --all` starts
//!   from. The repository is opened through [`gardefou_edges::git::open`]: no variable of
//!   the caller's environment can choose another repository, object store or history, and
//!   replace refs are not applied.
//! - **In which order**: commits newest first by commit time (git's own default order);
//!   each commit's tree is traversed, skipping every tree and blob already seen, so each blob
//!   is read once, at the path it is first seen at (the path `rev-list --objects` gives).
//!   Newest first is also the order in which packs store deltas (an older version is a
//!   delta against a newer one), so the previous version of a file is usually the cached
//!   base of the next one read; blobs of one path always go to the same worker for that.
//! - **What is scanned**: what each version of a file adds. A version is held back until
//!   the next version of its path arrives (the one before it, usually), and only its lines
//!   that this older one lacks are scanned; the oldest is scanned whole. A finding depends
//!   on its line alone in every file with no multi-line rule's keyword and no whole-file
//!   rule (the others are scanned whole), so a shared line's findings are made in the older
//!   version, or the one before, and none is lost (see [`read_and_scan`]).
//! - **Which commit**: only for the paths that hold a finding, every version of the path
//!   that holds the value is scanned again, and the commits are walked again, each tree read
//!   once more, remembering which of those versions it holds: the finding's commit is the
//!   oldest holding one of them (at whatever path; the finding names the path the blob was
//!   first seen at), with its line and column there. Trees that a tag names directly are
//!   traversed last, and their blobs have no commit.
//! - **Bounded memory**: the whole-history structures are the commit ids in walk order,
//!   the set of tree and blob ids seen (about 30 bytes an object; the second walk's set of
//!   trees replaces it) and, per text blob, its id and a key of its path (32 bytes). Each
//!   worker holds back at most [`HELD`] bytes of file versions. Blobs are read and
//!   scanned by worker threads fed through bounded channels of ids; each thread has its own
//!   view of the object database with a bounded delta-base cache, and reopens it after
//!   reading [`REMAP_AFTER`] bytes: packs are memory-mapped whole, and every page read
//!   would otherwise stay resident for the whole scan.
//! - Submodule entries (gitlinks) are skipped, symlinks are scanned like files (their text is
//!   the link's target), blobs over the size limit are counted and not read, binary blobs
//!   are counted and not scanned. In a shallow clone the walk stops at the shallow boundary.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};

use gix::hash::ObjectId;
use gix::objs::{FindExt, FindHeader};

use crate::{progress_bar, Error, Origin, Outcome, Scanner, Sink};

/// A thread's object database view is reopened after this many bytes of objects were read
/// through it (see the module doc).
const REMAP_AFTER: u64 = 4 * 1024 * 1024;

/// What finding one object may leave resident besides its bytes: the pages of the pack
/// index that its binary search reads.
const LOOKUP: u64 = 16 * 1024;

/// The delta-base cache of each thread's view of the object database, in bytes.
const PACK_CACHE: usize = 4 * 1024 * 1024;

/// A worker keeps a buffer of at most this many bytes between blobs.
const BUFFER_KEPT: usize = 1024 * 1024;

/// Blobs waiting for each worker.
const QUEUE: usize = 64;

/// Where a traversal starts: a commit, or a tree that a tag names.
enum Root {
    Commit(ObjectId),
    Tree(ObjectId),
}

/// One blob to read and scan.
struct Job {
    oid: ObjectId,
    path: String,
}

/// One thread's view of the repository's objects (see the module doc).
struct Objects {
    git_dir: PathBuf,
    repo: gix::Repository,
    read: u64,
}

impl Objects {
    fn open(git_dir: &Path) -> Result<Self, String> {
        let mut repo = gardefou_edges::git::open_git_dir(git_dir).map_err(|e| e.to_string())?;
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::StaticLinkedList::<64>::new(
                PACK_CACHE,
            ))
        });
        repo.objects.unset_object_cache();
        Ok(Objects {
            git_dir: git_dir.to_owned(),
            repo,
            read: 0,
        })
    }

    /// Counts one object of `bytes` read, and reopens the view once enough were.
    fn charge(&mut self, bytes: usize) -> Result<(), String> {
        self.read += bytes as u64 + LOOKUP;
        if self.read >= REMAP_AFTER {
            *self = Objects::open(&self.git_dir)?;
        }
        Ok(())
    }

    /// The tree of commit `c`.
    fn commit_tree(&mut self, c: &ObjectId, buf: &mut Vec<u8>) -> Result<ObjectId, String> {
        let tree = self
            .repo
            .objects
            .find_commit_iter(c, buf)
            .map_err(|e| e.to_string())
            .and_then(|mut it| it.tree_id().map_err(|e| e.to_string()));
        self.charge(buf.len())?;
        tree
    }
}

fn failed(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::GitHistory {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

pub(crate) fn scan(scanner: &Scanner, dir: &Path) -> Result<Outcome, Error> {
    let repo = gardefou_edges::git::open(dir).map_err(|e| failed(dir, e))?;
    let git_dir = repo.git_dir().to_owned();
    let mut errors = Vec::new();
    let (commit_tips, tree_tips) = tips(&repo, &mut errors).map_err(|e| failed(dir, e))?;
    let commits = commits_newest_first(&repo, commit_tips).map_err(|e| failed(dir, e))?;
    drop(repo);

    let bar = progress_bar(scanner.options().progress, "blobs");
    let max = scanner.options().max_file_size;
    let total = Mutex::new(Sink::default());
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..scanner.threads())
        .map(|_| mpsc::sync_channel::<Job>(QUEUE))
        .unzip();
    let walked = std::thread::scope(|s| {
        for rx in rxs {
            let (total, git_dir) = (&total, &git_dir);
            s.spawn(move || {
                let mut sink = Sink::default();
                if let Err(e) = read_and_scan(scanner, git_dir, max, rx, &mut sink) {
                    sink.stats.errors.push(e);
                }
                if let Ok(mut t) = total.lock() {
                    t.merge(sink);
                }
            });
        }
        let roots = commits
            .iter()
            .map(|c| Root::Commit(*c))
            .chain(tree_tips.iter().map(|t| Root::Tree(*t)));
        let walked = walk_trees(&git_dir, roots, &txs, &bar, &mut errors);
        // The workers finish their queues and stop.
        drop(txs);
        walked
    });
    walked.map_err(|e| failed(dir, e))?;
    bar.finish_and_clear();
    let mut sink = total.into_inner().unwrap_or_else(|e| e.into_inner());
    sink.stats.errors.extend(errors);
    if !sink.findings.is_empty() {
        attribute_commits(&git_dir, &commits, scanner, &mut sink).map_err(|e| failed(dir, e))?;
    }
    Ok(sink.finish(scanner))
}

/// The peeled targets of every ref and of `HEAD`: commits to walk, and trees that a tag
/// names directly. A tag naming a blob names no path: it is not scanned (as `rev-list`
/// lists it without one). A ref that cannot be read is reported, not fatal.
fn tips(
    repo: &gix::Repository,
    errors: &mut Vec<String>,
) -> Result<(Vec<ObjectId>, Vec<ObjectId>), gix::Error> {
    let (mut commits, mut trees) = (Vec::new(), Vec::new());
    let mut targets = Vec::new();
    if let Ok(head) = repo.head_id() {
        targets.push(("HEAD".to_owned(), Ok(head.detach())));
    }
    let refs = repo.references()?;
    for r in refs.all()? {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("a ref: {e}"));
                continue;
            }
        };
        let name = r.name().as_bstr().to_string();
        targets.push((name, r.peel_to_id().map(gix::Id::detach)));
    }
    for (name, target) in targets {
        let kind = target.and_then(|id| Ok((id, repo.find_header(id)?.kind())));
        match kind {
            Ok((id, gix::object::Kind::Commit)) => commits.push(id),
            Ok((id, gix::object::Kind::Tree)) => trees.push(id),
            Ok(_) => {}
            Err(e) => errors.push(format!("ref {name}: {e}")),
        }
    }
    commits.sort();
    commits.dedup();
    trees.sort();
    trees.dedup();
    Ok((commits, trees))
}

/// Every commit reachable from `tips`, in git's default order: newest first by commit
/// time, a parent never before the child that reached it. A shallow clone's walk stops at
/// its boundary.
fn commits_newest_first(
    repo: &gix::Repository,
    tips: Vec<ObjectId>,
) -> Result<Vec<ObjectId>, gix::Error> {
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let walk = repo
        .rev_walk(tips)
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
        ))
        .all()?;
    let mut commits = Vec::new();
    for info in walk {
        commits.push(info?.id);
    }
    Ok(commits)
}

/// The worker that reads the blobs of `path`: always the same one, so that the previous
/// version of a file (the base of the next one's delta) is in that worker's cache.
fn worker_for(path: &str, workers: usize) -> usize {
    (path_key(path) % workers as u64) as usize
}

/// A key of `path` (FNV-1a): the same on every run.
fn path_key(path: &str) -> u64 {
    path.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Traverses the tree of each root, sending every blob not seen before, with its path, to
/// the worker for that path.
fn walk_trees(
    git_dir: &Path,
    roots: impl Iterator<Item = Root>,
    txs: &[mpsc::SyncSender<Job>],
    bar: &indicatif::ProgressBar,
    errors: &mut Vec<String>,
) -> Result<(), String> {
    let mut objects = Objects::open(git_dir)?;
    // Sized once for every packed object (an upper bound of what is reachable, loose objects
    // aside): growing by doubling would hold the old table and the new one at once. Pages
    // of the table that no id lands in are never touched.
    let packed = objects.repo.objects.packed_object_count().unwrap_or(0);
    let mut seen = gix::hashtable::HashSet::<ObjectId>::default();
    seen.reserve(usize::try_from(packed.min(1 << 26)).unwrap_or(0));
    let mut buf = Vec::new();
    // Trees still to traverse from the current root: (tree, path prefix).
    let mut stack: Vec<(ObjectId, String)> = Vec::new();
    let mut entries: Vec<(ObjectId, String, bool)> = Vec::new();
    for root in roots {
        let root = match root {
            Root::Commit(c) => match objects.commit_tree(&c, &mut buf) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(format!("commit {c}: {e}"));
                    continue;
                }
            },
            Root::Tree(t) => t,
        };
        stack.push((root, String::new()));
        while let Some((tree, prefix)) = stack.pop() {
            if !seen.insert(tree) {
                continue;
            }
            entries.clear();
            match objects.repo.objects.find_tree_iter(&tree, &mut buf) {
                Ok(iter) => {
                    for entry in iter {
                        let entry = match entry {
                            Ok(e) => e,
                            Err(e) => {
                                errors.push(format!("tree {tree}: {e}"));
                                break;
                            }
                        };
                        // Submodules are other repositories: nothing of ours to read.
                        if entry.mode.is_commit() {
                            continue;
                        }
                        let is_tree = entry.mode.is_tree();
                        if seen.contains(entry.oid) {
                            continue;
                        }
                        let name = String::from_utf8_lossy(entry.filename);
                        let path = if prefix.is_empty() {
                            name.into_owned()
                        } else {
                            format!("{prefix}/{name}")
                        };
                        entries.push((entry.oid.to_owned(), path, is_tree));
                    }
                }
                Err(e) => {
                    errors.push(format!("tree {tree}: {e}"));
                    continue;
                }
            }
            objects.charge(buf.len())?;
            // Depth first, in the tree's order: subtrees are pushed in reverse.
            for (oid, path, is_tree) in entries.drain(..).rev() {
                if is_tree {
                    stack.push((oid, path));
                } else if seen.insert(oid) {
                    bar.inc(1);
                    let worker = worker_for(&path, txs.len());
                    if txs[worker].send(Job { oid, path }).is_err() {
                        // The worker stopped on an error, which it reports.
                        return Ok(());
                    }
                }
            }
        }
    }
    Ok(())
}

/// A worker: reads each blob it is sent and scans what it does not share with the
/// previous version of its file. Each finding's `commit` holds, for now, the id of the
/// blob it was found in (for [`attribute_commits`]).
///
/// The walk meets the versions of a file newest first, all on this worker. A version is
/// held back until the next one of its path arrives (the version before it, usually);
/// then only its lines that the older one lacks are scanned — what that version added.
/// A line both have is scanned in the older one, or in the one before, down to the
/// oldest, which is scanned whole. This holds because each finding of a line-local file
/// depends on its line alone ([`Scanner::is_line_local`]); a file that is not is scanned
/// whole. Held versions are bounded by [`HELD`] bytes: the least recently met is scanned
/// whole to make room, as is every version still held when the walk ends.
fn read_and_scan(
    scanner: &Scanner,
    git_dir: &Path,
    max: u64,
    rx: mpsc::Receiver<Job>,
    sink: &mut Sink,
) -> Result<(), String> {
    let mut objects = Objects::open(git_dir)?;
    let mut buf = Vec::new();
    let mut held = Held::new(HELD);
    let mut scratch = Vec::new();
    for job in rx {
        let header = match objects.repo.objects.try_header(&job.oid) {
            Ok(Some(h)) => h,
            Ok(None) => {
                sink.stats
                    .errors
                    .push(format!("object {}: missing from the repository", job.oid));
                continue;
            }
            Err(e) => {
                sink.stats.errors.push(format!("object {}: {e}", job.oid));
                continue;
            }
        };
        if header.size > max {
            sink.stats.skipped_large += 1;
            continue;
        }
        let data = match objects.repo.objects.find_blob(&job.oid, &mut buf) {
            Ok(blob) => blob.data,
            Err(e) => {
                sink.stats.errors.push(format!("object {}: {e}", job.oid));
                continue;
            }
        };
        if Scanner::is_binary(data) {
            sink.stats.skipped_binary += 1;
        } else {
            sink.versions.push((path_key(&job.path), job.oid));
            if let Some(newer) = held.take(&job.path) {
                let full = newer.data.len();
                if lines_not_in(&newer.data, data, &mut scratch) {
                    scan_blob(scanner, &job.path, &newer.oid, &scratch, sink);
                    sink.stats.bytes += (full - scratch.len()) as u64;
                } else {
                    sink.stats.scanned += 1;
                    sink.stats.bytes += full as u64;
                }
            }
            // Only a line-local version is held: the others are scanned whole.
            if data.len() <= held.budget / 2 && scanner.is_line_local(&job.path, data) {
                let version = Version {
                    oid: job.oid,
                    data: data.to_vec(),
                };
                for (path, old) in held.put(job.path, version) {
                    scan_blob(scanner, &path, &old.oid, &old.data, sink);
                }
            } else {
                scan_blob(scanner, &job.path, &job.oid, data, sink);
            }
        }
        let read = data.len();
        objects.charge(read)?;
        // A large blob's buffer is not kept for the small ones that follow.
        if buf.capacity() > BUFFER_KEPT {
            buf = Vec::new();
        }
        if scratch.capacity() > BUFFER_KEPT {
            scratch = Vec::new();
        }
    }
    for (path, version) in held.drain() {
        scan_blob(scanner, &path, &version.oid, &version.data, sink);
    }
    Ok(())
}

/// Scans `data`, the blob `oid` at `path`, and marks each finding with the blob.
fn scan_blob(scanner: &Scanner, path: &str, oid: &ObjectId, data: &[u8], sink: &mut Sink) {
    let values = sink.values.get_or_insert_with(Vec::new);
    values.clear();
    scanner.scan_into(path, Origin::default(), data, sink);
    for value in sink.values.iter_mut().flat_map(std::mem::take) {
        sink.marks.push(Mark { blob: *oid, value });
    }
}

/// Where a history finding was made: the blob it was found in; and its value, to tell
/// quickly which other versions of the file may hold it (never shown).
pub(crate) struct Mark {
    blob: ObjectId,
    value: gardefou_redact::Secret,
}

/// Writes into `out` the text `newer` with every line that `older` also has emptied (its
/// newline kept), so that what is left stands at its own line and column. Whether any
/// non-empty line is left.
fn lines_not_in(newer: &[u8], older: &[u8], out: &mut Vec<u8>) -> bool {
    // The lines both begin and end with are shared; only the lines between are compared.
    let (head, tail) = shared_ends(newer, older);
    let middle = &newer[head..newer.len() - tail];
    let older_middle = &older[head..older.len() - tail];
    out.clear();
    out.extend(newer[..head].iter().filter(|&&b| b == b'\n'));
    let mut lines: std::collections::HashSet<&[u8], foldhash::fast::FixedState> =
        std::collections::HashSet::with_capacity_and_hasher(
            memchr::memchr_iter(b'\n', older_middle).count() + 1,
            foldhash::fast::FixedState::default(),
        );
    lines.extend(split_lines(older_middle));
    let mut left = false;
    for (i, line) in split_lines(middle).enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        if !lines.contains(line) {
            out.extend_from_slice(line);
            left |= !line.is_empty();
        }
    }
    out.extend(newer[newer.len() - tail..].iter().filter(|&&b| b == b'\n'));
    left
}

/// The lengths of the longest run of whole lines that `a` and `b` both begin with, and of
/// the longest that both end with, not overlapping: `a[..head]` and `a[a.len() - tail..]`
/// are whole lines (the head ends after a newline, the tail begins after one), and what
/// is left of each text between them is one run of lines.
fn shared_ends(a: &[u8], b: &[u8]) -> (usize, usize) {
    let n = a.len().min(b.len());
    if n == a.len() && a == b {
        return (a.len(), 0);
    }
    let same = common_len(a.iter(), b.iter(), a.chunks(64), b.chunks(64));
    // Back to the start of the line that differs.
    let head = memchr::memrchr(b'\n', &a[..same]).map_or(0, |i| i + 1);
    let (ra, rb) = (&a[head..], &b[head..]);
    let same_end = common_len(
        ra.iter().rev(),
        rb.iter().rev(),
        ra.rchunks(64),
        rb.rchunks(64),
    );
    // Forward to just after a newline, so that the tail is whole lines.
    let tail = match memchr::memchr(b'\n', &a[a.len() - same_end..]) {
        Some(i) => same_end - i - 1,
        None => 0,
    };
    (head, tail)
}

/// How many bytes two texts share, read in the same direction as bytes (`x`, `y`) and as
/// chunks of 64 (`cx`, `cy`): whole chunks are compared first, then bytes.
fn common_len<'a>(
    x: impl Iterator<Item = &'a u8>,
    y: impl Iterator<Item = &'a u8>,
    cx: impl Iterator<Item = &'a [u8]>,
    cy: impl Iterator<Item = &'a [u8]>,
) -> usize {
    let chunks = cx.zip(cy).take_while(|(p, q)| p == q).count();
    chunks * 64
        + x.zip(y)
            .skip(chunks * 64)
            .take_while(|(p, q)| p == q)
            .count()
}

/// The lines of `text`, split at each `\n` (which they do not hold), as the scanner's.
fn split_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text)
        .chain(std::iter::once(text.len()))
        .map(move |end| {
            let line = &text[start..end];
            start = end + 1;
            line
        })
}

/// The bytes of file versions a worker may hold back (see [`read_and_scan`]).
const HELD: usize = 4 * 1024 * 1024;

/// A version of a file held back by a worker.
struct Version {
    oid: ObjectId,
    data: Vec<u8>,
}

/// The versions a worker holds back, one per path, at most `budget` bytes in all.
struct Held {
    budget: usize,
    bytes: usize,
    tick: u64,
    by_path: HashMap<String, (u64, Version)>,
    /// Paths by the tick they were last put at: the oldest is given up first.
    order: std::collections::BTreeMap<u64, String>,
}

impl Held {
    fn new(budget: usize) -> Self {
        Held {
            budget,
            bytes: 0,
            tick: 0,
            by_path: HashMap::new(),
            order: Default::default(),
        }
    }

    /// The version held for `path`, no longer held.
    fn take(&mut self, path: &str) -> Option<Version> {
        let (tick, version) = self.by_path.remove(path)?;
        self.order.remove(&tick);
        self.bytes -= version.data.len();
        Some(version)
    }

    /// Holds `version` for `path` (none is held for it), and gives up the least recently
    /// put versions that no longer fit; they are returned, to be scanned whole.
    fn put(&mut self, path: String, version: Version) -> Vec<(String, Version)> {
        let mut given_up = Vec::new();
        self.bytes += version.data.len();
        while self.bytes > self.budget {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some((_, v)) = self.by_path.remove(&oldest) {
                self.bytes -= v.data.len();
                given_up.push((oldest, v));
            }
        }
        self.tick += 1;
        self.order.insert(self.tick, path.clone());
        self.by_path.insert(path, (self.tick, version));
        given_up
    }

    /// Every version still held.
    fn drain(self) -> impl Iterator<Item = (String, Version)> {
        self.by_path.into_iter().map(|(p, (_, v))| (p, v))
    }
}

/// Gives each finding the commit that introduced it, and reports a secret once per path.
///
/// A finding is made in one version of its file, but it may stand in other versions of
/// that path too: the lines a version shares with the next one met are scanned in that
/// one (see [`read_and_scan`]), and older versions may hold them as well. So every version
/// of the path (every blob first met at it) that holds the value is scanned again, and the
/// finding's commit is the oldest, in walk order, whose tree holds one of the versions where
/// it is found (at any path: a moved file keeps its first commit); its line and column are
/// that version's. The same secret found in several versions has one fingerprint and is
/// reported once, at that commit.
fn attribute_commits(
    git_dir: &Path,
    commits: &[ObjectId],
    scanner: &Scanner,
    sink: &mut Sink,
) -> Result<(), String> {
    let marks = std::mem::take(&mut sink.marks);
    let mut versions = std::mem::take(&mut sink.versions);
    versions.sort_unstable();
    let findings = std::mem::take(&mut sink.findings);
    // Per finding, each version where it is found, with its line and column there.
    let mut found_in: Vec<Vec<(ObjectId, usize, usize)>> = vec![Vec::new(); findings.len()];
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let path = f.location.as_ref().map_or("", |l| l.path.as_str());
        by_path.entry(path).or_default().push(i);
    }
    let mut objects = Objects::open(git_dir)?;
    let mut buf = Vec::new();
    let max = scanner.options().max_file_size;
    for (path, mine) in &by_path {
        let key = path_key(path);
        let from = versions.partition_point(|v| v.0 < key);
        for &(_, blob) in versions[from..].iter().take_while(|v| v.0 == key) {
            let small =
                matches!(objects.repo.objects.try_header(&blob), Ok(Some(h)) if h.size <= max);
            let Some(data) = small
                .then(|| objects.repo.objects.find_blob(&blob, &mut buf).ok())
                .flatten()
                .map(|b| b.data)
            else {
                continue;
            };
            // The value's bytes, unless it was not valid UTF-8: then the version is scanned.
            let holds = |i: &usize| {
                let v = marks[*i].value.expose();
                v.contains('\u{FFFD}') || memchr::memmem::find(data, v.as_bytes()).is_some()
            };
            if mine.iter().any(holds) {
                for g in scanner.scan_bytes(path, data) {
                    let Some(loc) = g.location else { continue };
                    for &i in mine {
                        let f = &findings[i];
                        let first = found_in[i].last().is_none_or(|l| l.0 != blob);
                        if f.rule == g.rule && f.fingerprint == g.fingerprint && first {
                            found_in[i].push((blob, loc.line, loc.column));
                        }
                    }
                }
            }
            let read = data.len();
            objects.charge(read)?;
        }
    }
    drop(versions);
    let mut wanted: HashMap<ObjectId, usize> = HashMap::new();
    for (i, m) in marks.iter().enumerate() {
        // The blob it was found in, whatever happens above.
        if found_in[i].iter().all(|v| v.0 != m.blob) {
            let (line, column) = findings[i]
                .location
                .as_ref()
                .map_or((0, 0), |l| (l.line, l.column));
            found_in[i].push((m.blob, line, column));
        }
        for v in &found_in[i] {
            let next = wanted.len();
            wanted.entry(v.0).or_insert(next);
        }
    }
    let oldest = oldest_commits(git_dir, commits, scanner.threads(), &wanted)?;
    let mut findings: Vec<(Option<usize>, gardefou_findings::Finding)> = findings
        .into_iter()
        .zip(found_in)
        .map(|(mut f, versions)| {
            let (at, line, column) = versions
                .iter()
                .map(|&(blob, line, column)| (oldest[wanted[&blob]], line, column))
                .max_by_key(|v| v.0)
                .unwrap_or_default();
            if let Some(loc) = f.location.as_mut() {
                loc.commit = at.map(|i| commits[i].to_string());
                loc.line = line;
                loc.column = column;
            }
            (at, f)
        })
        .collect();
    // Oldest commit first (the highest index), findings with no commit last.
    findings.sort_by_key(|(at, _)| (at.is_none(), std::cmp::Reverse(*at)));
    let mut seen = HashSet::new();
    sink.findings = findings
        .into_iter()
        .map(|(_, f)| f)
        .filter(|f| seen.insert((f.rule, f.fingerprint.clone())))
        .collect();
    Ok(())
}

/// For each wanted blob, the index in `commits` of the oldest commit whose tree holds it
/// at any path. The commits are split into one run of consecutive commits per thread, each
/// with its own view.
fn oldest_commits(
    git_dir: &Path,
    commits: &[ObjectId],
    threads: usize,
    wanted: &HashMap<ObjectId, usize>,
) -> Result<Vec<Option<usize>>, String> {
    let per_thread = commits.len().div_ceil(threads.max(1)).max(1);
    let parts: Vec<Result<Vec<Option<usize>>, String>> = std::thread::scope(|s| {
        let running: Vec<_> = commits
            .chunks(per_thread)
            .enumerate()
            .map(|(k, part)| {
                s.spawn(move || {
                    let mut trees = Holdings::new(Objects::open(git_dir)?, wanted.clone());
                    let mut buf = Vec::new();
                    let mut oldest = vec![None; wanted.len()];
                    for (j, c) in part.iter().enumerate() {
                        // What cannot be read was reported by the scan: it attributes nothing.
                        let Ok(root) = trees.objects.commit_tree(c, &mut buf) else {
                            continue;
                        };
                        for &w in trees.held(root)?.iter() {
                            oldest[w as usize] = Some(k * per_thread + j);
                        }
                    }
                    Ok(oldest)
                })
            })
            .collect();
        running
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err("a thread stopped".to_owned()))
            })
            .collect()
    });
    let mut oldest: Vec<Option<usize>> = vec![None; wanted.len()];
    for part in parts {
        for (o, p) in oldest.iter_mut().zip(part?) {
            *o = (*o).max(p);
        }
    }
    Ok(oldest)
}

/// Which of the wanted blobs each tree holds, at any depth, each tree read once: the
/// trees that hold none are a set of ids (as the scan's), the few that hold some map to
/// those blobs.
struct Holdings {
    objects: Objects,
    wanted: HashMap<ObjectId, usize>,
    none: gix::hashtable::HashSet<ObjectId>,
    some: gix::hashtable::HashMap<ObjectId, std::rc::Rc<[u32]>>,
}

impl Holdings {
    fn new(objects: Objects, wanted: HashMap<ObjectId, usize>) -> Self {
        Holdings {
            objects,
            wanted,
            none: Default::default(),
            some: Default::default(),
        }
    }

    /// The wanted blobs (their indices) that `tree` holds. A tree that cannot be read
    /// holds none.
    fn held(&mut self, tree: ObjectId) -> Result<std::rc::Rc<[u32]>, String> {
        if self.none.contains(&tree) {
            return Ok(std::rc::Rc::from([]));
        }
        if let Some(held) = self.some.get(&tree) {
            return Ok(held.clone());
        }
        let mut buf = Vec::new();
        let mut held: Vec<u32> = Vec::new();
        let mut subtrees: Vec<ObjectId> = Vec::new();
        if let Ok(iter) = self.objects.repo.objects.find_tree_iter(&tree, &mut buf) {
            for entry in iter {
                let Ok(entry) = entry else { break };
                if entry.mode.is_tree() {
                    subtrees.push(entry.oid.to_owned());
                } else if let Some(&w) = self.wanted.get(entry.oid) {
                    held.push(w as u32);
                }
            }
        }
        self.objects.charge(buf.len())?;
        for sub in subtrees {
            held.extend(self.held(sub)?.iter());
        }
        held.sort_unstable();
        held.dedup();
        let held: std::rc::Rc<[u32]> = held.into();
        if held.is_empty() {
            self.none.insert(tree);
        } else {
            self.some.insert(tree, held.clone());
        }
        Ok(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gardefou_testkit::fake::Rng;

    fn lines(text: &[u8]) -> Vec<&[u8]> {
        split_lines(text).collect()
    }

    /// A text of `n` lines drawn from a small alphabet of lines, so that texts share many.
    fn text(rng: &mut Rng, n: usize) -> Vec<u8> {
        let words: &[&[u8]] = &[b"a", b"b", b"key = 1", b"", b"}", b"x\r", b"let y = 2;"];
        let mut out = Vec::new();
        for i in 0..n {
            if i > 0 {
                out.push(b'\n');
            }
            out.extend_from_slice(rng.pick(words));
        }
        if rng.step().is_multiple_of(2) {
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn what_is_left_of_a_version_is_every_line_the_older_one_lacks_in_place() {
        let mut rng = Rng(7);
        let mut out = Vec::new();
        let mut emptied_total = 0;
        for _ in 0..3000 {
            let (n, m) = ((rng.step() % 40) as usize, (rng.step() % 40) as usize);
            let newer = text(&mut rng, n);
            // Often an edit of the older text, so that both ends are shared.
            let mut older = newer.clone();
            if rng.step().is_multiple_of(3) {
                older = text(&mut rng, m);
            } else {
                let at = (rng.step() as usize) % (older.len() + 1);
                let insert = text(&mut rng, 1 + m % 3);
                older.splice(at..at, insert);
            }
            let left = lines_not_in(&newer, &older, &mut out);
            let (new_lines, old_lines, out_lines) = (lines(&newer), lines(&older), lines(&out));
            assert_eq!(
                out_lines.len(),
                new_lines.len(),
                "every line keeps its number"
            );
            let mut any = false;
            for (kept, line) in out_lines.iter().zip(&new_lines) {
                // A line is kept whole, or emptied only when the older version has it.
                if kept != line {
                    assert!(kept.is_empty() && old_lines.contains(line));
                }
                any |= !kept.is_empty();
            }
            assert_eq!(left, any);
            emptied_total += out_lines
                .iter()
                .zip(&new_lines)
                .filter(|(k, l)| k != l)
                .count();
        }
        assert!(
            emptied_total > 10_000,
            "shared lines are emptied: {emptied_total}"
        );
    }

    #[test]
    fn the_shared_ends_are_whole_lines_and_never_overlap() {
        assert_eq!(shared_ends(b"a\nb\nc\n", b"a\nX\nc\n"), (2, 2));
        assert_eq!(shared_ends(b"a\nb\n", b"a\nb\nc\n"), (4, 0));
        assert_eq!(shared_ends(b"ab\n", b"ab\nab\n"), (3, 0));
        assert_eq!(shared_ends(b"same", b"same"), (4, 0));
        // A long shared head compared by chunks, then byte by byte.
        let head = "line\n".repeat(100);
        let (a, b) = (format!("{head}one\nend\n"), format!("{head}two\nend\n"));
        assert_eq!(shared_ends(a.as_bytes(), b.as_bytes()), (head.len(), 4));
    }

    fn version(n: u8, len: usize) -> Version {
        Version {
            oid: ObjectId::from_bytes_or_panic(&[n; 20]),
            data: vec![b'x'; len],
        }
    }

    #[test]
    fn held_versions_stay_within_their_budget_and_the_least_recent_is_given_up_first() {
        let mut held = Held::new(100);
        assert!(held.put("a".into(), version(1, 40)).is_empty());
        assert!(held.put("b".into(), version(2, 40)).is_empty());
        let given_up = held.put("c".into(), version(3, 40));
        assert_eq!(given_up.len(), 1);
        assert_eq!(given_up[0].0, "a");
        assert_eq!(held.bytes, 80);
        assert!(held.take("a").is_none());
        let b = held.take("b").expect("b is held");
        assert_eq!(b.oid, ObjectId::from_bytes_or_panic(&[2; 20]));
        assert_eq!(held.bytes, 40);
        let left: Vec<String> = held.drain().map(|(p, _)| p).collect();
        assert_eq!(left, vec!["c".to_owned()]);
    }
}
