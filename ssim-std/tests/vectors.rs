//! The engine and the f64 oracle against the reference values of scikit-image and MATLAB's
//! definition (testdata/cases.json), on every backend this machine supports.

mod common;

use common::*;
use ssim_std::oracle::oracle;
use ssim_std::pnm::Samples;
use ssim_std::{ssim_map, ssim_with, Backend, Config, Plane, Sample};

const SINGLE: &[&str] = &["gaussian11", "skimage_default", "matlab_ipt"];

/// Per-channel planes of an interleaved buffer.
fn planes<'a, T: Sample>(d: &'a [T], w: usize, h: usize, ch: usize) -> Vec<Plane<'a, T>> {
    (0..ch)
        .map(|c| Plane::with_layout(&d[c..], w, h, w * ch, ch).unwrap())
        .collect()
}

enum Pair<'a> {
    U8(Plane<'a, u8>, Plane<'a, u8>),
    U16(Plane<'a, u16>, Plane<'a, u16>),
    F32(Plane<'a, f32>, Plane<'a, f32>),
}

fn pairs(case: &Case) -> Vec<Pair<'_>> {
    let (w, h, ch) = (
        case.reference.width,
        case.reference.height,
        case.reference.channels,
    );
    match (&case.reference.samples, &case.distorted.samples) {
        (Samples::U8(a), Samples::U8(b)) => planes(a, w, h, ch)
            .into_iter()
            .zip(planes(b, w, h, ch))
            .map(|(x, y)| Pair::U8(x, y))
            .collect(),
        (Samples::U16(a), Samples::U16(b)) => planes(a, w, h, ch)
            .into_iter()
            .zip(planes(b, w, h, ch))
            .map(|(x, y)| Pair::U16(x, y))
            .collect(),
        (Samples::F32(a), Samples::F32(b)) => planes(a, w, h, ch)
            .into_iter()
            .zip(planes(b, w, h, ch))
            .map(|(x, y)| Pair::F32(x, y))
            .collect(),
        _ => panic!("{}: mixed sample types", case.id),
    }
}

macro_rules! on_pair {
    ($pair:expr, |$x:ident, $y:ident| $body:expr) => {
        match $pair {
            Pair::U8($x, $y) => $body,
            Pair::U16($x, $y) => $body,
            Pair::F32($x, $y) => $body,
        }
    };
}

#[test]
fn oracle_matches_references_to_1e9() {
    let mut worst = (0.0f64, String::new());
    let mut n = 0;
    for case in cases(SINGLE) {
        let params = preset_of(&case.config).params(case.data_range);
        let ps = pairs(&case);
        let mean: f64 = ps
            .iter()
            .map(|p| on_pair!(p, |x, y| oracle(&params, x, y, false).unwrap().ssim))
            .sum::<f64>()
            / ps.len() as f64;
        let d = (mean - case.expected).abs();
        if d > worst.0 {
            worst = (d, case.id.clone());
        }
        n += 1;
    }
    eprintln!(
        "oracle: {n} cases, worst |delta| {:.3e} ({})",
        worst.0, worst.1
    );
    assert!(n >= 200, "expected the ~200 single-scale cases, found {n}");
    assert!(worst.0 <= 1e-9, "worst {:.3e} at {}", worst.0, worst.1);
}

#[test]
fn oracle_maps_match_reference_maps() {
    let mut checked = 0;
    for case in cases(SINGLE) {
        let Some(map) = &case.map else { continue };
        let (mw, mh, want) = read_map(map);
        let params = preset_of(&case.config).params(case.data_range);
        let p = &pairs(&case)[0];
        let got = on_pair!(p, |x, y| oracle(&params, x, y, true).unwrap());
        assert_eq!((got.map_width, got.map_height), (mw, mh), "{}", case.id);
        for (i, (g, w)) in got.map.iter().zip(&want).enumerate() {
            assert!(
                (g - *w as f64).abs() <= 1e-6,
                "{} pixel {i}: {g} vs {w}",
                case.id
            );
        }
        checked += 1;
    }
    assert!(checked >= 80, "only {checked} maps checked");
}

/// The production path, on every backend: the mean within 1e-6 of the reference.
#[test]
fn engine_matches_references_to_1e6_on_every_backend() {
    let all = cases(SINGLE);
    for backend in Backend::available() {
        let config = Config {
            backend: Some(backend),
            ..Config::default()
        };
        let mut worst = (0.0f64, String::new());
        for case in &all {
            let params = preset_of(&case.config).params(case.data_range);
            let ps = pairs(case);
            let mean: f64 = ps
                .iter()
                .map(|p| on_pair!(p, |x, y| ssim_with(&params, x, y, &config).unwrap().ssim))
                .sum::<f64>()
                / ps.len() as f64;
            let d = (mean - case.expected).abs();
            if d > worst.0 {
                worst = (d, case.id.clone());
            }
        }
        eprintln!(
            "{backend}: {} cases, worst |delta| {:.3e} ({})",
            all.len(),
            worst.0,
            worst.1
        );
        assert!(
            worst.0 <= 1e-6,
            "{backend}: worst {:.3e} at {}",
            worst.0,
            worst.1
        );
    }
}

/// Maps from the engine against the reference maps (f32 engine: 1e-5 per pixel).
#[test]
fn engine_maps_match_reference_maps() {
    let mut worst = (0.0f64, String::new());
    for case in cases(SINGLE) {
        let Some(map) = &case.map else { continue };
        let (mw, mh, want) = read_map(map);
        let params = preset_of(&case.config).params(case.data_range);
        let p = &pairs(&case)[0];
        let got = on_pair!(p, |x, y| ssim_map(&params, x, y).unwrap());
        assert_eq!((got.width, got.height), (mw, mh), "{}", case.id);
        for (g, w) in got.ssim.iter().zip(&want) {
            let d = (*g as f64 - *w as f64).abs();
            if d > worst.0 {
                worst = (d, case.id.clone());
            }
        }
    }
    eprintln!(
        "engine maps: worst per-pixel |delta| {:.3e} ({})",
        worst.0, worst.1
    );
    assert!(worst.0 <= 1e-5, "worst {:.3e} at {}", worst.0, worst.1);
}
