//! Credentials: passwords hashed with Argon2id (OWASP parameters), random
//! tokens for sessions and the API (only their SHA-256 is stored), and a
//! throttle that slows down password guessing.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Argon2id with m = 19 MiB, t = 2, p = 1: the OWASP recommendation.
fn hasher() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid parameters"),
    )
}

/// A PHC string (`$argon2id$v=19$…`) for the password. Passwords are
/// hashed in NFC, so that the same Vietnamese password typed with a
/// composing (NFD) or precomposed (NFC) input method opens the account.
pub fn hash_password(password: &str) -> String {
    let password = hocba_text::nfc(password);
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system provides randomness");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing cannot fail with valid parameters")
        .to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    let password = hocba_text::nfc(password);
    PasswordHash::new(phc)
        .is_ok_and(|hash| hasher().verify_password(password.as_bytes(), &hash).is_ok())
}

/// Why a new password is refused, in Vietnamese.
pub fn check_new_password(password: &str, username: &str) -> Result<(), &'static str> {
    if password.chars().count() < 8 {
        return Err("Mật khẩu mới cần ít nhất 8 ký tự.");
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err("Mật khẩu mới không được chứa tên đăng nhập.");
    }
    if !(password.chars().any(|c| c.is_alphabetic())
        && password.chars().any(|c| c.is_ascii_digit()))
    {
        return Err("Mật khẩu mới cần có cả chữ và số.");
    }
    Ok(())
}

/// 32 random bytes as 64 hex digits.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex(&bytes)
}

/// What is stored for a token: its SHA-256, so a leaked table gives no sessions.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Counts failed logins per key (client address, username) in a sliding
/// window and refuses further attempts once the limit is reached.
pub struct LoginThrottle {
    limit: usize,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginThrottle {
    pub fn new(limit: usize, window: Duration) -> LoginThrottle {
        LoginThrottle {
            limit,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` when the key must wait before trying again.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        let Some(times) = failures.get_mut(key) else {
            return Ok(());
        };
        times.retain(|at| now.duration_since(*at) < self.window);
        if times.len() >= self.limit {
            let oldest = times[0];
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        Ok(())
    }

    pub fn record_failure(&self, key: &str) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if failures.len() > 100_000 {
            // Bounded memory under a flood of distinct keys: forget the oldest state.
            failures.clear();
        }
        failures
            .entry(key.to_owned())
            .or_default()
            .push(Instant::now());
    }

    pub fn record_success(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("Mật khẩu 2025");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("Mật khẩu 2025", &hash));
        assert!(!verify_password("mật khẩu 2025", &hash));
        // The same password typed in decomposed form (NFD).
        assert!(verify_password(
            "Ma\u{302}\u{323}t kha\u{302}\u{309}u 2025",
            &hash
        ));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(hash, hash_password("Mật khẩu 2025"), "salted");
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let token = new_token();
        assert_eq!(token.len(), 64);
        assert_ne!(token, new_token());
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(check_new_password("ngan", "gv").is_err());
        assert!(check_new_password("thpt.gvcn2025", "thpt.gvcn").is_err());
        assert!(check_new_password("abcdefgh", "gv").is_err());
        assert!(check_new_password("HocBa2025!", "gv").is_ok());
    }

    #[test]
    fn throttle_blocks_after_the_limit() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(throttle.check("ip").is_ok());
            throttle.record_failure("ip");
        }
        assert!(throttle.check("ip").is_err());
        assert!(throttle.check("other").is_ok());
        throttle.record_success("ip");
        assert!(throttle.check("ip").is_ok());
    }
}
