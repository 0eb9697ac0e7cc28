package knowledge

import (
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	got := Sentences("退货请在7天内申请。运费怎么算？满99元包邮！版本v1.2很好；“好的。”然后\n新的一行")
	want := []string{"退货请在7天内申请。", "运费怎么算？", "满99元包邮！", "版本v1.2很好；", "“好的。”", "然后", "新的一行"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSplitRespectsSentencesAndOverlap(t *testing.T) {
	var para []string
	for i := 0; i < 12; i++ {
		para = append(para, "这是第"+string(rune('一'+i))+"句关于退款到账时间的说明文字。")
	}
	p := &Parsed{Blocks: []Block{{Kind: BlockHeading, Level: 1, Text: "退款"}, {Kind: BlockParagraph, Text: strings.Join(para, "")}}}
	chunks := Split(p, ChunkOptions{Target: 60, Overlap: 20})
	if len(chunks) < 3 {
		t.Fatalf("got %d chunks, want several", len(chunks))
	}
	for i, c := range chunks {
		if !strings.HasSuffix(c.Text, "。") {
			t.Errorf("chunk %d does not end at a sentence: %q", i, c.Text)
		}
		if RuneLen(c.Text) > 120 {
			t.Errorf("chunk %d has %d runes, want at most 120", i, RuneLen(c.Text))
		}
		if i > 0 {
			prev := Sentences(chunks[i-1].Text)
			if !strings.HasPrefix(c.Text, prev[len(prev)-1]) {
				t.Errorf("chunk %d does not start with the overlap %q: %q", i, prev[len(prev)-1], c.Text)
			}
		}
		if c.Ordinal != i || c.Hash != ContentHash(c.Text) {
			t.Errorf("chunk %d: ordinal %d, hash %s", i, c.Ordinal, c.Hash)
		}
	}
}

func TestSplitTableRepeatsHeader(t *testing.T) {
	rows := []string{"房型 | 价格 | 早餐"}
	for i := 0; i < 20; i++ {
		rows = append(rows, "豪华大床房"+string(rune('A'+i))+" | 599 元 | 含双早")
	}
	p := &Parsed{Blocks: []Block{{Kind: BlockHeading, Level: 2, Text: "房价表"}, {Kind: BlockTable, Items: rows}}}
	chunks := Split(p, ChunkOptions{Target: 100})
	if len(chunks) < 2 {
		t.Fatalf("got %d chunks, want the table split", len(chunks))
	}
	for i, c := range chunks {
		if !strings.HasPrefix(c.Text, "房型 | 价格 | 早餐\n") {
			t.Errorf("chunk %d lacks the header row: %q", i, c.Text)
		}
		if strings.Join(c.HeadingPath, ">") != "房价表" {
			t.Errorf("chunk %d path %v", i, c.HeadingPath)
		}
	}
}

func TestSplitHardCutsOverlongSentence(t *testing.T) {
	long := strings.Repeat("很长的句子没有标点", 40)
	p := &Parsed{Blocks: []Block{{Kind: BlockParagraph, Text: long}}}
	chunks := Split(p, ChunkOptions{Target: 50, Max: 80})
	total := 0
	for _, c := range chunks {
		if RuneLen(c.Text) > 80 {
			t.Errorf("chunk has %d runes, want ≤ 80", RuneLen(c.Text))
		}
		total += RuneLen(c.Text)
	}
	if total < RuneLen(long) {
		t.Errorf("chunks hold %d runes, want all %d", total, RuneLen(long))
	}
}

func TestDuplicates(t *testing.T) {
	a := "退货政策：商品签收后7天内可以申请无理由退货，运费由买家承担。仓库收货后1-3个工作日退款。"
	b := "退货政策：商品签收后 7 天内可以申请无理由退货，运费由买家承担。\n仓库收货后 1-3 个工作日退款！"
	c := "退货政策：商品签收后7天内可以申请无理由退货，运费由买家承担。仓库收货后1-5个工作日退款。"
	d := "酒店入住时间为下午两点以后，退房时间为次日中午十二点以前。"
	if ContentHash(a) != ContentHash(b) {
		t.Errorf("spacing and punctuation changed the hash")
	}
	existing := []Fingerprint{NewFingerprint("b", 1, b), NewFingerprint("d", 1, d)}
	dups := FindDuplicates(NewFingerprint("a", 1, a), existing)
	if len(dups) != 1 || dups[0].ItemID != "b" || !dups[0].Exact {
		t.Errorf("exact: got %+v, want b exact", dups)
	}
	dups = FindDuplicates(NewFingerprint("c", 1, c), existing)
	if len(dups) != 1 || dups[0].ItemID != "b" || dups[0].Exact {
		t.Errorf("near: got %+v (similarity %.2f), want b near", dups, Similarity(Sketch(b), Sketch(c)))
	}
}
