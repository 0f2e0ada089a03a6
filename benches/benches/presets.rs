//! The presets against the default ones in the same run (issue 16): SSIM `torchmetrics`,
//! `piq`, `wang2009`, `matlab` against `wang2004`, MS-SSIM `torchmetrics`, `piq`,
//! `jorge-pessoa` against `wang2003`; 1920x1080 u8, one thread, the best backend.
//!
//! `cargo bench -p ssim-benches --bench presets -- --warm-up-time 1 --measurement-time 3`.
//! Throughput is in full-resolution pixels per second; piq and wang2009 compute their SSIM
//! on a 4x smaller image (f = 4 at 1080p), BENCHMARKS.md gives the cost per output pixel.

#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ssim_benches::pair;
use ssim_std::{msssim_with, ssim_with, Config, MsSsimPreset, Plane, Preset};
use std::hint::black_box;

fn presets(c: &mut Criterion) {
    let p = pair(1920, 1080);
    let (x, y) = (
        Plane::new(&p.x, p.width, p.height).expect("pair"),
        Plane::new(&p.y, p.width, p.height).expect("pair"),
    );
    let one = Config {
        threads: Some(1),
        ..Config::default()
    };
    let mut g = c.benchmark_group("presets/1920x1080");
    g.throughput(Throughput::Elements((p.width * p.height) as u64));
    for preset in [
        Preset::Wang2004,
        Preset::Torchmetrics,
        Preset::Matlab,
        Preset::Piq,
        Preset::Wang2009,
    ] {
        let params = preset.params(255.0);
        eprintln!(
            "presets: ssim {} = {:.9}",
            preset.name(),
            ssim_with(&params, &x, &y, &one).expect("ssim").ssim
        );
        g.bench_function(format!("ssim/{}", preset.name()), |b| {
            b.iter(|| black_box(ssim_with(&params, &x, &y, &one).expect("ssim")))
        });
    }
    for preset in [
        MsSsimPreset::Wang2003,
        MsSsimPreset::Torchmetrics,
        MsSsimPreset::Piq,
        MsSsimPreset::JorgePessoa,
    ] {
        let params = preset.params(255.0);
        eprintln!(
            "presets: ms-ssim {} = {:.9}",
            preset.name(),
            msssim_with(&params, &x, &y, &one).expect("msssim").msssim
        );
        g.bench_function(format!("msssim/{}", preset.name()), |b| {
            b.iter(|| black_box(msssim_with(&params, &x, &y, &one).expect("msssim")))
        });
    }
    g.finish();
}

criterion_group!(benches, presets);
criterion_main!(benches);
