//! Password rules and hashing (OWASP ASVS 5.0): at least 12 characters, up to 256
//! accepted, common passwords refused, argon2id with m=19 MiB, t=2, p=1.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;

const COMMON: &str = include_str!("common_passwords.txt");

/// Why a password is refused, in words a user can act on; `None` when it is acceptable.
pub fn problem(password: &str, personal: &[&str]) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Some(format!("must be at least {MIN_CHARS} characters"));
    }
    if chars > MAX_CHARS {
        return Some(format!("must be at most {MAX_CHARS} characters"));
    }
    let lower = password.to_lowercase();
    if COMMON.lines().any(|common| common == lower) {
        return Some("is too common; choose a less predictable password".into());
    }
    if personal.iter().any(|p| p.len() >= 4 && lower.contains(&p.to_lowercase())) {
        return Some("must not contain your name or e-mail address".into());
    }
    None
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string that carries its own salt and parameters.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters cannot fail")
        .to_string()
}

/// Checks a password against a stored PHC hash. A malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_bounds() {
        assert_eq!(problem("short-pass1", &[]).unwrap(), "must be at least 12 characters");
        assert!(problem(&"x".repeat(128), &[]).is_none(), "128 characters must be accepted");
        assert!(problem(&"x".repeat(257), &[]).is_some());
        assert!(problem("كلمة سر طويلة جدا", &[]).is_none(), "non-Latin passwords count characters");
    }

    #[test]
    fn common_and_personal_passwords_are_refused() {
        assert!(problem("Password1234", &[]).unwrap().contains("too common"));
        assert!(problem("northwind-facilities-2026", &["facilities@northwind.example", "northwind"])
            .unwrap()
            .contains("name or e-mail"));
        assert!(problem("portal-demo-2026", &["facilities@northwind.example"]).is_none());
    }

    #[test]
    fn hash_uses_argon2id_with_the_baseline_parameters() {
        let stored = hash("correct horse battery");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse battery!", &stored));
        assert!(!verify("anything", "not a hash"));
    }
}
