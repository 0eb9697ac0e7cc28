package knowledge

import (
	"bytes"
	"errors"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/ledongthuc/pdf"
)

// pdfLine is one printed line of a page.
type pdfLine struct {
	y    float64
	size float64
	text string
}

// parsePDF extracts text line by line (PDFs have no paragraphs, only glyphs
// placed on a page), rebuilds paragraphs from sentence ends and vertical
// gaps, and takes lines set noticeably larger than the body as headings.
func parsePDF(data []byte) (*Parsed, error) {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	if r.NumPage() == 0 {
		return nil, errors.New("the PDF has no pages")
	}
	var lines []pdfLine
	var sizes []float64
	for i := 1; i <= r.NumPage(); i++ {
		page := r.Page(i)
		if page.V.IsNull() {
			continue
		}
		pl := pageLines(page.Content().Text)
		for _, l := range pl {
			sizes = append(sizes, l.size)
		}
		lines = append(lines, pl...)
		lines = append(lines, pdfLine{}) // a page break ends a paragraph
	}
	body := median(sizes)
	p := &Parsed{}
	var para []string
	var list *Block
	flush := func() {
		if list != nil {
			p.Blocks = append(p.Blocks, *list)
			list = nil
		}
		if len(para) > 0 {
			p.Blocks = append(p.Blocks, Block{Kind: BlockParagraph, Text: joinLines(strings.Join(para, "\n"))})
			para = nil
		}
	}
	prevY := math.NaN()
	for _, l := range lines {
		t := strings.TrimSpace(strings.ReplaceAll(l.text, "\uFFFD", ""))
		if t == "" {
			flush()
			prevY = math.NaN()
			continue
		}
		if body > 0 && l.size >= body*1.25 && RuneLen(t) <= 40 {
			flush()
			level := 2
			if l.size >= body*1.6 {
				level = 1
			}
			p.Blocks = append(p.Blocks, Block{Kind: BlockHeading, Level: level, Text: t})
			prevY = math.NaN()
			continue
		}
		if items := bulletItems(t); items != nil {
			if len(para) > 0 {
				p.Blocks = append(p.Blocks, Block{Kind: BlockParagraph, Text: joinLines(strings.Join(para, "\n"))})
				para = nil
			}
			if list == nil {
				list = &Block{Kind: BlockList}
			}
			list.Items = append(list.Items, items...)
			prevY = l.y
			continue
		}
		if list != nil {
			flush()
		}
		if !math.IsNaN(prevY) && prevY-l.y > l.size*1.9 {
			flush() // a blank line between paragraphs
		}
		para = append(para, t)
		if last, ok := lastRune(t); ok && strings.ContainsRune("。！？!?", last) && RuneLen(t) < 30 {
			flush() // a short line ending a sentence is a paragraph's last line
		}
		prevY = l.y
	}
	flush()
	return p, nil
}

// bulletItems splits a line that starts with a bullet glyph into list
// items. Word processors draw bullets with symbol-font glyphs that extract
// as private-use characters, so those count as bullets too.
func bulletItems(line string) []string {
	isBullet := func(r rune) bool {
		return strings.ContainsRune("•●▪■◆·", r) || unicode.In(r, unicode.Co)
	}
	rs := []rune(line)
	if len(rs) == 0 || !isBullet(rs[0]) {
		return nil
	}
	var items []string
	for _, f := range strings.FieldsFunc(line, isBullet) {
		if f = strings.TrimSpace(f); f != "" {
			items = append(items, f)
		}
	}
	return items
}

// pageLines groups glyphs by baseline into lines, top to bottom.
func pageLines(glyphs []pdf.Text) []pdfLine {
	type acc struct {
		y    float64
		size float64
		gs   []pdf.Text
	}
	var rows []*acc
	for _, g := range glyphs {
		var row *acc
		for _, r := range rows {
			if math.Abs(r.y-g.Y) < 2 {
				row = r
				break
			}
		}
		if row == nil {
			row = &acc{y: g.Y}
			rows = append(rows, row)
		}
		row.gs = append(row.gs, g)
		row.size = math.Max(row.size, g.FontSize)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].y > rows[j].y })
	out := make([]pdfLine, 0, len(rows))
	for _, r := range rows {
		sort.SliceStable(r.gs, func(i, j int) bool { return r.gs[i].X < r.gs[j].X })
		var s strings.Builder
		end := math.NaN()
		for _, g := range r.gs {
			// A gap wider than a third of the font size is a space.
			if !math.IsNaN(end) && g.X-end > g.FontSize/3 {
				s.WriteByte(' ')
			}
			s.WriteString(g.S)
			end = g.X + g.W
		}
		out = append(out, pdfLine{y: r.y, size: r.size, text: s.String()})
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
