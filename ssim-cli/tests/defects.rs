//! Issue 17's defects 3-12, each as it was seen: large images, folder pairing, thread caps,
//! options checked once, messages, alpha, backends, PNM maxval, dangling links.

mod common;

use std::path::Path;
use std::process::Stdio;

use common::{root, scratch, ssim, Run};

const A: &str = "testdata/images/bandnoise_161x161.pgm";
const B: &str = "testdata/images/bandnoise_161x161__jpeg90.pgm";

fn copy(src: &str, dst: &Path) {
    std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
    std::fs::copy(root().join(src), dst).unwrap();
}

fn to_png(src: &str, dst: &Path) {
    let img = test_support::pnm::decode(&std::fs::read(root().join(src)).unwrap()).unwrap();
    let test_support::pnm::Samples::U8(v) = img.samples else {
        panic!("8-bit")
    };
    let (w, h) = (img.width as u32, img.height as u32);
    std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
    image::GrayImage::from_raw(w, h, v)
        .unwrap()
        .save(dst)
        .unwrap();
}

fn lines(run: &Run) -> Vec<serde_json::Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Defect 3: a valid 14000x14000 RGB PNG (588 MB decoded) is read; `--max-pixels` lowers
/// the limit and the message says "too large" with the size.
#[test]
fn large_png_is_read_and_max_pixels_limits_it() {
    let dir = scratch("bigpng");
    let p = dir.join("big.png");
    let (w, h) = (14000u32, 14000u32);
    let buf: Vec<u8> = (0..w as usize * h as usize * 3)
        .map(|i| (i % 251) as u8)
        .collect();
    {
        use image::ImageEncoder;
        let f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
        image::codecs::png::PngEncoder::new_with_quality(
            f,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::NoFilter,
        )
        .write_image(&buf, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    }
    drop(buf);
    // Against a small image: decoding both is the point, the SSIM of 196 M pixels is not.
    let run = ssim(&[p.as_os_str(), "samples/ref.png".as_ref()]);
    let line = run.assert_error();
    assert!(
        line.contains("size mismatch") && line.contains("14000x14000"),
        "{line}"
    );
    let run = ssim(&[
        "--max-pixels".as_ref(),
        "100000000".as_ref(),
        p.as_os_str(),
        p.as_os_str(),
    ]);
    let line = run.assert_error();
    assert!(
        line.contains("too large") && line.contains("14000x14000") && line.contains("100000000"),
        "{line}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn max_pixels_applies_to_every_format() {
    for f in [
        "samples/ref.png",
        A,
        "ssim-cli/tests/data/rgb420_q50.jpg",
        "samples/float_ref.pfm",
    ] {
        let line = ssim(&["--max-pixels", "100", f, f])
            .assert_error()
            .to_string();
        assert!(line.contains("too large") && line.contains(f), "{line}");
    }
    assert_eq!(ssim(&["--max-pixels", "25921", A, B]).code, 0);
}

/// Defect 4: `refs/a.pgm` meets `enc/a.png`; an ambiguous name is an error naming the files.
#[test]
fn folders_pair_by_name_without_extension() {
    let dir = scratch("stems");
    let (r, d) = (dir.join("refs"), dir.join("enc"));
    copy(A, &r.join("a.pgm"));
    to_png(B, &d.join("a.png"));
    copy(A, &r.join("sub/b.pgm"));
    copy(B, &d.join("sub/b.pgm"));
    copy(A, &r.join("c.pgm"));
    to_png(B, &d.join("c.png"));
    copy(B, &d.join("c.ppm"));
    let run = ssim(&["--json".as_ref(), r.as_os_str(), d.as_os_str()]);
    assert_eq!(run.code, 2, "{run:?}");
    let rows = lines(&run);
    let want = ssim(&["--json", A, B]).json()["value"].as_f64().unwrap();
    assert_eq!(rows.len(), 3, "{run:?}");
    assert_eq!(rows[0]["path"], "a.pgm");
    assert_eq!(rows[0]["status"], "ok");
    assert!(rows[0]["distorted"].as_str().unwrap().ends_with("a.png"));
    assert_eq!(rows[0]["value"].as_f64(), Some(want));
    assert_eq!(rows[1]["path"], "c");
    assert_eq!(rows[1]["status"], "error");
    let e = rows[1]["error"].as_str().unwrap();
    assert!(
        e.contains("ambiguous")
            && e.contains("c.png")
            && e.contains("c.ppm")
            && e.contains("c.pgm"),
        "{e}"
    );
    assert_eq!(rows[2]["path"], "sub/b.pgm");
    assert_eq!(rows[2]["status"], "ok");
    let _ = std::fs::remove_dir_all(dir);
}

/// Defect 6: more threads than cores are capped, with a warning.
#[test]
fn threads_are_capped_at_the_cores() {
    let cores = std::thread::available_parallelism().unwrap().get();
    let run = ssim(&["--json", "--threads", "1024", A, B]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["threads"].as_u64(), Some(cores as u64));
    assert!(run.stderr.contains("capped"), "{run:?}");
    let run = ssim(&["--json", "--threads", "1", A, B]);
    assert_eq!(run.json()["threads"], 1);
    assert!(run.stderr.is_empty(), "{run:?}");
}

fn with_env(args: &[&std::ffi::OsStr], key: &str, value: &str) -> Run {
    let out = test_support::command(env!("CARGO_BIN_EXE_ssim"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .env(key, value)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Defect 7: invalid option values are one error before any work, in folder mode too; the
/// data-range messages are one message.
#[test]
fn options_are_checked_once_before_any_work() {
    let dir = scratch("once");
    let (r, d) = (dir.join("r"), dir.join("d"));
    for n in ["a.pgm", "b.pgm", "c.pgm"] {
        copy(A, &r.join(n));
        copy(B, &d.join(n));
    }
    let line = ssim(&[
        "--data-range".as_ref(),
        "1e-20".as_ref(),
        r.as_os_str(),
        d.as_os_str(),
    ])
    .assert_error()
    .to_string();
    assert!(line.contains("invalid --data-range 1e-20"), "{line}");
    for bad in ["-1", "0", "1e30"] {
        let l = ssim(&["--data-range", bad, A, B])
            .assert_error()
            .to_string();
        assert!(l.contains(&format!("invalid --data-range {bad}")), "{l}");
        assert!(l.contains("expected a number from"), "{l}");
    }
    let run = with_env(&[r.as_os_str(), d.as_os_str()], "SSIM_BACKEND", "bogus");
    let line = run.assert_error();
    assert!(
        line.contains("SSIM_BACKEND") && line.contains("bogus"),
        "{line}"
    );
    assert!(line.contains("scalar") && line.contains("auto"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Defect 9: a missing path next to a folder is missing, not "not a folder"; text mode names
/// a failed pair once.
#[test]
fn missing_path_and_failed_pairs_named_once() {
    let line = ssim(&["testdata/images", "nonexist"])
        .assert_error()
        .to_string();
    assert!(
        line.contains("nonexist") && line.contains("no such file"),
        "{line}"
    );
    let line = ssim(&["nonexist", "testdata/images"])
        .assert_error()
        .to_string();
    assert!(line.contains("no such file"), "{line}");
    let dir = scratch("once-text");
    let (r, d) = (dir.join("r"), dir.join("d"));
    copy(A, &r.join("a.pgm"));
    copy(B, &d.join("a.pgm"));
    copy(A, &r.join("lonely.pgm"));
    let run = ssim(&[r.as_os_str(), d.as_os_str()]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr.matches("lonely.pgm has no").count(),
        1,
        "{run:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Defect 12: `--backend auto`, a PGM sample above maxval, dangling links in folders.
#[test]
fn backend_auto_maxval_and_dangling_links() {
    let auto = ssim(&["--json", "--backend", "auto", A, B]);
    assert_eq!(auto.code, 0, "{auto:?}");
    assert_eq!(
        auto.json()["backend"],
        ssim(&["--json", A, B]).json()["backend"]
    );
    let dir = scratch("maxval");
    let p = dir.join("over.pgm");
    let mut bytes = b"P5\n16 16\n200\n".to_vec();
    bytes.extend((0..256).map(|i| (i % 200) as u8));
    bytes[13 + 3 * 16 + 5] = 201;
    std::fs::write(&p, bytes).unwrap();
    let line = ssim(&[p.as_os_str(), p.as_os_str()])
        .assert_error()
        .to_string();
    assert!(
        line.contains("201") && line.contains("maxval 200") && line.contains("(5, 3)"),
        "{line}"
    );
    #[cfg(unix)]
    {
        let (r, d) = (dir.join("r"), dir.join("d"));
        copy(A, &r.join("a.pgm"));
        copy(B, &d.join("a.pgm"));
        std::os::unix::fs::symlink(dir.join("gone.pgm"), r.join("b.pgm")).unwrap();
        let run = ssim(&["--json".as_ref(), r.as_os_str(), d.as_os_str()]);
        assert_eq!(run.code, 2, "{run:?}");
        let rows = lines(&run);
        assert_eq!(rows.len(), 2, "{run:?}");
        assert_eq!(rows[1]["status"], "error");
        let e = rows[1]["error"].as_str().unwrap();
        assert!(e.contains("dangling") && e.contains("gone.pgm"), "{e}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Issue 17, defect 12: a JPEG with corrupt data decoded silently. libjpeg skips garbage
/// between two header segments ("Corrupt JPEG data: 3 extraneous bytes before marker ..."):
/// now a warning on stderr with the same value, and with `--strict` exit 2 naming the file.
#[test]
fn corrupt_jpeg_data_warns_and_strict_refuses_it() {
    let dir = scratch("corrupt-jpeg");
    let clean = std::fs::read(root().join("samples/dist.jpg")).unwrap();
    // SOI, then the first segment (FF xx, 16-bit big-endian length counting itself).
    assert_eq!((clean[0], clean[1], clean[2]), (0xff, 0xd8, 0xff));
    let end = 4 + ((clean[4] as usize) << 8 | clean[5] as usize);
    assert_eq!(clean[end], 0xff, "a marker follows the first segment");
    let mut bad = clean[..end].to_vec();
    bad.extend_from_slice(&[0x12, 0x34, 0x56]);
    bad.extend_from_slice(&clean[end..]);
    let bad_path = dir.join("bad.jpg");
    std::fs::write(&bad_path, &bad).unwrap();
    let b = bad_path.to_str().unwrap();
    let good = ssim(&["--json", "samples/ref.png", "samples/dist.jpg"]);
    assert_eq!(good.code, 0, "{good:?}");
    assert!(
        good.stderr.is_empty(),
        "a clean JPEG warns nothing: {good:?}"
    );
    let warned = ssim(&["--json", "samples/ref.png", b]);
    assert_eq!(warned.code, 0, "{warned:?}");
    assert_eq!(warned.json()["value"], good.json()["value"]);
    assert!(
        warned.stderr.starts_with("ssim: warning: ")
            && warned.stderr.contains("bad.jpg")
            && warned.stderr.contains("Corrupt JPEG data")
            && warned.stderr.contains("extraneous bytes"),
        "{warned:?}"
    );
    let strict = ssim(&["--strict", "samples/ref.png", b]);
    let line = strict.assert_error();
    assert!(
        line.contains("bad.jpg") && line.contains("Corrupt JPEG data") && line.contains("--strict"),
        "{line}"
    );
    // --strict leaves clean files alone.
    assert_eq!(
        ssim(&["--strict", "samples/ref.png", "samples/dist.jpg"]).code,
        0
    );
    let _ = std::fs::remove_dir_all(dir);
}
