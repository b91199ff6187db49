//! The blobs of a history read straight from the repository's packs, each delta chain
//! resolved once.
//!
//! Looking objects up one by one resolves a delta chain from its base again whenever the
//! base has left the cache, and most of a history's blobs are deltas. Here each pack's
//! index and entry headers are read first (the pack once through, in order), which gives
//! every delta's base: a forest whose roots are whole objects. Each root that leads to a wanted
//! blob is inflated once, and each delta below it is applied to its base while the base is
//! held, depth first, so every object on the way is inflated once and no chain is resolved
//! twice. A base's deltas are applied shallowest first and the base is let go before its
//! last one is walked, so a worker holds few bases at once (at most [`HELD_MAX`] bytes;
//! below that, what is left is read through `gix`).
//!
//! Packs are read with positioned reads, not mapped (a mapped page read stays resident):
//! memory holds, while a pack's table is built, about 30 bytes an object of the pack, and
//! then about 30 bytes an entry on the way to a wanted blob.
//!
//! This is only a faster road to the same bytes. What it does not read — loose objects,
//! alternates, an index other than version 2 or not of its pack, a delta whose base is
//! named by id, the deltas below an object over the size limit or below bases that would
//! go over [`HELD_MAX`], anything it finds malformed — is left undone, and the caller reads
//! it through `gix`, which reports what cannot be read.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use gix::hash::{oid, ObjectId};

use crate::history::Blob;
use crate::{Scanner, Sink};

/// The length of an object id (SHA-1) and of a pack's trailing checksum.
const ID: usize = 20;

/// `base` of an entry that is a whole blob.
const WHOLE_BLOB: u32 = u32::MAX;
/// `base` of an entry that is a whole commit, tree or tag.
const WHOLE_OTHER: u32 = u32::MAX - 1;
/// `base` of a delta whose base is named by id, or could not be found: left to `gix`.
const FOREIGN: u32 = u32::MAX - 2;
/// `want` of an entry that no walk asked for.
const UNWANTED: u32 = u32::MAX;

/// A worker holds at most this many bytes of bases along the chain it walks; below a base
/// that would go over, the deltas are left to `gix`.
const HELD_MAX: usize = 16 * 1024 * 1024;

/// The bytes read at once from an index or from the pack's entry headers.
const WINDOW: usize = 256 * 1024;

/// How many object buffers a worker keeps for the next objects.
const SPARE: usize = 4;

/// A buffer kept for the next object only if it is at most this large.
const BUFFER_KEPT: usize = 1024 * 1024;

/// What the packs are asked for: each blob, its path and commit, and whether it was read.
pub(crate) struct Wanted<'a> {
    pub blobs: &'a [Blob],
    pub paths: &'a [String],
    /// The commits of the walk, which [`Blob::commit`] indexes.
    pub commits: &'a [ObjectId],
    /// Set once a blob has been scanned, or counted as too large.
    pub done: &'a [AtomicBool],
    /// Counts the blobs scanned.
    pub bar: &'a indicatif::ProgressBar,
    /// The indices of `blobs`, in the order of their ids: how a pack index's ids are
    /// looked up (half the memory of a hash map).
    by_id: Vec<u32>,
}

impl<'a> Wanted<'a> {
    pub fn new(
        blobs: &'a [Blob],
        paths: &'a [String],
        commits: &'a [ObjectId],
        done: &'a [AtomicBool],
        bar: &'a indicatif::ProgressBar,
    ) -> Self {
        let mut by_id: Vec<u32> = (0..blobs.len() as u32).collect();
        by_id.sort_unstable_by_key(|&i| blobs[i as usize].oid);
        Wanted {
            blobs,
            paths,
            commits,
            done,
            bar,
            by_id,
        }
    }

    /// The index in `blobs` of the blob `id`.
    fn find(&self, id: &oid) -> Option<u32> {
        self.by_id
            .binary_search_by(|&i| self.blobs[i as usize].oid.as_ref().cmp(id))
            .ok()
            .map(|k| self.by_id[k])
    }
}

/// Reads and scans every wanted blob that the packs of `objects` (an `objects` directory)
/// hold, marking each one done. Findings and counts go to `total`.
pub(crate) fn scan(
    scanner: &Scanner,
    objects: &Path,
    wanted: &Wanted<'_>,
    threads: usize,
    total: &Mutex<Sink>,
) {
    let scan = |blob: &Blob, bytes: &[u8], sink: &mut Sink| {
        crate::history::scan_blob(
            scanner,
            wanted.commits.get(blob.commit as usize),
            &wanted.paths[blob.path as usize],
            bytes,
            sink,
        );
    };
    let max = scanner.options().max_file_size;
    read(objects, wanted, threads, max, &scan, total);
}

/// What is done with the bytes of each wanted blob read.
type OnBlob<'a> = &'a (dyn Fn(&Blob, &[u8], &mut Sink) + Sync);

/// Reads every wanted blob at most `max` bytes long that the packs of `objects` hold,
/// handing it to `on_blob`, and counts the longer ones; marks each one done.
fn read(
    objects: &Path,
    wanted: &Wanted<'_>,
    threads: usize,
    max: u64,
    on_blob: OnBlob<'_>,
    total: &Mutex<Sink>,
) {
    let mut packs: Vec<PathBuf> = match std::fs::read_dir(objects.join("pack")) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .collect(),
        Err(_) => return,
    };
    packs.sort();
    for idx in packs {
        let Some(table) = Table::read(&idx, &idx.with_extension("pack"), wanted) else {
            continue;
        };
        if table.roots.is_empty() {
            continue;
        }
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..threads.max(1) {
                let (table, next) = (&table, &next);
                s.spawn(move || {
                    let mut worker = Worker::new(table, wanted, max, on_blob);
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&root) = table.roots.get(k) else {
                            break;
                        };
                        worker.resolve(root);
                    }
                    if let Ok(mut t) = total.lock() {
                        t.merge(worker.sink);
                    }
                });
            }
        });
    }
}

/// One pack, as far as the wanted blobs need it: the entries on the way to one, in pack
/// order.
struct Table {
    pack: File,
    entries: Vec<Entry>,
    /// The deltas to apply to each entry: `kids[kids_at[i]..kids_at[i + 1]]`, shallowest
    /// first.
    kids_at: Vec<u32>,
    kids: Vec<u32>,
    /// The whole blobs to start from.
    roots: Vec<u32>,
}

/// One entry of a pack.
struct Entry {
    /// Where it starts in the pack, and where the next one starts.
    at: u64,
    end: u64,
    /// Its index in [`Wanted::blobs`], or [`UNWANTED`] for a base on the way.
    want: u32,
}

impl Table {
    /// The table of the pack `pack` and its index `idx`; `None` when either cannot be read
    /// as expected, or nothing wanted is in it.
    fn read(idx: &Path, pack: &Path, wanted: &Wanted<'_>) -> Option<Table> {
        let (file, len) = gardefou_edges::bounded::open_regular(pack).ok()?;
        let mut entries = read_index(idx, (&file, len), wanted)?;
        entries.sort_unstable_by_key(|e| e.0);
        if entries.windows(2).any(|w| w[0].0 == w[1].0) || entries.len() >= FOREIGN as usize {
            return None;
        }
        if entries.iter().all(|e| e.1 == UNWANTED) {
            return None;
        }
        let mut head = [0u8; 12];
        file.read_exact_at(&mut head, 0).ok()?;
        let count = u32::from_be_bytes([head[8], head[9], head[10], head[11]]);
        if &head[..4] != b"PACK"
            || !matches!(head[7], 2 | 3)
            || head[4..7] != [0, 0, 0]
            || count as usize != entries.len()
        {
            return None;
        }
        let end = len.checked_sub(ID as u64)?;
        let (offsets, want): (Vec<u64>, Vec<u32>) = entries.into_iter().unzip();
        if offsets.first().is_some_and(|&o| o < 12) || offsets.last().is_some_and(|&o| o >= end) {
            return None;
        }
        let n = offsets.len();
        let mut base = vec![FOREIGN; n];
        let mut window = Window::new(&file, end);
        for i in 0..n {
            let at = offsets[i];
            let next = offsets.get(i + 1).copied().unwrap_or(end);
            let bytes = window.at(at, (next - at).min(32) as usize)?;
            let Some(header) = Header::parse(bytes) else {
                continue;
            };
            base[i] = match header.kind {
                3 => WHOLE_BLOB,
                1 | 2 | 4 => WHOLE_OTHER,
                6 => at
                    .checked_sub(header.distance)
                    .and_then(|b| offsets[..i].binary_search(&b).ok())
                    .map_or(FOREIGN, |b| b as u32),
                _ => FOREIGN,
            };
        }
        // An entry is needed if it is wanted or a base on the way to one; a base always
        // comes before its deltas, so one pass from the end carries it up every chain.
        let mut needed: Vec<bool> = want.iter().map(|&w| w != UNWANTED).collect();
        for i in (0..n).rev() {
            if needed[i] && (base[i] as usize) < n {
                needed[base[i] as usize] = true;
            }
        }
        // Only the needed entries are kept, in pack order: (position, end, wanted, base).
        let mut slot = vec![u32::MAX; n];
        let mut kept: Vec<(u64, u64, u32, u32)> = Vec::new();
        for i in (0..n).filter(|&i| needed[i]) {
            slot[i] = kept.len() as u32;
            let b = match base[i] {
                b if (b as usize) < n => slot[b as usize],
                b => b,
            };
            let end = offsets.get(i + 1).copied().unwrap_or(end);
            kept.push((offsets[i], end, want[i], b));
        }
        drop((offsets, want, base, needed, slot));
        let m = kept.len();
        // How far down each entry's deltas go: a base's deltas are applied shallowest
        // first, so the base is let go (after its last delta) before the deepest chain is
        // walked, and few bases are held at once.
        let mut height = vec![0u32; m];
        for i in (0..m).rev() {
            let b = kept[i].3 as usize;
            if b < m {
                height[b] = height[b].max(height[i] + 1);
            }
        }
        let mut kids_at = vec![0u32; m + 1];
        for e in &kept {
            if (e.3 as usize) < m {
                kids_at[e.3 as usize + 1] += 1;
            }
        }
        for i in 0..m {
            kids_at[i + 1] += kids_at[i];
        }
        let mut fill = kids_at.clone();
        let mut kids = vec![0u32; kids_at[m] as usize];
        for (i, e) in kept.iter().enumerate() {
            let b = e.3 as usize;
            if b < m {
                kids[fill[b] as usize] = i as u32;
                fill[b] += 1;
            }
        }
        for i in 0..m {
            kids[kids_at[i] as usize..kids_at[i + 1] as usize]
                .sort_by_key(|&k| (height[k as usize], k));
        }
        let roots = (0..m)
            .filter(|&i| kept[i].3 == WHOLE_BLOB)
            .map(|i| i as u32)
            .collect();
        Some(Table {
            pack: file,
            entries: kept
                .into_iter()
                .map(|(at, end, want, _)| Entry { at, end, want })
                .collect(),
            kids_at,
            kids,
            roots,
        })
    }

    fn kids(&self, entry: u32) -> &[u32] {
        let i = entry as usize;
        &self.kids[self.kids_at[i] as usize..self.kids_at[i + 1] as usize]
    }
}

/// The most objects a pack index may list here (git's largest repositories hold tens of
/// millions); a larger one is left to gix.
const MAX_OBJECTS: u64 = 1 << 28;

/// Every object of the version-2 pack index `path` of the pack `pack` (of `pack_len`
/// bytes): (position in the pack, index in `wanted` or [`UNWANTED`] — also for a blob that
/// an earlier pack gave), in the index's order. `None` unless it is such an index, checked as git checks it: its
/// size, its fan-out, ids in strictly ascending order, and the pack's checksum, which it
/// repeats (an index left over from another pack, or planted, is not used).
fn read_index(
    path: &Path,
    (pack, pack_len): (&File, u64),
    wanted: &Wanted<'_>,
) -> Option<Vec<(u64, u32)>> {
    let (file, len) = gardefou_edges::bounded::open_regular(path).ok()?;
    let mut head = [0u8; 8 + 256 * 4];
    file.read_exact_at(&mut head, 0).ok()?;
    if head[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
        return None;
    }
    let fanout: Vec<u32> = head[8..]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if fanout.windows(2).any(|w| w[0] > w[1]) {
        return None;
    }
    let n = u64::from(fanout[255]);
    let ids = head.len() as u64;
    let small = ids + n * (ID as u64 + 4);
    let large = small + n * 4;
    // Then 8 bytes per large position, and the pack's and the index's own checksums.
    let trailer = 2 * ID as u64;
    if n > MAX_OBJECTS || len < large + trailer || !(len - large - trailer).is_multiple_of(8) {
        return None;
    }
    let large_end = len - trailer;
    let (mut sum, mut pack_sum) = ([0u8; ID], [0u8; ID]);
    file.read_exact_at(&mut sum, large_end).ok()?;
    pack.read_exact_at(&mut pack_sum, pack_len.checked_sub(ID as u64)?)
        .ok()?;
    if sum != pack_sum {
        return None;
    }
    let (mut id_window, mut at_window) = (Window::new(&file, len), Window::new(&file, len));
    let mut entries = Vec::with_capacity(n as usize);
    let mut previous: Option<ObjectId> = None;
    for i in 0..n {
        let id = oid::try_from_bytes(id_window.at(ids + i * ID as u64, ID)?).ok()?;
        if previous.is_some_and(|p| p.as_ref() >= id) {
            return None;
        }
        previous = Some(id.to_owned());
        let want = wanted
            .find(id)
            .filter(|&w| !wanted.done[w as usize].load(Ordering::Relaxed))
            .unwrap_or(UNWANTED);
        let small_at = at_window.at(small + i * 4, 4)?;
        let small_at = u32::from_be_bytes(small_at.try_into().ok()?);
        let at = if small_at & 0x8000_0000 == 0 {
            u64::from(small_at)
        } else {
            let k = u64::from(small_at & 0x7fff_ffff);
            let pos = large + k * 8;
            if pos + 8 > large_end {
                return None;
            }
            let mut wide = [0u8; 8];
            file.read_exact_at(&mut wide, pos).ok()?;
            u64::from_be_bytes(wide)
        };
        entries.push((at, want));
    }
    Some(entries)
}

/// Reads small pieces of a file at ascending positions through one buffer.
struct Window<'f> {
    file: &'f File,
    /// The file's length: nothing past it is read.
    len: u64,
    buf: Vec<u8>,
    start: u64,
}

impl<'f> Window<'f> {
    fn new(file: &'f File, len: u64) -> Self {
        Window {
            file,
            len,
            buf: Vec::new(),
            start: 0,
        }
    }

    /// The `n` bytes at `pos`; `None` past the end or on a read error.
    fn at(&mut self, pos: u64, n: usize) -> Option<&[u8]> {
        let end = pos.checked_add(n as u64)?;
        if end > self.len {
            return None;
        }
        if pos < self.start || end > self.start + self.buf.len() as u64 {
            let take = (self.len - pos).min(WINDOW.max(n) as u64) as usize;
            self.buf.resize(take, 0);
            self.file.read_exact_at(&mut self.buf, pos).ok()?;
            self.start = pos;
        }
        let from = (pos - self.start) as usize;
        Some(&self.buf[from..from + n])
    }
}

/// A pack entry's header.
struct Header {
    /// 1 commit, 2 tree, 3 blob, 4 tag, 6 delta on an earlier entry, 7 delta on an id.
    kind: u8,
    /// The inflated size: the object's, or the delta's.
    size: u64,
    /// How far back the base of a kind-6 delta starts.
    distance: u64,
    /// The header's length: the compressed data starts after it.
    len: usize,
}

impl Header {
    fn parse(bytes: &[u8]) -> Option<Header> {
        let mut i = 0;
        let mut byte = *bytes.get(i)?;
        i += 1;
        let kind = (byte >> 4) & 7;
        let mut size = u64::from(byte & 0x0f);
        let mut shift = 4;
        while byte & 0x80 != 0 {
            byte = *bytes.get(i)?;
            i += 1;
            if shift > 57 {
                return None;
            }
            size |= u64::from(byte & 0x7f) << shift;
            shift += 7;
        }
        let mut distance = 0;
        if kind == 6 {
            byte = *bytes.get(i)?;
            i += 1;
            distance = u64::from(byte & 0x7f);
            while byte & 0x80 != 0 {
                byte = *bytes.get(i)?;
                i += 1;
                distance = distance
                    .checked_add(1)?
                    .checked_mul(128)?
                    .checked_add(u64::from(byte & 0x7f))?;
            }
            if distance == 0 {
                return None;
            }
        } else if kind == 7 {
            i += ID;
        }
        Some(Header {
            kind,
            size,
            distance,
            len: i,
        })
    }
}

/// One thread resolving the chains of the roots it takes.
struct Worker<'a> {
    table: &'a Table,
    wanted: &'a Wanted<'a>,
    /// The size limit.
    max: u64,
    on_blob: OnBlob<'a>,
    sink: Sink,
    inflate: gix::zlib::Inflate,
    /// The compressed bytes of the entry being inflated.
    packed: Vec<u8>,
    /// The inflated delta being applied.
    delta: Vec<u8>,
    /// Buffers for objects, reused.
    spare: Vec<Vec<u8>>,
}

impl<'a> Worker<'a> {
    fn new(table: &'a Table, wanted: &'a Wanted<'a>, max: u64, on_blob: OnBlob<'a>) -> Self {
        Worker {
            table,
            wanted,
            max,
            on_blob,
            sink: Sink::default(),
            inflate: gix::zlib::Inflate::default(),
            packed: Vec::new(),
            delta: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// Inflates `root` and applies, depth first, every delta below it that leads to a
    /// wanted blob, scanning the wanted ones on the way.
    fn resolve(&mut self, root: u32) {
        let max = self.max;
        let mut object = self.buffer();
        let Some(size) = self.inflate_entry(root, max, &mut object) else {
            self.recycle(object);
            return;
        };
        if size > max {
            // Too large to scan, or to hold as a base: what is below is left to gix.
            self.too_large(root);
            self.recycle(object);
            return;
        }
        self.visit(root, &object);
        if object.len() > HELD_MAX {
            // Not held: the deltas below are left to gix.
            self.recycle(object);
            return;
        }
        // (entry, its bytes, how many of its deltas were applied)
        let mut chain: Vec<(u32, Vec<u8>, usize)> = vec![(root, object, 0)];
        let mut held = chain[0].1.len();
        while let Some(top) = chain.last_mut() {
            let Some(&kid) = self.table.kids(top.0).get(top.2) else {
                let (_, bytes, _) = chain.pop().unwrap_or_default();
                held -= bytes.len();
                self.recycle(bytes);
                continue;
            };
            top.2 += 1;
            let mut delta = std::mem::take(&mut self.delta);
            // A delta is at most a little larger than what it builds.
            let delta_max = max + (max >> 6) + 64;
            let built = match self.inflate_entry(kid, delta_max, &mut delta) {
                Some(n) if n <= delta_max => {
                    let base = &chain[chain.len() - 1].1;
                    self.apply(base, &delta, max)
                }
                _ => Built::Failed,
            };
            if delta.capacity() > BUFFER_KEPT {
                delta = Vec::new();
            }
            self.delta = delta;
            match built {
                Built::Object(bytes) => {
                    self.visit(kid, &bytes);
                    // The base's last delta is built: the base is let go before going
                    // down, so that a straight chain holds one object, not all of them.
                    if let Some(top) = chain.last() {
                        if top.2 == self.table.kids(top.0).len() {
                            let (_, base, _) = chain.pop().unwrap_or_default();
                            held -= base.len();
                            self.recycle(base);
                        }
                    }
                    if !self.table.kids(kid).is_empty() && held + bytes.len() <= HELD_MAX {
                        held += bytes.len();
                        chain.push((kid, bytes, 0));
                    } else {
                        self.recycle(bytes);
                    }
                }
                Built::TooLarge => self.too_large(kid),
                Built::Failed => {}
            }
        }
    }

    /// Inflates entry `i` into `out` if its inflated size is at most `max`, and returns that
    /// size (also when it is larger, leaving `out` empty). `None` when it cannot be read.
    fn inflate_entry(&mut self, i: u32, max: u64, out: &mut Vec<u8>) -> Option<u64> {
        let table = self.table;
        let Entry { at, end, .. } = table.entries[i as usize];
        let span = end.checked_sub(at)?;
        let mut head = [0u8; 32];
        let head_len = span.min(32) as usize;
        table.pack.read_exact_at(&mut head[..head_len], at).ok()?;
        let header = Header::parse(&head[..head_len]).filter(|h| matches!(h.kind, 3 | 6))?;
        out.clear();
        if header.size > max {
            return Some(header.size);
        }
        // Deflate adds a few bytes a block to what it cannot compress.
        let packed_len = span
            .checked_sub(header.len as u64)?
            .min(header.size + (header.size >> 10) + 64);
        self.packed.resize(packed_len as usize, 0);
        let read = table
            .pack
            .read_exact_at(&mut self.packed, at + header.len as u64);
        let result = read.ok().map(|()| {
            out.resize(header.size as usize, 0);
            self.inflate.reset();
            self.inflate.once(&self.packed, out)
        });
        if self.packed.capacity() > BUFFER_KEPT {
            self.packed = Vec::new();
        }
        match result? {
            Ok((gix::zlib::Status::StreamEnd, _, written)) if written == out.len() => {
                Some(header.size)
            }
            _ => None,
        }
    }

    /// Applies `delta` to `base`.
    fn apply(&mut self, base: &[u8], delta: &[u8], max: u64) -> Built {
        let mut i = 0;
        let (Some(base_len), Some(len)) = (varint(delta, &mut i), varint(delta, &mut i)) else {
            return Built::Failed;
        };
        if base_len != base.len() as u64 {
            return Built::Failed;
        }
        if len > max {
            return Built::TooLarge;
        }
        let mut out = self.buffer();
        out.reserve(len as usize);
        while let Some(&op) = delta.get(i) {
            i += 1;
            if op & 0x80 != 0 {
                // Copy from the base: which bytes of offset and size follow is in `op`.
                let mut field = |bits: u8, shifts: &[u32]| -> Option<u64> {
                    let mut value = 0u64;
                    for (k, shift) in shifts.iter().enumerate() {
                        if bits & (1 << k) != 0 {
                            value |= u64::from(*delta.get(i)?) << shift;
                            i += 1;
                        }
                    }
                    Some(value)
                };
                let (Some(from), Some(size)) = (
                    field(op & 0x0f, &[0, 8, 16, 24]),
                    field((op >> 4) & 7, &[0, 8, 16]),
                ) else {
                    return self.failed(out);
                };
                let size = if size == 0 { 0x10000 } else { size };
                let Some(piece) = base.get(from as usize..(from + size) as usize) else {
                    return self.failed(out);
                };
                out.extend_from_slice(piece);
            } else if op != 0 {
                // Insert the next `op` bytes of the delta.
                let Some(piece) = delta.get(i..i + op as usize) else {
                    return self.failed(out);
                };
                i += op as usize;
                out.extend_from_slice(piece);
            } else {
                return self.failed(out);
            }
            if out.len() as u64 > len {
                return self.failed(out);
            }
        }
        if out.len() as u64 != len {
            return self.failed(out);
        }
        Built::Object(out)
    }

    fn failed(&mut self, out: Vec<u8>) -> Built {
        self.recycle(out);
        Built::Failed
    }

    /// Hands entry `i`'s bytes on if it is a wanted blob that no pack gave yet.
    fn visit(&mut self, i: u32, bytes: &[u8]) {
        let w = self.table.entries[i as usize].want;
        if w == UNWANTED || self.wanted.done[w as usize].swap(true, Ordering::Relaxed) {
            return;
        }
        self.wanted.bar.inc(1);
        (self.on_blob)(&self.wanted.blobs[w as usize], bytes, &mut self.sink);
    }

    /// Counts entry `i` as a blob too large to scan, if it is wanted.
    fn too_large(&mut self, i: u32) {
        let w = self.table.entries[i as usize].want;
        if w != UNWANTED && !self.wanted.done[w as usize].swap(true, Ordering::Relaxed) {
            self.wanted.bar.inc(1);
            self.sink.stats.skipped_large += 1;
        }
    }

    fn buffer(&mut self) -> Vec<u8> {
        let mut b = self.spare.pop().unwrap_or_default();
        b.clear();
        b
    }

    fn recycle(&mut self, bytes: Vec<u8>) {
        if bytes.capacity() <= BUFFER_KEPT && self.spare.len() < SPARE {
            self.spare.push(bytes);
        }
    }
}

/// What applying a delta gave.
enum Built {
    Object(Vec<u8>),
    /// The object is larger than the limit: not built.
    TooLarge,
    /// The delta does not fit its base, or is malformed.
    Failed,
}

/// A delta's size field: 7 bits a byte, least significant first.
fn varint(bytes: &[u8], i: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(*i)?;
        *i += 1;
        if shift > 57 {
            return None;
        }
        value |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::NO_COMMIT;
    use gardefou_testkit::git;

    /// Files that change in every commit: a pack stores most of their versions as deltas.
    fn history(dir: &Path) {
        git::init(dir, "main");
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!("line {i}: {}\n", "word ".repeat(i % 7 + 1)));
            git::commit(dir, "notes.txt", &text, "notes");
            git::commit(
                dir,
                &format!("f{}.txt", i % 3),
                &format!("{i}\n{text}"),
                "more",
            );
        }
    }

    /// Every blob `rev-list` lists with a path.
    fn blobs(dir: &Path) -> (Vec<Blob>, Vec<String>) {
        let listed = git::run(dir, &["rev-list", "--objects", "--all"]);
        let (mut blobs, mut paths) = (Vec::new(), Vec::new());
        for (id, path) in listed.lines().filter_map(|l| l.split_once(' ')) {
            let kind = git::run(dir, &["cat-file", "-t", id]);
            if kind.trim() == "blob" {
                blobs.push(Blob {
                    oid: ObjectId::from_hex(id.as_bytes()).unwrap(),
                    path: paths.len() as u32,
                    commit: NO_COMMIT,
                });
                paths.push(path.to_owned());
            }
        }
        (blobs, paths)
    }

    /// Which blobs the packs gave. Each one's bytes must hash to its id: exactly the
    /// blob was read.
    fn read_from_packs(dir: &Path) -> Vec<bool> {
        read_up_to(dir, 1 << 20).0
    }

    /// The same with blobs over `max` bytes counted, not read: which were done, and how
    /// many were counted.
    fn read_up_to(dir: &Path, max: u64) -> (Vec<bool>, u64) {
        let (blobs, paths) = blobs(dir);
        read_listed(dir, &blobs, &paths, max)
    }

    /// The same for blobs listed beforehand.
    fn read_listed(dir: &Path, blobs: &[Blob], paths: &[String], max: u64) -> (Vec<bool>, u64) {
        assert!(blobs.len() > 40, "{} blobs", blobs.len());
        let done: Vec<AtomicBool> = blobs.iter().map(|_| AtomicBool::new(false)).collect();
        let bar = indicatif::ProgressBar::hidden();
        let wanted = Wanted::new(blobs, paths, &[], &done, &bar);
        let check = |blob: &Blob, bytes: &[u8], sink: &mut Sink| {
            let id = gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, bytes);
            if id.ok() != Some(blob.oid) {
                sink.stats.errors.push(format!("{}: other bytes", blob.oid));
            }
            sink.stats.scanned += 1;
        };
        let total = Mutex::new(Sink::default());
        read(&dir.join(".git/objects"), &wanted, 2, max, &check, &total);
        let stats = total.into_inner().unwrap().stats;
        assert_eq!(stats.errors, Vec::<String>::new());
        let done: Vec<bool> = done.iter().map(|d| d.load(Ordering::Relaxed)).collect();
        let read = done.iter().filter(|&&d| d).count() as u64;
        assert_eq!(stats.scanned + stats.skipped_large, read, "each blob once");
        (done, stats.skipped_large)
    }

    /// The repository's pack indexes.
    fn indexes(dir: &Path) -> Vec<std::path::PathBuf> {
        let packs = std::fs::read_dir(dir.join(".git/objects/pack")).unwrap();
        let mut found: Vec<_> = packs
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .collect();
        found.sort();
        found
    }

    /// Which blobs the packs gave once the index of a repacked history was written again
    /// with `git index-pack --index-version=<version>`.
    fn read_reindexed(version: &str) -> Vec<bool> {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git::run(dir.path(), &["repack", "-adq"]);
        let idx = indexes(dir.path()).pop().unwrap();
        std::fs::remove_file(&idx).unwrap();
        let pack = idx.with_extension("pack");
        let version = format!("--index-version={version}");
        git::run(
            dir.path(),
            &["index-pack", &version, pack.to_str().unwrap()],
        );
        assert!(idx.exists());
        read_from_packs(dir.path())
    }

    #[test]
    fn positions_past_the_index_s_4_byte_table_are_read() {
        // Every object past byte 32 of the pack has its position in the 8-byte table, as
        // objects past 2 GiB do.
        assert!(read_reindexed("2,0x20").iter().all(|&d| d));
    }

    #[test]
    fn an_index_of_version_1_is_left_to_gix() {
        assert!(read_reindexed("1").iter().all(|&d| !d));
    }

    #[test]
    fn an_index_of_another_pack_of_the_same_objects_is_not_used() {
        // Same objects, so the same count; other positions. git refuses the pair by the
        // pack checksum that the index repeats, and so does this reader.
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git::run(dir.path(), &["repack", "-adq", "--depth=50", "--window=50"]);
        let other = std::fs::read(indexes(dir.path()).pop().unwrap()).unwrap();
        git::run(dir.path(), &["repack", "-adfq", "--window=0"]);
        let (blobs, paths) = blobs(dir.path());
        let idx = indexes(dir.path()).pop().unwrap();
        assert_ne!(std::fs::read(&idx).unwrap(), other);
        let mut perms = std::fs::metadata(&idx).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&idx, perms).unwrap();
        std::fs::write(&idx, other).unwrap();
        let (done, _) = read_listed(dir.path(), &blobs, &paths, 1 << 20);
        assert!(done.iter().all(|&d| !d));
    }

    #[test]
    fn every_pack_is_read_and_a_blob_in_two_packs_once() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git::run(dir.path(), &["repack", "-adq"]);
        // More history in a second pack, and a third holding everything again.
        git::commit(dir.path(), "late.txt", "late\n", "late");
        git::run(dir.path(), &["repack", "-dq"]);
        git::commit(dir.path(), "later.txt", "later\n", "later");
        git::run(dir.path(), &["repack", "-aq"]);
        assert!(indexes(dir.path()).len() >= 3);
        // read_up_to asserts that each blob is handed on once.
        assert!(read_from_packs(dir.path()).iter().all(|&d| d));
    }

    #[test]
    fn a_damaged_pack_never_hands_on_other_bytes_than_a_blob_s() {
        // One byte changed at a time, all through the pack (headers, distances, data):
        // nothing panics, and every blob handed on still hashes to its id (read_listed
        // checks): what cannot be read is left to gix, which reports it.
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git::run(dir.path(), &["repack", "-adq", "--depth=50", "--window=50"]);
        let (blobs, paths) = blobs(dir.path());
        let pack = indexes(dir.path()).pop().unwrap().with_extension("pack");
        let mut perms = std::fs::metadata(&pack).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&pack, perms).unwrap();
        let good = std::fs::read(&pack).unwrap();
        let (mut tried, mut left) = (0, 0);
        // Past the 12-byte header, short of the checksum (which ties the index).
        for at in (12..good.len() - ID).step_by(17) {
            let mut bad = good.clone();
            bad[at] ^= 0x5a;
            std::fs::write(&pack, &bad).unwrap();
            let (done, _) = read_listed(dir.path(), &blobs, &paths, 1 << 20);
            tried += 1;
            left += usize::from(done.iter().any(|&d| !d));
        }
        // Most of the pack is commits and trees, which this reader does not need.
        assert!(tried > 100 && left > 10, "{left} of {tried} left to gix");
    }

    #[test]
    fn a_base_over_the_limit_is_counted_and_its_deltas_left_to_gix() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        // A file that grows past 4 KiB: its newest (largest) versions are the bases.
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!("{i:04} {}\n", "padding ".repeat(30)));
            git::commit(dir.path(), "big.txt", &text, "big");
        }
        git::run(dir.path(), &["repack", "-adq", "--depth=50", "--window=50"]);
        let (done, too_large) = read_up_to(dir.path(), 4096);
        assert!(too_large > 0);
        let read = done.iter().filter(|&&d| d).count();
        assert!(read > 40 && read < done.len(), "{read} of {}", done.len());
    }

    /// How many entries of the repository's packs are deltas (`git verify-pack`).
    fn deltas(dir: &Path) -> usize {
        indexes(dir)
            .into_iter()
            .map(|idx| {
                let listed = git::run(dir, &["verify-pack", "-v", idx.to_str().unwrap()]);
                // A delta's line ends with its depth and its base's id.
                listed
                    .lines()
                    .filter(|l| l.split_whitespace().count() == 7)
                    .count()
            })
            .sum()
    }

    #[test]
    fn every_blob_of_a_repacked_history_is_read_from_its_pack() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git::run(dir.path(), &["repack", "-adq", "--depth=50", "--window=50"]);
        assert!(deltas(dir.path()) > 40, "the pack holds delta chains");
        let done = read_from_packs(dir.path());
        assert!(done.iter().all(|&d| d), "{done:?}");
    }

    #[test]
    fn deltas_on_a_base_named_by_id_are_left_to_gix() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git::run(
            dir.path(),
            &["-c", "repack.useDeltaBaseOffset=false", "repack", "-adq"],
        );
        assert!(deltas(dir.path()) > 40);
        let done = read_from_packs(dir.path());
        let read = done.iter().filter(|&&d| d).count();
        assert!(read > 0 && read < done.len(), "{read} of {}", done.len());
    }

    #[test]
    fn loose_objects_are_left_to_gix() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        let done = read_from_packs(dir.path());
        assert!(done.iter().all(|&d| !d));
    }
}
