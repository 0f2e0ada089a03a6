//! SSIM and MS-SSIM as losses: value + gradient against the value alone, 1080p u8, one
//! thread, in the same run (`cargo bench -p ssim-benches --bench gradient`).

#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ssim_benches::pair;
use ssim_std::{
    msssim_gradient_with, msssim_with, ssim_gradient_with, ssim_with, Config, Convention,
    MsSsimParams, Params, Plane,
};
use std::hint::black_box;

fn gradient(c: &mut Criterion) {
    let (w, h) = (1920, 1080);
    let p = pair(w, h);
    let (xp, yp) = (
        Plane::new(&p.x, w, h).unwrap(),
        Plane::new(&p.y, w, h).unwrap(),
    );
    let one = Config {
        backend: None,
        threads: Some(1),
    };
    let sp = Params::wang2004(255.0);
    let mp = MsSsimParams::wang2003(255.0);
    let mut group = c.benchmark_group("gradient_1920x1080_u8_1thread");
    group.throughput(Throughput::Elements((w * h) as u64));
    group.sample_size(10);
    group.bench_function("ssim_value", |b| {
        b.iter(|| black_box(ssim_with(&sp, &xp, &yp, &one).unwrap()))
    });
    group.bench_function("ssim_value_and_gradient", |b| {
        b.iter(|| black_box(ssim_gradient_with(&sp, &xp, &yp, &one, Convention::Exact).unwrap()))
    });
    group.bench_function("msssim_value", |b| {
        b.iter(|| black_box(msssim_with(&mp, &xp, &yp, &one).unwrap()))
    });
    group.bench_function("msssim_value_and_gradient", |b| {
        b.iter(|| black_box(msssim_gradient_with(&mp, &xp, &yp, &one).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, gradient);
criterion_main!(benches);
