//! Running what the tests build when they are cross-compiled (`cargo test --target
//! aarch64-unknown-linux-gnu` on x86-64): programs go through cargo's runner (qemu), C
//! sources through the target's C compiler.

use std::process::Command;

/// The target the tests were built for, e.g. `aarch64-unknown-linux-gnu`.
pub const TARGET: &str = env!("TEST_SUPPORT_TARGET");
/// The machine that built them.
pub const HOST: &str = env!("TEST_SUPPORT_HOST");

/// Whether the tests were built for another machine than the one that built them.
///
/// ```
/// assert_eq!(test_support::is_cross(), test_support::TARGET != test_support::HOST);
/// ```
pub fn is_cross() -> bool {
    TARGET != HOST
}

/// `TARGET` as cargo and the cc crate spell it in environment variable names.
fn env_name(prefix: &str, upper: bool) -> String {
    let t = TARGET.replace(['-', '.'], "_");
    format!("{prefix}{}", if upper { t.to_uppercase() } else { t })
}

/// The runner for this target's programs: `CARGO_TARGET_<TRIPLE>_RUNNER` (split on spaces)
/// if set; for a cross build without it, Debian's user-mode QEMU with the cross sysroot
/// (`qemu-aarch64 -L /usr/aarch64-linux-gnu`), the runner `.cargo/config.toml` gives cargo,
/// which cargo does not pass on to the test programs themselves.
///
/// ```
/// // A native build runs its programs directly unless the runner variable is set.
/// if !test_support::is_cross() {
///     let t = test_support::TARGET.replace(['-', '.'], "_").to_uppercase();
///     let set = std::env::var_os(format!("CARGO_TARGET_{t}_RUNNER")).is_some();
///     assert_eq!(test_support::runner().is_some(), set);
/// }
/// ```
pub fn runner() -> Option<Vec<String>> {
    let name = format!("{}_RUNNER", env_name("CARGO_TARGET_", true));
    if let Ok(v) = std::env::var(&name) {
        let words: Vec<String> = v.split_whitespace().map(str::to_string).collect();
        if !words.is_empty() {
            return Some(words);
        }
    }
    if !is_cross() {
        return None;
    }
    let arch = TARGET.split('-').next().unwrap_or(TARGET);
    Some(vec![
        format!("qemu-{arch}"),
        "-L".into(),
        format!("/usr/{}", gnu_prefix()),
    ])
}

/// A command that runs `program`, a binary built for the target: through the runner when
/// there is one (qemu for a cross build), directly otherwise.
///
/// ```
/// let cmd = test_support::command("/bin/true");
/// if test_support::runner().is_none() {
///     assert_eq!(cmd.get_program(), "/bin/true");
/// }
/// ```
pub fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    match runner() {
        Some(r) => {
            let mut c = Command::new(&r[0]);
            c.args(&r[1..]).arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// The C compiler for the target: `CC_<target>` (the cc crate's variable), else `CC` for a
/// native build, else `cc`; for a cross build without either, `<arch>-linux-gnu-gcc`.
///
/// ```
/// let cc = test_support::c_compiler();
/// assert!(!cc.is_empty());
/// ```
pub fn c_compiler() -> String {
    if let Ok(cc) = std::env::var(env_name("CC_", false)) {
        return cc;
    }
    if is_cross() {
        return format!("{}-gcc", gnu_prefix());
    }
    std::env::var("CC").unwrap_or_else(|_| "cc".into())
}

/// A binutils tool (`nm`, `objdump`) that reads the target's binaries: `<arch>-linux-gnu-nm`
/// for a cross build, the plain name otherwise.
///
/// ```
/// if !test_support::is_cross() {
///     assert_eq!(test_support::binutil("nm"), "nm");
/// }
/// ```
pub fn binutil(name: &str) -> String {
    if is_cross() {
        format!("{}-{name}", gnu_prefix())
    } else {
        name.to_string()
    }
}

/// `aarch64-linux-gnu` for `aarch64-unknown-linux-gnu`: Debian's cross tool prefix.
fn gnu_prefix() -> String {
    let mut parts = TARGET.split('-');
    let arch = parts.next().unwrap_or(TARGET);
    let rest: Vec<&str> = parts.filter(|p| *p != "unknown").collect();
    format!("{arch}-{}", rest.join("-"))
}
