//! Single-threaded SSIM throughput: backend x window x sample type x size, and a comparison
//! group (best backend, forced AVX2, scalar, a plain autovectorised separable loop, and SSIM
//! crates from crates.io with `--features peers`) on the same 1080p pair in the same run.
//!
//! `cargo bench -p ssim-benches` runs everything (about 10 minutes on 2 cores);
//! `cargo bench -p ssim-benches --features peers -- compare` only the comparison group;
//! `-- 'roofline|compare'` the machine's limits (`ssim_core::roofline`: peak FMA, FMA + add
//! mix, read bandwidth from L1, L2 and memory, per backend; elements are lane operations or
//! bytes) beside the comparison group, in one run. Throughput is in pixels (elements) per
//! second elsewhere. `examples/roofline.rs` prints the fractions of the floor from the same
//! probes.

#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ssim_benches::{pair, separable_ssim_f32, Pair};
use ssim_core::{compute_with, roofline, scratch_len, Options, ScratchBlock};
use ssim_std::{Backend, Params, Plane, Sample, SsimResult};
use std::hint::black_box;
use std::time::Duration;

fn run<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    backend: Backend,
    scratch: &mut [ScratchBlock],
) -> SsimResult {
    let options = Options {
        backend: Some(backend),
        ..Options::default()
    };
    compute_with(params, x, y, options, scratch, &mut ()).expect("valid benchmark input")
}

/// One pair in the three sample types, scaled to each type's usual range.
struct Typed {
    u8: (Vec<u8>, Vec<u8>),
    u16: (Vec<u16>, Vec<u16>),
    f32: (Vec<f32>, Vec<f32>),
}

fn typed(p: &Pair) -> Typed {
    let to16 = |v: &[u8]| v.iter().map(|&s| s as u16 * 257).collect::<Vec<u16>>();
    let tof = |v: &[u8]| v.iter().map(|&s| s as f32 / 255.0).collect::<Vec<f32>>();
    Typed {
        u8: (p.x.clone(), p.y.clone()),
        u16: (to16(&p.x), to16(&p.y)),
        f32: (tof(&p.x), tof(&p.y)),
    }
}

fn windows(range: f64) -> [(&'static str, Params); 2] {
    [
        ("gaussian11", Params::wang2004(range)),
        ("box7", Params::scikit_image(range)),
    ]
}

fn bench_type<T: Sample>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    (x, y): &(Vec<T>, Vec<T>),
    (w, h): (usize, usize),
    range: f64,
) {
    let (xp, yp) = (Plane::new(x, w, h).unwrap(), Plane::new(y, w, h).unwrap());
    for (window, params) in windows(range) {
        let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false).unwrap()];
        for backend in Backend::available() {
            group.bench_function(BenchmarkId::new(format!("{window}/{name}"), backend), |b| {
                b.iter(|| black_box(run(&params, &xp, &yp, backend, &mut scratch)))
            });
        }
    }
}

fn grid(c: &mut Criterion) {
    for (w, h) in [(256, 256), (1920, 1080), (3840, 2160)] {
        let p = pair(w, h);
        let t = typed(&p);
        let mut group = c.benchmark_group(format!("ssim_{w}x{h}"));
        group.throughput(Throughput::Elements((w * h) as u64));
        if w * h > 1 << 22 {
            group.measurement_time(Duration::from_secs(2));
        }
        bench_type(&mut group, "u8", &t.u8, (w, h), 255.0);
        bench_type(&mut group, "u16", &t.u16, (w, h), 65535.0);
        bench_type(&mut group, "f32", &t.f32, (w, h), 1.0);
        group.finish();
    }
}

fn compare(c: &mut Criterion) {
    let p = pair(1920, 1080);
    let (w, h) = (p.width, p.height);
    eprintln!("compare: 1920x1080 u8 pair from {}", p.source);
    let (xp, yp) = (
        Plane::new(&p.x, w, h).unwrap(),
        Plane::new(&p.y, w, h).unwrap(),
    );
    let mut group = c.benchmark_group("compare_1920x1080_u8");
    group.throughput(Throughput::Elements((w * h) as u64));
    let gauss = Params::wang2004(255.0);
    let matlab = Params::matlab(255.0);
    let boxp = Params::scikit_image(255.0);
    let mut scratch = vec![
        ScratchBlock::ZERO;
        [&boxp, &gauss, &matlab]
            .iter()
            .map(|p| scratch_len(p, w, false).unwrap())
            .max()
            .unwrap()
    ];
    for backend in Backend::available() {
        let r = run(&gauss, &xp, &yp, backend, &mut scratch);
        eprintln!("compare: ssim {backend} wang2004 = {:.9}", r.ssim);
        group.bench_function(BenchmarkId::new("ssim/gaussian11", backend), |b| {
            b.iter(|| black_box(run(&gauss, &xp, &yp, backend, &mut scratch)))
        });
        // The full-map MATLAB preset: 1.5 % more map pixels than the valid wang2004 map,
        // which must not cost less (issue 14).
        group.bench_function(BenchmarkId::new("ssim/gaussian11_matlab", backend), |b| {
            b.iter(|| black_box(run(&matlab, &xp, &yp, backend, &mut scratch)))
        });
        group.bench_function(BenchmarkId::new("ssim/box7", backend), |b| {
            b.iter(|| black_box(run(&boxp, &xp, &yp, backend, &mut scratch)))
        });
    }
    eprintln!(
        "compare: separable f32 loop = {:.9}",
        separable_ssim_f32(&p.x, &p.y, w, h)
    );
    group.bench_function("separable_f32_loop/gaussian11", |b| {
        b.iter(|| black_box(separable_ssim_f32(&p.x, &p.y, w, h)))
    });
    #[cfg(feature = "peers")]
    peers::bench(&mut group, &p);
    group.finish();
}

#[cfg(feature = "peers")]
mod peers {
    use super::*;

    pub fn bench(
        group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        p: &Pair,
    ) {
        let (w, h) = (p.width as u32, p.height as u32);
        let gx = image::GrayImage::from_raw(w, h, p.x.clone()).unwrap();
        let gy = image::GrayImage::from_raw(w, h, p.y.clone()).unwrap();
        let algo = image_compare::Algorithm::MSSIMSimple;
        let r = image_compare::gray_similarity_structure(&algo, &gx, &gy).unwrap();
        eprintln!(
            "compare: image-compare MSSIMSimple (8x8 windows) = {:.6}",
            r.score
        );
        group.bench_function("image-compare/mssim_simple_8x8", |b| {
            b.iter(|| black_box(image_compare::gray_similarity_structure(&algo, &gx, &gy).unwrap()))
        });

        // av-metrics computes every plane and panics on 4:0:0 (no chroma planes), so it gets
        // 4:2:0 with flat chroma: its time covers 1.5x the luma pixels, and its window is its
        // own (daala's, sigma = 1.5 * height / 256), not wang2004.
        let fx = av_frame(p, &p.x);
        let fy = av_frame(p, &p.y);
        let cs = v_frame::pixel::ChromaSampling::Cs420;
        let r = av_metrics::video::ssim::calculate_frame_ssim(&fx, &fy, 8, cs).unwrap();
        eprintln!("compare: av-metrics ssim luma (dB) = {:.6}", r.y);
        group.bench_function("av-metrics/ssim_420", |b| {
            b.iter(|| {
                black_box(av_metrics::video::ssim::calculate_frame_ssim(&fx, &fy, 8, cs).unwrap())
            })
        });
    }

    fn av_frame(p: &Pair, data: &[u8]) -> v_frame::frame::Frame<u8> {
        let mut f = v_frame::frame::Frame::new_with_padding(
            p.width,
            p.height,
            v_frame::pixel::ChromaSampling::Cs420,
            0,
        );
        f.planes[0].copy_from_raw_u8(data, p.width, 1);
        let (cw, ch) = (p.width.div_ceil(2), p.height.div_ceil(2));
        let flat = vec![128u8; cw * ch];
        for plane in &mut f.planes[1..] {
            plane.copy_from_raw_u8(&flat, cw, 1);
        }
        f
    }
}

/// The probes of `ssim_core::roofline` on every vector backend: throughput in lane
/// operations (FMA, FMA + add) or bytes (reads) per second.
fn roofline(c: &mut Criterion) {
    let mut group = c.benchmark_group("roofline");
    let backends = || Backend::available().filter(|b| *b != Backend::Scalar);
    const ITERS: usize = 100_000;
    for b in backends() {
        let ops = roofline::fma(b, ITERS).unwrap().amount;
        group.throughput(Throughput::Elements(ops));
        group.bench_function(BenchmarkId::new("fma", b), |t| {
            t.iter(|| black_box(roofline::fma(b, black_box(ITERS)).unwrap()))
        });
        let ops = roofline::fma_add(b, ITERS).unwrap().amount;
        group.throughput(Throughput::Elements(ops));
        group.bench_function(BenchmarkId::new("fma_add", b), |t| {
            t.iter(|| black_box(roofline::fma_add(b, black_box(ITERS)).unwrap()))
        });
        // 16 KB stays in L1 (32 KB), 512 KB in L2 (1 MB), 256 MB in neither.
        for (level, kb, reps) in [
            ("read_l1", 16, 64),
            ("read_l2", 512, 2),
            ("read_mem", 1 << 18, 1),
        ] {
            let buf = vec![1.0f32; kb * 256];
            group.throughput(Throughput::Bytes(
                roofline::read(b, &buf, reps).unwrap().amount,
            ));
            group.bench_function(BenchmarkId::new(level, b), |t| {
                t.iter(|| black_box(roofline::read(b, &buf, black_box(reps)).unwrap()))
            });
        }
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = roofline, compare, grid
}
criterion_main!(benches);
