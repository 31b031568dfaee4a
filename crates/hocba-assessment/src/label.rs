//! Vietnamese labels: printing them exactly as the circulars write them, and
//! recognising them in input whatever the Unicode form.
//!
//! Input may arrive NFC-composed ("ạ" as one code point), NFD-decomposed ("a" +
//! U+0323) or without diacritics at all ("Chua dat"). We compare labels through
//! [`fold`], which lowercases, strips every Vietnamese diacritic and collapses
//! spaces. Within each label set of the circulars no two labels fold alike.

/// A value with one official Vietnamese label and a few accepted spellings.
pub trait Label: Sized + Copy + 'static {
    /// Every value, in order.
    const ALL: &'static [Self];

    /// The label exactly as the circular writes it ("Chưa đạt").
    fn label(self) -> &'static str;

    /// Extra accepted spellings besides the label, e.g. the short codes "CĐ", "T".
    fn aliases(self) -> &'static [&'static str] {
        &[]
    }

    /// Recognises a label or alias, ignoring case, diacritic form and spacing.
    fn from_label(text: &str) -> Option<Self> {
        let wanted = fold(text);
        Self::ALL.iter().copied().find(|value| {
            fold(value.label()) == wanted
                || value.aliases().iter().any(|alias| fold(alias) == wanted)
        })
    }

    /// The accepted labels, for error messages: "Tốt, Khá, Đạt, Chưa đạt".
    fn expected() -> String {
        Self::ALL
            .iter()
            .map(|value| value.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Lowercase, diacritic-free, single-spaced form of a Vietnamese text, for matching.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut pending_space = false;
    for character in text.chars() {
        if character.is_whitespace() {
            pending_space = !folded.is_empty();
            continue;
        }
        // Combining marks (NFD input): U+0300–U+036F carry the Vietnamese tones and
        // vowel marks once decomposed.
        if ('\u{300}'..='\u{36f}').contains(&character) {
            continue;
        }
        if pending_space {
            folded.push(' ');
            pending_space = false;
        }
        for lower in character.to_lowercase() {
            folded.push(base_letter(lower));
        }
    }
    folded
}

/// The base Latin letter of a precomposed Vietnamese letter (lowercase input).
fn base_letter(letter: char) -> char {
    const GROUPS: [(char, &str); 7] = [
        ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
        ('e', "èéẻẽẹêềếểễệ"),
        ('i', "ìíỉĩị"),
        ('o', "òóỏõọôồốổỗộơờớởỡợ"),
        ('u', "ùúủũụưừứửữự"),
        ('y', "ỳýỷỹỵ"),
        ('d', "đ"),
    ];
    if letter.is_ascii() {
        return letter;
    }
    GROUPS
        .iter()
        .find(|(_, variants)| variants.contains(letter))
        .map_or(letter, |(base, _)| *base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_composed_decomposed_and_plain_alike() {
        let composed = "Chưa đạt";
        let decomposed = "Chu\u{31b}a \u{111}a\u{323}t";
        assert_eq!(fold(composed), "chua dat");
        assert_eq!(fold(decomposed), "chua dat");
        assert_eq!(fold("  CHƯA   ĐẠT "), "chua dat");
        assert_eq!(fold("Hoàn thành tốt"), "hoan thanh tot");
        assert_eq!(fold("Ngữ văn"), "ngu van");
    }
}
