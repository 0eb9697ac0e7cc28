package knowledge

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every document format yields the same structure for the same policy:
// headings with their path, the list, the table rows, and no script text.
func TestReadDocumentFormats(t *testing.T) {
	for _, tc := range []struct {
		file   string
		format Format
		table  string // how a table row reads after extraction
	}{
		{"returns.md", FormatMarkdown, "无理由退货 | 买家承担"},
		{"returns.html", FormatHTML, "无理由退货 | 买家承担"},
		{"returns.docx", FormatDOCX, "无理由退货 | 买家承担"},
		{"returns.pdf", FormatPDF, "无理由退货 买家承担"}, // PDFs keep no table structure
	} {
		t.Run(tc.file, func(t *testing.T) {
			up, err := Read(tc.file, readTestdata(t, tc.file), Limits{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if up.Format != tc.format {
				t.Fatalf("format: got %s, want %s", up.Format, tc.format)
			}
			d := up.Document
			if d.Title != "退换货政策" {
				t.Errorf("title: got %q, want 退换货政策", d.Title)
			}
			text := d.Text()
			for _, want := range []string{"七天无理由退货", "已拆封的奶粉、辅食等食品", tc.table, "银行卡 1-5 个工作日到账"} {
				if !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(want, " ", "")) {
					t.Errorf("text lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "不应出现") || strings.Contains(text, "font-family") {
				t.Errorf("script or style text leaked into the document:\n%s", text)
			}
			var list *Block
			for i := range d.Blocks {
				if d.Blocks[i].Kind == BlockList {
					list = &d.Blocks[i]
				}
			}
			if list == nil || len(list.Items) != 3 {
				t.Fatalf("list: got %+v, want 3 items", list)
			}
			chunks := Split(d, ChunkOptions{Target: 200})
			var refund *Chunk
			for i := range chunks {
				if strings.Contains(chunks[i].Text, "原路") || strings.Contains(chunks[i].Text, "工作日内发起退款") {
					refund = &chunks[i]
				}
			}
			if refund == nil {
				t.Fatalf("no chunk holds the refund paragraph: %+v", chunks)
			}
			if got := strings.Join(refund.HeadingPath, " > "); got != "退换货政策 > 退款时效" {
				t.Errorf("heading path: got %q, want 退换货政策 > 退款时效", got)
			}
		})
	}
}

func TestReadPlainTextHeadings(t *testing.T) {
	up, err := Read("returns.txt", readTestdata(t, "returns.txt"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	chunks := Split(up.Document, ChunkOptions{})
	last := chunks[len(chunks)-1]
	if got := strings.Join(last.HeadingPath, " > "); got != "退换货政策 > 二、退款时效" {
		t.Errorf("heading path: got %q, want 退换货政策 > 二、退款时效", got)
	}
}

func TestReadFAQSheets(t *testing.T) {
	for _, file := range []string{"faq.csv", "faq.xlsx"} {
		up, err := Read(file, readTestdata(t, file), Limits{})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(up.FAQs) != 3 {
			t.Fatalf("%s: got %d entries, want 3", file, len(up.FAQs))
		}
		f := up.FAQs[1]
		if f.Question != "退款多久到账？" || strings.Join(f.Similar, "/") != "钱什么时候退回来/退款几天到" {
			t.Errorf("%s: got %+v", file, f)
		}
		if got := strings.Join(up.FAQs[2].Tags, "/"); got != "商品/雨靴" {
			t.Errorf("%s tags: got %q, want 商品/雨靴", file, got)
		}
		if f.ID != FAQID("退款多久到账？") {
			t.Errorf("%s: id %q is not derived from the question", file, f.ID)
		}
	}
}

func TestReadGB18030CSV(t *testing.T) {
	src := "id,question,answer\nq1,发票怎么开？,订单完成后在订单页申请。\n"
	gbk, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	up, err := Read("faq.csv", gbk, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if up.FAQs[0].Question != "发票怎么开？" {
		t.Errorf("got %q, want 发票怎么开？", up.FAQs[0].Question)
	}
}

func TestReadRejects(t *testing.T) {
	pdf := readTestdata(t, "returns.pdf")
	docx := readTestdata(t, "returns.docx")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
	for _, tc := range []struct {
		name string
		data []byte
		lim  Limits
		code string
	}{
		{"empty.md", []byte("  \n"), Limits{}, CodeEmptyDocument},
		{"big.md", bytes.Repeat([]byte("退货"), 100), Limits{MaxBytes: 100}, CodeFileTooLarge},
		{"photo.md", png, Limits{}, CodeUnsupportedType},
		{"legacy.doc", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), Limits{}, CodeUnsupportedType},
		{"fake.pdf", []byte("这不是 PDF"), Limits{}, CodeCorruptFile},
		{"truncated.pdf", pdf[:len(pdf)/3], Limits{}, CodeCorruptFile},
		{"truncated.docx", docx[:len(docx)/2], Limits{}, CodeCorruptFile},
		{"headings-only.md", []byte("#\n\n---\n"), Limits{}, CodeEmptyDocument},
		{"no-answer.csv", []byte("问题,标签\n运费?,物流\n"), Limits{}, CodeInvalidSheet},
		{"blank-answer.csv", []byte("问题,答案\n运费?,\n"), Limits{}, CodeInvalidSheet},
		{"repeated.csv", []byte("问题,答案\n运费怎么算?,8元\n运费怎么算？,9元\n"), Limits{}, CodeDuplicate},
		{"rows.csv", []byte("问题,答案\na,1\nb,2\nc,3\n"), Limits{MaxFAQRows: 2}, CodeFileTooLarge},
		{"page.md", []byte("# 标题\n正文"), Limits{Formats: []Format{FormatPDF}}, CodeUnsupportedType},
		{"binary.txt", []byte("abc\x00def"), Limits{}, CodeUnsupportedType},
	} {
		_, err := Read(tc.name, tc.data, tc.lim)
		if got := ErrorCode(err); got != tc.code {
			t.Errorf("%s: got code %q (%v), want %q", tc.name, got, err, tc.code)
			continue
		}
		if !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: error %q does not name the file", tc.name, err)
		}
	}
}

// Content decides the format: a PDF uploaded as .txt is still a PDF.
func TestDetectSniffsContent(t *testing.T) {
	f, err := Detect("notes.txt", readTestdata(t, "returns.pdf"))
	if err != nil || f != FormatPDF {
		t.Errorf("got %s, %v; want pdf", f, err)
	}
	f, err = Detect("sheet.bin", readTestdata(t, "faq.xlsx"))
	if err != nil || f != FormatXLSX {
		t.Errorf("got %s, %v; want xlsx", f, err)
	}
}

func FuzzRead(f *testing.F) {
	for _, n := range []string{"returns.md", "returns.html", "faq.csv"} {
		b, _ := os.ReadFile("testdata/" + n)
		f.Add(n, b)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		up, err := Read(name, data, Limits{MaxBytes: 1 << 16})
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if up.Document != nil {
			for _, c := range Split(up.Document, ChunkOptions{Target: 50}) {
				if RuneLen(c.Text) > 100+RuneLen(strings.Join(c.HeadingPath, "")) {
					t.Fatalf("chunk of %d runes exceeds max", RuneLen(c.Text))
				}
			}
		}
	})
}
