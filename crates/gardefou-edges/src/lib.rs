//! The edges every gardefou command shares with the system, each in one place:
//!
//! - [`bounded`]: reads of the files gardefou is pointed at — bounded, opened without
//!   blocking, regular files where it matters;
//! - [`git`]: the one way gardefou runs `git`, in an environment that cannot point it at
//!   another repository or history, and (feature `gix`) the one way it opens a repository
//!   in-process, with the same guarantees;
//! - [`replace`]: the one way gardefou writes a file: atomically, never through a symlink;
//! - [`random`]: the operating system's randomness, for keys;
//! - [`hex`]: lower-case hexadecimal;
//! - [`allocator`]: the binary's tuning of the memory allocator (the one `unsafe` call).
#![warn(missing_docs)]

pub mod allocator;
pub mod bounded;
pub mod git;
pub mod random;
mod replace;

pub use replace::replace;

/// Lower-case hexadecimal.
pub mod hex {
    /// `bytes` as lower-case hexadecimal, two digits each.
    pub fn encode(bytes: &[u8]) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            s.push(char::from(DIGITS[usize::from(b >> 4)]));
            s.push(char::from(DIGITS[usize::from(b & 0xf)]));
        }
        s
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn two_lower_case_digits_per_byte() {
            assert_eq!(super::encode(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
            assert_eq!(super::encode(&[]), "");
        }
    }
}
