//! Combining the replies of a command sent to several nodes, by its response policy.

use ferrodis_core::cmd::ResponsePolicy;
use ferrodis_core::error::Delivery;

use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

/// The replies of the nodes a command went to, combined by `policy` (the command table's
/// `response_policy` tip): a sum, a minimum or maximum, a logical and or or of integers;
/// one reply when all (or one) succeeded; without a policy, arrays concatenated (`KEYS`)
/// or else the first reply. An error reply fails the whole unless one success is enough.
pub(crate) fn combine(policy: Option<ResponsePolicy>, replies: Vec<Value>) -> Result<Value> {
    if policy == Some(ResponsePolicy::OneSucceeded) {
        let mut first_error = None;
        for reply in replies {
            match reply {
                Value::ServerError(e) => {
                    first_error.get_or_insert(e);
                }
                ok => return Ok(ok),
            }
        }
        return Err(first_error.map_or_else(unexpected, server));
    }
    if let Some(error) = replies.iter().find_map(|r| match r {
        Value::ServerError(e) => Some(e.clone()),
        _ => None,
    }) {
        return Err(server(error));
    }
    let integers = || {
        replies
            .iter()
            .map(|r| if let Value::Int(n) = r { Some(*n) } else { None })
            .collect::<Option<Vec<_>>>()
    };
    let combined = match policy {
        Some(ResponsePolicy::AggSum) => Value::Int(integers().ok_or_else(unexpected)?.iter().sum()),
        Some(ResponsePolicy::AggMin) => {
            Value::Int(integers().and_then(|n| n.into_iter().min()).ok_or_else(unexpected)?)
        }
        Some(ResponsePolicy::AggMax) => {
            Value::Int(integers().and_then(|n| n.into_iter().max()).ok_or_else(unexpected)?)
        }
        Some(ResponsePolicy::AggLogicalAnd) => {
            Value::Int(i64::from(integers().ok_or_else(unexpected)?.iter().all(|&n| n != 0)))
        }
        Some(ResponsePolicy::AggLogicalOr) => {
            Value::Int(i64::from(integers().ok_or_else(unexpected)?.iter().any(|&n| n != 0)))
        }
        _ if !replies.is_empty() && replies.iter().all(|r| matches!(r, Value::Array(_))) => Value::Array(
            replies
                .into_iter()
                .flat_map(|r| if let Value::Array(items) = r { items } else { Vec::new() })
                .collect(),
        ),
        _ => replies.into_iter().next().ok_or_else(unexpected)?,
    };
    Ok(combined)
}

fn server(e: ferrodis_core::error::ServerError) -> Error {
    Error::new(ErrorKind::Server(e), Delivery::Answered)
}

fn unexpected() -> Error {
    Error::new(ErrorKind::UnexpectedReply, Delivery::Answered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodis_core::error::ServerError;

    #[test]
    fn each_policy_combines_as_the_table_says() {
        let ints = || vec![Value::Int(2), Value::Int(0), Value::Int(5)];
        assert_eq!(combine(Some(ResponsePolicy::AggSum), ints()).unwrap(), Value::Int(7));
        assert_eq!(combine(Some(ResponsePolicy::AggMin), ints()).unwrap(), Value::Int(0));
        assert_eq!(combine(Some(ResponsePolicy::AggMax), ints()).unwrap(), Value::Int(5));
        assert_eq!(combine(Some(ResponsePolicy::AggLogicalAnd), ints()).unwrap(), Value::Int(0));
        assert_eq!(combine(Some(ResponsePolicy::AggLogicalOr), ints()).unwrap(), Value::Int(1));
        let ok = || vec![Value::Okay, Value::Okay];
        assert_eq!(combine(Some(ResponsePolicy::AllSucceeded), ok()).unwrap(), Value::Okay);
        let keys = vec![Value::Array(vec![Value::Int(1)]), Value::Array(vec![Value::Int(2), Value::Int(3)])];
        assert_eq!(
            combine(None, keys).unwrap(),
            Value::Array(vec![Value::Int(1), Value::Int(2), Value::Int(3)])
        );
        let failed = vec![Value::Okay, Value::ServerError(ServerError::new(b"ERR no"))];
        assert!(
            combine(Some(ResponsePolicy::AllSucceeded), failed.clone()).unwrap_err().server_error().is_some()
        );
        assert_eq!(combine(Some(ResponsePolicy::OneSucceeded), failed).unwrap(), Value::Okay);
        assert!(combine(Some(ResponsePolicy::AggSum), vec![Value::Okay]).is_err());
        assert!(combine(None, Vec::new()).is_err());
    }
}
