//! Default subjects per grade, from the 2018 general education curriculum
//! (CTGDPT 2018, Thông tư 32/2018/TT-BGDĐT as amended by TT 13/2022), with
//! periods per year and whether the subject is scored or commented
//! (TT22/2021 Điều 5; `regulations.md` §1.1, §1.2, §3.1). Schools edit their
//! own list; this is what a new school year starts from.
//!
//! Periods per year are tagged [M] in `regulations.md` except the examples it
//! quotes [S] (THCS Toán 140, Ngữ văn 140, Ngoại ngữ 105, GDCD 35, Công nghệ
//! 35 in grades 6–7 and 52 in 8–9; THPT Toán 105).

use crate::level::{Grade, Level};
use serde::{Deserialize, Serialize};

/// Môn đánh giá bằng nhận xét (Đ/CĐ) or bằng nhận xét kết hợp điểm số.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectMode {
    Scored,
    Commented,
}

impl SubjectMode {
    pub fn code(self) -> &'static str {
        match self {
            SubjectMode::Scored => "scored",
            SubjectMode::Commented => "commented",
        }
    }
    pub fn from_code(code: &str) -> Option<SubjectMode> {
        match code {
            "scored" => Some(SubjectMode::Scored),
            "commented" => Some(SubjectMode::Commented),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SubjectMode::Scored => "Nhận xét kết hợp điểm số",
            SubjectMode::Commented => "Nhận xét (Đ/CĐ)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectDefault {
    pub code: &'static str,
    pub name: &'static str,
    pub periods_per_year: u16,
    pub mode: SubjectMode,
}

const fn scored(code: &'static str, name: &'static str, periods_per_year: u16) -> SubjectDefault {
    SubjectDefault {
        code,
        name,
        periods_per_year,
        mode: SubjectMode::Scored,
    }
}
const fn commented(
    code: &'static str,
    name: &'static str,
    periods_per_year: u16,
) -> SubjectDefault {
    SubjectDefault {
        code,
        name,
        periods_per_year,
        mode: SubjectMode::Commented,
    }
}

/// The default subjects of a grade.
pub fn default_subjects(grade: Grade) -> Vec<SubjectDefault> {
    let g = grade.value();
    match grade.level() {
        // Primary subjects are assessed by levels (TT27); "scored" here marks
        // the subjects with periodic tests (TT27 Điều 7 khoản 1; regulations.md §3.2).
        Level::Primary => {
            let mut subjects = vec![
                scored(
                    "TV",
                    "Tiếng Việt",
                    match g {
                        1 => 420,
                        2 => 350,
                        _ => 245,
                    },
                ),
                scored("TOAN", "Toán", if g == 1 { 105 } else { 175 }),
                commented("DD", "Đạo đức", 35),
            ];
            if g >= 3 {
                subjects.push(scored("NN1", "Ngoại ngữ 1", 140));
                subjects.push(scored("TINCN", "Tin học và Công nghệ", 70));
            }
            if g <= 3 {
                subjects.push(commented("TNXH", "Tự nhiên và Xã hội", 70));
            } else {
                subjects.push(scored("LSDL", "Lịch sử và Địa lí", 70));
                subjects.push(scored("KH", "Khoa học", 70));
            }
            subjects.extend([
                commented("GDTC", "Giáo dục thể chất", 70),
                commented("NT", "Nghệ thuật (Âm nhạc, Mĩ thuật)", 70),
                commented("HDTN", "Hoạt động trải nghiệm", 105),
            ]);
            subjects
        }
        Level::LowerSecondary => vec![
            scored("NV", "Ngữ văn", 140),
            scored("TOAN", "Toán", 140),
            scored("NN1", "Ngoại ngữ 1", 105),
            scored("GDCD", "Giáo dục công dân", 35),
            scored("LSDL", "Lịch sử và Địa lí", 105),
            scored("KHTN", "Khoa học tự nhiên", 140),
            scored("CN", "Công nghệ", if g <= 7 { 35 } else { 52 }),
            scored("TIN", "Tin học", 35),
            commented("GDTC", "Giáo dục thể chất", 70),
            commented("NT", "Nghệ thuật", 70),
            commented("HDTN", "Hoạt động trải nghiệm, hướng nghiệp", 105),
            commented("GDDP", "Nội dung giáo dục của địa phương", 35),
        ],
        // Upper secondary: the required subjects plus a common elective
        // combination; schools change the combination per class.
        Level::UpperSecondary => vec![
            scored("NV", "Ngữ văn", 105),
            scored("TOAN", "Toán", 105),
            scored("NN1", "Ngoại ngữ 1", 105),
            scored("LS", "Lịch sử", 52),
            scored("GDQPAN", "Giáo dục quốc phòng và an ninh", 35),
            scored("VL", "Vật lí", 70),
            scored("HH", "Hóa học", 70),
            scored("SH", "Sinh học", 70),
            scored("DL", "Địa lí", 70),
            scored("GDKTPL", "Giáo dục kinh tế và pháp luật", 70),
            scored("TIN", "Tin học", 70),
            commented("GDTC", "Giáo dục thể chất", 70),
            commented("HDTN", "Hoạt động trải nghiệm, hướng nghiệp", 105),
            commented("GDDP", "Nội dung giáo dục của địa phương", 35),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_period_counts_hold() {
        let grade = |g| Grade::new(g).unwrap();
        let periods = |g, code| {
            default_subjects(grade(g))
                .into_iter()
                .find(|s| s.code == code)
                .unwrap()
                .periods_per_year
        };
        assert_eq!(periods(6, "TOAN"), 140);
        assert_eq!(periods(7, "CN"), 35);
        assert_eq!(periods(8, "CN"), 52);
        assert_eq!(periods(10, "TOAN"), 105);
    }

    #[test]
    fn commented_subjects_follow_tt22_article_5() {
        for g in 6..=12 {
            for subject in default_subjects(Grade::new(g).unwrap()) {
                let commented = ["GDTC", "NT", "HDTN", "GDDP"].contains(&subject.code);
                assert_eq!(
                    subject.mode == SubjectMode::Commented,
                    commented,
                    "{} grade {g}",
                    subject.name
                );
            }
        }
    }
}
