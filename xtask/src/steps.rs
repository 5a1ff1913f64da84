//! Timed steps, the test counts read from `cargo test`, and the closing summary.

use std::time::Instant;

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// It did what it should.
    Ok,
    /// It failed; the run goes on and exits non-zero at the end.
    Failed,
    /// `--skip` left it out.
    Skipped,
}

/// One line of the summary.
#[derive(Debug)]
struct Record {
    /// The step's name, e.g. `clippy` or `fuzz decode`.
    name: String,
    /// How it ended.
    status: Status,
    /// Wall-clock seconds it took.
    seconds: f64,
    /// What it did or why it failed, in a few words.
    note: String,
}

/// The tests that `cargo test` reported, summed over its `test result:` lines, and the
/// failed ones by name with the first lines of what they printed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct TestCounts {
    /// Tests that passed.
    pub(crate) passed: u64,
    /// Tests that failed.
    pub(crate) failed: u64,
    /// Tests marked `#[ignore]`.
    pub(crate) ignored: u64,
    /// Each failed test's name and the first lines of its output (the panic message), so
    /// the summary that CI keeps says which test failed and why.
    pub(crate) failures: Vec<Failure>,
    /// Whether the lines being read are a failed test's output (`---- name stdout ----`).
    collecting: bool,
    /// The test binary running, as cargo names it (`tests/pool.rs`, `unittests src/lib.rs`).
    binary: String,
}

/// One failed test, as the summary shows it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The test's path, e.g. `pool::tests::waits`.
    pub(crate) name: String,
    /// The first lines it printed (the panic location and message).
    pub(crate) output: Vec<String>,
}

/// How many lines of a failed test's output the summary keeps.
const FAILURE_LINES: usize = 4;

impl TestCounts {
    /// Reads one line of `cargo test` output: adds the counts of a `test result: ok. 3
    /// passed; 0 failed; 1 ignored; ...` line, and remembers failed tests and the start of
    /// their output. Returns whether the line was a result line.
    pub(crate) fn add_line(&mut self, line: &str) -> bool {
        let trimmed = line.trim();
        if let Some(running) = trimmed.strip_prefix("Running ") {
            self.binary = running.split(" (").next().unwrap_or(running).to_owned();
            return false;
        }
        if let Some(name) = trimmed.strip_prefix("---- ").and_then(|rest| rest.strip_suffix(" stdout ----")) {
            let name =
                if self.binary.is_empty() { name.to_owned() } else { format!("{name} ({})", self.binary) };
            self.failures.push(Failure { name, output: Vec::new() });
            self.collecting = true;
            return false;
        }
        if trimmed == "failures:" || trimmed.starts_with("test result: ") {
            self.collecting = false;
        } else if self.collecting {
            if let Some(failure) = self.failures.last_mut()
                && !trimmed.is_empty()
                && failure.output.len() < FAILURE_LINES
            {
                failure.output.push(trimmed.to_owned());
            }
            return false;
        }
        let Some(rest) = trimmed.strip_prefix("test result: ") else { return false };
        let Some((_verdict, counts)) = rest.split_once(". ") else { return false };
        let mut found = false;
        for part in counts.split(';') {
            let Some((number, what)) = part.trim().split_once(' ') else { continue };
            let Ok(number) = number.parse::<u64>() else { continue };
            let slot = match what.trim() {
                "passed" => &mut self.passed,
                "failed" => &mut self.failed,
                "ignored" => &mut self.ignored,
                _ => continue,
            };
            *slot += number;
            found = true;
        }
        found
    }
}

/// The steps of one run, in order, with the test counts they reported.
#[derive(Debug, Default)]
pub(crate) struct Steps {
    /// One record per step, in the order they ran.
    records: Vec<Record>,
    /// The sum of every `cargo test` result line seen.
    tests: TestCounts,
    /// When the run began.
    started: Option<Instant>,
}

impl Steps {
    /// An empty run, starting its clock now.
    pub(crate) fn new() -> Self {
        Self { started: Some(Instant::now()), ..Self::default() }
    }

    /// Runs one step under a banner and times it. The step returns a short note on success
    /// (may be empty) or the reason it failed; a failure is recorded and the run goes on.
    pub(crate) fn run(&mut self, name: &str, step: impl FnOnce() -> Result<String, String>) {
        println!("\n==> {name}");
        let start = Instant::now();
        let result = step();
        let seconds = start.elapsed().as_secs_f64();
        let (status, note) = match result {
            Ok(note) => (Status::Ok, note),
            Err(reason) => {
                eprintln!("==> {name} FAILED: {reason}");
                (Status::Failed, reason)
            }
        };
        self.records.push(Record { name: name.to_owned(), status, seconds, note });
    }

    /// Records a step that `--skip` left out.
    pub(crate) fn skip(&mut self, name: &str) {
        let note = "--skip".to_owned();
        self.records.push(Record { name: name.to_owned(), status: Status::Skipped, seconds: 0.0, note });
    }

    /// Adds the counts one `cargo test` run reported.
    pub(crate) fn add_tests(&mut self, counts: TestCounts) {
        self.tests.passed += counts.passed;
        self.tests.failed += counts.failed;
        self.tests.ignored += counts.ignored;
        self.tests.failures.extend(counts.failures);
    }

    /// Whether every step that ran succeeded.
    pub(crate) fn all_ok(&self) -> bool {
        self.records.iter().all(|r| r.status != Status::Failed)
    }

    /// The one-screen summary. Its last line is `summary: N passed, M failed` with the
    /// test counts, which CI reads.
    pub(crate) fn summary(&self) -> String {
        let name_width = self.records.iter().map(|r| r.name.len()).max().unwrap_or(0).max(4);
        let mut out = format!("\n{:-<72}\n", "-- summary ");
        out += &format!("{:<name_width$}  {:<7}  {:>7}  note\n", "step", "status", "seconds");
        for record in &self.records {
            let status = match record.status {
                Status::Ok => "ok",
                Status::Failed => "FAILED",
                Status::Skipped => "skipped",
            };
            let seconds = if record.status == Status::Skipped {
                String::new()
            } else {
                format!("{:.1}", record.seconds)
            };
            let note = first_line(&record.note, 100usize.saturating_sub(name_width + 20).max(30));
            let line = format!("{:<name_width$}  {status:<7}  {seconds:>7}  {note}", record.name);
            out += line.trim_end();
            out.push('\n');
        }
        let count = |status| self.records.iter().filter(|r| r.status == status).count();
        let total = self.started.map_or(0.0, |t| t.elapsed().as_secs_f64());
        out += &format!(
            "steps: {} ok, {} FAILED, {} skipped in {total:.0} s; tests: {} ignored\n",
            count(Status::Ok),
            count(Status::Failed),
            count(Status::Skipped),
            self.tests.ignored,
        );
        for failure in &self.tests.failures {
            out += &format!("failed test: {}\n", failure.name);
            for line in &failure.output {
                out += &format!("    {}\n", first_line(line, 160));
            }
        }
        out += &format!("summary: {} passed, {} failed\n", self.tests.passed, self.tests.failed);
        out
    }
}

/// The first line of `text`, cut to `width` characters with an ellipsis.
fn first_line(text: &str, width: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() <= width {
        line.to_owned()
    } else {
        let cut: String = line.chars().take(width.saturating_sub(3)).collect();
        format!("{cut}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_test_result_lines() {
        let mut counts = TestCounts::default();
        let lines = [
            "running 3 tests",
            "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
            "test result: FAILED. 7 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s",
            "   Doc-tests ferrodis_core",
            "test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n",
            "test decode::tests::result ... ok",
        ];
        let matched = lines.iter().filter(|line| counts.add_line(line)).count();
        assert_eq!(matched, 3);
        assert_eq!((counts.passed, counts.failed, counts.ignored), (10, 2, 1));
        assert!(counts.failures.is_empty());
    }

    #[test]
    fn summary_ends_with_the_line_ci_reads() {
        let mut steps = Steps::new();
        steps.run("fmt", || Ok(String::new()));
        steps.run("clippy", || Err("`cargo clippy` failed (exit status: 101)".into()));
        steps.skip("fuzz");
        let mut counts = TestCounts::default();
        let output = [
            "     Running tests/pool.rs (target/debug/deps/pool-0123)",
            "test pool::waits ... FAILED",
            "",
            "failures:",
            "",
            "---- pool::waits stdout ----",
            "",
            "thread 'pool::waits' panicked at tests/pool.rs:9:5:",
            "assertion failed: waited < limit",
            "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
            "",
            "",
            "failures:",
            "    pool::waits",
            "",
            "test result: FAILED. 12 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; finished in 1.20s",
        ];
        for line in output {
            counts.add_line(line);
        }
        steps.add_tests(counts);
        assert!(!steps.all_ok());
        let summary = steps.summary();
        assert_eq!(summary.lines().last(), Some("summary: 12 passed, 1 failed"));
        assert!(summary.contains("clippy  FAILED"), "{summary}");
        assert!(summary.contains("fuzz    skipped"), "{summary}");
        assert!(summary.contains("steps: 1 ok, 1 FAILED, 1 skipped"), "{summary}");
        assert!(summary.contains("failed test: pool::waits (tests/pool.rs)\n    thread 'pool::waits' panicked at tests/pool.rs:9:5:\n    assertion failed: waited < limit\n"), "{summary}");
    }

    #[test]
    fn cuts_long_notes() {
        assert_eq!(first_line("abcdef\nsecond", 10), "abcdef");
        assert_eq!(first_line("abcdefghijkl", 8), "abcde...");
    }
}
