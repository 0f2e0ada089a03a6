//! Helpers shared by the CLI integration tests: run the built `ssim` binary from the
//! workspace root, read the reference vectors, make scratch folders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;

/// The workspace root (where `testdata/` and `samples/` live).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout parsed as one JSON object.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {self:?}"))
    }

    /// Asserts the documented error contract: exit 2, one line on stderr starting with
    /// `ssim: error:`, nothing on stdout, no panic or backtrace. Returns the line.
    pub fn assert_error(&self) -> &str {
        assert_eq!(self.code, 2, "{self:?}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one line on stderr: {self:?}");
        assert!(lines[0].starts_with("ssim: error: "), "{self:?}");
        assert!(!self.stderr.contains("panicked"), "{self:?}");
        assert!(!self.stderr.contains("RUST_BACKTRACE"), "{self:?}");
        assert!(self.stdout.is_empty(), "{self:?}");
        lines[0]
    }
}

/// Runs `ssim` with `args` in the workspace root, stdin closed, output captured (so stderr
/// is not a terminal).
pub fn ssim<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = test_support::command(env!("CARGO_BIN_EXE_ssim"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .env_remove("SSIM_BACKEND")
        .output()
        .expect("run ssim");
    Run {
        code: out.status.code().expect("exit code, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// Every reference-vector case.
pub fn cases() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(root().join("testdata/cases.json")).expect("cases.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("cases.json parses");
    v.as_array().expect("a list").clone()
}

/// The case with this id.
pub fn case(id: &str) -> serde_json::Value {
    cases()
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

/// `expected[primary]` of a case.
pub fn expected(case: &serde_json::Value) -> f64 {
    let primary = case["primary"].as_str().expect("primary");
    case["expected"][primary].as_f64().expect("expected value")
}

/// `--metric` and `--preset` of a reference-vector configuration.
pub fn metric_preset(config: &str) -> (&'static str, &'static str) {
    match config {
        "gaussian11" => ("ssim", "wang2004"),
        "skimage_default" => ("ssim", "scikit-image"),
        "matlab_ipt" => ("ssim", "matlab"),
        "msssim_wang" => ("ms-ssim", "wang2003"),
        "msssim_pytorch" => ("ms-ssim", "pytorch-msssim"),
        other => panic!("unknown config {other}"),
    }
}

/// Path of a case's image, relative to the workspace root.
pub fn image(case: &serde_json::Value, which: &str) -> String {
    format!("testdata/{}", case[which].as_str().expect("image path"))
}

/// A fresh empty folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ssim-cli-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}
