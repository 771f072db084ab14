//! End-to-end tests live in `sync/` (one test binary); this library is empty.
