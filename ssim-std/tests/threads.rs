//! Threads never change the value: bands of rows on 1 to 8 threads give bitwise the same
//! means and maps as the single-threaded engine, for single-scale SSIM and MS-SSIM.

use ssim_std::{
    msssim_with, ssim, ssim_map, ssim_map_with, ssim_with, Config, MsSsimParams, Params, Plane,
    SsimMapRows,
};

/// A textured pair with odd sizes (bands, halos and odd pyramid levels all get exercised).
fn pair(w: usize, h: usize) -> (Vec<u8>, Vec<u8>) {
    let mut s = 0x2545_f491_u32;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        s
    };
    let x: Vec<u8> = (0..w * h)
        .map(|i| {
            let (c, r) = ((i % w) as f64, (i / w) as f64);
            let v = 128.0 + 60.0 * (c / 9.0).sin() * (r / 13.0).cos() + (next() % 40) as f64;
            v.clamp(0.0, 255.0) as u8
        })
        .collect();
    let y: Vec<u8> = x
        .iter()
        .map(|&v| v.saturating_add((next() % 25) as u8).saturating_sub(12))
        .collect();
    (x, y)
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

#[test]
fn single_scale_is_bitwise_identical_for_1_to_8_threads() {
    let (w, h) = (203, 301);
    let (x, y) = pair(w, h);
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let eight = pool(8);
    for params in [
        Params::wang2004(255.0),
        Params::scikit_image(255.0),
        Params::matlab(255.0),
    ] {
        let reference = ssim(&params, &xp, &yp).unwrap();
        let map = ssim_map(&params, &xp, &yp).unwrap();
        for threads in 1..=8 {
            let config = Config {
                threads: Some(threads),
                ..Config::default()
            };
            let r = eight.install(|| ssim_with(&params, &xp, &yp, &config).unwrap());
            assert_eq!(r, reference, "{params:?} threads {threads}");
            let m = eight.install(|| ssim_map_with(&params, &xp, &yp, &config).unwrap());
            assert_eq!(m.result, map.result, "{params:?} threads {threads}");
            assert_eq!((m.width, m.height), (map.width, map.height));
            assert!(
                m.ssim == map.ssim && m.cs == map.cs,
                "maps, threads {threads}"
            );
        }
        // threads: None uses the current pool's size.
        let r = eight.install(|| ssim_with(&params, &xp, &yp, &Config::default()));
        assert_eq!(r.unwrap(), reference);
    }
}

#[test]
fn msssim_is_bitwise_identical_for_1_to_8_threads() {
    let (w, h) = (345, 333);
    let (x, y) = pair(w, h);
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let eight = pool(8);
    for mut params in [
        MsSsimParams::wang2003(255.0),
        MsSsimParams::pytorch_msssim(255.0),
    ] {
        params.level_maps = true;
        let one = Config {
            threads: Some(1),
            ..Config::default()
        };
        let reference = msssim_with(&params, &xp, &yp, &one).unwrap();
        // Level 1 of the pyramid is the plain single-scale computation.
        let s1 = ssim(&params.ssim, &xp, &yp).unwrap();
        assert_eq!(
            (reference.levels[0].ssim, reference.levels[0].cs),
            (s1.ssim, s1.cs)
        );
        for threads in 2..=8 {
            let config = Config {
                threads: Some(threads),
                ..Config::default()
            };
            let r = eight.install(|| msssim_with(&params, &xp, &yp, &config).unwrap());
            assert_eq!(r, reference, "{:?} threads {threads}", params.downsample);
        }
    }
}

/// More bands than the pool has threads (or a pool of one) still gives the same value.
#[test]
fn band_count_is_independent_of_pool_size() {
    let (w, h) = (180, 400);
    let (x, y) = pair(w, h);
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let params = MsSsimParams::wang2003(255.0);
    let config = Config {
        threads: Some(6),
        ..Config::default()
    };
    let a = pool(1).install(|| msssim_with(&params, &xp, &yp, &config).unwrap());
    let b = pool(3).install(|| msssim_with(&params, &xp, &yp, &config).unwrap());
    assert_eq!(a, b);
}

/// Every backend this CPU runs: the chosen one is used, and threads do not change its value.
#[test]
fn every_backend_is_thread_invariant() {
    let (w, h) = (190, 210);
    let (x, y) = pair(w, h);
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let params = MsSsimParams::pytorch_msssim(255.0);
    let four = pool(4);
    let mut values = Vec::new();
    for backend in ssim_std::Backend::available() {
        let at = |threads| Config {
            backend: Some(backend),
            threads: Some(threads),
        };
        let one = msssim_with(&params, &xp, &yp, &at(1)).unwrap();
        assert_eq!(one.backend, backend);
        let many = four.install(|| msssim_with(&params, &xp, &yp, &at(4)).unwrap());
        assert_eq!(one, many, "{backend}");
        values.push(one.msssim);
    }
    let spread = values
        .iter()
        .fold(0f64, |m, v| m.max((v - values[0]).abs()));
    assert!(spread < 1e-6, "backends disagree by {spread}");
}

/// The map in chunks of rows (`SsimMapRows`, for writing maps as they are produced) is the
/// whole map's bits, and so is its mean: several chunks, chunk edges inside bands, a padded
/// full-size map (scikit-image) and a `Same` map (MATLAB), 1 to 3 threads.
#[test]
fn map_in_chunks_equals_the_whole_map() {
    let (w, h) = (97, 1301);
    let (x, y) = pair(w, h);
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    for p in [
        Params::wang2004(255.0),
        Params::scikit_image(255.0),
        Params::matlab(255.0),
    ] {
        for threads in 1..=3 {
            let config = Config {
                threads: Some(threads),
                ..Config::default()
            };
            let whole = ssim_map_with(&p, &xp, &yp, &config).unwrap();
            let mut rows = SsimMapRows::new(&p, &xp, &yp, &config).unwrap();
            assert_eq!(rows.map_size(), (whole.width, whole.height));
            let (mut map, mut chunks) = (Vec::new(), 0);
            while let Some((first, chunk)) = rows.next_rows().unwrap() {
                assert_eq!(first * whole.width, map.len());
                assert_eq!(chunk.len() % whole.width, 0);
                map.extend_from_slice(chunk);
                chunks += 1;
            }
            assert!(chunks >= 2, "{threads} threads: {chunks} chunk");
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert!(bits(&map) == bits(&whole.ssim), "{p:?} {threads} threads");
            let r = rows.result().unwrap();
            assert_eq!(r.ssim.to_bits(), whole.result.ssim.to_bits());
            assert_eq!(r.count, whole.result.count);
        }
    }
}
