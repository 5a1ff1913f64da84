//! A read buffer that grows, up to a limit, when a reply does not fit.

use ferrodis_core::conn::Buffer;

/// A heap buffer for the core shells that grows on demand up to `max` bytes.
#[derive(Debug)]
pub(crate) struct Growable {
    buf: Vec<u8>,
    max: usize,
}

impl Growable {
    /// `initial` bytes now, at most `max` ever.
    pub(crate) fn new(initial: usize, max: usize) -> Self {
        Self { buf: vec![0; initial.min(max)], max }
    }
}

impl AsRef<[u8]> for Growable {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl AsMut<[u8]> for Growable {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
}

impl Buffer for Growable {
    fn grow(&mut self, len: usize) -> bool {
        if len > self.max {
            return false;
        }
        let new_len = len.max(self.buf.len().saturating_mul(2)).min(self.max);
        self.buf.resize(new_len, 0);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_geometrically_up_to_the_limit() {
        let mut b = Growable::new(16, 100);
        assert!(b.grow(20));
        assert_eq!(b.as_ref().len(), 32);
        assert!(b.grow(90));
        assert_eq!(b.as_ref().len(), 90);
        assert!(!b.grow(101));
        assert_eq!(b.as_ref().len(), 90);
    }
}
