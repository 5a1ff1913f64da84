//! [`InfoDict`]: the reply to `INFO`, parsed into its fields (redis-rs's `InfoDict`,
//! redis-py's `info()` dict).

use std::collections::HashMap;

use ferrodis_core::resp::Frame;

use super::{ConversionError, FromValue, Value};

/// The reply to `INFO`: each `field:value` line by its field, and each field's section
/// (`# Server`, `# Memory`, ...).
///
/// [`InfoDict::get`] converts a value to any [`FromValue`] type, as redis-rs's does; a
/// keyspace line such as `db0:keys=1,expires=0,avg_ttl=0` is split further by
/// [`InfoDict::fields_of`].
///
/// ```
/// use ferrodis_std::value::InfoDict;
///
/// let info = InfoDict::parse("# Server\r\nredis_version:7.0.15\r\n\r\n# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\n");
/// assert_eq!(info.get::<String>("redis_version").as_deref(), Some("7.0.15"));
/// assert_eq!(info.section_of("redis_version"), Some("Server"));
/// assert_eq!(info.fields_of("db0").and_then(|db| db.get("keys").copied()), Some("3"));
/// assert_eq!(info.get::<u64>("missing"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InfoDict {
    /// Each field's value and the index of its section in `sections`.
    fields: HashMap<String, (String, usize)>,
    sections: Vec<String>,
}

impl InfoDict {
    /// Parses `INFO` text: `# Section` headers, `field:value` lines, blank lines; any other
    /// line (there are none in Redis's output) is passed over.
    pub fn parse(text: &str) -> Self {
        let mut info = InfoDict::default();
        for line in text.lines().map(str::trim_end) {
            if let Some(section) = line.strip_prefix('#') {
                info.sections.push(section.trim().to_owned());
            } else if let Some((field, value)) = line.split_once(':') {
                let section = info.sections.len().saturating_sub(1);
                info.fields.insert(field.to_owned(), (value.to_owned(), section));
            }
        }
        info
    }

    /// The value of `field` converted to `T`; `None` when it is missing or does not convert.
    pub fn get<T: FromValue>(&self, field: &str) -> Option<T> {
        let (value, _) = self.fields.get(field)?;
        T::from_value(Value::BulkString(value.as_bytes().to_vec())).ok()
    }

    /// The value of `field` as the server wrote it.
    pub fn get_str(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(|(value, _)| value.as_str())
    }

    /// Whether the reply has `field`.
    pub fn contains_key(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The section `field` is in (`"Server"`, `"Memory"`, ...).
    pub fn section_of(&self, field: &str) -> Option<&str> {
        let (_, section) = self.fields.get(field)?;
        self.sections.get(*section).map(String::as_str)
    }

    /// The sections, in the order of the reply.
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(String::as_str)
    }

    /// A value made of `name=value` pairs separated by commas (`db0`, `cmdstat_get`,
    /// `slave0`), split into them.
    pub fn fields_of(&self, field: &str) -> Option<HashMap<&str, &str>> {
        let value = self.get_str(field)?;
        Some(value.split(',').filter_map(|pair| pair.split_once('=')).collect())
    }

    /// Every field and its value, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(field, (value, _))| (field.as_str(), value.as_str()))
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl FromValue for InfoDict {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        String::from_value(value).map(|text| InfoDict::parse(&text))
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        String::from_frame(frame).map(|text| InfoDict::parse(&text))
    }
}
