//! [`Replies`]: the replies of one request on a multiplexed connection, copied out of the
//! read buffer as they arrived, back to back.

use ferrodis_core::conn::engine::Run;
use ferrodis_core::resp::{Aggregate, DetachedFrame, Frame};
use smallvec::SmallVec;

/// The replies of one request: their bytes back to back (a pipeline's copied in as few
/// pieces as they arrived in), how many there are, and the sizes of those too large to
/// keep. A request answered by one reply hands it out without decoding it again.
#[derive(Debug, Default)]
pub(crate) struct Replies {
    /// Inline for small replies: no allocation for them.
    bytes: SmallVec<[u8; 48]>,
    /// Replies in `bytes`.
    kept: usize,
    /// The last reply, when it came alone (not in a run): positions in `bytes`, or the
    /// size of one too large to keep.
    last: Option<Result<DetachedFrame, usize>>,
    /// Replies too large to keep: where each was among all the replies, and its size.
    too_large: Vec<(usize, usize)>,
    /// Whether a reply kept is an error.
    has_error: bool,
}

impl Replies {
    /// Takes in a reply, `frame` as positioned in `bytes`, which holds it and the `run` of
    /// replies the engine took behind it.
    pub(super) fn push(&mut self, frame: DetachedFrame, bytes: &[u8], run: Run) {
        let at = self.bytes.len();
        if at == 0 && bytes.len() > self.bytes.inline_size() {
            // A large first piece: one allocation, exactly its size.
            self.bytes = SmallVec::from_vec(bytes.to_vec());
        } else {
            self.bytes.extend_from_slice(bytes);
        }
        self.kept += 1 + run.count;
        self.has_error |= frame.is_error() || run.has_error;
        self.last = (run.count == 0).then_some(Ok(frame.shifted(at)));
    }

    /// Notes a reply too large to keep, of `needed` bytes.
    pub(super) fn push_too_large(&mut self, needed: usize) {
        self.too_large.push((self.len(), needed));
        self.last = Some(Err(needed));
    }

    /// How many replies there are.
    pub(crate) fn len(&self) -> usize {
        self.kept + self.too_large.len()
    }

    /// Whether a reply is an error: when not, looking for one is skipped.
    pub(crate) fn may_hold_error(&self) -> bool {
        self.has_error
    }

    /// The replies in order: each a frame, or the size of one too large to keep.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Result<Frame<'_>, usize>> + '_ {
        let mut kept = Aggregate::from_encoded(&self.bytes, self.kept).iter();
        let mut too_large = self.too_large.iter().peekable();
        (0..self.len()).map(move |at| match too_large.next_if(|(index, _)| *index == at) {
            Some(&(_, needed)) => Err(needed),
            None => Ok(kept.next().unwrap_or(Frame::Null)),
        })
    }

    /// Every reply as one array (for a pipeline's conversion), unless one was too large
    /// to keep.
    pub(crate) fn as_array(&self) -> Option<Frame<'_>> {
        self.too_large.is_empty().then(|| Frame::Array(Aggregate::from_encoded(&self.bytes, self.kept)))
    }

    /// The last reply (the only one, but for a subscription command, which is answered
    /// once per channel), a frame or the size of one too large to keep (`Frame::Null` for
    /// a request answered by nothing).
    pub(crate) fn last(&self) -> Result<Frame<'_>, usize> {
        match self.last {
            Some(Ok(frame)) => Ok(frame.attach(&self.bytes)),
            Some(Err(needed)) => Err(needed),
            None => self.iter().last().unwrap_or(Ok(Frame::Null)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodis_core::resp::{Decoded, Decoder};

    fn detached(bytes: &[u8]) -> DetachedFrame {
        match Decoder::DEFAULT.decode(bytes) {
            Ok(Decoded::Complete { frame, .. }) => DetachedFrame::of(&frame, bytes),
            _ => panic!("not a frame"),
        }
    }

    #[test]
    fn replies_come_back_in_order_with_the_too_large_in_their_places() {
        let mut replies = Replies::default();
        replies.push(detached(b"+OK\r\n"), b"+OK\r\n", Run::default());
        assert_eq!(replies.last(), Ok(Frame::SimpleString(b"OK")));
        replies.push_too_large(1 << 20);
        let run = Run { count: 2, last: true, has_error: true };
        replies.push(detached(b":1\r\n"), b":1\r\n-ERR no\r\n$1\r\nx\r\n", run);
        let all: Vec<_> = replies.iter().collect();
        assert_eq!(
            all,
            [
                Ok(Frame::SimpleString(b"OK")),
                Err(1 << 20),
                Ok(Frame::Integer(1)),
                Ok(Frame::SimpleError(b"ERR no")),
                Ok(Frame::BulkString(b"x")),
            ]
        );
        assert_eq!(replies.len(), 5);
        assert!(replies.may_hold_error());
        assert_eq!(replies.last(), Ok(Frame::BulkString(b"x")));
        assert!(replies.as_array().is_none(), "one reply was not kept");
    }

    #[test]
    fn a_pipeline_without_a_reply_too_large_is_one_array() {
        let mut replies = Replies::default();
        let run = Run { count: 1, last: true, has_error: false };
        replies.push(detached(b"$1\r\na\r\n"), b"$1\r\na\r\n$-1\r\n", run);
        let Some(Frame::Array(items)) = replies.as_array() else { panic!("no array") };
        assert_eq!(items.iter().collect::<Vec<_>>(), [Frame::BulkString(b"a"), Frame::NullBulkString]);
        assert!(!replies.may_hold_error());
        assert_eq!(Replies::default().last(), Ok(Frame::Null));
    }
}
