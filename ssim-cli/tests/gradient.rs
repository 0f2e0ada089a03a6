//! `--gradient FILE`: the PFM against the vectors' exact gradients (testdata/gradients.json),
//! the PNG picture, colour PFMs, and errors that write nothing.

mod common;

use common::{root, scratch, ssim};
use test_support::pnm::{self, Samples};

fn read_f32(path: &std::path::Path) -> (usize, usize, Vec<f32>) {
    let img = pnm::decode(&std::fs::read(path).unwrap()).unwrap();
    match img.samples {
        Samples::F32(v) => (img.width, img.height, v),
        _ => panic!("{}: not a float image", path.display()),
    }
}

fn cases() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(root().join("testdata/gradients.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn pfm_matches_the_exact_vectors_for_ssim_and_msssim_presets() {
    let dir = scratch("gradient_vectors");
    let mut n = 0;
    for c in cases() {
        let (metric, preset) = match c["config"].as_str().unwrap() {
            "gaussian11" => ("ssim", "wang2004"),
            "skimage_default" => ("ssim", "scikit-image"),
            "matlab_ipt" => ("ssim", "matlab"),
            "msssim_wang" => ("ms-ssim", "wang2003"),
            "msssim_pytorch" => ("ms-ssim", "pytorch-msssim"),
            _ => continue,
        };
        let Some(exact) = c["gradient"]["exact"].as_str() else {
            continue;
        };
        let id = c["id"].as_str().unwrap();
        let out = dir.join(format!("{id}.pfm"));
        let range = c["data_range"].as_f64().unwrap().to_string();
        let t = |k: &str| root().join("testdata").join(c[k].as_str().unwrap());
        let run = ssim(&[
            "--json".as_ref(),
            "--metric".as_ref(),
            metric.as_ref(),
            "--preset".as_ref(),
            preset.as_ref(),
            "--data-range".as_ref(),
            range.as_ref(),
            "--gradient".as_ref(),
            out.as_os_str(),
            t("ref").as_os_str(),
            t("dist").as_os_str(),
        ]);
        assert_eq!(run.code, 0, "{id}: {run:?}");
        assert_eq!(run.json()["gradient"], out.display().to_string());
        let (w, h, got) = read_f32(&out);
        let (ew, eh, want) = read_f32(&root().join("testdata").join(exact));
        assert_eq!((w, h), (ew, eh));
        let max = want.iter().fold(0.0f64, |m, v| m.max(v.abs() as f64));
        for (i, (g, e)) in got.iter().zip(&want).enumerate() {
            let tol = 1e-6 * max + 2.0 * f32::EPSILON as f64 * e.abs() as f64 + 1e-12;
            assert!(
                (*g as f64 - *e as f64).abs() <= tol,
                "{id}: pixel {i}: {g} vs {e}"
            );
        }
        n += 1;
    }
    assert!(n >= 20, "only {n} cases");
}

#[test]
fn png_and_colour_pfm() {
    let dir = scratch("gradient_png");
    let (r, d) = (
        root().join("samples/ref.png"),
        root().join("samples/dist.png"),
    );
    let png = dir.join("g.png");
    let run = ssim(&[
        "--gradient".as_ref(),
        png.as_os_str(),
        r.as_os_str(),
        d.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    let pfm = dir.join("g.pfm");
    let run = ssim(&[
        "--gradient".as_ref(),
        pfm.as_os_str(),
        r.as_os_str(),
        d.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    // samples/ref.png is RGB: one PF (colour) file, d/dR, d/dG, d/dB per pixel.
    let bytes = std::fs::read(&pfm).unwrap();
    let head = b"PF\n161 161\n-1.0\n";
    assert_eq!(&bytes[..head.len()], head);
    assert_eq!(bytes.len(), head.len() + 161 * 161 * 3 * 4);
    let vals: Vec<f32> = bytes[head.len()..]
        .chunks(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert!(vals.iter().all(|v| v.is_finite()) && vals.iter().any(|&v| v != 0.0));
}

#[test]
fn errors_write_nothing() {
    let dir = scratch("gradient_errors");
    let (r, d) = (
        root().join("samples/ref.png"),
        root().join("samples/dist.png"),
    );
    let bad = dir.join("g.txt");
    let run = ssim(&[
        "--gradient".as_ref(),
        bad.as_os_str(),
        r.as_os_str(),
        d.as_os_str(),
    ]);
    assert!(run.assert_error().contains(".pfm"), "{run:?}");
    assert!(!bad.exists());
    let out = dir.join("g.pfm");
    let run = ssim(&[
        "--preset".as_ref(),
        "ffmpeg".as_ref(),
        "--gradient".as_ref(),
        out.as_os_str(),
        r.as_os_str(),
        d.as_os_str(),
    ]);
    assert!(run.assert_error().contains("ffmpeg"), "{run:?}");
    assert!(!out.exists());
    let run = ssim(&[
        "--gradient".as_ref(),
        out.as_os_str(),
        r.as_os_str(),
        d.as_os_str(),
        d.as_os_str(),
    ]);
    run.assert_error();
    assert!(!out.exists());
}
