//! What both cluster clients do with the router's decisions and their errors: a decision
//! made owned so the client can act on it, and the errors a cluster request ends with.

use std::time::Duration;

use ferrodis_core::cluster::{Next, Request, RouteError, Target};
use ferrodis_core::resp::{CommandArgs, Frame};

use super::ClusterRouter;
use super::remap::{AddressRemapFn, redirect_target};
use ferrodis_core::error::Delivery;

use crate::error::{Error, ErrorKind, Result};
use crate::random::random_word;
use crate::value::Value;

/// A router decision with its borrows turned owned.
pub(crate) enum Step {
    Done,
    SendTo(String, u16, bool),
    RetryAfter(Duration),
    Fail(RouteError),
}

pub(crate) fn owned(next: Next<'_>) -> Step {
    match next {
        Next::Done => Step::Done,
        Next::SendTo { host, port, asking } => Step::SendTo(host.to_owned(), port, asking),
        Next::RetryAfter(delay) => Step::RetryAfter(delay),
        Next::Fail(e) => Step::Fail(e),
    }
}

/// How a request that got `result` ends after the router said `Fail(e)`: an unknown
/// outcome or a timeout keeps the connection's own error, which says what it was and
/// whether the request was sent.
pub(crate) fn failed(e: RouteError, result: Result<Value>) -> Result<Value> {
    if matches!(e, RouteError::OutcomeUnknown | RouteError::TimedOut) {
        return result;
    }
    let delivery = result.err().map_or(Delivery::Unknown, |e| e.delivery());
    Err(cluster_error(e, delivery))
}

/// A result with an error reply as a [`Value::ServerError`], as a pipeline collects it.
pub(crate) fn as_reply(result: Result<Value>) -> Result<Value> {
    match result {
        Err(e) if e.server_error().is_some() => match e.into_kind() {
            ErrorKind::Server(reply) => Ok(Value::ServerError(reply)),
            _ => unreachable!("checked to be a server error"),
        },
        other => other,
    }
}

/// Whether `e` means the node's connection is gone (or never came up).
pub(crate) fn is_connection_error(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Io(_) | ErrorKind::Closed | ErrorKind::Broken | ErrorKind::Timeout)
}

/// Whether `e` is a refresh's map refused for the slots it leaves without a node.
pub(crate) fn is_uncovered(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::SlotsNotCovered(_))
}

/// Keeps `e` as the error a failed refresh ends with, unless that is already a map
/// refused for its uncovered slots: what the cluster looks like says more than one node
/// that did not answer.
pub(crate) fn keep_telling(last: &mut Option<Error>, e: Error) {
    if is_uncovered(&e) || !last.as_ref().is_some_and(is_uncovered) {
        *last = Some(e);
    }
}

/// The error of a refresh that asked `asked` (with `startup_only` when those were the
/// startup nodes alone) and took no map, `last` the last one's error: a map refused for
/// its uncovered slots as it is, otherwise [`ErrorKind::ClusterRefreshFailed`], which
/// names the nodes asked.
pub(crate) fn refresh_failed(last: Option<Error>, asked: Vec<(String, u16)>, startup_only: bool) -> Error {
    match last {
        Some(e) if is_uncovered(&e) => e,
        Some(e) => {
            let delivery = e.delivery();
            Error::new(ErrorKind::ClusterRefreshFailed { asked, startup_only, last: Box::new(e) }, delivery)
        }
        None => Error::config("a cluster needs at least one startup node"),
    }
}

pub(crate) fn cluster_error(e: RouteError, delivery: Delivery) -> Error {
    Error::new(ErrorKind::Cluster(e), delivery)
}

/// The error of a request whose slot no node serves.
pub(crate) fn not_served(request: &Request) -> Error {
    let slot = match request.target() {
        Target::Slot(slot) => slot,
        _ => 0,
    };
    cluster_error(RouteError::SlotNotServed { slot }, Delivery::NotSent)
}

/// The error of a split command's part when other parts were answered: the command as a
/// whole has an unknown outcome.
pub(crate) fn partial(e: Error, others_answered: bool) -> Error {
    match e.delivery() {
        Delivery::NotSent if others_answered => Error::new(e.into_kind(), Delivery::Unknown),
        _ => e,
    }
}

/// The request whose slot a transaction of `commands` (`MULTI` ... `EXEC`) runs on: every
/// command with keys must hash to one slot, and one must have a key. Refused, unsent,
/// otherwise.
pub(crate) fn transaction_request<C: CommandArgs>(router: &ClusterRouter, commands: &[C]) -> Result<Request> {
    let mut slot = None;
    for command in commands {
        let request = router.route(command).map_err(|e| cluster_error(e, Delivery::NotSent))?;
        match (request.target(), slot) {
            (Target::Slot(s), None) => slot = Some((s, request)),
            (Target::Slot(s), Some((first, _))) if s == first => {}
            (Target::Slot(_), Some(_)) | (Target::Split(_), _) => {
                return Err(cluster_error(RouteError::CrossSlot { command: "MULTI" }, Delivery::NotSent));
            }
            _ => {}
        }
    }
    slot.map(|(_, request)| request)
        .ok_or_else(|| Error::config("a cluster transaction needs a key: its slot picks the node"))
}

/// What a cluster client does after a request's `result` from `from`.
pub(crate) enum After {
    /// The request ends with this.
    Return(Result<Value>),
    /// Send it again to this host and port, after `ASKING` when the flag says so.
    Redirect(String, u16, bool),
    /// Send it again after this delay, to the node the map then says.
    Sleep(Duration),
}

/// Asks the router what follows `result`, which `from` sent (or failed to) at `now`: an
/// error reply goes to [`on_reply`](ferrodis_core::cluster::Router::on_reply), a
/// connection error to [`on_connection_error`](ferrodis_core::cluster::Router::on_connection_error);
/// a success or any other error ends the request.
pub(crate) fn after(
    router: &mut ClusterRouter,
    request: &mut Request,
    result: Result<Value>,
    from: (&str, u16),
    now: Duration,
    remap: Option<&AddressRemapFn>,
) -> After {
    let step = match &result {
        Ok(_) => return After::Return(result),
        Err(e) => match e.server_error() {
            Some(reply) => {
                let frame = Frame::SimpleError(reply.text());
                // The one address this reply can name, remapped ahead: core asks the remap
                // only for a redirect's.
                let target = redirect_target(remap, reply.text(), from.0);
                let remapped = |_: &str, port: u16| match &target {
                    Some((host, port)) => (Some(host.as_str()), *port),
                    None => (None, port),
                };
                owned(router.on_reply_remapped(request, &frame, from, now, random_word(), &remapped))
            }
            None if matches!(e.kind(), ErrorKind::Timeout) => owned(router.on_timeout()),
            None if is_connection_error(e) => {
                owned(router.on_connection_error(request, e.delivery(), now, random_word()))
            }
            None => return After::Return(result),
        },
    };
    match step {
        Step::Done => After::Return(result),
        Step::SendTo(host, port, asking) => After::Redirect(host, port, asking),
        Step::RetryAfter(delay) => After::Sleep(delay),
        Step::Fail(e) => After::Return(failed(e, result)),
    }
}

/// The reply to a command sent after `ASKING` (the second of the two), as the request's
/// result: an error reply is [`ErrorKind::Server`].
pub(crate) fn asked_reply(reply: Option<Value>) -> Result<Value> {
    match reply {
        Some(Value::ServerError(e)) => Err(Error::new(ErrorKind::Server(e), Delivery::Answered)),
        Some(value) => Ok(value),
        None => Err(Error::new(ErrorKind::UnexpectedReply, Delivery::Answered)),
    }
}
