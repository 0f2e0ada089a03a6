//! FFmpeg's `ssim` filter (`ssim_std::x264`) against the reference vectors' `ffmpeg_ssim`
//! cases (testdata/ffmpeg_cases.json, copied from the vectors' cases.json): the value within
//! 1e-6 of the float64 reimplementation, and the stats line the real ffmpeg binary printed,
//! digit for digit.

mod common;

use serde_json::Value;
use ssim_std::pnm::Samples;
use ssim_std::{x264, Plane};

fn plane_values(c: &Value, bits: u32) -> (Vec<f64>, usize, usize) {
    let r = common::read_image(c["ref"].as_str().unwrap());
    let d = common::read_image(c["dist"].as_str().unwrap());
    let (w, h, n) = (r.width, r.height, r.channels);
    let mut out = Vec::new();
    for ch in 0..n {
        let v = match (&r.samples, &d.samples) {
            (Samples::U8(a), Samples::U8(b)) => x264::ssim(
                &Plane::with_layout(&a[ch..], w, h, w * n, n).unwrap(),
                &Plane::with_layout(&b[ch..], w, h, w * n, n).unwrap(),
                bits,
            ),
            (Samples::U16(a), Samples::U16(b)) => x264::ssim(
                &Plane::with_layout(&a[ch..], w, h, w * n, n).unwrap(),
                &Plane::with_layout(&b[ch..], w, h, w * n, n).unwrap(),
                bits,
            ),
            _ => panic!("unexpected sample types"),
        };
        out.push(v.unwrap());
    }
    (out, w, h)
}

#[test]
fn ffmpeg_ssim_vectors() {
    let text = std::fs::read_to_string(common::testdata().join("ffmpeg_cases.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(
        cases.len() >= 70,
        "expected the ffmpeg_ssim cases, got {}",
        cases.len()
    );
    let mut worst = 0f64;
    for c in &cases {
        let id = c["id"].as_str().unwrap();
        let bits = match c["ffmpeg_max"].as_u64().unwrap() {
            255 => 8,
            1023 => 10,
            65535 => 16,
            m => panic!("{id}: max {m}"),
        };
        let (planes, w, h) = plane_values(c, bits);
        // Equal plane areas (gray: one plane; rgb24 -> planar GBR: three): All is the mean.
        let all = planes.iter().sum::<f64>() / planes.len() as f64;
        let want = c["expected"]["numpy_f64"].as_f64().unwrap();
        worst = worst.max((all - want).abs());
        assert!((all - want).abs() < 1e-6, "{id}: {all} vs {want}");
        assert_eq!(
            x264::windows(w, h).unwrap(),
            (
                c["windows"][0].as_u64().unwrap() as usize,
                c["windows"][1].as_u64().unwrap() as usize
            ),
            "{id}"
        );
        // The line ffmpeg printed: planes in its order (G B R for rgb24), All and dB.
        let names: &[(char, usize)] = if planes.len() == 3 {
            &[('R', 0), ('G', 1), ('B', 2)]
        } else {
            &[('Y', 0)]
        };
        let mut line = String::from("n:1 ");
        for &(n, i) in names {
            line += &format!("{n}:{:.6} ", planes[i]);
        }
        line += &format!("All:{:.6} ({:.6})", all, x264::ssim_db(all, 1.0));
        assert_eq!(line, c["ffmpeg_stats"].as_str().unwrap(), "{id}");
    }
    eprintln!("{} cases, max |diff| vs numpy_f64 {worst:.3e}", cases.len());
}
