//! Per-document signing cost, for iterating on the signing path without
//! the whole `hocba` binary (`cargo run --release -p hocba-signing
//! --example sign_speed [documents] [runs]`). Prints the median µs per
//! document of the raw key operation and of batch-signing XML and PDF, with
//! RSA-2048 and ECDSA P-256, and the ratio to the raw key cost.
//!
//! `HOCBA_SIGN_SPEED_ONLY=xml|pdf` and `HOCBA_SIGN_SPEED_KEY=rsa|ec` narrow
//! the run (for a profiler).

use std::time::Instant;

use hocba_signing::bench;
use hocba_signing::pki::{DemoPki, KeyType};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let documents: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let runs: usize = args.next().map_or(Ok(7), |a| a.parse())?;
    let only = std::env::var("HOCBA_SIGN_SPEED_ONLY").ok();
    let key = std::env::var("HOCBA_SIGN_SPEED_KEY").ok();
    let pki = DemoPki::generate("bench")?;
    let xmls: Vec<Vec<u8>> = (0..documents).map(bench::sample_transcript_xml).collect();
    let pdfs: Vec<Vec<u8>> = (0..documents).map(bench::sample_transcript_pdf).collect();
    let digests = bench::digests(documents);
    for (label, key_type) in [
        ("rsa2048", KeyType::Rsa2048),
        ("ecdsap256", KeyType::EcdsaP256),
    ] {
        if key.as_deref().is_some_and(|k| !label.starts_with(k)) {
            continue;
        }
        let identity = pki
            .signing_order()
            .into_iter()
            .find(|i| i.key_type == key_type)
            .ok_or("no identity with this key type")?;
        let signer = identity.signer()?;
        let per_doc = |f: &mut dyn FnMut() -> Result<usize, Box<dyn std::error::Error>>| {
            let mut times = Vec::with_capacity(runs);
            for _ in 0..runs {
                let t = Instant::now();
                let n = f()?;
                assert_eq!(n, documents);
                times.push(t.elapsed().as_secs_f64() * 1e6 / documents as f64);
            }
            Ok::<f64, Box<dyn std::error::Error>>(median(times))
        };
        let raw = per_doc(&mut || Ok(bench::raw_signatures(&signer, &digests)?))?;
        let mut line = format!("{label:<10} raw={raw:8.1}µs ({:6.0}/s)", 1e6 / raw);
        if only.as_deref() != Some("pdf") {
            let xml = per_doc(&mut || Ok(bench::sign_documents(&signer, &xmls)?.len()))?;
            line.push_str(&format!(
                "  xml={xml:8.1}µs ({:6.0}/s, ×{:.2})",
                1e6 / xml,
                xml / raw
            ));
        }
        if only.as_deref() != Some("xml") {
            let pdf = per_doc(&mut || Ok(bench::sign_documents(&signer, &pdfs)?.len()))?;
            line.push_str(&format!(
                "  pdf={pdf:8.1}µs ({:6.0}/s, ×{:.2})",
                1e6 / pdf,
                pdf / raw
            ));
        }
        println!("{line}");
    }
    Ok(())
}
