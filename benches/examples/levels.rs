//! Times single-scale SSIM (one thread) on the 2x2-mean pyramid of the 1080p pair, level by
//! level, and MS-SSIM on the whole pair: where MS-SSIM's cost beyond the level areas goes.
//!
//! `cargo run --release -p ssim-benches --example levels`

#![forbid(unsafe_code)]
use ssim_benches::pair;
use ssim_std::{msssim_with, ssim_with, Config, MsSsimParams, Params, Plane};
use std::time::Instant;

fn median<F: FnMut()>(n: usize, mut f: F) -> f64 {
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[n / 2]
}

fn main() {
    let p = pair(1920, 1080);
    let cfg = Config {
        threads: Some(1),
        ..Config::default()
    };
    let (w, h) = (p.width, p.height);
    let (xs, ys) = (
        Plane::new(&p.x, w, h).unwrap(),
        Plane::new(&p.y, w, h).unwrap(),
    );
    let sp = Params::wang2004(255.0);
    let mp = MsSsimParams::wang2003(255.0);
    let t_ssim = median(101, || {
        std::hint::black_box(ssim_with(&sp, &xs, &ys, &cfg).unwrap());
    });
    let t_ms = median(101, || {
        std::hint::black_box(msssim_with(&mp, &xs, &ys, &cfg).unwrap());
    });
    println!(
        "ssim u8 {w}x{h}: {t_ssim:.3} ms; msssim {t_ms:.3} ms; ratio {:.3}",
        t_ms / t_ssim
    );
    let mut x: Vec<f32> = p.x.iter().map(|&v| v as f32).collect();
    let mut y: Vec<f32> = p.y.iter().map(|&v| v as f32).collect();
    let (mut w, mut h) = (w, h);
    let mut sum = 0.0;
    let t1 = median(101, || {
        let (a, b) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
        std::hint::black_box(ssim_with(&sp, &a, &b, &cfg).unwrap());
    });
    println!("level 1 f32 {w}x{h}: {t1:.3} ms");
    for level in 2..=5 {
        let (nw, nh) = (w.div_ceil(2), h.div_ceil(2));
        let down = |v: &[f32]| -> Vec<f32> {
            let at = |i: usize, j: usize| v[i.min(h - 1) * w + j.min(w - 1)];
            let mut o = vec![0f32; nw * nh];
            for i in 0..nh {
                for j in 0..nw {
                    o[i * nw + j] = ((at(2 * i, 2 * j) + at(2 * i, 2 * j + 1))
                        + (at(2 * i + 1, 2 * j) + at(2 * i + 1, 2 * j + 1)))
                        * 0.25;
                }
            }
            o
        };
        x = down(&x);
        y = down(&y);
        (w, h) = (nw, nh);
        let t = median(401, || {
            let (a, b) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
            std::hint::black_box(ssim_with(&sp, &a, &b, &cfg).unwrap());
        });
        let area = ((w - 10) * (h - 10)) as f64 / (1910.0 * 1070.0);
        println!(
            "level {level} f32 {w}x{h}: {t:.3} ms = {:.3} of level 1 (map area {area:.3})",
            t / t1
        );
        sum += t;
    }
    println!(
        "levels 2-5 as separate SSIM calls: {sum:.3} ms; level 1 + levels 2-5 = {:.3} ms = {:.3}x SSIM u8",
        t1 + sum,
        (t_ssim + sum) / t_ssim
    );
}
