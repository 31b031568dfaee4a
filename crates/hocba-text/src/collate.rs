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
        mut a: impl Iterator<Item = &'a str>,
        mut b: impl Iterator<Item = &'a str>,
    ) -> Ordering {
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
    use unicode_normalization::UnicodeNormalization;

    fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    /// Asserts `expected` is strictly increasing under `cmp`, and that
    /// sorting a reversed copy reproduces it.
    fn assert_order(cmp: impl Fn(&str, &str) -> Ordering, expected: &[&str]) {
        for w in expected.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{:?} < {:?}", w[0], w[1]);
            assert_eq!(
                cmp(w[1], w[0]),
                Ordering::Greater,
                "{:?} > {:?}",
                w[1],
                w[0]
            );
        }
        let mut v: Vec<&str> = expected.iter().rev().copied().collect();
        v.sort_by(|a, b| cmp(a, b));
        assert_eq!(v, expected);
    }

    fn words(c: &VietnameseCollator) -> impl Fn(&str, &str) -> Ordering + '_ {
        |a, b| c.compare(a, b)
    }

    fn names(c: &VietnameseCollator) -> impl Fn(&str, &str) -> Ordering + '_ {
        |a, b| c.compare_person_names(a, b)
    }

    #[test]
    fn shared_instance_is_sync_and_reused() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<VietnameseCollator>();
        assert!(std::ptr::eq(collator(), collator()));
        let from_thread = std::thread::spawn(|| collator().compare("Dũng", "Đức"))
            .join()
            .unwrap();
        assert_eq!(from_thread, Ordering::Less);
    }

    #[test]
    fn alphabet_order_from_the_spec() {
        assert_order(
            words(collator()),
            &[
                "Anh", "Ánh", "Ăn", "Ân", "Bình", "Dũng", "Đức", "Em", "Oanh", "Ôn", "Ơn", "Uyên",
                "Ưng", "Yến",
            ],
        );
    }

    #[test]
    fn letters_with_modifiers_follow_their_base_letter() {
        // ă, â, đ, ê, ô, ơ, ư are letters of their own (primary level): every
        // word spelled with the plain letter comes first, whatever its tone.
        let c = collator();
        assert_order(words(c), &["Uỷ", "Uyên", "Ửa", "Ưng"]);
        assert_order(words(c), &["On", "Ọt", "Ôn", "Ổn", "Ợ", "Ơn"]);
        assert_order(words(c), &["An", "Ạt", "Ắn", "Ẳng", "Ân"]);
        assert_order(words(c), &["Ezz", "Ê", "Ênh"]);
        assert_order(words(c), &["Dzung", "Đa"]);
    }

    /// ICU's `vi` tailoring orders tones exactly as Vietnamese dictionaries
    /// (e.g. Hoàng Phê's Từ điển tiếng Việt) do: no mark (ngang), huyền (`),
    /// hỏi (?), ngã (~), sắc (´), nặng (.). Note this is *not* the
    /// "a á à ả ã ạ" order of typing/VNI tables seen in some spreadsheets.
    #[test]
    fn tones_follow_dictionary_order() {
        let expected = ["Nga", "Ngà", "Ngả", "Ngã", "Ngá", "Ngạ"];
        assert_order(words(collator()), &expected);
        let full: Vec<String> = expected.iter().map(|g| format!("Lê Thị {g}")).collect();
        let full: Vec<&str> = full.iter().map(String::as_str).collect();
        assert_order(names(collator()), &full);
        // Tone is secondary: it never beats a letter (primary) difference.
        assert_order(words(collator()), &["Ngạ", "Ngai", "Ngăn", "Ngân"]);
    }

    #[test]
    fn tones_on_modified_vowels() {
        let c = collator();
        assert_order(words(c), &["ư", "ừ", "ử", "ữ", "ứ", "ự"]);
        assert_order(words(c), &["ơ", "ờ", "ở", "ỡ", "ớ", "ợ"]);
        assert_order(words(c), &["ă", "ằ", "ẳ", "ẵ", "ắ", "ặ"]);
        assert_order(words(c), &["â", "ầ", "ẩ", "ẫ", "ấ", "ậ"]);
        assert_order(words(c), &["ê", "ề", "ể", "ễ", "ế", "ệ"]);
        assert_order(words(c), &["ô", "ồ", "ổ", "ỗ", "ố", "ộ"]);
        // All of a letter's tones come before the next letter.
        assert_order(words(c), &["ự", "v"]);
        assert_order(words(c), &["ặ", "â"]);
    }

    #[test]
    fn class_list_from_the_spec() {
        let expected = [
            "Đỗ Thị Anh",
            "Lê Anh",
            "Nguyễn Thị Ánh",
            "Phạm Minh Ân",
            "Hoàng Dũng",
            "Trần Văn Đức",
        ];
        assert_order(names(collator()), &expected);
        let mut shuffled = [
            "Trần Văn Đức",
            "Lê Anh",
            "Hoàng Dũng",
            "Đỗ Thị Anh",
            "Phạm Minh Ân",
            "Nguyễn Thị Ánh",
        ];
        collator().sort_by_person_name(&mut shuffled, |s| s);
        assert_eq!(shuffled, expected);
    }

    #[test]
    fn given_name_ties_broken_by_family_then_middle() {
        assert_order(
            names(collator()),
            &[
                // Same given name "Hà": family decides first (Đ after D) ...
                "Bùi Thu Hà",
                "Dương Hà",
                "Đặng Hà",
                // ... then the middle name(s), word by word, none first.
                "Lê Hà",
                "Lê Minh Hà",
                "Lê Thị Hà",
                "Lê Thị Minh Hà",
                // A different given name only later.
                "Anh Hải",
            ],
        );
        // The whole family name, accents included, is compared before the
        // middle name: a plain full-string comparison would let the middle
        // name's letters (A < B) outrank the family name's tone (Lê < Lế).
        assert_order(names(collator()), &["Lê Bình Hà", "Lế Anh Hà"]);
        assert_eq!(
            collator().compare("Lế Anh Hà", "Lê Bình Hà"),
            Ordering::Less
        );
    }

    #[test]
    fn nfd_and_nfc_compare_equal_and_sort_identically() {
        let c = collator();
        let nfc_names = [
            "Trần Văn Đức",
            "Nguyễn Thị Hương",
            "Đặng Thị Ngạ",
            "Lê Ưng",
            "Phạm Minh Ân",
            "Lê Thị Ngã",
        ];
        for n in nfc_names {
            assert_eq!(c.compare(n, &nfd(n)), Ordering::Equal, "{n}");
            assert_eq!(c.compare_person_names(n, &nfd(n)), Ordering::Equal, "{n}");
        }
        let mut a: Vec<String> = nfc_names.iter().map(|s| s.to_string()).collect();
        let mut b: Vec<String> = nfc_names.iter().map(|s| nfd(s)).collect();
        // Interleave the forms so the sort really compares NFC against NFD.
        let mut mixed: Vec<String> = nfc_names
            .iter()
            .enumerate()
            .map(|(i, s)| if i % 2 == 0 { nfd(s) } else { s.to_string() })
            .collect();
        c.sort_by_person_name(&mut a, |s| s);
        c.sort_by_person_name(&mut b, |s| s);
        c.sort_by_person_name(&mut mixed, |s| s);
        let canon = |v: &[String]| {
            v.iter()
                .map(|s| s.nfc().collect::<String>())
                .collect::<Vec<_>>()
        };
        assert_eq!(canon(&a), canon(&b));
        assert_eq!(canon(&a), canon(&mixed));
        assert_eq!(a[0], "Phạm Minh Ân");
    }

    #[test]
    fn case_is_a_tertiary_difference_only() {
        let c = collator();
        // Case never outranks letters or tones ...
        assert_order(words(c), &["anh", "ANH", "ánh", "ÁNH", "ăn"]);
        assert_order(names(c), &["lê anh", "LÊ ANH", "Lê Ánh"]);
        // ... and ordering ignores case for primary letters: "Đức" vs "dũng".
        assert_eq!(c.compare("dũng", "ĐỨC"), Ordering::Less);
        assert_eq!(c.compare("Đ", "đ"), Ordering::Greater);
    }

    #[test]
    fn extra_whitespace_only_breaks_exact_ties() {
        let c = collator();
        let (spaced, plain) = ("  Nguyễn   Thị  Hương ", "Nguyễn Thị Hương");
        assert_eq!(
            c.compare_person_names(spaced, plain),
            c.compare(spaced, plain)
        );
        assert_ne!(c.compare_person_names(spaced, plain), Ordering::Equal);
        // Whitespace never outranks a real difference.
        assert_order(names(c), &["Nguyễn   Thị Anh", "Lê Thị Hương"]);
        assert_order(names(c), &["  Lê   Hà", "Lê Thị Hà"]);
    }

    #[test]
    fn single_word_names_sort_by_that_word_before_longer_same_given() {
        // A single word is a given name with no family or middle name.
        assert_order(
            names(collator()),
            &["Anh", "Lê Anh", "Mai", "Đỗ Mai", "Nhi"],
        );
    }

    #[test]
    fn sort_is_stable_for_identical_names() {
        let mut v = vec![("Lê Anh", 1), ("Đỗ Thị Anh", 2), ("Lê Anh", 3)];
        collator().sort_by_person_name(&mut v, |(n, _)| n);
        assert_eq!(v, vec![("Đỗ Thị Anh", 2), ("Lê Anh", 1), ("Lê Anh", 3)]);
    }

    #[test]
    fn owned_instance_agrees_with_shared_one() {
        let own = VietnameseCollator::new();
        assert_eq!(own.compare("Uyên", "Ưng"), Ordering::Less);
        assert_eq!(
            own.compare_person_names("Lê Anh", "Đỗ Thị Anh"),
            Ordering::Greater
        );
    }
}
