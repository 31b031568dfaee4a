//! Splitting Vietnamese full names into họ / đệm / tên.

/// A Vietnamese personal name: họ (family), tên đệm (middle), tên (given).
///
/// Why: Vietnamese names are written family-first and class lists are
/// ordered by the *given* name (the last word), so code needs the parts.
/// Missing parts are empty strings, never `None`, to keep comparisons simple.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PersonName {
    /// Họ: the first word ("Nguyễn").
    pub family: String,
    /// Tên đệm: every word between family and given, space-separated
    /// ("Thị", "Ngọc Bảo"); empty for two-word names.
    pub middle: String,
    /// Tên: the last word ("Hương").
    pub given: String,
}

/// Splits a full name on whitespace: family = first word, given = last word,
/// middle = the words in between; a single word is a given name only.
///
/// Why: this is the convention for Kinh names, which are the vast majority,
/// and the one class lists are sorted by. It cannot know that some names
/// (e.g. some Ê Đê or Jrai names, "Y Moan Niê Kdăm") put the family name
/// last; records that need that must store the parts explicitly. The input
/// is expected to be [`crate::clean_input`]-ed already; extra whitespace is
/// harmless either way.
#[must_use]
pub fn split_full_name(full: &str) -> PersonName {
    let parts = NameParts::split(full);
    PersonName {
        family: parts.family.to_owned(),
        middle: parts.middle().collect::<Vec<_>>().join(" "),
        given: parts.given.to_owned(),
    }
}

/// Allocation-free view of a name's parts, used for sorting.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NameParts<'a> {
    pub family: &'a str,
    pub given: &'a str,
    /// Whatever lies between family and given, not yet split into words.
    middle_span: &'a str,
}

impl<'a> NameParts<'a> {
    pub(crate) fn split(full: &'a str) -> Self {
        let full = full.trim();
        let Some((family, rest)) = full.split_once(char::is_whitespace) else {
            return Self {
                family: "",
                given: full,
                middle_span: "",
            };
        };
        let rest = rest.trim();
        let (middle_span, given) = rest.rsplit_once(char::is_whitespace).unwrap_or(("", rest));
        Self {
            family,
            given,
            middle_span,
        }
    }

    /// The middle-name words, in order.
    pub(crate) fn middle(&self) -> impl Iterator<Item = &'a str> + Clone + use<'a> {
        self.middle_span.split_whitespace()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(family: &str, middle: &str, given: &str) -> PersonName {
        PersonName {
            family: family.into(),
            middle: middle.into(),
            given: given.into(),
        }
    }

    #[test]
    fn three_words() {
        assert_eq!(
            split_full_name("Nguyễn Thị Hương"),
            name("Nguyễn", "Thị", "Hương")
        );
    }

    #[test]
    fn several_middle_words() {
        assert_eq!(
            split_full_name("Tôn Nữ Ngọc Bảo Trâm"),
            name("Tôn", "Nữ Ngọc Bảo", "Trâm")
        );
    }

    #[test]
    fn two_words_have_no_middle() {
        assert_eq!(split_full_name("Lê Anh"), name("Lê", "", "Anh"));
    }

    #[test]
    fn single_word_is_given_only() {
        assert_eq!(split_full_name("Mai"), name("", "", "Mai"));
        assert_eq!(split_full_name("  Mai \t"), name("", "", "Mai"));
    }

    #[test]
    fn empty_and_blank() {
        assert_eq!(split_full_name(""), PersonName::default());
        assert_eq!(split_full_name(" \n "), PersonName::default());
    }

    #[test]
    fn messy_whitespace_is_normalised_in_parts() {
        assert_eq!(
            split_full_name("  Trần\t Văn   Minh \u{a0}Đức  "),
            name("Trần", "Văn Minh", "Đức")
        );
    }
}
