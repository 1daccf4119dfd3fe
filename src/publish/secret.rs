//! A secret read from the environment: a password or token that never reaches a file, the
//! ledger, an error message or `--json`.

use std::fmt;

/// A password or token. It prints as `***` (`Debug` and `Display`), has no `Serialize`, and
/// is read only with `expose`, at the one place it goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret read from the environment.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The secret itself, for the request or the SMTP command that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Reads the environment variable `name`, which the configuration names (`token_env`,
    /// `password_env`, …); the error names the variable and the key, never a value.
    pub fn from_env(name: &str, key: &str, target: &str) -> anyhow::Result<Secret> {
        // A name that does not look like one (`Hunter2`) may be the secret itself, written
        // where its variable's name belongs: not echoed.
        let shown = if name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            name.to_string()
        } else {
            "named there".to_string()
        };
        let name_shown = shown.as_str();
        match std::env::var(name) {
            Ok(value) if !value.is_empty() => Ok(Secret(value)),
            Ok(_) => anyhow::bail!(
                "publish target `{target}`: the environment variable {name_shown} (named by `{key}`) is empty"
            ),
            Err(std::env::VarError::NotPresent) => anyhow::bail!(
                "publish target `{target}`: the environment variable {name_shown} (named by `{key}`) is not set; \
                 export it before publishing"
            ),
            Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!(
                "publish target `{target}`: the environment variable {name_shown} (named by `{key}`) is not valid UTF-8"
            ),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_itself() {
        let secret = Secret::new("hunter2".into());
        assert_eq!(format!("{secret} {secret:?}"), "*** ***");
        assert_eq!(secret.expose(), "hunter2");
    }
}
