//! Opt-in data-range rules of libraries called without a data range. The data range is a
//! parameter of SSIM, not a property of the pixels: every preset takes it explicitly, and
//! these rules exist only to reproduce a script that never passed one. They are never a
//! default.

use ssim_core::{Error, Plane, Result, Sample};

/// How a library derives `L` from the pixels when it is not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataRangeRule {
    /// torchmetrics' `data_range=None`: `max(preds.max() - preds.min(), target.max() -
    /// target.min())`, the larger value spread of the two images. A pair of flat images gets
    /// `L = 0`, which torchmetrics divides by; here that is an error.
    Torchmetrics,
    /// jorge-pessoa/pytorch-msssim's `val_range=None`, from its `img1` (the distorted
    /// image, as the presets call it): `max_val = 255` if its maximum is above 128, else 1;
    /// `min_val = -1` if its minimum is below -0.5, else 0; `L = max_val - min_val`. So an
    /// 8-bit image whose brightest pixel is 128 or less gets `L = 1`.
    JorgePessoa,
}

impl DataRangeRule {
    /// The name used by the CLI: `torchmetrics`, `jorge-pessoa`.
    ///
    /// ```
    /// use ssim_std::DataRangeRule;
    /// assert_eq!(DataRangeRule::JorgePessoa.name(), "jorge-pessoa");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            DataRangeRule::Torchmetrics => "torchmetrics",
            DataRangeRule::JorgePessoa => "jorge-pessoa",
        }
    }

    /// Parses a name; case-insensitive, `_` and `-` are interchangeable.
    ///
    /// ```
    /// use ssim_std::DataRangeRule;
    /// assert_eq!(DataRangeRule::from_name("Torchmetrics"), Some(DataRangeRule::Torchmetrics));
    /// assert_eq!(DataRangeRule::from_name("255"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<DataRangeRule> {
        let norm = name.to_ascii_lowercase().replace('_', "-");
        [DataRangeRule::Torchmetrics, DataRangeRule::JorgePessoa]
            .into_iter()
            .find(|r| r.name() == norm)
    }

    /// `L` for the reference `x` and the distorted `y` (one channel each; for colour, pass
    /// every channel's planes to [`data_range_planes`](Self::data_range_planes)).
    ///
    /// ```
    /// use ssim_std::{DataRangeRule, Plane};
    /// let x = [10u8, 200, 30, 40];
    /// let y = [0u8, 100, 120, 128];
    /// let (xp, yp) = (Plane::new(&x, 2, 2)?, Plane::new(&y, 2, 2)?);
    /// assert_eq!(DataRangeRule::Torchmetrics.data_range(&xp, &yp)?, 190.0);
    /// // jorge-pessoa looks at the distorted image only: its maximum 128 is not above 128.
    /// assert_eq!(DataRangeRule::JorgePessoa.data_range(&xp, &yp)?, 1.0);
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn data_range<T: Sample>(self, x: &Plane<'_, T>, y: &Plane<'_, T>) -> Result<f64> {
        self.data_range_planes(std::slice::from_ref(x), std::slice::from_ref(y))
    }

    /// `L` over all channels of both images (the libraries take the extremes of the whole
    /// tensor).
    ///
    /// ```
    /// use ssim_std::{DataRangeRule, Plane};
    /// let (r, g) = ([0.0f32, 0.5], [0.25f32, 1.0]);
    /// let planes = [Plane::new(&r, 2, 1)?, Plane::new(&g, 2, 1)?];
    /// assert_eq!(DataRangeRule::Torchmetrics.data_range_planes(&planes, &planes)?, 1.0);
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn data_range_planes<T: Sample>(
        self,
        x: &[Plane<'_, T>],
        y: &[Plane<'_, T>],
    ) -> Result<f64> {
        let extremes = |planes: &[Plane<'_, T>]| {
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for p in planes {
                for j in 0..p.height() {
                    for v in p.row(j).iter().step_by(p.step()) {
                        let v = v.to_f64();
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
            }
            (lo, hi)
        };
        let l = match self {
            DataRangeRule::Torchmetrics => {
                let ((xl, xh), (yl, yh)) = (extremes(x), extremes(y));
                (xh - xl).max(yh - yl)
            }
            DataRangeRule::JorgePessoa => {
                let (lo, hi) = extremes(y);
                let max_val = if hi > 128.0 { 255.0 } else { 1.0 };
                let min_val = if lo < -0.5 { -1.0 } else { 0.0 };
                max_val - min_val
            }
        };
        if !(l.is_finite() && l > 0.0) {
            return Err(Error::InvalidParameter {
                name: "data_range",
                expected: "images whose value spread is > 0 for the torchmetrics data-range \
                           rule (two flat images give L = 0)",
            });
        }
        Ok(l)
    }
}
