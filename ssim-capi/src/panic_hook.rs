//! The panic policy of the no_std library (feature `panic-hook`): a panic is a bug (every
//! entry point validates its arguments and returns a status first), and the firmware decides
//! what a bug does. The handler calls the C function `ssim_panic_hook(file, line)`, which the
//! firmware defines (log, reset, halt); if the hook returns, the handler spins.

use core::ffi::c_char;
use core::panic::PanicInfo;

extern "C" {
    /// Defined by the firmware: `void ssim_panic_hook(const char *file, uint32_t line)`.
    /// `file` is NUL-terminated (cut to 95 bytes), or `"?"`.
    fn ssim_panic_hook(file: *const c_char, line: u32);
}

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    // The file name of a Location is not NUL-terminated: copy it on the stack.
    let mut file = [0u8; 96];
    let mut line = 0;
    match info.location() {
        Some(loc) => {
            let name = loc.file().as_bytes();
            let n = name.len().min(file.len() - 1);
            file[..n].copy_from_slice(&name[..n]);
            line = loc.line();
        }
        None => file[0] = b'?',
    }
    // SAFETY: the firmware defines the hook with this C signature (README, "Using on a
    // microcontroller"); `file` is a NUL-terminated buffer that outlives the call.
    unsafe { ssim_panic_hook(file.as_ptr().cast(), line) };
    loop {
        core::hint::spin_loop();
    }
}
