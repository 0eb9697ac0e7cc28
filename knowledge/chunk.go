package knowledge

import (
	"strings"
)

// ChunkOptions sizes chunks in characters (runes). Zero fields take the
// defaults: target 300, max 600, overlap 60.
type ChunkOptions struct {
	Target  int // a chunk is closed once it reaches this size
	Max     int // no chunk exceeds this, even a single long sentence
	Overlap int // the end of a paragraph chunk is repeated at the start of the next one
}

func (o ChunkOptions) withDefaults() ChunkOptions {
	if o.Target <= 0 {
		o.Target = 300
	}
	if o.Max <= 0 {
		o.Max = 2 * o.Target
	}
	if o.Max < o.Target {
		o.Max = o.Target
	}
	if o.Overlap < 0 || o.Overlap >= o.Target {
		o.Overlap = 0
	} else if o.Overlap == 0 {
		o.Overlap = o.Target / 5
	}
	return o
}

// Chunk is a retrievable piece of a document version.
type Chunk struct {
	ID          string   `json:"id"`
	DocumentID  string   `json:"document_id"`
	Version     int      `json:"version"`
	Ordinal     int      `json:"ordinal"`
	HeadingPath []string `json:"heading_path,omitempty"`
	Text        string   `json:"text"`
	Hash        string   `json:"hash"`
}

// unit is the smallest piece the chunker moves: a sentence, a list item or
// a table row. Units of one block stay together when they fit.
type unit struct {
	text   string
	kind   BlockKind
	header string // a table's header row, repeated when a table is split
	first  bool   // first unit of its block: joined to the previous with a newline
}

// Split cuts a parsed document into chunks that follow its structure:
// a heading always starts a new chunk and every chunk carries the path of
// headings above it; paragraphs split between sentences (。！？；), lists
// between items, tables between rows with the header row repeated; only a
// single sentence longer than Max is cut mid-sentence. Chunks that repeat
// an earlier chunk of the same document exactly are dropped.
func Split(p *Parsed, opt ChunkOptions) []Chunk {
	opt = opt.withDefaults()
	var out []Chunk
	var path []string
	var cur []unit
	size := 0
	seen := map[string]bool{}
	emit := func() {
		if len(cur) == 0 {
			return
		}
		text := renderUnits(cur)
		h := ContentHash(text)
		if !seen[h] && strings.TrimSpace(text) != "" {
			seen[h] = true
			out = append(out, Chunk{Ordinal: len(out), HeadingPath: trimEmpty(append([]string(nil), path...)), Text: text, Hash: h})
		}
		// Carry the last sentences of prose over as overlap; lists and
		// tables are self-contained enough without it.
		var carry []unit
		n := 0
		for i := len(cur) - 1; i >= 0; i-- {
			u := cur[i]
			l := RuneLen(u.text)
			if u.kind != BlockParagraph || n+l > opt.Overlap {
				break
			}
			n += l
			carry = append([]unit{u}, carry...)
		}
		if len(carry) > 0 {
			carry[0].first = true
			n += len(carry) - 1
		}
		cur, size = carry, n
	}
	// size counts runes plus one separator per joined unit, so a chunk
	// never renders longer than Max.
	joined := func(l int) int {
		if len(cur) == 0 {
			return l
		}
		return size + 1 + l
	}
	push := func(u unit) {
		size = joined(RuneLen(u.text))
		cur = append(cur, u)
	}
	add := func(u unit) {
		l := RuneLen(u.text)
		if len(cur) > 0 && joined(l) > opt.Target && size > overlapOnly(cur, opt) {
			emit()
			if joined(l) > opt.Max {
				cur, size = nil, 0 // the overlap does not fit beside this unit
			}
			if u.header != "" && !u.first && joined(RuneLen(u.header))+1+l <= opt.Max {
				push(unit{text: u.header, kind: BlockTable, first: true})
			}
		}
		if joined(l) > opt.Max {
			if size > overlapOnly(cur, opt) {
				emit()
			}
			cur, size = nil, 0
		}
		push(u)
	}
	for _, b := range p.Blocks {
		switch b.Kind {
		case BlockHeading:
			emit()
			cur, size = nil, 0 // no overlap across a heading
			level := max(b.Level, 1)
			if level-1 < len(path) {
				path = path[:level-1]
			}
			for len(path) < level-1 {
				path = append(path, "")
			}
			path = append(path, b.Text)
		case BlockList:
			for i, it := range b.Items {
				for _, piece := range hardSplit("- "+it, opt.Max) {
					add(unit{text: piece, kind: BlockList, first: i == 0})
				}
			}
		case BlockTable:
			header := ""
			if len(b.Items) > 1 {
				header = b.Items[0]
			}
			for i, row := range b.Items {
				h := header
				if i == 0 {
					h = ""
				}
				for _, piece := range hardSplit(row, opt.Max) {
					add(unit{text: piece, kind: BlockTable, header: h, first: i == 0})
				}
			}
		case BlockCode:
			for i, piece := range hardSplit(b.Text, opt.Max) {
				add(unit{text: piece, kind: BlockCode, first: i == 0})
			}
		default:
			for i, s := range Sentences(b.Text) {
				for j, piece := range hardSplit(s, opt.Max) {
					add(unit{text: piece, kind: BlockParagraph, first: i == 0 && j == 0})
				}
			}
		}
	}
	emit()
	for i := range out {
		out[i].Ordinal = i
	}
	return out
}

// overlapOnly is the size of the carried-over overlap at the head of cur,
// so a chunk holding nothing new is never emitted.
func overlapOnly(cur []unit, opt ChunkOptions) int {
	n := 0
	for i, u := range cur {
		if i > 0 && u.first {
			break
		}
		if u.kind != BlockParagraph {
			return 0
		}
		n += RuneLen(u.text)
	}
	if n > opt.Overlap {
		return 0
	}
	return n
}

func renderUnits(us []unit) string {
	var b strings.Builder
	for i, u := range us {
		if i > 0 {
			if u.first || u.kind != BlockParagraph {
				b.WriteByte('\n')
			} else if r, ok := lastRune(us[i-1].text); ok && !isCJK(r) && !strings.ContainsRune("。！？；：，、", r) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(u.text)
	}
	return b.String()
}

// hardSplit cuts s into pieces of at most n runes, preferring a comma.
func hardSplit(s string, n int) []string {
	rs := []rune(s)
	if len(rs) <= n {
		return []string{s}
	}
	var out []string
	for len(rs) > n {
		cut := n
		for i := n - 1; i > n/2; i-- {
			if strings.ContainsRune("，,、：: ", rs[i]) {
				cut = i + 1
				break
			}
		}
		out = append(out, string(rs[:cut]))
		rs = rs[cut:]
	}
	if len(rs) > 0 {
		out = append(out, string(rs))
	}
	return out
}

func trimEmpty(path []string) []string {
	out := path[:0]
	for _, p := range path {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
