//! MS-SSIM against the reference vectors (testdata/cases.json, configs `msssim_wang` and
//! `msssim_pytorch`): the index and every per-level mean, for gray 8/16-bit, f32 and RGB.

mod common;

use common::*;
use serde_json::Value;
use ssim_std::pnm::{PnmImage, Samples};
use ssim_std::{
    msssim, msssim_with, ChannelMode, Config, Downsample, Error, Interleaved, MsChannelsResult,
    MsSsimParams, MsSsimPreset, MsSsimResult, NegativeMeans, PixelLayout, Plane, Sample,
};

/// The interleaved-image call with the layout spelled out, as the cases below list it.
#[allow(clippy::too_many_arguments)]
fn msssim_image<T: Sample>(
    params: &MsSsimParams,
    x: &[T],
    y: &[T],
    width: usize,
    height: usize,
    stride: usize,
    layout: PixelLayout,
    mode: ChannelMode,
    config: &Config,
) -> ssim_std::Result<MsChannelsResult> {
    let x = Interleaved::with_stride(x, width, height, stride, layout)?;
    let y = Interleaved::with_stride(y, width, height, stride, layout)?;
    ssim_std::msssim_image(params, &x, &y, mode, config)
}

const TOL: f64 = 1e-6;

fn params_for(case: &Case) -> MsSsimParams {
    match case.config.as_str() {
        "msssim_wang" => MsSsimParams::wang2003(case.data_range),
        "msssim_pytorch" => MsSsimParams::pytorch_msssim(case.data_range),
        c => panic!("not an MS-SSIM config: {c}"),
    }
}

fn run<T: Sample>(p: &MsSsimParams, a: &[T], b: &[T], img: &PnmImage) -> Vec<MsSsimResult> {
    let (w, h) = (img.width, img.height);
    if img.channels == 1 {
        let r = msssim(
            p,
            &Plane::new(a, w, h).unwrap(),
            &Plane::new(b, w, h).unwrap(),
        )
        .unwrap();
        vec![r]
    } else {
        let config = Config::default();
        let r = msssim_image(
            p,
            a,
            b,
            w,
            h,
            w * 3,
            PixelLayout::Rgb,
            ChannelMode::Mean,
            &config,
        )
        .unwrap();
        let mean = r.channels.iter().map(|c| c.msssim).sum::<f64>() / 3.0;
        assert_eq!(r.msssim, mean);
        r.channels
    }
}

fn compute(case: &Case, p: &MsSsimParams) -> Vec<MsSsimResult> {
    match (&case.reference.samples, &case.distorted.samples) {
        (Samples::U8(a), Samples::U8(b)) => run(p, a, b, &case.reference),
        (Samples::U16(a), Samples::U16(b)) => run(p, a, b, &case.reference),
        (Samples::F32(a), Samples::F32(b)) => run(p, a, b, &case.reference),
        _ => panic!("{}: mixed sample types", case.id),
    }
}

/// `scales` of a case: one list of levels per channel.
fn scales(case: &Case) -> Vec<Vec<Value>> {
    let s = case.raw["scales"].as_array().expect("scales");
    if s[0].is_array() {
        s.iter().map(|c| c.as_array().unwrap().clone()).collect()
    } else {
        vec![s.clone()]
    }
}

#[test]
fn every_msssim_case_within_1e6_with_per_level_means() {
    let cases = cases(&["msssim_wang", "msssim_pytorch"]);
    assert_eq!(cases.len(), 74, "the vector set has 74 MS-SSIM cases");
    let (mut worst, mut worst_level) = ((0.0f64, String::new()), (0.0f64, String::new()));
    for case in &cases {
        let p = params_for(case);
        let results = compute(case, &p);
        let value = results.iter().map(|r| r.msssim).sum::<f64>() / results.len() as f64;
        let d = (value - case.expected).abs();
        assert!(
            d <= TOL,
            "{}: {value} vs {} (|d| = {d:e})",
            case.id,
            case.expected
        );
        if d > worst.0 {
            worst = (d, case.id.clone());
        }
        let want = scales(case);
        assert_eq!(want.len(), results.len(), "{}", case.id);
        for (ch, (r, levels)) in results.iter().zip(&want).enumerate() {
            assert_eq!(r.levels.len(), levels.len(), "{}", case.id);
            for (i, (got, lv)) in r.levels.iter().zip(levels).enumerate() {
                assert_eq!(got.width as u64, lv["width"].as_u64().unwrap());
                assert_eq!(got.height as u64, lv["height"].as_u64().unwrap());
                for (name, g, e) in [
                    ("ssim", got.ssim, lv["ssim"].as_f64().unwrap()),
                    ("cs", got.cs, lv["cs"].as_f64().unwrap()),
                ] {
                    let d = (g - e).abs();
                    assert!(
                        d <= TOL,
                        "{} channel {ch} level {} {name}: {g} vs {e}",
                        case.id,
                        i + 1
                    );
                    if d > worst_level.0 {
                        worst_level = (d, format!("{} ch {ch} level {} {name}", case.id, i + 1));
                    }
                }
            }
        }
    }
    eprintln!(
        "MS-SSIM: {} cases, worst |d| {:.3e} ({}); worst per-level mean |d| {:.3e} ({})",
        cases.len(),
        worst.0,
        worst.1,
        worst_level.0,
        worst_level.1
    );
}

/// Presets by name, as the CLI and C API parse them.
#[test]
fn preset_names_round_trip() {
    for p in MsSsimPreset::ALL {
        assert_eq!(MsSsimPreset::from_name(p.name()), Some(p));
    }
    assert_eq!(
        MsSsimPreset::from_name("PYTORCH_MSSSIM"),
        Some(MsSsimPreset::PytorchMsssim)
    );
    assert_eq!(MsSsimPreset::from_name("tf"), None);
    assert_eq!(
        MsSsimPreset::Wang2003.params(255.0),
        MsSsimParams::wang2003(255.0)
    );
    assert_eq!(
        MsSsimPreset::PytorchMsssim.params(1.0).downsample,
        Downsample::PytorchMsssim
    );
}

fn ramp(w: usize, h: usize) -> Vec<u8> {
    (0..w * h)
        .map(|i| ((i % w) * 3 + (i / w) * 5 + (i * 7919) % 13) as u8)
        .collect()
}

#[test]
fn too_small_names_the_minimum_and_auto_levels_fits() {
    let p = MsSsimParams::wang2003(255.0);
    let (w, h) = (300, 160);
    let x = ramp(w, h);
    let xp = Plane::new(&x, w, h).unwrap();
    let err = msssim(&p, &xp, &xp).unwrap_err();
    assert!(matches!(
        err,
        Error::TooSmallForLevels {
            min: 161,
            levels: 5,
            window: 11,
            ..
        }
    ));
    assert!(err.to_string().contains("161"), "{err}");
    // Three levels need (11 - 1) * 4 + 1 = 41.
    let mut p3 = p.clone();
    p3.weights.truncate(3);
    assert_eq!(p3.min_size(3), 41);
    assert_eq!(msssim(&p3, &xp, &xp).unwrap().levels.len(), 3);
    // auto: 160 fits 4 levels (ceil(160 / 8) = 20 >= 11).
    let mut auto = p.clone();
    auto.auto_levels = true;
    let r = msssim(&auto, &xp, &xp).unwrap();
    assert_eq!(r.levels.len(), 4);
    assert_eq!(r.msssim, 1.0);
    // Nothing fits below one window.
    let tiny = Plane::new(&x[..10 * 10], 10, 10).unwrap();
    assert!(matches!(
        msssim(&auto, &tiny, &tiny),
        Err(Error::TooSmallForLevels { .. })
    ));
}

/// An anti-correlated pair makes cs negative at the finest level: each policy's outcome.
#[test]
fn negative_level_means_follow_the_policy() {
    let (w, h) = (176, 176);
    let x: Vec<u8> = (0..w * h)
        .map(|i| {
            if ((i % w) + (i / w)) % 2 == 0 {
                40
            } else {
                215
            }
        })
        .collect();
    let y: Vec<u8> = x.iter().map(|&v| 255 - v).collect();
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let mut p = MsSsimParams::wang2003(255.0);
    let relu = msssim(&p, &xp, &yp).unwrap();
    let cs1 = relu.levels[0].cs;
    assert!(cs1 < 0.0, "cs at level 1 should be negative: {cs1}");
    assert_eq!(relu.msssim, 0.0);
    p.negative = NegativeMeans::Strict;
    match msssim(&p, &xp, &yp) {
        Err(
            e @ Error::NegativeLevelMean {
                level: 1,
                term: "cs",
                value,
            },
        ) => {
            assert_eq!(value, cs1);
            assert!(e.to_string().contains("level 1"), "{e}");
        }
        other => panic!("expected a strict error, got {other:?}"),
    }
    p.negative = NegativeMeans::Nan;
    assert!(msssim(&p, &xp, &yp).unwrap().msssim.is_nan());
    p.negative = NegativeMeans::Normalize;
    let n = msssim(&p, &xp, &yp).unwrap();
    let want: f64 = n
        .levels
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let m = if i == 4 { s.ssim } else { s.cs };
            ((m + 1.0) / 2.0).powf(p.weights[i])
        })
        .product();
    assert_eq!(n.msssim, want);
}

#[test]
fn level_maps_have_level_sizes_and_their_means() {
    let (w, h) = (201, 177);
    let x = ramp(w, h);
    let y: Vec<u8> = x.iter().map(|&v| v.wrapping_mul(3) / 2).collect();
    let mut p = MsSsimParams::pytorch_msssim(255.0);
    p.level_maps = true;
    let r = msssim(
        &p,
        &Plane::new(&x, w, h).unwrap(),
        &Plane::new(&y, w, h).unwrap(),
    )
    .unwrap();
    let sizes: Vec<(usize, usize)> = r.levels.iter().map(|s| (s.width, s.height)).collect();
    assert_eq!(sizes, [(201, 177), (101, 89), (51, 45), (26, 23), (13, 12)]);
    for s in &r.levels {
        let m = s.map.as_ref().unwrap();
        assert_eq!(m.len(), (s.width - 10) * (s.height - 10));
        let mean = m.iter().map(|&v| v as f64).sum::<f64>() / m.len() as f64;
        // The reported mean sums each row in f32 partials of at most 8 values (16 lanes per
        // 128-column block) widened to f64 once per block: each partial is within
        // 7 * 2^-24 * max|v| of its exact sum, and |v| <= 1, so the mean is within 4.2e-7.
        assert!((mean - s.ssim).abs() < 4.2e-7, "{mean} vs {}", s.ssim);
    }
}

#[test]
fn bad_parameters_are_errors() {
    let x = ramp(170, 170);
    let xp = Plane::new(&x, 170, 170).unwrap();
    let mut p = MsSsimParams::wang2003(255.0);
    p.weights.clear();
    assert!(matches!(
        msssim(&p, &xp, &xp),
        Err(Error::InvalidParameter {
            name: "weights",
            ..
        })
    ));
    p.weights = vec![0.5, f64::NAN];
    assert!(p.validate().is_err());
    let y = ramp(171, 170);
    let yp = Plane::new(&y, 171, 170).unwrap();
    assert!(matches!(
        msssim(&MsSsimParams::wang2003(255.0), &xp, &yp),
        Err(Error::SizeMismatch { .. })
    ));
    let config = Config {
        threads: Some(0),
        ..Config::default()
    };
    assert!(msssim_with(&MsSsimParams::wang2003(255.0), &xp, &xp, &config).is_err());
}

/// The scratch budget of the issue: per thread at most 2 MiB for single-scale SSIM and 4 MiB
/// for MS-SSIM at 3840 wide (`band_scratch_bytes`: 1.11 and 2.61 MiB with the four-moment ring).
#[test]
fn scratch_per_thread_fits_the_budget_at_4k() {
    let p = ssim_std::Params::wang2004(255.0);
    let single = ssim_std::band_scratch_bytes(&p, 3840, 1).unwrap();
    let multi = ssim_std::band_scratch_bytes(&p, 3840, 5).unwrap();
    assert!(single <= 2 << 20, "single-scale scratch {single} bytes");
    assert!(multi <= 4 << 20, "MS-SSIM scratch {multi} bytes");
    assert!(multi > single);
}

/// Regression (FUZZING.md finding 5): the pyramid must downsample each image with its own
/// pixel step. A gray plane against the same values held in one channel of packed RGB is
/// an identical pair, so MS-SSIM is exactly 1 whichever side is the packed one.
#[test]
fn each_image_is_downsampled_with_its_own_pixel_step() {
    let (w, h) = (200, 180);
    let gray: Vec<u8> = (0..w * h).map(|i| ((i * 7919) % 251) as u8).collect();
    let mut rgb = vec![0u8; 3 * w * h];
    for (i, &v) in gray.iter().enumerate() {
        rgb[3 * i] = v.wrapping_add(40);
        rgb[3 * i + 1] = v;
        rgb[3 * i + 2] = 255 - v;
    }
    let plane = Plane::new(&gray, w, h).unwrap();
    let green = Plane::with_layout(&rgb[1..], w, h, 3 * w, 3).unwrap();
    let p = ssim_std::MsSsimParams::wang2003(255.0);
    assert_eq!(ssim_std::msssim(&p, &plane, &green).unwrap().msssim, 1.0);
    assert_eq!(ssim_std::msssim(&p, &green, &plane).unwrap().msssim, 1.0);
}

/// The pyramid reads the upper row of a 2x2 block again when its source keeps rows (planes),
/// and keeps the upper row's pair sums when it does not (luma made on the fly); the level
/// rows between levels take either way depending on where their buffers end. All must give
/// the same bits: luma of grey RGB pixels is the grey level, so MS-SSIM on the fly must equal
/// MS-SSIM of the grey planes, for both rules, odd and even sizes, and 1 to 3 bands.
#[test]
fn pyramid_bits_do_not_depend_on_which_rows_are_kept() {
    for (w, h) in [(165, 171), (170, 163), (176, 168), (181, 200)] {
        let grey = |seed: usize| -> Vec<u8> {
            (0..w * h)
                .map(|i| ((i % w) * 3 + (i / w) * (5 + seed) + (i * 7919 + seed) % 31) as u8)
                .collect()
        };
        let (a, b) = (grey(0), grey(1));
        let rgb = |g: &[u8]| g.iter().flat_map(|&v| [v, v, v]).collect::<Vec<u8>>();
        let (ra, rb) = (rgb(&a), rgb(&b));
        let (fa, fb): (Vec<f32>, Vec<f32>) = (
            a.iter().map(|&v| v as f32).collect(),
            b.iter().map(|&v| v as f32).collect(),
        );
        let (xp, yp) = (
            Plane::new(&fa, w, h).unwrap(),
            Plane::new(&fb, w, h).unwrap(),
        );
        for mp in [
            MsSsimParams::wang2003(255.0),
            MsSsimParams::pytorch_msssim(255.0),
        ] {
            for threads in 1..=3 {
                let config = Config {
                    threads: Some(threads),
                    ..Config::default()
                };
                let planes = msssim_with(&mp, &xp, &yp, &config).unwrap();
                let luma = msssim_image(
                    &mp,
                    &ra,
                    &rb,
                    w,
                    h,
                    3 * w,
                    PixelLayout::Rgb,
                    ChannelMode::Luma601,
                    &config,
                )
                .unwrap();
                assert_eq!(
                    luma.channels,
                    vec![planes.clone()],
                    "{:?} {w}x{h}, {threads} threads",
                    mp.downsample
                );
                assert!(planes.msssim < 0.999, "{w}x{h}: a pair that differs");
            }
        }
    }
}
