//! Timing: repeat a pass until a minimum time has passed, and take medians over runs.

use std::time::{Duration, Instant};

/// Runs `pass` until at least `min` has elapsed (at least once) and returns the mean
/// seconds per pass. Repeating short passes keeps timer resolution and one-off stalls out
/// of the result.
pub(crate) fn seconds_per_pass<T>(min: Duration, mut pass: impl FnMut() -> T) -> f64 {
    let start = Instant::now();
    let mut passes = 0u32;
    loop {
        std::hint::black_box(pass());
        passes += 1;
        let elapsed = start.elapsed();
        if elapsed >= min {
            return elapsed.as_secs_f64() / f64::from(passes);
        }
    }
}

/// The median of `samples` (the mean of the two middle values for an even count); NaN
/// when there are none.
pub(crate) fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn passes_at_least_once() {
        let mut calls = 0;
        let secs = seconds_per_pass(Duration::ZERO, || calls += 1);
        assert_eq!(calls, 1);
        assert!(secs >= 0.0);
    }
}
