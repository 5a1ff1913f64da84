//! [`Value`]: an owned reply, and its conversion from a borrowed [`Frame`].

use std::mem;

use ferrodis_core::resp::{Aggregate, Elements, Frame};

use crate::ServerError;

/// An owned reply: what a [`Frame`] borrows, copied out of the read buffer.
///
/// Build one with [`Value::from_frame`] (or `Value::from(frame)`); turn it into a Rust type
/// with [`FromValue`](super::FromValue).
///
/// ```
/// use ferrodis_std::core::resp::{decode, Decoded};
/// use ferrodis_std::value::Value;
///
/// let Decoded::Complete { frame, .. } = decode(b"%1\r\n+role\r\n$6\r\nmaster\r\n").unwrap() else { panic!() };
/// let value = Value::from_frame(&frame);
/// assert_eq!(
///     value,
///     Value::Map(vec![(Value::SimpleString("role".into()), Value::BulkString(b"master".to_vec()))]),
/// );
/// assert_eq!(value.as_map().unwrap()[0].1.as_str(), Some("master"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Any of the three nulls: RESP3 `_`, RESP2 `$-1` and `*-1`.
    Nil,
    /// `:42`.
    Int(i64),
    /// `$3\r\nfoo`: binary-safe bytes. Streamed strings (`$?`) arrive joined, as this.
    BulkString(Vec<u8>),
    /// `+PONG`: a status line other than `OK` (invalid UTF-8 replaced with U+FFFD).
    SimpleString(String),
    /// `+OK`, the most common status line, as redis-rs has it.
    Okay,
    /// `*2\r\n...`.
    Array(Vec<Value>),
    /// `%2\r\n...`: key-value pairs in the order received.
    Map(Vec<(Value, Value)>),
    /// `~2\r\n...`: elements in the order received.
    Set(Vec<Value>),
    /// A value with the RESP3 attributes (`|1\r\n...`) that annotated it. Attributes
    /// before a top-level reply are skipped by the default decoder; a top-level attribute
    /// frame surfaced alone (see `AttributeMode::Surface`) converts to `data: Nil`.
    /// Conversions with [`FromValue`](super::FromValue) look through attributes.
    Attribute {
        /// The annotated value.
        data: Box<Value>,
        /// The attribute's key-value pairs.
        attributes: Vec<(Value, Value)>,
    },
    /// `,1.5`, `,inf`, `,-inf`, `,nan`.
    Double(f64),
    /// `#t` or `#f`.
    Boolean(bool),
    /// `=15\r\ntxt:Some string`: text with a three-letter format such as `txt` or `mkd`
    /// (invalid UTF-8 replaced with U+FFFD).
    VerbatimString {
        /// The format, for example `*b"txt"`.
        format: [u8; 3],
        /// The text after the `xxx:` prefix.
        text: String,
    },
    /// `(3492890328409238509324850943850943825024385`: the decimal digits, sign included.
    BigNumber(String),
    /// `>3\r\n+message\r\n...`: an out-of-band message such as pub/sub or invalidation.
    Push {
        /// The first element, such as `message` or `invalidate` (empty when it is not a
        /// string; then `data` has every element).
        kind: String,
        /// The elements after the kind.
        data: Vec<Value>,
    },
    /// An error reply nested in an aggregate, such as one command's error inside the
    /// reply to `EXEC`, with its whole text. (A connection returns a top-level error reply
    /// as an `Err`.)
    ServerError(ServerError),
}

/// The aggregate kinds, while [`Value::from_frame`] fills them.
#[derive(Clone, Copy)]
enum Shape {
    Array,
    Map,
    Set,
    Attribute,
    Push,
}

/// An aggregate being filled by [`Value::from_frame`].
struct Open<'a> {
    shape: Shape,
    elements: Elements<'a>,
    items: Vec<Value>,
    /// Attributes that annotate the next element.
    attributes: Option<Vec<(Value, Value)>>,
}

impl<'a> Open<'a> {
    fn new(shape: Shape, aggregate: &Aggregate<'a>) -> Self {
        // The aggregate was validated: its elements are all present in the borrowed
        // bytes (3 bytes or more each), so this count is no bigger than the reply itself.
        Self {
            shape,
            elements: aggregate.iter_with_attributes(),
            items: Vec::with_capacity(aggregate.len()),
            attributes: None,
        }
    }

    /// Adds the next element, wrapped in the attributes that preceded it.
    fn push(&mut self, value: Value) {
        let value = match self.attributes.take() {
            Some(attributes) => Value::Attribute { data: Box::new(value), attributes },
            None => value,
        };
        self.items.push(value);
    }

    /// Adds a finished aggregate: an element, or attributes for the next element.
    fn push_closed(&mut self, closed: Open<'_>) {
        if let Shape::Attribute = closed.shape {
            let pairs = into_pairs(closed.items);
            match &mut self.attributes {
                Some(attributes) => attributes.extend(pairs),
                None => self.attributes = Some(pairs),
            }
        } else {
            self.push(closed.finish());
        }
    }

    fn finish(self) -> Value {
        match self.shape {
            Shape::Array => Value::Array(self.items),
            Shape::Set => Value::Set(self.items),
            Shape::Map => Value::Map(into_pairs(self.items)),
            Shape::Attribute => {
                Value::Attribute { data: Box::new(Value::Nil), attributes: into_pairs(self.items) }
            }
            Shape::Push => {
                let mut data = self.items;
                let kind = match data.first() {
                    Some(Value::BulkString(b)) => String::from_utf8_lossy(b).into_owned(),
                    Some(Value::SimpleString(s)) => s.clone(),
                    Some(Value::Okay) => "OK".to_owned(),
                    _ => return Value::Push { kind: String::new(), data },
                };
                data.remove(0);
                Value::Push { kind, data }
            }
        }
    }
}

/// Keys and values, alternating, as pairs (a trailing odd element is dropped; the decoder
/// never produces one).
fn into_pairs(items: Vec<Value>) -> Vec<(Value, Value)> {
    let mut pairs = Vec::with_capacity(items.len() / 2);
    let mut items = items.into_iter();
    while let (Some(key), Some(value)) = (items.next(), items.next()) {
        pairs.push((key, value));
    }
    pairs
}

/// The aggregate inside `frame`, with its kind.
fn aggregate_of<'a>(frame: &Frame<'a>) -> Option<(Shape, Aggregate<'a>)> {
    match *frame {
        Frame::Array(a) => Some((Shape::Array, a)),
        Frame::Map(a) => Some((Shape::Map, a)),
        Frame::Set(a) => Some((Shape::Set, a)),
        Frame::Attribute(a) => Some((Shape::Attribute, a)),
        Frame::Push(a) => Some((Shape::Push, a)),
        _ => None,
    }
}

/// Text as a `String`, invalid UTF-8 replaced.
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A frame that is not an aggregate, as a value.
fn scalar(frame: &Frame<'_>) -> Value {
    match *frame {
        Frame::SimpleString(b"OK") => Value::Okay,
        Frame::SimpleString(s) => Value::SimpleString(lossy(s)),
        Frame::SimpleError(t) | Frame::BulkError(t) => Value::ServerError(ServerError::new(t)),
        Frame::Integer(n) => Value::Int(n),
        Frame::BulkString(b) => Value::BulkString(b.to_vec()),
        Frame::StreamedString(s) => {
            let mut bytes = Vec::with_capacity(s.len());
            s.chunks().for_each(|part| bytes.extend_from_slice(part));
            Value::BulkString(bytes)
        }
        Frame::NullBulkString | Frame::NullArray | Frame::Null => Value::Nil,
        Frame::Boolean(b) => Value::Boolean(b),
        Frame::Double(d) => Value::Double(d.value()),
        Frame::BigNumber(digits) => Value::BigNumber(lossy(digits)),
        Frame::VerbatimString { format, text } => Value::VerbatimString { format, text: lossy(text) },
        // Aggregates are handled by `Value::from_frame`; this arm is never taken.
        Frame::Array(_) | Frame::Map(_) | Frame::Set(_) | Frame::Attribute(_) | Frame::Push(_) => Value::Nil,
    }
}

/// The type name of a frame, the same as [`Value::kind_name`] of its value.
pub(super) fn frame_kind_name(frame: &Frame<'_>) -> &'static str {
    match frame {
        Frame::SimpleString(_) => "simple string",
        Frame::SimpleError(_) | Frame::BulkError(_) => "error reply",
        Frame::Integer(_) => "integer",
        Frame::BulkString(_) | Frame::StreamedString(_) => "bulk string",
        Frame::NullBulkString | Frame::NullArray | Frame::Null => "nil",
        Frame::Array(_) => "array",
        Frame::Boolean(_) => "boolean",
        Frame::Double(_) => "double",
        Frame::BigNumber(_) => "big number",
        Frame::VerbatimString { .. } => "verbatim string",
        Frame::Map(_) => "map",
        Frame::Set(_) => "set",
        Frame::Attribute(_) => "attribute",
        Frame::Push(_) => "push",
    }
}

impl Value {
    /// Copies a borrowed frame, and everything nested in it, into an owned value.
    ///
    /// Error replies become [`Value::ServerError`], `+OK` becomes [`Value::Okay`] and
    /// streamed strings a joined [`Value::BulkString`]. Attributes inside aggregates wrap
    /// the element they annotate in [`Value::Attribute`]. Nesting uses a heap stack, not
    /// recursion (and decoded frames are at most 64 levels deep anyway).
    pub fn from_frame(frame: &Frame<'_>) -> Value {
        let Some((shape, outer)) = aggregate_of(frame) else {
            return scalar(frame);
        };
        let mut current = Open::new(shape, &outer);
        let mut parents: Vec<Open<'_>> = Vec::new();
        loop {
            match current.elements.next() {
                Some(element) => match aggregate_of(&element) {
                    Some((shape, inner)) => {
                        parents.push(mem::replace(&mut current, Open::new(shape, &inner)))
                    }
                    None => current.push(scalar(&element)),
                },
                None => match parents.pop() {
                    Some(parent) => {
                        let closed = mem::replace(&mut current, parent);
                        current.push_closed(closed);
                    }
                    None => return current.finish(),
                },
            }
        }
    }

    /// The reply's type as a short name for messages: `"nil"`, `"integer"`,
    /// `"bulk string"`, `"simple string"` (also for [`Value::Okay`]), `"array"`, `"map"`,
    /// `"set"`, `"attribute"`, `"double"`, `"boolean"`, `"verbatim string"`,
    /// `"big number"`, `"push"` or `"error reply"`.
    pub const fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Int(_) => "integer",
            Value::BulkString(_) => "bulk string",
            Value::SimpleString(_) | Value::Okay => "simple string",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Set(_) => "set",
            Value::Attribute { .. } => "attribute",
            Value::Double(_) => "double",
            Value::Boolean(_) => "boolean",
            Value::VerbatimString { .. } => "verbatim string",
            Value::BigNumber(_) => "big number",
            Value::Push { .. } => "push",
            Value::ServerError(_) => "error reply",
        }
    }

    /// Whether the value is nil.
    pub const fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Whether the value is an error reply.
    pub const fn is_error(&self) -> bool {
        matches!(self, Value::ServerError(_))
    }

    /// The error reply, when the value is one.
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Value::ServerError(e) => Some(e),
            _ => None,
        }
    }

    /// The bytes of a bulk, simple or verbatim string (`b"OK"` for [`Value::Okay`]).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::BulkString(b) => Some(b),
            Value::SimpleString(s) | Value::VerbatimString { text: s, .. } => Some(s.as_bytes()),
            Value::Okay => Some(b"OK"),
            _ => None,
        }
    }

    /// The text of a simple or verbatim string, or of a bulk string that is valid UTF-8
    /// (`"OK"` for [`Value::Okay`]).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::BulkString(b) => std::str::from_utf8(b).ok(),
            Value::SimpleString(s) | Value::VerbatimString { text: s, .. } => Some(s),
            Value::Okay => Some("OK"),
            _ => None,
        }
    }

    /// The number of an integer reply. (Use [`FromValue`](super::FromValue) to parse
    /// numbers sent as strings.)
    pub const fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The elements of an array or set.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) | Value::Set(items) => Some(items),
            _ => None,
        }
    }

    /// The pairs of a map.
    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(pairs) => Some(pairs),
            _ => None,
        }
    }

    /// The elements of an array or set, or the value itself when it is neither.
    pub fn into_array(self) -> Result<Vec<Value>, Value> {
        match self {
            Value::Array(items) | Value::Set(items) => Ok(items),
            other => Err(other),
        }
    }

    /// The pairs of a map, or the value itself when it is not one.
    pub fn into_map(self) -> Result<Vec<(Value, Value)>, Value> {
        match self {
            Value::Map(pairs) => Ok(pairs),
            other => Err(other),
        }
    }

    /// The value without the attributes that annotated it.
    pub fn into_data(self) -> Value {
        let mut value = self;
        while let Value::Attribute { data, .. } = value {
            value = *data;
        }
        value
    }

    /// [`Value::into_data`], borrowed.
    pub fn data(&self) -> &Value {
        let mut value = self;
        while let Value::Attribute { data, .. } = value {
            value = data;
        }
        value
    }
}

impl From<Frame<'_>> for Value {
    fn from(frame: Frame<'_>) -> Self {
        Value::from_frame(&frame)
    }
}

impl From<&Frame<'_>> for Value {
    fn from(frame: &Frame<'_>) -> Self {
        Value::from_frame(frame)
    }
}
