//! How the process's memory allocator is tuned: for the binary, at start-up.

/// Makes peak memory follow what is in use. glibc's allocator serves a large request with
/// its own mapping, but once such a mapping is freed it raises that threshold to the
/// freed size (up to 32 MiB), and later large buffers come from per-thread heaps that
/// keep their freed pages: reading history, where every worker decodes objects of every
/// size, that alone held about 15 MB on curl. The threshold is fixed at 256 KiB, and
/// there are at most two heaps. Elsewhere than glibc this does nothing.
///
/// For a binary to call first thing in `main`, before any thread starts: it sets a
/// process-wide policy, so a library embedding gardefou leaves it to its host.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        /// Above this size, a request gets its own mapping, returned when freed.
        const MMAP_THRESHOLD: libc::c_int = 256 * 1024;
        /// The per-thread heaps (arenas).
        const ARENAS: libc::c_int = 2;
        #[allow(unsafe_code)]
        // SAFETY: `mallopt` only sets parameters of glibc's allocator; both values are
        // in their documented ranges, and no other thread exists yet. Its result (0 when
        // a value is refused) leaves the defaults, which are correct, only larger.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            libc::mallopt(libc::M_ARENA_MAX, ARENAS);
        }
    }
}
