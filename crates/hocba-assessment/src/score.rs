//! Exact decimal scores on the 10-point scale.
//!
//! TT22/2021 Điều 5 khoản 3 điểm b: a score is an integer or a decimal "lấy đến chữ
//! số thập phân thứ nhất sau khi làm tròn số". We therefore store every score and
//! every one-decimal average as an integer number of tenths, and do all arithmetic
//! on integers: no binary floating point can turn 8.25 into 8.2499999.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A score or a one-decimal average from 0.0 to 10.0, stored in tenths (0..=100).
///
/// Parses "8", "8.5", "8,5" (the Vietnamese decimal comma) and "8.50"; refuses
/// anything outside 0–10 or with a non-zero second decimal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u8);

/// Why a text or a number is not a [`Score`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// Above the 10-point scale.
    #[error("score {0} is above 10")]
    AboveTen(String),
    /// Below zero.
    #[error("score {0} is negative")]
    Negative(String),
    /// More than one significant decimal (TT22 Điều 5 khoản 3: one decimal).
    #[error(
        "score {0} has more than one decimal; scores carry one decimal (TT22/2021 Điều 5 khoản 3)"
    )]
    TooManyDecimals(String),
    /// Not a decimal number at all.
    #[error("\"{0}\" is not a score: expected a number from 0 to 10 such as 8, 8.5 or 8,5")]
    NotANumber(String),
}

impl Score {
    /// 0.0
    pub const ZERO: Score = Score(0);
    /// 10.0, the top of the scale.
    pub const TEN: Score = Score(100);

    /// A score from a number of tenths (85 is 8.5).
    pub fn from_tenths(tenths: u32) -> Result<Score, ScoreError> {
        match u8::try_from(tenths) {
            Ok(value) if value <= 100 => Ok(Score(value)),
            _ => Err(ScoreError::AboveTen(format_tenths(u64::from(tenths)))),
        }
    }

    /// A constant threshold such as `Score::constant(65)` for 6.5; fails to compile
    /// (or panics) above 10.0. Meant for the fixed thresholds of the circulars.
    pub const fn constant(tenths: u8) -> Score {
        assert!(tenths <= 100, "a score is at most 10.0");
        Score(tenths)
    }

    /// The score in tenths (8.5 gives 85).
    pub const fn tenths(self) -> u32 {
        self.0 as u32
    }

    /// A whole score from 0 to 10.
    pub fn whole(points: u8) -> Result<Score, ScoreError> {
        Score::from_tenths(u32::from(points) * 10)
    }
}

impl fmt::Display for Score {
    /// Always one decimal, with a point: "8.0", "7.8", "10.0".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_tenths(u64::from(self.0)))
    }
}

impl Serialize for Score {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl FromStr for Score {
    type Err = ScoreError;

    fn from_str(text: &str) -> Result<Score, ScoreError> {
        let tenths = parse_fixed(text, 1)?;
        Score::from_tenths(tenths).map_err(|_| ScoreError::AboveTen(text.trim().to_owned()))
    }
}

/// An average with two decimals, stored in hundredths (0..=1000): the per-year and
/// multi-year averages of TT24/2024 Điều 44 ("làm tròn đến hai chữ số thập phân").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TwoDecimalScore(u16);

impl TwoDecimalScore {
    /// 0.00
    pub const ZERO: TwoDecimalScore = TwoDecimalScore(0);

    /// From a weighted mean already known to lie in 0..=1000 hundredths; clamps.
    pub(crate) fn clamped(hundredths: u64) -> TwoDecimalScore {
        TwoDecimalScore(u16::try_from(hundredths.min(1000)).unwrap_or(1000))
    }

    /// From hundredths (833 is 8.33).
    pub fn from_hundredths(hundredths: u32) -> Result<TwoDecimalScore, ScoreError> {
        match u16::try_from(hundredths) {
            Ok(value) if value <= 1000 => Ok(TwoDecimalScore(value)),
            _ => Err(ScoreError::AboveTen(format_hundredths(u64::from(
                hundredths,
            )))),
        }
    }

    /// The value in hundredths.
    pub const fn hundredths(self) -> u32 {
        self.0 as u32
    }
}

impl fmt::Display for TwoDecimalScore {
    /// Always two decimals: "8.33", "7.00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_hundredths(u64::from(self.0)))
    }
}

impl Serialize for TwoDecimalScore {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl FromStr for TwoDecimalScore {
    type Err = ScoreError;

    fn from_str(text: &str) -> Result<TwoDecimalScore, ScoreError> {
        let hundredths = parse_fixed(text, 2)?;
        TwoDecimalScore::from_hundredths(hundredths)
            .map_err(|_| ScoreError::AboveTen(text.trim().to_owned()))
    }
}

/// `numerator / denominator` rounded half up to the nearest integer, exactly.
///
/// All our quantities are non-negative, so "half up" is `floor(x + 1/2)`. This is the
/// rounding Vietnamese gradebooks use (regulations.md §1.4: 8.25 → 8.3).
pub fn round_half_up(numerator: u64, denominator: u64) -> u64 {
    assert!(denominator > 0, "an average needs at least one value");
    (2 * numerator + denominator) / (2 * denominator)
}

/// Parses a non-negative decimal with at most `decimals` significant decimals into an
/// integer count of 10^-decimals units. Accepts "." or "," as the decimal mark.
fn parse_fixed(text: &str, decimals: u32) -> Result<u32, ScoreError> {
    let trimmed = text.trim();
    let shown = || trimmed.to_owned();
    if let Some(unsigned) = trimmed.strip_prefix('-') {
        // "-0" is still refused: a score is never written with a sign.
        let numeric = !unsigned.is_empty()
            && unsigned
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
        return Err(if numeric {
            ScoreError::Negative(shown())
        } else {
            ScoreError::NotANumber(shown())
        });
    }
    let normalised = trimmed.replace(',', ".");
    let (whole, fraction) = match normalised.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (normalised.as_str(), ""),
    };
    let digits_only = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) {
        return Err(ScoreError::NotANumber(shown()));
    }
    if normalised.contains('.') && fraction.is_empty() {
        return Err(ScoreError::NotANumber(shown()));
    }
    let significant = fraction.trim_end_matches('0');
    if significant.len() > decimals as usize {
        return Err(ScoreError::TooManyDecimals(shown()));
    }
    let whole_value: u32 = match whole.trim_start_matches('0') {
        "" => 0,
        digits if digits.len() > 3 => return Err(ScoreError::AboveTen(shown())),
        digits => digits
            .parse()
            .map_err(|_| ScoreError::NotANumber(shown()))?,
    };
    let mut units = whole_value * 10u32.pow(decimals);
    for (position, digit) in significant.chars().enumerate() {
        let digit = digit.to_digit(10).unwrap_or(0);
        units += digit * 10u32.pow(decimals - 1 - position as u32);
    }
    Ok(units)
}

fn format_tenths(tenths: u64) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

fn format_hundredths(hundredths: u64) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_point_comma_and_integers() {
        let cases = [
            ("8", 80),
            ("8.5", 85),
            ("8,5", 85),
            (" 7.0 ", 70),
            ("10", 100),
            ("10.0", 100),
            ("0", 0),
            ("8.50", 85),
            ("09", 90),
        ];
        for (text, tenths) in cases {
            assert_eq!(
                text.parse::<Score>().map(Score::tenths),
                Ok(tenths),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_bad_scores() {
        assert_eq!(
            "11".parse::<Score>(),
            Err(ScoreError::AboveTen("11".into()))
        );
        assert_eq!(
            "10.1".parse::<Score>(),
            Err(ScoreError::AboveTen("10.1".into()))
        );
        assert_eq!(
            "-1".parse::<Score>(),
            Err(ScoreError::Negative("-1".into()))
        );
        assert_eq!(
            "8.25".parse::<Score>(),
            Err(ScoreError::TooManyDecimals("8.25".into()))
        );
        for bad in ["", "abc", "8.", ".5", "8.5.1", "1e1", "8 5", "99999999999"] {
            assert!(bad.parse::<Score>().is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            "11".parse::<Score>().unwrap_err().to_string(),
            "score 11 is above 10"
        );
    }

    #[test]
    fn displays_one_decimal() {
        assert_eq!(Score::constant(78).to_string(), "7.8");
        assert_eq!(Score::constant(80).to_string(), "8.0");
        assert_eq!(Score::TEN.to_string(), "10.0");
        assert_eq!(
            TwoDecimalScore::from_hundredths(700).unwrap().to_string(),
            "7.00"
        );
        assert_eq!("8,33".parse::<TwoDecimalScore>().unwrap().hundredths(), 833);
    }

    #[test]
    fn rounds_half_up_exactly() {
        // 66/8 = 8.25 → 8.3 (regulations.md §1.4; Python's round() would give 8.2).
        assert_eq!(round_half_up(660, 8), 83);
        assert_eq!(round_half_up(700, 9), 78);
        assert_eq!(round_half_up(249, 3), 83);
        assert_eq!(round_half_up(0, 5), 0);
        assert_eq!(round_half_up(5, 10), 1);
        assert_eq!(round_half_up(4, 10), 0);
    }
}
