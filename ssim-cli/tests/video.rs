//! Video input: y4m and raw YUV streams built here from the reference vectors' images, one
//! vector pair per frame, so every frame's expected value is a vector's.

mod common;

use common::{root, scratch, ssim, Run};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use test_support::pnm::{self, Samples};

const TOL: f64 = 1e-6;

fn load(rel: &str) -> (usize, usize, Vec<u8>, u32) {
    let bytes = std::fs::read(root().join("testdata").join(rel)).unwrap();
    let img = pnm::decode(&bytes).unwrap();
    let maxval = img.maxval.unwrap();
    let raw = match img.samples {
        Samples::U8(v) => v,
        Samples::U16(v) => v.iter().flat_map(|s| s.to_le_bytes()).collect(),
        Samples::F32(_) => panic!("{rel}: float"),
    };
    (img.width, img.height, raw, maxval)
}

fn ffmpeg_cases() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("testdata/ffmpeg_cases.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A y4m stream of `frames` (each the raw bytes of all planes).
fn y4m(path: &Path, header: &str, frames: &[Vec<u8>]) {
    let mut v = format!("YUV4MPEG2 {header}\n").into_bytes();
    for f in frames {
        v.extend_from_slice(b"FRAME\n");
        v.extend_from_slice(f);
    }
    std::fs::write(path, v).unwrap();
}

/// The cases of one reference image and configuration: a reference stream repeating the
/// image, a distorted stream of its distortions.
fn clip(cases: &[Value], dir: &Path, header: &str) -> (PathBuf, PathBuf) {
    let (mut r, mut d) = (Vec::new(), Vec::new());
    for c in cases {
        r.push(load(c["ref"].as_str().unwrap()).2);
        d.push(load(c["dist"].as_str().unwrap()).2);
    }
    let (rp, dp) = (dir.join("ref.y4m"), dir.join("dist.y4m"));
    y4m(&rp, header, &r);
    y4m(&dp, header, &d);
    (rp, dp)
}

fn lines(r: &Run) -> Vec<Value> {
    assert_eq!(r.code, 0, "{r:?}");
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn check_ffmpeg_clip(name: &str, pick: impl Fn(&Value) -> bool, header: &str) {
    let cases: Vec<Value> = ffmpeg_cases().into_iter().filter(|c| pick(c)).collect();
    assert!(cases.len() >= 2, "{name}: {} cases", cases.len());
    let dir = scratch(name);
    let (rp, dp) = clip(&cases, &dir, header);
    let stats = dir.join("stats.txt");
    let r = ssim(&[
        rp.as_os_str(),
        dp.as_os_str(),
        "--preset".as_ref(),
        "ffmpeg".as_ref(),
        "--json".as_ref(),
        "--stats-file".as_ref(),
        stats.as_os_str(),
    ]);
    let out = lines(&r);
    assert_eq!(out.len(), cases.len() + 1, "{r:?}");
    let written = std::fs::read_to_string(&stats).unwrap();
    let written: Vec<&str> = written.lines().collect();
    for (k, c) in cases.iter().enumerate() {
        let want = c["expected"]["numpy_f64"].as_f64().unwrap();
        let got = out[k]["y"].as_f64().unwrap();
        assert_eq!(out[k]["frame"], k + 1);
        assert!((got - want).abs() < TOL, "{}: {got} vs {want}", c["id"]);
        assert_eq!(out[k]["all"], out[k]["y"], "mono: All is Y");
        // The line the real ffmpeg binary printed for this pair, renumbered.
        let ff = c["ffmpeg_stats"]
            .as_str()
            .unwrap()
            .replacen("n:1 ", &format!("n:{} ", k + 1), 1);
        assert_eq!(written[k], ff, "{}", c["id"]);
    }
    let summary = &out[cases.len()];
    assert_eq!(summary["summary"], true);
    assert_eq!(summary["frames"], cases.len());
    let mean: f64 = cases
        .iter()
        .map(|c| c["expected"]["numpy_f64"].as_f64().unwrap())
        .sum::<f64>()
        / cases.len() as f64;
    assert!((summary["all"].as_f64().unwrap() - mean).abs() < TOL);
}

#[test]
fn ffmpeg_preset_8bit_mono_y4m_matches_vectors_and_ffmpeg_stats() {
    check_ffmpeg_clip(
        "ff8",
        |c| c["ref"] == "images/checker_320x240.pgm",
        "W320 H240 F25:1 Ip A1:1 Cmono",
    );
}

#[test]
fn ffmpeg_preset_10_and_16_bit_mono_y4m_match_vectors() {
    check_ffmpeg_clip(
        "ff10",
        |c| c["ref"] == "images/blobs10_161x161.pgm",
        "W161 H161 Cmono10",
    );
    check_ffmpeg_clip(
        "ff16",
        |c| c["ref"] == "images/gradsin16_161x161.pgm",
        "W161 H161 Cmono16",
    );
}

#[test]
fn default_gaussian_preset_per_frame_matches_vectors() {
    let cases: Vec<Value> = common::cases()
        .into_iter()
        .filter(|c| c["config"] == "gaussian11" && c["ref"] == "images/checker_320x240.pgm")
        .collect();
    assert!(cases.len() >= 3, "{}", cases.len());
    let dir = scratch("gauss");
    let (rp, dp) = clip(&cases, &dir, "W320 H240 Cmono");
    let out = lines(&ssim(&[rp.as_os_str(), dp.as_os_str(), "--json".as_ref()]));
    for (k, c) in cases.iter().enumerate() {
        let (got, want) = (out[k]["y"].as_f64().unwrap(), common::expected(c));
        assert!((got - want).abs() < TOL, "{}: {got} vs {want}", c["id"]);
    }
}

/// Raw yuv420p: Y from the vectors, U and V equal in both streams (exactly 1 in FFmpeg's
/// formula), so All = (4 Y + 1 + 1) / 6 by plane area.
#[test]
fn raw_yuv420_all_weights_planes_by_area() {
    let cases: Vec<Value> = ffmpeg_cases()
        .into_iter()
        .filter(|c| c["ref"] == "images/checker_320x240.pgm")
        .take(3)
        .collect();
    let dir = scratch("raw420");
    let chroma = vec![100u8; 2 * 160 * 120];
    let (mut r, mut d) = (Vec::new(), Vec::new());
    for c in &cases {
        r.extend(load(c["ref"].as_str().unwrap()).2);
        r.extend(&chroma);
        d.extend(load(c["dist"].as_str().unwrap()).2);
        d.extend(&chroma);
    }
    let (rp, dp) = (dir.join("ref.yuv"), dir.join("dist.yuv"));
    std::fs::write(&rp, r).unwrap();
    std::fs::write(&dp, d).unwrap();
    let run = ssim(&[
        rp.as_os_str(),
        dp.as_os_str(),
        "--size=320x240".as_ref(),
        "--pix-fmt=yuv420p".as_ref(),
        "--preset=ffmpeg".as_ref(),
        "--csv".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(rows[0], "frame,y,u,v,all,db");
    assert_eq!(rows.len(), cases.len() + 1);
    for (k, c) in cases.iter().enumerate() {
        let cells: Vec<f64> = rows[k + 1].split(',').map(|s| s.parse().unwrap()).collect();
        let y = c["expected"]["numpy_f64"].as_f64().unwrap();
        assert!((cells[1] - y).abs() < TOL);
        assert_eq!((cells[2], cells[3]), (1.0, 1.0));
        let all = (4.0 * y + 2.0) / 6.0;
        assert!((cells[4] - all).abs() < TOL, "{} vs {all}", cells[4]);
        assert!((cells[5] - -10.0 * (1.0 - all).log10()).abs() < 1e-4);
    }
}

fn small_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let cases: Vec<Value> = ffmpeg_cases()
        .into_iter()
        .filter(|c| c["ref"] == "images/checker_320x240.pgm")
        .collect();
    clip(&cases, dir, "W320 H240 Cmono")
}

/// The stream header's length and one frame's (its `FRAME` line and samples) in a
/// [`small_pair`] file, which holds ten frames.
fn small_pair_layout(file: &[u8]) -> (usize, usize) {
    let frame = 6 + 320 * 240;
    (file.len() - 10 * frame, frame)
}

#[test]
fn threads_do_not_change_the_values_and_stdin_works() {
    let dir = scratch("threads");
    let (rp, dp) = small_pair(&dir);
    let frames = |r: &Run| -> Vec<String> {
        assert_eq!(r.code, 0, "{r:?}");
        r.stdout
            .lines()
            .filter(|l| l.contains("\"frame\""))
            .map(String::from)
            .collect()
    };
    let one = frames(&ssim(&[
        rp.as_os_str(),
        dp.as_os_str(),
        "--json".as_ref(),
        "--threads=1".as_ref(),
    ]));
    let two = frames(&ssim(&[
        rp.as_os_str(),
        dp.as_os_str(),
        "--json".as_ref(),
        "--threads=2".as_ref(),
    ]));
    // Three workers on ten frames: results come back out of order and are written in order.
    let three = frames(&ssim(&[
        rp.as_os_str(),
        dp.as_os_str(),
        "--json".as_ref(),
        "--threads=3".as_ref(),
    ]));
    assert_eq!(one.len(), 10);
    assert_eq!(one, two);
    assert_eq!(one, three);
    let numbers: Vec<u64> = one
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["frame"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(numbers, (1..=10).collect::<Vec<u64>>());
    // The reference piped through stdin.
    let mut child = test_support::command(env!("CARGO_BIN_EXE_ssim"))
        .args(["-".as_ref(), dp.as_os_str(), "--json".as_ref()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let data = std::fs::read(&rp).unwrap();
    child.stdin.take().unwrap().write_all(&data).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let piped: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"frame\""))
        .map(String::from)
        .collect();
    assert_eq!(piped, one);
}

#[test]
fn threshold_on_the_mean_and_with_per_frame_on_every_frame() {
    let dir = scratch("threshold");
    let (rp, dp) = small_pair(&dir);
    let run = |extra: &[&str]| {
        let mut a = vec![
            rp.to_str().unwrap(),
            dp.to_str().unwrap(),
            "--preset=ffmpeg",
        ];
        a.extend_from_slice(extra);
        ssim(&a)
    };
    // checker_320x240: the identical frame is 1, the worst distortions are far below.
    let r = run(&["--threshold=0.0"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = run(&["--threshold=0.999"]);
    assert_eq!(r.code, 1, "{r:?}");
    let min = ffmpeg_cases()
        .iter()
        .filter(|c| c["ref"] == "images/checker_320x240.pgm")
        .map(|c| c["expected"]["numpy_f64"].as_f64().unwrap())
        .fold(1.0, f64::min);
    let mean_ok = format!("--threshold={}", min + 1e-3);
    let r = run(&[&mean_ok]);
    assert_eq!(r.code, 0, "the mean passes: {r:?}");
    let r = run(&[&mean_ok, "--per-frame"]);
    assert_eq!(r.code, 1, "one frame fails: {r:?}");
    assert_eq!(r.stdout.lines().filter(|l| l.starts_with("n:")).count(), 10);
}

#[test]
fn bad_video_input_is_one_error_line_naming_the_frame() {
    let dir = scratch("bad");
    let (rp, dp) = small_pair(&dir);
    let full = std::fs::read(&dp).unwrap();
    let (header, frame) = small_pair_layout(&full);
    let write = |name: &str, bytes: &[u8]| -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let err = |a: &Path, b: &Path, extra: &[&str]| -> String {
        let mut args = vec![a.to_str().unwrap(), b.to_str().unwrap()];
        args.extend_from_slice(extra);
        ssim(&args).assert_error().to_string()
    };
    // Truncated in frame 3.
    let t = write("trunc.y4m", &full[..header + 2 * frame + 100]);
    let e = err(&rp, &t, &[]);
    assert!(e.contains("frame 3") && e.contains("truncated"), "{e}");
    // Garbage where the FRAME header should be.
    let mut g = full[..header + frame].to_vec();
    g.extend_from_slice(b"FRAMX\n");
    let e = err(&rp, &write("garbage.y4m", &g), &[]);
    assert!(e.contains("frame 2") && e.contains("FRAME"), "{e}");
    // A header and no frame.
    let h = write("header.y4m", &full[..header]);
    let e = err(&h, &h, &[]);
    assert!(e.contains("no frames"), "{e}");
    // Fewer frames in one input; --frames N compares the first N.
    let short = write("short.y4m", &full[..header + 4 * frame]);
    let e = err(&rp, &short, &[]);
    assert!(e.contains("frame 5") && e.contains("--frames"), "{e}");
    let r = ssim(&[
        rp.as_os_str(),
        short.as_os_str(),
        "--frames=4".as_ref(),
        "--json".as_ref(),
    ]);
    assert_eq!(lines(&r).len(), 5, "{r:?}");
    let e = err(&rp, &short, &["--frames=5"]);
    assert!(e.contains("frame 5"), "{e}");
    // Different sizes and chroma formats.
    let other = dir.join("other.y4m");
    y4m(&other, "W240 H320 Cmono", &[vec![0; 320 * 240]]);
    let e = err(&rp, &other, &[]);
    assert!(
        e.contains("320x240 gray") && e.contains("240x320 gray"),
        "{e}"
    );
    let c420 = dir.join("c420.y4m");
    y4m(&c420, "W320 H240 C420", &[vec![0; 320 * 240 * 3 / 2]]);
    let e = err(&rp, &c420, &[]);
    assert!(e.contains("yuv420p"), "{e}");
    // 10-bit sample above 1023 in frame 2.
    let mut f2 = vec![0u8; 2 * 16 * 16];
    f2[2 * 37 + 1] = 0x04;
    let hi = dir.join("hi.y4m");
    y4m(&hi, "W16 H16 Cmono10", &[vec![0; 2 * 16 * 16], f2]);
    let e = err(&hi, &hi, &[]);
    assert!(
        e.contains("frame 2") && e.contains("1024") && e.contains("row 2, column 5"),
        "{e}"
    );
    // Raw input without --size; both inputs on stdin.
    let raw = write("x.yuv", &[0u8; 64]);
    let e = err(&raw, &raw, &[]);
    assert!(e.contains("--size"), "{e}");
    let e = err(Path::new("-"), Path::new("-"), &[]);
    assert!(e.contains("stdin"), "{e}");
    let e = err(&raw, &raw, &["--size=8x8", "--pix-fmt=rgb24"]);
    assert!(e.contains("rgb24"), "{e}");
}

#[test]
fn ffmpeg_preset_on_images_matches_vectors() {
    for c in ffmpeg_cases()
        .iter()
        .filter(|c| c["width"] == 64 || c["kind"] == "gray16")
    {
        let r = ssim(&[
            common::image(c, "ref"),
            common::image(c, "dist"),
            "--preset=ffmpeg".into(),
            "--json".into(),
        ]);
        let (got, want) = (
            r.json()["value"].as_f64().unwrap(),
            c["expected"]["numpy_f64"].as_f64().unwrap(),
        );
        assert!((got - want).abs() < TOL, "{}: {got} vs {want}", c["id"]);
    }
}

/// A bad frame 5 (truncated, or missing from one input) is reported after the lines of
/// frames 1-4, in every output mode and for any thread count: the error waits for every
/// earlier frame instead of cutting off whichever frames were still being computed when the
/// reader met it.
#[test]
fn a_bad_frame_is_reported_after_every_earlier_frame() {
    let dir = scratch("order");
    let (rp, dp) = small_pair(&dir);
    let full = std::fs::read(&dp).unwrap();
    let (header, frame) = small_pair_layout(&full);
    let truncated = dir.join("trunc5.y4m");
    std::fs::write(&truncated, &full[..header + 4 * frame + 100]).unwrap();
    let short = dir.join("short4.y4m");
    std::fs::write(&short, &full[..header + 4 * frame]).unwrap();
    let want: Vec<f64> = ffmpeg_cases()
        .iter()
        .filter(|c| c["ref"] == "images/checker_320x240.pgm")
        .take(4)
        .map(|c| c["expected"]["numpy_f64"].as_f64().unwrap())
        .collect();
    for (bad, what) in [(&truncated, "truncated"), (&short, "ends after 4 frames")] {
        for threads in ["1", "2", "2", "2"] {
            let run = |mode: &str, stats: &Path| {
                let r = ssim(&[
                    rp.as_os_str(),
                    bad.as_os_str(),
                    "--preset=ffmpeg".as_ref(),
                    mode.as_ref(),
                    format!("--threads={threads}").as_ref(),
                    "--stats-file".as_ref(),
                    stats.as_os_str(),
                ]);
                let ctx = format!("{what}, {mode}, {threads} threads: {r:?}");
                assert_eq!(r.code, 2, "{ctx}");
                let err: Vec<&str> = r.stderr.lines().collect();
                assert_eq!(err.len(), 1, "{ctx}");
                assert!(
                    err[0].starts_with("ssim: error: ")
                        && err[0].contains("frame 5")
                        && err[0].contains(what),
                    "{ctx}"
                );
                assert!(!r.stderr.contains("panicked"), "{ctx}");
                let stats = std::fs::read_to_string(stats).unwrap();
                let numbered: Vec<&str> = stats.lines().map(|l| &l[..4]).collect();
                assert_eq!(numbered, ["n:1 ", "n:2 ", "n:3 ", "n:4 "], "{ctx}");
                (r.stdout, ctx)
            };
            let stats = dir.join(format!("stats-{threads}.log"));
            let (out, ctx) = run("--json", &stats);
            let frames: Vec<Value> = out
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            assert_eq!(frames.len(), 4, "no summary, four frames: {ctx}");
            for (k, (f, want)) in frames.iter().zip(&want).enumerate() {
                assert_eq!(f["frame"], k + 1, "{ctx}");
                let got = f["y"].as_f64().unwrap();
                assert!((got - want).abs() < TOL, "{got} vs {want}: {ctx}");
            }
            let (out, ctx) = run("--csv", &stats);
            let rows: Vec<&str> = out.lines().map(|l| l.split(',').next().unwrap()).collect();
            assert_eq!(rows, ["frame", "1", "2", "3", "4"], "{ctx}");
            let (out, ctx) = run("--per-frame", &stats);
            let text: Vec<&str> = out.lines().map(|l| &l[..4]).collect();
            assert_eq!(text, ["n:1 ", "n:2 ", "n:3 ", "n:4 "], "{ctx}");
        }
    }
}
