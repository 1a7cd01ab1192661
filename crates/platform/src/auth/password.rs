//! Staff passwords: argon2id hashes (PHC strings), a simple strength policy.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::AppError;

pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| AppError::internal(format!("argon2: {e}")))
}

pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the user does not exist, so that timing does not reveal
/// which usernames exist.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0R9mhMJ0ZF5a3wXc1v8jv8E2c1HbdmpT2YbJ1mOQd3o"
}

/// The password policy: at least 10 characters, letters and digits, not the username.
pub fn check_policy(password: &str, username: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < 10 {
        return Err("密码至少 10 位");
    }
    if n > 128 {
        return Err("密码不能超过 128 位");
    }
    if !password.chars().any(|c| c.is_ascii_alphabetic()) || !password.chars().any(|c| c.is_ascii_digit()) {
        return Err("密码须同时包含字母和数字");
    }
    if password.to_lowercase().contains(&username.to_lowercase()) && !username.is_empty() {
        return Err("密码不能包含用户名");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("correct horse 42").unwrap();
        let b = hash("correct horse 42").unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse 42", &a));
        assert!(!verify("correct horse 43", &a));
        assert!(!verify("x", "not a hash"));
        assert!(!verify("x", dummy_hash()));
    }

    #[test]
    fn policy() {
        assert!(check_policy("short1", "u").is_err());
        assert!(check_policy("onlyletters", "u").is_err());
        assert!(check_policy("zhangsan2024x", "zhangsan").is_err());
        assert!(check_policy("Fazhi-2026-ok", "zhangsan").is_ok());
    }
}
