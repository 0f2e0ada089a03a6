//! Image views as C structs, and their checked conversion to `Plane`s.

use core::mem::align_of;

use ssim_core::{Error, Plane, Sample};

use crate::status::{Failure, Message, SSIM_ERROR_MISALIGNED_POINTER, SSIM_ERROR_NULL_POINTER};
use crate::{check_object_size, ref_ptr};

// cbindgen reads the source without expanding macros, so the three structs are written out.

/// One channel of an image of `uint8_t` samples, read in place.
///
/// Sample `(col, row)` is `data[row * stride + col * step]`; **stride and step are counted in
/// samples, not bytes**. A plain grey image has `stride = width` (or more, for padded rows)
/// and `step = 1`; the green channel of packed RGB has `data = rgb + 1`, `stride = 3 * width`
/// and `step = 3`. `data` must point to `(height - 1) * stride + (width - 1) * step + 1`
/// readable samples.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ssim_image_u8 {
    /// The first sample (top-left pixel), aligned for its type.
    pub data: *const u8,
    /// Width in pixels, >= 1.
    pub width: usize,
    /// Height in pixels, >= 1.
    pub height: usize,
    /// Samples from the start of one row to the start of the next: at least
    /// `(width - 1) * step + 1` when `height > 1`.
    pub stride: usize,
    /// Samples from one pixel to the next within a row, >= 1 (1 for a plain plane).
    pub step: usize,
}

impl CImage for ssim_image_u8 {
    type Sample = u8;
    fn parts(&self) -> (*const u8, usize, usize, usize, usize) {
        (self.data, self.width, self.height, self.stride, self.step)
    }
}

/// One channel of an image of `uint16_t` samples, read in place.
///
/// Sample `(col, row)` is `data[row * stride + col * step]`; **stride and step are counted in
/// samples, not bytes**. A plain grey image has `stride = width` (or more, for padded rows)
/// and `step = 1`; the green channel of packed RGB has `data = rgb + 1`, `stride = 3 * width`
/// and `step = 3`. `data` must point to `(height - 1) * stride + (width - 1) * step + 1`
/// readable samples.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ssim_image_u16 {
    /// The first sample (top-left pixel), aligned for its type.
    pub data: *const u16,
    /// Width in pixels, >= 1.
    pub width: usize,
    /// Height in pixels, >= 1.
    pub height: usize,
    /// Samples from the start of one row to the start of the next: at least
    /// `(width - 1) * step + 1` when `height > 1`.
    pub stride: usize,
    /// Samples from one pixel to the next within a row, >= 1 (1 for a plain plane).
    pub step: usize,
}

impl CImage for ssim_image_u16 {
    type Sample = u16;
    fn parts(&self) -> (*const u16, usize, usize, usize, usize) {
        (self.data, self.width, self.height, self.stride, self.step)
    }
}

/// One channel of an image of `float` samples, read in place.
///
/// Sample `(col, row)` is `data[row * stride + col * step]`; **stride and step are counted in
/// samples, not bytes**. A plain grey image has `stride = width` (or more, for padded rows)
/// and `step = 1`; the green channel of packed RGB has `data = rgb + 1`, `stride = 3 * width`
/// and `step = 3`. `data` must point to `(height - 1) * stride + (width - 1) * step + 1`
/// readable samples.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ssim_image_f32 {
    /// The first sample (top-left pixel), aligned for its type.
    pub data: *const f32,
    /// Width in pixels, >= 1.
    pub width: usize,
    /// Height in pixels, >= 1.
    pub height: usize,
    /// Samples from the start of one row to the start of the next: at least
    /// `(width - 1) * step + 1` when `height > 1`.
    pub stride: usize,
    /// Samples from one pixel to the next within a row, >= 1 (1 for a plain plane).
    pub step: usize,
}

impl CImage for ssim_image_f32 {
    type Sample = f32;
    fn parts(&self) -> (*const f32, usize, usize, usize, usize) {
        (self.data, self.width, self.height, self.stride, self.step)
    }
}

/// The three image structs, for code generic over the sample type.
pub(crate) trait CImage {
    type Sample: Sample;
    /// `data, width, height, stride, step`.
    fn parts(&self) -> (*const Self::Sample, usize, usize, usize, usize);
}

/// Which of the two images an argument is.
#[derive(Clone, Copy)]
pub(crate) struct Names {
    pub image: &'static str,
    pub data: &'static str,
}

pub(crate) const REFERENCE: Names = Names {
    image: "x (reference image)",
    data: "x->data (reference samples)",
};
pub(crate) const DISTORTED: Names = Names {
    image: "y (distorted image)",
    data: "y->data (distorted samples)",
};

/// A checked `Plane` over the caller's samples.
///
/// Every check of `Plane::with_layout` is done here first, on the numbers alone, so that the
/// slice handed to it covers exactly the samples the layout reads and no more.
///
/// # Safety
///
/// `img` must be NULL or point to a readable image struct whose `data` is NULL or points to
/// at least `(height - 1) * stride + (width - 1) * step + 1` initialised samples that live
/// for `'a` and are not written meanwhile.
pub(crate) unsafe fn plane_from<'a, I: CImage>(
    img: *const I,
    names: Names,
) -> Result<Plane<'a, I::Sample>, Failure> {
    // SAFETY: forwarded contract.
    let img = unsafe { ref_ptr(img, names.image) }?;
    let (data, width, height, stride, step) = img.parts();
    if data.is_null() {
        return Err(Failure {
            status: SSIM_ERROR_NULL_POINTER,
            message: Message::Null(names.data),
        });
    }
    if !(data as usize).is_multiple_of(align_of::<I::Sample>()) {
        return Err(Failure {
            status: SSIM_ERROR_MISALIGNED_POINTER,
            message: Message::Misaligned(names.data),
        });
    }
    if width == 0 || height == 0 {
        return Err(Error::ZeroDimension { width, height }.into());
    }
    if step == 0 {
        return Err(Error::ChannelStep { step }.into());
    }
    let overflow = Error::DimensionOverflow { width, height };
    width.checked_mul(height).ok_or(overflow)?;
    let row_len = (width - 1)
        .checked_mul(step)
        .and_then(|v| v.checked_add(1))
        .ok_or(overflow)?;
    if height > 1 && stride < row_len {
        return Err(Error::StrideTooShort {
            stride,
            min: row_len,
        }
        .into());
    }
    let len = (height - 1)
        .checked_mul(stride)
        .and_then(|v| v.checked_add(row_len))
        .ok_or(overflow)?;
    check_object_size::<I::Sample>(data as usize, len)?;
    // SAFETY: `data` is non-NULL and aligned (checked), `len` samples fit in one object
    // (checked), and the caller guarantees they are readable and initialised for `'a`.
    let samples = unsafe { core::slice::from_raw_parts(data, len) };
    Ok(Plane::with_layout(samples, width, height, stride, step)?)
}
