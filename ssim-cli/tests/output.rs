//! Output formats: the JSON fields, CSV, text, maps (PNG heatmap and raw PFM).

mod common;

use common::{case, expected, image, scratch, ssim};

const A: &str = "samples/ref.png";
const B: &str = "samples/dist.png";

#[test]
fn json_has_every_documented_field() {
    let run = ssim(&["--json", "--threads", "2", "--backend", "scalar", A, B]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 1, "one JSON object on one line");
    let j = run.json();
    assert_eq!(j["metric"], "ssim");
    assert_eq!(j["preset"], "wang2004");
    assert!(j["value"].is_f64());
    let ch = j["channels"].as_array().unwrap();
    assert_eq!(ch.len(), 3);
    let mean = ch.iter().map(|v| v.as_f64().unwrap()).sum::<f64>() / 3.0;
    assert!((mean - j["value"].as_f64().unwrap()).abs() < 1e-12);
    assert!(j["scales"].is_null());
    assert_eq!(j["width"], 161);
    assert_eq!(j["height"], 161);
    assert_eq!(j["data_range"].as_f64(), Some(255.0));
    assert_eq!(j["backend"], "scalar");
    assert_eq!(j["threads"], 2);
    assert!(j["elapsed_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(j["repeat"], 1);
    assert_eq!(j["channel_mode"], "mean");
    assert_eq!(j["layout"], "rgb");
    assert_eq!(j["format"], "PNG 8-bit rgb");
    assert_eq!(j["reference"], A);
    assert_eq!(j["distorted"], B);
    assert!(j["threshold"].is_null() && j["pass"].is_null() && j["map"].is_null());

    let ms = ssim(&["--json", "--metric", "ms-ssim", A, B]).json();
    assert_eq!(ms["metric"], "ms-ssim");
    assert_eq!(ms["preset"], "wang2003");
    let scales = ms["scales"].as_array().unwrap();
    assert_eq!(scales.len(), 5);
    let sizes: Vec<u64> = scales
        .iter()
        .map(|s| s["width"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [161, 81, 41, 21, 11]);
    for (k, s) in scales.iter().enumerate() {
        assert_eq!(s["level"], k + 1);
        assert!(s["ssim"].is_f64() && s["cs"].is_f64());
    }
}

#[test]
fn threads_and_backends_do_not_change_the_value() {
    let base = ssim(&["--json", "--threads", "1", A, B]).json()["value"]
        .as_f64()
        .unwrap();
    for t in ["2", "3", "8"] {
        let v = ssim(&["--json", "--threads", t, A, B]).json()["value"]
            .as_f64()
            .unwrap();
        assert_eq!(v.to_bits(), base.to_bits(), "--threads {t}");
    }
    let all = ssim(&["--json", "--backend", "scalar", A, B]).json();
    assert!((all["value"].as_f64().unwrap() - base).abs() < 1e-6);
}

#[test]
fn repeat_reports_the_median() {
    let j = ssim(&["--json", "--repeat", "5", A, B]).json();
    assert_eq!(j["repeat"], 5);
    assert!(j["elapsed_ms"].as_f64().unwrap() > 0.0);
}

#[test]
fn text_and_csv() {
    let t = ssim(&[A, B]);
    assert_eq!(t.code, 0);
    assert_eq!(t.stdout.lines().count(), 1);
    assert!(t.stdout.starts_with("SSIM 0.887510"), "{t:?}");
    let c = ssim(&["--csv", A, B]);
    let lines: Vec<&str> = c.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{c:?}");
    let head: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(head.len(), row.len());
    let value = head.iter().position(|h| *h == "value").unwrap();
    assert!(row[value].starts_with("0.887510"), "{c:?}");
}

#[test]
fn luma_modes_compare_one_channel() {
    for mode in ["luma601", "luma709"] {
        let j = ssim(&["--json", "--channels", mode, A, B]).json();
        assert_eq!(j["channel_mode"], mode);
        assert_eq!(j["channels"].as_array().unwrap().len(), 1);
        let v = j["value"].as_f64().unwrap();
        assert!(v > 0.5 && v < 1.0, "{v}");
        // The map path computes the same value.
        let dir = scratch(mode);
        let m = dir.join("m.pfm");
        let jm = ssim(&[
            "--json",
            "--channels",
            mode,
            "--map",
            m.to_str().unwrap(),
            A,
            B,
        ])
        .json();
        assert!((jm["value"].as_f64().unwrap() - v).abs() < 1e-12);
        let _ = std::fs::remove_dir_all(dir);
    }
    // On gray images every mode is the gray value.
    let g = "testdata/images/bandnoise_161x161.pgm";
    let h = "testdata/images/bandnoise_161x161__jpeg90.pgm";
    let mean = ssim(&["--json", g, h]).json()["value"].as_f64().unwrap();
    let luma = ssim(&["--json", "--channels", "luma709", g, h]).json()["value"]
        .as_f64()
        .unwrap();
    assert_eq!(mean, luma);
}

fn read_pfm(p: &std::path::Path) -> (usize, usize, Vec<f32>) {
    let img = test_support::pnm::decode(&std::fs::read(p).unwrap()).unwrap();
    let test_support::pnm::Samples::F32(v) = img.samples else {
        panic!("float map")
    };
    (img.width, img.height, v)
}

/// `--map x.pfm` writes the map the reference vectors hold (`testdata/maps`).
#[test]
fn pfm_map_matches_the_reference_map() {
    let dir = scratch("pfm");
    for id in [
        "gray8_blobs_64x48__noise20__gaussian11",
        "gray8_blobs_64x48__noise20__skimage_default",
        "gray8_blobs_64x48__noise20__matlab_ipt",
    ] {
        let c = case(id);
        let preset = common::metric_preset(c["config"].as_str().unwrap()).1;
        let out = dir.join(format!("{id}.pfm"));
        let run = ssim(&[
            "--preset",
            preset,
            "--map",
            out.to_str().unwrap(),
            &image(&c, "ref"),
            &image(&c, "dist"),
        ]);
        assert_eq!(run.code, 0, "{run:?}");
        let (w, h, got) = read_pfm(&out);
        let (rw, rh, want) = read_pfm(
            &common::root()
                .join("testdata")
                .join(c["map"].as_str().unwrap()),
        );
        assert_eq!((w, h), (rw, rh), "{id}");
        assert_eq!(
            (w as u64, h as u64),
            (
                c["map_width"].as_u64().unwrap(),
                c["map_height"].as_u64().unwrap()
            )
        );
        let worst = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst <= 1e-5, "{id}: map differs by {worst}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn png_heatmap_is_a_colour_image_larger_than_the_map() {
    let dir = scratch("png");
    let out = dir.join("heat.png");
    let c = case("gray8_blobs_64x48__noise20__gaussian11");
    let run = ssim(&[
        "--json",
        "--map",
        out.to_str().unwrap(),
        &image(&c, "ref"),
        &image(&c, "dist"),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["map"], out.to_str().unwrap());
    let img = image::open(&out).unwrap().to_rgb8();
    // The 54x38 map is enlarged, with room for the colour bar and labels.
    assert!(
        img.width() >= 300 && img.height() >= 200,
        "{}x{}",
        img.width(),
        img.height()
    );
    let colours: std::collections::HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 50, "only {} colours", colours.len());
    // viridis' ends are both present (the colour bar), and black text.
    assert!(colours.contains(&[20, 20, 20]));
    let ms = dir.join("ms.png");
    let run = ssim(&["--metric", "ms-ssim", "--map", ms.to_str().unwrap(), A, B]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(image::open(&ms).is_ok());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn jpeg_input() {
    let j = ssim(&["--json", A, "samples/dist.jpg"]).json();
    assert_eq!(j["data_range"].as_f64(), Some(255.0));
    let v = j["value"].as_f64().unwrap();
    assert!(v > 0.8 && v < 1.0, "{v}");
    // The same pair decoded once more gives the same value (deterministic decoder).
    let again = ssim(&["--json", A, "samples/dist.jpg"]).json();
    assert_eq!(again["value"], j["value"]);
}

#[test]
fn identical_images_give_exactly_one() {
    for p in [A, "samples/gray16_ref.png", "samples/float_ref.pfm"] {
        let j = ssim(&["--json", "--preset", "matlab", p, p]).json();
        assert_eq!(j["value"].as_f64(), Some(1.0), "{p}");
    }
    let _ = expected;
}

/// The decoder follows the file's first bytes, not its name; alpha is ignored.
#[test]
fn content_decides_the_format_and_alpha_is_ignored() {
    let dir = scratch("sniff");
    let (a, b) = (dir.join("ref.pgm"), dir.join("dist.jpg"));
    std::fs::copy(common::root().join(A), &a).unwrap();
    std::fs::copy(common::root().join(B), &b).unwrap();
    let want = expected(&case("rgb8_colorblobs_161x161__jpeg30__gaussian11"));
    let j = ssim(&["--json".as_ref(), a.as_os_str(), b.as_os_str()]).json();
    assert_eq!(j["format"], "PNG 8-bit rgb");
    assert!((j["value"].as_f64().unwrap() - want).abs() <= 1e-6);

    // RGBA copies with different, varying alpha give the RGB value.
    let rgba = |src: &str, dst: &std::path::Path, seed: u32| {
        let img = image::open(common::root().join(src)).unwrap().to_rgba8();
        let mut img = img.clone();
        for (i, p) in img.pixels_mut().enumerate() {
            p.0[3] = ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) >> 24) as u8;
        }
        img.save(dst).unwrap();
    };
    let (ra, rb) = (dir.join("a.png"), dir.join("b.png"));
    rgba(A, &ra, 1);
    rgba(B, &rb, 99);
    let j = ssim(&["--json".as_ref(), ra.as_os_str(), rb.as_os_str()]).json();
    // Alpha is dropped on reading: the compared layout is rgb, the format says rgba.
    assert_eq!(j["layout"], "rgb");
    assert_eq!(j["format"], "PNG 8-bit rgba");
    assert!((j["value"].as_f64().unwrap() - want).abs() <= 1e-6);
    // So RGBA compares with RGB (as gray+alpha with gray), both ways, same value.
    for (x, y) in [
        (ra.as_os_str(), b.as_os_str()),
        (a.as_os_str(), rb.as_os_str()),
    ] {
        let run = ssim(&["--json".as_ref(), x, y]);
        assert_eq!(run.code, 0, "{run:?}");
        assert!((run.json()["value"].as_f64().unwrap() - want).abs() <= 1e-6);
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// JPEGs decode to exactly libjpeg-turbo's pixels (`tests/data/README.md`): every value of
/// the full-size map of the CLI's decode against `djpeg`'s is exactly 1.
#[test]
fn jpeg_decoding_is_libjpeg_turbo() {
    let dir = scratch("jpeg");
    for (jpg, pnm) in [
        ("rgb420_q50.jpg", "rgb420_q50.djpeg.ppm"),
        ("rgb422_prog_q60.jpg", "rgb422_prog_q60.djpeg.ppm"),
        ("rgb_arith_q50.jpg", "rgb_arith_q50.djpeg.ppm"),
        ("gray_q50.jpg", "gray_q50.djpeg.pgm"),
    ] {
        let data = common::root().join("ssim-cli/tests/data");
        let map = dir.join(format!("{jpg}.pfm"));
        let run = ssim(&[
            "--json".as_ref(),
            "--preset".as_ref(),
            "matlab".as_ref(),
            "--map".as_ref(),
            map.as_os_str(),
            data.join(jpg).as_os_str(),
            data.join(pnm).as_os_str(),
        ]);
        assert_eq!(run.code, 0, "{run:?}");
        let j = run.json();
        assert_eq!(j["value"].as_f64(), Some(1.0), "{jpg}");
        let (w, h, m) = read_pfm(&map);
        assert_eq!((w, h), (64, 48));
        let differing = m.iter().filter(|&&v| v != 1.0).count();
        assert_eq!(
            differing, 0,
            "{jpg}: {differing} map pixels differ from djpeg's decode"
        );
    }
    // A JPEG cut short is an error (as in Pillow), not an image padded with grey.
    let bytes = std::fs::read(common::root().join("samples/dist.jpg")).unwrap();
    let cut = dir.join("cut.jpg");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let run = ssim(&[cut.as_os_str(), common::root().join(A).as_os_str()]);
    let line = run.assert_error();
    assert!(line.contains("truncated JPEG"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `--map` is written as the rows are computed, chunk by chunk (a few hundred rows at a time,
/// so the map is never held whole): on a tall RGB pair that takes several chunks, the PFM is
/// bit for bit the mean of the three whole channel maps of `ssim_std::ssim_map_with`, for 1
/// and 2 threads, and the value is unchanged by asking for the map.
#[test]
fn streamed_pfm_map_equals_the_whole_map() {
    let dir = scratch("streamed-map");
    let (w, h) = (61usize, 1100usize);
    let mut s = 0x9e37_79b9u32;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        s
    };
    let a: Vec<u8> = (0..w * h * 3)
        .map(|i| ((i % (3 * w)) as u32 * 2 + (i / (3 * w)) as u32 + next() % 30) as u8)
        .collect();
    let b: Vec<u8> = a
        .iter()
        .map(|&v| v.wrapping_add((next() % 21) as u8))
        .collect();
    let ppm = |name: &str, d: &[u8]| {
        let p = dir.join(name);
        let mut bytes = format!("P6\n{w} {h}\n255\n").into_bytes();
        bytes.extend_from_slice(d);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let (pa, pb) = (ppm("a.ppm", &a), ppm("b.ppm", &b));
    let p = ssim_std::Params::wang2004(255.0);
    let maps: Vec<Vec<f32>> = (0..3)
        .map(|c| {
            let x = ssim_std::Plane::with_layout(&a[c..], w, h, 3 * w, 3).unwrap();
            let y = ssim_std::Plane::with_layout(&b[c..], w, h, 3 * w, 3).unwrap();
            ssim_std::ssim_map(&p, &x, &y).unwrap().ssim
        })
        .collect();
    let want: Vec<u32> = (0..maps[0].len())
        .map(|i| (maps.iter().map(|m| m[i]).sum::<f32>() / 3.0).to_bits())
        .collect();
    let plain = ssim(&[
        "--json",
        "--threads=1",
        pa.to_str().unwrap(),
        pb.to_str().unwrap(),
    ]);
    for threads in ["--threads=1", "--threads=2"] {
        let out = dir.join("m.pfm");
        let run = ssim(&[
            "--json",
            threads,
            "--map",
            out.to_str().unwrap(),
            pa.to_str().unwrap(),
            pb.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(run.json()["value"], plain.json()["value"], "{threads}");
        let (mw, mh, got) = read_pfm(&out);
        assert_eq!((mw, mh), (w - 10, h - 10));
        let got: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
        assert!(
            got == want,
            "{threads}: the streamed map differs from the whole map"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
