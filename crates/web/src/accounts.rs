//! The demo's people: one login per role of each secretariat, the joint task force, an
//! auditor and an administrator.

use synergies_domain::access::{Grant, Role};
use synergies_store::{Audit, Store, UserRecord};

use crate::auth::{hash_password, new_secret, now_rfc3339};
use crate::error::Problem;

/// (username, display name, role, organisation) of every demo user.
pub const DEMO_USERS: &[(&str, &str, Role, Option<&str>)] = &[
    (
        "mc.officer",
        "Minamata programme officer",
        Role::Officer,
        Some("MC"),
    ),
    (
        "mc.finance",
        "Minamata finance officer",
        Role::Finance,
        Some("MC"),
    ),
    (
        "mc.head",
        "Minamata Executive Secretary",
        Role::Head,
        Some("MC"),
    ),
    (
        "brs.officer",
        "BRS programme officer",
        Role::Officer,
        Some("BRS"),
    ),
    (
        "brs.finance",
        "BRS finance officer",
        Role::Finance,
        Some("BRS"),
    ),
    (
        "brs.head",
        "BRS Executive Secretary",
        Role::Head,
        Some("BRS"),
    ),
    (
        "chb.officer",
        "Chemicals hub officer",
        Role::Officer,
        Some("CHB"),
    ),
    (
        "taskforce",
        "Joint task force member",
        Role::TaskForce,
        None,
    ),
    ("auditor", "Auditor", Role::Auditor, None),
    ("admin", "Administrator", Role::Admin, None),
];

/// A password for the demo: `SYNERGIES_DEMO_PASSWORD` when set, else a new random one.
pub fn demo_password() -> String {
    match std::env::var("SYNERGIES_DEMO_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => new_secret()[..20].to_string(),
    }
}

/// Creates the demo users, or gives those that exist `password` again, so that the logins
/// the demo prints always work; a user whose password it already is stays as it is. Returns
/// their usernames.
pub fn ensure_demo_users(store: &dyn Store, password: &str) -> Result<Vec<String>, Problem> {
    let mut names = vec![];
    for (username, display, role, org) in DEMO_USERS {
        synergies_domain::password::check_password(password, username, display).map_err(|e| {
            Problem::unprocessable(format!("the demo password for {username}: {e}"))
        })?;
        names.push(username.to_string());
        let before = store.user(username)?;
        let grants = vec![Grant {
            role: *role,
            organisation: org.map(str::to_string),
        }];
        if let Some(b) = &before {
            if b.active
                && b.grants == grants
                && crate::auth::verify_password(password, &b.password_hash)
            {
                continue;
            }
        }
        let user = UserRecord {
            username: username.to_string(),
            display_name: display.to_string(),
            password_hash: hash_password(password)?,
            grants,
            active: true,
            created_at: before.map(|b| b.created_at).unwrap_or_else(now_rfc3339),
        };
        store.save_user(
            &user,
            None,
            &Audit::new(
                "demo",
                "users.demo",
                username,
                serde_json::json!({ "after": { "user": username, "password": "set (not recorded)" } }),
            ),
        )?;
    }
    Ok(names)
}
