//! Who may sign in, and how: users and their roles (the administrator's business), argon2id
//! password hashes, sessions and personal API tokens (random 256-bit secrets the database keeps
//! only as SHA-256 hashes), and the demo's people. Both faces go through here: the web server
//! to sign people in and check their sessions and tokens, the command line to manage users and
//! seed the demo.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use synergies_domain::access::{Action, Grant, Principal, Role};
use synergies_store::{Audit, NewApiToken, SessionRecord, Store, StoreError, UserRecord};

use crate::form::required;
use crate::{Actor, AppError, AppResult, AuditAction};

/// A new random secret, as 64 hexadecimal digits.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the database keeps of a session or token secret.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// An argon2id hash of `password` in PHC form.
pub fn hash_password(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Io(format!("cannot hash the password: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c3luZXJnaWVzLWR1bW15$Jm0q6j8yq7cXyE0bq2m1f6QyZ2dQm6mX0o4hN2m0a9c";

/// A time as the store compares it: `YYYY-MM-DDTHH:MM:SSZ`, UTC.
pub fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn now_rfc3339() -> String {
    Utc::now().to_rfc3339()
}

/// The person a user record signs in as.
pub fn principal(user: &UserRecord) -> Principal {
    Principal {
        username: user.username.clone(),
        grants: user.grants.clone(),
    }
}

/// The actor a user acts as.
pub fn actor(user: &UserRecord) -> Actor {
    Actor::Person(principal(user))
}

/// The active user `username` as an actor (the command line's `--as USER`).
pub fn acting_as(store: &dyn Store, username: &str) -> AppResult<Actor> {
    match store.user(username)? {
        Some(u) if u.active => Ok(actor(&u)),
        Some(_) => Err(AppError::Invalid(format!("user {username} is not active"))),
        None => Err(AppError::NotFound(format!(
            "no user {username} (see `synergies users list`)"
        ))),
    }
}

/// Checks a username and password; `None` when they do not match an active user. An unknown
/// username costs the same work as a known one, so timing does not tell which exist.
pub fn authenticate(
    store: &dyn Store,
    username: &str,
    password: &str,
) -> AppResult<Option<UserRecord>> {
    match store.user(username)? {
        Some(u) if u.active && verify_password(password, &u.password_hash) => Ok(Some(u)),
        Some(_) => Ok(None),
        None => {
            let _ = verify_password(password, DUMMY_HASH);
            Ok(None)
        }
    }
}

/// Records a failed sign-in of `username` from `client` through `face` (never the password),
/// and the start of a wait when `throttled` describes one.
pub fn record_failed_sign_in(
    store: &dyn Store,
    username: &str,
    client: &str,
    face: &str,
    throttled: Option<serde_json::Value>,
) -> AppResult<()> {
    // Bounded: a name longer than any username is cut.
    let subject: String = username.chars().take(100).collect();
    store.audit(
        "anonymous",
        AuditAction::SignInFailed.as_str(),
        &subject,
        &json!({ "client": client, "face": face }),
    )?;
    if let Some(mut detail) = throttled {
        detail["client"] = json!(client);
        detail["face"] = json!(face);
        store.audit(
            "anonymous",
            AuditAction::SignInThrottled.as_str(),
            &subject,
            &detail,
        )?;
    }
    Ok(())
}

/// Ends the session whose cookie holds `secret` (signing out).
pub fn end_session(store: &dyn Store, secret: &str) -> AppResult<()> {
    Ok(store.delete_session(&secret_hash(secret))?)
}

/// Records a request refused for want of the right role: who (`anonymous` when no one is
/// signed in), what was asked and from where.
pub fn record_refusal(store: &dyn Store, actor: &str, what: &str, client: &str) -> AppResult<()> {
    let subject: String = what.chars().take(300).collect();
    store.audit(
        actor,
        AuditAction::Refused.as_str(),
        &subject,
        &json!({ "status": 403, "client": client }),
    )?;
    Ok(())
}

/// Opens a session for `username` living `lifetime`; returns the secret for its cookie.
pub fn open_session(
    store: &dyn Store,
    username: &str,
    lifetime: std::time::Duration,
) -> AppResult<String> {
    let secret = new_secret();
    let now = Utc::now();
    let expires = now
        + chrono::Duration::from_std(lifetime)
            .map_err(|e| AppError::Invalid(format!("a session's lifetime: {e}")))?;
    store.create_session(&SessionRecord {
        token_hash: secret_hash(&secret),
        username: username.to_string(),
        csrf_token: new_secret(),
        created_at: now.to_rfc3339(),
        expires_at: expires.to_rfc3339(),
    })?;
    Ok(secret)
}

/// The active user of a live session, with the session's CSRF token; an expired session is
/// removed.
pub fn session_user(store: &dyn Store, secret: &str) -> AppResult<Option<(UserRecord, String)>> {
    let hash = secret_hash(secret);
    let Some(session) = store.session(&hash)? else {
        return Ok(None);
    };
    let expired = DateTime::parse_from_rfc3339(&session.expires_at)
        .map(|at| at < Utc::now())
        .unwrap_or(true);
    if expired {
        store.delete_session(&hash)?;
        return Ok(None);
    }
    Ok(store
        .user(&session.username)?
        .filter(|u| u.active)
        .map(|u| (u, session.csrf_token)))
}

/// The active owner of a live personal API token.
pub fn token_user(store: &dyn Store, secret: &str) -> AppResult<Option<UserRecord>> {
    let Some(username) = store.api_token_owner(&secret_hash(secret), &utc_stamp(Utc::now()))?
    else {
        return Ok(None);
    };
    Ok(store.user(&username)?.filter(|u| u.active))
}

/// How long tokens live and how many a user may hold.
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    pub lifetime: std::time::Duration,
    pub max_lifetime: std::time::Duration,
    pub max_per_user: usize,
}

/// A new personal API token.
pub struct IssuedToken {
    pub secret: String,
    pub id: i64,
    pub expires_at: String,
}

/// Makes a personal API token for `username`, living `days` (the policy's default when
/// `None`; at most its maximum), within the policy's cap of live tokens per user, with its
/// audit event. Every face that makes tokens goes through here.
pub fn issue_token(
    store: &dyn Store,
    policy: &TokenPolicy,
    username: &str,
    name: &str,
    days: Option<u32>,
) -> AppResult<IssuedToken> {
    let max_days = policy.max_lifetime.as_secs() / 86_400;
    let lifetime = match days {
        None => policy.lifetime,
        Some(d) if d >= 1 && u64::from(d) <= max_days => {
            std::time::Duration::from_secs(u64::from(d) * 86_400)
        }
        Some(_) => {
            return Err(AppError::field(
                "expires_in_days",
                format!("a token lives from 1 to {max_days} days"),
            ))
        }
    };
    let now = Utc::now();
    let expires = now
        + chrono::Duration::from_std(lifetime)
            .map_err(|e| AppError::Invalid(format!("a token's lifetime: {e}")))?;
    let secret = new_secret();
    let token = NewApiToken {
        username: username.to_string(),
        name: name.to_string(),
        token_hash: secret_hash(&secret),
        created_at: utc_stamp(now),
        expires_at: utc_stamp(expires),
        max_live: u32::try_from(policy.max_per_user).unwrap_or(u32::MAX),
    };
    let id = store.create_api_token(&token)?;
    store.audit(
        username,
        AuditAction::TokenCreate.as_str(),
        &format!("token {id}"),
        &json!({"after": {"name": name, "expires_at": token.expires_at}}),
    )?;
    Ok(IssuedToken {
        secret,
        id,
        expires_at: token.expires_at,
    })
}

/// Revokes one of `username`'s live tokens; `NotFound` when they have no such token.
pub fn revoke_token(store: &dyn Store, username: &str, id: i64) -> AppResult<()> {
    if store.revoke_api_token(username, id, &now_rfc3339())? {
        store.audit(
            username,
            AuditAction::TokenRevoke.as_str(),
            &format!("token {id}"),
            &json!({"after": {"revoked": true}}),
        )?;
        Ok(())
    } else {
        Err(AppError::NotFound(format!("you have no live token {id}")))
    }
}

/// A user as the administrator creates or changes them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    /// At least 12 characters, not a common password, a pattern or the user's own name.
    /// Leave out when changing only the roles. A new password ends the user's sessions and
    /// revokes their tokens.
    #[serde(default)]
    pub password: Option<String>,
    /// Roles held: `[{"role": "finance", "organisation": "MC"}, {"role": "auditor", "organisation": null}]`.
    pub grants: Vec<Grant>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Creates or changes a user: the administrator's only business. A new password, or a user
/// made inactive, ends every session and token of the user in the transaction of the change.
pub fn save_user(store: &dyn Store, actor: &Actor, new: &NewUser) -> AppResult<UserRecord> {
    actor.authorize(&Action::ManageUsers)?;
    let username = required("username", &new.username)?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(AppError::field(
            "username",
            "a username has letters, digits, dots, dashes and underscores only",
        ));
    }
    let framework = store.framework()?;
    for g in &new.grants {
        match (&g.organisation, g.role) {
            (Some(org), _) if !framework.organisations.iter().any(|o| &o.code == org) => {
                return Err(AppError::field(
                    "grants",
                    format!("unknown organisation {org}"),
                ));
            }
            (None, Role::Officer | Role::Finance | Role::Head) => {
                return Err(AppError::field(
                    "grants",
                    format!("the {} role is held in an organisation", g.role.as_str()),
                ));
            }
            _ => {}
        }
    }
    let before = store.user(username)?;
    let display_name = if new.display_name.trim().is_empty() {
        username.to_string()
    } else {
        new.display_name.trim().to_string()
    };
    let password_hash = match (&new.password, &before) {
        (Some(p), _) => {
            synergies_domain::password::check_password(p, username, &display_name)
                .map_err(|e| AppError::field("password", e.to_string()))?;
            hash_password(p)?
        }
        (None, Some(b)) => b.password_hash.clone(),
        (None, None) => return Err(AppError::field("password", "a new user needs a password")),
    };
    let password_changed = new.password.is_some() && before.is_some();
    let user = UserRecord {
        username: username.to_string(),
        display_name,
        password_hash,
        grants: new.grants.clone(),
        active: new.active,
        created_at: before
            .as_ref()
            .map(|b| b.created_at.clone())
            .unwrap_or_else(now_rfc3339),
    };
    let end_sign_ins =
        (password_changed || (before.is_some() && !user.active)).then(|| utc_stamp(Utc::now()));
    // The audit event tells that the password changed (never the password or its hash).
    let mut after = json!(user);
    let mut before_doc = json!(before);
    if new.password.is_some() {
        after["password"] = json!(if before.is_some() { "changed" } else { "set" });
        if before.is_some() {
            before_doc["password"] = json!("previous");
        }
    }
    let audit = actor.audit(
        if before.is_some() {
            AuditAction::UserUpdate
        } else {
            AuditAction::UserCreate
        },
        username,
        json!({ "before": before_doc, "after": after }),
    );
    store
        .save_user(&user, end_sign_ins.as_deref(), &audit)
        .map_err(|e| match e {
            // The last administrator, caught by the store's own check in the transaction.
            StoreError::Conflict(m) => AppError::field("grants", m),
            other => AppError::Store(other),
        })?;
    Ok(user)
}

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
pub fn ensure_demo_users(store: &dyn Store, password: &str) -> AppResult<Vec<String>> {
    let mut names = vec![];
    for (username, display, role, org) in DEMO_USERS {
        synergies_domain::password::check_password(password, username, display)
            .map_err(|e| AppError::Invalid(format!("the demo password for {username}: {e}")))?;
        names.push(username.to_string());
        let before = store.user(username)?;
        let grants = vec![Grant {
            role: *role,
            organisation: org.map(str::to_string),
        }];
        if let Some(b) = &before {
            if b.active && b.grants == grants && verify_password(password, &b.password_hash) {
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
                AuditAction::UsersDemo.as_str(),
                username,
                json!({ "after": { "user": username, "password": "set (not recorded)" } }),
            ),
        )?;
    }
    Ok(names)
}
