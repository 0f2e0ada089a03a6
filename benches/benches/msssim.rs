//! MS-SSIM against single-scale SSIM on the same pair in the same run, and band threading.
//!
//! `cargo bench -p ssim-benches --bench msssim` (about 2 minutes on 2 cores):
//! - `msssim_cost/1920x1080`: single-scale SSIM and MS-SSIM (wang2003), one thread, u8;
//!   the target is MS-SSIM <= 1.4x SSIM.
//! - `threads/<size>`: SSIM and MS-SSIM on 1 and 2 threads at 1080p and 2160p (target
//!   >= 1.8x on two threads when two cores are free).
//!
//! Throughput is in full-resolution pixels per second.

#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ssim_benches::pair;
use ssim_std::{msssim_with, ssim_with, Config, MsSsimParams, Params, Plane};
use std::hint::black_box;
use std::time::Duration;

fn config(threads: usize) -> Config {
    Config {
        threads: Some(threads),
        ..Config::default()
    }
}

fn cost(c: &mut Criterion) {
    let p = pair(1920, 1080);
    let (x, y) = (
        Plane::new(&p.x, p.width, p.height).expect("pair"),
        Plane::new(&p.y, p.width, p.height).expect("pair"),
    );
    let mut g = c.benchmark_group("msssim_cost/1920x1080");
    g.throughput(Throughput::Elements((p.width * p.height) as u64));
    g.measurement_time(Duration::from_secs(5));
    let (sp, mp) = (Params::wang2004(255.0), MsSsimParams::wang2003(255.0));
    g.bench_function("ssim", |b| {
        b.iter(|| black_box(ssim_with(&sp, &x, &y, &config(1)).expect("ssim")))
    });
    g.bench_function("msssim", |b| {
        b.iter(|| black_box(msssim_with(&mp, &x, &y, &config(1)).expect("msssim")))
    });
    g.finish();
}

fn threads(c: &mut Criterion) {
    for (w, h) in [(1920, 1080), (3840, 2160)] {
        let p = pair(w, h);
        let (x, y) = (
            Plane::new(&p.x, w, h).expect("pair"),
            Plane::new(&p.y, w, h).expect("pair"),
        );
        let mut g = c.benchmark_group(format!("threads/{w}x{h}"));
        g.throughput(Throughput::Elements((w * h) as u64));
        g.measurement_time(Duration::from_secs(5));
        g.sample_size(20);
        let (sp, mp) = (Params::wang2004(255.0), MsSsimParams::wang2003(255.0));
        for t in [1, 2] {
            g.bench_with_input(BenchmarkId::new("ssim", t), &t, |b, &t| {
                b.iter(|| black_box(ssim_with(&sp, &x, &y, &config(t)).expect("ssim")))
            });
            g.bench_with_input(BenchmarkId::new("msssim", t), &t, |b, &t| {
                b.iter(|| black_box(msssim_with(&mp, &x, &y, &config(t)).expect("msssim")))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, cost, threads);
criterion_main!(benches);
