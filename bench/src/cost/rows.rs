//! The rows of the `cost` table: a client, the API it is driven through, and the
//! [`Mode`] its requests go out in.

use crate::e2e::workload::Mode;
use crate::e2e::{ferrodis_typed, fred, redis_rs};

/// A client and the API it is driven through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientApi {
    /// `ferrodis::Connection` with `Commands::set` / `get` and `pipe().query`.
    FerrodisBlockingTyped,
    /// `ferrodis::Connection` with `request_with` and `pipeline_with`.
    FerrodisBlockingRaw,
    /// `ferrodis::MultiplexedConnection` with `AsyncCommands::set` / `get` and
    /// `pipe().query_async`.
    FerrodisTokioTyped,
    /// `ferrodis::MultiplexedConnection` with `request_with` and `pipeline_with`.
    FerrodisTokioRaw,
    /// redis-rs's sync `Connection` with `Commands` and `redis::pipe()`.
    RedisRsSync,
    /// redis-rs's `MultiplexedConnection` with `AsyncCommands` and `redis::pipe()`.
    RedisRsMultiplexed,
    /// fred's `Client` with `KeysInterface` and `client.pipeline()`.
    Fred,
}

impl ClientApi {
    /// Every client API, in the order of the rows within a mode.
    pub(crate) const ALL: [ClientApi; 7] = [
        ClientApi::FerrodisBlockingTyped,
        ClientApi::FerrodisBlockingRaw,
        ClientApi::FerrodisTokioTyped,
        ClientApi::FerrodisTokioRaw,
        ClientApi::RedisRsSync,
        ClientApi::RedisRsMultiplexed,
        ClientApi::Fred,
    ];

    /// The row name, also how `cost-worker --client` names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ClientApi::FerrodisBlockingTyped => ferrodis_typed::BLOCKING,
            ClientApi::FerrodisBlockingRaw => "ferrodis blocking raw",
            ClientApi::FerrodisTokioTyped => ferrodis_typed::TOKIO,
            ClientApi::FerrodisTokioRaw => "ferrodis Tokio raw",
            ClientApi::RedisRsSync => redis_rs::SYNC,
            ClientApi::RedisRsMultiplexed => redis_rs::MULTIPLEXED,
            ClientApi::Fred => fred::NAME,
        }
    }

    /// Whether it runs on Tokio (and so can take concurrent requests on one connection).
    pub(crate) fn is_async(self) -> bool {
        !matches!(
            self,
            ClientApi::FerrodisBlockingTyped | ClientApi::FerrodisBlockingRaw | ClientApi::RedisRsSync
        )
    }
}

/// One row: a client API in a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    /// The client and its API.
    pub(crate) api: ClientApi,
    /// How its requests go out.
    pub(crate) mode: Mode,
}

impl Row {
    /// Every row, mode after mode (the order of the table): each client API at pipeline
    /// depths 1, 16 and 128, and the async ones with 128 concurrent requests too.
    pub(crate) fn all() -> Vec<Row> {
        Mode::ALL
            .into_iter()
            .flat_map(|mode| ClientApi::ALL.into_iter().map(move |api| Row { api, mode }))
            .filter(|row| row.api.is_async() || matches!(row.mode, Mode::Depth(_)))
            .collect()
    }

    /// The rows of `--quick`: those with a budget (ferrodis Tokio typed at depth 1, in
    /// pipelines of 128 and with 128 concurrent requests) and redis-rs multiplexed beside them.
    pub(crate) fn quick() -> Vec<Row> {
        Row::all()
            .into_iter()
            .filter(|row| matches!(row.api, ClientApi::FerrodisTokioTyped | ClientApi::RedisRsMultiplexed))
            .filter(|row| row.mode != Mode::Depth(16))
            .collect()
    }

    /// The row that `cost-worker --client <api> --mode <mode>` names, both as printed
    /// (`ferrodis Tokio typed`, `pipeline 16`).
    pub(crate) fn parse(api: &str, mode: &str) -> Result<Row, String> {
        let api =
            ClientApi::ALL.into_iter().find(|a| a.name() == api).ok_or(format!("unknown client `{api}`"))?;
        let mode =
            Mode::ALL.into_iter().find(|m| m.to_string() == mode).ok_or(format!("unknown mode `{mode}`"))?;
        let row = Row { api, mode };
        if Row::all().contains(&row) { Ok(row) } else { Err(format!("{} has no {mode} mode", api.name())) }
    }

    /// `<mode> <client>`, what `--only` matches.
    pub(crate) fn label(self) -> String {
        format!("{} {}", self.mode, self.api.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_names_and_parsing() {
        let all = Row::all();
        // 7 client APIs at three depths, the 4 async ones with 128 concurrent requests too.
        assert_eq!(all.len(), 7 * 3 + 4);
        assert_eq!(all[0], Row { api: ClientApi::FerrodisBlockingTyped, mode: Mode::Depth(1) });
        assert_eq!(Row::quick().len(), 6);
        for row in &all {
            assert_eq!(Row::parse(row.api.name(), &row.mode.to_string()), Ok(*row));
        }
        assert!(Row::parse("redis-rs sync", "128 concurrent").is_err());
        assert!(Row::parse("ferrodis", "depth 1").is_err());
        assert!(Row::parse("fred", "depth 2").is_err());
        assert_eq!(all[0].label(), "depth 1 ferrodis blocking typed");
    }
}
