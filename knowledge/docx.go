package knowledge

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// zipKind tells a DOCX from an XLSX by the parts the archive holds.
func zipKind(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			return "docx"
		case "xl/workbook.xml":
			return "xlsx"
		}
	}
	return ""
}

// maxXMLPart bounds how much a single zip part may inflate to, so a zip
// bomb cannot exhaust memory.
const maxXMLPart = 64 << 20

func readZipPart(zr *zip.Reader, name string) ([]byte, error) {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxXMLPart+1))
		if err != nil {
			return nil, err
		}
		if len(b) > maxXMLPart {
			return nil, fmt.Errorf("%s inflates to more than %d bytes", name, maxXMLPart)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%s is missing", name)
}

// OOXML element names (namespace-less: the decoder keeps the local name).
type docxBody struct {
	Items []docxItem `xml:",any"`
}

type docxItem struct {
	XMLName xml.Name
	Inner   []byte `xml:",innerxml"`
}

type docxPara struct {
	Style docxVal   `xml:"pPr>pStyle"`
	Outln docxVal   `xml:"pPr>outlineLvl"`
	NumPr *struct{} `xml:"pPr>numPr"`
}

type docxVal struct {
	Val string `xml:"val,attr"`
}

var headingStyleName = regexp.MustCompile(`(?i)^(heading|标题)\s*([1-9])$`)

// parseDOCX reads word/document.xml: paragraphs with heading styles become
// headings (style names resolved through styles.xml, since Word stores ids
// like "1" in Chinese installations), numbered paragraphs become list
// items and tables keep their rows.
func parseDOCX(data []byte) (*Parsed, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	doc, err := readZipPart(zr, "word/document.xml")
	if err != nil {
		return nil, err
	}
	levels := docxHeadingStyles(zr)
	var d struct {
		Body docxBody `xml:"body"`
	}
	if err := xml.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("word/document.xml: %w", err)
	}
	if len(d.Body.Items) == 0 {
		return nil, errors.New("the document body is empty")
	}
	p := &Parsed{}
	var list *Block
	endList := func() {
		if list != nil {
			p.Blocks = append(p.Blocks, *list)
			list = nil
		}
	}
	for _, it := range d.Body.Items {
		switch it.XMLName.Local {
		case "p":
			var para docxPara
			if err := xml.Unmarshal(wrapXML("p", it.Inner), &para); err != nil {
				return nil, err
			}
			text := strings.TrimSpace(runText(it.Inner))
			if text == "" {
				continue
			}
			level := levels[para.Style.Val]
			if level == 0 && para.Outln.Val != "" {
				if n, err := strconv.Atoi(para.Outln.Val); err == nil && n < 9 {
					level = n + 1
				}
			}
			switch {
			case level > 0:
				endList()
				p.Blocks = append(p.Blocks, Block{Kind: BlockHeading, Level: level, Text: text})
			case para.NumPr != nil || strings.Contains(strings.ToLower(para.Style.Val), "list"):
				if list == nil {
					list = &Block{Kind: BlockList}
				}
				list.Items = append(list.Items, text)
			default:
				endList()
				p.Blocks = append(p.Blocks, Block{Kind: BlockParagraph, Text: text})
			}
		case "tbl":
			endList()
			rows, err := docxTable(it.Inner)
			if err != nil {
				return nil, err
			}
			p.Blocks = append(p.Blocks, Block{Kind: BlockTable, Items: rows})
		}
	}
	endList()
	return p, nil
}

func wrapXML(tag string, inner []byte) []byte {
	return append(append([]byte("<"+tag+">"), inner...), []byte("</"+tag+">")...)
}

// runText concatenates the text runs (w:t), tabs and breaks of a fragment.
func runText(fragment []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(wrapXML("x", fragment)))
	var s strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				s.WriteByte(' ')
			case "br", "cr":
				s.WriteByte('\n')
			case "pPr", "rPr", "instrText", "delText":
				_ = dec.Skip()
			}
		case xml.EndElement:
			if t.Name.Local == "t" {
				inText = false
			}
			if t.Name.Local == "p" {
				s.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				s.Write(t)
			}
		}
	}
	return joinLines(s.String())
}

func docxTable(inner []byte) ([]string, error) {
	var tbl struct {
		Rows []struct {
			Cells []struct {
				Inner []byte `xml:",innerxml"`
			} `xml:"tc"`
		} `xml:"tr"`
	}
	if err := xml.Unmarshal(wrapXML("tbl", inner), &tbl); err != nil {
		return nil, err
	}
	var rows []string
	for _, r := range tbl.Rows {
		var cells []string
		for _, c := range r.Cells {
			cells = append(cells, strings.TrimSpace(runText(c.Inner)))
		}
		rows = append(rows, strings.Join(cells, " | "))
	}
	return rows, nil
}

// docxHeadingStyles maps style ids to heading levels using styles.xml.
func docxHeadingStyles(zr *zip.Reader) map[string]int {
	out := map[string]int{}
	for i := 1; i <= 9; i++ { // ids Word and LibreOffice use without styles.xml
		out["Heading"+strconv.Itoa(i)] = i
	}
	out["Title"] = 1
	b, err := readZipPart(zr, "word/styles.xml")
	if err != nil {
		return out
	}
	var st struct {
		Styles []struct {
			ID   string  `xml:"styleId,attr"`
			Name docxVal `xml:"name"`
			Out  docxVal `xml:"pPr>outlineLvl"`
		} `xml:"style"`
	}
	if xml.Unmarshal(b, &st) != nil {
		return out
	}
	for _, s := range st.Styles {
		if m := headingStyleName.FindStringSubmatch(strings.TrimSpace(s.Name.Val)); m != nil {
			out[s.ID], _ = strconv.Atoi(m[2])
		} else if s.Out.Val != "" {
			if n, err := strconv.Atoi(s.Out.Val); err == nil && n < 9 {
				out[s.ID] = n + 1
			}
		}
	}
	return out
}
