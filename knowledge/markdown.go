package knowledge

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

var markdownParser = goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser()

func parseMarkdown(src string) *Parsed {
	source := []byte(src)
	doc := markdownParser.Parse(text.NewReader(source))
	p := &Parsed{}
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Heading:
				p.Blocks = append(p.Blocks, Block{Kind: BlockHeading, Level: c.Level, Text: inlineText(c, source)})
			case *ast.Paragraph, *ast.TextBlock:
				p.Blocks = append(p.Blocks, Block{Kind: BlockParagraph, Text: inlineText(c, source)})
			case *ast.List:
				b := Block{Kind: BlockList}
				for it := c.FirstChild(); it != nil; it = it.NextSibling() {
					b.Items = append(b.Items, strings.ReplaceAll(blockText(it, source), "\n", " "))
				}
				p.Blocks = append(p.Blocks, b)
			case *east.Table:
				b := Block{Kind: BlockTable}
				for row := c.FirstChild(); row != nil; row = row.NextSibling() {
					var cells []string
					for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
						cells = append(cells, strings.TrimSpace(inlineText(cell, source)))
					}
					b.Items = append(b.Items, strings.Join(cells, " | "))
				}
				p.Blocks = append(p.Blocks, b)
			case *ast.FencedCodeBlock, *ast.CodeBlock:
				var s strings.Builder
				lines := c.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					s.Write(seg.Value(source))
				}
				p.Blocks = append(p.Blocks, Block{Kind: BlockCode, Text: s.String()})
			case *ast.HTMLBlock, *ast.ThematicBreak:
			default: // block quotes and other containers: their children are blocks
				walk(c)
			}
		}
	}
	walk(doc)
	return p
}

// blockText flattens a container (a list item) into text.
func blockText(n ast.Node, source []byte) string {
	var parts []string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.(type) {
		case *ast.List:
			for it := c.FirstChild(); it != nil; it = it.NextSibling() {
				parts = append(parts, blockText(it, source))
			}
		default:
			parts = append(parts, inlineText(c, source))
		}
	}
	return strings.Join(parts, " ")
}

// inlineText collects the text of inline content, dropping markup.
func inlineText(n ast.Node, source []byte) string {
	var s strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			s.Write(c.Segment.Value(source))
			if c.SoftLineBreak() || c.HardLineBreak() {
				s.WriteByte('\n')
			}
		case *ast.String:
			s.Write(c.Value)
		case *ast.AutoLink:
			s.Write(c.Label(source))
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return joinLines(s.String())
}

// joinLines undoes hard wrapping: Chinese lines join without a space,
// other lines with one.
func joinLines(s string) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			prev, _ := lastRune(b.String())
			first := []rune(l)[0]
			if !(isCJK(prev) || isCJK(first) || strings.ContainsRune("，。！？；：、", prev)) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

func lastRune(s string) (rune, bool) {
	rs := []rune(s)
	if len(rs) == 0 {
		return 0, false
	}
	return rs[len(rs)-1], true
}
