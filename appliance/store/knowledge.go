package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"kefu/knowledge"
)

// Knowledge is the GORM implementation of knowledge.Repository: items,
// their immutable versions with chunks, and the editors' history. It
// passes knowledgetest.TestRepository on SQLite and MySQL. Its errors are
// *knowledge.Error with the codes the contract names, so the knowledge
// service treats it exactly like the in-memory repository.
type Knowledge struct{ s *Store }

var _ knowledge.Repository = (*Knowledge)(nil)

// Knowledge returns the knowledge repository on this store. Calls made
// with a context from WithTx join that transaction.
func (s *Store) Knowledge() *Knowledge { return &Knowledge{s: s} }

// maxItemID is the width of knowledge_items.id.
const maxItemID = 128

type knowledgeItemRow struct {
	ID               string `gorm:"primaryKey"`
	Kind             string
	Title            string
	Status           string
	Version          int
	PublishedVersion int
	Format           string
	Source           string
	Tags             string
	Channels         string
	Segments         string
	Lang             string
	CreatedBy        string
	UpdatedBy        string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (knowledgeItemRow) TableName() string { return "knowledge_items" }

type knowledgeTagRow struct {
	ItemID string `gorm:"primaryKey"`
	Tag    string `gorm:"primaryKey"`
}

func (knowledgeTagRow) TableName() string { return "knowledge_item_tags" }

type knowledgeVersionRow struct {
	ID        int64 `gorm:"primaryKey"`
	ItemID    string
	Number    int
	Title     string
	Format    string
	Source    string
	Size      int64
	Text      string
	FAQ       *string `gorm:"column:faq"`
	Tags      string
	Channels  string
	Segments  string
	Lang      string
	Hash      string
	Sketch    string
	Author    string
	Note      string
	CreatedAt time.Time
}

func (knowledgeVersionRow) TableName() string { return "knowledge_versions" }

type knowledgeChunkRow struct {
	ID          int64 `gorm:"primaryKey"`
	ItemID      string
	Version     int
	Ordinal     int
	ChunkID     string
	HeadingPath string
	Text        string
	Hash        string
}

func (knowledgeChunkRow) TableName() string { return "knowledge_chunks" }

type knowledgeEventRow struct {
	ID         int64 `gorm:"primaryKey"`
	ItemID     string
	Version    int
	Action     string
	FromStatus string
	ToStatus   string
	Actor      string
	Note       string
	At         time.Time
}

func (knowledgeEventRow) TableName() string { return "knowledge_events" }

// jsonList stores a list as JSON text; empty is "[]".
func jsonList[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// fromJSONList reads a list back; empty comes back nil, as the memory
// repository keeps it.
func fromJSONList[T any](s string) []T {
	var out []T
	if s == "" || s == "[]" {
		return nil
	}
	_ = json.Unmarshal([]byte(s), &out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// clip shortens a display string to the column's width in characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func (r *knowledgeItemRow) domain() *knowledge.Item {
	return &knowledge.Item{ID: r.ID, Kind: knowledge.ItemKind(r.Kind), Title: r.Title, Status: knowledge.Status(r.Status),
		Version: r.Version, PublishedVersion: r.PublishedVersion, Format: knowledge.Format(r.Format), Source: r.Source,
		Tags: fromJSONList[string](r.Tags), Channels: fromJSONList[string](r.Channels), Segments: fromJSONList[string](r.Segments),
		Lang: r.Lang, CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func (r *knowledgeVersionRow) domain() *knowledge.Version {
	v := &knowledge.Version{ItemID: r.ItemID, Number: r.Number, Title: r.Title, Format: knowledge.Format(r.Format),
		Source: r.Source, Size: r.Size, Text: r.Text, Tags: fromJSONList[string](r.Tags),
		Channels: fromJSONList[string](r.Channels), Segments: fromJSONList[string](r.Segments), Lang: r.Lang,
		Hash: r.Hash, Sketch: fromJSONList[uint32](r.Sketch), Author: r.Author, Note: r.Note, CreatedAt: r.CreatedAt.UTC()}
	if r.FAQ != nil {
		var f knowledge.FAQ
		if json.Unmarshal([]byte(*r.FAQ), &f) == nil {
			v.FAQ = &f
		}
	}
	return v
}

func versionToRow(itemID string, number int, v *knowledge.Version) *knowledgeVersionRow {
	row := &knowledgeVersionRow{ItemID: itemID, Number: number, Title: v.Title, Format: string(v.Format),
		Source: clip(v.Source, 255), Size: v.Size, Text: v.Text, Tags: jsonList(v.Tags), Channels: jsonList(v.Channels),
		Segments: jsonList(v.Segments), Lang: v.Lang, Hash: v.Hash, Sketch: jsonList(v.Sketch), Author: v.Author,
		Note: v.Note, CreatedAt: utc(v.CreatedAt)}
	if v.FAQ != nil {
		b, _ := json.Marshal(v.FAQ)
		row.FAQ = strPtr(string(b))
	}
	return row
}

func chunkRows(itemID string, number int, cs []knowledge.Chunk) []knowledgeChunkRow {
	out := make([]knowledgeChunkRow, len(cs))
	for i, c := range cs {
		out[i] = knowledgeChunkRow{ItemID: itemID, Version: number, Ordinal: c.Ordinal, ChunkID: c.ID,
			HeadingPath: jsonList(c.HeadingPath), Text: c.Text, Hash: c.Hash}
	}
	return out
}

func tagRows(itemID string, tags []string) []knowledgeTagRow {
	seen := map[string]bool{}
	var out []knowledgeTagRow
	for _, t := range tags {
		t = clip(t, 191)
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, knowledgeTagRow{ItemID: itemID, Tag: t})
		}
	}
	return out
}

func kerr(code, format string, args ...any) error {
	return &knowledge.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// insertBatch size keeps one INSERT well under MySQL's packet limit even
// for long chunks.
const insertBatch = 100

// CreateItems implements knowledge.Repository.
func (k *Knowledge) CreateItems(ctx context.Context, drafts []knowledge.Draft) error {
	seen := map[string]bool{}
	ids := make([]string, 0, len(drafts))
	for _, d := range drafts {
		id := d.Item.ID
		switch {
		case id == "":
			return kerr(knowledge.CodeInvalid, "an item needs an id")
		case len(id) > maxItemID:
			return kerr(knowledge.CodeInvalid, "the id %.20s… is longer than %d bytes", id, maxItemID)
		case seen[id]:
			return kerr(knowledge.CodeItemExists, "item %s already exists", id)
		}
		seen[id] = true
		ids = append(ids, id)
	}
	if len(drafts) == 0 {
		return nil
	}
	return k.s.WithTx(ctx, func(ctx context.Context) error {
		db := k.s.conn(ctx)
		for start := 0; start < len(ids); start += 500 {
			var taken []string
			if err := db.Model(&knowledgeItemRow{}).Where("id IN ?", ids[start:min(start+500, len(ids))]).Limit(1).Pluck("id", &taken).Error; err != nil {
				return fmt.Errorf("store: unable to check knowledge ids: %w", err)
			}
			if len(taken) > 0 {
				return kerr(knowledge.CodeItemExists, "item %s already exists", taken[0])
			}
		}
		var (
			items    []knowledgeItemRow
			tags     []knowledgeTagRow
			versions []*knowledgeVersionRow
			chunks   []knowledgeChunkRow
			events   []knowledgeEventRow
		)
		for _, d := range drafts {
			it, v := d.Item, d.Version
			items = append(items, knowledgeItemRow{ID: it.ID, Kind: string(it.Kind), Title: it.Title, Status: string(knowledge.StatusDraft),
				Version: 1, Format: string(it.Format), Source: clip(it.Source, 255), Tags: jsonList(it.Tags),
				Channels: jsonList(it.Channels), Segments: jsonList(it.Segments), Lang: it.Lang, CreatedBy: it.CreatedBy,
				UpdatedBy: it.UpdatedBy, CreatedAt: utc(it.CreatedAt), UpdatedAt: utc(it.UpdatedAt)})
			tags = append(tags, tagRows(it.ID, it.Tags)...)
			versions = append(versions, versionToRow(it.ID, 1, &v))
			chunks = append(chunks, chunkRows(it.ID, 1, v.Chunks)...)
			events = append(events, knowledgeEventRow{ItemID: it.ID, Version: 1, Action: string(knowledge.ActionCreate),
				ToStatus: string(knowledge.StatusDraft), Actor: v.Author, Note: v.Note, At: utc(it.CreatedAt)})
		}
		if err := db.CreateInBatches(items, insertBatch).Error; err != nil {
			if isDuplicate(err) {
				return &knowledge.Error{Code: knowledge.CodeItemExists, Message: "an item with one of these ids already exists", Err: err}
			}
			return fmt.Errorf("store: unable to create knowledge items: %w", err)
		}
		return k.insertContent(db, tags, versions, chunks, events)
	})
}

// insertContent writes the rows that hang off items.
func (k *Knowledge) insertContent(db *gorm.DB, tags []knowledgeTagRow, versions []*knowledgeVersionRow, chunks []knowledgeChunkRow, events []knowledgeEventRow) error {
	if len(tags) > 0 {
		if err := db.CreateInBatches(tags, insertBatch).Error; err != nil {
			return fmt.Errorf("store: unable to store knowledge tags: %w", err)
		}
	}
	if len(versions) > 0 {
		// Versions one by one: a document's text can be megabytes.
		for _, v := range versions {
			if err := db.Create(v).Error; err != nil {
				if isDuplicate(err) {
					return &knowledge.Error{Code: knowledge.CodeVersionConflict, Message: "item " + v.ItemID + " changed meanwhile", Err: err}
				}
				return fmt.Errorf("store: unable to store a knowledge version: %w", err)
			}
		}
	}
	if len(chunks) > 0 {
		if err := db.CreateInBatches(chunks, insertBatch).Error; err != nil {
			return fmt.Errorf("store: unable to store knowledge chunks: %w", err)
		}
	}
	if len(events) > 0 {
		if err := db.CreateInBatches(events, insertBatch).Error; err != nil {
			return fmt.Errorf("store: unable to record knowledge events: %w", err)
		}
	}
	return nil
}

// itemRow reads one item row or returns not_found.
func (k *Knowledge) itemRow(db *gorm.DB, id string) (*knowledgeItemRow, error) {
	var row knowledgeItemRow
	if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, kerr(knowledge.CodeNotFound, "item %s not found", id)
		}
		return nil, fmt.Errorf("store: unable to fetch knowledge item %s: %w", id, err)
	}
	return &row, nil
}

// AddVersion implements knowledge.Repository. The version check and the
// update are one conditional UPDATE, so of two concurrent edits of the
// same version exactly one succeeds.
func (k *Knowledge) AddVersion(ctx context.Context, itemID string, expectVersion int, v knowledge.Version) (*knowledge.Item, error) {
	var out *knowledge.Item
	err := k.s.WithTx(ctx, func(ctx context.Context) error {
		db := k.s.conn(ctx)
		cur, err := k.itemRow(db, itemID)
		if err != nil {
			return err
		}
		if cur.Version != expectVersion {
			return kerr(knowledge.CodeVersionConflict, "item %s changed meanwhile", itemID)
		}
		n := expectVersion + 1
		at := utc(v.CreatedAt)
		res := db.Model(&knowledgeItemRow{}).Where("id = ? AND version = ?", itemID, expectVersion).Updates(map[string]any{
			"version": n, "status": string(knowledge.StatusDraft), "title": v.Title, "format": string(v.Format),
			"source": clip(v.Source, 255), "tags": jsonList(v.Tags), "channels": jsonList(v.Channels),
			"segments": jsonList(v.Segments), "lang": v.Lang, "updated_by": v.Author, "updated_at": at})
		if res.Error != nil {
			return fmt.Errorf("store: unable to update knowledge item %s: %w", itemID, res.Error)
		}
		if res.RowsAffected == 0 {
			return kerr(knowledge.CodeVersionConflict, "item %s changed meanwhile", itemID)
		}
		if err := db.Where("item_id = ?", itemID).Delete(&knowledgeTagRow{}).Error; err != nil {
			return fmt.Errorf("store: unable to replace knowledge tags: %w", err)
		}
		ev := knowledgeEventRow{ItemID: itemID, Version: n, Action: string(knowledge.ActionEdit), FromStatus: cur.Status,
			ToStatus: string(knowledge.StatusDraft), Actor: v.Author, Note: v.Note, At: at}
		if err := k.insertContent(db, tagRows(itemID, v.Tags), []*knowledgeVersionRow{versionToRow(itemID, n, &v)},
			chunkRows(itemID, n, v.Chunks), []knowledgeEventRow{ev}); err != nil {
			return err
		}
		row, err := k.itemRow(db, itemID)
		if err != nil {
			return err
		}
		out = row.domain()
		return nil
	})
	return out, err
}

// ApplyStatus implements knowledge.Repository: a compare-and-set on the
// status, the latest version and the published version.
func (k *Knowledge) ApplyStatus(ctx context.Context, c knowledge.StatusChange) (*knowledge.Item, error) {
	var out *knowledge.Item
	err := k.s.WithTx(ctx, func(ctx context.Context) error {
		db := k.s.conn(ctx)
		at := utc(c.Event.At)
		res := db.Model(&knowledgeItemRow{}).
			Where("id = ? AND status = ? AND version = ? AND published_version = ?", c.ItemID, string(c.FromStatus), c.FromVersion, c.FromPublishedVersion).
			Updates(map[string]any{"status": string(c.To), "published_version": c.PublishedVersion, "updated_by": c.Event.Actor, "updated_at": at})
		if res.Error != nil {
			return fmt.Errorf("store: unable to change knowledge item %s: %w", c.ItemID, res.Error)
		}
		if res.RowsAffected == 0 {
			if _, err := k.itemRow(db, c.ItemID); err != nil {
				return err
			}
			return kerr(knowledge.CodeVersionConflict, "item %s changed meanwhile", c.ItemID)
		}
		version := c.Event.Version
		if version == 0 {
			version = c.FromVersion
		}
		ev := knowledgeEventRow{ItemID: c.ItemID, Version: version, Action: string(c.Event.Action), FromStatus: string(c.FromStatus),
			ToStatus: string(c.To), Actor: c.Event.Actor, Note: c.Event.Note, At: at}
		if err := db.Create(&ev).Error; err != nil {
			return fmt.Errorf("store: unable to record a knowledge event: %w", err)
		}
		row, err := k.itemRow(db, c.ItemID)
		if err != nil {
			return err
		}
		out = row.domain()
		return nil
	})
	return out, err
}

// Item implements knowledge.Repository.
func (k *Knowledge) Item(ctx context.Context, id string) (*knowledge.Item, error) {
	row, err := k.itemRow(k.s.conn(ctx), id)
	if err != nil {
		return nil, err
	}
	return row.domain(), nil
}

// likeEscaper makes a search string literal inside LIKE (escape char '!',
// which both databases accept without quoting rules of their own).
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// Items implements knowledge.Repository.
func (k *Knowledge) Items(ctx context.Context, f knowledge.ItemFilter) ([]knowledge.Item, int, error) {
	q := k.s.conn(ctx).Model(&knowledgeItemRow{})
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		q = q.Where("LOWER(title) LIKE ? ESCAPE '!'", "%"+likeEscaper.Replace(strings.ToLower(s))+"%")
	}
	if f.Tag != "" {
		q = q.Where("id IN (SELECT item_id FROM knowledge_item_tags WHERE tag = ?)", f.Tag)
	}
	if f.PublishedOnly {
		q = q.Where("published_version > 0")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: unable to count knowledge items: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var rows []knowledgeItemRow
	if err := q.Order("updated_at DESC").Order("id").Limit(limit).Offset(max(f.Offset, 0)).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: unable to list knowledge items: %w", err)
	}
	out := make([]knowledge.Item, len(rows))
	for i := range rows {
		out[i] = *rows[i].domain()
	}
	return out, int(total), nil
}

// Version implements knowledge.Repository.
func (k *Knowledge) Version(ctx context.Context, itemID string, number int) (*knowledge.Version, error) {
	db := k.s.conn(ctx)
	var row knowledgeVersionRow
	if err := db.Where("item_id = ? AND number = ?", itemID, number).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, kerr(knowledge.CodeNotFound, "version %d of %s not found", number, itemID)
		}
		return nil, fmt.Errorf("store: unable to fetch knowledge version: %w", err)
	}
	v := row.domain()
	var chunks []knowledgeChunkRow
	if err := db.Where("item_id = ? AND version = ?", itemID, number).Order("ordinal").Find(&chunks).Error; err != nil {
		return nil, fmt.Errorf("store: unable to fetch knowledge chunks: %w", err)
	}
	if len(chunks) > 0 {
		v.Chunks = make([]knowledge.Chunk, len(chunks))
		for i, c := range chunks {
			v.Chunks[i] = knowledge.Chunk{ID: c.ChunkID, DocumentID: itemID, Version: number, Ordinal: c.Ordinal,
				HeadingPath: fromJSONList[string](c.HeadingPath), Text: c.Text, Hash: c.Hash}
		}
	}
	return v, nil
}

// Versions implements knowledge.Repository: the versions without their
// text's chunks (the text itself is kept: an editor compares versions).
func (k *Knowledge) Versions(ctx context.Context, itemID string) ([]knowledge.Version, error) {
	db := k.s.conn(ctx)
	var rows []knowledgeVersionRow
	if err := db.Where("item_id = ?", itemID).Order("number").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list knowledge versions: %w", err)
	}
	if len(rows) == 0 {
		return nil, kerr(knowledge.CodeNotFound, "item %s not found", itemID)
	}
	out := make([]knowledge.Version, len(rows))
	for i := range rows {
		out[i] = *rows[i].domain()
	}
	return out, nil
}

// History implements knowledge.Repository.
func (k *Knowledge) History(ctx context.Context, itemID string) ([]knowledge.Event, error) {
	db := k.s.conn(ctx)
	if _, err := k.itemRow(db, itemID); err != nil {
		return nil, err
	}
	var rows []knowledgeEventRow
	if err := db.Where("item_id = ?", itemID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list knowledge events: %w", err)
	}
	out := make([]knowledge.Event, len(rows))
	for i, r := range rows {
		out[i] = knowledge.Event{ID: r.ID, ItemID: r.ItemID, Version: r.Version, Action: knowledge.Action(r.Action),
			From: knowledge.Status(r.FromStatus), To: knowledge.Status(r.ToStatus), Actor: r.Actor, Note: r.Note, At: r.At.UTC()}
	}
	return out, nil
}

// Fingerprints implements knowledge.Repository.
func (k *Knowledge) Fingerprints(ctx context.Context, kind knowledge.ItemKind) ([]knowledge.Fingerprint, error) {
	type fpRow struct {
		ItemID string
		Number int
		Hash   string
		Sketch string
	}
	q := k.s.conn(ctx).Table("knowledge_items AS i").
		Select("i.id AS item_id, v.number AS number, v.hash AS hash, v.sketch AS sketch").
		Joins("JOIN knowledge_versions AS v ON v.item_id = i.id AND v.number = i.version")
	if kind != "" {
		q = q.Where("i.kind = ?", string(kind))
	}
	var rows []fpRow
	if err := q.Order("i.id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read knowledge fingerprints: %w", err)
	}
	out := make([]knowledge.Fingerprint, len(rows))
	for i, r := range rows {
		out[i] = knowledge.Fingerprint{ItemID: r.ItemID, Version: r.Number, Hash: r.Hash, Sketch: fromJSONList[uint32](r.Sketch)}
	}
	return out, nil
}
