package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/knowledge"
)

// KnowledgeService is the editors' side of the knowledge base the console
// drives; *knowledge.Service satisfies it.
type KnowledgeService interface {
	Upload(ctx context.Context, req knowledge.UploadRequest) (*knowledge.UploadResult, error)
	ReviseDocument(ctx context.Context, id string, expectVersion int, req knowledge.UploadRequest) (*knowledge.Item, error)
	SaveFAQ(ctx context.Context, f knowledge.FAQ, expectVersion int, actor, note string) (*knowledge.Item, error)
	Transition(ctx context.Context, id string, a knowledge.Action, actor, note string) (*knowledge.Item, error)
	Repository() knowledge.Repository
}

// knowledgeRoutes are the editors' API: list and search, read versions
// and chunks, upload, edit, the workflow, and "try it".
func (s *Server) knowledgeRoutes() []route {
	edit := need(permKnowledgeEdit)
	return []route{
		{"GET", "/api/v1/knowledge/items", edit, s.listKnowledge},
		{"POST", "/api/v1/knowledge/uploads", edit, s.uploadKnowledge},
		{"POST", "/api/v1/knowledge/faqs", edit, s.createFAQ},
		{"GET", "/api/v1/knowledge/items/:id", edit, s.getKnowledgeItem},
		{"PUT", "/api/v1/knowledge/items/:id", edit, s.editKnowledgeItem},
		{"POST", "/api/v1/knowledge/items/:id/file", edit, s.reviseKnowledgeFile},
		{"GET", "/api/v1/knowledge/items/:id/versions/:n", edit, s.getKnowledgeVersion},
		{"POST", "/api/v1/knowledge/items/:id/transitions", edit, s.transitionKnowledge},
		{"POST", "/api/v1/knowledge/try", edit, s.tryKnowledge},
	}
}

// uploadRoutes take a file: their bodies may be as large as the upload
// limit allows, plus room for the multipart framing and form fields.
var uploadRoutes = map[string]bool{"/api/v1/knowledge/uploads": true, "/api/v1/knowledge/items/:id/file": true}

const multipartSlack = 1 << 20

// bodyLimit is the largest body a route accepts.
func (s *Server) bodyLimit(route string) int64 {
	if uploadRoutes[route] && s.MaxUploadBytes > 0 {
		return s.MaxUploadBytes + multipartSlack
	}
	return s.MaxBodyBytes
}

// knowledgeError turns the knowledge package's errors into the appliance's
// vocabulary; the message names the file when there is one.
func knowledgeError(err error) error {
	var ke *knowledge.Error
	if !errors.As(err, &ke) {
		return err
	}
	msg := ke.Message
	if ke.File != "" {
		msg = ke.File + ": " + msg
	}
	return &appliance.Error{Kind: ke.Kind(), Code: ke.Code, Message: msg, Err: err}
}

func (s *Server) knowledgeReady(c *gin.Context) bool {
	if s.Knowledge == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "knowledge_unavailable", "the knowledge base is not configured"))
		return false
	}
	return true
}

// itemView is an item with the workflow steps it can take now.
type itemView struct {
	knowledge.Item
	Actions []knowledge.Action `json:"actions"`
}

func viewOf(it knowledge.Item) itemView {
	acts := knowledge.AllowedActions(it)
	if acts == nil {
		acts = []knowledge.Action{}
	}
	if it.Tags == nil {
		it.Tags = []string{}
	}
	return itemView{Item: it, Actions: acts}
}

func (s *Server) listKnowledge(c *gin.Context) {
	if !s.knowledgeReady(c) {
		return
	}
	limit, err := queryInt(c, "limit", 50)
	if err != nil {
		s.fail(c, err)
		return
	}
	offset, err := queryInt(c, "offset", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := knowledge.ItemFilter{Kind: knowledge.ItemKind(c.Query("kind")), Status: knowledge.Status(c.Query("status")),
		Query: strings.TrimSpace(c.Query("q")), Tag: strings.TrimSpace(c.Query("tag")), Limit: int(min(max(limit, 1), 200)), Offset: int(offset)}
	switch f.Kind {
	case "", knowledge.KindDocument, knowledge.KindFAQ:
	default:
		s.fail(c, invalid("invalid_kind", "kind must be document or faq"))
		return
	}
	switch f.Status {
	case "", knowledge.StatusDraft, knowledge.StatusReview, knowledge.StatusPublished, knowledge.StatusUnpublished:
	default:
		s.fail(c, invalid("invalid_status", "status must be draft, review, published or unpublished"))
		return
	}
	items, total, err := s.Knowledge.Repository().Items(c.Request.Context(), f)
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	out := make([]itemView, len(items))
	for i, it := range items {
		out[i] = viewOf(it)
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "total": total})
}

// versionSummary is a version without its text and chunks, for lists.
func versionSummary(v knowledge.Version) knowledge.Version {
	v.Text, v.Chunks, v.Sketch = "", nil, nil
	return v
}

func (s *Server) getKnowledgeItem(c *gin.Context) {
	if !s.knowledgeReady(c) {
		return
	}
	ctx, id := c.Request.Context(), c.Param("id")
	repo := s.Knowledge.Repository()
	it, err := repo.Item(ctx, id)
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	vs, err := repo.Versions(ctx, id)
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	for i := range vs {
		vs[i] = versionSummary(vs[i])
	}
	hist, err := repo.History(ctx, id)
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"item": viewOf(*it), "versions": vs, "history": hist})
}

func (s *Server) getKnowledgeVersion(c *gin.Context) {
	if !s.knowledgeReady(c) {
		return
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		s.fail(c, invalid("invalid_version", "the version must be a positive integer"))
		return
	}
	v, err := s.Knowledge.Repository().Version(c.Request.Context(), c.Param("id"), n)
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	v.Sketch = nil
	if v.Chunks == nil {
		v.Chunks = []knowledge.Chunk{}
	}
	c.JSON(http.StatusOK, gin.H{"version": v})
}

// faqRequest creates or edits an FAQ entry.
type faqRequest struct {
	ID            string   `json:"id"`
	ExpectVersion int      `json:"expect_version"`
	Question      string   `json:"question"`
	Similar       []string `json:"similar"`
	Answer        string   `json:"answer"`
	Tags          []string `json:"tags"`
	Channels      []string `json:"channels"`
	Segments      []string `json:"segments"`
	Lang          string   `json:"lang"`
	Note          string   `json:"note"`
}

func (r *faqRequest) faq(id string) knowledge.FAQ {
	return knowledge.FAQ{ID: id, Question: r.Question, Similar: cleanList(r.Similar), Answer: r.Answer,
		Tags: cleanList(r.Tags), Channels: cleanList(r.Channels), Segments: cleanList(r.Segments), Lang: strings.TrimSpace(r.Lang)}
}

// cleanList trims entries and drops empty ones and repeats.
func cleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

const maxFAQRunes = 4000

func checkFAQ(r *faqRequest) error {
	if len([]rune(r.Question)) > 500 || len([]rune(r.Answer)) > maxFAQRunes {
		return invalid("field_too_long", "the question may have 500 characters and the answer %d", maxFAQRunes)
	}
	if len(r.ID) > 128 {
		return invalid("invalid_id", "the id may have at most 128 characters")
	}
	return nil
}

func (s *Server) createFAQ(c *gin.Context) {
	if !s.knowledgeReady(c) {
		return
	}
	var req faqRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := checkFAQ(&req); err != nil {
		s.fail(c, err)
		return
	}
	me := currentUser(c)
	it, err := s.Knowledge.SaveFAQ(c.Request.Context(), req.faq(strings.TrimSpace(req.ID)), 0, me.Username, req.Note)
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	s.audit(c, me, "knowledge.create", "knowledge_item", it.ID, map[string]any{"kind": it.Kind, "version": it.Version, "title": it.Title})
	c.JSON(http.StatusCreated, gin.H{"item": viewOf(*it)})
}

// editRequest edits an item: FAQ fields for an FAQ entry, title and
// Markdown text for a document.
type editRequest struct {
	faqRequest
	Title string `json:"title"`
	Text  string `json:"text"`
}

func (s *Server) editKnowledgeItem(c *gin.Context) {
	if !s.knowledgeReady(c) {
		return
	}
	var req editRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.ExpectVersion < 1 {
		s.fail(c, invalid("missing_expect_version", "expect_version (the version you edited) is required"))
		return
	}
	ctx, id, me := c.Request.Context(), c.Param("id"), currentUser(c)
	it, err := s.Knowledge.Repository().Item(ctx, id)
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	if it.Kind == knowledge.KindFAQ {
		if err := checkFAQ(&req.faqRequest); err != nil {
			s.fail(c, err)
			return
		}
		it, err = s.Knowledge.SaveFAQ(ctx, req.faq(id), req.ExpectVersion, me.Username, req.Note)
	} else {
		if strings.TrimSpace(req.Text) == "" {
			s.fail(c, invalid("empty_document", "the document text is empty"))
			return
		}
		it, err = s.Knowledge.ReviseDocument(ctx, id, req.ExpectVersion, knowledge.UploadRequest{Name: id + ".md", Data: []byte(req.Text),
			Meta: knowledge.Meta{Title: strings.TrimSpace(req.Title), Tags: cleanList(req.Tags), Channels: cleanList(req.Channels),
				Segments: cleanList(req.Segments), Lang: strings.TrimSpace(req.Lang)}, Actor: me.Username, Note: req.Note})
	}
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	s.audit(c, me, "knowledge.edit", "knowledge_item", id, map[string]any{"kind": it.Kind, "version": it.Version, "title": it.Title, "note": req.Note})
	c.JSON(http.StatusOK, gin.H{"item": viewOf(*it)})
}

type workflowRequest struct {
	Action knowledge.Action `json:"action"`
	Note   string           `json:"note"`
}

func (s *Server) transitionKnowledge(c *gin.Context) {
	if !s.knowledgeReady(c) {
		return
	}
	var req workflowRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	switch req.Action {
	case knowledge.ActionSubmit, knowledge.ActionReject, knowledge.ActionPublish, knowledge.ActionUnpublish:
	default:
		s.fail(c, invalid("invalid_action", "action must be submit, reject, publish or unpublish"))
		return
	}
	ctx, id, me := c.Request.Context(), c.Param("id"), currentUser(c)
	before, err := s.Knowledge.Repository().Item(ctx, id)
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	it, err := s.Knowledge.Transition(ctx, id, req.Action, me.Username, req.Note)
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	s.audit(c, me, "knowledge."+string(req.Action), "knowledge_item", id, map[string]any{"from": before.Status, "to": it.Status,
		"version": it.Version, "published_version": it.PublishedVersion, "note": req.Note})
	c.JSON(http.StatusOK, gin.H{"item": viewOf(*it)})
}

type tryRequest struct {
	Text    string   `json:"text"`
	Channel string   `json:"channel"`
	Segment string   `json:"segment"`
	Tags    []string `json:"tags"`
	Lang    string   `json:"lang"`
}

// tryKnowledge shows what the bot would answer from the knowledge base to
// a question right now: the answer, the passages behind it with their
// scores, and the reply a customer would read.
func (s *Server) tryKnowledge(c *gin.Context) {
	if !s.knowledgeReady(c) {
		return
	}
	if s.KnowledgeAnswerer == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "knowledge_unavailable", "the knowledge base is not configured"))
		return
	}
	var req tryRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		s.fail(c, invalid("empty_text", "write a question to try"))
		return
	}
	if n := s.MaxTextRunes; n > 0 && len([]rune(text)) > n {
		s.fail(c, invalid("text_too_long", "the question is longer than %d characters", n))
		return
	}
	lang := req.Lang
	if lang == "" {
		lang = appliance.DetectLang(text)
	}
	start := time.Now()
	ans, err := s.KnowledgeAnswerer.Answer(c.Request.Context(), knowledge.Query{Text: text, Lang: req.Lang, Channel: req.Channel,
		Segment: req.Segment, Tags: cleanList(req.Tags)})
	if err != nil {
		s.fail(c, knowledgeError(err))
		return
	}
	reply := ans.Text
	if ans.Kind == knowledge.AnswerNone || strings.TrimSpace(reply) == "" {
		reply = appliance.NewTexts(nil).Get("dont_know", lang)
	}
	if ans.Passages == nil {
		ans.Passages = []knowledge.Passage{}
	}
	c.JSON(http.StatusOK, gin.H{"answer": ans, "reply": reply, "latency_ms": float64(time.Since(start).Microseconds()) / 1000})
}
