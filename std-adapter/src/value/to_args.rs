//! [`ToArgs`] and [`ArgSink`] are core's: the one argument trait of ferrodis, with every
//! std type (`String`, `Vec<T>`, `HashMap`, `Arc<T>`, ...) implemented there, so typed
//! builders, [`Cmd`](super::Cmd) and the command methods take the same values.

pub use ferrodis_core::cmd::ToArgs;
pub use ferrodis_core::resp::ArgSink;
