//! Property tests over random images, layouts and parameters (a small built-in generator, so
//! no dependency; every case is reproducible from its seed, printed on failure):
//!
//! - SSIM(x, x) == 1 and cs == 1 exactly, on every backend;
//! - symmetry: SSIM(x, y) == SSIM(y, x) bit for bit, means and maps, for the population
//!   presets (and the sample-covariance ones: the factor is the same on both sides). The
//!   stated bound is 0: every kernel evaluates `2 mx my`, `mx mx + my my`, `sxx + syy` and
//!   `dx dy` in forms that commute exactly when x and y swap, so any difference is a
//!   regression;
//! - every mean and map value within `[-1 - eps, 1 + eps]`, `eps = 1e-7 * max(10, window)`
//!   (f32 rounding of the moments grows with the window; 1.1e-6 for 11 taps);
//! - invariance to row chunking (bitwise, random chunkings through `Ssim::push_rows`), to bands
//!   (`Options { rows }`, per-row sums added in order: bitwise) and to the thread count
//!   (`Config { threads }`: bitwise).

use ssim_core::{compute_with, scratch_len, Options, OutputRow, RowSink, ScratchBlock, Ssim};
use ssim_std::{
    ssim_with, Backend, Config, Covariance, Padding, Params, Plane, Pooling, Preset, Sample,
    SsimResult, Window,
};
use test_support::Rng;

/// splitmix64: tiny, good enough, reproducible.
trait Gen: Sample {
    const RANGE: f64;
    fn from_unit(v: f64) -> Self;
}
impl Gen for u8 {
    const RANGE: f64 = 255.0;
    fn from_unit(v: f64) -> Self {
        (v * 255.0).round() as u8
    }
}
impl Gen for u16 {
    const RANGE: f64 = 1023.0;
    fn from_unit(v: f64) -> Self {
        (v * 1023.0).round() as u16
    }
}
impl Gen for f32 {
    const RANGE: f64 = 1.0;
    fn from_unit(v: f64) -> Self {
        v as f32
    }
}

/// An image pair in a random relation (close, inverted, independent, flat, scaled), values in
/// `[0, 1]`.
fn pair(rng: &mut Rng, n: usize) -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = match rng.below(4) {
        0 => (0..n).map(|_| rng.unit()).collect(),
        1 => {
            let base = rng.unit();
            (0..n)
                .map(|_| (base + 0.01 * rng.unit()).min(1.0))
                .collect()
        }
        2 => (0..n).map(|i| (i % 17) as f64 / 16.0).collect(),
        _ => (0..n).map(|_| (rng.next_u64() & 1) as f64).collect(),
    };
    let y = match rng.below(5) {
        0 => x
            .iter()
            .map(|v| (v + 0.05 * (rng.unit() - 0.5)).clamp(0.0, 1.0))
            .collect(),
        1 => x.iter().map(|v| 1.0 - v).collect(),
        2 => (0..n).map(|_| rng.unit()).collect(),
        3 => vec![rng.unit(); n],
        _ => {
            let a = rng.unit();
            x.iter().map(|v| v * a).collect()
        }
    };
    (x, y)
}

/// A random layout: (offset, step, row padding).
fn layout(rng: &mut Rng) -> (usize, usize, usize) {
    if rng.below(2) == 0 {
        (0, 1, 0)
    } else {
        (rng.below(3), 1 + rng.below(3), rng.below(4))
    }
}

/// `vals` laid out with `layout`, gaps filled with `fill`.
fn lay<T: Sample>(vals: &[T], w: usize, h: usize, l: (usize, usize, usize), fill: T) -> Vec<T> {
    let (off, step, pad) = l;
    let stride = (w - 1) * step + 1 + pad;
    let mut buf = vec![fill; off + (h - 1) * stride + (w - 1) * step + 1];
    for r in 0..h {
        for c in 0..w {
            buf[off + r * stride + c * step] = vals[r * w + c];
        }
    }
    buf
}

fn view<T: Sample>(buf: &[T], w: usize, h: usize, l: (usize, usize, usize)) -> Plane<'_, T> {
    let stride = (w - 1) * l.1 + 1 + l.2;
    Plane::with_layout(&buf[l.0..], w, h, stride, l.1).unwrap()
}

/// The presets and random variations of every field.
fn random_params(rng: &mut Rng, range: f64) -> Params {
    let mut p = Preset::ALL[rng.below(4)].params(range);
    if rng.below(2) == 0 {
        p.window = if rng.below(2) == 0 {
            Window::Gaussian {
                radius: 1 + rng.below(6),
                sigma: 0.3 + 3.0 * rng.unit(),
            }
        } else {
            Window::Box {
                size: 3 + 2 * rng.below(5),
            }
        };
        p.covariance = [Covariance::Population, Covariance::Sample][rng.below(2)];
        let pads = [Padding::Replicate, Padding::Reflect, Padding::Mirror];
        p.pooling = match rng.below(4) {
            0 => Pooling::Valid,
            i => Pooling::Same(pads[i - 1]),
        };
        p.map_padding = [None, Some(pads[rng.below(3)])][rng.below(2)];
    }
    p
}

/// One map row bit for bit: index, SSIM, cs, pooled, SSIM sum, cs sum.
type RowBits = (usize, Vec<u32>, Vec<u32>, bool, u64, u64);

/// Map rows, bit for bit.
#[derive(Default, Debug, PartialEq)]
struct Rows(Vec<RowBits>);

impl RowSink for Rows {
    fn row(&mut self, r: OutputRow<'_>) {
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect();
        self.0.push((
            r.index,
            bits(r.ssim),
            bits(r.cs),
            r.pooled,
            r.ssim_sum.to_bits(),
            r.cs_sum.to_bits(),
        ));
    }
}

struct Case<T> {
    seed: u64,
    params: Params,
    w: usize,
    h: usize,
    x: Vec<T>,
    y: Vec<T>,
    lx: (usize, usize, usize),
    ly: (usize, usize, usize),
}

fn case<T: Gen>(seed: u64) -> Case<T> {
    let mut rng = Rng::new(seed);
    let params = random_params(&mut rng, T::RANGE);
    let min = match params.pooling {
        Pooling::Valid => params.window.size(),
        Pooling::Same(_) => 1,
    };
    let (w, h) = (min + rng.below(30), min + rng.below(30));
    let (ux, uy) = pair(&mut rng, w * h);
    let (lx, ly) = (layout(&mut rng), layout(&mut rng));
    let fill = T::from_unit(0.5);
    let xs: Vec<T> = ux.iter().map(|&v| T::from_unit(v)).collect();
    let ys: Vec<T> = uy.iter().map(|&v| T::from_unit(v)).collect();
    Case {
        seed,
        params,
        w,
        h,
        x: lay(&xs, w, h, lx, fill),
        y: lay(&ys, w, h, ly, fill),
        lx,
        ly,
    }
}

impl<T: Sample> Case<T> {
    fn planes(&self) -> (Plane<'_, T>, Plane<'_, T>) {
        (
            view(&self.x, self.w, self.h, self.lx),
            view(&self.y, self.w, self.h, self.ly),
        )
    }

    fn run(
        &self,
        x: &Plane<'_, T>,
        y: &Plane<'_, T>,
        backend: Backend,
        map: bool,
    ) -> (SsimResult, Rows) {
        let options = Options {
            backend: Some(backend),
            map,
            rows: None,
        };
        let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&self.params, self.w, map).unwrap()];
        let mut rows = Rows::default();
        let r = compute_with(&self.params, x, y, options, &mut scratch, &mut rows)
            .unwrap_or_else(|e| panic!("seed {}: {e}", self.seed));
        (r, rows)
    }
}

const CASES: u64 = 120;

fn for_each_type(f: &dyn Fn(u64, u8)) {
    for seed in 0..CASES {
        f(seed, (seed % 3) as u8);
    }
}

fn dispatch(seed: u64, kind: u8, u: fn(Case<u8>), v: fn(Case<u16>), w: fn(Case<f32>)) {
    match kind {
        0 => u(case(seed)),
        1 => v(case(seed)),
        _ => w(case(seed)),
    }
}

fn identity<T: Gen>(c: Case<T>) {
    let (x, _) = c.planes();
    let xs = view(&c.x, c.w, c.h, c.lx);
    for b in Backend::available() {
        let (r, rows) = c.run(&x, &xs, b, true);
        assert_eq!(
            (r.ssim, r.cs),
            (1.0, 1.0),
            "seed {} {b} {:?}",
            c.seed,
            c.params
        );
        for row in &rows.0 {
            assert!(
                row.1.iter().chain(&row.2).all(|&v| v == 1f32.to_bits()),
                "seed {} {b}: map row {} not all 1",
                c.seed,
                row.0
            );
        }
    }
}

#[test]
fn ssim_of_an_image_with_itself_is_exactly_one() {
    for_each_type(&|s, k| dispatch(s, k, identity, identity, identity));
}

fn symmetric<T: Gen>(c: Case<T>) {
    let (x, y) = c.planes();
    for b in Backend::available() {
        let (a, ra) = c.run(&x, &y, b, true);
        let (z, rz) = c.run(&y, &x, b, true);
        assert_eq!(
            (a.ssim.to_bits(), a.cs.to_bits()),
            (z.ssim.to_bits(), z.cs.to_bits()),
            "seed {} {b}: {} vs {} ({:?})",
            c.seed,
            a.ssim,
            z.ssim,
            c.params
        );
        assert_eq!(ra, rz, "seed {} {b}: maps differ", c.seed);
    }
}

#[test]
fn ssim_is_symmetric_bit_for_bit() {
    for_each_type(&|s, k| dispatch(s, k, symmetric, symmetric, symmetric));
    // And the named population presets on their own, whatever the random draw was.
    for seed in 0..30 {
        for preset in [Preset::Wang2004, Preset::Matlab] {
            let mut c: Case<u8> = case(1000 + seed);
            c.params = preset.params(255.0);
            if c.w >= 11 && c.h >= 11 {
                symmetric(c);
            }
        }
    }
}

fn bounded<T: Gen>(c: Case<T>) {
    let (x, y) = c.planes();
    let eps = 1e-7 * c.params.window.size().max(10) as f64;
    let ok = |v: f64| (-1.0 - eps..=1.0 + eps).contains(&v);
    for b in Backend::available() {
        let (r, rows) = c.run(&x, &y, b, true);
        assert!(ok(r.ssim) && ok(r.cs), "seed {} {b}: {r:?}", c.seed);
        for row in &rows.0 {
            for &v in row.1.iter().chain(&row.2) {
                assert!(ok(f32::from_bits(v) as f64), "seed {} {b}", c.seed);
            }
        }
    }
}

#[test]
fn every_value_is_within_minus_one_and_one() {
    for_each_type(&|s, k| dispatch(s, k, bounded, bounded, bounded));
}

fn chunked<T: Gen>(c: Case<T>) {
    let (x, y) = c.planes();
    let mut rng = Rng::new(c.seed ^ 0xC0FFEE);
    for b in Backend::available() {
        let map = rng.below(2) == 0;
        let (want, whole) = c.run(&x, &y, b, map);
        let options = Options {
            backend: Some(b),
            map,
            rows: None,
        };
        let n = scratch_len(&c.params, c.w, map).unwrap();
        for _ in 0..3 {
            let mut scratch = vec![ScratchBlock::ZERO; n];
            let mut e = Ssim::with_options(&c.params, c.w, c.h, options, &mut scratch).unwrap();
            let mut rows = Rows::default();
            let mut at = 0;
            while at < c.h {
                let cap = 1 + rng.below(c.h);
                let k = 1 + rng.below((c.h - at).min(cap));
                e.push_rows(&x.rows(at, k).unwrap(), &y.rows(at, k).unwrap(), &mut rows)
                    .unwrap();
                at += k;
            }
            let got = e.finish().unwrap();
            assert_eq!(
                (got.ssim.to_bits(), got.cs.to_bits(), got.count),
                (want.ssim.to_bits(), want.cs.to_bits(), want.count),
                "seed {} {b}",
                c.seed
            );
            assert_eq!(rows, whole, "seed {} {b}", c.seed);
        }

        // Bands at random cuts; per-row sums added in row order give the whole sums.
        let map_h = whole.0.len();
        let mut cuts: Vec<usize> = (0..rng.below(4)).map(|_| rng.below(map_h + 1)).collect();
        cuts.extend([0, map_h]);
        cuts.sort_unstable();
        cuts.dedup();
        let mut rows = Rows::default();
        for band in cuts.windows(2) {
            let o = Options {
                rows: Some((band[0], band[1])),
                ..options
            };
            let mut scratch = vec![ScratchBlock::ZERO; n];
            let mut e = Ssim::with_options(&c.params, c.w, c.h, o, &mut scratch).unwrap();
            let (a, z) = e.input_rows();
            e.push_rows(
                &x.rows(a, z - a).unwrap(),
                &y.rows(a, z - a).unwrap(),
                &mut rows,
            )
            .unwrap();
            e.finish().unwrap();
        }
        assert_eq!(rows, whole, "seed {} {b}: bands {cuts:?}", c.seed);
        let (mut s, mut cs) = (0.0f64, 0.0f64);
        for r in rows.0.iter().filter(|r| r.3) {
            s += f64::from_bits(r.4);
            cs += f64::from_bits(r.5);
        }
        assert_eq!(
            (s.to_bits(), cs.to_bits()),
            (want.ssim_sum.to_bits(), want.cs_sum.to_bits()),
            "seed {} {b}: band sums",
            c.seed
        );
    }
}

#[test]
fn row_chunking_and_bands_are_bitwise_invariant() {
    for_each_type(&|s, k| dispatch(s, k, chunked, chunked, chunked));
}

fn threads<T: Gen>(c: Case<T>) {
    let (x, y) = c.planes();
    for b in Backend::available() {
        let (want, _) = c.run(&x, &y, b, false);
        for t in [1, 2, 3, 8] {
            let config = Config {
                backend: Some(b),
                threads: Some(t),
            };
            let got = ssim_with(&c.params, &x, &y, &config).unwrap();
            assert_eq!(
                (got.ssim.to_bits(), got.cs.to_bits(), got.count),
                (want.ssim.to_bits(), want.cs.to_bits(), want.count),
                "seed {} {b} {t} threads",
                c.seed
            );
        }
    }
}

#[test]
fn thread_count_does_not_change_the_bits() {
    for_each_type(&|s, k| dispatch(s, k, threads, threads, threads));
}
