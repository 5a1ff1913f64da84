//! Where a [`Cmd`](super::Cmd) keeps its arguments: [`ArgStorage`], with a fixed-capacity
//! store ([`FixedArgs`], no allocator) and, with the `alloc` feature, a heap store
//! ([`HeapArgs`]) that keeps a short command in place.

use crate::resp::Arg;

/// A buffer of command arguments: each argument's bytes back to back, and where each ends.
///
/// The two stores of this crate are [`FixedArgs`] and `HeapArgs` (with the `alloc` feature); another store (a
/// caller's static buffer, say) implements these four methods.
pub trait ArgStorage: Default {
    /// Appends one argument (its bytes, or a number's decimal text); `false`, and nothing
    /// appended, when it does not fit.
    fn push_arg(&mut self, arg: Arg<'_>) -> bool;

    /// The number of arguments.
    fn arg_count(&self) -> usize;

    /// The argument at `index`.
    fn arg_bytes(&self, index: usize) -> Option<&[u8]>;

    /// Keeps the first `count` arguments and forgets the rest.
    fn truncate(&mut self, count: usize);
}

/// Arguments in place: at most `BYTES` bytes in at most `ARGS` arguments, without an
/// allocator (the store of a [`Cmd`](super::Cmd) on firmware).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FixedArgs<const BYTES: usize, const ARGS: usize> {
    bytes: heapless::Vec<u8, BYTES>,
    ends: heapless::Vec<u32, ARGS>,
}

impl<const BYTES: usize, const ARGS: usize> ArgStorage for FixedArgs<BYTES, ARGS> {
    fn push_arg(&mut self, arg: Arg<'_>) -> bool {
        if self.ends.is_full() {
            return false;
        }
        let fits = arg.text(|text| self.bytes.extend_from_slice(text).is_ok());
        // BYTES is far below 4 GiB for any array in place.
        fits && self.ends.push(self.bytes.len() as u32).is_ok()
    }

    fn arg_count(&self) -> usize {
        self.ends.len()
    }

    fn arg_bytes(&self, index: usize) -> Option<&[u8]> {
        let (start, end) = bounds(&self.ends, index)?;
        self.bytes.get(start..end)
    }

    fn truncate(&mut self, count: usize) {
        if count < self.ends.len() {
            self.ends.truncate(count);
            let end = self.ends.last().map_or(0, |&e| e as usize);
            self.bytes.truncate(end);
        }
    }
}

/// Where argument `index` starts and ends, from the ends of every argument.
#[inline]
fn bounds(ends: &[u32], index: usize) -> Option<(usize, usize)> {
    let end = *ends.get(index)? as usize;
    let start = match index.checked_sub(1) {
        Some(previous) => ends[previous] as usize,
        None => 0,
    };
    Some((start, end))
}

#[cfg(feature = "alloc")]
pub use heap::HeapArgs;

#[cfg(feature = "alloc")]
mod heap {
    use super::{ArgStorage, bounds};
    use crate::resp::Arg;
    use alloc::vec::Vec;

    /// Arguments on the heap, a short command (up to 64 bytes in 6 arguments) kept in
    /// place: one copy per argument, no allocation for a short command, and none but the
    /// growth of one buffer for a long one. The store of `ferrodis-std`'s `Cmd`.
    #[derive(Clone, Default, PartialEq, Eq, Hash)]
    pub struct HeapArgs {
        bytes: Inline<u8, 64>,
        ends: Inline<u32, 6>,
    }

    impl core::fmt::Debug for HeapArgs {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("HeapArgs").field("args", &self.ends.len()).finish_non_exhaustive()
        }
    }

    impl ArgStorage for HeapArgs {
        #[inline]
        fn push_arg(&mut self, arg: Arg<'_>) -> bool {
            arg.text(|text| self.bytes.extend_from_slice(text));
            // A command over 4 GiB is refused by any server long before this would wrap.
            self.ends.extend_from_slice(&[self.bytes.len() as u32]);
            true
        }

        #[inline]
        fn arg_count(&self) -> usize {
            self.ends.len()
        }

        #[inline]
        fn arg_bytes(&self, index: usize) -> Option<&[u8]> {
            let (start, end) = bounds(self.ends.as_slice(), index)?;
            self.bytes.as_slice().get(start..end)
        }

        fn truncate(&mut self, count: usize) {
            if count < self.ends.len() {
                self.ends.truncate(count);
                let end = self.ends.as_slice().last().map_or(0, |&e| e as usize);
                self.bytes.truncate(end);
            }
        }
    }

    /// Up to `N` elements in place; more on the heap.
    #[derive(Clone)]
    struct Inline<T: Copy + Default, const N: usize> {
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
        fn as_slice(&self) -> &[T] {
            if self.len <= N { &self.inline[..self.len] } else { &self.heap }
        }

        #[inline]
        fn len(&self) -> usize {
            self.len
        }

        #[inline]
        fn extend_from_slice(&mut self, items: &[T]) {
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

        fn truncate(&mut self, len: usize) {
            if len >= self.len {
                return;
            }
            if self.len > N {
                self.heap.truncate(len);
                if len <= N {
                    self.inline[..len].copy_from_slice(&self.heap);
                    self.heap.clear();
                }
            }
            self.len = len;
        }
    }

    impl<T: Copy + Default + PartialEq, const N: usize> PartialEq for Inline<T, N> {
        fn eq(&self, other: &Self) -> bool {
            self.as_slice() == other.as_slice()
        }
    }

    impl<T: Copy + Default + Eq, const N: usize> Eq for Inline<T, N> {}

    impl<T: Copy + Default + core::hash::Hash, const N: usize> core::hash::Hash for Inline<T, N> {
        fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
            self.as_slice().hash(state);
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn moves_to_the_heap_when_it_outgrows_its_place_and_back_when_cut() {
            let mut v: Inline<u8, 4> = Inline::default();
            v.extend_from_slice(b"abc");
            assert!(v.heap.is_empty());
            v.extend_from_slice(b"defg");
            assert_eq!(v.as_slice(), b"abcdefg");
            assert_eq!(v.len(), 7);
            let w = v.clone();
            assert!(w == v);
            v.truncate(2);
            assert_eq!(v.as_slice(), b"ab");
            assert!(v.heap.is_empty());
        }
    }
}
