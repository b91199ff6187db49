//! A small, conservative entropy estimate for `DEBUG_SECRET`.
//!
//! Credits no more than the value's alphabet can carry: hexadecimal 4 bits per character,
//! base64 6 bits per character, anything else `log2` of the character classes it uses,
//! per character. A value that uses too few distinct symbols for its length, or that is a
//! repeated block, is worth nothing.

/// Estimated bits of entropy of `value` (0 for a patterned value).
pub fn bits(value: &str) -> u32 {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n == 0 {
        return 0;
    }
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    // A random draw of n symbols from an alphabet of 16 or more uses well over
    // min(n, 16) / 2 distinct symbols; `aaaa…`, `abab…` do not.
    if distinct.len() * 2 < n.min(16) {
        return 0;
    }
    if (1..=n / 2).any(|p| n % p == 0 && chars.chunks(p).all(|c| c == &chars[..p])) {
        return 0;
    }
    let per_char = if chars.iter().all(char::is_ascii_hexdigit) {
        4.0
    } else if chars
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_' | '='))
    {
        let classes = [
            chars.iter().any(char::is_ascii_lowercase),
            chars.iter().any(char::is_ascii_uppercase),
            chars.iter().any(char::is_ascii_digit),
        ];
        match classes.iter().filter(|c| **c).count() {
            3 => 6.0,
            2 => 36.0_f64.log2(),
            _ => 26.0_f64.log2(),
        }
    } else {
        let mut size = 0.0;
        if chars.iter().any(char::is_ascii_lowercase) {
            size += 26.0;
        }
        if chars.iter().any(char::is_ascii_uppercase) {
            size += 26.0;
        }
        if chars.iter().any(char::is_ascii_digit) {
            size += 10.0;
        }
        if chars.iter().any(|c| !c.is_ascii_alphanumeric()) {
            size += 33.0;
        }
        f64::log2(size)
    };
    let padding = chars.iter().filter(|c| **c == '=').count();
    (per_char * (n - padding) as f64) as u32
}

#[cfg(test)]
mod tests {
    use super::bits;

    #[test]
    fn openssl_rand_hex_32_is_256_bits() {
        let hex: String = (0..64)
            .map(|i| char::from_digit((i * 7 + i / 3) % 16, 16).unwrap())
            .collect();
        assert_eq!(bits(&hex), 256);
        assert!(bits(&hex[..62]) < 256);
    }

    #[test]
    fn patterned_values_are_worth_nothing() {
        assert_eq!(bits(&"a".repeat(80)), 0);
        assert_eq!(bits(&"ab".repeat(40)), 0);
        assert_eq!(bits(&"Xy7-Qz".repeat(20)), 0);
        assert_eq!(bits(""), 0);
    }

    #[test]
    fn short_mixed_values_stay_under_256() {
        assert!(bits("correct-Horse-battery-9") < 256);
    }
}
