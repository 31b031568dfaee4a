//! The embedded fonts: DejaVu Sans Condensed regular and bold (from the
//! `dejavu` crate), measured with ttf-parser and written into the PDF as
//! subsetted CID fonts (Type0, Identity-H) with a ToUnicode map, so that
//! "ạ, ễ, ữ" show and can be copied or extracted as the same text.
//!
//! The 14 standard PDF fonts cannot be used: their encodings hold no
//! Vietnamese letter with two marks.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};
use subsetter::GlyphRemapper;
use ttf_parser::{Face as TtfFace, GlyphId};

use crate::ReportError;

/// Which face a piece of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Regular,
    Bold,
}

impl Face {
    fn index(self) -> usize {
        match self {
            Face::Regular => 0,
            Face::Bold => 1,
        }
    }

    pub(crate) fn resource_name(self) -> &'static str {
        match self {
            Face::Regular => "F1",
            Face::Bold => "F2",
        }
    }
}

/// One font of a document: its metrics, and the glyphs used so far (new
/// glyph id = CID in the PDF, in the order of first use).
pub(crate) struct EmbeddedFont {
    name: &'static str,
    data: &'static [u8],
    face: TtfFace<'static>,
    units_per_em: f32,
    remapper: GlyphRemapper,
    /// CID → the text it stands for (ToUnicode).
    unicode: BTreeMap<u16, char>,
    /// Advance widths by original glyph id, in font units (cached).
    advances: Vec<u16>,
}

impl EmbeddedFont {
    fn new(name: &'static str, data: &'static [u8]) -> Result<Self, ReportError> {
        let face =
            TtfFace::parse(data, 0).map_err(|e| ReportError::Font(format!("{name}: {e}")))?;
        let advances = (0..face.number_of_glyphs())
            .map(|g| face.glyph_hor_advance(GlyphId(g)).unwrap_or(0))
            .collect();
        Ok(EmbeddedFont {
            name,
            data,
            units_per_em: f32::from(face.units_per_em()),
            face,
            remapper: GlyphRemapper::new(),
            unicode: BTreeMap::new(),
            advances,
        })
    }

    pub(crate) fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map(|g| g.0).unwrap_or(0)
    }

    /// Width of `text` at `size` points (advance widths, no kerning).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| u32::from(self.advances[usize::from(self.glyph(c))]))
            .sum();
        units as f32 * size / self.units_per_em
    }

    /// The hex string of CIDs that shows `text`, recording the glyphs used.
    pub(crate) fn encode(&mut self, text: &str) -> String {
        let mut hex = String::with_capacity(text.len() * 4);
        for c in text.chars() {
            let cid = self.remapper.remap(self.glyph(c));
            if cid != 0 {
                self.unicode.entry(cid).or_insert(c);
            }
            let _ = write!(hex, "{cid:04X}");
        }
        hex
    }

    /// Ascent and descent in points at `size` (descent negative).
    pub(crate) fn vertical(&self, size: f32) -> (f32, f32) {
        let scale = size / self.units_per_em;
        (
            f32::from(self.face.ascender()) * scale,
            f32::from(self.face.descender()) * scale,
        )
    }

    /// Writes the font's objects and returns the Type0 font's id.
    fn write(&self, doc: &mut Document, tag: &str) -> Result<ObjectId, ReportError> {
        let subset = subsetter::subset(self.data, 0, &self.remapper)
            .map_err(|e| ReportError::Font(format!("{}: {e}", self.name)))?;
        // A subset's name starts with six capital letters and "+" (ISO 32000-1
        // §9.6.4).
        let base_name = format!("{tag}+{}", self.name);
        let mut file = Stream::new(dictionary! { "Length1" => subset.len() as i64 }, subset);
        file.compress()?;
        let file_id = doc.add_object(file);

        let scale = 1000.0 / self.units_per_em;
        let bbox = self.face.global_bounding_box();
        let descriptor = dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(base_name.clone().into_bytes()),
            // Non-symbolic (bit 6).
            "Flags" => 32,
            "FontBBox" => vec![
                Object::Integer((f32::from(bbox.x_min) * scale) as i64),
                Object::Integer((f32::from(bbox.y_min) * scale) as i64),
                Object::Integer((f32::from(bbox.x_max) * scale) as i64),
                Object::Integer((f32::from(bbox.y_max) * scale) as i64),
            ],
            "ItalicAngle" => 0,
            "Ascent" => (f32::from(self.face.ascender()) * scale) as i64,
            "Descent" => (f32::from(self.face.descender()) * scale) as i64,
            "CapHeight" => (f32::from(self.face.capital_height().unwrap_or(self.face.ascender())) * scale) as i64,
            "StemV" => 80,
            "FontFile2" => file_id,
        };
        let descriptor_id = doc.add_object(descriptor);

        // Widths of the CIDs 0..n, in the order the remapper gave them.
        let widths: Vec<Object> = self
            .remapper
            .remapped_gids()
            .map(|old| {
                Object::Integer((f32::from(self.advances[usize::from(old)]) * scale).round() as i64)
            })
            .collect();
        let cid_font = dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => Object::Name(base_name.clone().into_bytes()),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor_id,
            "DW" => 1000,
            "W" => vec![Object::Integer(0), Object::Array(widths)],
            "CIDToGIDMap" => "Identity",
        };
        let cid_font_id = doc.add_object(cid_font);

        let mut to_unicode = Stream::new(Dictionary::new(), self.to_unicode().into_bytes());
        to_unicode.compress()?;
        let to_unicode_id = doc.add_object(to_unicode);

        Ok(doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => Object::Name(base_name.into_bytes()),
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Reference(cid_font_id)],
            "ToUnicode" => to_unicode_id,
        }))
    }

    /// The ToUnicode CMap (ISO 32000-1 §9.10.3): each CID to its character.
    fn to_unicode(&self) -> String {
        let mut out = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let entries: Vec<(&u16, &char)> = self.unicode.iter().collect();
        // At most 100 entries per bfchar block.
        for chunk in entries.chunks(100) {
            let _ = writeln!(out, "{} beginbfchar", chunk.len());
            for (cid, c) in chunk {
                let mut units = [0u16; 2];
                let hex: String = c
                    .encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                let _ = writeln!(out, "<{cid:04X}> <{hex}>");
            }
            out.push_str("endbfchar\n");
        }
        out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        out
    }
}

/// The regular and bold fonts of one document.
pub(crate) struct Fonts {
    fonts: [EmbeddedFont; 2],
}

impl Fonts {
    pub(crate) fn new() -> Result<Self, ReportError> {
        Ok(Fonts {
            fonts: [
                EmbeddedFont::new("DejaVuSansCondensed", dejavu::sans_condensed::regular())?,
                EmbeddedFont::new("DejaVuSansCondensed-Bold", dejavu::sans_condensed::bold())?,
            ],
        })
    }

    pub(crate) fn get(&self, face: Face) -> &EmbeddedFont {
        &self.fonts[face.index()]
    }

    pub(crate) fn get_mut(&mut self, face: Face) -> &mut EmbeddedFont {
        &mut self.fonts[face.index()]
    }

    /// Writes both fonts; returns the page resources' /Font dictionary.
    pub(crate) fn write(&self, doc: &mut Document) -> Result<Dictionary, ReportError> {
        let mut resources = Dictionary::new();
        for (face, tag) in [(Face::Regular, "HBAREG"), (Face::Bold, "HBABLD")] {
            let id = self.get(face).write(doc, tag)?;
            resources.set(face.resource_name(), id);
        }
        Ok(resources)
    }
}

/// A PDF text string (UTF-16BE with BOM) for the document information.
pub(crate) fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}
