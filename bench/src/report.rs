//! Printing results: an aligned text table and the list of goals met or missed.

use std::fmt::Write as _;

/// A text table whose first columns are left-aligned and the rest right-aligned.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// Column titles.
    headers: Vec<&'static str>,
    /// How many leading columns are text (left-aligned).
    text_columns: usize,
    /// The rows; an empty row is a blank line.
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column titles.
    pub(crate) fn new(headers: &[&'static str], text_columns: usize) -> Self {
        Self { headers: headers.to_vec(), text_columns, rows: Vec::new() }
    }

    /// Appends a row (as many cells as headers).
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    /// Separates what follows from the rows so far by an empty line (nothing before the
    /// first row).
    pub(crate) fn gap(&mut self) {
        if !self.rows.is_empty() {
            self.rows.push(Vec::new());
        }
    }

    /// The table as text, one line per row, with a rule under the titles.
    pub(crate) fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut text = String::new();
        let headers: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        self.line(&mut text, &headers, &widths);
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        self.line(&mut text, &rule, &widths);
        for row in &self.rows {
            if row.is_empty() {
                text.push('\n');
            } else {
                self.line(&mut text, row, &widths);
            }
        }
        text
    }

    /// Appends one row, padded to `widths`, to `text`.
    fn line(&self, text: &mut String, cells: &[String], widths: &[usize]) {
        let mut line = String::new();
        for (i, (cell, &width)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            if i < self.text_columns {
                let _ = write!(line, "{cell:<width$}");
            } else {
                let _ = write!(line, "{cell:>width$}");
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
}

/// One of the targets: ferrodis at least `target` times as fast as a peer.
#[derive(Debug, Clone)]
pub(crate) struct Goal {
    /// What is compared, for example "RESP2 decode vs redis-rs Parser".
    pub(crate) what: String,
    /// The ratio required.
    pub(crate) target: f64,
    /// The ratio measured.
    pub(crate) measured: f64,
}

impl Goal {
    /// Whether the measured ratio reaches the target.
    pub(crate) fn met(&self) -> bool {
        self.measured >= self.target
    }
}

/// The goals as lines: target, measured, verdict.
pub(crate) fn render_goals(goals: &[Goal]) -> String {
    let mut table = Table::new(&["goal", "target", "measured", "verdict"], 1);
    for goal in goals {
        table.row(vec![
            goal.what.clone(),
            format!(">= {:.1}x", goal.target),
            ratio(goal.measured),
            if goal.met() { "met" } else { "MISSED" }.to_string(),
        ]);
    }
    table.render()
}

/// A rate such as 3_400_000 as `3.40 M`.
pub(crate) fn millions(per_second: f64) -> String {
    format!("{:.2} M", per_second / 1e6)
}

/// Bytes per second as decimal megabytes per second.
pub(crate) fn megabytes(bytes_per_second: f64) -> String {
    format!("{:.1}", bytes_per_second / 1e6)
}

/// A speed ratio such as `2.35x`, or `-` when one side was not measured.
pub(crate) fn ratio(r: f64) -> String {
    if r.is_finite() { format!("{r:.2}x") } else { "-".to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_columns() {
        let mut table = Table::new(&["name", "rate"], 1);
        table.gap();
        table.row(vec!["a".into(), "1.00 M".into()]);
        table.gap();
        table.row(vec!["longer".into(), "12.00 M".into()]);
        assert_eq!(table.render(), "name       rate\n------  -------\na        1.00 M\n\nlonger  12.00 M\n");
    }

    #[test]
    fn goal_verdicts() {
        let goals = [
            Goal { what: "x".into(), target: 2.0, measured: 2.5 },
            Goal { what: "y".into(), target: 3.0, measured: 1.0 },
        ];
        let text = render_goals(&goals);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[2].starts_with('x') && lines[2].ends_with(" met"), "{text}");
        assert!(lines[3].starts_with('y') && lines[3].ends_with(" MISSED"), "{text}");
    }
}
