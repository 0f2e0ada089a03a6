//! Per-thread memory: one allocation per band, kept by the thread for its next band.

use ssim_core::ScratchBlock;
use std::cell::RefCell;

/// Working memory of one band: the engines' scratch blocks and the pyramid's rows.
#[derive(Default)]
pub(super) struct BandMemory {
    pub blocks: Vec<ScratchBlock>,
    pub rows: Vec<f32>,
}

thread_local! {
    /// The memory of the last band this thread ran, for the next one: a call then neither
    /// allocates nor zeroes megabytes (nor page-faults them in) before computing.
    static SPARE: RefCell<BandMemory> = const {
        RefCell::new(BandMemory {
            blocks: Vec::new(),
            rows: Vec::new(),
        })
    };
}

/// Most memory a thread keeps between calls: enough for a 3840-wide MS-SSIM band (about
/// 3.3 MiB), so a pool of many threads keeps at most this much each. A larger band's memory
/// is freed when it ends.
const SPARE_MAX_BYTES: usize = 4 << 20;

impl BandMemory {
    /// At least `blocks` scratch blocks and `rows` floats: this thread's spare if large
    /// enough, else fresh.
    pub fn take(blocks: usize, rows: usize) -> BandMemory {
        let mut m = SPARE.with(|s| s.take());
        if m.blocks.len() < blocks {
            m.blocks = Vec::new();
            m.blocks = vec![ScratchBlock::ZERO; blocks];
        }
        if m.rows.len() < rows {
            m.rows = Vec::new();
            m.rows = vec![0f32; rows];
        }
        if cfg!(debug_assertions) {
            // Nothing may read what a previous call left (the engine writes before it reads,
            // and so does the pyramid): poisoned, a read before a write shows in the tests.
            m.blocks.fill(ScratchBlock([f32::NAN; 16]));
            m.rows.fill(f32::NAN);
        }
        m
    }

    /// Keeps the memory for this thread's next band, unless it is larger than
    /// [`SPARE_MAX_BYTES`].
    pub fn keep(self) {
        let bytes = self.blocks.len() * ScratchBlock::BYTES + self.rows.len() * 4;
        if bytes <= SPARE_MAX_BYTES {
            SPARE.with(|s| *s.borrow_mut() = self);
        }
    }
}

/// The first `n` values of `*rest`, which keeps the others.
pub(super) fn carve<'m, T>(rest: &mut &'m mut [T], n: usize) -> &'m mut [T] {
    let (head, tail) = std::mem::take(rest).split_at_mut(n);
    *rest = tail;
    head
}
