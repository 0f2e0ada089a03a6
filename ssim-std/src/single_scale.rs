//! Single-scale SSIM of two image channels: the mean ([`ssim`], [`ssim_with`]) and the maps
//! ([`ssim_map`], [`ssim_map_with`]).

use crate::parallel::{self, BlockMeans, Config, Job, LevelOut, PlanePair, RowSource};
use ssim_core::{Downsample, Params, Plane, Pooling, Result, Sample, SsimResult, Window};

/// Mean SSIM of two image channels, with the default [`Config`] (the fastest backend, or the
/// one `SSIM_BACKEND` names; bands on the current rayon pool).
///
/// ```
/// use ssim_std::{ssim, Params, Plane};
/// let (w, h) = (32, 24);
/// let x: Vec<u8> = (0..w * h).map(|i| (i * 7 % 256) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v.saturating_add(10)).collect();
/// let p = Params::wang2004(255.0);
/// let same = ssim(&p, &Plane::new(&x, w, h)?, &Plane::new(&x, w, h)?)?;
/// assert_eq!(same.ssim, 1.0);
/// let r = ssim(&p, &Plane::new(&x, w, h)?, &Plane::new(&y, w, h)?)?;
/// assert!(r.ssim < 1.0 && r.ssim > 0.9, "{}", r.ssim);
/// assert_eq!(r.count, ((w - 10) * (h - 10)) as u64); // valid region of an 11-tap window
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim<T: Sample>(params: &Params, x: &Plane<'_, T>, y: &Plane<'_, T>) -> Result<SsimResult> {
    ssim_with(params, x, y, &Config::default())
}

/// Mean SSIM of two image channels with an explicit [`Config`] (backend, threads). The value
/// is bitwise identical for any number of threads.
///
/// ```
/// use ssim_std::{ssim_with, Backend, Config, Params, Plane};
/// let (w, h) = (40, 64);
/// let x: Vec<f32> = (0..w * h).map(|i| (i % 13) as f32 / 13.0).collect();
/// let y: Vec<f32> = x.iter().map(|v| v * 0.9).collect();
/// let (xp, yp) = (Plane::new(&x, w, h)?, Plane::new(&y, w, h)?);
/// let p = Params::wang2004(1.0);
/// let one = Config { backend: Some(Backend::Scalar), threads: Some(1) };
/// let three = Config { threads: Some(3), ..one };
/// let r = ssim_with(&p, &xp, &yp, &one)?;
/// assert_eq!(r.backend, Backend::Scalar);
/// assert_eq!(r.ssim, ssim_with(&p, &xp, &yp, &three)?.ssim);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_with<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
) -> Result<SsimResult> {
    Ok(single_scale(params, &PlanePair::new(x, y)?, config, false)?.result)
}

/// An SSIM map with its mean.
#[derive(Clone, Debug)]
pub struct SsimMap {
    /// The mean over the pooled region.
    pub result: SsimResult,
    /// Map width.
    pub width: usize,
    /// Map height.
    pub height: usize,
    /// SSIM per map pixel, row-major, top to bottom.
    pub ssim: Vec<f32>,
    /// cs per map pixel.
    pub cs: Vec<f32>,
}

/// SSIM and cs maps with the default [`Config`]. Their size follows the parameters: the
/// valid region for `Pooling::Valid` (or the full size with `map_padding`, as scikit-image),
/// the full size for `Pooling::Same`.
///
/// ```
/// use ssim_std::{ssim_map, Params, Plane};
/// let (w, h) = (30, 20);
/// let x: Vec<u8> = (0..w * h).map(|i| (i * 3 % 256) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v / 2).collect();
/// let m = ssim_map(&Params::wang2004(255.0), &Plane::new(&x, w, h)?, &Plane::new(&y, w, h)?)?;
/// assert_eq!((m.width, m.height), (w - 10, h - 10));
/// assert_eq!(m.ssim.len(), m.width * m.height);
/// let mean = m.ssim.iter().map(|&v| v as f64).sum::<f64>() / m.ssim.len() as f64;
/// assert!((mean - m.result.ssim).abs() < 1e-6);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_map<T: Sample>(params: &Params, x: &Plane<'_, T>, y: &Plane<'_, T>) -> Result<SsimMap> {
    ssim_map_with(params, x, y, &Config::default())
}

/// SSIM and cs maps (as [`ssim_map`]) with an explicit [`Config`].
///
/// ```
/// use ssim_std::{ssim_map_with, Config, Params, Plane};
/// let (w, h) = (16, 48);
/// let x: Vec<u16> = (0..w * h).map(|i| (i * 37 % 1024) as u16).collect();
/// let p = Params::wang2004(1023.0);
/// let config = Config { threads: Some(2), ..Config::default() };
/// let m = ssim_map_with(&p, &Plane::new(&x, w, h)?, &Plane::new(&x, w, h)?, &config)?;
/// assert!(m.ssim.iter().chain(&m.cs).all(|&v| v == 1.0));
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_map_with<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
) -> Result<SsimMap> {
    let o = single_scale(params, &PlanePair::new(x, y)?, config, true)?;
    Ok(SsimMap {
        result: o.result,
        width: o.map_width,
        height: o.map_height,
        ssim: o.ssim_map.unwrap_or_default(),
        cs: o.cs_map.unwrap_or_default(),
    })
}

/// Single-scale SSIM over a row source, on bands; `maps`: keep both maps, full size where
/// the parameters ask for a padded map.
pub(crate) fn single_scale<S: RowSource>(
    params: &Params,
    src: &S,
    config: &Config,
    maps: bool,
) -> Result<LevelOut> {
    if let Some(rule) = params.auto_downsample {
        let f = rule.factor(src.width(), src.height());
        let stage = Params {
            auto_downsample: None,
            ..*params
        };
        if f > 1 {
            let backend = config.resolve_backend()?;
            return run(
                &stage,
                &BlockMeans::new(src, rule, f, backend)?,
                config,
                maps,
            );
        }
        return run(&stage, src, config, maps);
    }
    run(params, src, config, maps)
}

/// The job of one level with `params`, without a down-sampling stage.
fn job<'p>(params: &'p Params, config: &Config, maps: bool) -> Job<'p> {
    Job {
        params: std::slice::from_ref(params),
        direct_taps: &[None],
        levels: 1,
        downsample: Downsample::Wang2003,
        map: maps,
        ssim_map: maps,
        cs_map: maps,
        config: *config,
        rows: None,
    }
}

/// [`single_scale`] on parameters without a down-sampling stage.
fn run<S: RowSource>(params: &Params, src: &S, config: &Config, maps: bool) -> Result<LevelOut> {
    let mut out = parallel::run(src, &job(params, config, maps))?;
    Ok(out.remove(0))
}

/// Mean SSIM of each of several plane pairs of one size (the channels of an image), each the
/// bits [`single_scale`] gives for it alone. Gaussian windows over a valid map, the common
/// case, take [`parallel::run_channel_strips`] (the channels in lockstep, strip by strip, so
/// that an interleaved image is read once and the rings stay in cache); the rest are computed
/// channel by channel.
pub(crate) fn single_scale_channels<T: Sample>(
    params: &Params,
    pairs: &[PlanePair<'_, T>],
    config: &Config,
) -> Result<Vec<SsimResult>> {
    // One plane gains nothing from lockstep, and the strips' per-row overheads made it
    // slower (BENCHMARKS.md, "Colour against gray").
    let lockstep = pairs.len() > 1
        && matches!(params.window, Window::Gaussian { .. })
        && params.pooling == Pooling::Valid
        && match (params.auto_downsample, pairs.first()) {
            (Some(rule), Some(p)) => rule.factor(p.width(), p.height()) == 1,
            _ => true,
        };
    if lockstep {
        // With a factor of 1 the down-sampling stage does nothing.
        let stage = Params {
            auto_downsample: None,
            ..*params
        };
        return parallel::run_channel_strips(pairs, &job(&stage, config, false));
    }
    pairs
        .iter()
        .map(|p| Ok(single_scale(params, p, config, false)?.result))
        .collect()
}

/// Map rows each band computes per chunk of [`SsimMapRows`]: the window halo (`2r` rows read
/// again at each band edge) costs a few percent at this height, and a chunk holds
/// `CHUNK_BAND_ROWS * bands` map rows.
const CHUNK_BAND_ROWS: usize = 256;

/// The SSIM map of one plane pair delivered in chunks of rows, top to bottom, each computed
/// when it is asked for: a map written as it is produced costs memory for one chunk
/// (`256 * bands` rows of the map's width), not for the whole map. The rows, and the mean
/// after the last chunk, are the same bits as [`ssim_map_with`]'s.
///
/// ```
/// use ssim_std::{ssim_map_with, Config, Params, Plane, SsimMapRows};
/// let (w, h) = (64, 700);
/// let x: Vec<u8> = (0..w * h).map(|i| (i * 7 % 251) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v / 2 + 9).collect();
/// let (xp, yp) = (Plane::new(&x, w, h)?, Plane::new(&y, w, h)?);
/// let p = Params::wang2004(255.0);
/// let config = Config { threads: Some(2), ..Config::default() };
/// let mut rows = SsimMapRows::new(&p, &xp, &yp, &config)?;
/// let (mw, _) = rows.map_size();
/// let mut map = Vec::new();
/// while let Some((first, chunk)) = rows.next_rows()? {
///     assert_eq!(first * mw, map.len());
///     map.extend_from_slice(chunk);
/// }
/// let whole = ssim_map_with(&p, &xp, &yp, &config)?;
/// assert_eq!(map, whole.ssim);
/// assert_eq!(rows.result().unwrap().ssim, whole.result.ssim);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub struct SsimMapRows<'a, T: Sample> {
    params: &'a Params,
    x: Plane<'a, T>,
    y: Plane<'a, T>,
    config: Config,
    map: (usize, usize),
    chunk: usize,
    next: usize,
    sums: (f64, f64, u64),
    result: Option<SsimResult>,
    rows: Vec<f32>,
    /// The whole map, for parameters with an automatic down-sampling stage (piq, wang2009).
    whole: Option<LevelOut>,
}

impl<'a, T: Sample> SsimMapRows<'a, T> {
    /// Checks the arguments (as [`ssim_map_with`] would) and computes nothing yet, except
    /// for parameters with an automatic down-sampling stage (`Params::auto_downsample`: the
    /// piq and wang2009 presets): their map, `1/f^2` of the image, is computed whole here and
    /// delivered as one chunk.
    ///
    /// ```
    /// use ssim_std::{Config, Params, Plane, SsimMapRows};
    /// let x = vec![0u8; 8 * 8];
    /// let p = Plane::new(&x, 8, 8)?;
    /// let params = Params::wang2004(255.0);
    /// // Smaller than the 11x11 window.
    /// assert!(SsimMapRows::new(&params, &p, &p, &Config::default()).is_err());
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn new(
        params: &'a Params,
        x: &Plane<'a, T>,
        y: &Plane<'a, T>,
        config: &Config,
    ) -> Result<SsimMapRows<'a, T>> {
        let pair = PlanePair::new(x, y)?;
        let (map, whole) = if params.auto_downsample.is_some() {
            let o = single_scale(params, &pair, config, true)?;
            ((o.map_width, o.map_height), Some(o))
        } else {
            let map = ssim_core::map_size(params, x.width(), x.height(), true)?;
            (map, None)
        };
        let chunk = CHUNK_BAND_ROWS * config.max_bands()?;
        Ok(SsimMapRows {
            params,
            x: *x,
            y: *y,
            config: *config,
            map,
            chunk,
            next: 0,
            sums: (0.0, 0.0, 0),
            result: None,
            rows: Vec::new(),
            whole,
        })
    }

    /// The map's `(width, height)`.
    ///
    /// ```
    /// use ssim_std::{Config, Params, Plane, SsimMapRows};
    /// let x = vec![7u8; 30 * 20];
    /// let p = Plane::new(&x, 30, 20)?;
    /// let params = Params::wang2004(255.0);
    /// let rows = SsimMapRows::new(&params, &p, &p, &Config::default())?;
    /// assert_eq!(rows.map_size(), (20, 10));
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn map_size(&self) -> (usize, usize) {
        self.map
    }

    /// The next chunk: the index of its first map row and its rows (row-major, the map's
    /// width each); `None` after the last row.
    ///
    /// ```
    /// use ssim_std::{Config, Params, Plane, SsimMapRows};
    /// let x = vec![7u8; 30 * 20];
    /// let p = Plane::new(&x, 30, 20)?;
    /// let params = Params::wang2004(255.0);
    /// let mut rows = SsimMapRows::new(&params, &p, &p, &Config::default())?;
    /// let (first, chunk) = rows.next_rows()?.unwrap();
    /// assert_eq!((first, chunk.len()), (0, 20 * 10));
    /// assert!(rows.next_rows()?.is_none());
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn next_rows(&mut self) -> Result<Option<(usize, &[f32])>> {
        let (_, mh) = self.map;
        if self.next >= mh {
            return Ok(None);
        }
        let span = parallel::Span {
            start: self.next,
            end: mh.min(self.next + self.chunk),
        };
        if let Some(whole) = self.whole.take() {
            // Parameters with a down-sampling stage: the map was computed whole in `new`.
            self.result = Some(whole.result);
            self.rows = whole.ssim_map.unwrap_or_default();
            self.next = mh;
            return Ok(Some((0, &self.rows)));
        }
        let job = Job {
            params: std::slice::from_ref(self.params),
            direct_taps: &[None],
            levels: 1,
            downsample: Downsample::Wang2003,
            map: true,
            ssim_map: true,
            cs_map: false,
            config: self.config,
            rows: Some(span),
        };
        let src = PlanePair::new(&self.x, &self.y)?;
        let out = parallel::run_from(&src, &job, self.sums)?.remove(0);
        let r = out.result;
        self.sums = (r.ssim_sum, r.cs_sum, r.count);
        if span.end == mh {
            self.result = Some(r);
        }
        self.rows = out.ssim_map.unwrap_or_default();
        self.next = span.end;
        Ok(Some((span.start, &self.rows)))
    }

    /// The mean over the pooled region, once the last chunk has been delivered.
    ///
    /// ```
    /// use ssim_std::{Config, Params, Plane, SsimMapRows};
    /// let x = vec![7u8; 30 * 20];
    /// let p = Plane::new(&x, 30, 20)?;
    /// let params = Params::wang2004(255.0);
    /// let mut rows = SsimMapRows::new(&params, &p, &p, &Config::default())?;
    /// assert!(rows.result().is_none());
    /// while rows.next_rows()?.is_some() {}
    /// assert_eq!(rows.result().unwrap().ssim, 1.0);
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn result(&self) -> Option<SsimResult> {
        self.result
    }
}
