//! FFmpeg's `ssim` filter algorithm (`ssim_std::x264`) on the bench pair, timed in-process
//! the way `benches/ffmpeg/ff_ssim_bench.c` times libavfilter: one thread, the same frame
//! pair FRAMES times per repetition, the median over REPS repetitions after one warm-up.
//! Prints a `RESULT` line in the same format, so the two can run alternately in one session.
//!
//! `cargo run --release -p ssim-benches --example x264 -- 1920 1080 100 7`

use ssim_benches::pair;
use ssim_std::{x264, Plane};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: WIDTH HEIGHT FRAMES REPS"))
        .collect();
    let arg = |i: usize, d: usize| args.get(i).copied().unwrap_or(d);
    let (w, h, frames, reps) = (arg(0, 1920), arg(1, 1080), arg(2, 100), arg(3, 7));
    let p = pair(w, h);
    let (x, y) = (
        Plane::new(&p.x, w, h).unwrap(),
        Plane::new(&p.y, w, h).unwrap(),
    );
    let mut times = Vec::new();
    let mut value = 0.0;
    for rep in 0..=reps {
        let t0 = Instant::now();
        for _ in 0..frames {
            value = x264::ssim(&x, &y, 8).unwrap();
        }
        if rep > 0 {
            times.push(t0.elapsed().as_secs_f64() * 1e3 / frames as f64);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "RESULT lang=rust peer=ssim-x264 size={w}x{h} threads=1 median_ms={:.3} min_ms={:.3} \
         max_ms={:.3} runs={reps} mpix_s={:.2} value={value:.6}",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        (w * h) as f64 / times[times.len() / 2] / 1e3,
    );
}
