package knowledge

import (
	"bytes"
	"crypto/sha1"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

// FAQ is one curated question and its approved answer.
type FAQ struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Similar  []string `json:"similar,omitempty"`
	Answer   string   `json:"answer"`
	Tags     []string `json:"tags,omitempty"`
	Channels []string `json:"channels,omitempty"` // empty: every channel
	Segments []string `json:"segments,omitempty"` // empty: every customer segment
	Lang     string   `json:"lang,omitempty"`
}

// Phrasings returns the question and its similar questions.
func (f FAQ) Phrasings() []string { return append([]string{f.Question}, f.Similar...) }

// FAQID derives a stable id from a question, for sheets without an id column.
func FAQID(question string) string {
	h := sha1.Sum([]byte(compact(question)))
	return "faq-" + hex.EncodeToString(h[:6])
}

// sheetColumns maps the header spellings editors use to our fields.
var sheetColumns = map[string]string{
	"id": "id", "编号": "id", "序号id": "id",
	"question": "question", "问题": "question", "标准问题": "question", "标准问": "question",
	"similar": "similar", "similar questions": "similar", "similar_questions": "similar", "similarquestions": "similar",
	"相似问题": "similar", "相似问法": "similar", "相似问": "similar",
	"answer": "answer", "答案": "answer", "回答": "answer", "标准答案": "answer",
	"tags": "tags", "tag": "tags", "标签": "tags", "分类": "tags",
	"channels": "channels", "channel": "channels", "渠道": "channels",
	"segments": "segments", "segment": "segments", "客户分群": "segments", "客群": "segments",
	"lang": "lang", "language": "lang", "语言": "lang",
}

var (
	similarSep = regexp.MustCompile(`[|｜\n；;]+`)
	tagSep     = regexp.MustCompile(`[|｜\n；;,，、]+`)
)

func splitBy(re *regexp.Regexp, s string) []string {
	var out []string
	for _, p := range re.Split(s, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// faqRows turns a sheet's rows (header first) into entries, checking each
// row; row numbers in errors are the ones a spreadsheet shows.
func faqRows(name string, rows [][]string, maxRows int) ([]FAQ, error) {
	for len(rows) > 0 && emptyRow(rows[0]) {
		rows = rows[1:]
	}
	if len(rows) == 0 {
		return nil, errorf(CodeEmptyDocument, name, "the sheet is empty")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		key := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if f, ok := sheetColumns[key]; ok {
			if _, dup := col[f]; !dup {
				col[f] = i
			}
		}
	}
	for _, need := range []string{"question", "answer"} {
		if _, ok := col[need]; !ok {
			return nil, errorf(CodeInvalidSheet, name, "the header has no %s column (问题/答案)", need)
		}
	}
	if len(rows)-1 > maxRows {
		return nil, errorf(CodeFileTooLarge, name, "%d rows, the limit is %d", len(rows)-1, maxRows)
	}
	get := func(rec []string, field string) string {
		i, ok := col[field]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var out []FAQ
	ids := map[string]int{}
	questions := map[string]int{}
	for n, rec := range rows[1:] {
		line := n + 2
		if emptyRow(rec) {
			continue
		}
		f := FAQ{ID: get(rec, "id"), Question: get(rec, "question"), Answer: get(rec, "answer"),
			Similar: splitBy(similarSep, get(rec, "similar")), Tags: splitBy(tagSep, get(rec, "tags")),
			Channels: splitBy(tagSep, get(rec, "channels")), Segments: splitBy(tagSep, get(rec, "segments")),
			Lang: get(rec, "lang")}
		if f.Question == "" || f.Answer == "" {
			return nil, errorf(CodeInvalidSheet, name, "row %d: question and answer are required", line)
		}
		q := compact(f.Question)
		if prev, dup := questions[q]; dup {
			return nil, errorf(CodeDuplicate, name, "row %d: the question repeats row %d", line, prev)
		}
		if f.ID == "" {
			f.ID = FAQID(f.Question)
		}
		if prev, dup := ids[f.ID]; dup {
			return nil, errorf(CodeInvalidSheet, name, "row %d: id %s is already used in row %d", line, f.ID, prev)
		}
		ids[f.ID], questions[q] = line, line
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, errorf(CodeEmptyDocument, name, "the sheet has a header but no entries")
	}
	return out, nil
}

func emptyRow(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func readFAQCSV(name string, data []byte, maxRows int) ([]FAQ, error) {
	cr := csv.NewReader(strings.NewReader(decodeText(data)))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, wrapErr(CodeCorruptFile, name, err, "the CSV cannot be read")
		}
		rows = append(rows, rec)
		if len(rows) > maxRows+1 {
			return nil, errorf(CodeFileTooLarge, name, "more than %d rows", maxRows)
		}
	}
	return faqRows(name, rows, maxRows)
}

func readFAQXLSX(name string, data []byte, maxRows int) (out []FAQ, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, errorf(CodeCorruptFile, name, "the workbook cannot be read")
		}
	}()
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, wrapErr(CodeCorruptFile, name, err, "the workbook cannot be read")
	}
	defer wb.Close()
	var firstErr error
	for _, sheet := range wb.GetSheetList() {
		rows, err := wb.GetRows(sheet)
		if err != nil {
			return nil, wrapErr(CodeCorruptFile, name, err, "sheet %s cannot be read", sheet)
		}
		if emptySheet(rows) {
			continue
		}
		faqs, err := faqRows(fmt.Sprintf("%s[%s]", name, sheet), rows, maxRows)
		if err == nil {
			return faqs, nil
		}
		if ErrorCode(err) != CodeInvalidSheet || firstErr != nil {
			return nil, err
		}
		firstErr = err // a cover sheet without the header: try the next sheet
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, errorf(CodeEmptyDocument, name, "the workbook has no rows")
}

func emptySheet(rows [][]string) bool {
	for _, r := range rows {
		if !emptyRow(r) {
			return false
		}
	}
	return true
}
