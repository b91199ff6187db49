//! A hand-written emulation of dotenv's classic regex parser.
//!
//! dotenv (`lib/main.js`, function `parseRegex`, the default `parse`) runs this
//! regex with the `m` and `g` flags over the source, after turning `\r\n` and
//! `\r` into `\n`:
//!
//! ```text
//! (?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)
//!   (\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?
//!   \s*(?:#.*)?(?:$|$)
//! ```
//!
//! Each match gives a key and a raw value; the raw value is trimmed, one pair
//! of surrounding quotes is removed by `/^(['"`])([\s\S]*)\1$/mg`, and, if the
//! trimmed value began with `"`, `\n` and `\r` escapes become real newlines.
//!
//! Rather than a regex engine, this module walks the same decisions the
//! backtracking engine makes, in the same priority order. The comments on each
//! function say why a greedy or lazy quantifier can only succeed in one way,
//! which is what lets the walk stay linear in the common case.
//!
//! JavaScript details that matter here: `\s` and `String.prototype.trim` use
//! the ECMAScript white-space set (which includes U+FEFF, the BOM, but not
//! U+0085); `^`, `$` and `.` in multiline mode treat `\n`, `\r`, U+2028 and
//! U+2029 as line terminators; `\w` is ASCII-only without the `u` flag.

/// One `KEY=value` the regex matched, before "last definition wins".
pub(crate) struct Definition {
    pub(crate) key: String,
    pub(crate) value: String,
    /// 1-based line of the key, counting `\n`, `\r\n` and lone `\r` as breaks.
    pub(crate) line: usize,
}

/// ECMAScript `WhiteSpace` ∪ `LineTerminator`: what `\s` matches and what
/// `trim()` removes. Deliberately not `char::is_whitespace`, which differs
/// (it has U+0085 and lacks U+FEFF).
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// What `^`, `$` and `.` consider a line end in a multiline JS regex.
fn is_js_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// `[\w.-]` without the `u` flag: ASCII only.
fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

fn is_quote(c: char) -> bool {
    matches!(c, '\'' | '"' | '`')
}

/// The source after dotenv's `\r\n?` → `\n` normalisation, as chars so that
/// indices behave like the regex's positions.
struct Text {
    s: Vec<char>,
}

/// Where one regex match put its pieces (indices into [`Text::s`]).
struct Match {
    key_start: usize,
    key_end: usize,
    value_start: usize,
    value_end: usize,
    /// The regex's `lastIndex` after this match.
    end: usize,
}

impl Text {
    fn new(src: &str) -> Self {
        let mut s = Vec::with_capacity(src.len());
        let mut chars = src.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\r' {
                chars.next_if_eq(&'\n');
                s.push('\n');
            } else {
                s.push(c);
            }
        }
        Text { s }
    }

    fn len(&self) -> usize {
        self.s.len()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    /// First index at or after `i` that `\s` does not match.
    fn skip_space(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(is_js_space) {
            i += 1;
        }
        i
    }

    /// Where multiline `^` can match.
    fn is_line_start(&self, i: usize) -> bool {
        i == 0 || self.at(i - 1).is_some_and(is_js_line_terminator)
    }

    /// First index at or after `i` that is a line terminator, or the end.
    fn line_end(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(|c| !is_js_line_terminator(c)) {
            i += 1;
        }
        i
    }

    /// The smallest position `>= from` where `^` matches, if any.
    fn next_line_start(&self, from: usize) -> Option<usize> {
        if from > self.len() {
            return None;
        }
        if self.is_line_start(from) {
            return Some(from);
        }
        let lt = self.line_end(from);
        (lt < self.len()).then_some(lt + 1)
    }

    /// The regex tail `\s*(?:#.*)?(?:$|$)` at `pos`: `Some(end)` if it
    /// matches, with `end` where the engine's first successful path stops.
    ///
    /// `\s*` first takes the whole white-space run. From there a `#` comment
    /// always completes (`.*` runs to the line end, where `$` holds), and so
    /// does the end of input. Otherwise the next char is not white space, so
    /// not a line terminator, and `$` fails; the engine gives back white space
    /// one char at a time and succeeds at the last line terminator of the run.
    fn tail(&self, pos: usize) -> Option<usize> {
        let run_end = self.skip_space(pos);
        match self.at(run_end) {
            None => Some(self.len()),
            Some('#') => Some(self.line_end(run_end)),
            Some(_) => (pos..run_end)
                .rev()
                .find(|&j| is_js_line_terminator(self.s[j])),
        }
    }

    /// The optional value group and the tail, from `q` (just after the
    /// separator). Returns the raw value's range and the match end; this part
    /// of the regex always matches, so the separator is never revisited.
    fn value(&self, q: usize) -> (usize, usize, usize) {
        // Quoted alternatives: `\s*Q(?:\\Q|[^Q])*Q`. `\s*` must take the whole
        // run, since a quote is not white space, so at most one of the three
        // can start. The body may end before any quote that is preceded by a
        // backslash (the engine can read `\` as `[^Q]`), and must end at the
        // first quote that is not. Greedy `*` tries the furthest one first.
        let open = self.skip_space(q);
        if let Some(quote) = self.at(open).filter(|&c| is_quote(c)) {
            let mut closes = Vec::new();
            for j in open + 1..self.len() {
                if self.s[j] == quote {
                    closes.push(j);
                    if self.s[j - 1] != '\\' {
                        break;
                    }
                }
            }
            for &close in closes.iter().rev() {
                if let Some(end) = self.tail(close + 1) {
                    return (q, close + 1, end);
                }
            }
        }
        // Unquoted alternative `[^#\r\n]+`, then no value at all. Either way
        // the tail then starts at `#`, a newline or the end, where it always
        // matches.
        let mut run_end = q;
        while self
            .at(run_end)
            .is_some_and(|c| !matches!(c, '#' | '\r' | '\n'))
        {
            run_end += 1;
        }
        let end = self.tail(run_end);
        debug_assert!(end.is_some(), "the tail matches after an unquoted value");
        (q, run_end, end.unwrap_or(run_end))
    }

    /// `([\w.-]+)(?:\s*=\s*?|:\s+?)` and the rest, with the key at `k0`.
    ///
    /// A shorter key would leave a key char next, where neither separator can
    /// start, so only the longest key can match. `\s*=` needs the whole run
    /// (`=` is not white space); lazy `\s*?` first tries nothing, and the rest
    /// of the regex always matches from there, so the value starts right after
    /// `=`. `:\s+?` (no white space allowed before `:`) likewise starts the
    /// value after exactly one white-space char, which may be a newline.
    fn key_and_rest(&self, k0: usize) -> Option<Match> {
        let mut key_end = k0;
        while self.at(key_end).is_some_and(is_key_char) {
            key_end += 1;
        }
        if key_end == k0 {
            return None;
        }
        let after_space = self.skip_space(key_end);
        let q = if self.at(after_space) == Some('=') {
            after_space + 1
        } else if self.at(key_end) == Some(':') && self.at(key_end + 1).is_some_and(is_js_space) {
            key_end + 2
        } else {
            return None;
        };
        let (value_start, value_end, end) = self.value(q);
        Some(Match {
            key_start: k0,
            key_end,
            value_start,
            value_end,
            end,
        })
    }

    /// A match whose leading `\s*` ended at `a` (it can only end at the end of
    /// the run: a key or `export` does not start with white space).
    /// `(?:export\s+)?` is greedy: try with it, then without.
    fn match_at(&self, a: usize) -> Option<Match> {
        const EXPORT: [char; 6] = ['e', 'x', 'p', 'o', 'r', 't'];
        if self.s.get(a..a + EXPORT.len()) == Some(&EXPORT[..]) {
            let key = self.skip_space(a + EXPORT.len());
            if key > a + EXPORT.len() {
                if let Some(m) = self.key_and_rest(key) {
                    return Some(m);
                }
            }
        }
        self.key_and_rest(a)
    }
}

/// What dotenv does to a raw captured value: trim, strip one pair of
/// surrounding quotes (per line, as the `m` flag makes it), and expand `\n`
/// and `\r` if the trimmed value began with a double quote.
fn finish_value(raw: &[char]) -> String {
    let start = raw
        .iter()
        .position(|&c| !is_js_space(c))
        .unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|&c| !is_js_space(c))
        .map_or(start, |i| i + 1);
    let t = &raw[start..end];
    let double_quoted = t.first() == Some(&'"');

    // `replace(/^(['"`])([\s\S]*)\1$/mg, '$2')`: at every position where `^`
    // holds and a quote stands, the greedy body reaches for the furthest same
    // quote that is followed by a line end (or the end of the value). That
    // furthest quote does not depend on where the match starts, so it is
    // found once per quote kind, which keeps this linear.
    let furthest_close = |quote: char| {
        (0..t.len())
            .rev()
            .find(|&e| t[e] == quote && t.get(e + 1).is_none_or(|&c| is_js_line_terminator(c)))
    };
    let closes = [
        furthest_close('\''),
        furthest_close('"'),
        furthest_close('`'),
    ];
    let mut stripped: Vec<char> = Vec::with_capacity(t.len());
    let mut copied = 0;
    let mut i = 0;
    while i < t.len() {
        let at_line_start = i == 0 || is_js_line_terminator(t[i - 1]);
        let close = match t[i] {
            '\'' => closes[0],
            '"' => closes[1],
            '`' => closes[2],
            _ => None,
        };
        if at_line_start {
            if let Some(close) = close.filter(|&e| e > i) {
                stripped.extend_from_slice(&t[copied..i]);
                stripped.extend_from_slice(&t[i + 1..close]);
                copied = close + 1;
                i = close + 1;
                continue;
            }
        }
        i += 1;
    }
    stripped.extend_from_slice(&t[copied..]);

    let mut out = String::with_capacity(stripped.len());
    let mut chars = stripped.iter().copied().peekable();
    while let Some(c) = chars.next() {
        if double_quoted && c == '\\' {
            if chars.next_if_eq(&'n').is_some() {
                out.push('\n');
                continue;
            }
            if chars.next_if_eq(&'r').is_some() {
                out.push('\r');
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Every definition dotenv's regex finds in `src`, in source order.
pub(crate) fn definitions(src: &str) -> Vec<Definition> {
    let text = Text::new(src);
    let mut found = Vec::new();
    let (mut line, mut counted_to) = (1, 0);
    let mut pos = 0;
    while let Some(start) = text.next_line_start(pos) {
        let a = text.skip_space(start);
        let Some(m) = text.match_at(a) else {
            // Every line start up to `a` would skip to `a` and fail the same way.
            pos = a + 1;
            continue;
        };
        line += text.s[counted_to..m.key_start]
            .iter()
            .filter(|&&c| c == '\n')
            .count();
        counted_to = m.key_start;
        found.push(Definition {
            key: text.s[m.key_start..m.key_end].iter().collect(),
            value: finish_value(&text.s[m.value_start..m.value_end]),
            line,
        });
        debug_assert!(m.end > start);
        pos = m.end;
    }
    found
}
