//! The one error type of the tool: a one-line message, exit code 2.

use std::fmt;

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code when a value is below `--threshold`.
pub const EXIT_BELOW: i32 = 1;
/// Exit code for every error.
pub const EXIT_ERROR: i32 = 2;

/// An error shown as `ssim: error: <message>` with exit code 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliError(pub String);

impl CliError {
    /// An error with this message (made one line).
    pub fn new(message: impl Into<String>) -> CliError {
        CliError(one_line(&message.into()))
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Joins the non-empty lines of a message with `; ` so every error stays on one line.
pub fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// An I/O error's reason without the `(os error N)` suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}
