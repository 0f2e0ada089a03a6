//! Runs one configuration many times on the 1080p pair, for `perf stat` / `perf record`
//! (CPU cycles do not depend on how busy a shared machine is; wall time does).
//!
//! `cargo run --release -p ssim-benches --example repeat -- avx512 gaussian11 u8 50`
//! (windows: `gaussian11` = wang2004, `box7` = scikit-image, `matlab` = the MATLAB preset)
//! (`baseline` as the backend runs the plain separable loop.)

#![forbid(unsafe_code)]

use ssim_benches::{pair, separable_ssim_f32};
use ssim_core::{compute_with, scratch_len, Options, ScratchBlock};
use ssim_std::{Backend, Params, Plane};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: &str| args.get(i).cloned().unwrap_or_else(|| d.to_string());
    let (backend, window, kind) = (arg(0, "avx512"), arg(1, "gaussian11"), arg(2, "u8"));
    let iters: usize = arg(3, "20").parse().expect("iteration count");
    let p = pair(1920, 1080);
    let (w, h) = (p.width, p.height);
    if backend == "baseline" {
        let mut s = 0.0;
        for _ in 0..iters {
            s += separable_ssim_f32(&p.x, &p.y, w, h);
        }
        println!("baseline mean {:.9}", s / iters as f64);
        return;
    }
    let backend = Backend::from_name(&backend).expect("backend name");
    let range = if kind == "f32" { 1.0 } else { 255.0 };
    let params = match window.as_str() {
        "box7" => Params::scikit_image(range),
        "matlab" => Params::matlab(range),
        _ => Params::wang2004(range),
    };
    let options = Options {
        backend: Some(backend),
        ..Options::default()
    };
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false).unwrap()];
    let mut total = 0.0;
    if kind == "f32" {
        let (x, y): (Vec<f32>, Vec<f32>) = (
            p.x.iter().map(|&v| v as f32 / 255.0).collect(),
            p.y.iter().map(|&v| v as f32 / 255.0).collect(),
        );
        let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
        for _ in 0..iters {
            total += compute_with(&params, &xp, &yp, options, &mut scratch, &mut ())
                .unwrap()
                .ssim;
        }
    } else {
        let (xp, yp) = (
            Plane::new(&p.x, w, h).unwrap(),
            Plane::new(&p.y, w, h).unwrap(),
        );
        for _ in 0..iters {
            total += compute_with(&params, &xp, &yp, options, &mut scratch, &mut ())
                .unwrap()
                .ssim;
        }
    }
    println!(
        "{backend} {window} {kind}: mean {:.9}",
        total / iters as f64
    );
}
