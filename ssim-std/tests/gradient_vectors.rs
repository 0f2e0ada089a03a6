//! The gradients against the reference vectors (testdata/gradients.json, the `gradient`
//! objects of the vectors: float64 autograd of the reported value, key `exact`, and
//! scikit-image's own `gradient=True`, key `skimage`), on every backend this machine runs.

mod common;

use common::*;
use serde_json::Value;
use ssim_std::{
    msssim_gradient_with, msssim_with, ssim_gradient_with, ssim_with, Backend, Config, Convention,
    MsSsimParams, Padding, Params, Plane, Pooling, Sample,
};
use test_support::pnm::Samples;

struct GradCase {
    id: String,
    config: String,
    data_range: f64,
    reference: test_support::pnm::PnmImage,
    distorted: test_support::pnm::PnmImage,
    gradients: Vec<(String, Vec<f32>)>,
}

fn grad_cases() -> Vec<GradCase> {
    let text = std::fs::read_to_string(testdata().join("gradients.json")).unwrap();
    let all: Vec<Value> = serde_json::from_str(&text).unwrap();
    all.into_iter()
        .map(|c| {
            let gradients = c["gradient"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    let (w, h, g) = read_map(v.as_str().unwrap());
                    assert_eq!(
                        (w as u64, h as u64),
                        (c["width"].as_u64().unwrap(), c["height"].as_u64().unwrap())
                    );
                    (k.clone(), g)
                })
                .collect();
            GradCase {
                id: c["id"].as_str().unwrap().to_string(),
                config: c["config"].as_str().unwrap().to_string(),
                data_range: c["data_range"].as_f64().unwrap(),
                reference: read_image(c["ref"].as_str().unwrap()),
                distorted: read_image(c["dist"].as_str().unwrap()),
                gradients,
            }
        })
        .collect()
}

enum What {
    Single(Params),
    Multi(MsSsimParams),
}

fn what(config: &str, l: f64) -> What {
    match config {
        "gaussian11" => What::Single(Params::wang2004(l)),
        "skimage_default" => What::Single(Params::scikit_image(l)),
        "matlab_ipt" => What::Single(Params::matlab(l)),
        // torchmetrics: mirror padding, the whole map. Its variance clamp only acts where a
        // window is flat, where the variance's derivative (2 w (y - mu_y)) is 0 anyway.
        "torchmetrics_ssim" => What::Single(Params {
            pooling: Pooling::Same(Padding::Mirror),
            ..Params::wang2004(l)
        }),
        "msssim_wang" => What::Multi(MsSsimParams::wang2003(l)),
        "msssim_pytorch" => What::Multi(MsSsimParams::pytorch_msssim(l)),
        c => panic!("no parameters for {c}"),
    }
}

/// Gradient and value on `backend`, checking the value equals the value alone bit for bit.
fn compute<T: Sample>(
    w: &What,
    conv: Convention,
    x: &[T],
    y: &[T],
    width: usize,
    height: usize,
    backend: Backend,
) -> Vec<f32> {
    let (xp, yp) = (
        Plane::new(x, width, height).unwrap(),
        Plane::new(y, width, height).unwrap(),
    );
    let config = Config {
        backend: Some(backend),
        threads: None,
    };
    match w {
        What::Single(p) => {
            let g = ssim_gradient_with(p, &xp, &yp, &config, conv).unwrap();
            let v = ssim_with(p, &xp, &yp, &config).unwrap();
            assert_eq!(g.result.ssim.to_bits(), v.ssim.to_bits());
            g.gradient
        }
        What::Multi(p) => {
            let g = msssim_gradient_with(p, &xp, &yp, &config).unwrap();
            let v = msssim_with(p, &xp, &yp, &config).unwrap();
            assert_eq!(g.result.msssim.to_bits(), v.msssim.to_bits());
            g.gradient
        }
    }
}

#[test]
fn every_gradient_vector_within_1e6_of_its_largest_value_on_every_backend() {
    let mut checked = 0;
    let mut worst = (0.0f64, String::new());
    for case in grad_cases() {
        let w = what(&case.config, case.data_range);
        let (width, height) = (case.reference.width, case.reference.height);
        for (key, expected) in &case.gradients {
            let conv = match key.as_str() {
                "exact" => Convention::Exact,
                "skimage" => Convention::ScikitImage,
                k => panic!("unknown gradient key {k}"),
            };
            let max = expected.iter().fold(0.0f64, |m, v| m.max(v.abs() as f64));
            for backend in test_support::backends() {
                let got = match (&case.reference.samples, &case.distorted.samples) {
                    (Samples::U8(a), Samples::U8(b)) => {
                        compute(&w, conv, a, b, width, height, backend)
                    }
                    (Samples::U16(a), Samples::U16(b)) => {
                        compute(&w, conv, a, b, width, height, backend)
                    }
                    (Samples::F32(a), Samples::F32(b)) => {
                        compute(&w, conv, a, b, width, height, backend)
                    }
                    _ => panic!("{}: mixed sample types", case.id),
                };
                for (i, (&g, &e)) in got.iter().zip(expected).enumerate() {
                    let d = (g as f64 - e as f64).abs();
                    // 1e-6 of the largest value, plus both sides' float32 rounding, plus a
                    // floor far below any real gradient for the identical pairs, whose
                    // reference gradient is rounding noise around 0 (1e-19).
                    let tol = 1e-6 * max
                        + 2.0 * f32::EPSILON as f64 * (e as f64).abs()
                        + 1e-12 / case.data_range;
                    assert!(
                        d <= tol,
                        "{} {key} on {backend:?}: pixel {i} (x {}, y {}) is {g}, expected {e} (max |g| {max})",
                        case.id,
                        i % width,
                        i / width
                    );
                    let rel = d / max;
                    if max > 1e-9 / case.data_range && rel > worst.0 {
                        worst = (rel, format!("{} {key}", case.id));
                    }
                }
            }
            checked += 1;
        }
    }
    eprintln!(
        "{checked} gradient files; worst |diff| / max|g| = {:.3e} ({})",
        worst.0, worst.1
    );
    assert!(checked >= 150, "only {checked} gradient files checked");
}
