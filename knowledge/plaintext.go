package knowledge

import (
	"regexp"
	"strings"
)

// headingLine recognises the numbering Chinese policy texts use for their
// headings: 第一章, 第3条, 一、, （二）, 1. 短标题.
var headingLine = regexp.MustCompile(`^(第[一二三四五六七八九十百零〇0-9]+[章节条部分篇]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|[0-9]+(\.[0-9]+)*[.、 ])\s*\S`)

var blankLine = regexp.MustCompile(`\n\s*\n`)

// parseText splits plain text into paragraphs at blank lines; a short line
// numbered like a heading becomes a heading.
func parseText(src string) *Parsed {
	p := &Parsed{}
	src = strings.ReplaceAll(src, "\r\n", "\n")
	paras := blankLine.Split(strings.TrimSpace(src), -1)
	// A short first paragraph without sentence punctuation is the title.
	if len(paras) > 1 && !strings.Contains(paras[0], "\n") && RuneLen(paras[0]) <= 40 &&
		!strings.ContainsAny(paras[0], "。！？；;.!?，,") {
		p.Title = strings.TrimSpace(paras[0])
		p.Blocks = append(p.Blocks, Block{Kind: BlockHeading, Level: 1, Text: p.Title})
		paras = paras[1:]
	}
	for _, para := range paras {
		lines := strings.Split(strings.TrimSpace(para), "\n")
		var body []string
		for _, l := range lines {
			l = strings.TrimSpace(l)
			if l == "" {
				continue
			}
			if RuneLen(l) <= 30 && headingLine.MatchString(l) && !strings.ContainsAny(l, "。；;") {
				if len(body) > 0 {
					p.Blocks = append(p.Blocks, Block{Kind: BlockParagraph, Text: joinLines(strings.Join(body, "\n"))})
					body = nil
				}
				level := 2
				if strings.HasPrefix(l, "第") && strings.ContainsAny(l, "章篇") {
					level = 1
				}
				p.Blocks = append(p.Blocks, Block{Kind: BlockHeading, Level: level, Text: l})
				continue
			}
			body = append(body, l)
		}
		if len(body) > 0 {
			p.Blocks = append(p.Blocks, Block{Kind: BlockParagraph, Text: joinLines(strings.Join(body, "\n"))})
		}
	}
	return p
}
