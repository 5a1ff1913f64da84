//! HyperLogLog: `PFADD`, `PFCOUNT`, `PFMERGE`.

use super::args::variadic;
use crate::reply::Okay;

variadic! {
    /// `PFADD key [element ...]`: whether the estimate changed.
    fn pfadd(key; elements: [E]) -> PfAdd<E> ["PFADD"] => bool;
    /// `PFCOUNT key [key ...]`: the estimated number of distinct elements (of the union,
    /// for several keys).
    fn pfcount(; keys: [K]) -> PfCount<K> ["PFCOUNT"] => u64;
    /// `PFMERGE destkey [sourcekey ...]`: merges HyperLogLogs into `destkey`.
    fn pfmerge(destkey; sourcekeys: [K]) -> PfMerge<K> ["PFMERGE"] => Okay;
}
