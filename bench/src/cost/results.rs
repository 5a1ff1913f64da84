//! What a request costs each row, from the difference of its two callgrind runs; the
//! table with ratios to ferrodis, and the budgets for ferrodis's typed Tokio rows.

use super::callgrind::Counts;
use super::rows::{ClientApi, Row};
use crate::e2e::workload::Mode;
use crate::report::{Table, ratio};

/// The budgets for the typed API on the multiplexed connection: at most this
/// many client instructions per request in each mode ...
const INSTRUCTION_BUDGETS: [(Mode, f64); 3] =
    [(Mode::Depth(1), 5_000.0), (Mode::Depth(128), 1_500.0), (Mode::Concurrent(128), 3_000.0)];
/// ... and at most this many allocations per request on the reply path.
const REPLY_ALLOCATION_BUDGET: f64 = 1.0;

/// What one request costs a client.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cost {
    /// What was measured.
    pub(crate) row: Row,
    /// Client instructions per request.
    pub(crate) instructions: f64,
    /// Client allocations per request.
    pub(crate) allocations: f64,
}

impl Cost {
    /// The cost per request of `row`, from its run of `requests` SETs and `requests` GETs
    /// (`short`) and its run of twice as many (`long`): the long run made `2 * requests`
    /// requests more, and everything else the same, so
    /// `(long - short) / (2 * requests)`.
    pub(crate) fn new(row: Row, requests: usize, short: Counts, long: Counts) -> Self {
        let extra = 2.0 * requests as f64;
        let per_request = |long: u64, short: u64| (long as f64 - short as f64) / extra;
        Cost {
            row,
            instructions: per_request(long.instructions, short.instructions),
            allocations: per_request(long.allocations, short.allocations),
        }
    }
}

/// The instructions per request of `api` in `mode`, if measured.
fn instructions(costs: &[Cost], mode: Mode, api: ClientApi) -> Option<f64> {
    costs.iter().find(|c| c.row == Row { api, mode }).map(|c| c.instructions)
}

/// The table: a row per client API and mode, modes apart, with each row's instructions
/// divided by ferrodis's typed ones in the same mode.
pub(crate) fn table(costs: &[Cost]) -> String {
    let mut table = Table::new(
        &[
            "mode",
            "client",
            "instructions/request",
            "allocations/request",
            "this / ferrodis blocking typed",
            "this / ferrodis Tokio typed",
        ],
        2,
    );
    let mut last_mode = None;
    for cost in costs {
        let Row { api, mode } = cost.row;
        if last_mode != Some(mode) {
            table.gap();
            last_mode = Some(mode);
        }
        let versus = |reference: ClientApi| match instructions(costs, mode, reference) {
            Some(theirs) if reference != api => ratio(cost.instructions / theirs),
            _ => "-".to_string(),
        };
        table.row(vec![
            mode.to_string(),
            api.name().to_string(),
            grouped(cost.instructions),
            format!("{:.2}", cost.allocations),
            versus(ClientApi::FerrodisBlockingTyped),
            versus(ClientApi::FerrodisTokioTyped),
        ]);
    }
    table.render()
}

/// The budgets that this run measured, as a table (limit, measured, their ratio
/// and the verdict) with a note on the allocation figures; `None` when no row with a
/// budget ran.
///
/// The allocation budget is for the reply path, but callgrind counts a request's
/// allocations all together (building the command, queueing it, reading and converting
/// the reply), so a figure within the limit meets the budget and one above it only says
/// that the whole request allocates more: its verdict is "above", not "MISSED".
pub(crate) fn budgets(costs: &[Cost]) -> Option<String> {
    let mut table =
        Table::new(&["budget (ferrodis Tokio typed)", "limit", "measured", "measured / limit", "verdict"], 1);
    let mut line = |what: String, limit: f64, measured: f64, shown: String, over: &str| {
        table.row(vec![
            what,
            format!("<= {}", grouped(limit)),
            shown,
            ratio(measured / limit),
            if measured <= limit { "met" } else { over }.to_string(),
        ]);
    };
    let budgeted: Vec<(&Cost, f64)> = costs
        .iter()
        .filter(|c| c.row.api == ClientApi::FerrodisTokioTyped)
        .filter_map(|c| {
            INSTRUCTION_BUDGETS.iter().find(|(mode, _)| *mode == c.row.mode).map(|&(_, l)| (c, l))
        })
        .collect();
    if budgeted.is_empty() {
        return None;
    }
    for &(cost, limit) in &budgeted {
        let what = format!("{}: instructions/request", cost.row.mode);
        line(what, limit, cost.instructions, grouped(cost.instructions), "MISSED");
    }
    for &(cost, _) in &budgeted {
        let what = format!("{}: allocations/request on the reply path", cost.row.mode);
        line(what, REPLY_ALLOCATION_BUDGET, cost.allocations, format!("{:.2}", cost.allocations), "above");
    }
    Some(format!(
        "{}allocations are counted for the whole request (command, queue, reply), so \"above\" says the whole \
         request allocates more than the reply path may, not that the reply path does; `cost --keep DIR` and \
         `callgrind_annotate --tree=caller` show where",
        table.render()
    ))
}

/// A count such as 12_345.6 as `12 346`: whole, in groups of three digits.
fn grouped(count: f64) -> String {
    let digits = format!("{:.0}", count.abs());
    let mut text = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            text.push(' ');
        }
        text.push(digit);
    }
    if count < -0.5 { format!("-{text}") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_request_table_and_budgets() {
        let counts = |instructions, allocations| Counts { instructions, allocations };
        let row = |api, mode| Row { api, mode };
        let d1 = Mode::Depth(1);
        let costs = [
            // 1000 SETs + 1000 GETs, then 2000 + 2000: 2000 requests apart.
            Cost::new(
                row(ClientApi::FerrodisTokioTyped, d1),
                1000,
                counts(9_000_000, 5_000),
                counts(17_000_000, 7_000),
            ),
            Cost::new(
                row(ClientApi::RedisRsMultiplexed, d1),
                1000,
                counts(9_000_000, 5_000),
                counts(29_000_000, 9_000),
            ),
        ];
        assert_eq!((costs[0].instructions, costs[0].allocations), (4_000.0, 1.0));
        let text = table(&costs);
        let redis_rs = text.lines().find(|l| l.contains("redis-rs")).unwrap();
        assert!(redis_rs.contains("10 000") && redis_rs.ends_with("2.50x"), "{text}");
        let text = budgets(&costs).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert!(lines[2].starts_with("depth 1: instructions") && lines[2].ends_with(" met"), "{text}");
        assert!(
            lines[3].starts_with("depth 1: allocations")
                && lines[3].contains("1.00x")
                && lines[3].ends_with(" met"),
            "{text}"
        );
        assert_eq!(budgets(&costs[1..]), None);
        assert_eq!(
            (grouped(1234567.0), grouped(999.4), grouped(-1500.0)),
            ("1 234 567".into(), "999".into(), "-1 500".into())
        );
    }
}
