//! Folder mode: pairing by relative path, JSON Lines / CSV, the summary, the exit codes.

mod common;

use std::path::Path;

use common::{scratch, ssim};

fn copy(src: &str, dst: &Path) {
    std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
    std::fs::copy(common::root().join(src), dst).unwrap();
}

/// ref/ and dist/ with three good pairs (one in a subfolder, one PNG), and optionally a
/// corrupt one and one without a partner.
fn tree(name: &str, broken: bool) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = scratch(name);
    let (r, d) = (dir.join("ref"), dir.join("dist"));
    let t = "testdata/images/";
    copy(&format!("{t}bandnoise_161x161.pgm"), &r.join("a.pgm"));
    copy(
        &format!("{t}bandnoise_161x161__jpeg90.pgm"),
        &d.join("a.pgm"),
    );
    copy(&format!("{t}checker_320x240.pgm"), &r.join("sub/b.pgm"));
    copy(
        &format!("{t}checker_320x240__noise20.pgm"),
        &d.join("sub/b.pgm"),
    );
    copy("samples/ref.png", &r.join("c.png"));
    copy("samples/dist.png", &d.join("c.png"));
    std::fs::write(r.join("README.txt"), "not an image").unwrap();
    if broken {
        copy(&format!("{t}blobs_64x48.pgm"), &r.join("broken.pgm"));
        std::fs::write(d.join("broken.pgm"), b"P5\n64 48\n255\n\x00").unwrap();
        copy(&format!("{t}blobs_64x48.pgm"), &r.join("sub/lonely.pgm"));
    }
    (r, d)
}

fn args<'a>(r: &'a Path, d: &'a Path, extra: &'a [&'a str]) -> Vec<&'a std::ffi::OsStr> {
    let mut v: Vec<&std::ffi::OsStr> = extra.iter().map(|s| s.as_ref()).collect();
    v.push(r.as_os_str());
    v.push(d.as_os_str());
    v
}

#[test]
fn json_lines_and_summary() {
    let (r, d) = tree("good", false);
    let run = ssim(&args(&r, &d, &["--json"]));
    assert_eq!(run.code, 0, "{run:?}");
    let rows: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let paths: Vec<&str> = rows.iter().map(|j| j["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["a.pgm", "c.png", "sub/b.pgm"]);
    for j in &rows {
        assert_eq!(j["status"], "ok");
        assert!(j["value"].is_f64());
    }
    // Pair a is the reference case gray8_bandnoise_161x161__jpeg90__gaussian11.
    let a = rows[0]["value"].as_f64().unwrap();
    assert!((a - 0.9987112857575705).abs() < 1e-6);
    // No progress bar when stderr is not a terminal: only the summary lines.
    assert!(!run.stderr.contains('\r'));
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("ssim: ")), "{run:?}");
    assert!(lines[0].contains("3 pairs compared, 0 failed"), "{run:?}");
    assert!(
        lines[0].contains("mean") && lines[0].contains("min"),
        "{run:?}"
    );
    assert!(
        lines[1].starts_with("ssim: worst: c.png 0.887511, sub/b.pgm"),
        "{run:?}"
    );
    let _ = std::fs::remove_dir_all(r.parent().unwrap());
}

#[test]
fn threshold_in_folder_mode_names_the_pairs_below() {
    let (r, d) = tree("thresh", false);
    let run = ssim(&args(&r, &d, &["--json", "--threshold", "0.95"]));
    assert_eq!(run.code, 1, "{run:?}");
    let below: Vec<String> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|j| j["status"] == "below_threshold")
        .map(|j| j["path"].as_str().unwrap().to_string())
        .collect();
    assert!(!below.is_empty());
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("below threshold"))
        .expect("summary");
    for p in &below {
        assert!(line.contains(p.as_str()), "{line}");
    }
    let ok = ssim(&args(&r, &d, &["--threshold", "0.1"]));
    assert_eq!(ok.code, 0, "{ok:?}");
    let _ = std::fs::remove_dir_all(r.parent().unwrap());
}

#[test]
fn unreadable_and_unpaired_files_fail_the_run_and_are_named() {
    let (r, d) = tree("broken", true);
    let run = ssim(&args(&r, &d, &["--json"]));
    assert_eq!(run.code, 2, "{run:?}");
    let rows: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 5);
    let errors: Vec<&serde_json::Value> = rows.iter().filter(|j| j["status"] == "error").collect();
    let names: Vec<&str> = errors.iter().map(|j| j["path"].as_str().unwrap()).collect();
    assert_eq!(names, ["broken.pgm", "sub/lonely.pgm"]);
    assert!(errors[0]["error"].as_str().unwrap().contains("truncated"));
    assert!(run.stderr.contains("failed: broken.pgm"), "{run:?}");
    assert!(run.stderr.contains("failed: sub/lonely.pgm"), "{run:?}");
    assert!(!run.stderr.contains("panicked"));
    let _ = std::fs::remove_dir_all(r.parent().unwrap());
}

#[test]
fn csv_rows_have_the_header_columns() {
    let (r, d) = tree("csv", true);
    let run = ssim(&args(&r, &d, &["--csv"]));
    assert_eq!(run.code, 2);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{run:?}");
    assert!(lines[0].starts_with("path,reference,distorted,status"));
    let n = lines[0].split(',').count();
    for l in &lines[1..] {
        assert_eq!(csv_fields(l).len(), n, "{l}");
    }
    assert!(lines
        .iter()
        .any(|l| l.starts_with("broken.pgm,") && l.contains(",error,")));
    let _ = std::fs::remove_dir_all(r.parent().unwrap());
}

#[test]
fn empty_folders_are_an_error() {
    let dir = scratch("empty");
    std::fs::create_dir_all(dir.join("r")).unwrap();
    std::fs::create_dir_all(dir.join("d")).unwrap();
    let line = ssim(&[dir.join("r"), dir.join("d")])
        .assert_error()
        .to_string();
    assert!(line.contains("no images"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Splits one CSV line (RFC 4180 quoting).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A symbolic link to a folder is not followed (it could loop); a link to a file is a file.
#[cfg(unix)]
#[test]
fn folder_links_are_not_followed() {
    let (r, d) = tree("links", false);
    std::os::unix::fs::symlink(&r, r.join("loop")).unwrap();
    std::os::unix::fs::symlink(r.join("a.pgm"), r.join("a2.pgm")).unwrap();
    std::os::unix::fs::symlink(d.join("a.pgm"), d.join("a2.pgm")).unwrap();
    let run = ssim(&args(&r, &d, &["--json"]));
    assert_eq!(run.code, 0, "{run:?}");
    let paths: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["path"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(paths, ["a.pgm", "a2.pgm", "c.png", "sub/b.pgm"]);
    let _ = std::fs::remove_dir_all(r.parent().unwrap());
}
