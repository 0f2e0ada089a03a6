//! `--channels y --crop-border N` against BasicSR's `calculate_ssim(..., test_y_channel=True)`
//! and custom parameters against scikit-image's `structural_similarity` with the same
//! settings. The expected values were computed once by `testdata/cli/reference.py` (the
//! libraries' own code on the same files) and committed in `testdata/cli/reference.json`.

mod common;

use common::{root, ssim};

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("testdata/cli/reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn y_channel_and_crop_border_match_basicsr() {
    let r = reference();
    let cases = r["y_channel"].as_array().unwrap();
    assert!(cases.len() >= 12);
    let mut worst = 0f64;
    for c in cases {
        let crop = c["crop_border"].as_u64().unwrap().to_string();
        let run = ssim(&[
            "--json",
            "--channels",
            "y",
            "--crop-border",
            &crop,
            c["reference"].as_str().unwrap(),
            c["distorted"].as_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{run:?}");
        let j = run.json();
        assert_eq!(j["channel_mode"], "y");
        assert_eq!(j["channels"].as_array().unwrap().len(), 1);
        assert_eq!(j["crop_border"].as_u64(), c["crop_border"].as_u64());
        let d = (j["value"].as_f64().unwrap() - c["expected"].as_f64().unwrap()).abs();
        assert!(d <= 1e-6, "{c}: got {} (diff {d:e})", j["value"]);
        worst = worst.max(d);
    }
    eprintln!("worst difference from BasicSR: {worst:e}");
}

#[test]
fn y_channel_with_a_map_gives_the_same_value() {
    let r = reference();
    let c = &r["y_channel"][1];
    let dir = common::scratch("ymap");
    let m = dir.join("m.pfm");
    let run = ssim(&[
        "--json".as_ref(),
        "--channels".as_ref(),
        "y".as_ref(),
        "--crop-border".as_ref(),
        "4".as_ref(),
        "--map".as_ref(),
        m.as_os_str(),
        c["reference"].as_str().unwrap().as_ref(),
        c["distorted"].as_str().unwrap().as_ref(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let d = (run.json()["value"].as_f64().unwrap() - c["expected"].as_f64().unwrap()).abs();
    assert!(d <= 1e-6, "{d:e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn crop_border_larger_than_the_image_is_an_error() {
    let line = ssim(&[
        "--crop-border",
        "24",
        "testdata/images/colorblobs_64x48.ppm",
        "testdata/images/colorblobs_64x48__noise20.ppm",
    ])
    .assert_error()
    .to_string();
    assert!(
        line.contains("--crop-border 24") && line.contains("64x48"),
        "{line}"
    );
}

#[test]
fn custom_parameters_match_scikit_image() {
    let r = reference();
    for c in r["custom"].as_array().unwrap() {
        let mut args: Vec<String> = c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        args.push("--json".into());
        args.push(c["reference"].as_str().unwrap().into());
        args.push(c["distorted"].as_str().unwrap().into());
        let run = ssim(&args);
        assert_eq!(run.code, 0, "{run:?}");
        let j = run.json();
        let d = (j["value"].as_f64().unwrap() - c["expected"].as_f64().unwrap()).abs();
        assert!(d <= 1e-6, "{c}: got {} (diff {d:e})", j["value"]);
        // The JSON reports what ran.
        let p = &j["parameters"];
        let kw = &c["skimage_kwargs"];
        if let Some(k1) = kw.get("K1") {
            assert_eq!(p["k1"], *k1);
        }
        if kw.get("gaussian_weights").is_some() {
            assert_eq!(p["window"], "gaussian");
            assert_eq!(p["sigma"], kw["sigma"]);
            // scikit-image: 2 * int(3.5 sigma + 0.5) + 1 taps.
            assert_eq!(p["window_size"], 15);
        } else {
            assert_eq!(p["window"], "box");
            assert_eq!(p["window_size"], kw["win_size"]);
        }
        let cov = if kw.get("use_sample_covariance") == Some(&false.into()) {
            "population"
        } else {
            "sample"
        };
        assert_eq!(p["covariance"], cov, "{c}");
    }
}

/// Defect 8: the MS-SSIM size message points at an option that exists, and it works.
#[test]
fn msssim_levels_are_an_option() {
    let (a, b) = (
        "testdata/images/blobs_64x48.pgm",
        "testdata/images/blobs_64x48__noise20.pgm",
    );
    let line = ssim(&["--metric", "ms-ssim", a, b])
        .assert_error()
        .to_string();
    assert!(line.contains("--levels"), "{line}");
    let three = ssim(&["--json", "--metric", "ms-ssim", "--levels", "3", a, b]);
    assert_eq!(three.code, 0, "{three:?}");
    let j = three.json();
    assert_eq!(j["scales"].as_array().unwrap().len(), 3);
    assert_eq!(j["parameters"]["levels"], 3);
    let auto = ssim(&["--json", "--metric", "ms-ssim", "--levels", "auto", a, b]);
    assert_eq!(auto.code, 0, "{auto:?}");
    assert_eq!(auto.json()["parameters"]["auto_levels"], true);
    assert_eq!(auto.json()["value"], j["value"]);
    // One level is SSIM raised to the sum of Wang's weights (1.0001): reference vector.
    let c = common::case("gray8_blobs_64x48__noise20__gaussian11");
    let want = common::expected(&c).powf(0.0448 + 0.2856 + 0.3001 + 0.2363 + 0.1333);
    let one = ssim(&["--json", "--metric", "ms-ssim", "--levels", "1", a, b]).json();
    assert!(
        (one["value"].as_f64().unwrap() - want).abs() <= 1e-6,
        "{one}"
    );
    // Custom weights: their number is the number of levels.
    let w = ssim(&[
        "--json",
        "--metric",
        "ms-ssim",
        "--weights",
        "0.5,0.5",
        a,
        b,
    ])
    .json();
    assert_eq!(w["parameters"]["levels"], 2);
    let bad = ssim(&[
        "--metric",
        "ms-ssim",
        "--levels",
        "3",
        "--weights",
        "1,1",
        a,
        b,
    ]);
    assert!(bad.assert_error().contains("one weight per level"));
    let bad = ssim(&["--levels", "3", a, b]);
    assert!(bad.assert_error().contains("ms-ssim"));
}
