//! BMP, TIFF (8/16-bit, float32), WebP (lossless and lossy) and QOI, and the 8-bit against
//! 16-bit rule (`--promote-8bit`).

mod common;

use std::path::Path;

use common::{root, scratch, ssim};

const A: &str = "samples/ref.png";
const B: &str = "samples/dist.png";

fn rgb8(p: &str) -> image::RgbImage {
    image::open(root().join(p)).unwrap().to_rgb8()
}

fn value(a: &Path, b: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args: Vec<&std::ffi::OsStr> = vec!["--json".as_ref()];
    args.extend(extra.iter().map(|s| std::ffi::OsStr::new(*s)));
    args.extend([a.as_os_str(), b.as_os_str()]);
    let run = ssim(&args);
    assert_eq!(run.code, 0, "{run:?}");
    run.json()
}

/// The PNG pair's value (testdata case rgb8_colorblobs_161x161__jpeg30__gaussian11).
fn want() -> f64 {
    common::expected(&common::case("rgb8_colorblobs_161x161__jpeg30__gaussian11"))
}

#[test]
fn lossless_formats_give_the_png_value() {
    let dir = scratch("formats");
    for (ext, name) in [
        ("bmp", "BMP"),
        ("tiff", "TIFF"),
        ("webp", "WebP"),
        ("qoi", "QOI"),
    ] {
        let (a, b) = (dir.join(format!("a.{ext}")), dir.join(format!("b.{ext}")));
        rgb8(A).save(&a).unwrap();
        rgb8(B).save(&b).unwrap();
        let j = value(&a, &b, &[]);
        assert_eq!(j["format"], format!("{name} 8-bit rgb"), "{j}");
        assert_eq!(j["data_range"], 255.0);
        assert!(
            (j["value"].as_f64().unwrap() - want()).abs() <= 1e-6,
            "{ext}: {j}"
        );
        // Against the PNG itself: the content decides, and the pixels are the same.
        let j = value(&root().join(A), &b, &[]);
        assert!(
            (j["value"].as_f64().unwrap() - want()).abs() <= 1e-6,
            "{ext}: {j}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tiff_16_bit_and_float() {
    let dir = scratch("tiff16");
    let wide = |p: &str, dst: &Path| {
        let img = rgb8(p);
        let v: Vec<u16> = img.as_raw().iter().map(|&s| u16::from(s) * 257).collect();
        image::ImageBuffer::<image::Rgb<u16>, _>::from_raw(img.width(), img.height(), v)
            .unwrap()
            .save(dst)
            .unwrap();
    };
    let float = |p: &str, dst: &Path| {
        let img = rgb8(p);
        let v: Vec<f32> = img.as_raw().iter().map(|&s| f32::from(s) / 255.0).collect();
        image::ImageBuffer::<image::Rgb<f32>, _>::from_raw(img.width(), img.height(), v)
            .unwrap()
            .save(dst)
            .unwrap();
    };
    let (a16, b16) = (dir.join("a16.tiff"), dir.join("b16.tiff"));
    wide(A, &a16);
    wide(B, &b16);
    let j = value(&a16, &b16, &[]);
    assert_eq!(j["format"], "TIFF 16-bit rgb");
    assert_eq!(j["data_range"], 65535.0);
    // SSIM does not change when samples and L scale together.
    assert!((j["value"].as_f64().unwrap() - want()).abs() <= 1e-6, "{j}");
    let (af, bf) = (dir.join("af.tiff"), dir.join("bf.tiff"));
    float(A, &af);
    float(B, &bf);
    let j = value(&af, &bf, &[]);
    assert_eq!(j["format"], "TIFF float rgb");
    assert_eq!(j["data_range"], 1.0);
    assert!((j["value"].as_f64().unwrap() - want()).abs() <= 1e-6, "{j}");

    // 8-bit against 16-bit: an error that names the option, then the stated scaling.
    let line = ssim(&[root().join(A).as_os_str(), b16.as_os_str()])
        .assert_error()
        .to_string();
    assert!(line.contains("--promote-8bit"), "{line}");
    for (x, y) in [(root().join(A), b16.clone()), (a16.clone(), root().join(B))] {
        let j = value(&x, &y, &["--promote-8bit"]);
        assert_eq!(j["data_range"], 65535.0);
        assert!((j["value"].as_f64().unwrap() - want()).abs() <= 1e-6, "{j}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Lossy WebP decodes to libwebp's pixels (`tests/data/README.md`).
#[test]
fn lossy_webp_is_libwebps_decode() {
    let d = root().join("ssim-cli/tests/data");
    let j = value(
        &d.join("dist_q60.webp"),
        &d.join("dist_q60.libwebp.png"),
        &["--preset", "matlab"],
    );
    assert_eq!(j["format"], "WebP 8-bit rgb");
    assert_eq!(j["value"], 1.0, "{j}");
    assert_eq!(j["channels"], serde_json::json!([1.0, 1.0, 1.0]));
}

#[test]
fn corrupt_new_formats_are_errors() {
    let dir = scratch("badformats");
    for (name, bytes, what) in [
        ("t.bmp", b"BM\x10\x00\x00\x00garbage".to_vec(), "BMP"),
        (
            "t.tiff",
            b"II*\x00\x08\x00\x00\x00\xff\xff".to_vec(),
            "TIFF",
        ),
        ("t.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 xx".to_vec(), "WebP"),
        (
            "t.qoi",
            b"qoif\x00\x00\x10\x00\x00\x00\x10\x00\x03\x00".to_vec(),
            "QOI",
        ),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let line = ssim(&[p.as_os_str(), p.as_os_str()])
            .assert_error()
            .to_string();
        assert!(line.contains(name) && line.contains(what), "{line}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
