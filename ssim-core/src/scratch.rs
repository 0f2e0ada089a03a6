//! Caller-provided working memory.

/// One 64-byte, 64-byte-aligned unit of scratch memory. The engine takes `&mut [ScratchBlock]`
/// so the caller decides where the memory lives (a `static`, the stack, a heap `Vec`), and
/// every row the kernels touch starts on a cache line.
///
/// ```
/// use ssim_core::{scratch_len, Params, ScratchBlock};
/// let n = scratch_len(&Params::wang2004(255.0), 640, false).unwrap();
/// let mut scratch = vec![ScratchBlock::ZERO; n];
/// # let _ = &mut scratch;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C, align(64))]
pub struct ScratchBlock(pub [f32; 16]);

impl ScratchBlock {
    /// A zeroed block (the contents never matter: the engine writes before it reads).
    pub const ZERO: ScratchBlock = ScratchBlock([0.0; 16]);
    /// Bytes in one block.
    pub const BYTES: usize = 64;

    /// The aligned blocks inside an arbitrary byte buffer (for C callers who hand in
    /// `void *` memory): skips up to 63 leading bytes to reach alignment.
    ///
    /// ```
    /// use ssim_core::ScratchBlock;
    /// let mut bytes = vec![0u8; 1000];
    /// let blocks = ScratchBlock::from_bytes(&mut bytes);
    /// assert!(blocks.len() >= 14); // 1000 bytes hold 15 blocks, or 14 after up to 63 skipped
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn from_bytes(bytes: &mut [u8]) -> &mut [ScratchBlock] {
        let (_, blocks, _) = bytemuck::pod_align_to_mut::<u8, ScratchBlock>(bytes);
        blocks
    }
}

/// Blocks needed for `n` values of `bytes` bytes each, rounded up to whole blocks.
pub(crate) const fn blocks_for(n: usize, bytes: usize) -> Option<usize> {
    match n.checked_mul(bytes) {
        Some(b) => Some(b.div_ceil(ScratchBlock::BYTES)),
        None => None,
    }
}
