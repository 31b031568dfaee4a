//! A stand-in remote signing service speaking the CSC API v2 subset hocba
//! uses, for tests and the demo. Keys are software keys; the holder's
//! confirmation "on the phone" is an API call (`POST /testing/confirm`),
//! and `GET /testing/pending` is what the phone app would show.
//!
//! It binds 127.0.0.1 on a free port and runs on its own thread.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use super::{OID_EC, OID_ECDSA_SHA256, OID_RSA, OID_SHA256, OID_SHA256_RSA};
use crate::cert::Certificate;
use crate::error::SigningError;
use crate::signer::{DigestBytes, KeyFileSigner, SignatureAlgorithm, Signer};

/// A credential held by the stand-in service.
pub struct Credential {
    pub id: String,
    /// The knowledge factor asked in `credentials/authorize`, if any.
    pub pin: Option<String>,
    pub signer: KeyFileSigner,
    /// Certificates returned by `credentials/info` (leaf first; may include
    /// the root).
    pub certificates: Vec<Certificate>,
    /// Signatures one authorisation may cover.
    pub multisign: usize,
}

enum TxStatus {
    Pending,
    Confirmed(String),
    Refused,
}

struct Transaction {
    credential: String,
    hashes: Vec<String>,
    description: String,
    status: TxStatus,
}

struct Grant {
    credential: String,
    hashes: Vec<String>,
    expires: Instant,
}

#[derive(Default)]
struct Counters {
    authorizations: usize,
    signatures: usize,
}

struct Inner {
    token: String,
    credentials: HashMap<String, Credential>,
    order: Vec<String>,
    transactions: HashMap<String, Transaction>,
    grants: HashMap<String, Grant>,
    counters: Counters,
}

type Shared = Arc<Mutex<Inner>>;

/// The running stand-in service.
pub struct StandInCsc {
    addr: SocketAddr,
    state: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for StandInCsc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandInCsc")
            .field("addr", &self.addr)
            .finish()
    }
}

fn random_id() -> String {
    let mut b = [0u8; 12];
    let _ = aws_lc_rs::rand::fill(&mut b);
    crate::cert::hex(&b)
}

type Answer = (StatusCode, Json<Value>);

fn error(status: StatusCode, code: &str, description: impl Into<String>) -> Answer {
    (
        status,
        Json(json!({ "error": code, "error_description": description.into() })),
    )
}

fn ok(v: Value) -> Answer {
    (StatusCode::OK, Json(v))
}

fn authorised(inner: &Inner, headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .is_some_and(|t| t == inner.token)
}

macro_rules! guard {
    ($state:expr, $headers:expr) => {{
        let inner = $state.lock().expect("stand-in state");
        if !authorised(&inner, &$headers) {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "missing or wrong access token",
            );
        }
        inner
    }};
}

async fn list(State(s): State<Shared>, headers: HeaderMap, Json(_): Json<Value>) -> Answer {
    let inner = guard!(s, headers);
    ok(json!({ "credentialIDs": inner.order }))
}

async fn info(State(s): State<Shared>, headers: HeaderMap, Json(req): Json<Value>) -> Answer {
    let inner = guard!(s, headers);
    let id = req["credentialID"].as_str().unwrap_or_default();
    let Some(c) = inner.credentials.get(id) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid parameter credentialID",
        );
    };
    let leaf = &c.certificates[0];
    let (algo, len) = match c.signer.algorithm() {
        SignatureAlgorithm::RsaPkcs1Sha256 => (vec![OID_RSA, OID_SHA256_RSA], 2048),
        SignatureAlgorithm::EcdsaP256Sha256 => (vec![OID_EC, OID_ECDSA_SHA256], 256),
    };
    ok(json!({
        "description": format!("Chứng thư số của {}", leaf.display_name()),
        "key": { "status": "enabled", "algo": algo, "len": len },
        "cert": {
            "status": "valid",
            "certificates": c.certificates.iter().map(|x| B64.encode(x.der())).collect::<Vec<_>>(),
            "issuerDN": leaf.issuer(),
            "serialNumber": leaf.serial_hex(),
            "subjectDN": leaf.subject(),
        },
        "authMode": "explicit",
        "SCAL": "2",
        "multisign": c.multisign,
    }))
}

async fn authorize(State(s): State<Shared>, headers: HeaderMap, Json(req): Json<Value>) -> Answer {
    let mut inner = guard!(s, headers);
    let id = req["credentialID"].as_str().unwrap_or_default().to_string();
    let Some(c) = inner.credentials.get(&id) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid parameter credentialID",
        );
    };
    if let Some(pin) = &c.pin
        && req["PIN"].as_str() != Some(pin.as_str())
    {
        return error(StatusCode::BAD_REQUEST, "invalid_pin", "The PIN is invalid");
    }
    let hashes: Vec<String> = req["hashes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let n = req["numSignatures"].as_u64().unwrap_or(0) as usize;
    if n == 0 || n != hashes.len() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "numSignatures must equal the number of hashes (SCAL2)",
        );
    }
    if n > c.multisign {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("numSignatures exceeds multisign ({})", c.multisign),
        );
    }
    if req["hashAlgorithmOID"].as_str() != Some(OID_SHA256) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "only SHA-256 hashes are accepted",
        );
    }
    if req["operationMode"].as_str() != Some("A") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "this credential needs the holder's confirmation: use operationMode A",
        );
    }
    let tx = random_id();
    inner.counters.authorizations += 1;
    inner.transactions.insert(
        tx.clone(),
        Transaction {
            credential: id,
            hashes,
            description: req["description"].as_str().unwrap_or_default().to_string(),
            status: TxStatus::Pending,
        },
    );
    ok(json!({ "transactionID": tx }))
}

async fn authorize_check(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(req): Json<Value>,
) -> Answer {
    let inner = guard!(s, headers);
    let tx = req["transactionID"].as_str().unwrap_or_default();
    let Some(t) = inner.transactions.get(tx) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid parameter transactionID",
        );
    };
    if req["credentialID"].as_str() != Some(t.credential.as_str()) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "transactionID does not belong to credentialID",
        );
    }
    match &t.status {
        TxStatus::Pending => ok(json!({ "status": "pending" })),
        TxStatus::Refused => ok(json!({ "status": "refused" })),
        TxStatus::Confirmed(sad) => {
            ok(json!({ "status": "confirmed", "SAD": sad, "expiresIn": 300 }))
        }
    }
}

async fn sign_hash(State(s): State<Shared>, headers: HeaderMap, Json(req): Json<Value>) -> Answer {
    let mut inner = guard!(s, headers);
    let id = req["credentialID"].as_str().unwrap_or_default().to_string();
    let sad = req["SAD"].as_str().unwrap_or_default().to_string();
    let hashes: Vec<String> = req["hashes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    // The SAD is single-use and bound to the credential and the hashes.
    let Some(grant) = inner.grants.remove(&sad) else {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "Invalid SAD");
    };
    if grant.credential != id || grant.hashes != hashes || grant.expires < Instant::now() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the SAD does not authorise these hashes",
        );
    }
    let Some(c) = inner.credentials.get(&id) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid parameter credentialID",
        );
    };
    let expected_algo = match c.signer.algorithm() {
        SignatureAlgorithm::RsaPkcs1Sha256 => [OID_RSA, OID_SHA256_RSA],
        SignatureAlgorithm::EcdsaP256Sha256 => [OID_ECDSA_SHA256, OID_ECDSA_SHA256],
    };
    if !expected_algo.contains(&req["signAlgo"].as_str().unwrap_or_default()) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "signAlgo does not fit the key",
        );
    }
    let mut digests: Vec<DigestBytes> = Vec::new();
    for h in &hashes {
        match B64
            .decode(h)
            .ok()
            .and_then(|d| <DigestBytes>::try_from(d).ok())
        {
            Some(d) => digests.push(d),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "a hash is not a base64 SHA-256 value",
                );
            }
        }
    }
    let sigs = match c.signer.sign_digests(&digests) {
        Ok(s) => s,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                e.to_string(),
            );
        }
    };
    let algorithm = c.signer.algorithm();
    let encoded: Vec<String> = sigs
        .iter()
        .map(|s| match algorithm {
            SignatureAlgorithm::RsaPkcs1Sha256 => B64.encode(s),
            // ECDSA signatures are returned DER-encoded.
            SignatureAlgorithm::EcdsaP256Sha256 => B64.encode(crate::asn1::ecdsa_fixed_to_der(s)),
        })
        .collect();
    inner.counters.signatures += encoded.len();
    ok(json!({ "signatures": encoded }))
}

async fn pending(State(s): State<Shared>) -> Json<Value> {
    let inner = s.lock().expect("stand-in state");
    let list: Vec<Value> = inner
        .transactions
        .iter()
        .filter(|(_, t)| matches!(t.status, TxStatus::Pending))
        .map(|(id, t)| {
            json!({
                "transactionID": id,
                "credentialID": t.credential,
                "numSignatures": t.hashes.len(),
                "description": t.description,
            })
        })
        .collect();
    Json(json!({ "pending": list }))
}

async fn confirm(State(s): State<Shared>, Json(req): Json<Value>) -> Answer {
    let mut inner = s.lock().expect("stand-in state");
    let tx = req["transactionID"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let accept = req["accept"].as_bool().unwrap_or(false);
    let Some(t) = inner.transactions.get_mut(&tx) else {
        return error(
            StatusCode::NOT_FOUND,
            "invalid_request",
            "no such transaction",
        );
    };
    if !matches!(t.status, TxStatus::Pending) {
        return error(StatusCode::CONFLICT, "invalid_request", "already answered");
    }
    if accept {
        let sad = random_id();
        t.status = TxStatus::Confirmed(sad.clone());
        let grant = Grant {
            credential: t.credential.clone(),
            hashes: t.hashes.clone(),
            expires: Instant::now() + Duration::from_secs(300),
        };
        inner.grants.insert(sad, grant);
    } else {
        t.status = TxStatus::Refused;
    }
    ok(json!({}))
}

impl StandInCsc {
    /// Starts the service with a bearer `access_token` and credentials.
    pub fn start(access_token: &str, credentials: Vec<Credential>) -> Result<Self, SigningError> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let order = credentials.iter().map(|c| c.id.clone()).collect();
        let state: Shared = Arc::new(Mutex::new(Inner {
            token: access_token.to_string(),
            credentials: credentials.into_iter().map(|c| (c.id.clone(), c)).collect(),
            order,
            transactions: HashMap::new(),
            grants: HashMap::new(),
            counters: Counters::default(),
        }));
        let app = Router::new()
            .route("/csc/v2/credentials/list", post(list))
            .route("/csc/v2/credentials/info", post(info))
            .route("/csc/v2/credentials/authorize", post(authorize))
            .route("/csc/v2/credentials/authorizeCheck", post(authorize_check))
            .route("/csc/v2/signatures/signHash", post(sign_hash))
            .route("/testing/pending", get(pending))
            .route("/testing/confirm", post(confirm))
            .with_state(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("stand-in-csc".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = rx.await;
                        })
                        .await;
                });
            })?;
        Ok(Self {
            addr,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The API root for [`super::HttpTransport::new`].
    pub fn base_url(&self) -> String {
        format!("http://{}/csc/v2", self.addr)
    }

    fn host(&self) -> String {
        self.addr.to_string()
    }

    /// What the phone app shows: pending transactions as
    /// `(transactionID, credentialID, numSignatures)`, through the API.
    pub fn pending(&self) -> Result<Vec<(String, String, usize)>, SigningError> {
        let (_, body) = super::http::request(
            "GET",
            &self.host(),
            "/testing/pending",
            None,
            None,
            Duration::from_secs(5),
        )?;
        let v: Value =
            serde_json::from_slice(&body).map_err(|e| SigningError::Remote(e.to_string()))?;
        Ok(v["pending"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|t| {
                        (
                            t["transactionID"].as_str().unwrap_or_default().to_string(),
                            t["credentialID"].as_str().unwrap_or_default().to_string(),
                            t["numSignatures"].as_u64().unwrap_or(0) as usize,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The holder answers on the phone, through the API.
    pub fn answer(&self, transaction_id: &str, accept: bool) -> Result<(), SigningError> {
        let body =
            serde_json::to_vec(&json!({ "transactionID": transaction_id, "accept": accept }))
                .map_err(|e| SigningError::Remote(e.to_string()))?;
        let (status, _) = super::http::request(
            "POST",
            &self.host(),
            "/testing/confirm",
            None,
            Some(&body),
            Duration::from_secs(5),
        )?;
        if status == 200 {
            Ok(())
        } else {
            Err(SigningError::Remote(format!("confirm: HTTP {status}")))
        }
    }

    /// Waits for the next pending transaction and answers it; returns the
    /// number of signatures it covered.
    pub fn answer_next(&self, accept: bool, timeout: Duration) -> Result<usize, SigningError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some((tx, _, n)) = self.pending()?.into_iter().next() {
                self.answer(&tx, accept)?;
                return Ok(n);
            }
            if Instant::now() >= deadline {
                return Err(SigningError::Remote("no pending transaction".into()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Authorisations requested so far (one per confirmation).
    pub fn authorizations(&self) -> usize {
        self.state.lock().expect("state").counters.authorizations
    }

    /// Signatures made so far.
    pub fn signatures(&self) -> usize {
        self.state.lock().expect("state").counters.signatures
    }
}

impl Drop for StandInCsc {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
