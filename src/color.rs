//! Whether human reports are coloured: `--color`, `NO_COLOR` (<https://no-color.org>), and
//! whether the stream is a terminal.

use std::io::IsTerminal;
use std::sync::OnceLock;

use crate::cli::ColorChoice;

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Records the command line's choice; `NO_COLOR` (set and not empty) turns `auto` off.
pub fn init(choice: ColorChoice) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let choice = match choice {
        ColorChoice::Auto if no_color => ColorChoice::Never,
        c => c,
    };
    let _ = CHOICE.set(choice);
}

fn enabled(terminal: bool) -> bool {
    match CHOICE.get().copied().unwrap_or(ColorChoice::Never) {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal,
    }
}

/// Colour for a report written to standard output.
pub fn stdout() -> bool {
    enabled(std::io::stdout().is_terminal())
}

/// Colour for a report written to standard error.
pub fn stderr() -> bool {
    enabled(std::io::stderr().is_terminal())
}
