//! Vietnamese collation (dictionary order and class-list order).

use std::cmp::Ordering;
use std::sync::LazyLock;

use icu_collator::{Collator, CollatorBorrowed, options::CollatorOptions};
use icu_locale::locale;

use crate::name::NameParts;

/// Compares strings in Vietnamese dictionary order using ICU4X's CLDR `vi`
/// tailoring: a < ă < â, d < đ, e < ê, o < ô < ơ, u < ư, tones ordered
/// (see the tests for the exact order), case and NFC/NFD handled.
///
/// Why: byte order and the root collation are both wrong for Vietnamese
/// (root puts "Đức" before "Dũng" and "Ăn" before "Anh"), SQLite has no ICU
/// and PostgreSQL's ICU collations vary by installation, so hocba sorts in
/// Rust with this. Building it loads tailoring data: build once and reuse,
/// or use the shared [`collator()`].
#[derive(Debug)]
pub struct VietnameseCollator {
    // Compiled (baked) data gives a `CollatorBorrowed<'static>` that only
    // holds `&'static` references, so it is `Send + Sync` (asserted in the
    // tests) and can live in a process-wide static.
    inner: CollatorBorrowed<'static>,
}

static SHARED: LazyLock<VietnameseCollator> = LazyLock::new(VietnameseCollator::new);

/// The process-wide shared collator, built on first use.
///
/// Why: construction is the expensive part; comparisons are cheap and the
/// collator is immutable and `Sync`, so one instance serves every thread.
#[must_use]
pub fn collator() -> &'static VietnameseCollator {
    &SHARED
}

impl Default for VietnameseCollator {
    fn default() -> Self {
        Self::new()
    }
}

impl VietnameseCollator {
    /// Builds a collator for locale `vi` with default (tertiary) strength.
    ///
    /// Why tertiary: accents and case still decide between otherwise equal
    /// strings, so the order is total and deterministic for distinct names,
    /// while canonically equivalent (NFC vs NFD) strings compare equal.
    ///
    /// # Panics
    /// Only if the compiled ICU data lacked the `vi` tailoring, which would
    /// be a build defect caught by this crate's tests.
    #[must_use]
    pub fn new() -> Self {
        let inner = Collator::try_new(locale!("vi").into(), CollatorOptions::default())
            .expect("compiled ICU data includes the `vi` collation");
        Self { inner }
    }

    /// Compares two strings in Vietnamese dictionary order.
    ///
    /// Why: the building block for every user-visible sort (subjects,
    /// schools, names); NFC and NFD input compare equal.
    #[must_use]
    pub fn compare(&self, a: &str, b: &str) -> Ordering {
        self.inner.compare(a, b)
    }

    /// Compares two full names the way Vietnamese class lists are ordered:
    /// by given name (tên, last word), then family name (họ, first word),
    /// then middle name(s) (đệm, word by word), then the whole string.
    ///
    /// Why this order: it is the convention in Vietnamese schools and what
    /// `stack.md` §3.7 specifies ("given name, then full name"), e.g.
    /// "Đỗ Thị Anh" < "Lê Anh" < "Nguyễn Thị Ánh". Comparing the parts word
    /// by word makes extra whitespace irrelevant except as the final
    /// tie-break, so the result is deterministic for any two distinct names.
    #[must_use]
    pub fn compare_person_names(&self, a_full: &str, b_full: &str) -> Ordering {
        let (a, b) = (NameParts::split(a_full), NameParts::split(b_full));
        self.compare(a.given, b.given)
            .then_with(|| self.compare(a.family, b.family))
            .then_with(|| self.compare_words(a.middle(), b.middle()))
            .then_with(|| self.compare(a_full, b_full))
    }

    /// Sorts `items` into class-list order by the full name `key` returns
    /// (see [`Self::compare_person_names`]). The sort is stable.
    ///
    /// Why: the one-liner every list page, report and export needs.
    pub fn sort_by_person_name<T>(&self, items: &mut [T], key: impl Fn(&T) -> &str) {
        items.sort_by(|a, b| self.compare_person_names(key(a), key(b)));
    }

    /// Lexicographic comparison of word sequences; a proper prefix sorts
    /// first ("" < "Thị" < "Thị Minh").
    fn compare_words<'a>(
        &self,
        a: impl Iterator<Item = &'a str>,
        b: impl Iterator<Item = &'a str>,
    ) -> Ordering {
        let (mut a, mut b) = (a, b);
        loop {
            match (a.next(), b.next()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(x), Some(y)) => match self.compare(x, y) {
                    Ordering::Equal => {}
                    other => return other,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn print_tones() {
        let mut v = vec!["Ngà", "Nga", "Ngả", "Ngã", "Ngạ", "Ngá"];
        v.sort_by(|a, b| collator().compare(a, b));
        println!("{v:?}");
    }
}
