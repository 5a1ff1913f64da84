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

/// The rows whose name contains `only` (all when it is `None`); an error when none does.
pub(crate) fn select<R: Copy, S: AsRef<str>>(
    all: &[R],
    only: Option<&str>,
    name: impl Fn(R) -> S,
) -> Result<Vec<R>, String> {
    let rows: Vec<R> =
        all.iter().copied().filter(|&r| only.is_none_or(|o| name(r).as_ref().contains(o))).collect();
    if rows.is_empty() { Err("--only matches no row".into()) } else { Ok(rows) }
}

/// Interleaved rounds of end-to-end passes: a warm-up round (whose passes check the replies
/// like every other), then `runs` timed rounds with the rows rotated so that no row always
/// runs first. `reset` runs before every pass (a FLUSHALL); `pass` returns the seconds of its
/// SET and GET phases over `requests` keys. Returns each row's medians, in requests per second.
pub(crate) fn interleaved_rates<R: Copy, S: AsRef<str>>(
    rows: &[R],
    runs: usize,
    requests: usize,
    name: impl Fn(R) -> S,
    mut reset: impl FnMut() -> Result<(), String>,
    mut pass: impl FnMut(R) -> Result<(f64, f64), String>,
) -> Result<Vec<f64>, String> {
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); rows.len()];
    for round in 0..=runs {
        for k in 0..rows.len() {
            let i = (k + round) % rows.len();
            eprint!("\r  round {round}/{runs}: {}                    ", name(rows[i]).as_ref());
            reset()?;
            let (set, get) = pass(rows[i])?;
            if round > 0 {
                rates[i].push(2.0 * requests as f64 / (set + get));
            }
        }
    }
    eprintln!("\r{:70}", "");
    Ok(rates.iter().map(|r| median(r)).collect())
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

    #[test]
    fn interleaved_rounds_rotate_the_rows_and_leave_the_warm_up_out() {
        let mut order = Vec::new();
        let mut resets = 0;
        let mut calls = 0;
        let medians = interleaved_rates(
            &['a', 'b'],
            2,
            10,
            |r| r.to_string(),
            || {
                resets += 1;
                Ok(())
            },
            |r| {
                order.push(r);
                calls += 1;
                // The warm-up pass of each row is slow; the timed ones take 1 s or 2 s.
                Ok(if calls <= 2 {
                    (50.0, 50.0)
                } else if r == 'a' {
                    (0.5, 0.5)
                } else {
                    (1.0, 1.0)
                })
            },
        )
        .unwrap();
        assert_eq!(order, ['a', 'b', 'b', 'a', 'a', 'b']);
        assert_eq!(resets, 6);
        assert_eq!(medians, [20.0, 10.0]);
        assert_eq!(select(&['a', 'b'], Some("b"), |r| r.to_string()).unwrap(), ['b']);
        assert!(select(&['a', 'b'], Some("c"), |r| r.to_string()).is_err());
    }
}
