//! Places in Thành phố Hải Phòng (province code 31) as they stand since the
//! reorganisation of 01/7/2025: the new wards and communes, with the district
//! each belonged to before, which the student form still asks for.

use crate::rng::Rng;

/// The department's province: Thành phố Hải Phòng (merged with Hải Dương).
pub(crate) const PROVINCE: &str = "31";

/// A ward (phường), commune (xã) or special zone (đặc khu) since 7/2025.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Commune {
    pub name: &'static str,
    /// The district (quận, huyện, thị xã, thành phố) before 7/2025.
    pub old_district: &'static str,
    pub urban: bool,
}

const fn ward(name: &'static str, old_district: &'static str) -> Commune {
    Commune {
        name,
        old_district,
        urban: true,
    }
}

const fn rural(name: &'static str, old_district: &'static str) -> Commune {
    Commune {
        name,
        old_district,
        urban: false,
    }
}

pub(crate) const HONG_BANG: Commune = ward("Phường Hồng Bàng", "Quận Hồng Bàng");
pub(crate) const HONG_AN: Commune = ward("Phường Hồng An", "Quận Hồng Bàng");
pub(crate) const NGO_QUYEN: Commune = ward("Phường Ngô Quyền", "Quận Ngô Quyền");
pub(crate) const GIA_VIEN: Commune = ward("Phường Gia Viên", "Quận Ngô Quyền");
pub(crate) const LE_CHAN: Commune = ward("Phường Lê Chân", "Quận Lê Chân");
pub(crate) const AN_BIEN: Commune = ward("Phường An Biên", "Quận Lê Chân");
pub(crate) const HAI_AN: Commune = ward("Phường Hải An", "Quận Hải An");
pub(crate) const DONG_HAI: Commune = ward("Phường Đông Hải", "Quận Hải An");
pub(crate) const KIEN_AN: Commune = ward("Phường Kiến An", "Quận Kiến An");
pub(crate) const PHU_LIEN: Commune = ward("Phường Phù Liễn", "Quận Kiến An");
pub(crate) const AN_DUONG: Commune = ward("Phường An Dương", "Quận An Dương");
pub(crate) const THUY_NGUYEN: Commune = ward("Phường Thủy Nguyên", "Thành phố Thủy Nguyên");
pub(crate) const DO_SON: Commune = ward("Phường Đồ Sơn", "Quận Đồ Sơn");
pub(crate) const HAI_DUONG: Commune = ward("Phường Hải Dương", "Thành phố Hải Dương");
pub(crate) const AN_LAO: Commune = rural("Xã An Lão", "Huyện An Lão");
pub(crate) const KIEN_THUY: Commune = rural("Xã Kiến Thụy", "Huyện Kiến Thụy");
pub(crate) const TIEN_LANG: Commune = rural("Xã Tiên Lãng", "Huyện Tiên Lãng");
pub(crate) const VINH_BAO: Commune = rural("Xã Vĩnh Bảo", "Huyện Vĩnh Bảo");

/// Every commune used by the demo, for picking a place far from school.
pub(crate) const ALL: [Commune; 18] = [
    HONG_BANG,
    HONG_AN,
    NGO_QUYEN,
    GIA_VIEN,
    LE_CHAN,
    AN_BIEN,
    HAI_AN,
    DONG_HAI,
    KIEN_AN,
    PHU_LIEN,
    AN_DUONG,
    THUY_NGUYEN,
    DO_SON,
    HAI_DUONG,
    AN_LAO,
    KIEN_THUY,
    TIEN_LANG,
    VINH_BAO,
];

const STREETS: [&str; 20] = [
    "Lạch Tray",
    "Trần Nguyên Hãn",
    "Tô Hiệu",
    "Lê Lợi",
    "Điện Biên Phủ",
    "Lương Khánh Thiện",
    "Cát Dài",
    "Hai Bà Trưng",
    "Chợ Hàng",
    "Văn Cao",
    "Đà Nẵng",
    "Lê Thánh Tông",
    "Nguyễn Đức Cảnh",
    "Trần Phú",
    "Hoàng Văn Thụ",
    "Minh Khai",
    "Quang Trung",
    "Lê Hồng Phong",
    "Ngô Gia Tự",
    "Thiên Lôi",
];

const HAMLETS: [&str; 8] = [
    "Thôn Đông",
    "Thôn Đoài",
    "Thôn Nam",
    "Thôn Bắc",
    "Thôn Trung",
    "Thôn Tân Lập",
    "Thôn An Lạc",
    "Thôn Phú Xuân",
];

/// House number and street, or hamlet, in the given commune.
pub(crate) fn address_detail(rng: &mut Rng, commune: &Commune) -> String {
    if commune.urban {
        let street = rng.pick(&STREETS);
        let number = rng.range(1, 420);
        if rng.chance(400) {
            format!("Số {}, ngõ {} {street}", rng.range(1, 60), number)
        } else {
            format!("Số {number} {street}")
        }
    } else {
        format!("Xóm {}, {}", rng.range(1, 12), rng.pick(&HAMLETS))
    }
}

/// Where a person's birth was registered: the 3-digit code that starts the
/// personal ID (pre-2025 province, which personal IDs keep) and the province
/// it belongs to since 7/2025.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BirthPlace {
    pub id_code: &'static str,
    pub province: &'static str,
}

/// Mostly Hải Phòng (031) and the former Hải Dương (030), now both Hải Phòng;
/// some from Hà Nội, the former Thái Bình (now Hưng Yên), the former Nam Định
/// (now Ninh Bình) and Quảng Ninh.
pub(crate) const BIRTH_PLACES: [(BirthPlace, u32); 6] = [
    (
        BirthPlace {
            id_code: "031",
            province: "31",
        },
        850,
    ),
    (
        BirthPlace {
            id_code: "030",
            province: "31",
        },
        70,
    ),
    (
        BirthPlace {
            id_code: "001",
            province: "01",
        },
        30,
    ),
    (
        BirthPlace {
            id_code: "034",
            province: "33",
        },
        20,
    ),
    (
        BirthPlace {
            id_code: "036",
            province: "37",
        },
        15,
    ),
    (
        BirthPlace {
            id_code: "022",
            province: "22",
        },
        15,
    ),
];

/// Mobile numbers: 10 digits, prefixes of the Vietnamese networks (09x, 03x, 08x).
pub(crate) fn mobile_phone(rng: &mut Rng) -> String {
    const PREFIXES: [&str; 16] = [
        "090", "091", "093", "094", "096", "097", "098", "032", "033", "034", "035", "036", "037",
        "038", "086", "088",
    ];
    format!("{}{}", rng.pick(&PREFIXES), rng.digits(7))
}
