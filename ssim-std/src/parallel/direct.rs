//! A level with an even window (jorge-pessoa/pytorch-msssim shrinks its window to
//! `min(11, H, W)` taps, centred at `n / 2`, so an even `n` is asymmetric). The streaming
//! kernels are built on symmetric windows; such a level has a side below the window size
//! (at most 10 rows or columns, a map one pixel thick across), so its input rows are
//! kept and the map is computed here in f64, directly from the definition.

use ssim_core::{Error, OutputRow, Params, Result, RowSink, Window};

/// One band's part of a level with an even window of `taps` taps.
pub(super) struct DirectLevel {
    width: usize,
    taps: usize,
    /// The 1-D window, `taps` weights normalised in f64.
    weights: Vec<f64>,
    c1: f64,
    c2: f64,
    /// Map rows of this band.
    rows: (usize, usize),
    /// Input rows `rows.0 .. rows.1 + taps - 1`, packed, as they arrive.
    x: Vec<f64>,
    y: Vec<f64>,
}

impl DirectLevel {
    /// The map of an image of `width x height` under a `taps`-tap window ('valid').
    pub(super) fn map_size(width: usize, height: usize, taps: usize) -> Result<(usize, usize)> {
        if width < taps || height < taps {
            return Err(Error::ImageSmallerThanWindow {
                width,
                height,
                window: taps,
            });
        }
        Ok((width - taps + 1, height - taps + 1))
    }

    pub(super) fn new(
        params: &Params,
        width: usize,
        height: usize,
        taps: usize,
        rows: (usize, usize),
    ) -> Result<Self> {
        params.validate()?;
        let Window::Gaussian { sigma, .. } = params.window else {
            return Err(Error::InvalidParameter {
                name: "window",
                expected: "a Gaussian window for levels whose window shrinks to an even size",
            });
        };
        let (_, map_h) = Self::map_size(width, height, taps)?;
        if !(rows.0 < rows.1 && rows.1 <= map_h) {
            return Err(Error::InvalidParameter {
                name: "rows",
                expected: "a non-empty range of map rows within the map height",
            });
        }
        // exp(-(i - n/2)^2 / (2 sigma^2)) for i = 0..n, summed left to right as torch does.
        let centre = (taps / 2) as f64;
        let mut weights: Vec<f64> = (0..taps)
            .map(|i| {
                let d = i as f64 - centre;
                (-(d * d) / (2.0 * sigma * sigma)).exp()
            })
            .collect();
        let sum: f64 = weights.iter().sum();
        weights.iter_mut().for_each(|w| *w /= sum);
        Ok(DirectLevel {
            width,
            taps,
            weights,
            c1: params.c1(),
            c2: params.c2(),
            rows,
            x: Vec::new(),
            y: Vec::new(),
        })
    }

    /// The input rows this band's map rows read.
    pub(super) fn input_rows(&self) -> (usize, usize) {
        (self.rows.0, self.rows.1 + self.taps - 1)
    }

    /// Keeps the next packed rows of both images.
    pub(super) fn push(&mut self, x: &[f32], y: &[f32]) {
        self.x.extend(x.iter().map(|&v| v as f64));
        self.y.extend(y.iter().map(|&v| v as f64));
    }

    /// Computes the map rows and hands them to `sink`; returns the number of pooled pixels.
    pub(super) fn finish(self, sink: &mut impl RowSink) -> Result<u64> {
        let (w, n) = (self.width, self.taps);
        let (in0, in1) = self.input_rows();
        if self.x.len() != (in1 - in0) * w {
            return Err(Error::RowsMissing {
                height: in1,
                pushed: in0 + self.x.len() / w,
            });
        }
        let map_w = w - n + 1;
        let g = &self.weights;
        let (mut ssim, mut cs) = (vec![0f32; map_w], vec![0f32; map_w]);
        let mut count = 0u64;
        for i in self.rows.0..self.rows.1 {
            let (mut ssim_sum, mut cs_sum) = (0.0f64, 0.0f64);
            for j in 0..map_w {
                let [mut mx, mut my, mut xx, mut yy, mut xy] = [0.0f64; 5];
                for (a, ga) in g.iter().enumerate() {
                    let row = (i - self.rows.0 + a) * w + j;
                    for (b, gb) in g.iter().enumerate() {
                        let wt = ga * gb;
                        let (u, v) = (self.x[row + b], self.y[row + b]);
                        mx += wt * u;
                        my += wt * v;
                        xx += wt * u * u;
                        yy += wt * v * v;
                        xy += wt * u * v;
                    }
                }
                let (sx, sy, sxy) = (xx - mx * mx, yy - my * my, xy - mx * my);
                let c = (2.0 * sxy + self.c2) / (sx + sy + self.c2);
                let l = (2.0 * mx * my + self.c1) / (mx * mx + my * my + self.c1);
                ssim_sum += l * c;
                cs_sum += c;
                ssim[j] = (l * c) as f32;
                cs[j] = c as f32;
            }
            count += map_w as u64;
            sink.row(OutputRow {
                index: i,
                ssim: &ssim,
                cs: &cs,
                pooled: true,
                ssim_sum,
                cs_sum,
            });
        }
        Ok(count)
    }
}
