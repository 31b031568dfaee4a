//! NFC normalisation and input cleaning.

use unicode_normalization::UnicodeNormalization;

/// Returns `s` in Unicode Normalization Form C.
///
/// Why: the same Vietnamese name can arrive precomposed (NFC, "ễ" = 1 code
/// point) or decomposed (NFD, "e" + "̂" + "̃"), e.g. from Unikey's "Unicode tổ
/// hợp" mode or an Excel file. We store only NFC so equality, uniqueness and
/// `LIKE` behave. Already-NFC input (the common case) is copied without
/// re-composing.
#[must_use]
pub fn nfc(s: &str) -> String {
    if is_nfc(s) {
        s.to_owned()
    } else {
        s.nfc().collect()
    }
}

/// Cheaply checks whether `s` is already NFC.
///
/// Why: lets callers (and [`nfc`]) skip allocation-heavy re-composition for
/// the overwhelmingly common case. ASCII is NFC by definition; otherwise the
/// Unicode quick-check runs, falling back to a full check only when it is
/// inconclusive.
#[must_use]
pub fn is_nfc(s: &str) -> bool {
    s.is_ascii() || unicode_normalization::is_nfc(s)
}

/// Cleans one line of user text: drops control and invisible format
/// characters, collapses every run of whitespace (including tabs, newlines,
/// NBSP and ideographic spaces) to one ASCII space, trims, and returns NFC.
///
/// Why: every text input from forms, the API and Excel goes through this, so
/// "Nguyễn  Văn\u{a0}A\t" pasted from a spreadsheet is stored exactly like
/// "Nguyễn Văn A" typed by hand. Whitespace becomes a separator rather than
/// being deleted, so a tab between words never glues them together.
/// Characters are filtered *before* composing so a removed character between
/// a letter and its tone mark cannot leave the result non-NFC.
#[must_use]
pub fn clean_input(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = true;
        } else if !is_removable(c) {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    if is_nfc(&out) {
        out
    } else {
        out.nfc().collect()
    }
}

/// Control characters (Cc) and the invisible format characters that sneak in
/// through copy-paste from Word, Excel and web pages: soft hyphen, zero-width
/// space, bidi marks/embeddings/isolates, word joiner and invisible operators,
/// BOM. ZWJ/ZWNJ are kept: they are meaningful in emoji and some scripts.
pub(crate) fn is_removable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    const HUONG_NFC: &str = "Nguyễn Thị Hương";

    fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    #[test]
    fn nfd_and_nfc_byte_lengths_match_the_spec() {
        assert_eq!(HUONG_NFC.len(), 22);
        assert_eq!(nfd(HUONG_NFC).len(), 26);
        assert_ne!(nfd(HUONG_NFC), HUONG_NFC);
    }

    #[test]
    fn nfc_composes_and_is_idempotent() {
        let composed = nfc(&nfd(HUONG_NFC));
        assert_eq!(composed, HUONG_NFC);
        assert_eq!(composed.len(), 22);
        assert_eq!(nfc(&composed), composed);
        assert_eq!(nfc(""), "");
        assert_eq!(nfc("abc"), "abc");
    }

    #[test]
    fn is_nfc_detects_decomposed_text() {
        assert!(is_nfc(""));
        assert!(is_nfc("Nguyen Van A"));
        assert!(is_nfc(HUONG_NFC));
        assert!(!is_nfc(&nfd(HUONG_NFC)));
        // Marks in non-canonical order ("ậ" as a + circumflex + dot below).
        assert!(!is_nfc("a\u{0302}\u{0323}"));
    }

    #[test]
    fn clean_input_turns_nfd_into_nfc_bytes() {
        let cleaned = clean_input(&nfd(HUONG_NFC));
        assert_eq!(cleaned, HUONG_NFC);
        assert_eq!(cleaned.len(), 22);
        assert_eq!(cleaned.as_bytes(), HUONG_NFC.as_bytes());
    }

    #[test]
    fn clean_input_collapses_and_trims_all_whitespace() {
        assert_eq!(
            clean_input("  Nguyễn \t\tThị\u{a0}\u{a0}Hương \r\n\u{3000}"),
            HUONG_NFC
        );
        assert_eq!(clean_input("Lê\nAnh"), "Lê Anh");
        assert_eq!(clean_input(" \t\n "), "");
        assert_eq!(clean_input(""), "");
    }

    #[test]
    fn clean_input_removes_control_and_invisible_characters() {
        assert_eq!(clean_input("\u{feff}Lê\u{200b} Anh\u{7}\u{0}"), "Lê Anh");
        assert_eq!(
            clean_input("Trần\u{1b}[0m Văn \u{202e}Đức"),
            "Trần[0m Văn Đức"
        );
        // A removed character between a letter and its mark must not leave
        // the output decomposed.
        let out = clean_input("Nga\u{200b}\u{0300}");
        assert_eq!(out, "Ngà");
        assert!(is_nfc(&out));
    }

    #[test]
    fn clean_input_is_idempotent_on_samples() {
        for s in [
            HUONG_NFC,
            "  a  b ",
            "\u{feff}x\u{0301}y",
            "Đặng\tThị   Hương",
        ] {
            let once = clean_input(s);
            assert_eq!(clean_input(&once), once);
        }
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn clean_input_output_invariants(s in "\\PC*|[ \\t\\n\\u{a0}\\u{200b}\\u{300}-\\u{36f}aăâeêoôơuưdđ]*") {
                let out = clean_input(&s);
                prop_assert!(is_nfc(&out));
                prop_assert_eq!(out.trim(), out.as_str());
                prop_assert!(!out.contains("  "));
                prop_assert!(!out.chars().any(|c| c.is_control() || (c.is_whitespace() && c != ' ')));
                prop_assert_eq!(clean_input(&out), out.clone());
            }
        }
    }
}
