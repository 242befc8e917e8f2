//! Helpers shared by the integration tests.

/// Stack of the thread [`on_big_stack`] runs a test body on: 16 MiB.
///
/// Measured on the debug test profile (dependencies unoptimized): building and
/// collecting the gold plans overflows the default 2 MiB stack of a test thread, and
/// every test here passes with 4 MiB (also with `RUST_MIN_STACK=8388608`); 16 MiB keeps
/// a 4× margin for deeper plans.
const TEST_STACK_BYTES: usize = 16 << 20;

/// Runs `f` on a thread with [`TEST_STACK_BYTES`] of stack, re-raising its panic (so
/// proptest sees, and shrinks, the failure).
pub fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(TEST_STACK_BYTES)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}
