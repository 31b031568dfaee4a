//! Remote signing (ký số từ xa) through the Cloud Signature Consortium API
//! v2 (CSC API v2.0, "Architectures and protocols for remote signature
//! applications"): `credentials/list`, `credentials/info`,
//! `credentials/authorize`, `signatures/signHash`.
//!
//! The holder confirms on a phone. That is modelled on the API's
//! asynchronous operation mode (`operationMode: "A"`): `credentials/authorize`
//! answers with a `transactionID` instead of a SAD (Signature Activation
//! Data), the provider asks the holder to confirm, and the client polls
//! `credentials/authorizeCheck` until the SAD arrives, the holder refuses,
//! or the wait times out. One authorisation covers a batch of hashes
//! (`numSignatures`, and `hashes` for SCAL2), so one confirmation signs a
//! batch; batches larger than the credential's `multisign` are split.
//!
//! [`testing`] is a stand-in service (axum) with the same endpoints, where
//! the phone confirmation is an API call.

mod http;
pub mod testing;

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use crate::cert::Certificate;
use crate::error::SigningError;
use crate::signer::{DigestBytes, SignatureAlgorithm, Signer, SignerKind};

pub(crate) const OID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
pub(crate) const OID_RSA: &str = "1.2.840.113549.1.1.1";
pub(crate) const OID_SHA256_RSA: &str = "1.2.840.113549.1.1.11";
pub(crate) const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
pub(crate) const OID_EC: &str = "1.2.840.10045.2.1";

fn remote(m: impl Into<String>) -> SigningError {
    SigningError::Remote(m.into())
}

/// How requests reach the service: JSON in, JSON out.
pub trait Transport: Send + Sync {
    /// POSTs `body` to `method` (e.g. `credentials/list`); returns the HTTP
    /// status and the JSON answer.
    fn post(&self, method: &str, body: &Value) -> Result<(u16, Value), SigningError>;
}

/// The built-in plain-HTTP transport with a bearer token (the OAuth2
/// access token of the service, CSC API §8).
#[derive(Debug, Clone)]
pub struct HttpTransport {
    host: String,
    prefix: String,
    token: String,
    timeout: Duration,
}

impl HttpTransport {
    /// `base_url` is the service's API root, e.g. `http://127.0.0.1:8080/csc/v2`.
    pub fn new(base_url: &str, access_token: &str) -> Result<Self, SigningError> {
        let (host, prefix) = http::split_url(base_url)?;
        Ok(Self {
            host,
            prefix,
            token: access_token.to_string(),
            timeout: Duration::from_secs(30),
        })
    }
}

impl Transport for HttpTransport {
    fn post(&self, method: &str, body: &Value) -> Result<(u16, Value), SigningError> {
        let bytes = serde_json::to_vec(body).map_err(|e| remote(e.to_string()))?;
        let (status, answer) = http::request(
            "POST",
            &self.host,
            &format!("{}/{method}", self.prefix),
            Some(&self.token),
            Some(&bytes),
            self.timeout,
        )?;
        let value = if answer.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&answer)
                .map_err(|e| remote(format!("{method}: the answer is not JSON: {e}")))?
        };
        Ok((status, value))
    }
}

/// Calls a method and turns CSC errors (`{"error", "error_description"}`)
/// into `SigningError::Remote`.
fn call(t: &dyn Transport, method: &str, body: Value) -> Result<Value, SigningError> {
    let (status, v) = t.post(method, &body)?;
    if (200..300).contains(&status) {
        return Ok(v);
    }
    let code = v["error"].as_str().unwrap_or("error");
    let desc = v["error_description"].as_str().unwrap_or("");
    Err(remote(format!("{method}: HTTP {status} {code}: {desc}")))
}

/// A credential of the service, from `credentials/info`.
#[derive(Debug, Clone)]
pub struct CredentialInfo {
    pub id: String,
    pub chain: Vec<Certificate>,
    pub algorithm: SignatureAlgorithm,
    /// How many signatures one authorisation may cover.
    pub multisign: usize,
    pub description: Option<String>,
}

/// Lists the credentials of the authenticated user (`credentials/list`).
pub fn list_credentials(t: &dyn Transport) -> Result<Vec<String>, SigningError> {
    let v = call(t, "credentials/list", json!({ "maxResults": 20 }))?;
    Ok(v["credentialIDs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

/// Reads a credential's certificates and key (`credentials/info`).
pub fn credential_info(t: &dyn Transport, id: &str) -> Result<CredentialInfo, SigningError> {
    let v = call(
        t,
        "credentials/info",
        json!({ "credentialID": id, "certificates": "chain", "certInfo": true, "authInfo": true }),
    )?;
    if v["key"]["status"].as_str() != Some("enabled") {
        return Err(remote(format!("credential {id} is disabled")));
    }
    let chain = v["cert"]["certificates"]
        .as_array()
        .ok_or_else(|| remote("credentials/info returned no certificates"))?
        .iter()
        .map(|c| {
            let der = B64
                .decode(c.as_str().unwrap_or(""))
                .map_err(|e| remote(format!("bad certificate base64: {e}")))?;
            Certificate::from_der(&der)
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The chain is sent along in signatures without its root.
    let chain: Vec<Certificate> = chain
        .into_iter()
        .filter(|c| c.subject_der() != c.issuer_der())
        .collect();
    let leaf = chain
        .first()
        .ok_or_else(|| remote("credentials/info returned no signer certificate"))?;
    let algorithm = leaf
        .signature_algorithm()
        .ok_or_else(|| remote("the credential's key type is not supported"))?;
    Ok(CredentialInfo {
        id: id.to_string(),
        chain,
        algorithm,
        multisign: v["multisign"].as_u64().unwrap_or(1).max(1) as usize,
        description: v["description"].as_str().map(str::to_string),
    })
}

/// A signer whose key is held by a remote signing service
/// (`SignerKind::Remote`).
pub struct RemoteSigner {
    transport: Box<dyn Transport>,
    credential: CredentialInfo,
    pin: Option<String>,
    /// How long to wait for the holder's confirmation on the phone.
    pub confirm_timeout: Duration,
    /// Poll interval of `credentials/authorizeCheck`.
    pub poll_interval: Duration,
}

impl std::fmt::Debug for RemoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSigner")
            .field("credential", &self.credential.id)
            .field("certificate", &self.credential.chain.first())
            .finish()
    }
}

impl RemoteSigner {
    /// Connects to a credential (the first one listed if `credential_id` is
    /// `None`). `pin` is the knowledge factor if the service asks for one.
    pub fn connect(
        transport: Box<dyn Transport>,
        credential_id: Option<&str>,
        pin: Option<&str>,
    ) -> Result<Self, SigningError> {
        let id = match credential_id {
            Some(id) => id.to_string(),
            None => list_credentials(transport.as_ref())?
                .into_iter()
                .next()
                .ok_or_else(|| remote("the user has no credential"))?,
        };
        let credential = credential_info(transport.as_ref(), &id)?;
        Ok(Self {
            transport,
            credential,
            pin: pin.map(str::to_string),
            confirm_timeout: Duration::from_secs(120),
            poll_interval: Duration::from_millis(500),
        })
    }

    pub fn credential(&self) -> &CredentialInfo {
        &self.credential
    }

    /// One authorisation (one confirmation) for `hashes`; returns the SAD.
    fn authorize(&self, hashes: &[String]) -> Result<String, SigningError> {
        let t = self.transport.as_ref();
        let mut req = json!({
            "credentialID": self.credential.id,
            "numSignatures": hashes.len(),
            "hashes": hashes,
            "hashAlgorithmOID": OID_SHA256,
            "operationMode": "A",
            "description": format!("hocba: ký {} tài liệu", hashes.len()),
        });
        if let Some(pin) = &self.pin {
            req["PIN"] = json!(pin);
        }
        let v = call(t, "credentials/authorize", req)?;
        if let Some(sad) = v["SAD"].as_str() {
            return Ok(sad.to_string());
        }
        let tx = v["transactionID"]
            .as_str()
            .ok_or_else(|| remote("credentials/authorize returned neither SAD nor transactionID"))?
            .to_string();
        let deadline = Instant::now() + self.confirm_timeout;
        loop {
            let v = call(
                t,
                "credentials/authorizeCheck",
                json!({ "credentialID": self.credential.id, "transactionID": tx }),
            )?;
            match v["status"].as_str() {
                Some("confirmed") => {
                    return v["SAD"]
                        .as_str()
                        .map(str::to_string)
                        .ok_or_else(|| remote("confirmed without a SAD"));
                }
                Some("refused") => {
                    return Err(SigningError::NotConfirmed(
                        "the holder refused on the phone".into(),
                    ));
                }
                _ => {}
            }
            if Instant::now() >= deadline {
                return Err(SigningError::NotConfirmed(format!(
                    "no confirmation within {} s",
                    self.confirm_timeout.as_secs()
                )));
            }
            std::thread::sleep(self.poll_interval);
        }
    }
}

impl Signer for RemoteSigner {
    fn kind(&self) -> SignerKind {
        SignerKind::Remote
    }

    fn certificate_chain(&self) -> &[Certificate] {
        &self.credential.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.credential.algorithm
    }

    fn sign_digests(&self, digests: &[DigestBytes]) -> Result<Vec<Vec<u8>>, SigningError> {
        let sign_algo = match self.credential.algorithm {
            SignatureAlgorithm::RsaPkcs1Sha256 => OID_RSA,
            SignatureAlgorithm::EcdsaP256Sha256 => OID_ECDSA_SHA256,
        };
        let mut out = Vec::with_capacity(digests.len());
        for chunk in digests.chunks(self.credential.multisign) {
            let hashes: Vec<String> = chunk.iter().map(|d| B64.encode(d)).collect();
            let sad = self.authorize(&hashes)?;
            let v = call(
                self.transport.as_ref(),
                "signatures/signHash",
                json!({
                    "credentialID": self.credential.id,
                    "SAD": sad,
                    "hashes": hashes,
                    "hashAlgorithmOID": OID_SHA256,
                    "signAlgo": sign_algo,
                }),
            )?;
            let sigs = v["signatures"]
                .as_array()
                .ok_or_else(|| remote("signatures/signHash returned no signatures"))?;
            if sigs.len() != chunk.len() {
                return Err(SigningError::BatchMismatch {
                    expected: chunk.len(),
                    got: sigs.len(),
                });
            }
            for s in sigs {
                let raw = B64
                    .decode(s.as_str().unwrap_or(""))
                    .map_err(|e| remote(format!("bad signature base64: {e}")))?;
                // CSC returns ECDSA signatures DER-encoded; this crate's
                // format is r || s.
                out.push(match self.credential.algorithm {
                    SignatureAlgorithm::RsaPkcs1Sha256 => raw,
                    SignatureAlgorithm::EcdsaP256Sha256 => {
                        crate::asn1::ecdsa_der_to_fixed(&raw, 32)?
                    }
                });
            }
        }
        Ok(out)
    }
}
