//! Accent-insensitive search keys.

use unicode_normalization::UnicodeNormalization;

use crate::normalize::is_removable;

/// Folds `s` to an accent-insensitive, case-insensitive search key:
/// NFD, drop combining marks U+0300–U+036F, map đ/Đ → d, lowercase, collapse
/// whitespace. "Đặng Thị Hương" → "dang thi huong".
///
/// Why: parents and teachers often type without diacritics, and neither
/// SQLite nor PostgreSQL can match "huong" against "Hương" portably. Storing
/// `fold(full_name)` in a `*_fold` column and matching it with
/// `LIKE '%' || fold_query(input) || '%'` works on both. (Escaping `%`/`_`
/// for `LIKE` is the query layer's job, not this function's.)
///
/// Eth (Ð/ð, U+00D0/U+00F0) also maps to "d": it is visually identical to Đ
/// and appears in data converted from legacy Vietnamese encodings. Control
/// and invisible characters are dropped as in [`crate::clean_input`], so
/// `fold(clean_input(x)) == fold(x)`.
#[must_use]
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd().flat_map(char::to_lowercase) {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if ('\u{0300}'..='\u{036F}').contains(&c) || is_removable(c) {
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(match c {
            'đ' | 'ð' => 'd',
            other => other,
        });
    }
    out
}

/// Folds what a user typed into the search box, for matching against stored
/// [`fold`] keys: "nguyen van a", "NGUYỄN  văn a" and the NFD form of
/// "Nguyễn Văn A" all give "nguyen van a".
///
/// Why a separate name: call sites say which side of the comparison they
/// are on, and the guarantee that both sides fold identically lives here
/// (it is literally the same transformation, and a test pins that).
#[must_use]
pub fn fold_query(s: &str) -> String {
    fold(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean_input;

    /// Every Vietnamese vowel with every tone, plus đ.
    const VIETNAMESE_LETTERS: &str =
        "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ";

    fn base_of(c: char) -> char {
        match c {
            'đ' => 'd',
            c if "aàáảãạăằắẳẵặâầấẩẫậ".contains(c) => 'a',
            c if "eèéẻẽẹêềếểễệ".contains(c) => 'e',
            c if "iìíỉĩị".contains(c) => 'i',
            c if "oòóỏõọôồốổỗộơờớởỡợ".contains(c) => 'o',
            c if "uùúủũụưừứửữự".contains(c) => 'u',
            c if "yỳýỷỹỵ".contains(c) => 'y',
            _ => unreachable!("not in the table: {c}"),
        }
    }

    #[test]
    fn spec_examples() {
        assert_eq!(fold("Nguyễn Văn A"), "nguyen van a");
        assert_eq!(fold("Đặng Thị Hương"), "dang thi huong");
        assert_eq!(fold("Hương"), "huong");
        assert_eq!(fold("Đặng"), "dang");
    }

    #[test]
    fn every_vowel_and_tone_folds_to_its_ascii_base_in_both_cases() {
        // 12 vowels (a ă â e ê i o ô ơ u ư y) × 6 tones, plus đ.
        assert_eq!(VIETNAMESE_LETTERS.chars().count(), 12 * 6 + 1);
        for lower in VIETNAMESE_LETTERS.chars() {
            let expected = base_of(lower).to_string();
            let upper: String = lower.to_uppercase().collect();
            assert_ne!(upper, lower.to_string(), "{lower} has an uppercase form");
            for form in [lower.to_string(), upper] {
                for input in [form.clone(), form.nfd().collect::<String>()] {
                    let folded = fold(&input);
                    assert!(folded.is_ascii(), "{input:?} -> {folded:?}");
                    assert_eq!(folded, expected, "{input:?}");
                }
            }
        }
    }

    #[test]
    fn whole_alphabet_folds_to_ascii() {
        let upper = VIETNAMESE_LETTERS.to_uppercase();
        for s in [VIETNAMESE_LETTERS, upper.as_str()] {
            let folded = fold(s);
            assert!(folded.is_ascii());
            assert_eq!(folded.len(), VIETNAMESE_LETTERS.chars().count());
        }
    }

    #[test]
    fn query_and_stored_forms_meet() {
        let stored = fold("Nguyễn Văn A");
        for typed in [
            "nguyen van a",
            "NGUYỄN văn a",
            "  Nguyen   VAN\ta ",
            "Nguye\u{302}\u{303}n Va\u{306}n A",
        ] {
            assert_eq!(fold_query(typed), stored, "{typed:?}");
        }
        assert!(fold("Đỗ Thị Hương Giang").contains(&fold_query("huong")));
    }

    #[test]
    fn eth_lookalike_and_invisibles() {
        assert_eq!(fold("\u{00D0}ức"), "duc");
        assert_eq!(fold("\u{feff}Lê\u{200b} Anh\u{7}"), "le anh");
        assert_eq!(fold(""), "");
        assert_eq!(fold(" \t "), "");
    }

    mod props {
        use super::super::*;
        use crate::clean_input;
        use proptest::prelude::*;

        const ALPHABET: &str = "[ \\t\\u{a0}\\u{200b}\\u{7}\\u{300}-\\u{36f}a-zA-Z\
            àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ\
            ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ]*";

        proptest! {
            #[test]
            fn vietnamese_text_folds_to_clean_lowercase_ascii(s in ALPHABET) {
                let f = fold(&s);
                prop_assert!(f.is_ascii());
                prop_assert!(!f.chars().any(|c| c.is_ascii_uppercase()));
                prop_assert_eq!(f.trim(), f.as_str());
                prop_assert!(!f.contains("  "));
                prop_assert_eq!(fold(&f), f.clone());
                prop_assert_eq!(fold_query(&s), f.clone());
                prop_assert_eq!(fold(&clean_input(&s)), f);
            }
        }
    }

    #[test]
    fn fold_ignores_cleaning() {
        let raw = "  Đặng\u{a0}THỊ \u{feff}Hương\n";
        assert_eq!(fold(raw), fold(&clean_input(raw)));
    }
}
