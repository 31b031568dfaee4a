//! The text layer: pages of a fixed size, text in the embedded fonts, lines
//! and filled rectangles, written with lopdf. Coordinates are in points
//! from the page's top-left corner (the PDF's own origin is bottom-left).

use std::fmt::Write as _;

use lopdf::{Document, Object, Stream, dictionary};

use crate::ReportError;
use crate::font::{Face, Fonts, text_string};

/// A4 in points (ISO 216: 210 × 297 mm).
pub const A4_SHORT: f32 = 595.28;
pub const A4_LONG: f32 = 841.89;

/// A colour as RGB in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);

    /// From 0xRRGGBB.
    pub fn hex(value: u32) -> Rgb {
        let channel = |shift: u32| ((value >> shift) & 0xFF) as f32 / 255.0;
        Rgb(channel(16), channel(8), channel(0))
    }
}

/// How a piece of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub face: Face,
    pub size: f32,
    pub color: Rgb,
}

impl TextStyle {
    pub fn regular(size: f32) -> TextStyle {
        TextStyle {
            face: Face::Regular,
            size,
            color: Rgb::BLACK,
        }
    }

    pub fn bold(size: f32) -> TextStyle {
        TextStyle {
            face: Face::Bold,
            ..TextStyle::regular(size)
        }
    }

    pub fn with_color(self, color: Rgb) -> TextStyle {
        TextStyle { color, ..self }
    }
}

/// Horizontal alignment of text in a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A document being drawn: its pages' content streams and the fonts the
/// text uses (subsetted to the glyphs used when the document is finished).
pub struct PdfDocument {
    width: f32,
    height: f32,
    fonts: Fonts,
    pages: Vec<String>,
}

/// Formats a coordinate with at most two decimals.
fn num(out: &mut String, value: f32) {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        let _ = write!(out, "{} ", rounded as i64);
    } else {
        let _ = write!(out, "{rounded:.2} ");
    }
}

impl PdfDocument {
    /// A document whose pages are `width` × `height` points.
    pub fn new(width: f32, height: f32) -> Result<PdfDocument, ReportError> {
        Ok(PdfDocument {
            width,
            height,
            fonts: Fonts::new()?,
            pages: Vec::new(),
        })
    }

    /// A4 landscape.
    pub fn a4_landscape() -> Result<PdfDocument, ReportError> {
        PdfDocument::new(A4_LONG, A4_SHORT)
    }

    /// A4 portrait.
    pub fn a4_portrait() -> Result<PdfDocument, ReportError> {
        PdfDocument::new(A4_SHORT, A4_LONG)
    }

    pub fn width(&self) -> f32 {
        self.width
    }

    pub fn height(&self) -> f32 {
        self.height
    }

    /// Adds a page; returns its index.
    pub fn add_page(&mut self) -> usize {
        self.pages.push(String::new());
        self.pages.len() - 1
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Width of `text` set in `style`, in points.
    pub fn text_width(&self, style: TextStyle, text: &str) -> f32 {
        self.fonts
            .get(style.face)
            .width(&hocba_text::nfc(text), style.size)
    }

    /// Whether the font of `face` has a glyph of its own for `c`.
    pub fn has_glyph(&self, face: Face, c: char) -> bool {
        self.fonts.get(face).glyph(c) != 0
    }

    /// Distance from a line's top to its baseline (the font's ascent).
    pub fn ascent(&self, style: TextStyle) -> f32 {
        self.fonts.get(style.face).vertical(style.size).0
    }

    /// Writes one line of text whose baseline is at `baseline` from the top.
    pub fn text(&mut self, page: usize, x: f32, baseline: f32, style: TextStyle, text: &str) {
        if text.is_empty() {
            return;
        }
        // One glyph per character: decomposed marks would print beside
        // their letter, so the text is composed (NFC) first.
        let hex = self
            .fonts
            .get_mut(style.face)
            .encode(&hocba_text::nfc(text));
        let y = self.height - baseline;
        let out = &mut self.pages[page];
        out.push_str("BT /");
        out.push_str(style.face.resource_name());
        out.push(' ');
        num(out, style.size);
        out.push_str("Tf ");
        let Rgb(r, g, b) = style.color;
        num(out, r);
        num(out, g);
        num(out, b);
        out.push_str("rg ");
        num(out, x);
        num(out, y);
        let _ = writeln!(out, "Td <{hex}> Tj ET");
    }

    /// Writes `text` aligned in the box `span` = (left, width).
    pub fn text_in(
        &mut self,
        page: usize,
        (x, width): (f32, f32),
        baseline: f32,
        style: TextStyle,
        align: Align,
        text: &str,
    ) {
        let left = match align {
            Align::Left => x,
            Align::Center => x + (width - self.text_width(style, text)) / 2.0,
            Align::Right => x + width - self.text_width(style, text),
        };
        self.text(page, left, baseline, style, text);
    }

    /// A straight line.
    pub fn line(&mut self, page: usize, from: (f32, f32), to: (f32, f32), width: f32) {
        let height = self.height;
        let out = &mut self.pages[page];
        num(out, width);
        out.push_str("w 0 0 0 RG ");
        num(out, from.0);
        num(out, height - from.1);
        out.push_str("m ");
        num(out, to.0);
        num(out, height - to.1);
        out.push_str("l S\n");
    }

    /// A filled rectangle whose top-left corner is (`x`, `top`).
    pub fn fill_rect(
        &mut self,
        page: usize,
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        color: Rgb,
    ) {
        let page_height = self.height;
        let out = &mut self.pages[page];
        let Rgb(r, g, b) = color;
        num(out, r);
        num(out, g);
        num(out, b);
        out.push_str("rg ");
        num(out, x);
        num(out, page_height - top - height);
        num(out, width);
        num(out, height);
        out.push_str("re f\n");
    }

    /// Splits `text` into lines no wider than `width` (at spaces; a word
    /// wider than the line is cut between characters). Explicit line breaks
    /// are kept.
    pub fn wrap(&self, style: TextStyle, text: &str, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.text_width(style, &candidate) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: cut it when it does not fit either.
                for c in word.chars() {
                    line.push(c);
                    if self.text_width(style, &line) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::replace(&mut line, c.to_string()));
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// The finished file: the fonts subsetted to the glyphs used, every
    /// stream compressed, `title` in the document information.
    pub fn finish(self, title: &str) -> Result<Vec<u8>, ReportError> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let fonts = self.fonts.write(&mut doc)?;
        let resources_id = doc.add_object(dictionary! { "Font" => fonts });
        let mut kids = Vec::with_capacity(self.pages.len());
        for content in &self.pages {
            let mut stream = Stream::new(dictionary! {}, content.as_bytes().to_vec());
            stream.compress()?;
            let content_id = doc.add_object(stream);
            kids.push(Object::Reference(doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), Object::Real(self.width), Object::Real(self.height)],
                "Resources" => resources_id,
                "Contents" => content_id,
            })));
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => count,
            }),
        );
        let catalog_id = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
            "Lang" => Object::string_literal("vi-VN"),
        });
        let info_id = doc.add_object(dictionary! {
            "Title" => text_string(title),
            "Producer" => Object::string_literal("hocba"),
        });
        doc.trailer.set("Root", catalog_id);
        doc.trailer.set("Info", info_id);
        let mut out = Vec::new();
        doc.save_to(&mut out)
            .map_err(|e| ReportError::Pdf(lopdf::Error::IO(e)))?;
        Ok(out)
    }
}
