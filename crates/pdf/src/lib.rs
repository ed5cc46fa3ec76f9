//! Typst markup to PDF, in process.
//!
//! The fonts are those that Typst itself bundles (`typst-assets`, compiled into the binary), the
//! only files a document can read are the ones handed to [`compile`], and no package resolver
//! is configured: a document that imports a package (`@preview/…`) fails to compile instead of
//! reaching for the network. The PDF carries no creation date, so the same markup gives the
//! same bytes.

use typst::layout::PagedDocument;
use typst_as_lib::TypstEngine;

/// Why a document could not be made.
#[derive(Debug)]
pub struct PdfError(pub String);

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PDF: {}", self.0)
    }
}

impl std::error::Error for PdfError {}

/// Compiles `main` (Typst markup) into a PDF. `files` are the binary files it may read by name
/// (images such as SVG charts), e.g. `("chart-1.svg", bytes)`.
pub fn compile(main: &str, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, PdfError> {
    let engine = TypstEngine::builder()
        .main_file(("main.typ", main.to_string()))
        .fonts(typst_assets::fonts())
        .with_static_file_resolver(files.iter().map(|(n, b)| (n.as_str(), b.clone())))
        .build();
    let doc: PagedDocument = engine
        .compile()
        .output
        .map_err(|e| PdfError(describe(&e)))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|e| PdfError(format!("{e:?}")))
}

/// An SVG drawing (a chart) as a PNG image `width` pixels wide, and its height in pixels: for
/// formats that cannot hold SVG (Word). Its text is set in the fonts compiled in (the same as
/// the PDF's, `sans-serif` and `serif` both Libertinus Serif); no system font is read.
pub fn svg_to_png(svg: &str, width: u32) -> Result<(Vec<u8>, u32), PdfError> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options::default();
    let fonts = options.fontdb_mut();
    for font in typst_assets::fonts() {
        fonts.load_font_data(font.to_vec());
    }
    fonts.set_sans_serif_family("Libertinus Serif");
    fonts.set_serif_family("Libertinus Serif");
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| PdfError(e.to_string()))?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).ceil().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width.max(1), height)
        .ok_or_else(|| PdfError(format!("no image of {width}×{height} pixels")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap.encode_png().map_err(|e| PdfError(e.to_string()))?;
    Ok((png, height))
}

fn describe(e: &typst_as_lib::TypstAsLibError) -> String {
    match e {
        typst_as_lib::TypstAsLibError::TypstSource(diags) => diags
            .iter()
            .map(|d| d.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// Escapes text for Typst markup: every character that markup gives a meaning to is
/// backslash-escaped, so that names and titles print as they are.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '#'
                | '*'
                | '_'
                | '`'
                | '$'
                | '<'
                | '>'
                | '@'
                | '['
                | ']'
                | '='
                | '-'
                | '+'
                | '/'
                | '~'
                | '"'
                | '\''
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_svg_drawing_becomes_a_png_with_its_text() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect x="10" y="10" width="80" height="30" fill="#005daa"/><text x="10" y="80" font-family="sans-serif" font-size="20">Montants</text></svg>"##;
        let (png, height) = svg_to_png(svg, 400).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        assert_eq!(height, 200);
        let blank = svg_to_png(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect x="10" y="10" width="80" height="30" fill="#005daa"/></svg>"##,
            400,
        )
        .unwrap()
        .0;
        assert_ne!(png, blank, "the text is drawn");
    }

    #[test]
    fn markup_becomes_a_pdf_with_embedded_fonts_and_images() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="red"/></svg>"#;
        let pdf = compile(
            "#set text(font: \"Libertinus Serif\")\n= Title\nSome #emph[text] and an image:\n#image(\"c.svg\", width: 2cm)\n",
            &[("c.svg".into(), svg.to_vec())],
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // The same markup gives the same bytes (no creation date).
        let again = compile(
            "#set text(font: \"Libertinus Serif\")\n= Title\nSome #emph[text] and an image:\n#image(\"c.svg\", width: 2cm)\n",
            &[("c.svg".into(), svg.to_vec())],
        )
        .unwrap();
        assert_eq!(pdf, again);
    }

    #[test]
    fn packages_are_never_fetched() {
        let err = compile("#import \"@preview/tablex:0.0.8\": tablex\nHello", &[]).unwrap_err();
        assert!(!err.0.is_empty());
    }

    #[test]
    fn escaped_text_prints_as_it_is() {
        let text = "UNEP/MC/COP.7/1 *not bold* #x $y$ <z> [w] = a_b @c";
        let pdf = compile(&escape(text), &[]).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(escape("a*b"), "a\\*b");
    }
}
