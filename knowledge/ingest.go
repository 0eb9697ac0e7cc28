package knowledge

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Format is a file format we can read.
type Format string

const (
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
	FormatText     Format = "text"
	FormatPDF      Format = "pdf"
	FormatDOCX     Format = "docx"
	FormatCSV      Format = "csv"  // an FAQ sheet
	FormatXLSX     Format = "xlsx" // an FAQ sheet
)

// IsSheet reports whether the format holds FAQ entries rather than a document.
func (f Format) IsSheet() bool { return f == FormatCSV || f == FormatXLSX }

// Limits bound what an upload may be. Zero fields take the defaults.
type Limits struct {
	MaxBytes   int64    // default 20 MiB
	MaxFAQRows int      // default 5000
	Formats    []Format // accepted formats; default all
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 20 << 20
	}
	if l.MaxFAQRows <= 0 {
		l.MaxFAQRows = 5000
	}
	return l
}

func (l Limits) allows(f Format) bool {
	if len(l.Formats) == 0 {
		return true
	}
	for _, x := range l.Formats {
		if x == f {
			return true
		}
	}
	return false
}

// BlockKind is the structural role of a block of text.
type BlockKind string

const (
	BlockHeading   BlockKind = "heading"
	BlockParagraph BlockKind = "paragraph"
	BlockList      BlockKind = "list"  // Items holds one entry per list item
	BlockTable     BlockKind = "table" // Items holds one entry per row, the header first
	BlockCode      BlockKind = "code"
)

// Block is one structural unit of a document.
type Block struct {
	Kind  BlockKind `json:"kind"`
	Level int       `json:"level,omitempty"` // heading level, 1 = top
	Text  string    `json:"text,omitempty"`
	Items []string  `json:"items,omitempty"`
}

// text renders the block the way it is indexed and shown.
func (b Block) text() string {
	switch b.Kind {
	case BlockList:
		var s strings.Builder
		for i, it := range b.Items {
			if i > 0 {
				s.WriteByte('\n')
			}
			s.WriteString("- " + it)
		}
		return s.String()
	case BlockTable:
		return strings.Join(b.Items, "\n")
	}
	return b.Text
}

// Parsed is a document's extracted structure.
type Parsed struct {
	Name   string  `json:"name"`
	Format Format  `json:"format"`
	Title  string  `json:"title"`
	Blocks []Block `json:"blocks"`
}

// Text is the document's plain text, blocks separated by blank lines.
func (p *Parsed) Text() string {
	parts := make([]string, 0, len(p.Blocks))
	for _, b := range p.Blocks {
		parts = append(parts, b.text())
	}
	return strings.Join(parts, "\n\n")
}

// Upload is a file read and understood: either a document or FAQ entries.
type Upload struct {
	Name     string
	Format   Format
	Size     int64
	Document *Parsed // documents
	FAQs     []FAQ   // FAQ sheets
}

// Read sniffs, limits and parses one uploaded file. Every failure is an
// *Error naming the file; nothing is returned half-read.
func Read(name string, data []byte, lim Limits) (*Upload, error) {
	lim = lim.withDefaults()
	base := filepath.Base(name)
	if int64(len(data)) > lim.MaxBytes {
		return nil, errorf(CodeFileTooLarge, base, "%d bytes, the limit is %d", len(data), lim.MaxBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errorf(CodeEmptyDocument, base, "the file is empty")
	}
	f, err := Detect(base, data)
	if err != nil {
		return nil, err
	}
	if !lim.allows(f) {
		return nil, errorf(CodeUnsupportedType, base, "%s files are not accepted here", f)
	}
	up := &Upload{Name: base, Format: f, Size: int64(len(data))}
	switch f {
	case FormatCSV:
		up.FAQs, err = readFAQCSV(base, data, lim.MaxFAQRows)
	case FormatXLSX:
		up.FAQs, err = readFAQXLSX(base, data, lim.MaxFAQRows)
	default:
		up.Document, err = parseDocument(base, f, data)
	}
	if err != nil {
		return nil, err
	}
	return up, nil
}

func parseDocument(name string, f Format, data []byte) (p *Parsed, err error) {
	// Third-party parsers meet hostile files here; a panic in one of them
	// must become a corrupt_file error, not take the appliance down.
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, errorf(CodeCorruptFile, name, "the %s file cannot be read", f)
		}
	}()
	switch f {
	case FormatMarkdown:
		p = parseMarkdown(decodeText(data))
	case FormatHTML:
		p, err = parseHTML(decodeText(data))
	case FormatText:
		p = parseText(decodeText(data))
	case FormatPDF:
		p, err = parsePDF(data)
	case FormatDOCX:
		p, err = parseDOCX(data)
	default:
		return nil, errorf(CodeUnsupportedType, name, "%s is not a document format", f)
	}
	if err != nil {
		return nil, wrapErr(CodeCorruptFile, name, err, "the %s file cannot be read", f)
	}
	p.Name, p.Format = name, f
	p.Blocks = dropEmpty(p.Blocks)
	if len(p.Blocks) == 0 || strings.TrimSpace(p.Text()) == "" {
		return nil, errorf(CodeEmptyDocument, name, "no text could be extracted")
	}
	if p.Title == "" {
		p.Title = defaultTitle(name, p.Blocks)
	}
	return p, nil
}

func dropEmpty(bs []Block) []Block {
	out := bs[:0]
	for _, b := range bs {
		b.Text = strings.TrimSpace(b.Text)
		var items []string
		for _, it := range b.Items {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		b.Items = items
		if b.Text != "" || len(b.Items) > 0 {
			out = append(out, b)
		}
	}
	return out
}

func defaultTitle(name string, bs []Block) string {
	for _, b := range bs {
		if b.Kind == BlockHeading {
			return b.Text
		}
	}
	return strings.TrimSuffix(name, filepath.Ext(name))
}

// Detect decides the format from the content, using the extension only to
// choose between text formats that look alike (Markdown, CSV, plain text).
func Detect(name string, data []byte) (Format, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return FormatPDF, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		switch zipKind(data) {
		case "docx":
			return FormatDOCX, nil
		case "xlsx":
			return FormatXLSX, nil
		}
		if ext == ".docx" || ext == ".xlsx" {
			return "", errorf(CodeCorruptFile, name, "the %s archive has no %s content", ext, strings.TrimPrefix(ext, "."))
		}
		return "", errorf(CodeUnsupportedType, name, "a zip archive that is neither DOCX nor XLSX")
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")):
		return "", errorf(CodeUnsupportedType, name, "legacy Office files (.doc, .xls) are not supported; save as .docx or .xlsx")
	}
	// Claimed binary formats whose content says otherwise are broken files.
	switch ext {
	case ".pdf", ".docx", ".xlsx":
		return "", errorf(CodeCorruptFile, name, "the content is not a valid %s file", strings.TrimPrefix(ext, "."))
	}
	ct := http.DetectContentType(data)
	if !strings.HasPrefix(ct, "text/") || bytes.IndexByte(data, 0) >= 0 {
		return "", errorf(CodeUnsupportedType, name, "content type %s is not supported", strings.SplitN(ct, ";", 2)[0])
	}
	switch {
	case ext == ".md" || ext == ".markdown":
		return FormatMarkdown, nil
	case ext == ".csv":
		return FormatCSV, nil
	case ext == ".html" || ext == ".htm" || strings.HasPrefix(ct, "text/html"):
		return FormatHTML, nil
	case ext == ".txt" || ext == "":
		return FormatText, nil
	}
	return "", errorf(CodeUnsupportedType, name, "extension %s is not supported", ext)
}

// decodeText returns UTF-8 text; files saved by Chinese Windows tools are
// often GB18030, and a BOM is dropped.
func decodeText(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(data) {
		return string(data)
	}
	if out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data); err == nil {
		return string(out)
	}
	return strings.ToValidUTF8(string(data), "\uFFFD")
}
