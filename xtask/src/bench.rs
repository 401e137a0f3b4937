//! `cargo xtask bench`: placeholder until the figures are wired.

/// Prints the figures.
pub fn run() -> Result<(), String> {
    Err("the benchmarks are not written yet".into())
}
