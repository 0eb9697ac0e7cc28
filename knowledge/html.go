package knowledge

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func parseHTML(src string) (*Parsed, error) {
	root, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return nil, err
	}
	p := &Parsed{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				if t := strings.TrimSpace(c.Data); t != "" {
					// Loose text directly inside a container such as <div>.
					p.Blocks = append(p.Blocks, Block{Kind: BlockParagraph, Text: collapseSpace(t)})
				}
				continue
			}
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Nav, atom.Head:
				if c.DataAtom == atom.Head {
					if t := findTitle(c); t != "" {
						p.Title = t
					}
				}
			case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				p.Blocks = append(p.Blocks, Block{Kind: BlockHeading, Level: int(c.Data[1] - '0'), Text: nodeText(c)})
			case atom.P, atom.Blockquote, atom.Dd, atom.Dt, atom.Figcaption, atom.Caption:
				p.Blocks = append(p.Blocks, Block{Kind: BlockParagraph, Text: nodeText(c)})
			case atom.Pre:
				p.Blocks = append(p.Blocks, Block{Kind: BlockCode, Text: rawText(c)})
			case atom.Ul, atom.Ol:
				b := Block{Kind: BlockList}
				for li := c.FirstChild; li != nil; li = li.NextSibling {
					if li.Type == html.ElementNode && li.DataAtom == atom.Li {
						b.Items = append(b.Items, nodeText(li))
					}
				}
				p.Blocks = append(p.Blocks, b)
			case atom.Table:
				b := Block{Kind: BlockTable}
				eachRow(c, func(cells []string) { b.Items = append(b.Items, strings.Join(cells, " | ")) })
				p.Blocks = append(p.Blocks, b)
			default:
				walk(c)
			}
		}
	}
	walk(root)
	return p, nil
}

func findTitle(n *html.Node) string {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Title {
			return nodeText(c)
		}
	}
	return ""
}

func eachRow(n *html.Node, f func([]string)) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.DataAtom == atom.Tr {
			var cells []string
			for td := c.FirstChild; td != nil; td = td.NextSibling {
				if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
					cells = append(cells, nodeText(td))
				}
			}
			if len(cells) > 0 {
				f(cells)
			}
			continue
		}
		eachRow(c, f)
	}
}

// nodeText is the visible text of n with whitespace collapsed; <br> becomes
// a space so lines do not glue together.
func nodeText(n *html.Node) string {
	var s strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			s.WriteString(n.Data)
		case n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style):
			return
		case n.Type == html.ElementNode && n.DataAtom == atom.Br:
			s.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return collapseSpace(s.String())
}

func rawText(n *html.Node) string {
	var s strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			s.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return s.String()
}

func collapseSpace(s string) string {
	return joinLines(strings.Join(strings.Fields(s), "\n"))
}
