//! What every libFuzzer target here shares: a memory limit that works without a sanitizer.
//!
//! libFuzzer's `-malloc_limit_mb` is enforced through a sanitizer's malloc hooks; on stable
//! Rust (`--sanitizer none`) there is none, and only `-rss_limit_mb` (polled once a second)
//! remains. So each target's allocator is [`Limited`]: one allocation above
//! [`MAX_ALLOCATION`], or more than [`MAX_LIVE`] allocated at once, aborts at the allocation
//! itself, which libFuzzer reports as a crash and saves the input that did it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The largest single allocation a target may make (the CI run's `-malloc_limit_mb`).
pub const MAX_ALLOCATION: usize = 256 << 20;
/// The most a target may hold allocated at once (below the CI run's `-rss_limit_mb`).
pub const MAX_LIVE: usize = 768 << 20;

/// The system allocator, counting, with the limits above.
#[derive(Debug)]
pub struct Limited {
    live: AtomicUsize,
}

impl Limited {
    /// Nothing allocated yet.
    pub const fn new() -> Self {
        Self {
            live: AtomicUsize::new(0),
        }
    }

    /// Counts `growth` more bytes held, for an allocation of `size`; aborts past a limit.
    fn admit(&self, size: usize, growth: usize) {
        let live = self.live.fetch_add(growth, Ordering::Relaxed) + growth;
        if size > MAX_ALLOCATION {
            out_of_memory(b"==tandem-fuzz== out-of-memory: one allocation above the limit\n");
        }
        if live > MAX_LIVE {
            out_of_memory(b"==tandem-fuzz== out-of-memory: more held at once than the limit\n");
        }
    }
}

/// A fixed message (nothing may be allocated here), then abort: libFuzzer saves the input.
fn out_of_memory(message: &[u8]) -> ! {
    let _ = std::io::stderr().write_all(message);
    std::process::abort()
}

impl Default for Limited {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every call is passed to the system allocator unchanged; the counters only decide
// whether to abort first.
unsafe impl GlobalAlloc for Limited {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.admit(layout.size(), layout.size());
        // SAFETY: the caller's contract for `alloc`, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.admit(layout.size(), layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.live.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            self.admit(new_size, new_size - layout.size());
        } else {
            self.live
                .fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
