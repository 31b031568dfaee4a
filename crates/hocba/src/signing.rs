//! `hocba pki demo`, `hocba sign` and `hocba verify`: the signing library
//! (`hocba_signing`) for administrators and for anyone checking a transcript.

use anyhow::{Context, bail};
use hocba_signing::csc::{HttpTransport, RemoteSigner};
use hocba_signing::pkcs11::{Token, TokenSigner};
use hocba_signing::{DocumentKind, KeyFileSigner, SignOptions, Signer, TrustList};
use std::path::Path;

/// Writes the test PKI: certificates, PKCS#12 key files, the CRL and the trust list.
pub fn pki_demo(dir: &Path, password: &str) -> anyhow::Result<()> {
    let pki = hocba_signing::pki::write_demo(dir, password)?;
    println!(
        "test PKI written to {} (PKCS#12 password: {password})",
        dir.display()
    );
    for identity in pki.signing_order() {
        println!(
            "  {:<28} {:?} {:?}  {}",
            identity.slug, identity.role, identity.key_type, identity.name
        );
    }
    println!("trust list: {}", dir.join("trust-list.pem").display());
    Ok(())
}

/// How to reach the key, from `--signer`:
/// - `pkcs12:FILE` — a key file (development only), with `--password`;
/// - `pkcs11:token=LABEL;id=HEX?module-path=MODULE` (RFC 7512) — a USB token, with `--pin`;
/// - `csc:URL` — a remote signing service (CSC API v2), with `--access-token`,
///   optionally `--credential` and `--pin`; the holder confirms on the phone.
pub struct SignerSpec<'a> {
    pub spec: &'a str,
    pub password: Option<&'a str>,
    pub pin: Option<&'a str>,
    pub access_token: Option<&'a str>,
    pub credential: Option<&'a str>,
    /// PEM files completing the chain of a token's certificate (the issuing CA).
    pub issuers: Option<&'a Path>,
}

pub fn open_signer(spec: &SignerSpec<'_>) -> anyhow::Result<Box<dyn Signer>> {
    if let Some(file) = spec.spec.strip_prefix("pkcs12:") {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read the key file {file}"))?;
        let password = spec
            .password
            .context("a PKCS#12 key file needs --password (or HOCBA_SIGNING_PASSWORD)")?;
        return Ok(Box::new(KeyFileSigner::from_pkcs12(&bytes, password)?));
    }
    if let Some(uri) = spec.spec.strip_prefix("pkcs11:") {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let attribute = |list: &str, separator: char, name: &str| {
            list.split(separator)
                .find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_owned))
        };
        let label = attribute(path, ';', "token").context("the PKCS#11 URI needs token=LABEL")?;
        let id =
            attribute(path, ';', "id").context("the PKCS#11 URI needs id=HEX (the key's id)")?;
        let module = attribute(query, '&', "module-path")
            .map(std::path::PathBuf::from)
            .or_else(hocba_signing::pkcs11::softhsm_module)
            .context("the PKCS#11 URI needs ?module-path=/path/to/module.so")?;
        let key_id = decode_hex(&id.replace('%', "")).context("id= must be hexadecimal")?;
        let pin = spec
            .pin
            .context("a token needs --pin (or HOCBA_SIGNING_PIN)")?;
        let issuers = match spec.issuers {
            Some(path) => TrustList::from_pem(&std::fs::read_to_string(path)?)?
                .anchors()
                .to_vec(),
            None => Vec::new(),
        };
        let token = Token::open(&module, &label)?;
        return Ok(Box::new(TokenSigner::new(token, pin, &key_id, issuers)?));
    }
    if let Some(url) = spec.spec.strip_prefix("csc:") {
        let token = spec
            .access_token
            .context("remote signing needs --access-token (or HOCBA_CSC_TOKEN)")?;
        let transport = HttpTransport::new(url, token)?;
        eprintln!("remote signing: confirm the request on your phone…");
        return Ok(Box::new(RemoteSigner::connect(
            Box::new(transport),
            spec.credential,
            spec.pin,
        )?));
    }
    bail!(
        "--signer must be pkcs12:FILE, pkcs11:URI or csc:URL (got “{}”)",
        spec.spec
    )
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Adds one signature to an XML data file or a PDF, after the existing ones.
pub fn sign(
    signer: &dyn Signer,
    input: &Path,
    output: &Path,
    options: &SignOptions,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    let kind =
        DocumentKind::detect(&bytes).context("the input is neither an XML data file nor a PDF")?;
    let signed = hocba_signing::sign_file_with(signer, &bytes, kind, options)?;
    std::fs::write(output, signed).with_context(|| format!("cannot write {}", output.display()))?;
    println!("signed {} → {}", input.display(), output.display());
    Ok(())
}

/// The trust list of a directory: every `*.pem` certificate is an anchor
/// and every `*.crl` a revocation list (what `hocba pki demo` writes).
pub fn trust_list(dir: &Path) -> anyhow::Result<TrustList> {
    let path = dir.join("trust-list.pem");
    if !path.exists() {
        bail!(
            "{} has no trust-list.pem (the trusted root certificates)",
            dir.display()
        );
    }
    let mut anchors = TrustList::from_pem(&std::fs::read_to_string(&path)?)?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "crl") {
            anchors.add_crl_file(&std::fs::read(&path)?)?;
        }
    }
    Ok(anchors)
}

/// Prints every signature with its signer, time and status; false if any is not valid.
pub fn verify(file: &Path, trust: &TrustList) -> anyhow::Result<bool> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let report = hocba_signing::verify_file(&bytes, trust);
    println!(
        "{}: {} signature(s)",
        file.display(),
        report.signatures.len()
    );
    for signature in &report.signatures {
        println!(
            "  {}. {} — {} — {}{}",
            signature.index,
            if signature.signer.is_empty() {
                "(no certificate)"
            } else {
                &signature.signer
            },
            signature
                .signing_time
                .map(hocba_signing::fmt_time)
                .unwrap_or_else(|| "no signing time".into()),
            signature.status.label_vi(),
            if signature.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", signature.reason)
            }
        );
    }
    for problem in &report.problems {
        println!("  ! {problem}");
    }
    let valid = report.is_valid();
    println!("{}", if valid { "VALID" } else { "INVALID" });
    Ok(valid)
}
