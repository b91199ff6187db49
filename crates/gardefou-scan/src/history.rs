//! Git history, read in-process with `gix`: every blob reachable from any ref or worktree
//! HEAD, once.
//!
//! - **What is read**: the tips are every ref under `refs/` (branches, tags, remotes, the
//!   stash, notes), `HEAD` and the `HEAD` of every other worktree, annotated tags peeled —
//!   what `git rev-list --all` starts from. The repository is opened through
//!   [`gardefou_edges::git::open`]: no variable of the caller's environment can choose
//!   another repository, object store or history, and replace refs are not applied.
//! - **In which order**: commits newest first by commit time (git's own default order);
//!   each commit's tree is traversed, skipping every tree and blob already seen, so each blob
//!   is read once, at the path it is first seen at (the path `rev-list --objects` gives).
//!   Newest first is also the order in which packs store deltas (an older version is a
//!   delta against a newer one), so the previous version of a file is usually the cached
//!   base of the next one read; blobs of one path always go to the same worker for that.
//! - **Which commit**: only for blobs that hold a finding, the commits are walked again and
//!   each tree read once more, remembering which of those blobs it holds: the oldest commit
//!   holding a blob is the one that introduced it (at whatever path; the finding names the
//!   path the blob was first seen at). Trees that a tag names directly are traversed last,
//!   and their blobs have no commit.
//! - **Bounded memory**: the only whole-history structures are the commit ids in walk order
//!   and the set of tree and blob ids seen (about 30 bytes an object; the second walk's
//!   set of trees replaces it). Blobs are read and
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
        attribute_commits(&git_dir, &commits, scanner.threads(), &mut sink)
            .map_err(|e| failed(dir, e))?;
    }
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
    // FNV-1a: the same worker for the same path on every run.
    let hash = path.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % workers as u64) as usize
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
    // Grown as ids come. Sized once for every packed object instead (commits and
    // unreachable objects included: twice what is inserted on curl), all its pages became
    // resident, as ids land everywhere: a peak of 102 MB on curl against 99.
    let mut seen = gix::hashtable::HashSet::<ObjectId>::default();
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

/// A worker: reads each blob it is sent and scans it. Each finding's `commit` holds, for
/// now, the id of the blob it was found in (for [`attribute_commits`]).
fn read_and_scan(
    scanner: &Scanner,
    git_dir: &Path,
    max: u64,
    rx: mpsc::Receiver<Job>,
    sink: &mut Sink,
) -> Result<(), String> {
    let mut objects = Objects::open(git_dir)?;
    let mut buf = Vec::new();
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
            let before = sink.findings.len();
            scanner.scan_into(&job.path, Origin::default(), data, sink);
            if sink.findings.len() > before {
                let blob = job.oid.to_string();
                for f in &mut sink.findings[before..] {
                    if let Some(loc) = f.location.as_mut() {
                        loc.commit = Some(blob.clone());
                    }
                }
            }
        }
        let read = data.len();
        objects.charge(read)?;
        // A large blob's buffer is not kept for the small ones that follow.
        if buf.capacity() > BUFFER_KEPT {
            buf = Vec::new();
        }
    }
    Ok(())
}

/// Replaces each finding's blob id by the commit that introduced the blob — the oldest
/// commit, in walk order, whose tree holds it at any path — and reports a secret once per
/// path: the same value in successive versions of a file has one fingerprint, and is
/// reported at its first commit.
fn attribute_commits(
    git_dir: &Path,
    commits: &[ObjectId],
    threads: usize,
    sink: &mut Sink,
) -> Result<(), String> {
    let mut wanted: HashMap<ObjectId, usize> = HashMap::new();
    for f in &sink.findings {
        let blob = f.location.as_ref().and_then(|l| l.commit.as_deref());
        if let Some(blob) = blob.and_then(|b| ObjectId::from_hex(b.as_bytes()).ok()) {
            let next = wanted.len();
            wanted.entry(blob).or_insert(next);
        }
    }
    // For each wanted blob, the index of the oldest commit holding it. The commits are
    // split into one run of consecutive commits per thread, each with its own view.
    let per_thread = commits.len().div_ceil(threads.max(1)).max(1);
    let parts: Vec<Result<Vec<Option<usize>>, String>> = std::thread::scope(|s| {
        let running: Vec<_> = commits
            .chunks(per_thread)
            .enumerate()
            .map(|(k, part)| {
                let wanted = &wanted;
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
    let mut findings: Vec<(Option<usize>, gardefou_findings::Finding)> =
        std::mem::take(&mut sink.findings)
            .into_iter()
            .map(|mut f| {
                let mut at = None;
                if let Some(loc) = f.location.as_mut() {
                    let blob = loc
                        .commit
                        .take()
                        .and_then(|b| ObjectId::from_hex(b.as_bytes()).ok());
                    at = blob.and_then(|b| oldest[wanted[&b]]);
                    loc.commit = at.map(|i| commits[i].to_string());
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
