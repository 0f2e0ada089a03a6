//! A thread keeps a band's working memory for its next call (`parallel.rs`): nothing a call
//! computes may depend on what an earlier call left there. Every result of a sequence of
//! calls of different sizes, windows, sample types and level counts on one thread must be
//! bitwise the result of the same call on a fresh thread (fresh memory). Debug builds (the
//! tests) also poison the kept memory with NaN, so a stale read cannot hide.

use ssim_std::{msssim_with, ssim_map_with, ssim_with, Config, MsSsimParams, Params, Plane};

fn image(w: usize, h: usize, seed: u32) -> Vec<u8> {
    let mut s = seed | 1;
    (0..w * h)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let (c, r) = ((i % w) as f64, (i / w) as f64);
            (120.0 + 70.0 * (c / 7.0).sin() * (r / 11.0).cos() + (s % 30) as f64) as u8
        })
        .collect()
}

/// One computation, summarised as bits: MS-SSIM (with its per-level means), single-scale
/// means, or a map.
fn run(case: usize, threads: usize) -> Vec<u64> {
    let config = Config {
        threads: Some(threads),
        ..Config::default()
    };
    let (w, h) = [(300, 200), (161, 171), (512, 384), (197, 165), (333, 180)][case % 5];
    let (x, y) = (image(w, h, 7 + case as u32), image(w, h, 99 + case as u32));
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    match case % 4 {
        0 => {
            let r = msssim_with(&MsSsimParams::wang2003(255.0), &xp, &yp, &config).unwrap();
            let mut v = vec![r.msssim.to_bits()];
            v.extend(
                r.levels
                    .iter()
                    .flat_map(|s| [s.ssim.to_bits(), s.cs.to_bits()]),
            );
            v
        }
        1 => {
            let x16: Vec<u16> = x.iter().map(|&v| v as u16 * 257).collect();
            let y16: Vec<u16> = y.iter().map(|&v| v as u16 * 257).collect();
            let (xp, yp) = (
                Plane::new(&x16, w, h).unwrap(),
                Plane::new(&y16, w, h).unwrap(),
            );
            let mut p = MsSsimParams::pytorch_msssim(65535.0);
            p.weights.truncate(3);
            let r = msssim_with(&p, &xp, &yp, &config).unwrap();
            r.levels.iter().map(|s| s.cs.to_bits()).collect()
        }
        2 => {
            let r = ssim_with(&Params::scikit_image(255.0), &xp, &yp, &config).unwrap();
            vec![r.ssim.to_bits(), r.cs.to_bits()]
        }
        _ => {
            let m = ssim_map_with(&Params::matlab(255.0), &xp, &yp, &config).unwrap();
            m.ssim.iter().map(|v| v.to_bits() as u64).collect()
        }
    }
}

#[test]
fn results_do_not_depend_on_the_memory_earlier_calls_left() {
    let cases = 0..10;
    let fresh: Vec<Vec<u64>> = cases
        .clone()
        .map(|c| std::thread::spawn(move || run(c, 1)).join().unwrap())
        .collect();
    // One thread, every case in turn, twice (big after small and small after big).
    for _ in 0..2 {
        for c in cases.clone() {
            assert_eq!(run(c, 1), fresh[c], "case {c} on a reused thread");
        }
    }
    // Pool threads keep memory too.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    for c in cases.clone().rev() {
        assert_eq!(
            pool.install(|| run(c, 3)),
            fresh[c],
            "case {c} on pool threads"
        );
    }
}
