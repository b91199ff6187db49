//! Git history, read in-process with `gix`: every blob reachable from any ref, once.
//!
//! - **What is read**: the tips are every ref under `refs/` (branches, tags, remotes, the
//!   stash, notes) and `HEAD`, annotated tags peeled — what `git rev-list --all` starts
//!   from. The repository is opened through [`gardefou_edges::git::open`]: no variable of
//!   the caller's environment can choose another repository, object store or history, and
//!   replace refs are not applied.
//! - **In which order**: commits are walked newest first by commit time (git's own default
//!   order), then visited oldest first; each commit's tree is traversed, skipping every tree
//!   and blob already seen. A blob is thus met first in the commit that introduced it, at the
//!   path it was introduced at, and findings are attributed to that commit with no second
//!   pass. Trees that a tag names directly come last, without a commit.
//! - **Bounded memory**: the only whole-history structures are the commit ids in walk order
//!   and the set of tree and blob ids seen (about 30 bytes an object). Blobs are read and
//!   scanned by worker threads fed through a bounded channel of ids; each thread has its
//!   own view of the object database with a bounded delta-base cache, and reopens it after
//!   reading [`REMAP_AFTER`] bytes: packs are memory-mapped whole, and every page read
//!   would otherwise stay resident for the whole scan.
//! - Submodule entries (gitlinks) are skipped, symlinks are scanned like files (their text is
//!   the link's target), blobs over the size limit are counted and not read, binary blobs
//!   are counted and not scanned. In a shallow clone the walk stops at the shallow boundary.

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};

use gix::hash::ObjectId;
use gix::objs::{FindExt, FindHeader};

use crate::{progress_bar, Error, Origin, Outcome, Scanner, Sink};

/// A thread's object database view is reopened after this many bytes of objects were read
/// through it (see the module doc).
const REMAP_AFTER: u64 = 16 * 1024 * 1024;

/// The delta-base cache of each thread's view of the object database, in bytes.
const PACK_CACHE: usize = 8 * 1024 * 1024;

/// No commit: a blob reached from a tag that names a tree.
const NO_COMMIT: u32 = u32::MAX;

/// Where a traversal starts: a commit (with its index in walk order), or a tree that a tag
/// names.
enum Root {
    Commit(ObjectId, u32),
    Tree(ObjectId),
}

/// One blob to read and scan.
struct Job {
    oid: ObjectId,
    path: String,
    /// Index of the introducing commit in walk order, or [`NO_COMMIT`].
    commit: u32,
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

    /// Counts `bytes` read, and reopens the view once enough were.
    fn charge(&mut self, bytes: usize) -> Result<(), String> {
        self.read += bytes as u64;
        if self.read >= REMAP_AFTER {
            *self = Objects::open(&self.git_dir)?;
        }
        Ok(())
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
    let commits = commits_oldest_first(&repo, commit_tips).map_err(|e| failed(dir, e))?;
    drop(repo);

    let bar = progress_bar(scanner.options().progress, "blobs");
    let max = scanner.options().max_file_size;
    let total = Mutex::new(Sink::default());
    let (tx, rx) = mpsc::sync_channel::<Job>(scanner.threads() * 64);
    let rx = Mutex::new(rx);
    let walked = std::thread::scope(|s| {
        for _ in 0..scanner.threads() {
            s.spawn(|| {
                let mut sink = Sink::default();
                if let Err(e) = read_and_scan(scanner, &git_dir, &commits, max, &rx, &mut sink) {
                    sink.stats.errors.push(e);
                }
                if let Ok(mut t) = total.lock() {
                    t.merge(sink);
                }
            });
        }
        let r = walk_trees(&git_dir, &commits, &tree_tips, &tx, &bar, &mut errors);
        drop(tx);
        r
    });
    walked.map_err(|e| failed(dir, e))?;
    bar.finish_and_clear();
    let mut sink = total.into_inner().unwrap_or_else(|e| e.into_inner());
    sink.stats.errors.extend(errors);
    once_per_secret(&mut sink, &commits);
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

/// Every commit reachable from `tips`, oldest first: the reverse of git's default walk
/// (newest first by commit time, a parent never before the child that reached it), so that
/// a commit's parents are visited before it.
fn commits_oldest_first(
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
    commits.reverse();
    Ok(commits)
}

/// Traverses each commit's tree (then each tagged tree), sending every blob not seen
/// before to the workers with its path and commit.
fn walk_trees(
    git_dir: &Path,
    commits: &[ObjectId],
    tree_tips: &[ObjectId],
    tx: &mpsc::SyncSender<Job>,
    bar: &indicatif::ProgressBar,
    errors: &mut Vec<String>,
) -> Result<(), String> {
    let mut objects = Objects::open(git_dir)?;
    let mut seen = gix::hashtable::HashSet::<ObjectId>::default();
    let mut buf = Vec::new();
    let roots = commits
        .iter()
        .enumerate()
        .map(|(i, c)| Root::Commit(*c, i as u32))
        .chain(tree_tips.iter().map(|t| Root::Tree(*t)));
    // Trees still to traverse from the current root: (tree, path prefix).
    let mut stack: Vec<(ObjectId, String)> = Vec::new();
    let mut entries: Vec<(ObjectId, String, bool)> = Vec::new();
    for root in roots {
        let (root, index) = match root {
            Root::Commit(c, index) => {
                let tree = objects
                    .repo
                    .objects
                    .find_commit_iter(&c, &mut buf)
                    .map_err(|e| e.to_string())
                    .and_then(|mut it| it.tree_id().map_err(|e| e.to_string()));
                objects.charge(buf.len())?;
                match tree {
                    Ok(t) => (t, index),
                    Err(e) => {
                        errors.push(format!("commit {c}: {e}"));
                        continue;
                    }
                }
            }
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
                        if !is_tree && seen.contains(entry.oid) {
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
            for (oid, path, is_tree) in entries.drain(..) {
                if is_tree {
                    stack.push((oid, path));
                } else if seen.insert(oid) {
                    bar.inc(1);
                    if tx
                        .send(Job {
                            oid,
                            path,
                            commit: index,
                        })
                        .is_err()
                    {
                        return Ok(());
                    }
                }
            }
        }
    }
    Ok(())
}

/// A worker: reads each blob it is sent and scans it. Each finding's `commit` is set to
/// the introducing commit's id.
fn read_and_scan(
    scanner: &Scanner,
    git_dir: &Path,
    commits: &[ObjectId],
    max: u64,
    rx: &Mutex<mpsc::Receiver<Job>>,
    sink: &mut Sink,
) -> Result<(), String> {
    let mut objects = Objects::open(git_dir)?;
    let mut buf = Vec::new();
    loop {
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return Ok(()),
        };
        let Ok(job) = job else { return Ok(()) };
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
                let commit = commits.get(job.commit as usize).map(|c| c.to_string());
                for f in &mut sink.findings[before..] {
                    if let Some(loc) = f.location.as_mut() {
                        loc.commit.clone_from(&commit);
                    }
                }
            }
        }
        let read = data.len();
        objects.charge(read)?;
    }
}

/// Reports a secret once per path: the same value in successive versions of a file has
/// one fingerprint, and is reported at the first commit (in walk order) that holds it.
fn once_per_secret(sink: &mut Sink, commits: &[ObjectId]) {
    if sink.findings.is_empty() {
        return;
    }
    let with_findings: std::collections::HashSet<&str> = sink
        .findings
        .iter()
        .filter_map(|f| f.location.as_ref()?.commit.as_deref())
        .collect();
    let order: std::collections::HashMap<String, usize> = commits
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let c = c.to_string();
            with_findings.contains(c.as_str()).then_some((c, i))
        })
        .collect();
    let mut findings = std::mem::take(&mut sink.findings);
    findings.sort_by_key(|f| {
        f.location
            .as_ref()
            .and_then(|l| l.commit.as_ref())
            .and_then(|c| order.get(c))
            .copied()
            .unwrap_or(usize::MAX)
    });
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert((f.rule, f.fingerprint.clone())));
    sink.findings = findings;
}
