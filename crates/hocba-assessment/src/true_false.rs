//! Scoring of true/false questions (TNKQ Đúng–Sai) in periodic tests: 4 sub-items per
//! question (CV 7991/BGDĐT-GDTrH, the national exam convention of QĐ 764/QĐ-BGDĐT;
//! regulations.md §1.3, [S]).

use crate::score::TwoDecimalScore;

/// Why a question cannot be scored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrueFalseError {
    /// A question has 4 sub-items.
    #[error("a true/false question has 4 sub-items, not {0}")]
    TooManyCorrect(u8),
}

/// Points of a 1-point true/false question by the number of correct sub-items (a
/// blank sub-item counts as wrong): 0 → 0, 1 → 0.1, 2 → 0.25, 3 → 0.5, 4 → 1.0.
pub fn true_false_points(correct_sub_items: u8) -> Result<TwoDecimalScore, TrueFalseError> {
    let hundredths = match correct_sub_items {
        0 => 0,
        1 => 10,
        2 => 25,
        3 => 50,
        4 => 100,
        more => return Err(TrueFalseError::TooManyCorrect(more)),
    };
    TwoDecimalScore::from_hundredths(hundredths)
        .map_err(|_| TrueFalseError::TooManyCorrect(correct_sub_items))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// regulations.md §10: 0 / 1 / 2 / 3 / 4 sub-items → 0 / 0.1 / 0.25 / 0.5 / 1.0.
    #[test]
    fn points_by_correct_sub_items() {
        let expected = ["0.00", "0.10", "0.25", "0.50", "1.00"];
        for (correct, points) in expected.iter().enumerate() {
            assert_eq!(
                true_false_points(correct as u8).unwrap().to_string(),
                *points
            );
        }
        assert_eq!(true_false_points(5), Err(TrueFalseError::TooManyCorrect(5)));
    }
}
