//! The union of several servers' commands: each command once, described as the newest
//! server that has it describes it, with the servers that have it; and the descriptions of
//! older servers that differ (the table's `VARIANTS`).

use std::collections::BTreeSet;

use ferrodis_core::cmd::Servers;

use super::parse::{Cmd, Spec};

/// One command of the union: its description, without subcommands (those are in
/// `subcommands`), and the servers that list it.
#[derive(Debug)]
pub(super) struct Merged {
    /// The description by the newest of `servers`; its own `subcommands` are empty.
    pub(super) info: Cmd,
    /// Every server whose `COMMAND` reply lists it.
    pub(super) servers: Servers,
    /// The union of the servers' subcommands, sorted by name.
    pub(super) subcommands: Vec<Merged>,
}

/// The whole union.
#[derive(Debug)]
pub(super) struct Union {
    /// Every command, sorted by name.
    pub(super) commands: Vec<Merged>,
    /// Commands and subcommands as older servers describe them where that differs from
    /// the description in `commands`, sorted by name (no subcommands of their own).
    pub(super) variants: Vec<Merged>,
}

/// The union of `sources`: each server's commands (sorted by name), oldest server first.
pub(super) fn union(sources: &[(Servers, &[Cmd])]) -> Union {
    let mut variants = Vec::new();
    let commands = merge_level(sources, &mut variants);
    variants.sort_by(|a, b| (a.info.name.as_str(), a.servers.bits()).cmp(&(&b.info.name, b.servers.bits())));
    Union { commands, variants }
}

/// Merges one level (the top level, or one container's subcommands).
fn merge_level(sources: &[(Servers, &[Cmd])], variants: &mut Vec<Merged>) -> Vec<Merged> {
    let names: BTreeSet<&str> =
        sources.iter().flat_map(|(_, cmds)| cmds.iter().map(|cmd| cmd.name.as_str())).collect();
    let mut merged = Vec::new();
    for name in names {
        let holders: Vec<(Servers, &Cmd)> = sources
            .iter()
            .filter_map(|&(server, cmds)| Some((server, cmds.iter().find(|cmd| cmd.name == name)?)))
            .collect();
        let Some(&(_, newest)) = holders.last() else { continue };
        let servers = holders.iter().fold(Servers::EMPTY, |all, &(server, _)| all | server);
        let mut own: Vec<Merged> = Vec::new();
        for &(server, cmd) in &holders[..holders.len() - 1] {
            if same_description(cmd, newest) {
                continue;
            }
            match own.iter_mut().find(|variant| same_description(&variant.info, cmd)) {
                Some(variant) => variant.servers |= server,
                None => {
                    own.push(Merged { info: without_subcommands(cmd), servers: server, subcommands: vec![] })
                }
            }
        }
        variants.extend(own);
        let subcommands: Vec<(Servers, &[Cmd])> =
            holders.iter().map(|&(server, cmd)| (server, cmd.subcommands.as_slice())).collect();
        let subcommands = merge_level(&subcommands, variants);
        merged.push(Merged { info: without_subcommands(newest), servers, subcommands });
    }
    merged
}

fn without_subcommands(cmd: &Cmd) -> Cmd {
    Cmd { subcommands: Vec::new(), ..cmd.clone() }
}

/// Whether two servers describe a command alike, its subcommands apart. Flag and
/// category lists are sets (the table keeps them as bit sets); tips keep their order.
fn same_description(a: &Cmd, b: &Cmd) -> bool {
    let set = |names: &[String]| names.iter().cloned().collect::<BTreeSet<String>>();
    let spec = |s: &Spec| (set(&s.flags), s.begin_search.clone(), s.find_keys.clone());
    a.name == b.name
        && (a.arity, a.first_key, a.last_key, a.step) == (b.arity, b.first_key, b.last_key, b.step)
        && set(&a.flags) == set(&b.flags)
        && set(&a.acl_categories) == set(&b.acl_categories)
        && a.tips == b.tips
        && a.key_specs.iter().map(spec).eq(b.key_specs.iter().map(spec))
}

#[cfg(test)]
mod tests {
    use super::super::parse::tests::xread;
    use super::*;

    fn named(name: &str, arity: i64, subcommands: Vec<Cmd>) -> Cmd {
        Cmd { name: name.to_owned(), arity, subcommands, ..xread() }
    }

    #[test]
    fn each_command_once_with_its_servers_and_older_differences_apart() {
        let redis = vec![
            named("a", 2, vec![named("a|x", 3, vec![])]),
            named("b", 2, vec![]),
            named("old", 1, vec![]),
        ];
        let valkey = vec![
            named("a", 2, vec![named("a|x", -3, vec![]), named("a|y", 3, vec![])]),
            named("b", 2, vec![]),
            named("new", 1, vec![]),
        ];
        let both = Servers::REDIS | Servers::VALKEY;
        let union = union(&[(Servers::REDIS, &redis), (Servers::VALKEY, &valkey)]);
        let top: Vec<(&str, Servers)> =
            union.commands.iter().map(|m| (m.info.name.as_str(), m.servers)).collect();
        assert_eq!(top, [("a", both), ("b", both), ("new", Servers::VALKEY), ("old", Servers::REDIS)]);
        let subs: Vec<(&str, i64, Servers)> = union.commands[0]
            .subcommands
            .iter()
            .map(|m| (m.info.name.as_str(), m.info.arity, m.servers))
            .collect();
        assert_eq!(subs, [("a|x", -3, both), ("a|y", 3, Servers::VALKEY)]);
        let variants: Vec<(&str, i64, Servers)> =
            union.variants.iter().map(|m| (m.info.name.as_str(), m.info.arity, m.servers)).collect();
        assert_eq!(variants, [("a|x", 3, Servers::REDIS)]);
    }

    #[test]
    fn flag_order_is_no_difference_but_tip_order_is() {
        let a = xread();
        let mut b = xread();
        b.flags.reverse();
        assert!(same_description(&a, &b));
        b.tips = vec!["nondeterministic_output".to_owned()];
        assert!(!same_description(&a, &b));
    }
}
