//! The roofline of this machine and the kernels' place under it, measured in one process:
//! peak f32 FMA rate, the FMA + add mix, read bandwidth from L1, L2 and memory (the probes of
//! `ssim_core::roofline`, run on each backend's own vectors), then the main SSIM
//! configurations on the 1080p u8 pair, one thread, with the fraction of the arithmetic
//! floor each reaches.
//!
//! `cargo run --release -p ssim-benches --example roofline [-- BACKEND... [--reps N]]`
//! (default: every supported vector backend; `--reps`: calls per timed round, 31).
//!
//! The floor of the Gaussian-11 configurations is the one of issue 14: four moments x 11 taps
//! x 2 passes = 88 lane-FMAs per input pixel at the peak FMA rate ("FMA floor"), or, with the
//! symmetric window folded (`w_k (a[i-k] + a[i+k])`: half of them become additions), 88
//! lane-operations at the measured FMA + add rate ("mix floor"). Times are CPU time of the
//! thread (`CpuClock`), the best of three rounds. On a shared machine compare only rows of one
//! run: a busy neighbour on the same core still slows what runs here.

#![forbid(unsafe_code)]

use std::time::Instant;

use ssim_benches::{pair, CpuClock};
use ssim_core::{compute_with, roofline, scratch_len, Options, ScratchBlock};
use ssim_std::{msssim_with, ssim_with, Backend, Config, MsSsimParams, Params, Plane};

/// Lane operations per input pixel of the Gaussian-11 floor (issue 14).
const FLOOR_OPS_PER_PIXEL: f64 = 88.0;

/// CPU seconds per call of `f`, the least of three rounds of `reps` calls each, and the sum
/// of the values it returned.
fn time(reps: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let mut value = f() + f();
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let c = CpuClock::start();
        for _ in 0..reps {
            value += f();
        }
        best = best.min(c.seconds() / reps as f64);
    }
    (best, value)
}

/// Rate (amount per CPU second) of a probe: `probe(n)` is run with `n` doubled until it takes
/// a quarter of a second, then timed three times; the best round counts.
fn rate(mut probe: impl FnMut(usize) -> roofline::Work) -> f64 {
    let mut n = 1;
    let mut sink = 0.0f32;
    loop {
        let t0 = Instant::now();
        sink += probe(n).value;
        if t0.elapsed().as_secs_f64() > 0.25 {
            break;
        }
        n *= 2;
    }
    let mut best = 0.0f64;
    for _ in 0..3 {
        let c = CpuClock::start();
        let w = probe(n);
        best = best.max(w.amount as f64 / c.seconds());
        sink += w.value;
    }
    // Keeps the probes' results alive in a way the optimiser cannot see through.
    if sink.is_nan() {
        println!("(probe value NaN)");
    }
    best
}

struct Limits {
    fma: f64,
    mix: f64,
    l1: f64,
    l2: f64,
    mem: f64,
}

fn limits(b: Backend) -> Limits {
    let fma = rate(|n| roofline::fma(b, n).expect("supported backend"));
    let mix = rate(|n| roofline::fma_add(b, n).expect("supported backend"));
    let read = |kb: usize| {
        let buf = vec![1.0f32; kb * 256];
        rate(|n| roofline::read(b, &buf, n).expect("supported backend"))
    };
    Limits {
        fma,
        mix,
        l1: read(16),
        l2: read(512),
        mem: read(256 * 1024),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut reps = 31;
    let mut backends = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--reps" {
            reps = it.next().and_then(|v| v.parse().ok()).expect("--reps N");
        } else {
            backends.push(Backend::from_name(a).expect("backend name"));
        }
    }
    if backends.is_empty() {
        backends = Backend::available()
            .filter(|b| *b != Backend::Scalar)
            .collect();
    }
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        cpu.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split(':').nth(1))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    println!(
        "CPU: {} (family {}, model {}); reps {reps}",
        field("model name"),
        field("cpu family"),
        field("model")
    );

    let p = pair(1920, 1080);
    let (w, h) = (p.width, p.height);
    let pixels = (w * h) as f64;
    let (xp, yp) = (
        Plane::new(&p.x, w, h).unwrap(),
        Plane::new(&p.y, w, h).unwrap(),
    );
    println!("pair: {} ({w}x{h})", p.source);

    for b in backends {
        let l = limits(b);
        println!("\n## {b}");
        println!(
            "peak FMA {:.1} G lane-FMA/s; FMA + add mix {:.1} G lane-op/s; read L1 {:.0} GB/s, L2 {:.0} GB/s, memory {:.1} GB/s",
            l.fma / 1e9,
            l.mix / 1e9,
            l.l1 / 1e9,
            l.l2 / 1e9,
            l.mem / 1e9
        );
        let fma_floor = pixels * FLOOR_OPS_PER_PIXEL / l.fma;
        let mix_floor = pixels * FLOOR_OPS_PER_PIXEL / l.mix;
        println!(
            "Gaussian-11 floor at 1080p: FMA {:.2} ms, mix {:.2} ms",
            fma_floor * 1e3,
            mix_floor * 1e3
        );
        println!("| configuration | ms | Mpixel/s | FMA floor / time | mix floor / time | value |");
        println!("| --- | --- | --- | --- | --- | --- |");
        let options = Options {
            backend: Some(b),
            ..Options::default()
        };
        let mut ssim_time = 0.0;
        for (name, params, gaussian) in [
            (
                "wang2004 (Gaussian 11, valid map)",
                Params::wang2004(255.0),
                true,
            ),
            (
                "matlab (Gaussian 11, full map)",
                Params::matlab(255.0),
                true,
            ),
            ("scikit_image (box 7)", Params::scikit_image(255.0), false),
        ] {
            let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false).unwrap()];
            let (t, v) = time(reps, || {
                compute_with(&params, &xp, &yp, options, &mut scratch, &mut ())
                    .unwrap()
                    .ssim
            });
            if name.starts_with("wang2004") {
                ssim_time = t;
            }
            let (ff, mf) = if gaussian {
                (
                    format!("{:.2}", fma_floor / t),
                    format!("{:.2}", mix_floor / t),
                )
            } else {
                ("".into(), "".into())
            };
            println!(
                "| {name} | {:.3} | {:.0} | {ff} | {mf} | {:.8} |",
                t * 1e3,
                pixels / t / 1e6,
                v / (3 * reps + 2) as f64
            );
        }
        let config = Config {
            backend: Some(b),
            threads: Some(1),
        };
        // The same SSIM through ssim-std (bands, per-thread memory; what the CLI runs).
        let wang = Params::wang2004(255.0);
        let (t, v) = time(reps, || ssim_with(&wang, &xp, &yp, &config).unwrap().ssim);
        println!(
            "| wang2004 through `ssim_std::ssim_with`, 1 thread | {:.3} | {:.0} | {:.2} | {:.2} | {:.8} |",
            t * 1e3,
            pixels / t / 1e6,
            fma_floor / t,
            mix_floor / t,
            v / (3 * reps + 2) as f64
        );
        let std_time = t;
        let ms = MsSsimParams::wang2003(255.0);
        let (t, v) = time(reps, || msssim_with(&ms, &xp, &yp, &config).unwrap().msssim);
        println!(
            "| MS-SSIM wang2003 (5 levels) | {:.3} | {:.0} | | | {:.8} |",
            t * 1e3,
            pixels / t / 1e6,
            v / (3 * reps + 2) as f64
        );
        println!(
            "MS-SSIM / SSIM (wang2004): {:.3} against `compute_with`, {:.3} against `ssim_with`",
            t / ssim_time,
            t / std_time
        );
    }
}
