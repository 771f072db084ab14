//! Synthetic teams for demos and benchmarks.
