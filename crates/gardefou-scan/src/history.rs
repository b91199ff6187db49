//! Git history, read in-process with `gix`: every blob reachable from any ref or worktree
//! HEAD, once.
//!
//! - **What is read**: the tips are every ref under `refs/` (branches, tags, remotes, the
//!   stash, notes), `HEAD` and the `HEAD` of every other worktree, annotated tags peeled —
//!   what `git rev-list --all` starts from. The repository is opened through
//!   [`gardefou_edges::git::open`]: no variable of the caller's environment can choose
//!   another repository, object store or history, and replace refs are not applied.
//! - **Which commit, which path**: commits are listed newest first and never a parent
//!   before its children (`git rev-list --date-order`), and walked in reverse: every commit
//!   after its parents, whatever the commit dates say. Each commit's tree is traversed,
//!   skipping every tree and blob already seen. A blob is thus met once, in the oldest
//!   commit that holds it — the one that introduced it — at its path in that commit: a
//!   finding names a commit and a path that agree (`git show <commit>:<path>` shows it),
//!   and everything that depends on the path (`allow_paths`, rules scoped to some files,
//!   the fingerprint) uses that path. The same value in later versions of the file is
//!   reported once, at that first commit. Trees that a tag names directly are traversed
//!   last, and their blobs that no commit holds have no commit.
//! - **How blobs are read**: the walk only lists them. They are then read straight from
//!   the packs, in pack order, each delta chain resolved once ([`crate::packs`]); what the
//!   packs do not give (loose objects, alternates, a delta on a base named by id…) is read
//!   through `gix`, by worker threads fed through bounded channels, blobs of one path
//!   always on the same worker so that the previous version is the cached delta base.
//! - **Bounded memory**: the whole-history structures are the commit ids (and, while
//!   they are ordered, their parents), the sets of trees and blobs seen during the walk,
//!   the list of blobs (id, path index, commit index: 28 bytes each) and each path once;
//!   reading adds 5 bytes a blob and the table of one pack at a time (see
//!   [`crate::packs`]). Every `gix` view
//!   of the object database has a bounded delta-base cache and is reopened after reading
//!   [`REMAP_AFTER`] bytes ([`WALK_REMAP_AFTER`] for the walk, which runs alone): packs are
//!   memory-mapped whole, and every page read would otherwise stay resident.
//! - Submodule entries (gitlinks) are skipped, symlinks are scanned like files (their text is
//!   the link's target), blobs over the size limit are counted and not read, binary blobs
//!   are counted and not scanned. In a shallow clone the walk stops at the shallow boundary.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

use gix::hash::ObjectId;
use gix::objs::{FindExt, FindHeader};

use crate::{packs, progress_bar, Error, Origin, Outcome, Scanner, Sink};

/// A thread's object database view is reopened after this many bytes of objects were read
/// through it (see the module doc).
const REMAP_AFTER: u64 = 4 * 1024 * 1024;

/// The same for the walk through the trees: it runs alone, before the blobs are read, and
/// each reopening drops the cached bases of the next trees' deltas.
const WALK_REMAP_AFTER: u64 = 32 * 1024 * 1024;

/// What finding one object may leave resident besides its bytes: the pages of the pack
/// index that its binary search reads.
const LOOKUP: u64 = 16 * 1024;

/// The delta-base cache of each thread's view of the object database, in bytes.
const PACK_CACHE: usize = 4 * 1024 * 1024;

/// A worker keeps a buffer of at most this many bytes between blobs.
const BUFFER_KEPT: usize = 1024 * 1024;

/// Blobs waiting for each worker.
const QUEUE: usize = 64;

/// Where a traversal starts: a commit (its index in the walk), or a tree that a tag names.
enum Root {
    Commit(usize),
    Tree(ObjectId),
}

/// One blob to read and scan.
struct Job {
    oid: ObjectId,
    path: String,
    /// The commit that introduced it, if one did.
    commit: Option<ObjectId>,
}

/// One thread's view of the repository's objects (see the module doc).
struct Objects {
    git_dir: PathBuf,
    repo: gix::Repository,
    read: u64,
    /// Reopened after this many bytes.
    remap: u64,
}

impl Objects {
    fn open(git_dir: &Path, remap: u64) -> Result<Self, String> {
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
            remap,
        })
    }

    /// Counts one object of `bytes` read, and reopens the view once enough were.
    fn charge(&mut self, bytes: usize) -> Result<(), String> {
        self.read += bytes as u64 + LOOKUP;
        if self.read >= self.remap {
            *self = Objects::open(&self.git_dir, self.remap)?;
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
    let objects_dir = repo.common_dir().join("objects");
    let mut errors = Vec::new();
    let (commit_tips, tree_tips) = tips(&repo, &mut errors).map_err(|e| failed(dir, e))?;
    let commits = commits_newest_first(&repo, commit_tips).map_err(|e| failed(dir, e))?;
    drop(repo);

    let bar = progress_bar(scanner.options().progress, "blobs found");
    let max = scanner.options().max_file_size;
    // Oldest first: a blob is first met in the oldest commit that holds it, the one that
    // introduced it. Trees that a tag names directly come last, and their blobs that no
    // commit holds have no commit.
    let roots = (0..commits.len())
        .rev()
        .map(Root::Commit)
        .chain(tree_tips.iter().map(|t| Root::Tree(*t)));
    let found =
        walk_trees(&git_dir, &commits, roots, &bar, &mut errors).map_err(|e| failed(dir, e))?;
    bar.set_position(0);
    bar.set_message("blobs scanned");
    let total = Mutex::new(Sink::default());
    // First every blob that the packs hold, each delta chain resolved once; then, through
    // gix, whatever they did not give.
    let done: Vec<AtomicBool> = found.blobs.iter().map(|_| AtomicBool::new(false)).collect();
    let wanted = packs::Wanted::new(&found.blobs, &found.paths, &commits, &done, &bar);
    packs::scan(scanner, &objects_dir, &wanted, scanner.threads(), &total);
    drop(wanted);
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..scanner.threads())
        .map(|_| mpsc::sync_channel::<Job>(QUEUE))
        .unzip();
    std::thread::scope(|s| {
        for rx in rxs {
            let (total, git_dir, bar) = (&total, &git_dir, &bar);
            s.spawn(move || {
                let mut sink = Sink::default();
                if let Err(e) = read_and_scan(scanner, git_dir, max, rx, bar, &mut sink) {
                    sink.stats.errors.push(e);
                }
                if let Ok(mut t) = total.lock() {
                    t.merge(sink);
                }
            });
        }
        // Newest first, as gix's delta-base cache prefers.
        let left = found
            .blobs
            .iter()
            .zip(&done)
            .rev()
            .filter(|(_, d)| !d.load(Ordering::Relaxed));
        for (blob, _) in left {
            let path = found.paths[blob.path as usize].clone();
            let worker = worker_for(&path, txs.len());
            let job = Job {
                oid: blob.oid,
                path,
                commit: commits.get(blob.commit as usize).copied(),
            };
            if txs[worker].send(job).is_err() {
                // The worker stopped on an error, which it reports.
                break;
            }
        }
        // The workers finish their queues and stop.
        drop(txs);
    });
    bar.finish_and_clear();
    let mut sink = total.into_inner().unwrap_or_else(|e| e.into_inner());
    sink.stats.errors.extend(errors);
    once_per_secret(&commits, &mut sink);
    Ok(sink.finish(scanner))
}

/// The peeled targets of every ref, of `HEAD` and of every worktree's `HEAD`: commits to
/// walk, and trees that a tag names directly. A tag naming a blob names no path: it is not scanned (as `rev-list`
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
    // The HEAD of every worktree: the main one's (the common directory's) and each linked
    // one's, `worktrees/<id>/HEAD` — a detached HEAD there is reachable from no ref. As
    // `rev-list --all` reads them, but every entry is read, even one that git would skip
    // (no `gitdir` file), and one whose HEAD cannot be read is reported. An unborn HEAD
    // names nothing.
    let common = repo.common_dir().to_owned();
    let mut heads = vec![("HEAD of the main worktree".to_owned(), common.join("HEAD"))];
    match std::fs::read_dir(common.join("worktrees")) {
        Ok(entries) => {
            let mut linked: Vec<PathBuf> = entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .collect();
            linked.sort();
            for dir in linked {
                let name = format!("HEAD of worktree {}", dir.display());
                heads.push((name, dir.join("HEAD")));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => errors.push(format!("{}: {e}", common.join("worktrees").display())),
    }
    for (name, path) in heads {
        match worktree_head(repo, &path) {
            Ok(Some(id)) => targets.push((name, Ok(id))),
            Ok(None) => {}
            Err(e) => errors.push(format!("{name}: {e}")),
        }
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

/// The commit a worktree's `HEAD` file names: its id when detached, else the branch's
/// (`None` while the branch has no commit yet).
fn worktree_head(repo: &gix::Repository, head: &Path) -> Result<Option<ObjectId>, String> {
    let text = gardefou_edges::bounded::read_regular(head, 4096).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&text);
    let text = text.trim();
    if let Some(name) = text.strip_prefix("ref:") {
        return match repo.try_find_reference(name.trim()) {
            Ok(Some(mut r)) => r
                .peel_to_id()
                .map(|id| Some(id.detach()))
                .map_err(|e| e.to_string()),
            Ok(None) => Ok(None),
            Err(e) => Err(e.to_string()),
        };
    }
    ObjectId::from_hex(text.as_bytes())
        .map(Some)
        .map_err(|_| "neither a commit id nor a ref".to_owned())
}

/// Every commit reachable from `tips`, newest first, and never a parent before any of its
/// children (`git rev-list --date-order`): reversed, every commit comes after its
/// parents, even when commit dates are skewed. A shallow clone's walk stops at its
/// boundary.
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
    // In the walk's order (by commit time): each commit, its time, and its parents.
    let (mut ids, mut times, mut parents) = (Vec::new(), Vec::new(), Vec::new());
    for info in walk {
        let info = info?;
        ids.push(info.id);
        times.push(info.commit_time.unwrap_or(0));
        parents.push(info.parent_ids);
    }
    let at: HashMap<ObjectId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let parents: Vec<Vec<usize>> = parents
        .iter()
        .map(|ps| ps.iter().filter_map(|p| at.get(p).copied()).collect())
        .collect();
    drop(at);
    // Children not yet listed, per commit; a commit is listed once it has none left, the
    // newest of those first (then the walk's order).
    let mut waiting = vec![0usize; ids.len()];
    for ps in &parents {
        for &p in ps {
            waiting[p] += 1;
        }
    }
    let mut ready: std::collections::BinaryHeap<(i64, std::cmp::Reverse<usize>)> = (0..ids.len())
        .filter(|&i| waiting[i] == 0)
        .map(|i| (times[i], std::cmp::Reverse(i)))
        .collect();
    let mut commits = Vec::with_capacity(ids.len());
    while let Some((_, std::cmp::Reverse(i))) = ready.pop() {
        commits.push(ids[i]);
        for &p in &parents[i] {
            waiting[p] -= 1;
            if waiting[p] == 0 {
                ready.push((times[p], std::cmp::Reverse(p)));
            }
        }
    }
    Ok(commits)
}

/// The worker that reads the blobs of `path`: always the same one, so that the previous
/// version of a file (the base of the next one's delta) is in that worker's cache.
fn worker_for(path: &str, workers: usize) -> usize {
    // FNV-1a: the same worker for the same path on every run.
    let hash = path.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % workers as u64) as usize
}

/// Every blob reachable from the roots, each once, where it is first met.
struct Found {
    /// In the order they were met.
    blobs: Vec<Blob>,
    /// Each path once.
    paths: Vec<String>,
}

/// A blob to scan, as first met in the walk.
pub(crate) struct Blob {
    pub oid: ObjectId,
    /// Its path's index in [`Found::paths`].
    pub path: u32,
    /// The commit it was met in (its index in the walk), or [`NO_COMMIT`] for a tree that
    /// a tag names.
    pub commit: u32,
}

/// [`Blob::commit`] of a blob that no commit holds.
pub(crate) const NO_COMMIT: u32 = u32::MAX;

/// Traverses the tree of each root and lists every blob not seen before, with its path
/// and commit.
fn walk_trees(
    git_dir: &Path,
    commits: &[ObjectId],
    roots: impl Iterator<Item = Root>,
    bar: &indicatif::ProgressBar,
    errors: &mut Vec<String>,
) -> Result<Found, String> {
    let mut objects = Objects::open(git_dir, WALK_REMAP_AFTER)?;
    let mut found = Found {
        blobs: Vec::new(),
        paths: Vec::new(),
    };
    // Blob id → index in `found.blobs`.
    let mut index = gix::hashtable::HashMap::<ObjectId, u32>::default();
    let mut path_ids: HashMap<String, u32> = HashMap::new();
    // The trees seen. Grown as ids come: sized up front for every packed object, all its
    // pages became resident, as ids land everywhere.
    let mut seen = gix::hashtable::HashSet::<ObjectId>::default();
    let mut buf = Vec::new();
    // Trees still to traverse from the current root: (tree, path prefix).
    let mut stack: Vec<(ObjectId, String)> = Vec::new();
    let mut entries: Vec<(ObjectId, String, bool)> = Vec::new();
    for root in roots {
        let (root, commit) = match root {
            Root::Commit(i) => match objects.commit_tree(&commits[i], &mut buf) {
                Ok(t) => (t, i as u32),
                Err(e) => {
                    errors.push(format!("commit {}: {e}", commits[i]));
                    continue;
                }
            },
            Root::Tree(t) => (t, NO_COMMIT),
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
                        if seen.contains(entry.oid) || index.contains_key(entry.oid) {
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
            // This tree's blobs in its order (of two names for the same content, the
            // first); then its subtrees, depth first in its order (pushed in reverse).
            let subtrees = stack.len();
            for (oid, path, is_tree) in entries.drain(..) {
                if is_tree {
                    stack.push((oid, path));
                } else if !index.contains_key(&oid) {
                    bar.inc(1);
                    let next = found.paths.len() as u32;
                    let path = *path_ids.entry(path).or_insert_with_key(|p| {
                        found.paths.push(p.clone());
                        next
                    });
                    index.insert(oid, found.blobs.len() as u32);
                    found.blobs.push(Blob { oid, path, commit });
                }
            }
            stack[subtrees..].reverse();
        }
    }
    Ok(found)
}

/// Scans the bytes of a blob met at `path` in `commit`. A binary blob is counted, not
/// scanned.
pub(crate) fn scan_blob(
    scanner: &Scanner,
    commit: Option<&ObjectId>,
    path: &str,
    data: &[u8],
    sink: &mut Sink,
) {
    if Scanner::is_binary(data) {
        sink.stats.skipped_binary += 1;
        return;
    }
    let before = sink.findings.len();
    scanner.scan_into(path, Origin::default(), data, sink);
    if let Some(commit) = commit.filter(|_| sink.findings.len() > before) {
        let commit = commit.to_string();
        for f in &mut sink.findings[before..] {
            if let Some(loc) = f.location.as_mut() {
                loc.commit = Some(commit.clone());
            }
        }
    }
}

/// A worker: reads each blob it is sent through gix and scans it ([`scan_blob`]).
fn read_and_scan(
    scanner: &Scanner,
    git_dir: &Path,
    max: u64,
    rx: mpsc::Receiver<Job>,
    bar: &indicatif::ProgressBar,
    sink: &mut Sink,
) -> Result<(), String> {
    let mut objects = Objects::open(git_dir, REMAP_AFTER)?;
    let mut buf = Vec::new();
    for job in rx {
        bar.inc(1);
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
        scan_blob(scanner, job.commit.as_ref(), &job.path, data, sink);
        let read = data.len();
        objects.charge(read)?;
        // A large blob's buffer is not kept for the small ones that follow.
        if buf.capacity() > BUFFER_KEPT {
            buf = Vec::new();
        }
    }
    Ok(())
}

/// Reports a secret once per path: the same value in successive versions of a file has
/// one fingerprint, and is reported where it first appeared — at the oldest commit, in walk
/// order (findings with no commit last).
fn once_per_secret(commits: &[ObjectId], sink: &mut Sink) {
    if sink.findings.is_empty() {
        return;
    }
    let order: HashMap<&ObjectId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c, i)).collect();
    let mut findings: Vec<(Option<usize>, gardefou_findings::Finding)> =
        std::mem::take(&mut sink.findings)
            .into_iter()
            .map(|f| {
                let commit = f.location.as_ref().and_then(|l| l.commit.as_deref());
                let id = commit.and_then(|c| ObjectId::from_hex(c.as_bytes()).ok());
                (id.and_then(|id| order.get(&id).copied()), f)
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
}
