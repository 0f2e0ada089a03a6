//! Exit codes that never say "pass" by accident: a result that cannot be written (disk full,
//! closed pipe) and a NaN result are errors (exit 2), in pair and folder mode.

mod common;

use std::path::Path;
use std::process::Stdio;

use common::{root, scratch, Run};

const A: &str = "samples/ref.png";
const B: &str = "samples/dist.png";

/// Runs `ssim` with stdout going to `stdout`.
fn ssim_to(args: &[&std::ffi::OsStr], stdout: Stdio) -> Run {
    let out = test_support::command(env!("CARGO_BIN_EXE_ssim"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(stdout)
        .env_remove("SSIM_BACKEND")
        .output()
        .expect("run ssim");
    Run {
        code: out.status.code().expect("exit code, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn os(v: &[&str]) -> Vec<std::ffi::OsString> {
    v.iter().map(|s| s.into()).collect()
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

#[test]
fn a_full_disk_on_stdout_is_exit_2_with_one_line() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    // Below the threshold (exit 1 when written), above it (exit 0), every output form.
    for extra in [
        vec!["--threshold", "0.99"],
        vec!["--threshold", "0.5"],
        vec!["--json", "--threshold", "0.99"],
        vec!["--csv"],
    ] {
        let mut args = extra.clone();
        args.extend([A, B]);
        let args = os(&args);
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let run = ssim_to(&refs, dev_full());
        let line = run.assert_error();
        assert!(
            line.contains("stdout") && line.contains("No space left"),
            "{extra:?}: {line}"
        );
    }
}

fn folders(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = scratch(name);
    let (r, d) = (dir.join("ref"), dir.join("dist"));
    std::fs::create_dir_all(&r).unwrap();
    std::fs::create_dir_all(&d).unwrap();
    for n in ["a.png", "b.png"] {
        std::fs::copy(root().join(A), r.join(n)).unwrap();
        std::fs::copy(root().join(B), d.join(n)).unwrap();
    }
    (r, d)
}

#[test]
fn a_full_disk_in_folder_mode_is_exit_2() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let (r, d) = folders("devfull");
    for extra in [&["--threshold", "0.99"][..], &["--json"], &["--csv"]] {
        let mut args: Vec<&std::ffi::OsStr> = extra.iter().map(|s| s.as_ref()).collect();
        args.extend([r.as_os_str(), d.as_os_str()]);
        let run = ssim_to(&args, dev_full());
        assert_eq!(run.code, 2, "{extra:?}: {run:?}");
        let line = run.stderr.lines().last().unwrap_or_default();
        assert!(
            line.starts_with("ssim: error: ") && line.contains("No space left"),
            "{run:?}"
        );
    }
}

#[test]
fn a_closed_pipe_is_exit_2_never_0() {
    // The reader is gone before the result is written (`ssim ... | head -0`): the read end is
    // closed before the child starts, so the outcome does not depend on timing.
    for extra in [&["--threshold", "0.99"][..], &["--threshold", "0.5"]] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = test_support::command(env!("CARGO_BIN_EXE_ssim"))
            .args(extra)
            .args([A, B])
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("run ssim");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("broken pipe"), "{stderr}");
    }
}

/// A gray PFM of finite samples between `scale` and `2 scale`.
fn big_pfm(path: &Path, scale: f32, seed: u32) {
    let mut s = seed;
    let data: Vec<f32> = (0..32 * 32)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            scale * (1.0 + (s >> 8) as f32 / (1u32 << 24) as f32)
        })
        .collect();
    std::fs::write(path, test_support::pnm::encode_pfm(32, 32, &data)).unwrap();
}

#[test]
fn a_nan_result_is_an_error_naming_the_cause() {
    let dir = scratch("bigpfm");
    let (p, q) = (dir.join("big1.pfm"), dir.join("big2.pfm"));
    big_pfm(&p, 1e20, 1);
    big_pfm(&q, 1e20, 2);
    for extra in [&[][..], &["--json"], &["--csv"], &["--threshold", "0.5"]] {
        let mut args: Vec<&std::ffi::OsStr> = extra.iter().map(|s| s.as_ref()).collect();
        args.extend([p.as_os_str(), q.as_os_str()]);
        let run = common::ssim(&args);
        let line = run.assert_error();
        assert!(
            line.contains("NaN") && line.contains("overflow") && line.contains("e20"),
            "{line}"
        );
    }
    // Folder mode: a failed pair, and the summary's mean stays a number.
    let (r, d) = (dir.join("r"), dir.join("d"));
    std::fs::create_dir_all(&r).unwrap();
    std::fs::create_dir_all(&d).unwrap();
    std::fs::copy(&p, r.join("big.pfm")).unwrap();
    std::fs::copy(&q, d.join("big.pfm")).unwrap();
    std::fs::copy(root().join(A), r.join("fine.png")).unwrap();
    std::fs::copy(root().join(B), d.join("fine.png")).unwrap();
    let run = common::ssim(&["--json".as_ref(), r.as_os_str(), d.as_os_str()]);
    assert_eq!(run.code, 2, "{run:?}");
    let rows: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{run:?}");
    assert_eq!(rows[0]["path"], "big.pfm");
    assert_eq!(rows[0]["status"], "error");
    assert!(rows[0]["error"].as_str().unwrap().contains("NaN"));
    assert_eq!(rows[1]["status"], "ok");
    assert!(
        !run.stderr.contains("NaN") || run.stderr.contains("failed: big.pfm"),
        "{run:?}"
    );
    assert!(run.stderr.contains("mean 0.887511"), "{run:?}");
    let _ = std::fs::remove_dir_all(dir);
}
