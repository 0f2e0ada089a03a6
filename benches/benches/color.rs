//! Interleaved colour against gray, one thread, 1080p: `ssim_image` on an RGB pair (three
//! channels, mean mode) and on the gray pair it was built from, in the same run. Three planes
//! should cost about three gray passes; the target is at most 3.2x (issue 17, BENCHMARKS.md).
//!
//! Measured in the thread's CPU time (`ThreadCpuTime` below), so that a busy
//! machine's time slicing does not distort the ratio.
//!
//! `cargo bench -p ssim-benches --bench color -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ssim_benches::{pair, rgb};
use ssim_std::{ssim_image, ChannelMode, Config, Interleaved, Params, PixelLayout};
use std::hint::black_box;

fn color(c: &mut Criterion<ThreadCpuTime>) {
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

/// A criterion measurement: the CPU time of the benchmark's thread (the clock of
/// `ssim_benches::CpuClock`) instead of the wall clock, so that on a shared machine the time
/// slices other processes take do not count. Single-threaded benchmarks only.
struct ThreadCpuTime;

impl criterion::measurement::Measurement for ThreadCpuTime {
    type Intermediate = cpu_time::ThreadTime;
    type Value = std::time::Duration;

    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }
    fn end(&self, i: Self::Intermediate) -> Self::Value {
        i.elapsed()
    }
    fn add(&self, a: &Self::Value, b: &Self::Value) -> Self::Value {
        *a + *b
    }
    fn zero(&self) -> Self::Value {
        std::time::Duration::ZERO
    }
    fn to_f64(&self, v: &Self::Value) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn criterion::measurement::ValueFormatter {
        &CpuFormatter
    }
}

/// Nanoseconds of CPU time, shown as criterion shows wall time (elements per second for
/// throughputs).
struct CpuFormatter;

impl criterion::measurement::ValueFormatter for CpuFormatter {
    fn scale_values(&self, ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = match ns {
            ns if ns < 1e3 => (1.0, "ns (CPU)"),
            ns if ns < 1e6 => (1e-3, "µs (CPU)"),
            ns if ns < 1e9 => (1e-6, "ms (CPU)"),
            _ => (1e-9, "s (CPU)"),
        };
        for v in values {
            *v *= factor;
        }
        unit
    }
    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &criterion::Throughput,
        values: &mut [f64],
    ) -> &'static str {
        use criterion::Throughput::*;
        let per = match *throughput {
            Elements(n) | ElementsAndBytes { elements: n, .. } => n as f64,
            Bytes(n) | BytesDecimal(n) => n as f64,
            Bits(n) => n as f64,
        };
        for v in values {
            *v = per * 1e9 / *v / 1e6;
        }
        "M/s (CPU)"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = color
}
criterion_main!(benches);
