//! Runs the value or value + gradient many times on the 1080p pair, one thread, for
//! `perf stat -e task-clock` (CPU time does not depend on how busy a shared machine is).
//!
//! `cargo run --release -p ssim-benches --example gradient_repeat -- avx512 ssim grad 10`
//! (metric `ssim` = wang2004, `msssim` = wang2003; mode `value`, `grad` (a new gradient
//! vector per call) or `into` (one caller buffer for every call, as an optimisation loop
//! keeps it); an optional fifth argument crops the width)

#![forbid(unsafe_code)]

use ssim_benches::pair;
use ssim_std::{
    msssim_gradient_into, msssim_gradient_with, msssim_with, ssim_gradient_into,
    ssim_gradient_with, ssim_with, Backend, Config, Convention, MsSsimParams, Params, Plane,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: &str| args.get(i).cloned().unwrap_or_else(|| d.to_string());
    let (backend, metric, mode) = (arg(0, "avx512"), arg(1, "ssim"), arg(2, "grad"));
    let iters: usize = arg(3, "10").parse().expect("iteration count");
    let width: usize = arg(4, "1920").parse().expect("width");
    let p = pair(width, 1080);
    let (w, h) = (p.width, p.height);
    let (xp, yp) = (
        Plane::new(&p.x, w, h).unwrap(),
        Plane::new(&p.y, w, h).unwrap(),
    );
    let config = Config {
        backend: Some(Backend::from_name(&backend).expect("backend name")),
        threads: Some(1),
    };
    let (sp, mp) = (Params::wang2004(255.0), MsSsimParams::wang2003(255.0));
    let mut total = 0.0f64;
    let mut buf = vec![0.0f32; w * h];
    for _ in 0..iters {
        total += match (metric.as_str(), mode.as_str()) {
            ("ssim", "value") => ssim_with(&sp, &xp, &yp, &config).unwrap().ssim,
            ("ssim", "into") => {
                let r = ssim_gradient_into(&sp, &xp, &yp, &config, Convention::Exact, &mut buf);
                r.unwrap().ssim + buf[w * h / 2] as f64
            }
            (_, "into") => {
                let r = msssim_gradient_into(&mp, &xp, &yp, &config, &mut buf);
                r.unwrap().msssim + buf[w * h / 2] as f64
            }
            ("ssim", _) => {
                let g = ssim_gradient_with(&sp, &xp, &yp, &config, Convention::Exact).unwrap();
                g.result.ssim + g.gradient[w * h / 2] as f64
            }
            (_, "value") => msssim_with(&mp, &xp, &yp, &config).unwrap().msssim,
            _ => {
                let g = msssim_gradient_with(&mp, &xp, &yp, &config).unwrap();
                g.result.msssim + g.gradient[w * h / 2] as f64
            }
        };
    }
    println!("{metric} {mode} mean {:.12}", total / iters as f64);
}
