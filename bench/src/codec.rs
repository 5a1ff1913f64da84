//! The `codec` subcommand: every decoder over the RESP2 and RESP3 corpora and every command
//! encoder over the same SET commands, checked for agreement, timed in interleaved runs and
//! reported with ferrodis's ratio to each peer and the goals.

use crate::cli::CodecOptions;
use crate::corpus::{Corpus, Protocol};
use crate::decode::{self, Role, Tally};
use crate::encode::{self, Commands};
use crate::measure::{median, seconds_per_pass};
use crate::report::{self, Goal, Table};

/// The corpus column of the encoding rows.
const ENCODE_LABEL: &str = "SET";

/// ferrodis's decoder must be this many times as fast as redis-protocol's fastest decoder.
const GOAL_VS_REDIS_PROTOCOL: f64 = 2.0;
/// ... and this many times as fast as redis-rs's parser.
const GOAL_VS_REDIS_RS_PARSER: f64 = 3.0;
/// ferrodis's command encoder must be this many times as fast as redis-rs's.
const GOAL_VS_REDIS_RS_ENCODE: f64 = 2.0;

/// Runs the codec benchmarks and prints the table; an error when implementations disagree
/// on what a corpus holds or encode a command differently.
pub(crate) fn run(options: &CodecOptions) -> Result<(), String> {
    println!(
        "ferrodis-bench codec{}: {} run(s) per implementation, each at least {} ms; medians reported",
        if options.quick { " --quick" } else { "" },
        options.runs,
        options.min_run_time.as_millis(),
    );
    if options.runs < 5 {
        println!("note: fewer than 5 runs; the figures are a smoke test, not a measurement");
    }
    let mut table = Table::new(&["corpus", "implementation", "MB/s", "items/s", "ferrodis / this"], 2);
    let mut goals = Vec::new();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let label = protocol.to_string();
        if !decode::decoders(protocol).iter().any(|d| selected(options, &label, d.name)) {
            continue;
        }
        let corpus = Corpus::generate(protocol, options.corpus_bytes);
        println!(
            "{protocol} corpus: {:.2} MiB, {} frames, {} leaves; {}",
            corpus.len() as f64 / f64::from(1 << 20),
            corpus.frames,
            corpus.leaves,
            corpus.mix(),
        );
        table.gap();
        decode_corpus(&corpus, options, &mut table, &mut goals)?;
    }
    if encode::encoders().iter().any(|e| selected(options, ENCODE_LABEL, e.name)) {
        let commands = encode::commands(options.commands);
        println!(
            "encode: {} x SET key:<i> <16-byte value>, keys and values formatted beforehand",
            commands.len()
        );
        table.gap();
        encode_commands(&commands, options, &mut table, &mut goals)?;
    }
    if options.only.as_deref().is_none_or(|only| only.contains("keyslot")) {
        println!("keyslot: the hash slot of key:<i> and of {{user<i>}}.following, keys formatted beforehand");
        table.gap();
        crate::keyslot::run(options, &mut table, &mut goals)?;
    }

    println!(
        "\nitems/s: frames/s for decoders, commands/s for encoders, keys/s for keyslot; MB/s = 10^6 bytes/s"
    );
    println!("{}", table.render());
    println!("{}", report::render_goals(&goals));
    Ok(())
}

/// Checks and times every decoder on `corpus`, adding rows and goals.
fn decode_corpus(
    corpus: &Corpus,
    options: &CodecOptions,
    table: &mut Table,
    goals: &mut Vec<Goal>,
) -> Result<(), String> {
    let decoders: Vec<_> = decode::decoders(corpus.protocol)
        .into_iter()
        .filter(|d| selected(options, &corpus.protocol.to_string(), d.name))
        .collect();
    let expected = Tally { frames: corpus.frames, leaves: corpus.leaves };
    // The census doubles as the warm-up pass.
    for decoder in &decoders {
        let found = (decoder.census)(corpus);
        if found != expected {
            return Err(format!(
                "{}: {} found {found:?}, the corpus holds {expected:?}",
                corpus.protocol, decoder.name
            ));
        }
    }
    let seconds = interleaved_runs(decoders.len(), options, |i| (decoders[i].timed)(corpus));

    let rate = |i: usize| median(&seconds[i].iter().map(|s| corpus.frames as f64 / s).collect::<Vec<_>>());
    let reference = decoders.iter().position(|d| d.role == Role::Ferrodis).map(rate).unwrap_or(f64::NAN);
    let mut fastest_redis_protocol: Option<(&str, f64)> = None;
    for (i, decoder) in decoders.iter().enumerate() {
        let frames_per_second = rate(i);
        let compared = matches!(decoder.role, Role::RedisProtocol | Role::RedisRs);
        table.row(vec![
            corpus.protocol.to_string(),
            decoder.name.to_string(),
            report::megabytes(frames_per_second * corpus.len() as f64 / corpus.frames as f64),
            report::millions(frames_per_second),
            if compared { report::ratio(reference / frames_per_second) } else { "-".to_string() },
        ]);
        match decoder.role {
            Role::RedisProtocol
                if fastest_redis_protocol.is_none_or(|(_, best)| frames_per_second > best) =>
            {
                fastest_redis_protocol = Some((decoder.name, frames_per_second));
            }
            Role::RedisRs if reference.is_finite() => goals.push(Goal {
                what: format!("{} decode vs {}", corpus.protocol, decoder.name),
                target: GOAL_VS_REDIS_RS_PARSER,
                measured: reference / frames_per_second,
            }),
            _ => {}
        }
    }
    if let Some((name, best)) = fastest_redis_protocol
        && reference.is_finite()
    {
        goals.push(Goal {
            what: format!("{} decode vs fastest redis-protocol ({name})", corpus.protocol),
            target: GOAL_VS_REDIS_PROTOCOL,
            measured: reference / best,
        });
    }
    Ok(())
}

/// Checks and times every encoder on `commands`, adding rows and goals.
fn encode_commands(
    commands: &Commands,
    options: &CodecOptions,
    table: &mut Table,
    goals: &mut Vec<Goal>,
) -> Result<(), String> {
    let all = encode::encoders();
    // Every encoder must produce ferrodis's bytes for every command; also the warm-up.
    let mut reference = Vec::with_capacity(commands.len());
    (all[0].check)(commands, &mut |_, bytes| reference.push(bytes.to_vec()));
    let encoders: Vec<_> = all.into_iter().filter(|e| selected(options, ENCODE_LABEL, e.name)).collect();
    for encoder in &encoders {
        let mut mismatch = None;
        (encoder.check)(commands, &mut |i, bytes| {
            if mismatch.is_none() && bytes != reference[i] {
                mismatch = Some(i);
            }
        });
        if let Some(i) = mismatch
            && encoder.role != encode::Role::Ferrodis
        {
            return Err(format!("{} encodes command {i} differently from ferrodis", encoder.name));
        }
    }
    let total_bytes: usize = reference.iter().map(Vec::len).sum();
    drop(reference);

    let seconds = interleaved_runs(encoders.len(), options, |i| (encoders[i].timed)(commands));
    let n = commands.len() as f64;
    let rate = |i: usize| median(&seconds[i].iter().map(|s| n / s).collect::<Vec<_>>());
    let reference =
        encoders.iter().position(|e| e.role == encode::Role::Ferrodis).map(rate).unwrap_or(f64::NAN);
    for (i, encoder) in encoders.iter().enumerate() {
        let commands_per_second = rate(i);
        let is_peer = encoder.role != encode::Role::Ferrodis;
        table.row(vec![
            ENCODE_LABEL.to_string(),
            encoder.name.to_string(),
            report::megabytes(commands_per_second * total_bytes as f64 / n),
            report::millions(commands_per_second),
            if is_peer { report::ratio(reference / commands_per_second) } else { "-".to_string() },
        ]);
        if encoder.role == encode::Role::RedisRs && reference.is_finite() {
            goals.push(Goal {
                what: format!("encode SET vs {}", encoder.name),
                target: GOAL_VS_REDIS_RS_ENCODE,
                measured: reference / commands_per_second,
            });
        }
    }
    Ok(())
}

/// Whether `--only` lets the implementation called `name` run on the corpus labelled
/// `label`: the filter is matched against `"<label> <name>"`, such as
/// `"RESP2 ferrodis decode + walk"` or `"SET redis-rs ..."`.
fn selected(options: &CodecOptions, label: &str, name: &str) -> bool {
    options.only.as_deref().is_none_or(|only| format!("{label} {name}").contains(only))
}

/// Times `count` implementations for `options.runs` rounds, each round running every
/// implementation once in turn (so that drift in machine load spreads over all of them).
/// Returns seconds per pass, one vector of samples per implementation.
fn interleaved_runs<T>(
    count: usize,
    options: &CodecOptions,
    mut pass: impl FnMut(usize) -> T,
) -> Vec<Vec<f64>> {
    let mut seconds = vec![Vec::with_capacity(options.runs); count];
    for round in 0..options.runs {
        eprint!("\r  run {}/{}", round + 1, options.runs);
        for (i, samples) in seconds.iter_mut().enumerate() {
            samples.push(seconds_per_pass(options.min_run_time, || pass(i)));
        }
    }
    eprintln!();
    seconds
}
