//! Reading a server's `COMMAND` reply into [`Cmd`]s, names as the server spells them.

use ferrodis_core::resp::Frame;

/// One command as `COMMAND` describes it, names as the server spells them.
#[derive(Debug, Clone)]
pub(super) struct Cmd {
    pub(super) name: String,
    pub(super) arity: i64,
    pub(super) flags: Vec<String>,
    pub(super) first_key: i64,
    pub(super) last_key: i64,
    pub(super) step: i64,
    pub(super) acl_categories: Vec<String>,
    pub(super) tips: Vec<String>,
    pub(super) key_specs: Vec<Spec>,
    pub(super) subcommands: Vec<Cmd>,
}

/// One key spec as `COMMAND` describes it.
#[derive(Debug, Clone)]
pub(super) struct Spec {
    pub(super) flags: Vec<String>,
    pub(super) begin_search: Begin,
    pub(super) find_keys: Find,
}

/// Where a key spec's search begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Begin {
    Index(i64),
    Keyword(String, i64),
    Unknown,
}

/// Which arguments a key spec finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Find {
    Range { last_key: i64, key_step: i64, limit: i64 },
    KeyNum { key_num_idx: i64, first_key: i64, key_step: i64 },
    Unknown,
}

/// The server's version from its `INFO server` text: `valkey_version` (Valkey also sends a
/// `redis_version`, the Redis version it is compatible with), else `redis_version`.
pub(super) fn server_version(info: &Frame<'_>) -> Result<String, String> {
    let info = text(info)?;
    let field = |name: &str| info.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(':'));
    field("valkey_version")
        .or_else(|| field("redis_version"))
        .map(|version| version.trim().to_owned())
        .ok_or_else(|| "INFO server has no valkey_version nor redis_version line".to_owned())
}

/// One element of the `COMMAND` reply: name, arity, flags, first key, last key, step,
/// ACL categories, tips, key specs, subcommands (Redis 7 adds the last four).
pub(super) fn parse_command(frame: &Frame<'_>) -> Result<Cmd, String> {
    let fields = items(frame)?;
    let [name, arity, flags, first, last, step, acl, tips, specs, subs, ..] = fields.as_slice() else {
        return Err(format!(
            "a COMMAND entry with {} fields, not 10 (Redis 7 or later needed)",
            fields.len()
        ));
    };
    let name = text(name)?;
    let context = |e: String| format!("{name}: {e}");
    Ok(Cmd {
        arity: int(arity).map_err(context)?,
        flags: texts(flags).map_err(context)?,
        first_key: int(first).map_err(context)?,
        last_key: int(last).map_err(context)?,
        step: int(step).map_err(context)?,
        acl_categories: texts(acl).map_err(context)?,
        tips: texts(tips).map_err(context)?,
        key_specs: items(specs)?.iter().map(parse_spec).collect::<Result<_, _>>().map_err(context)?,
        subcommands: items(subs)?.iter().map(parse_command).collect::<Result<_, _>>()?,
        name,
    })
}

/// One key spec: a map (an array of pairs in RESP2) of `flags`, `begin_search`,
/// `find_keys` and an optional `notes`, which is documentation and left out.
fn parse_spec(frame: &Frame<'_>) -> Result<Spec, String> {
    let (mut flags, mut begin_search, mut find_keys) = (None, None, None);
    for (key, value) in fields(frame)? {
        match key.as_str() {
            "flags" => flags = Some(texts(&value)?),
            "begin_search" => begin_search = Some(parse_begin(&value)?),
            "find_keys" => find_keys = Some(parse_find(&value)?),
            "notes" => {}
            other => return Err(format!("unknown key spec field `{other}`")),
        }
    }
    Ok(Spec {
        flags: flags.ok_or("a key spec without flags")?,
        begin_search: begin_search.ok_or("a key spec without begin_search")?,
        find_keys: find_keys.ok_or("a key spec without find_keys")?,
    })
}

/// `type` and `spec` of a `begin_search` or `find_keys`, the spec's fields by name.
fn typed<'a>(frame: &Frame<'a>) -> Result<(String, Vec<(String, Frame<'a>)>), String> {
    let mut kind = None;
    let mut spec = Vec::new();
    for (key, value) in fields(frame)? {
        match key.as_str() {
            "type" => kind = Some(text(&value)?),
            "spec" => spec = fields(&value)?,
            other => return Err(format!("unknown key spec part `{other}`")),
        }
    }
    Ok((kind.ok_or("a key spec part without a type")?, spec))
}

/// The integer field `name` of a key spec part.
fn field(spec: &[(String, Frame<'_>)], name: &str) -> Result<i64, String> {
    let (_, value) = spec.iter().find(|(key, _)| key == name).ok_or(format!("no `{name}` in a key spec"))?;
    int(value)
}

fn parse_begin(frame: &Frame<'_>) -> Result<Begin, String> {
    let (kind, spec) = typed(frame)?;
    Ok(match kind.as_str() {
        "index" => Begin::Index(field(&spec, "index")?),
        "keyword" => {
            let (_, keyword) =
                spec.iter().find(|(key, _)| key == "keyword").ok_or("no `keyword` in a key spec")?;
            Begin::Keyword(text(keyword)?, field(&spec, "startfrom")?)
        }
        "unknown" => Begin::Unknown,
        other => return Err(format!("unknown begin_search type `{other}`: add it to BeginSearch")),
    })
}

fn parse_find(frame: &Frame<'_>) -> Result<Find, String> {
    let (kind, spec) = typed(frame)?;
    Ok(match kind.as_str() {
        "range" => Find::Range {
            last_key: field(&spec, "lastkey")?,
            key_step: field(&spec, "keystep")?,
            limit: field(&spec, "limit")?,
        },
        "keynum" => Find::KeyNum {
            key_num_idx: field(&spec, "keynumidx")?,
            first_key: field(&spec, "firstkey")?,
            key_step: field(&spec, "keystep")?,
        },
        "unknown" => Find::Unknown,
        other => return Err(format!("unknown find_keys type `{other}`: add it to FindKeys")),
    })
}

pub(super) fn text(frame: &Frame<'_>) -> Result<String, String> {
    let bytes = match *frame {
        Frame::SimpleString(b) | Frame::BulkString(b) | Frame::SimpleError(b) | Frame::BulkError(b) => b,
        Frame::VerbatimString { text, .. } => text,
        ref other => return Err(format!("expected a string, got {other:?}")),
    };
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("not UTF-8: {bytes:?}"))
}

fn int(frame: &Frame<'_>) -> Result<i64, String> {
    match *frame {
        Frame::Integer(n) => Ok(n),
        ref other => Err(format!("expected an integer, got {other:?}")),
    }
}

/// The elements of an array or set.
pub(super) fn items<'a>(frame: &Frame<'a>) -> Result<Vec<Frame<'a>>, String> {
    match frame {
        Frame::Array(items) | Frame::Set(items) => Ok(items.iter().collect()),
        other => Err(format!("expected an array, got {other:?}")),
    }
}

fn texts(frame: &Frame<'_>) -> Result<Vec<String>, String> {
    items(frame)?.iter().map(text).collect()
}

/// The pairs of a map, or of an array of alternating names and values (RESP2's maps).
fn fields<'a>(frame: &Frame<'a>) -> Result<Vec<(String, Frame<'a>)>, String> {
    match frame {
        Frame::Map(items) | Frame::Array(items) if items.len() % 2 == 0 => {
            items.pairs().map(|(key, value)| Ok((text(&key)?, value))).collect()
        }
        other => Err(format!("expected a map, got {other:?}")),
    }
}

/// Sorts commands and subcommands by name and checks what the lookups rely on: unique
/// lower-case names, each subcommand named `container|sub`.
pub(super) fn sorted(mut commands: Vec<Cmd>, container: Option<&str>) -> Result<Vec<Cmd>, String> {
    commands.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in commands.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(format!("`{}` is listed twice", pair[0].name));
        }
    }
    for command in &mut commands {
        let name = command.name.as_str();
        let own = match container {
            Some(container) => name.strip_prefix(container).and_then(|rest| rest.strip_prefix('|')),
            None => Some(name),
        };
        if !own.is_some_and(|own| {
            !own.is_empty() && !own.contains('|') && !own.bytes().any(|b| b.is_ascii_uppercase())
        }) {
            return Err(match container {
                Some(container) => {
                    format!("subcommand `{name}` of `{container}` is not `{container}|<lower case>`")
                }
                None => format!("command name `{name}` is not lower case without `|`"),
            });
        }
        let subcommands = std::mem::take(&mut command.subcommands);
        command.subcommands = sorted(subcommands, Some(&command.name))?;
    }
    Ok(commands)
}

#[cfg(test)]
pub(super) mod tests {
    use ferrodis_core::resp::{Decoded, decode};

    use super::*;

    /// `COMMAND INFO xread` from redis-server 7.0.15, as RESP2 sends it.
    pub(in crate::gen_commands) const XREAD: &[u8] =
        b"*10\r\n$5\r\nxread\r\n:-4\r\n*3\r\n+readonly\r\n+blocking\r\n+movablekeys\r\n\
        :0\r\n:0\r\n:0\r\n*4\r\n+@read\r\n+@stream\r\n+@slow\r\n+@blocking\r\n*0\r\n*1\r\n*6\r\n\
        $5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n\
        $4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n$9\r\nstartfrom\r\n:1\r\n\
        $9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n\
        $7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:2\r\n*0\r\n";

    /// The entry of [`XREAD`].
    pub(in crate::gen_commands) fn xread() -> Cmd {
        let Ok(Decoded::Complete { frame, consumed }) = decode(XREAD) else { panic!("a whole frame") };
        assert_eq!(consumed, XREAD.len());
        parse_command(&frame).unwrap()
    }

    #[test]
    fn parses_an_entry() {
        let cmd = xread();
        assert_eq!(
            (cmd.name.as_str(), cmd.arity, cmd.flags.len(), cmd.acl_categories.len()),
            ("xread", -4, 3, 4)
        );
        assert_eq!(cmd.key_specs[0].begin_search, Begin::Keyword("STREAMS".to_owned(), 1));
        assert_eq!(cmd.key_specs[0].find_keys, Find::Range { last_key: -1, key_step: 1, limit: 2 });
    }

    #[test]
    fn sorts_and_checks_names() {
        let named = |name: &str, subs: Vec<Cmd>| Cmd { name: name.to_owned(), subcommands: subs, ..xread() };
        let sorted = sorted(
            vec![named("b", vec![]), named("a", vec![named("a|y", vec![]), named("a|x", vec![])])],
            None,
        )
        .unwrap();
        let names: Vec<&str> = sorted.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(sorted[0].subcommands[0].name, "a|x");
        assert!(super::sorted(vec![named("A", vec![])], None).is_err());
        assert!(super::sorted(vec![named("a", vec![]), named("a", vec![])], None).is_err());
        assert!(super::sorted(vec![named("a", vec![named("b|x", vec![])])], None).is_err());
    }
}
