//! Reads the files gardefou is pointed at (policy, env file, registry) with a size limit,
//! so that `/dev/zero`, `/dev/urandom` or a runaway file is an error, not an endless read
//! that ends in the kernel's OOM killer.

use std::io::Read;
use std::path::Path;

/// The policy file and the env file: far above any real one.
pub const TEXT_LIMIT: u64 = 4 << 20;
/// The secrets registry: 16 hex digits per secret and environment.
pub const REGISTRY_LIMIT: u64 = 16 << 20;

/// Like [`read`], for files that must be regular files (the policy, the registry): a
/// FIFO or a device would block or never end, so it is refused before it is opened.
pub fn read_regular(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    read_checked(path, limit, true)
}

/// Reads at most `limit` bytes of `path`; a longer file is an `InvalidData` error that
/// says so (the caller adds which file it is). Opened without blocking: a FIFO with no
/// writer reads as empty instead of waiting forever.
pub fn read(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    read_checked(path, limit, false)
}

/// What [`read_regular_into`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filled {
    /// The whole file is in the buffer.
    Read,
    /// The file is larger than the limit (by its size, or it grew while read): the
    /// buffer holds nothing useful.
    TooLarge,
}

/// Like [`read_regular`], into a buffer the caller reuses (cleared first) and with a file
/// over `limit` reported as [`Filled::TooLarge`] rather than an error: the scanner's loop.
pub fn read_regular_into(path: &Path, limit: u64, buf: &mut Vec<u8>) -> std::io::Result<Filled> {
    let (file, len) = open_regular(path)?;
    buf.clear();
    if len > limit {
        return Ok(Filled::TooLarge);
    }
    // `take` guards against a file growing between the size check and the read.
    file.take(limit + 1).read_to_end(buf)?;
    Ok(if buf.len() as u64 > limit {
        Filled::TooLarge
    } else {
        Filled::Read
    })
}

/// The first `n` bytes (or fewer) of the regular file `path`: enough to tell a script by
/// its `#!` line from a binary, without reading either.
pub fn read_head(path: &Path, n: u64) -> std::io::Result<Vec<u8>> {
    let (file, _) = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(n).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opens the regular file `path` (a FIFO or a device is refused before anything is read),
/// with its length. Also for reading ranges of it at known positions (a git pack and its
/// index, with `FileExt::read_exact_at`): the caller reads nothing past that length.
pub fn open_regular(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok((file, meta.len()))
}

#[allow(clippy::disallowed_methods)] // the one home of reads
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

fn read_checked(path: &Path, limit: u64, regular: bool) -> std::io::Result<Vec<u8>> {
    // O_NONBLOCK: opening a FIFO never waits for a writer. What was opened is then
    // checked, not what the path named a moment before.
    let file = if regular {
        open_regular(path)?.0
    } else {
        open_nonblocking(path)?
    };
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} MiB", limit >> 20),
        ));
    }
    Ok(bytes)
}
