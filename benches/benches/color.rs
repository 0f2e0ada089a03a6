//! Interleaved colour against gray, one thread, 1080p: `ssim_image` on an RGB pair (three
//! channels, mean mode) and on the gray pair it was built from, in the same run. Three planes
//! should cost about three gray passes; the target is at most 3.2x (issue 17, BENCHMARKS.md).
//!
//! `cargo bench -p ssim-benches --bench color -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ssim_benches::{pair, rgb};
use ssim_std::{ssim_image, ChannelMode, Config, Interleaved, Params, PixelLayout};
use std::hint::black_box;

fn color(c: &mut Criterion) {
    let p = pair(1920, 1080);
    let (w, h) = (p.width, p.height);
    let (xr, yr) = rgb(&p);
    let params = Params::wang2004(255.0);
    let config = Config {
        backend: None,
        threads: Some(1),
    };
    let gray_x = Interleaved::new(&p.x, w, h, PixelLayout::Gray).expect("valid");
    let gray_y = Interleaved::new(&p.y, w, h, PixelLayout::Gray).expect("valid");
    let rgb_x = Interleaved::new(&xr, w, h, PixelLayout::Rgb).expect("valid");
    let rgb_y = Interleaved::new(&yr, w, h, PixelLayout::Rgb).expect("valid");
    let mut g = c.benchmark_group("color_1080p");
    g.throughput(Throughput::Elements((w * h) as u64));
    g.bench_function("gray", |b| {
        b.iter(|| {
            ssim_image(
                &params,
                black_box(&gray_x),
                black_box(&gray_y),
                ChannelMode::Mean,
                &config,
            )
            .expect("valid")
        })
    });
    g.bench_function("rgb_mean", |b| {
        b.iter(|| {
            ssim_image(
                &params,
                black_box(&rgb_x),
                black_box(&rgb_y),
                ChannelMode::Mean,
                &config,
            )
            .expect("valid")
        })
    });
    g.finish();
}

criterion_group!(benches, color);
criterion_main!(benches);
