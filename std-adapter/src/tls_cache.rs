//! [`BuiltOnce`]: the TLS client configuration of a [`TlsOptions`](crate::TlsOptions),
//! built at the first connect and shared by every connection opened from clones of the
//! same options (a `Client`'s, a pool's), so CA and certificate files are read once.

use std::any::Any;
use std::sync::{Arc, Mutex};

/// What a [`TlsOptions`](crate::TlsOptions) built, with the settings it was built from
/// (a setting changed since makes it build again). Clones share it; it compares equal to
/// any other, as it is derived from the options it sits in.
#[derive(Clone, Default)]
pub(crate) struct BuiltOnce(Arc<Mutex<Option<Built>>>);

/// The settings a value was built from, and the value.
type Built = (Box<dyn Any + Send + Sync>, Arc<dyn Any + Send + Sync>);

impl BuiltOnce {
    /// The value built from `key`, building it with `build` unless the last one was built
    /// from an equal key.
    pub(crate) fn get_or_build<K, V, E>(
        &self,
        key: &K,
        build: impl FnOnce() -> Result<Arc<V>, E>,
    ) -> Result<Arc<V>, E>
    where
        K: PartialEq + Clone + Send + Sync + 'static,
        V: Send + Sync + 'static,
    {
        let mut slot = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((built_from, value)) = slot.as_ref()
            && built_from.downcast_ref::<K>() == Some(key)
            && let Ok(value) = Arc::clone(value).downcast::<V>()
        {
            return Ok(value);
        }
        let value = build()?;
        *slot = Some((Box::new(key.clone()), value.clone()));
        Ok(value)
    }
}

impl PartialEq for BuiltOnce {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for BuiltOnce {}

impl std::fmt::Debug for BuiltOnce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("..")
    }
}
