package knowledge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// ServiceConfig assembles a service. Repository and Index are required.
type ServiceConfig struct {
	Repository Repository
	Index      Index
	Embedder   Embedder // nil: records get no dense vectors
	Limits     Limits
	Chunking   ChunkOptions
	Now        func() time.Time
	// NewID names new documents; default "doc-" plus 12 random hex digits.
	NewID  func() string
	Logger *slog.Logger
}

// Service is the editors' side of the knowledge base: upload → parse →
// chunk → version, the draft → review → published workflow, and keeping
// the index equal to what is published. It holds no state of its own, so
// any number of appliance nodes can share a repository.
type Service struct {
	repo     Repository
	index    Index
	embedder Embedder
	limits   Limits
	chunking ChunkOptions
	now      func() time.Time
	newID    func() string
	log      *slog.Logger
}

// NewService returns a service.
func NewService(cfg ServiceConfig) (*Service, error) {
	if cfg.Repository == nil || cfg.Index == nil {
		return nil, errors.New("knowledge: a service needs a repository and an index")
	}
	s := &Service{repo: cfg.Repository, index: cfg.Index, embedder: cfg.Embedder, limits: cfg.Limits,
		chunking: cfg.Chunking, now: cfg.Now, newID: cfg.NewID, log: cfg.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = func() string {
			b := make([]byte, 6)
			_, _ = rand.Read(b)
			return "doc-" + hex.EncodeToString(b)
		}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Repository returns the repository the service writes to, for reads.
func (s *Service) Repository() Repository { return s.repo }

// Meta is what an editor sets on an item besides its content.
type Meta struct {
	Title    string   // documents: overrides the extracted title
	Tags     []string // FAQ sheets: added to each row's own tags
	Channels []string
	Segments []string
	Lang     string
}

// UploadRequest is one uploaded file.
type UploadRequest struct {
	Name string
	Data []byte
	// ID names the new document; empty: generated. FAQ entries take their
	// ids from the sheet.
	ID    string
	Meta  Meta
	Actor string
	Note  string
	// AllowDuplicate stores content that exactly repeats an existing item
	// instead of refusing it.
	AllowDuplicate bool
}

// UploadResult says what an upload created.
type UploadResult struct {
	Format Format `json:"format"`
	Items  []Item `json:"items"`
	Chunks int    `json:"chunks"`
	// Duplicates lists existing items the upload repeats or nearly
	// repeats (exact repeats only when AllowDuplicate was set).
	Duplicates []Duplicate `json:"duplicates,omitempty"`
}

// Upload reads a file and stores it as new draft items: one document, or
// one FAQ entry per sheet row. Nothing is stored unless everything is.
func (s *Service) Upload(ctx context.Context, req UploadRequest) (*UploadResult, error) {
	up, err := Read(req.Name, req.Data, s.limits)
	if err != nil {
		return nil, err
	}
	now := s.now()
	res := &UploadResult{Format: up.Format}
	var drafts []Draft
	if up.Document != nil {
		id := req.ID
		if id == "" {
			id = s.newID()
		}
		v := s.documentVersion(id, 1, up, req.Meta, req.Actor, req.Note, now)
		dups, err := s.duplicates(ctx, KindDocument, NewFingerprint(id, 1, v.Text), req.AllowDuplicate, up.Name)
		if err != nil {
			return nil, err
		}
		res.Duplicates, res.Chunks = dups, len(v.Chunks)
		drafts = append(drafts, Draft{Item: itemFor(id, KindDocument, v, req.Actor, now), Version: v})
	} else {
		existing, err := s.repo.Fingerprints(ctx, KindFAQ)
		if err != nil {
			return nil, err
		}
		for _, f := range up.FAQs {
			f = mergeMeta(f, req.Meta)
			v := faqVersion(f, req.Actor, req.Note, now)
			dups := FindDuplicates(NewFingerprint(f.ID, 1, f.Question), existing)
			for _, d := range dups {
				if d.Exact && !req.AllowDuplicate {
					return nil, errorf(CodeDuplicate, up.Name, "the question %q repeats FAQ entry %s", f.Question, d.ItemID)
				}
			}
			res.Duplicates = append(res.Duplicates, dups...)
			drafts = append(drafts, Draft{Item: itemFor(f.ID, KindFAQ, v, req.Actor, now), Version: v})
		}
	}
	if err := s.repo.CreateItems(ctx, drafts); err != nil {
		var ke *Error
		if errors.As(err, &ke) && ke.File == "" {
			ke.File = up.Name
		}
		return nil, err
	}
	for _, d := range drafts {
		it := d.Item
		it.Version, it.Status = 1, StatusDraft
		res.Items = append(res.Items, it)
	}
	s.log.Info("knowledge upload", slog.String("file", up.Name), slog.String("format", string(up.Format)),
		slog.Int("items", len(res.Items)), slog.String("actor", req.Actor))
	return res, nil
}

// ReviseDocument stores a new version of a document from a new file (or
// edited Markdown text under a .md name). The published version keeps
// answering until the new one is published.
func (s *Service) ReviseDocument(ctx context.Context, id string, expectVersion int, req UploadRequest) (*Item, error) {
	it, err := s.repo.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	if it.Kind != KindDocument {
		return nil, errorf(CodeInvalid, req.Name, "%s is an FAQ entry, not a document", id)
	}
	up, err := Read(req.Name, req.Data, s.limits)
	if err != nil {
		return nil, err
	}
	if up.Document == nil {
		return nil, errorf(CodeUnsupportedType, up.Name, "an FAQ sheet cannot replace a document")
	}
	v := s.documentVersion(id, expectVersion+1, up, req.Meta, req.Actor, req.Note, s.now())
	if _, err := s.duplicates(ctx, KindDocument, NewFingerprint(id, v.Number, v.Text), req.AllowDuplicate, up.Name); err != nil {
		return nil, err
	}
	return s.repo.AddVersion(ctx, id, expectVersion, v)
}

// SaveFAQ creates an FAQ entry (expectVersion 0) or stores a new version
// of it.
func (s *Service) SaveFAQ(ctx context.Context, f FAQ, expectVersion int, actor, note string) (*Item, error) {
	f.Question, f.Answer = strings.TrimSpace(f.Question), strings.TrimSpace(f.Answer)
	if f.Question == "" || f.Answer == "" {
		return nil, errorf(CodeInvalid, "", "an FAQ entry needs a question and an answer")
	}
	if f.ID == "" {
		f.ID = FAQID(f.Question)
	}
	now := s.now()
	v := faqVersion(f, actor, note, now)
	existing, err := s.repo.Fingerprints(ctx, KindFAQ)
	if err != nil {
		return nil, err
	}
	for _, d := range FindDuplicates(NewFingerprint(f.ID, 0, f.Question), existing) {
		if d.Exact {
			return nil, errorf(CodeDuplicate, "", "the question repeats FAQ entry %s", d.ItemID)
		}
	}
	if expectVersion == 0 {
		if err := s.repo.CreateItems(ctx, []Draft{{Item: itemFor(f.ID, KindFAQ, v, actor, now), Version: v}}); err != nil {
			return nil, err
		}
		return s.repo.Item(ctx, f.ID)
	}
	return s.repo.AddVersion(ctx, f.ID, expectVersion, v)
}

// Transition takes a workflow step. Publishing indexes the latest version
// (replacing the previously published one); unpublishing removes the item
// from the index. The index changes first, so a customer is never answered
// from content whose publication failed; if the repository then refuses
// the step, the index is put back.
func (s *Service) Transition(ctx context.Context, id string, a Action, actor, note string) (*Item, error) {
	it, err := s.repo.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	to, published, err := next(it, a)
	if err != nil {
		return nil, err
	}
	change := StatusChange{ItemID: id, FromStatus: it.Status, FromVersion: it.Version, FromPublishedVersion: it.PublishedVersion,
		To: to, PublishedVersion: published, Event: Event{Action: a, Actor: actor, Note: note, At: s.now(), Version: it.Version}}
	indexChanged := published != it.PublishedVersion
	if indexChanged {
		if err := s.reindex(ctx, id, published); err != nil {
			return nil, err
		}
	}
	out, err := s.repo.ApplyStatus(ctx, change)
	if err != nil && indexChanged {
		if rerr := s.reindex(ctx, id, it.PublishedVersion); rerr != nil {
			s.log.Error("knowledge index left out of step; Sync repairs it", slog.String("item", id), slog.Any("error", rerr))
		}
	}
	if err == nil {
		s.log.Info("knowledge workflow", slog.String("item", id), slog.String("action", string(a)),
			slog.String("to", string(to)), slog.String("actor", actor))
	}
	return out, err
}

// reindex makes the index hold exactly version n of the item (0: nothing).
func (s *Service) reindex(ctx context.Context, id string, n int) error {
	if n == 0 {
		return s.indexErr(s.index.DeleteDocument(ctx, id))
	}
	v, err := s.repo.Version(ctx, id, n)
	if err != nil {
		return err
	}
	it, err := s.repo.Item(ctx, id)
	if err != nil {
		return err
	}
	recs, err := s.Records(ctx, it.Kind, v)
	if err != nil {
		return err
	}
	if err := s.index.DeleteDocument(ctx, id); err != nil {
		return s.indexErr(err)
	}
	return s.indexErr(s.index.Upsert(ctx, recs))
}

func (s *Service) indexErr(err error) error {
	var ke *Error
	if err == nil || errors.As(err, &ke) {
		return err
	}
	return &Error{Code: CodeIndexUnavailable, Message: "the index refused the change", Err: err}
}

// Records builds the published index records of a version, with vectors.
func (s *Service) Records(ctx context.Context, kind ItemKind, v *Version) ([]Record, error) {
	var recs []Record
	if kind == KindFAQ && v.FAQ != nil {
		f := v.FAQ
		recs = append(recs, Record{ID: v.ItemID, DocumentID: v.ItemID, Kind: KindFAQ, Version: v.Number, Title: f.Question,
			Text: f.Answer, Questions: f.Phrasings(), Tags: v.Tags, Channels: v.Channels, Segments: v.Segments, Lang: v.Lang, Published: true})
	} else {
		for _, c := range v.Chunks {
			recs = append(recs, Record{ID: c.ID, DocumentID: v.ItemID, Kind: KindDocument, Version: v.Number, Title: v.Title,
				HeadingPath: c.HeadingPath, Text: c.Text, Tags: v.Tags, Channels: v.Channels, Segments: v.Segments, Lang: v.Lang, Published: true})
		}
	}
	texts := make([]string, len(recs))
	for i := range recs {
		texts[i] = IndexText(&recs[i])
		recs[i].Sparse = DocumentVector(texts[i])
	}
	if s.embedder != nil && len(recs) > 0 {
		vs, err := s.embedder.Embed(ctx, texts)
		if err != nil {
			return nil, err
		}
		for i := range recs {
			recs[i].Dense = vs[i]
		}
	}
	return recs, nil
}

// IndexText is what a record is indexed by: an FAQ entry by all its
// phrasings and its answer, a chunk by its document title, heading path
// and text (so "退款时效" finds a chunk under that heading).
func IndexText(r *Record) string {
	if r.Kind == KindFAQ {
		return strings.Join(r.Questions, "\n") + "\n" + r.Text
	}
	return r.Title + "\n" + strings.Join(r.HeadingPath, " ") + "\n" + r.Text
}

// SyncReport says what Sync changed.
type SyncReport struct {
	Indexed int `json:"indexed"`
	Removed int `json:"removed"`
}

// Sync makes the index hold exactly the published versions in the
// repository: run at start-up, it re-indexes what changed while the
// appliance was down (or a fresh index) and drops what was unpublished.
func (s *Service) Sync(ctx context.Context) (SyncReport, error) {
	var rep SyncReport
	indexed, err := s.index.Documents(ctx)
	if err != nil {
		return rep, s.indexErr(err)
	}
	want := map[string]int{}
	for offset := 0; ; {
		items, total, err := s.repo.Items(ctx, ItemFilter{PublishedOnly: true, Limit: 500, Offset: offset})
		if err != nil {
			return rep, err
		}
		for _, it := range items {
			want[it.ID] = it.PublishedVersion
		}
		offset += len(items)
		if len(items) == 0 || offset >= total {
			break
		}
	}
	for id := range indexed {
		if _, ok := want[id]; !ok {
			if err := s.index.DeleteDocument(ctx, id); err != nil {
				return rep, s.indexErr(err)
			}
			rep.Removed++
		}
	}
	for id, n := range want {
		if indexed[id] == n {
			continue
		}
		if err := s.reindex(ctx, id, n); err != nil {
			return rep, err
		}
		rep.Indexed++
	}
	return rep, nil
}

func (s *Service) duplicates(ctx context.Context, kind ItemKind, fp Fingerprint, allow bool, file string) ([]Duplicate, error) {
	existing, err := s.repo.Fingerprints(ctx, kind)
	if err != nil {
		return nil, err
	}
	dups := FindDuplicates(fp, existing)
	for _, d := range dups {
		if d.Exact && !allow {
			return nil, errorf(CodeDuplicate, file, "the content repeats %s version %d", d.ItemID, d.Version)
		}
	}
	return dups, nil
}

func (s *Service) documentVersion(id string, n int, up *Upload, m Meta, actor, note string, now time.Time) Version {
	d := up.Document
	title := d.Title
	if m.Title != "" {
		title = m.Title
	}
	text := d.Text()
	chunks := Split(d, s.chunking)
	for i := range chunks {
		chunks[i].ID = fmt.Sprintf("%s/v%d/%d", id, n, chunks[i].Ordinal)
		chunks[i].DocumentID, chunks[i].Version = id, n
	}
	return Version{ItemID: id, Number: n, Title: title, Format: up.Format, Source: up.Name, Size: up.Size, Text: text,
		Tags: m.Tags, Channels: m.Channels, Segments: m.Segments, Lang: m.Lang,
		Hash: ContentHash(text), Sketch: Sketch(text), Chunks: chunks, Author: actor, Note: note, CreatedAt: now}
}

func faqVersion(f FAQ, actor, note string, now time.Time) Version {
	fc := f
	return Version{ItemID: f.ID, Title: f.Question, Text: f.Answer, FAQ: &fc, Tags: f.Tags, Channels: f.Channels,
		Segments: f.Segments, Lang: f.Lang, Hash: ContentHash(f.Question), Sketch: Sketch(f.Question),
		Author: actor, Note: note, CreatedAt: now}
}

func mergeMeta(f FAQ, m Meta) FAQ {
	for _, t := range m.Tags {
		if !containsString(f.Tags, t) {
			f.Tags = append(f.Tags, t)
		}
	}
	if len(f.Channels) == 0 {
		f.Channels = m.Channels
	}
	if len(f.Segments) == 0 {
		f.Segments = m.Segments
	}
	if f.Lang == "" {
		f.Lang = m.Lang
	}
	return f
}

func containsString(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func itemFor(id string, kind ItemKind, v Version, actor string, now time.Time) Item {
	return Item{ID: id, Kind: kind, Title: v.Title, Status: StatusDraft, Version: 1, Format: v.Format, Source: v.Source,
		Tags: v.Tags, Channels: v.Channels, Segments: v.Segments, Lang: v.Lang,
		CreatedBy: actor, UpdatedBy: actor, CreatedAt: now, UpdatedAt: now}
}
