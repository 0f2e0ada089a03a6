//! The binary's `--json` value against the reference vectors (`testdata/cases.json`,
//! `expected[primary]`), as a script would call it: `--data-range` given explicitly.

mod common;

use common::{case, cases, expected, image, metric_preset, scratch, ssim};

const TOL: f64 = 1e-6;

/// Runs one case; returns |value - expected|.
fn check(c: &serde_json::Value, reference: &str, distorted: &str) -> f64 {
    check_on(c, reference, distorted, None)
}

/// As [`check`], with `--backend`.
fn check_on(c: &serde_json::Value, reference: &str, distorted: &str, backend: Option<&str>) -> f64 {
    let (metric, preset) = metric_preset(c["config"].as_str().unwrap());
    let range = c["data_range"].as_f64().unwrap().to_string();
    let mut args = vec![];
    if let Some(b) = backend {
        args.extend(["--backend", b]);
    }
    args.extend([
        "--json",
        "--metric",
        metric,
        "--preset",
        preset,
        "--data-range",
        &range,
        reference,
        distorted,
    ]);
    let run = ssim(&args);
    assert_eq!(run.code, 0, "{}: {run:?}", c["id"]);
    let v = run.json()["value"].as_f64().expect("value");
    (v - expected(c)).abs()
}

/// Every case, on every kernel backend this machine runs.
#[test]
fn every_reference_case_within_1e6_on_every_backend() {
    for backend in ssim_std::Backend::available() {
        let mut worst = (0.0, String::new());
        let mut n = 0;
        for c in cases() {
            let primary = c["primary"].as_str().unwrap();
            if c["expected"][primary].is_null() {
                continue;
            }
            let d = check_on(
                &c,
                &image(&c, "ref"),
                &image(&c, "dist"),
                Some(backend.name()),
            );
            assert!(d <= TOL, "{} on {backend}: off by {d:e}", c["id"]);
            if d > worst.0 {
                worst = (d, c["id"].as_str().unwrap().to_string());
            }
            n += 1;
        }
        assert!(n >= 280, "only {n} cases ran");
        eprintln!(
            "{backend}: {n} cases, worst |delta| {:e} ({})",
            worst.0, worst.1
        );
    }
}

/// Writes a PNM image from testdata as PNG with the `image` crate (8-bit or 16-bit, gray or
/// RGB), as a user's PNG would be.
fn to_png(src: &str, dst: &std::path::Path) {
    use image::ImageEncoder;
    let bytes = std::fs::read(common::root().join(src)).unwrap();
    let img = test_support::pnm::decode(&bytes).unwrap();
    let (w, h) = (img.width as u32, img.height as u32);
    let mut out = Vec::new();
    let enc = image::codecs::png::PngEncoder::new(&mut out);
    match (&img.samples, img.channels) {
        (test_support::pnm::Samples::U8(v), 1) => {
            enc.write_image(v, w, h, image::ExtendedColorType::L8)
        }
        (test_support::pnm::Samples::U8(v), _) => {
            enc.write_image(v, w, h, image::ExtendedColorType::Rgb8)
        }
        (test_support::pnm::Samples::U16(v), 1) => {
            let ne: Vec<u8> = v.iter().flat_map(|s| s.to_ne_bytes()).collect();
            enc.write_image(&ne, w, h, image::ExtendedColorType::L16)
        }
        _ => panic!("{src}: no PNG form in this test"),
    }
    .unwrap();
    std::fs::write(dst, out).unwrap();
}

#[test]
fn png_copies_of_pnm_pairs_give_the_same_values() {
    let dir = scratch("png-copies");
    for id in [
        "gray8_bandnoise_161x161__jpeg90__gaussian11",
        "gray8_bandnoise_161x161__jpeg90__msssim_wang",
        "gray8_checker_64x48__blur0.8__skimage_default",
        "gray10_blobs10_161x161__noise20__matlab_ipt",
        "gray16_bandnoise16_64x48__noise20__gaussian11",
        "rgb8_colorblobs_161x161__jpeg30__gaussian11",
    ] {
        let c = case(id);
        let (a, b) = (
            dir.join(format!("{id}_ref.png")),
            dir.join(format!("{id}_dist.png")),
        );
        to_png(&image(&c, "ref"), &a);
        to_png(&image(&c, "dist"), &b);
        let d = check(&c, a.to_str().unwrap(), b.to_str().unwrap());
        assert!(d <= TOL, "{id} as PNG: off by {d:e}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The default data range comes from the format, not from the pixels: the 10-bit PGM (maxval
/// 1023, samples 0..1023 as stored) gives the reference value without `--data-range`.
#[test]
fn default_data_range_of_a_10_bit_pgm_is_its_maxval() {
    let c = case("gray10_blobs10_161x161__noise20__gaussian11");
    let run = ssim(&["--json", &image(&c, "ref"), &image(&c, "dist")]);
    assert_eq!(run.code, 0, "{run:?}");
    let j = run.json();
    assert_eq!(j["data_range"].as_f64(), Some(1023.0));
    assert!((j["value"].as_f64().unwrap() - expected(&c)).abs() <= TOL);
}

#[test]
fn default_data_range_of_other_formats() {
    let dir = scratch("ranges");
    // 8-bit PGM as PNG: 255; 16-bit PNG: 65535; PFM: 1.0.
    let c8 = case("gray8_bandnoise_161x161__jpeg90__gaussian11");
    let (a, b) = (dir.join("a.png"), dir.join("b.png"));
    to_png(&image(&c8, "ref"), &a);
    to_png(&image(&c8, "dist"), &b);
    let j = ssim(&["--json".as_ref(), a.as_os_str(), b.as_os_str()]).json();
    assert_eq!(j["data_range"].as_f64(), Some(255.0));
    assert!((j["value"].as_f64().unwrap() - expected(&c8)).abs() <= TOL);

    let c16 = case("gray16_bandnoise16_64x48__noise20__gaussian11");
    to_png(&image(&c16, "ref"), &a);
    to_png(&image(&c16, "dist"), &b);
    let j = ssim(&["--json".as_ref(), a.as_os_str(), b.as_os_str()]).json();
    assert_eq!(j["data_range"].as_f64(), Some(65535.0));
    assert!((j["value"].as_f64().unwrap() - expected(&c16)).abs() <= TOL);

    let cf = case("f32_blobsf_64x48__blur0.8__gaussian11");
    let j = ssim(&["--json", &image(&cf, "ref"), &image(&cf, "dist")]).json();
    assert_eq!(j["data_range"].as_f64(), Some(1.0));
    assert!((j["value"].as_f64().unwrap() - expected(&cf)).abs() <= TOL);
    let _ = std::fs::remove_dir_all(dir);
}

/// The samples the README runs are lossless copies of a reference pair.
#[test]
fn readme_samples_match_the_reference_vectors() {
    for (args, id) in [
        (
            vec!["samples/ref.png", "samples/dist.png"],
            "rgb8_colorblobs_161x161__jpeg30__gaussian11",
        ),
        (
            vec!["--metric", "ms-ssim", "samples/ref.png", "samples/dist.png"],
            "rgb8_colorblobs_161x161__jpeg30__msssim_wang",
        ),
        (
            vec!["samples/gray16_ref.png", "samples/gray16_dist.png"],
            "gray16_bandnoise16_64x48__noise20__gaussian11",
        ),
        (
            vec!["samples/gray16_ref.pgm", "samples/gray16_dist.pgm"],
            "gray16_bandnoise16_64x48__noise20__gaussian11",
        ),
        (
            vec![
                "--preset",
                "matlab",
                "samples/float_ref.pfm",
                "samples/float_dist.pfm",
            ],
            "f32_blobsf_64x48__blur0.8__matlab_ipt",
        ),
    ] {
        let mut a = vec!["--json"];
        a.extend(args);
        let run = ssim(&a);
        assert_eq!(run.code, 0, "{run:?}");
        let v = run.json()["value"].as_f64().unwrap();
        let want = expected(&case(id));
        assert!((v - want).abs() <= TOL, "{a:?}: {v} vs {want}");
    }
}

/// MS-SSIM per-level means in `scales` match the reference's `scales`.
#[test]
fn msssim_scales_match_the_reference() {
    for id in [
        "gray8_bandnoise_161x161__jpeg90__msssim_wang",
        "gray8_bandnoise_161x161__jpeg90__msssim_pytorch",
    ] {
        let c = case(id);
        let (_, preset) = metric_preset(c["config"].as_str().unwrap());
        let run = ssim(&[
            "--json",
            "--metric",
            "ms-ssim",
            "--preset",
            preset,
            &image(&c, "ref"),
            &image(&c, "dist"),
        ]);
        let j = run.json();
        let got = j["scales"].as_array().expect("scales");
        let want = c["scales"].as_array().expect("reference scales");
        assert_eq!(got.len(), want.len(), "{id}");
        for (g, w) in got.iter().zip(want) {
            for k in ["width", "height"] {
                assert_eq!(g[k], w[k], "{id} {k}");
            }
            for k in ["ssim", "cs"] {
                let (a, b) = (g[k].as_f64().unwrap(), w[k].as_f64().unwrap());
                assert!(
                    (a - b).abs() <= TOL,
                    "{id} level {}: {k} {a} vs {b}",
                    g["level"]
                );
            }
        }
    }
}
