//! The layout layer over `pdf`: a flow of paragraphs and tables down the
//! pages, a table's heading row repeated on every page it continues on,
//! and "Trang i/n" with a footer line at the bottom of every page.

use crate::ReportError;
use crate::pdf::{Align, PdfDocument, Rgb, TextStyle};

/// A column of a table.
#[derive(Debug, Clone)]
pub struct TableColumn {
    pub heading: String,
    pub align: Align,
    /// Takes the width the other columns leave, its text wrapped (notes);
    /// the other columns are as wide as their longest line.
    pub fill: bool,
}

impl TableColumn {
    pub fn new(heading: impl Into<String>, align: Align) -> TableColumn {
        TableColumn {
            heading: heading.into(),
            align,
            fill: false,
        }
    }

    pub fn fill(heading: impl Into<String>) -> TableColumn {
        TableColumn {
            heading: heading.into(),
            align: Align::Left,
            fill: true,
        }
    }
}

/// A cell: its text, and a colour when it is not black (what is missing).
#[derive(Debug, Clone, Default)]
pub struct TableCell {
    pub text: String,
    pub color: Option<Rgb>,
}

impl TableCell {
    pub fn new(text: impl Into<String>) -> TableCell {
        TableCell {
            text: text.into(),
            color: None,
        }
    }

    pub fn colored(text: impl Into<String>, color: Rgb) -> TableCell {
        TableCell {
            text: text.into(),
            color: Some(color),
        }
    }
}

/// A table: columns and rows of cells (one cell per column).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<TableColumn>,
    pub rows: Vec<Vec<TableCell>>,
}

/// Background of a table's heading row.
const HEADING_FILL: u32 = 0xDDEBF7;
/// Padding inside a cell, in points.
const PAD: f32 = 2.5;
/// The narrowest a fill column may be.
const MIN_FILL: f32 = 110.0;
/// Text sizes tried for a table's body, largest first; the heading is half
/// a point smaller.
const BODY_SIZES: [f32; 6] = [8.5, 8.0, 7.5, 7.0, 6.5, 6.0];
/// Line height as a multiple of the text size.
const LEADING: f32 = 1.22;

/// A document laid out from top to bottom.
pub struct Flow {
    doc: PdfDocument,
    margin: f32,
    /// Room kept at the bottom of every page for the footer.
    footer_room: f32,
    footer: String,
    page: usize,
    /// Top of the free space on the current page.
    cursor: f32,
}

impl Flow {
    /// A flow over `doc` with `margin` points around each page; `footer`
    /// is printed at the bottom left of every page, the page number at the
    /// bottom right.
    pub fn new(mut doc: PdfDocument, margin: f32, footer: impl Into<String>) -> Flow {
        let page = doc.add_page();
        Flow {
            doc,
            margin,
            footer_room: 16.0,
            footer: footer.into(),
            page,
            cursor: margin,
        }
    }

    pub fn document(&self) -> &PdfDocument {
        &self.doc
    }

    fn content_width(&self) -> f32 {
        self.doc.width() - 2.0 * self.margin
    }

    fn bottom(&self) -> f32 {
        self.doc.height() - self.margin - self.footer_room
    }

    fn new_page(&mut self) {
        self.page = self.doc.add_page();
        self.cursor = self.margin;
    }

    /// Vertical space.
    pub fn space(&mut self, points: f32) {
        self.cursor += points;
    }

    /// A paragraph across the page, wrapped, breaking the page when needed.
    pub fn paragraph(&mut self, text: &str, style: TextStyle, align: Align) {
        let width = self.content_width();
        let leading = style.size * LEADING;
        for line in self.doc.wrap(style, text, width) {
            if self.cursor + leading > self.bottom() {
                self.new_page();
            }
            let baseline = self.cursor + self.doc.ascent(style);
            let x = self.margin;
            self.doc
                .text_in(self.page, (x, width), baseline, style, align, &line);
            self.cursor += leading;
        }
    }

    /// Column widths and the body size at which the table fits the page.
    fn layout(&self, table: &Table) -> (Vec<f32>, f32) {
        let available = self.content_width();
        let mut last = None;
        for body in BODY_SIZES {
            let head = TextStyle::bold(body - 0.5);
            let style = TextStyle::regular(body);
            let longest_word = |style: TextStyle, text: &str| {
                text.split([' ', '\n'])
                    .map(|w| self.doc.text_width(style, w))
                    .fold(0.0, f32::max)
            };
            let widths: Vec<f32> = table
                .columns
                .iter()
                .enumerate()
                .map(|(index, column)| {
                    let heading = longest_word(head, &column.heading);
                    let body = table
                        .rows
                        .iter()
                        .filter_map(|row| row.get(index))
                        .map(|cell| {
                            if column.fill {
                                longest_word(style, &cell.text)
                            } else {
                                cell.text
                                    .split('\n')
                                    .map(|l| self.doc.text_width(style, l))
                                    .fold(0.0, f32::max)
                            }
                        })
                        .fold(0.0, f32::max);
                    let natural = heading.max(body) + 2.0 * PAD;
                    if column.fill {
                        natural.max(MIN_FILL)
                    } else {
                        natural
                    }
                })
                .collect();
            let total: f32 = widths.iter().sum();
            last = Some((widths.clone(), body, total));
            if total <= available {
                return (self.spread(table, widths, available - total), body);
            }
        }
        // Even the smallest size is too wide: every column narrowed alike,
        // the text wrapped inside.
        let (widths, body, total) = last.unwrap_or((Vec::new(), 6.0, 1.0));
        let scale = available / total;
        (widths.into_iter().map(|w| w * scale).collect(), body)
    }

    /// Gives the room left to the fill columns (or to all when none fills).
    fn spread(&self, table: &Table, mut widths: Vec<f32>, extra: f32) -> Vec<f32> {
        let fills = table.columns.iter().filter(|c| c.fill).count();
        if fills > 0 {
            for (width, column) in widths.iter_mut().zip(&table.columns) {
                if column.fill {
                    *width += extra / fills as f32;
                }
            }
        } else if !widths.is_empty() {
            let total: f32 = widths.iter().sum();
            for width in &mut widths {
                *width += extra * *width / total;
            }
        }
        widths
    }

    /// Draws one row from the cursor; `heading` rows are filled and centred.
    fn row(&mut self, widths: &[f32], cells: &[(Vec<String>, TextStyle, Align)], heading: bool) {
        let leading = cells.first().map(|c| c.1.size).unwrap_or(8.0) * LEADING;
        let lines = cells.iter().map(|c| c.0.len()).max().unwrap_or(1).max(1);
        let height = lines as f32 * leading + 2.0 * PAD;
        let top = self.cursor;
        let left = self.margin;
        let right = left + widths.iter().sum::<f32>();
        if heading {
            self.doc.fill_rect(
                self.page,
                left,
                top,
                right - left,
                height,
                Rgb::hex(HEADING_FILL),
            );
            self.doc.line(self.page, (left, top), (right, top), 0.6);
        }
        let mut x = left;
        for ((text, style, align), width) in cells.iter().zip(widths) {
            let offset = if heading {
                (height - 2.0 * PAD - text.len() as f32 * leading) / 2.0
            } else {
                0.0
            };
            let ascent = self.doc.ascent(*style);
            for (i, line) in text.iter().enumerate() {
                let baseline = top + PAD + offset + ascent + i as f32 * leading;
                self.doc.text_in(
                    self.page,
                    (x + PAD, width - 2.0 * PAD),
                    baseline,
                    *style,
                    *align,
                    line,
                );
            }
            x += width;
        }
        let bottom = top + height;
        let mut x = left;
        self.doc.line(self.page, (x, top), (x, bottom), 0.4);
        for width in widths {
            x += width;
            self.doc.line(self.page, (x, top), (x, bottom), 0.4);
        }
        self.doc.line(
            self.page,
            (left, bottom),
            (right, bottom),
            if heading { 0.6 } else { 0.4 },
        );
        self.cursor = bottom;
    }

    /// A table across the page; its heading row starts every page it runs
    /// onto, and a row is never split between pages.
    pub fn table(&mut self, table: &Table) {
        let (widths, body) = self.layout(table);
        let head = TextStyle::bold(body - 0.5);
        let wrap = |doc: &PdfDocument, style: TextStyle, text: &str, width: f32| {
            doc.wrap(style, text, width - 2.0 * PAD)
        };
        let heading: Vec<(Vec<String>, TextStyle, Align)> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(column, width)| {
                (
                    wrap(&self.doc, head, &column.heading, *width),
                    head,
                    Align::Center,
                )
            })
            .collect();
        let heading_height =
            heading.iter().map(|c| c.0.len()).max().unwrap_or(1) as f32 * head.size * LEADING
                + 2.0 * PAD;
        let row_leading = body * LEADING;
        // The heading and at least one row, or a new page first.
        if self.cursor + heading_height + row_leading + 2.0 * PAD > self.bottom() {
            self.new_page();
        }
        self.row(&widths, &heading, true);
        for row in &table.rows {
            let cells: Vec<(Vec<String>, TextStyle, Align)> = table
                .columns
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(index, (column, width))| {
                    let cell = row.get(index).cloned().unwrap_or_default();
                    let mut style = TextStyle::regular(body);
                    if let Some(color) = cell.color {
                        style = style.with_color(color);
                    }
                    (
                        wrap(&self.doc, style, &cell.text, *width),
                        style,
                        column.align,
                    )
                })
                .collect();
            let lines = cells.iter().map(|c| c.0.len()).max().unwrap_or(1).max(1);
            let height = lines as f32 * row_leading + 2.0 * PAD;
            if self.cursor + height > self.bottom() {
                self.new_page();
                self.row(&widths, &heading, true);
            }
            self.row(&widths, &cells, false);
        }
    }

    /// The file: every page gets the footer and "Trang i/n".
    pub fn finish(mut self, title: &str) -> Result<Vec<u8>, ReportError> {
        let count = self.doc.page_count();
        let style = TextStyle::regular(7.5);
        let baseline = self.doc.height() - self.margin;
        let span = (self.margin, self.content_width());
        for page in 0..count {
            let footer = self.footer.clone();
            self.doc
                .text_in(page, span, baseline, style, Align::Left, &footer);
            let number = format!("Trang {}/{count}", page + 1);
            self.doc
                .text_in(page, span, baseline, style, Align::Right, &number);
        }
        self.doc.finish(title)
    }
}
