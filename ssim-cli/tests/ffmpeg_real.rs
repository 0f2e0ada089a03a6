//! The real thing: short clips made by the ffmpeg binary during the test (several pixel
//! formats, odd sizes, a lossy encode), compared frame by frame with the stats file of
//! ffmpeg's own `ssim` filter. Skipped with a message when ffmpeg is not installed, unless
//! `SSIM_REQUIRE_FFMPEG=1` (the CI step `.ci/steps/62-video-ffmpeg.sh` sets it).
//!
//! Compared with both of ffmpeg's code paths: its C code (`-cpuflags 0`) always, and its x86
//! assembly (the default) on planes whose window count across is not 1 more than a multiple
//! of 4. For those, Debian's ffmpeg 5.1 assembly prints a different (higher) value than its
//! own C code; ffmpeg 9.0.2, with which the reference vectors were made, prints the C value
//! (the vectors' 40-pixel-wide cases have 9 windows across). See docs/CLI.md, "Video".

mod common;

use common::{scratch, ssim};
use std::path::Path;
use std::process::Command;

fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y"])
        .args(args)
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn have_ffmpeg() -> bool {
    let ok = Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("SSIM_REQUIRE_FFMPEG").as_deref() != Ok("1"),
            "SSIM_REQUIRE_FFMPEG=1 but ffmpeg is not on PATH"
        );
        eprintln!("SKIPPED: ffmpeg is not on PATH (apt-get install ffmpeg to run this test)");
    }
    ok
}

/// Makes `ref.y4m` and a distorted `dist.y4m` (noise, an FFV1 round trip, a blur) of
/// `frames` frames at `size` in `pix_fmt`, and returns ffmpeg's stats files: the default
/// (assembly) path and the C path.
fn make_clip(dir: &Path, size: &str, pix_fmt: &str, frames: u32) -> (String, String) {
    let (r, d, enc) = (
        dir.join("ref.y4m"),
        dir.join("dist.y4m"),
        dir.join("enc.mkv"),
    );
    let src = format!("testsrc2=size=352x288:rate=25,scale={size}:flags=bicubic");
    let n = frames.to_string();
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &src,
        "-frames:v",
        &n,
        "-pix_fmt",
        pix_fmt,
        "-strict",
        "-1",
        r.to_str().unwrap(),
    ]);
    ffmpeg(&[
        "-i",
        r.to_str().unwrap(),
        "-vf",
        "noise=alls=8:allf=t",
        "-c:v",
        "ffv1",
        "-pix_fmt",
        pix_fmt,
        enc.to_str().unwrap(),
    ]);
    ffmpeg(&[
        "-i",
        enc.to_str().unwrap(),
        "-vf",
        "boxblur=1:1",
        "-pix_fmt",
        pix_fmt,
        "-strict",
        "-1",
        d.to_str().unwrap(),
    ]);
    let stats = |cpuflags: &[&str]| -> String {
        let file = dir.join("ffmpeg-stats.txt");
        let lavfi = format!("ssim=stats_file={}", file.display());
        // ffmpeg's filter: main (first input) = distorted, second = reference.
        let mut a = cpuflags.to_vec();
        a.extend_from_slice(&["-filter_threads", "1", "-i", d.to_str().unwrap()]);
        a.extend_from_slice(&[
            "-i",
            r.to_str().unwrap(),
            "-lavfi",
            &lavfi,
            "-f",
            "null",
            "-",
        ]);
        ffmpeg(&a);
        std::fs::read_to_string(file).unwrap()
    };
    (stats(&[]), stats(&["-cpuflags", "0"]))
}

#[test]
fn per_frame_values_equal_ffmpeg_stats_file() {
    if !have_ffmpeg() {
        return;
    }
    let (mut compared, mut compared_asm) = (0, 0);
    for (size, pix_fmt) in [
        ("352x288", "yuv420p"),
        ("97x61", "yuv420p"),
        ("160x90", "yuv422p"),
        ("75x83", "yuv444p"),
        ("88x64", "yuv444p"),
        ("128x72", "gray"),
        ("98x67", "yuv420p10le"),
        ("120x68", "yuv422p12le"),
        ("64x40", "yuv444p16le"),
        ("90x50", "gray16le"),
    ] {
        let dir = scratch(&format!("ffreal-{pix_fmt}-{size}"));
        let (asm, c) = make_clip(&dir, size, pix_fmt, 6);
        let ours = dir.join("ours.txt");
        let r = ssim(&[
            dir.join("ref.y4m").as_os_str(),
            dir.join("dist.y4m").as_os_str(),
            "--preset=ffmpeg".as_ref(),
            "--stats-file".as_ref(),
            ours.as_os_str(),
        ]);
        assert_eq!(r.code, 0, "{pix_fmt} {size}: {r:?}");
        let got = std::fs::read_to_string(ours).unwrap();
        assert_eq!(c.lines().count(), 6, "{pix_fmt} {size}: {c}");
        assert_eq!(got, c, "{pix_fmt} {size}: against ffmpeg's C code");
        // Windows across: luma, and chroma at half width unless 4:4:4 or gray.
        let w: usize = size.split('x').next().unwrap().parse().unwrap();
        let cw = if pix_fmt.starts_with("yuv444") || pix_fmt.starts_with("gray") {
            w
        } else {
            w.div_ceil(2)
        };
        if [w, cw].iter().all(|&w| ((w >> 2) - 1) % 4 != 1) {
            assert_eq!(
                got, asm,
                "{pix_fmt} {size}: against ffmpeg's default (assembly) path"
            );
            compared_asm += 6;
        }
        compared += 6;
    }
    assert!(compared_asm >= 36, "{compared_asm}");
    eprintln!(
        "{compared} frames equal to ffmpeg's C path, {compared_asm} also to its default path"
    );
}
