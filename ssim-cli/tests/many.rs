//! One reference against many distorted images (`ssim REF D1 D2 ...`), and `-` for stdin.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{root, ssim, Run};

const A: &str = "testdata/images/bandnoise_161x161.pgm";
const B1: &str = "testdata/images/bandnoise_161x161__jpeg90.pgm";
const B2: &str = "testdata/images/bandnoise_161x161__noise5.pgm";

fn value(a: &str, b: &str) -> f64 {
    ssim(&["--json", a, b]).json()["value"].as_f64().unwrap()
}

fn with_stdin(args: &[&str], file: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ssim"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("SSIM_BACKEND")
        .spawn()
        .unwrap();
    let bytes = std::fs::read(root().join(file)).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&bytes).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn one_reference_against_many() {
    let run = ssim(&["--json", A, B1, B2]);
    assert_eq!(run.code, 0, "{run:?}");
    let rows: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["distorted"], B1);
    assert_eq!(rows[0]["path"], B1);
    assert_eq!(rows[0]["value"].as_f64(), Some(value(A, B1)));
    assert_eq!(rows[1]["distorted"], B2);
    assert_eq!(rows[1]["value"].as_f64(), Some(value(A, B2)));
    // Text names each distorted image; CSV has one header.
    let text = ssim(&[A, B1, B2]);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert!(
        lines[0].starts_with(B1) && lines[1].starts_with(B2),
        "{text:?}"
    );
    let csv = ssim(&["--csv", A, B1, B2]);
    assert_eq!(csv.stdout.lines().count(), 3);
}

#[test]
fn a_failing_image_fails_the_run_and_the_others_still_run() {
    let run = ssim(&["--json", A, "testdata/images/nope.pgm", B2]);
    assert_eq!(run.code, 2, "{run:?}");
    let rows: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[0]["status"], "error");
    assert!(rows[0]["error"].as_str().unwrap().contains("nope.pgm"));
    assert_eq!(rows[1]["value"].as_f64(), Some(value(A, B2)));
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    // Below the threshold: exit 1 (B2's value is below 0.99, B1's is not).
    let t = ssim(&["--threshold", "0.99", A, B1, B2]);
    assert!(value(A, B2) < 0.99 && value(A, B1) >= 0.99);
    assert_eq!(t.code, 1, "{t:?}");
}

#[test]
fn stdin_as_reference_is_decoded_once() {
    // stdin can only be read once: two results from it prove one decode.
    let run = with_stdin(&["--json", "-", B1, B2], A);
    assert_eq!(run.code, 0, "{run:?}");
    let rows: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["reference"], "-");
    assert_eq!(rows[0]["value"].as_f64(), Some(value(A, B1)));
    assert_eq!(rows[1]["value"].as_f64(), Some(value(A, B2)));
    // And as the distorted image of a pair.
    let run = with_stdin(&["--json", A, "-"], B1);
    assert_eq!(run.json()["value"].as_f64(), Some(value(A, B1)));
    // Garbage on stdin is an error that says stdin.
    let run = with_stdin(&[A, "-"], "README.md");
    assert!(run.assert_error().contains("stdin"), "{run:?}");
}
