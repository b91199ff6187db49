//! The operating system's randomness, for keys: the one place gardefou draws it.

use ring::rand::{SecureRandom, SystemRandom};

/// 256 random bits from the operating system.
#[allow(clippy::disallowed_methods)] // the one home of randomness
pub fn key() -> std::io::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| std::io::Error::other("the operating system gave no random bytes"))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_key_is_another() {
        let (a, b) = (super::key().unwrap(), super::key().unwrap());
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
    }
}
