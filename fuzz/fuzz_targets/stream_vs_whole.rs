//! Streaming equals whole: pushing the rows in random chunks, and splitting the map rows into
//! random bands (each fed in random chunks), gives bit-identical map rows, row sums and means;
//! the bands' per-row sums added in row order equal the whole image's sums bit for bit.
//! Stopping early is `RowsMissing`, pushing past the end is `RowOverflow`, and an error of the
//! whole-image call is the same error when streaming. f32 rows pushed in place
//! (`push_rows_in_place`) give the same bits as the whole image.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssim_fuzz::{layout, params, side, unit_pair, FromUnit, Input, Laid, Rows};
use ssim_core::{compute_with, scratch_len, Options, ScratchBlock, Ssim};
use ssim_std::{Error, Plane, SampleKind, SsimResult};

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    match inp.below(3) {
        0 => run::<u8>(&mut inp, 255.0, 0x55),
        1 => run::<u16>(&mut inp, 65535.0, 0x5555),
        _ => run::<f32>(&mut inp, 1.0, f32::NAN),
    }
});

fn bits(r: &SsimResult) -> (u64, u64, u64, u64, u64) {
    (
        r.ssim.to_bits(),
        r.cs.to_bits(),
        r.ssim_sum.to_bits(),
        r.cs_sum.to_bits(),
        r.count,
    )
}

/// Pushes input rows `a..b` in chunks chosen by the input; returns the first error.
fn push_chunks<T: FromUnit>(
    inp: &mut Input<'_>,
    engine: &mut Ssim<'_>,
    (xp, yp): (&Plane<'_, T>, &Plane<'_, T>),
    (a, b): (usize, usize),
    sink: &mut Rows,
) -> Result<(), Error> {
    let mut at = a;
    while at < b {
        let k = 1 + inp.below(b - at);
        engine.push_rows(&xp.rows(at, k)?, &yp.rows(at, k)?, sink)?;
        at += k;
    }
    Ok(())
}

fn run<T: FromUnit>(inp: &mut Input<'_>, range: f64, poison: T) {
    let (w, h) = (side(inp, 300), side(inp, 300));
    let params = params(inp, range);
    let map = inp.bool();
    let (lx, ly) = (layout(inp), layout(inp));
    let nan_at = (inp.u8() == 0x4E).then(|| inp.below(w * h));
    let (ux, uy) = unit_pair(inp, w * h);
    let xs: Vec<T> = ux.iter().map(|&v| T::from_unit(v, range)).collect();
    let mut ys: Vec<T> = uy.iter().map(|&v| T::from_unit(v, range)).collect();
    if let Some(i) = nan_at {
        ys[i] = poison;
    }
    let xl = Laid::new(&xs, w, h, lx.0, lx.1, lx.2, poison);
    let yl = Laid::new(&ys, w, h, ly.0, ly.1, ly.2, poison);
    let (xp, yp) = (xl.plane(w, h).unwrap(), yl.plane(w, h).unwrap());
    let options = Options {
        map,
        ..Options::default()
    };
    let n = scratch_len(&params, w, map).unwrap_or(0);

    let mut scratch = vec![ScratchBlock::ZERO; n];
    let mut whole_rows = Rows::default();
    let whole = compute_with(&params, &xp, &yp, options, &mut scratch, &mut whole_rows);

    // The same image in random chunks.
    let mut scratch = vec![ScratchBlock::ZERO; n];
    let streamed = Ssim::with_options(&params, w, h, options, &mut scratch).and_then(|mut e| {
        let mut rows = Rows::default();
        let span = e.input_rows();
        push_chunks(inp, &mut e, (&xp, &yp), span, &mut rows)?;
        // One row too many must be refused, whatever the chunking was.
        let extra = e.push_rows(&xp.rows(0, 1)?, &yp.rows(0, 1)?, &mut rows);
        assert!(
            matches!(extra, Err(Error::RowOverflow { .. })),
            "pushing past the end: {extra:?}"
        );
        Ok((e.finish()?, rows))
    });
    match (&whole, &streamed) {
        (Err(a), Err(b)) => assert_eq!(a, b, "whole and streaming fail differently"),
        (Ok(a), Ok((b, rows))) => {
            assert_eq!(bits(a), bits(b), "streamed mean differs: {a:?} vs {b:?}");
            assert_eq!(whole_rows.0, rows.0, "streamed map rows differ");
        }
        _ => panic!("whole {whole:?} but streamed {streamed:?}"),
    }
    let Ok(whole) = whole else { return };

    // f32 samples handed over in place (packed copies, in random chunks) give the same bits.
    if T::KIND == SampleKind::F32 {
        let packed = |p: &Plane<'_, T>| -> Vec<f32> {
            (0..h)
                .flat_map(|j| (0..w).map(move |i| p.row(j)[i * p.step()].to_f32()))
                .collect()
        };
        let (mut xf, mut yf) = (packed(&xp), packed(&yp));
        let mut scratch = vec![ScratchBlock::ZERO; n];
        let mut e = Ssim::with_options(&params, w, h, options, &mut scratch).unwrap();
        let (a, b) = e.input_rows();
        let mut rows = Rows::default();
        let mut at = a;
        while at < b {
            let k = 1 + inp.below(b - at);
            let span = at * w..(at + k) * w;
            e.push_rows_in_place(&mut xf[span.clone()], &mut yf[span], &mut rows)
                .unwrap();
            at += k;
        }
        assert_eq!(
            bits(&e.finish().unwrap()),
            bits(&whole),
            "in-place mean differs"
        );
        assert_eq!(whole_rows.0, rows.0, "in-place map rows differ");
    }

    // Stopping one row early is RowsMissing.
    let mut scratch = vec![ScratchBlock::ZERO; n];
    let mut e = Ssim::with_options(&params, w, h, options, &mut scratch).unwrap();
    let (a, b) = e.input_rows();
    push_chunks(inp, &mut e, (&xp, &yp), (a, b - 1), &mut Rows::default()).unwrap();
    assert!(
        matches!(e.finish(), Err(Error::RowsMissing { .. })),
        "finish one row early"
    );

    // Bands: up to 6 random cuts of the map rows.
    let map_h = whole_rows.0.len();
    let mut cuts: Vec<usize> = (0..inp.below(6)).map(|_| inp.below(map_h + 1)).collect();
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
        let mut e = Ssim::with_options(&params, w, h, o, &mut scratch).unwrap();
        assert_eq!(e.output_rows(), (band[0], band[1]));
        let r = e.input_rows();
        push_chunks(inp, &mut e, (&xp, &yp), r, &mut rows).unwrap();
        e.finish().unwrap();
    }
    assert_eq!(whole_rows.0, rows.0, "band rows differ from whole");
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for r in rows.0.iter().filter(|r| r.pooled) {
        s += f64::from_bits(r.sums.0);
        c += f64::from_bits(r.sums.1);
    }
    assert_eq!(
        (s.to_bits(), c.to_bits()),
        (whole.ssim_sum.to_bits(), whole.cs_sum.to_bits()),
        "band sums added in row order differ from the whole image's"
    );
}
