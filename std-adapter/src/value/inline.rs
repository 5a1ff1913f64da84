//! [`Inline`]: a short vector kept in place, moved to the heap only when it outgrows `N`.

/// Up to `N` elements in place; more on the heap. One copy per append, no allocation for
/// a short command.
#[derive(Clone)]
pub(crate) struct Inline<T: Copy + Default, const N: usize> {
    inline: [T; N],
    len: usize,
    /// Every element, once there are more than `N` (then `inline` is unused).
    heap: Vec<T>,
}

impl<T: Copy + Default, const N: usize> Default for Inline<T, N> {
    fn default() -> Self {
        Self { inline: [T::default(); N], len: 0, heap: Vec::new() }
    }
}

impl<T: Copy + Default, const N: usize> Inline<T, N> {
    #[inline]
    pub(crate) fn as_slice(&self) -> &[T] {
        if self.len <= N { &self.inline[..self.len] } else { &self.heap }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(crate) fn extend_from_slice(&mut self, items: &[T]) {
        let end = self.len + items.len();
        if end <= N {
            self.inline[self.len..end].copy_from_slice(items);
        } else {
            if self.len <= N {
                self.heap.reserve(end.max(2 * N));
                self.heap.extend_from_slice(&self.inline[..self.len]);
            }
            self.heap.extend_from_slice(items);
        }
        self.len = end;
    }

    #[inline]
    pub(crate) fn push(&mut self, item: T) {
        self.extend_from_slice(std::slice::from_ref(&item));
    }
}

impl<T: Copy + Default + PartialEq, const N: usize> PartialEq for Inline<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Copy + Default + Eq, const N: usize> Eq for Inline<T, N> {}

impl<T: Copy + Default + std::hash::Hash, const N: usize> std::hash::Hash for Inline<T, N> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_to_the_heap_when_it_outgrows_its_place() {
        let mut v: Inline<u8, 4> = Inline::default();
        v.extend_from_slice(b"abc");
        assert!(v.heap.is_empty());
        v.extend_from_slice(b"def");
        v.push(b'g');
        assert_eq!(v.as_slice(), b"abcdefg");
        assert_eq!(v.len(), 7);
        let w = v.clone();
        assert!(w == v);
    }
}
