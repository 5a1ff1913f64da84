//! [`CredentialProvider`]: where a connection's user name and password come from when
//! they change over time (rotated secrets, short-lived tokens), asked on every connect.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Password;

/// A user name (`None`: the `default` user) and a password, as a provider yields them.
/// `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The ACL user, or `None` for `AUTH password`.
    pub username: Option<String>,
    /// The password.
    pub password: Password,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &self.password)
            .finish()
    }
}

/// Yields the credentials of a new connection: called for every connection opened and
/// every reconnect, so a rotated password is picked up without a restart (redis-py's
/// `credential_provider`). It runs on the connecting thread or task, before the
/// handshake; its error fails the connect as [`ErrorKind::Credentials`](crate::ErrorKind::Credentials)
/// (nothing sent), and must not contain the secret.
///
/// ```
/// use ferrodis_std::{ClientBuilder, CredentialProvider, Credentials, Password};
///
/// /// The password of the moment, from wherever secrets live.
/// struct Vault;
///
/// impl CredentialProvider for Vault {
///     fn credentials(&self) -> Result<Credentials, String> {
///         Ok(Credentials { username: Some("app".into()), password: Password::new("rotated") })
///     }
/// }
///
/// let client = ClientBuilder::new().credential_provider(Vault).build();
/// # let _ = client;
/// ```
pub trait CredentialProvider: Send + Sync {
    /// The credentials to authenticate with now, or why there are none (a message
    /// without the secret).
    fn credentials(&self) -> Result<Credentials, String>;
}

/// Reads the credentials from a file on every connect: one line is the password; two
/// lines are the user name, then the password (surrounding white space is dropped). For
/// secrets mounted as files and rotated in place (Kubernetes secrets, Vault agent).
///
/// ```
/// use ferrodis_std::{CredentialProvider, CredentialsFile};
///
/// let path = std::env::temp_dir().join(format!("ferrodis-doc-{}", std::process::id()));
/// std::fs::write(&path, "app\ns3cr3t\n")?;
/// let found = CredentialsFile::new(&path).credentials().unwrap();
/// assert_eq!((found.username.as_deref(), found.password.expose()), (Some("app"), "s3cr3t"));
/// assert!(!format!("{found:?}").contains("s3cr3t"));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsFile {
    path: PathBuf,
}

impl CredentialsFile {
    /// The provider of the file at `path` (read at each connect, not now).
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self { path: path.as_ref().to_owned() }
    }
}

impl CredentialProvider for CredentialsFile {
    fn credentials(&self) -> Result<Credentials, String> {
        let shown = self.path.display();
        let text = std::fs::read_to_string(&self.path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
        match lines.as_slice() {
            [password] => Ok(Credentials { username: None, password: Password::new(*password) }),
            [username, password] => {
                Ok(Credentials { username: Some((*username).to_owned()), password: Password::new(*password) })
            }
            [] => Err(format!("{shown} is empty: it should hold a password, or a user name and a password")),
            _ => Err(format!(
                "{shown} has {} lines: it should hold a password, or a user name and a password",
                lines.len()
            )),
        }
    }
}

/// A [`CredentialProvider`] in a [`ConnectionConfig`](crate::ConnectionConfig): shared by
/// every connection opened from it; equal only to itself; shown without its contents.
#[derive(Clone)]
pub struct CredentialSource(pub(crate) Arc<dyn CredentialProvider>);

impl CredentialSource {
    /// Wraps `provider`.
    pub fn new(provider: impl CredentialProvider + 'static) -> Self {
        Self(Arc::new(provider))
    }

    /// The credentials of a connection opened now.
    pub fn credentials(&self) -> Result<Credentials, String> {
        self.0.credentials()
    }
}

impl PartialEq for CredentialSource {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialSource(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credentials_file_takes_one_or_two_lines_and_says_what_is_wrong_otherwise() {
        let dir = std::env::temp_dir().join(format!("ferrodis-credentials-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            CredentialsFile::new(path).credentials()
        };
        let one = file("one", "  hunter2 \n").unwrap();
        assert_eq!((one.username, one.password.expose()), (None, "hunter2"));
        let two = file("two", "app\r\nhunter2\r\n").unwrap();
        assert_eq!((two.username.as_deref(), two.password.expose()), (Some("app"), "hunter2"));
        let empty = file("empty", "\n\n").unwrap_err();
        assert!(empty.contains("is empty"), "{empty}");
        let three = file("three", "a\nb\nsecret-c\n").unwrap_err();
        assert!(three.contains("3 lines") && !three.contains("secret-c"), "{three}");
        let missing = CredentialsFile::new(dir.join("missing")).credentials().unwrap_err();
        assert!(missing.contains("cannot read"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
