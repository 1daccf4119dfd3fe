//! Each social and forum service made ready for a plan: its secret read from the
//! environment, its client made, the login checked, and (for a network) its limits read.
//! Any failure makes every step at the target impossible, with the reason.

use crate::config::publish::{Bluesky, Devto, Discourse, Mastodon, Service, Target};

use super::host::Host;
use super::network::{Network, Social};

/// A network target, ready; `Err` says why it cannot be used.
pub(super) fn social(target: &Target) -> anyhow::Result<Social> {
    let network: Box<dyn Network> = match &target.service {
        Service::Mastodon(settings) => mastodon(settings, &target.name)?,
        Service::Bluesky(settings) => bluesky(settings, &target.name)?,
        other => anyhow::bail!("{} is not a social network", other.name()),
    };
    let limits = network.limits()?;
    Ok(Social { network, limits })
}

/// A host target, ready; `Err` says why it cannot be used.
pub(super) fn host(target: &Target) -> anyhow::Result<Box<dyn Host>> {
    match &target.service {
        Service::Discourse(settings) => discourse(settings, &target.name),
        Service::Devto(settings) => devto(settings, &target.name),
        other => anyhow::bail!("{} does not keep articles", other.name()),
    }
}

// Each service's own function below; kept apart so each can change alone.

fn mastodon(settings: &Mastodon, target: &str) -> anyhow::Result<Box<dyn Network>> {
    let token = super::Secret::from_env(&settings.token_env, "token_env", target)?;
    let client = super::mastodon::Client::new(settings, token)?;
    client.check_login()?;
    Ok(Box::new(client))
}

fn bluesky(settings: &Bluesky, target: &str) -> anyhow::Result<Box<dyn Network>> {
    let password = super::Secret::from_env(&settings.password_env, "password_env", target)?;
    Ok(Box::new(super::bluesky::Client::login(settings, password)?))
}

fn discourse(settings: &Discourse, target: &str) -> anyhow::Result<Box<dyn Host>> {
    let key = super::Secret::from_env(&settings.token_env, "token_env", target)?;
    let client = super::discourse::Client::new(settings, key)?;
    client.check_login()?;
    Ok(Box::new(client))
}

fn devto(settings: &Devto, target: &str) -> anyhow::Result<Box<dyn Host>> {
    let key = super::Secret::from_env(&settings.token_env, "token_env", target)?;
    let client = super::devto::Client::new(settings, key)?;
    client.check_login()?;
    Ok(Box::new(client))
}
