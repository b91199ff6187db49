//! How much entropy a value holds, the two measures gardefou uses: [`shannon`], bits per
//! byte of a candidate, for the scanner's entropy floors; and [`estimate`], a
//! conservative estimate of the bits of real entropy a secret holds, for `check`'s random
//! secrets and fingerprints.
//!
//! The estimate:
//!
//! The estimate never credits more than the value's form can carry, and refuses to credit
//! anything to a value that does not look random:
//!
//! 1. A value with white space is a passphrase: each *distinct* word counts as one draw
//!    from a 7776-word diceware list (12.9 bits), whatever its length.
//! 2. A value that is entirely lower-case or entirely upper-case hexadecimal of even
//!    length is decoded: 8 bits per byte. `openssl rand -hex 32` gives 256 bits.
//! 3. A value that is entirely base64 or base64url (with correct padding, if any) and
//!    mixes upper case, lower case and digits is decoded: 8 bits per byte.
//!    `openssl rand -base64 32` gives 256 bits.
//! 4. Anything else is counted per character: `log2` of the size of the character classes
//!    it uses (26 lower, 26 upper, 10 digits, 33 other printable ASCII; any non-ASCII
//!    character counts as 33 more), times its length in characters.
//!
//! Then the value must look like a random draw of its alphabet, or it is worth 0 bits:
//! - if decoding (2, 3) gives bytes that are all printable ASCII, the value is encoded
//!   text, not random bytes, and is estimated as that text (by 4);
//! - it must use at least half as many distinct symbols as a random draw of the same
//!   length from the same alphabet is expected to use (`xxxx…`, `abab…` fail);
//! - it must not be periodic (`abc123abc123…`) nor mostly runs of consecutive symbols
//!   (`abcdefgh…`, `0123456789…`).

/// Shannon entropy of `bytes`, in bits per byte.
pub fn shannon(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// What the estimator concluded, for messages: never the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// Estimated bits of entropy (0 for a value that does not look random).
    pub bits: u32,
    /// How the value was read.
    pub form: Form,
}

/// How a value was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Words separated by white space.
    Passphrase,
    /// Hexadecimal, decoded.
    Hex,
    /// base64 or base64url, decoded.
    Base64,
    /// Counted per character.
    Characters,
    /// Looks patterned (too few distinct symbols, periodic, or runs): 0 bits.
    Patterned,
}

impl Form {
    /// A short description for messages.
    pub fn describe(self) -> gardefou_findings::Tr {
        let (en, fr) = match self {
            Form::Passphrase => ("read as a passphrase", "lue comme une phrase de passe"),
            Form::Hex => ("read as hexadecimal", "lue comme de l'hexadécimal"),
            Form::Base64 => ("read as base64", "lue comme du base64"),
            Form::Characters => ("counted per character", "comptée caractère par caractère"),
            Form::Patterned => (
                "it is patterned: too few distinct symbols, a repeated block or a run",
                "elle suit un motif : trop peu de symboles distincts, un bloc répété ou une suite",
            ),
        };
        gardefou_findings::Tr { en, fr }
    }
}

/// bits per diceware word: log2(7776).
const DICEWARE_BITS: f64 = 12.925;

/// Estimates the entropy of a provider's key, which a format made of independently drawn
/// parts (`xkeysib-<64 hex>-<16 alphanumerics>`) would otherwise lose as one mixed run: the
/// best of [`estimate`] on the whole and the sum, over its distinct parts of 8 characters
/// or more between `-`, `_` and `.`, of each part's own estimate (the prefix, a known word,
/// counts 0). Only for a value the catalogue identified as a key: a person's text split on
/// dashes would be overcounted.
pub fn estimate_key(value: &str, prefix_len: usize) -> Estimate {
    let whole = estimate(value);
    let body = value.get(prefix_len..).unwrap_or(value);
    let mut seen: Vec<&str> = Vec::new();
    let mut bits = 0u32;
    let mut best: Option<Estimate> = None;
    for part in body.split(['-', '_', '.']).filter(|p| p.len() >= 8) {
        if seen.contains(&part) {
            continue;
        }
        seen.push(part);
        let e = estimate(part);
        bits = bits.saturating_add(e.bits);
        if best.is_none_or(|b| e.bits > b.bits) {
            best = Some(e);
        }
    }
    match best {
        Some(best) if bits > whole.bits => Estimate {
            bits,
            form: best.form,
        },
        _ => whole,
    }
}

/// Estimates the entropy of `value`. See the module documentation.
pub fn estimate(value: &str) -> Estimate {
    if value.chars().any(char::is_whitespace) {
        let mut words: Vec<&str> = value.split_whitespace().collect();
        words.sort_unstable();
        words.dedup();
        let bits = if words.len() < 2 {
            0.0
        } else {
            words.len() as f64 * DICEWARE_BITS
        };
        return Estimate {
            bits: bits as u32,
            form: Form::Passphrase,
        };
    }
    if let Some(bytes) = decode_hex(value) {
        return decoded(value, &bytes, 16, Form::Hex);
    }
    if let Some(bytes) = decode_base64(value) {
        return decoded(value, &bytes, 64, Form::Base64);
    }
    per_character(value)
}

fn decoded(value: &str, bytes: &[u8], alphabet: usize, form: Form) -> Estimate {
    if bytes.iter().all(|b| (0x20..0x7f).contains(b)) {
        // Encoded text: judge the text.
        return match std::str::from_utf8(bytes) {
            Ok(text) => per_character(text),
            Err(_) => patterned(),
        };
    }
    let symbols: Vec<char> = value.trim_end_matches('=').chars().collect();
    if looks_patterned(&symbols, alphabet) || looks_patterned_bytes(bytes) {
        return patterned();
    }
    Estimate {
        bits: (bytes.len() * 8) as u32,
        form,
    }
}

fn per_character(value: &str) -> Estimate {
    let chars: Vec<char> = value.chars().collect();
    if chars.is_empty() {
        return patterned();
    }
    let mut pool = 0usize;
    if chars.iter().any(char::is_ascii_lowercase) {
        pool += 26;
    }
    if chars.iter().any(char::is_ascii_uppercase) {
        pool += 26;
    }
    if chars.iter().any(char::is_ascii_digit) {
        pool += 10;
    }
    if chars
        .iter()
        .any(|c| c.is_ascii() && !c.is_ascii_alphanumeric())
    {
        pool += 33;
    }
    if chars.iter().any(|c| !c.is_ascii()) {
        pool += 33;
    }
    if looks_patterned(&chars, pool) {
        return patterned();
    }
    Estimate {
        bits: (chars.len() as f64 * (pool as f64).log2()) as u32,
        form: Form::Characters,
    }
}

fn patterned() -> Estimate {
    Estimate {
        bits: 0,
        form: Form::Patterned,
    }
}

/// Too few distinct symbols, a repeated block, or mostly runs.
fn looks_patterned(symbols: &[char], alphabet: usize) -> bool {
    let n = symbols.len();
    if n < 2 || alphabet < 2 {
        return true;
    }
    let mut distinct: Vec<char> = symbols.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    // Expected number of distinct symbols in n uniform draws from `alphabet`.
    let k = alphabet as f64;
    let expected = k * (1.0 - (1.0 - 1.0 / k).powi(n as i32));
    if (distinct.len() as f64) < expected / 2.0 {
        return true;
    }
    if is_periodic(symbols) {
        return true;
    }
    // Consecutive code points (ascending or descending): a random draw has few.
    let runs = symbols
        .windows(2)
        .filter(|w| (w[0] as i64 - w[1] as i64).abs() == 1)
        .count();
    runs * 4 > n
}

fn looks_patterned_bytes(bytes: &[u8]) -> bool {
    let chars: Vec<char> = bytes.iter().map(|b| char::from(*b)).collect();
    looks_patterned(&chars, 256)
}

/// Whether the sequence is a shorter block repeated (the last copy may be cut short).
fn is_periodic<T: PartialEq>(s: &[T]) -> bool {
    (1..=s.len() / 2).any(|p| s.iter().skip(p).zip(s).all(|(a, b)| a == b))
}

fn decode_hex(value: &str) -> Option<Vec<u8>> {
    let lower = value
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let upper = value
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'));
    if value.is_empty() || value.len() & 1 == 1 || !(lower || upper) {
        return None;
    }
    let nibble = |b: u8| match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    };
    Some(
        value
            .as_bytes()
            .chunks(2)
            .map(|p| nibble(p[0]) << 4 | nibble(p[1]))
            .collect(),
    )
}

/// Decodes standard base64 or base64url (not a mix), padded correctly or not at all, when
/// the value mixes upper case, lower case and digits (a random draw almost always does).
fn decode_base64(value: &str) -> Option<Vec<u8>> {
    let data = value.trim_end_matches('=');
    let pad = value.len() - data.len();
    if data.is_empty() || pad > 2 || (pad > 0 && value.len() & 3 != 0) || data.len() & 3 == 1 {
        return None;
    }
    let std = data
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    let url = data
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let mixed = data.bytes().any(|b| b.is_ascii_lowercase())
        && data.bytes().any(|b| b.is_ascii_uppercase())
        && data.bytes().any(|b| b.is_ascii_digit());
    if !(std || url) || !mixed {
        return None;
    }
    let sextet = |b: u8| -> u32 {
        match b {
            b'A'..=b'Z' => (b - b'A') as u32,
            b'a'..=b'z' => (b - b'a' + 26) as u32,
            b'0'..=b'9' => (b - b'0' + 52) as u32,
            b'+' | b'-' => 62,
            _ => 63,
        }
    };
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    for chunk in data.as_bytes().chunks(4) {
        let mut acc = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            acc |= sextet(*b) << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random generator (xorshift), so tests build random-looking
    /// values at run time without committing any.
    pub(crate) fn rand_bytes(seed: u64, n: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn b64(bytes: &[u8], url: bool) -> String {
        let alphabet: &[u8] = if url {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        } else {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        };
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let mut acc = 0u32;
            for (i, b) in chunk.iter().enumerate() {
                acc |= (*b as u32) << (16 - 8 * i);
            }
            for i in 0..=chunk.len() {
                out.push(alphabet[((acc >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        if !url {
            while out.len() & 3 != 0 {
                out.push('=');
            }
        }
        out
    }

    #[test]
    fn openssl_style_random_values_reach_256_bits() {
        for seed in 1..50 {
            let bytes = rand_bytes(seed, 32);
            let h = estimate(&hex(&bytes));
            assert_eq!((h.bits, h.form), (256, Form::Hex), "seed {seed}");
            let upper = estimate(&hex(&bytes).to_uppercase());
            assert_eq!(upper.bits, 256);
            let b = estimate(&b64(&bytes, false));
            assert_eq!((b.bits, b.form), (256, Form::Base64), "seed {seed}");
            let u = estimate(&b64(&bytes, true));
            assert_eq!((u.bits, u.form), (256, Form::Base64), "seed {seed}");
        }
    }

    #[test]
    fn short_random_values_fall_short() {
        let bytes = rand_bytes(7, 31);
        assert!(estimate(&hex(&bytes)).bits < 256);
        assert!(estimate(&b64(&bytes, false)).bits < 256);
        let bytes = rand_bytes(7, 16);
        assert_eq!(estimate(&hex(&bytes)).bits, 128);
    }

    #[test]
    fn patterned_values_are_worth_nothing() {
        for v in [
            "a".repeat(80),
            "ab".repeat(40),
            "abc123XYZ".repeat(10),
            "0".repeat(64),
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".to_owned(),
            "0123456789abcdef".repeat(4),
            format!("{}!A1", "a".repeat(60)),
            "x".repeat(43),
            "deadbeef".repeat(8),
        ] {
            let e = estimate(&v);
            assert_eq!(e.bits, 0, "{v} gave {e:?}");
            assert_eq!(e.form, Form::Patterned);
        }
    }

    #[test]
    fn encoded_text_is_judged_as_text() {
        // base64 / hex of a readable sentence is not 256 random bits.
        let text = "this is my super secret jwt signing key ok";
        let e = estimate(&b64(text.as_bytes(), false));
        assert!(e.bits < 256, "{e:?}");
        let e = estimate(&hex(text.as_bytes()));
        assert!(e.bits < 256, "{e:?}");
    }

    #[test]
    fn passphrases_count_words_not_letters() {
        let phrase = "correct horse battery staple and then some more words";
        let e = estimate(phrase);
        assert_eq!(e.form, Form::Passphrase);
        assert_eq!(e.bits, (9.0 * DICEWARE_BITS) as u32);
        // Repeating words adds nothing.
        assert_eq!(estimate(&"word ".repeat(40)).bits, 0);
    }

    #[test]
    fn printable_random_strings_are_counted_per_character() {
        let alphabet: Vec<char> = (0x21u8..0x7f).map(char::from).collect();
        let v: String = rand_bytes(3, 40)
            .iter()
            .map(|b| alphabet[*b as usize % alphabet.len()])
            .collect();
        let e = estimate(&v);
        assert_eq!(e.form, Form::Characters);
        assert!(e.bits >= 256, "{e:?}");
    }

    #[test]
    fn base64_padding_must_be_right() {
        let bytes = rand_bytes(11, 32);
        let mut v = b64(&bytes, false);
        v.push('=');
        assert_ne!(estimate(&v).form, Form::Base64);
    }
}
