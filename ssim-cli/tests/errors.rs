//! Every error path: exit code 2, one line on stderr that says what and where, no panic.
//! And the threshold's exit code 1.

mod common;

use common::{scratch, ssim};

const A: &str = "testdata/images/bandnoise_161x161.pgm";
const B: &str = "testdata/images/bandnoise_161x161__jpeg90.pgm";

#[test]
fn missing_file_names_it() {
    let run = ssim(&[A, "testdata/images/no_such_file.png"]);
    let line = run.assert_error();
    assert!(line.contains("no_such_file.png"), "{line}");
    assert!(line.contains("no such file"), "{line}");
    let run = ssim(&["nowhere/ref.png", B]);
    assert!(run.assert_error().contains("nowhere/ref.png"));
}

#[test]
fn corrupt_and_unsupported_files() {
    let dir = scratch("corrupt");
    let png = std::fs::read(common::root().join("samples/ref.png")).unwrap();
    let pgm = std::fs::read(common::root().join(A)).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.png", vec![], "empty file"),
        ("truncated.png", png[..png.len() / 2].to_vec(), "PNG"),
        (
            "garbage.png",
            {
                let mut v = png[..8].to_vec();
                v.extend_from_slice(&[0x55; 100]);
                v
            },
            "PNG",
        ),
        ("truncated.pgm", pgm[..pgm.len() - 10].to_vec(), "truncated"),
        ("badheader.pgm", b"P5\n12 x\n255\n\0\0".to_vec(), "PNM"),
        (
            "truncated.jpg",
            vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J'],
            "JPEG",
        ),
        ("ascii.pgm", b"P2\n2 2\n255\n1 2 3 4\n".to_vec(), "P2"),
        (
            "notes.txt",
            b"hello, not an image\n".to_vec(),
            "unsupported",
        ),
        (
            "image.gif",
            b"GIF89a\x01\x00\x01\x00".to_vec(),
            "unsupported",
        ),
    ];
    for (name, bytes, what) in cases {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        for args in [[p.to_str().unwrap(), A], [A, p.to_str().unwrap()]] {
            let run = ssim(&args);
            let line = run.assert_error();
            assert!(line.contains(name), "{name}: {line}");
            assert!(line.contains(what), "{name}: expected '{what}' in {line}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn nan_in_a_pfm_is_an_error() {
    let dir = scratch("nan");
    let mut data = vec![0.5f32; 16 * 16];
    data[37] = f32::NAN;
    let p = dir.join("nan.pfm");
    std::fs::write(&p, ssim_std::pnm::encode_pfm(16, 16, &data)).unwrap();
    let q = dir.join("ok.pfm");
    std::fs::write(&q, ssim_std::pnm::encode_pfm(16, 16, &[0.5f32; 256])).unwrap();
    let line = ssim(&[&q, &p]).assert_error().to_string();
    assert!(line.contains("NaN"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn mismatched_images() {
    for (a, b, what) in [
        (A, "testdata/images/blobs_64x48.pgm", "size mismatch"),
        (
            "samples/ref.png",
            "testdata/images/bandnoise_161x161.pgm",
            "channel mismatch",
        ),
        (
            "samples/gray16_ref.pgm",
            "testdata/images/bandnoise_64x48.pgm",
            "sample type mismatch",
        ),
        (
            "samples/float_ref.pfm",
            "testdata/images/blobs_64x48.pgm",
            "sample type mismatch",
        ),
    ] {
        let line = ssim(&[a, b]).assert_error().to_string();
        assert!(line.contains(what), "{line}");
        assert!(line.contains(a) && line.contains(b), "{line}");
    }
}

#[test]
fn data_ranges_that_disagree_need_data_range() {
    // A 10-bit PGM (maxval 1023) against the same samples in a 16-bit PNG (range 65535).
    let dir = scratch("range");
    let src = "testdata/images/blobs10_161x161__noise20.pgm";
    let img = ssim_std::pnm::decode(&std::fs::read(common::root().join(src)).unwrap()).unwrap();
    let ssim_std::pnm::Samples::U16(v) = img.samples else {
        panic!("16-bit")
    };
    let buf = image::ImageBuffer::<image::Luma<u16>, _>::from_raw(161, 161, v).unwrap();
    let png = dir.join("ten.png");
    buf.save(&png).unwrap();
    let run = ssim(&[
        "testdata/images/blobs10_161x161.pgm".as_ref(),
        png.as_os_str(),
    ]);
    let line = run.assert_error();
    assert!(
        line.contains("--data-range") && line.contains("1023"),
        "{line}"
    );
    let ok = ssim(&[
        "--data-range".as_ref(),
        "1023".as_ref(),
        "testdata/images/blobs10_161x161.pgm".as_ref(),
        png.as_os_str(),
    ]);
    assert_eq!(ok.code, 0, "{ok:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn images_smaller_than_the_window() {
    let dir = scratch("small");
    let p = dir.join("small.pgm");
    let mut bytes = b"P5\n8 8\n255\n".to_vec();
    bytes.extend((0..64).map(|i| (i * 3) as u8));
    std::fs::write(&p, bytes).unwrap();
    let s = p.to_str().unwrap();
    let line = ssim(&[s, s]).assert_error().to_string();
    assert!(line.contains("8x8") && line.contains("11x11"), "{line}");
    // MATLAB's definition pads, so any size works.
    assert_eq!(ssim(&["--preset", "matlab", s, s]).code, 0);
    // MS-SSIM names its minimum.
    let line = ssim(&[
        "--metric",
        "ms-ssim",
        "testdata/images/blobs_64x48.pgm",
        "testdata/images/blobs_64x48__noise20.pgm",
    ])
    .assert_error()
    .to_string();
    assert!(line.contains("161"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_option_values() {
    for (args, what) in [
        (vec!["--metric", "foo", A, B], "--metric"),
        (vec!["--preset", "foo", A, B], "wang2004"),
        (
            vec!["--metric", "ms-ssim", "--preset", "matlab", A, B],
            "wang2003",
        ),
        (vec!["--data-range", "-1", A, B], "--data-range"),
        (vec!["--data-range", "abc", A, B], "--data-range"),
        (vec!["--data-range", "0", A, B], "--data-range"),
        (vec!["--threads", "0", A, B], "--threads"),
        (vec!["--threads", "two", A, B], "--threads"),
        (vec!["--backend", "warp9", A, B], "scalar"),
        (vec!["--repeat", "0", A, B], "--repeat"),
        (vec!["--channels", "cmyk", A, B], "--channels"),
        (vec!["--map", "out.bmp", A, B], ".png"),
        (vec!["--threshold", "nan", A, B], "--threshold"),
        (vec!["--threshold", "high", A, B], "--threshold"),
        (vec!["--json", "--csv", A, B], "--csv"),
        (vec!["--frobnicate", A, B], "--frobnicate"),
        (vec![A], "DISTORTED"),
        (vec![], "REFERENCE"),
        (vec![A, "testdata/images", B], "folder"),
        (vec!["-", "-"], "stdin"),
        (vec!["testdata/images", B], "folder"),
        (
            vec!["--map", "m.png", "testdata/images", "testdata/images"],
            "--map",
        ),
    ] {
        let run = ssim(&args);
        let line = run.assert_error();
        assert!(line.contains(what), "{args:?}: expected '{what}' in {line}");
    }
}

#[test]
fn unwritable_map_is_an_error() {
    let line = ssim(&["--map", "/nonexistent-dir/m.png", A, B])
        .assert_error()
        .to_string();
    assert!(line.contains("/nonexistent-dir/m.png"), "{line}");
}

#[test]
fn help_and_version_exit_0() {
    let run = ssim(&["--help"]);
    assert_eq!(run.code, 0);
    for opt in [
        "--metric",
        "--preset",
        "--data-range",
        "--channels",
        "--json",
        "--map",
        "--threshold",
        "--threads",
        "--backend",
        "--repeat",
        "--csv",
    ] {
        assert!(run.stdout.contains(opt), "--help lacks {opt}");
    }
    assert_eq!(ssim(&["--version"]).code, 0);
}

#[test]
fn threshold_sets_exit_code_1_when_below() {
    // SSIM of this pair is 0.99871 (testdata case gray8_bandnoise_161x161__jpeg90__gaussian11).
    let below = ssim(&["--json", "--threshold", "0.999", A, B]);
    assert_eq!(below.code, 1, "{below:?}");
    let j = below.json();
    assert_eq!(j["pass"], false);
    assert_eq!(j["threshold"].as_f64(), Some(0.999));
    assert!(below.stderr.is_empty(), "{below:?}");
    let above = ssim(&["--json", "--threshold", "0.998", A, B]);
    assert_eq!(above.code, 0, "{above:?}");
    assert_eq!(above.json()["pass"], true);
    // Text mode says so too.
    let text = ssim(&["--threshold", "0.999", A, B]);
    assert_eq!(text.code, 1);
    assert!(text.stdout.contains("BELOW THRESHOLD"), "{text:?}");
    // Equal to the threshold passes.
    let v = ssim(&["--json", A, B]).json()["value"].as_f64().unwrap();
    let eq = ssim(&["--threshold", &format!("{v:?}"), A, B]);
    assert_eq!(eq.code, 0, "{eq:?}");
}
