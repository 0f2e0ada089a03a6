//! Borrowed views of one channel of an image, in place, with strides.

use crate::error::{Error, Result};

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
    impl Sealed for f32 {}
}

/// The sample types the engine reads: `u8`, `u16` and `f32`.
pub trait Sample: sealed::Sealed + Copy + Send + Sync + 'static {
    /// The sample as f32; exact for `u8` and `u16`.
    fn to_f32(self) -> f32;
    /// The sample as f64; exact for every type.
    fn to_f64(self) -> f64;
    /// Which type this is, for dispatch to the matching kernels.
    const KIND: SampleKind;
    /// The slice as its concrete type, for dispatch to the matching kernels.
    #[doc(hidden)]
    fn slice(s: &[Self]) -> SampleSlice<'_>;
}

/// A slice of one of the [`Sample`] types.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum SampleSlice<'a> {
    /// 8-bit samples.
    U8(&'a [u8]),
    /// 16-bit samples.
    U16(&'a [u16]),
    /// Float samples.
    F32(&'a [f32]),
}

/// The run-time tag of a [`Sample`] type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleKind {
    /// 8-bit unsigned.
    U8,
    /// 16-bit unsigned.
    U16,
    /// 32-bit float.
    F32,
}

impl Sample for u8 {
    fn to_f32(self) -> f32 {
        self as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    const KIND: SampleKind = SampleKind::U8;
    fn slice(s: &[Self]) -> SampleSlice<'_> {
        SampleSlice::U8(s)
    }
}
impl Sample for u16 {
    fn to_f32(self) -> f32 {
        self as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    const KIND: SampleKind = SampleKind::U16;
    fn slice(s: &[Self]) -> SampleSlice<'_> {
        SampleSlice::U16(s)
    }
}
impl Sample for f32 {
    fn to_f32(self) -> f32 {
        self
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    const KIND: SampleKind = SampleKind::F32;
    fn slice(s: &[Self]) -> SampleSlice<'_> {
        SampleSlice::F32(s)
    }
}

/// One channel of an image: `width x height` samples, rows `stride` samples apart, pixels
/// `step` samples apart within a row (1 for a plane, 3 for one channel of packed RGB).
///
/// Every constructor checks that the layout fits in `data`, so the engine never reads out of
/// bounds whatever it is given.
///
/// ```
/// use ssim_core::Plane;
/// // The green channel of a 2x1 packed RGB image.
/// let rgb = [10u8, 20, 30, 40, 50, 60];
/// let g = Plane::with_layout(&rgb[1..], 2, 1, 6, 3).unwrap();
/// assert_eq!(g.get(1, 0), 50);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Plane<'a, T: Sample> {
    data: &'a [T],
    width: usize,
    height: usize,
    stride: usize,
    step: usize,
}

impl<'a, T: Sample> Plane<'a, T> {
    /// A tightly packed plane: stride `width`, step 1.
    ///
    /// ```
    /// use ssim_core::Plane;
    /// let data = [0u8; 6];
    /// let p = Plane::new(&data, 3, 2)?;
    /// assert_eq!((p.width(), p.height()), (3, 2));
    /// assert!(Plane::new(&data, 4, 2).is_err());
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn new(data: &'a [T], width: usize, height: usize) -> Result<Self> {
        Self::with_layout(data, width, height, width, 1)
    }

    /// A plane with an explicit row `stride` and pixel `step`, both in samples.
    ///
    /// ```
    /// use ssim_core::Plane;
    /// // The green channel of 2x2 packed RGB with a padded stride of 8 samples.
    /// let rgb = [1u8, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0];
    /// let g = Plane::with_layout(&rgb[1..], 2, 2, 8, 3)?;
    /// assert_eq!((g.get(0, 0), g.get(1, 0), g.get(1, 1)), (2, 5, 11));
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn with_layout(
        data: &'a [T],
        width: usize,
        height: usize,
        stride: usize,
        step: usize,
    ) -> Result<Self> {
        if width == 0 || height == 0 {
            return Err(Error::ZeroDimension { width, height });
        }
        if step == 0 {
            return Err(Error::ChannelStep { step });
        }
        let overflow = Error::DimensionOverflow { width, height };
        width.checked_mul(height).ok_or(overflow)?;
        let row_len = (width - 1)
            .checked_mul(step)
            .and_then(|v| v.checked_add(1))
            .ok_or(overflow)?;
        if stride < row_len && height > 1 {
            return Err(Error::StrideTooShort {
                stride,
                min: row_len,
            });
        }
        let needed = (height - 1)
            .checked_mul(stride)
            .and_then(|v| v.checked_add(row_len))
            .ok_or(overflow)?;
        if data.len() < needed {
            return Err(Error::BufferTooShort {
                len: data.len(),
                needed,
            });
        }
        Ok(Plane {
            data,
            width,
            height,
            stride,
            step,
        })
    }

    /// Width in pixels.
    ///
    /// ```
    /// use ssim_core::Plane;
    /// assert_eq!(Plane::new(&[0u16; 12], 4, 3)?.width(), 4);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn width(&self) -> usize {
        self.width
    }
    /// Height in pixels.
    ///
    /// ```
    /// use ssim_core::Plane;
    /// assert_eq!(Plane::new(&[0u16; 12], 4, 3)?.height(), 3);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn height(&self) -> usize {
        self.height
    }
    /// Row stride in samples.
    ///
    /// ```
    /// use ssim_core::Plane;
    /// assert_eq!(Plane::new(&[0f32; 12], 4, 3)?.stride(), 4);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn stride(&self) -> usize {
        self.stride
    }
    /// Pixel step in samples.
    ///
    /// ```
    /// use ssim_core::Plane;
    /// assert_eq!(Plane::with_layout(&[0u8; 12], 2, 2, 6, 3)?.step(), 3);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn step(&self) -> usize {
        self.step
    }

    /// The sample at column `x`, row `y`. Panics if out of range (use in tests and oracles).
    ///
    /// ```
    /// use ssim_core::Plane;
    /// let p = Plane::new(&[1u8, 2, 3, 4, 5, 6], 3, 2)?;
    /// assert_eq!(p.get(2, 1), 6);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn get(&self, x: usize, y: usize) -> T {
        assert!(x < self.width && y < self.height);
        self.data[y * self.stride + x * self.step]
    }

    /// Row `y` as a slice that starts at its first pixel and ends at its last
    /// (`(width - 1) * step + 1` samples).
    ///
    /// ```
    /// use ssim_core::Plane;
    /// let p = Plane::new(&[1u8, 2, 3, 4, 5, 6], 3, 2)?;
    /// assert_eq!(p.row(1)[0], 4);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn row(&self, y: usize) -> &'a [T] {
        let start = y * self.stride;
        &self.data[start..start + (self.width - 1) * self.step + 1]
    }

    /// Columns `start..start + count` as a plane of their own (a vertical strip, for
    /// computing a wide image strip by strip).
    ///
    /// ```
    /// use ssim_core::Plane;
    /// let data: Vec<u8> = (0..12).collect();
    /// let strip = Plane::new(&data, 4, 3)?.columns(1, 2)?;
    /// assert_eq!((strip.width(), strip.height()), (2, 3));
    /// assert_eq!((strip.get(0, 0), strip.get(1, 2)), (1, 10));
    /// assert!(Plane::new(&data, 4, 3)?.columns(3, 2).is_err());
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn columns(&self, start: usize, count: usize) -> Result<Plane<'a, T>> {
        if count == 0 || start.checked_add(count).is_none_or(|e| e > self.width) {
            return Err(Error::InvalidParameter {
                name: "columns",
                expected: "a non-empty span of columns inside the plane",
            });
        }
        // Columns of a valid plane make a valid plane: the strip's rows end where the
        // plane's rows end or before, at the same stride.
        Ok(Plane {
            data: &self.data[start * self.step..],
            width: count,
            ..*self
        })
    }

    /// Rows `start..start + count` as a plane of their own (for streaming in chunks).
    ///
    /// ```
    /// use ssim_core::Plane;
    /// let data: Vec<u8> = (0..12).collect();
    /// let band = Plane::new(&data, 3, 4)?.rows(1, 2)?;
    /// assert_eq!((band.height(), band.get(0, 0)), (2, 3));
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    #[inline]
    pub fn rows(&self, start: usize, count: usize) -> Result<Plane<'a, T>> {
        if count == 0 || start.checked_add(count).is_none_or(|e| e > self.height) {
            return Err(Error::RowOverflow {
                height: self.height,
                pushed: start.saturating_add(count),
            });
        }
        // Rows of a valid plane make a valid plane: `with_layout`'s checks held for the
        // whole, so they hold for `count <= height - start` rows from row `start` (this runs
        // for every row the band pump hands over).
        Ok(Plane {
            data: &self.data[start * self.stride..],
            height: count,
            ..*self
        })
    }
}
