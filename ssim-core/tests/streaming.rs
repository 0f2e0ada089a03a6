//! Streaming equals whole: any chunking of the input rows, and any split of the map rows into
//! bands, gives bitwise identical map rows and means.

use ssim_core::{
    compute_with, scratch_len, Options, OutputRow, Padding, Params, Plane, Pooling, RowSink,
    Sample, ScratchBlock, Ssim, Window,
};

/// A tiny deterministic generator, so the test needs no dependency.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

type Row = (usize, Vec<f32>, Vec<f32>, f64, f64, bool);

#[derive(Default)]
struct Rows {
    rows: Vec<Row>,
}
impl RowSink for Rows {
    fn row(&mut self, r: OutputRow<'_>) {
        self.rows.push((
            r.index,
            r.ssim.to_vec(),
            r.cs.to_vec(),
            r.ssim_sum,
            r.cs_sum,
            r.pooled,
        ));
    }
}

fn param_sets() -> Vec<Params> {
    let mut v = vec![
        Params::wang2004(255.0),
        Params::scikit_image(255.0),
        Params::scikit_image_gaussian(255.0),
        Params::matlab(255.0),
    ];
    for pad in [Padding::Reflect, Padding::Mirror] {
        v.push(Params {
            pooling: Pooling::Same(pad),
            window: Window::Box { size: 5 },
            ..Params::wang2004(255.0)
        });
    }
    v
}

fn check<T: Sample>(gen: impl Fn(&mut Lcg) -> T, rng: &mut Lcg) {
    for params in param_sets() {
        for _ in 0..6 {
            let (w, h) = (12 + rng.below(40), 12 + rng.below(40));
            let x: Vec<T> = (0..w * h).map(|_| gen(rng)).collect();
            let y: Vec<T> = (0..w * h).map(|_| gen(rng)).collect();
            let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
            let opts = Options {
                map: true,
                ..Options::default()
            };
            let n = scratch_len(&params, w, true).unwrap();
            let mut scratch = vec![ScratchBlock::ZERO; n];
            let mut whole = Rows::default();
            let want = compute_with(&params, &xp, &yp, opts, &mut scratch, &mut whole).unwrap();

            // Random chunkings through the push API.
            for _ in 0..3 {
                let mut scratch = vec![ScratchBlock::ZERO; n];
                let mut engine = Ssim::with_options(&params, w, h, opts, &mut scratch).unwrap();
                let mut got = Rows::default();
                let mut at = 0;
                while at < h {
                    let k = 1 + rng.below(h - at);
                    let (xc, yc) = (xp.rows(at, k).unwrap(), yp.rows(at, k).unwrap());
                    if rng.below(2) == 0 {
                        engine.push_rows(&xc, &yc, &mut got).unwrap();
                    } else {
                        // A prefetch hint of any rows and columns changes nothing.
                        let (top, c0) = (rng.below(h), rng.below(w));
                        let (rows, cols) = (1 + rng.below(h - top), 1 + rng.below(w - c0));
                        let xa = xp.rows(top, rows).unwrap().columns(c0, cols).unwrap();
                        let ya = yp.rows(top, rows).unwrap().columns(c0, cols).unwrap();
                        engine
                            .push_rows_ahead(&xc, &yc, (&xa, &ya), &mut got)
                            .unwrap();
                    }
                    at += k;
                }
                let r = engine.finish().unwrap();
                assert_eq!(r, want, "{params:?} {w}x{h}");
                assert_eq!(got.rows, whole.rows);
            }

            // Bands: rows split at a random point, per-row sums added in row order.
            let map_h = whole.rows.len();
            let cut = 1 + rng.below(map_h.max(2) - 1);
            let mut rows = Rows::default();
            for band in [(0, cut.min(map_h)), (cut.min(map_h), map_h)] {
                if band.0 == band.1 {
                    continue;
                }
                let o = Options {
                    rows: Some(band),
                    ..opts
                };
                let mut scratch = vec![ScratchBlock::ZERO; n];
                let mut engine = Ssim::with_options(&params, w, h, o, &mut scratch).unwrap();
                let (a, b) = engine.input_rows();
                let (xc, yc) = (xp.rows(a, b - a).unwrap(), yp.rows(a, b - a).unwrap());
                engine.push_rows(&xc, &yc, &mut rows).unwrap();
                engine.finish().unwrap();
            }
            assert_eq!(rows.rows, whole.rows, "{params:?} {w}x{h} cut {cut}");
            let total: f64 = rows.rows.iter().filter(|r| r.5).fold(0.0, |s, r| s + r.3);
            assert_eq!(total, want.ssim_sum);
        }
    }
}

#[test]
fn chunking_and_bands_are_bitwise_invariant_u8() {
    check(|r| r.next() as u8, &mut Lcg(1));
}

#[test]
fn chunking_and_bands_are_bitwise_invariant_u16() {
    check(|r| (r.next() % 1024) as u16, &mut Lcg(2));
}

#[test]
fn chunking_and_bands_are_bitwise_invariant_f32() {
    check(|r| (r.next() % 10_000) as f32 / 10_000.0, &mut Lcg(3));
}

#[test]
fn scratch_does_not_depend_on_height() {
    let p = Params::wang2004(255.0);
    let n = scratch_len(&p, 64, false).unwrap();
    for h in [11, 100, 5000] {
        let x = vec![7u8; 64 * h];
        let xp = Plane::new(&x, 64, h).unwrap();
        let mut scratch = vec![ScratchBlock::ZERO; n];
        let r = compute_with(&p, &xp, &xp, Options::default(), &mut scratch, &mut ()).unwrap();
        assert_eq!(r.ssim, 1.0);
        assert_eq!(r.count, (54 * (h - 10)) as u64);
    }
}

#[test]
fn identical_images_give_exactly_one() {
    let mut rng = Lcg(9);
    for params in param_sets() {
        let (w, h) = (23, 17);
        let x: Vec<u8> = (0..w * h).map(|_| rng.next() as u8).collect();
        let xp = Plane::new(&x, w, h).unwrap();
        let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false).unwrap()];
        let r = compute_with(&params, &xp, &xp, Options::default(), &mut scratch, &mut ()).unwrap();
        assert_eq!((r.ssim, r.cs), (1.0, 1.0), "{params:?}");
    }
}

/// A map writer sized for another map skips what does not fit instead of panicking, and says
/// so (FUZZING.md finding 6).
#[test]
fn map_writer_of_the_wrong_size_skips_and_reports() {
    use ssim_core::MapWriter;
    let p = Params::matlab(255.0);
    let x = [9u8; 100];
    let xp = Plane::new(&x, 10, 10).unwrap();
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&p, 10, true).unwrap()];
    for (w, h) in [(3, 100), (10, 5), (20, 10)] {
        let mut buf = vec![-1f32; w * h];
        let mut sink = MapWriter::new(w, h, &mut buf, None).unwrap();
        compute_with(&p, &xp, &xp, Options::default(), &mut scratch, &mut sink).unwrap();
        assert!(sink.mismatched(), "{w}x{h}");
    }
    let mut buf = vec![-1f32; 100];
    let mut sink = MapWriter::new(10, 10, &mut buf, None).unwrap();
    compute_with(&p, &xp, &xp, Options::default(), &mut scratch, &mut sink).unwrap();
    assert!(!sink.mismatched());
    assert!(buf.iter().all(|&v| v == 1.0));
}

/// `push_rows_in_place` gives the bits of `push_rows` on the same f32 rows, in any chunking,
/// for every parameter set (valid maps filter in the caller's rows; padded ones copy).
#[test]
fn in_place_rows_give_the_bits_of_copied_rows() {
    let mut rng = Lcg(4);
    for params in param_sets() {
        for map in [false, true] {
            let (w, h) = (12 + rng.below(40), 12 + rng.below(40));
            let gen = |r: &mut Lcg| (r.next() % 10_000) as f32 / 10_000.0 * 255.0;
            let x: Vec<f32> = (0..w * h).map(|_| gen(&mut rng)).collect();
            let y: Vec<f32> = (0..w * h).map(|_| gen(&mut rng)).collect();
            let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
            let opts = Options {
                map,
                ..Options::default()
            };
            let n = scratch_len(&params, w, map).unwrap();
            let mut scratch = vec![ScratchBlock::ZERO; n];
            let mut whole = Rows::default();
            let want = compute_with(&params, &xp, &yp, opts, &mut scratch, &mut whole).unwrap();

            let mut engine = Ssim::with_options(&params, w, h, opts, &mut scratch).unwrap();
            let (mut xs, mut ys) = (x.clone(), y.clone());
            let mut got = Rows::default();
            let mut at = 0;
            while at < h {
                let k = 1 + rng.below(h - at);
                let span = at * w..(at + k) * w;
                let (xc, yc) = (&mut xs[span.clone()], &mut ys[span]);
                engine.push_rows_in_place(xc, yc, &mut got).unwrap();
                at += k;
            }
            assert_eq!(
                engine.finish().unwrap(),
                want,
                "{params:?} map {map} {w}x{h}"
            );
            assert_eq!(got.rows, whole.rows, "{params:?} map {map} {w}x{h}");
        }
    }
}

/// Bad calls of `push_rows_in_place` are errors, never panics or partial pushes past the end.
#[test]
fn in_place_rows_reject_bad_calls() {
    use ssim_core::Error;
    let params = Params::wang2004(1.0);
    let (w, h) = (16, 12);
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false).unwrap()];
    let mut engine = Ssim::new(&params, w, h, &mut scratch).unwrap();
    let (mut x, mut y) = (vec![0.5f32; w * h + w], vec![0.5f32; w * h + w]);
    let e = engine.push_rows_in_place(&mut x[..w * 2], &mut y[..w * 3], &mut ());
    assert!(matches!(e, Err(Error::SizeMismatch { .. })), "{e:?}");
    let e = engine.push_rows_in_place(&mut x[..w + 1], &mut y[..w + 1], &mut ());
    assert!(
        matches!(e, Err(Error::PartialRow { len: 17, width: 16 })),
        "{e:?}"
    );
    let e = engine.push_rows_in_place(&mut x, &mut y, &mut ());
    assert_eq!(
        e,
        Err(Error::RowOverflow {
            height: h,
            pushed: h + 1
        })
    );
    // No rows is nothing to do, on valid and on padded maps alike.
    let mut engine = Ssim::new(&params, w, h, &mut scratch).unwrap();
    assert_eq!(engine.push_rows_in_place(&mut [], &mut [], &mut ()), Ok(()));
    let padded = Params {
        pooling: Pooling::Same(Padding::Reflect),
        ..params
    };
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&padded, w, false).unwrap()];
    let mut engine = Ssim::new(&padded, w, h, &mut scratch).unwrap();
    assert_eq!(engine.push_rows_in_place(&mut [], &mut [], &mut ()), Ok(()));
    // A box engine that took u8 rows cannot take f32 ones (its exact sums are per type).
    let boxed = Params {
        window: Window::Box { size: 3 },
        ..Params::wang2004(255.0)
    };
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&boxed, w, false).unwrap()];
    let mut engine = Ssim::new(&boxed, w, h, &mut scratch).unwrap();
    let g = vec![7u8; w];
    let p = Plane::new(&g, w, 1).unwrap();
    engine.push_rows(&p, &p, &mut ()).unwrap();
    let e = engine.push_rows_in_place(&mut x[..w], &mut y[..w], &mut ());
    assert!(
        matches!(
            e,
            Err(Error::InvalidParameter {
                name: "samples",
                ..
            })
        ),
        "{e:?}"
    );
}

/// `push_rows_with` calls its hook once per row, in order, between reading and filtering;
/// the results are those of `push_rows`; an error from the hook stops the push there.
#[test]
fn push_rows_with_calls_back_per_row_and_stops_on_error() {
    use ssim_core::Error;
    let params = Params::wang2004(255.0);
    let (w, h) = (20, 17);
    let mut rng = Lcg(5);
    let x: Vec<u8> = (0..w * h).map(|_| rng.next() as u8).collect();
    let y: Vec<u8> = (0..w * h).map(|_| rng.next() as u8).collect();
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let n = scratch_len(&params, w, false).unwrap();
    let mut scratch = vec![ScratchBlock::ZERO; n];
    let want = compute_with(&params, &xp, &yp, Options::default(), &mut scratch, &mut ()).unwrap();

    let mut engine = Ssim::new(&params, w, h, &mut scratch).unwrap();
    let mut seen = Vec::new();
    for (at, k) in [(0, 5), (5, 12)] {
        let (xc, yc) = (xp.rows(at, k).unwrap(), yp.rows(at, k).unwrap());
        engine
            .push_rows_with(&xc, &yc, &mut (), |j| {
                seen.push(at + j);
                Ok(())
            })
            .unwrap();
    }
    assert_eq!(seen, (0..h).collect::<Vec<_>>());
    assert_eq!(engine.finish().unwrap(), want);

    let mut engine = Ssim::new(&params, w, h, &mut scratch).unwrap();
    let stop = Error::InvalidParameter {
        name: "test",
        expected: "a hook error to come back",
    };
    let e = engine.push_rows_with(
        &xp,
        &yp,
        &mut (),
        |j| if j == 3 { Err(stop) } else { Ok(()) },
    );
    assert_eq!(e, Err(stop));
    // Rows 0..3 are in (row 3 was read, not filtered): finishing says rows are missing.
    assert!(matches!(engine.finish(), Err(Error::RowsMissing { .. })));
}

/// The padded map (`Options::map` with `map_padding`) holds the valid map in its interior,
/// bit for bit: a pixel's value depends on its window only (the Gaussian passes' centre rows
/// are fixed by absolute input rows, not by where the map or a pass starts).
#[test]
fn padded_map_interior_is_the_valid_map() {
    let mut rng = Lcg(7);
    for r in [1usize, 2, 3, 5, 7] {
        let size = 2 * r + 1;
        let params = Params {
            window: Window::Gaussian {
                radius: r,
                sigma: 1.5,
            },
            ..Params::scikit_image_gaussian(255.0)
        };
        for _ in 0..4 {
            let (w, h) = (size + rng.below(40), size + rng.below(40));
            let x: Vec<f32> = (0..w * h).map(|_| rng.below(256) as f32).collect();
            let y: Vec<f32> = (0..w * h).map(|_| rng.below(256) as f32).collect();
            let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
            let run = |map: bool| {
                let o = Options {
                    map,
                    ..Options::default()
                };
                let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, map).unwrap()];
                let mut rows = Rows::default();
                let res = compute_with(&params, &xp, &yp, o, &mut scratch, &mut rows).unwrap();
                (res, rows.rows)
            };
            let (valid, vrows) = run(false);
            let (padded, prows) = run(true);
            assert_eq!(prows.len(), h, "size {size} {w}x{h}");
            for (v, p) in vrows.iter().zip(&prows[r..h - r]) {
                assert_eq!(v.1[..], p.1[r..w - r], "size {size} {w}x{h} row {}", v.0);
                assert_eq!(v.2[..], p.2[r..w - r], "size {size} {w}x{h} row {}", v.0);
            }
            assert_eq!(valid.ssim_sum, padded.ssim_sum, "size {size} {w}x{h}");
        }
    }
}
