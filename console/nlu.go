package console

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/nlu"
)

// CatalogEditor is what the console needs to show and edit the intent
// catalog; *appliance.Catalogs implements it.
type CatalogEditor interface {
	Current(ctx context.Context) (*nlu.Catalog, *appliance.CatalogVersion, error)
	Versions(ctx context.Context, limit int) ([]*appliance.CatalogVersion, error)
	Version(ctx context.Context, version int) (*appliance.CatalogVersion, error)
	Save(ctx context.Context, cat *nlu.Catalog, base int, actor *appliance.User, note string) (*appliance.CatalogVersion, error)
}

// nluRoutes are the intent catalog pages' API: everyone who reviews the bot
// may read the catalog and try sentences; only admins change it.
func (s *Server) nluRoutes() []route {
	return []route{
		{"GET", "/api/v1/nlu/catalog", need(permNLUView), s.getCatalog},
		{"PUT", "/api/v1/nlu/catalog", need(permNLUEdit), s.saveCatalog},
		{"POST", "/api/v1/nlu/catalog/validate", need(permNLUEdit), s.validateCatalog},
		{"GET", "/api/v1/nlu/catalog/versions", need(permNLUView), s.catalogVersions},
		{"GET", "/api/v1/nlu/catalog/versions/:version", need(permNLUView), s.catalogVersion},
		{"POST", "/api/v1/nlu/parse", need(permNLUView), s.parseSentence},
	}
}

func (s *Server) catalogs() (CatalogEditor, error) {
	if s.Catalogs == nil {
		return nil, appliance.Errorf(appliance.EUNAVAILABLE, "nlu_not_configured", "the intent catalog is not available on this server")
	}
	return s.Catalogs, nil
}

// catalogView is the catalog in use, in both editable forms.
type catalogView struct {
	// Version is the saved version in use; 0 while the catalog comes from
	// configuration (nlu.catalogs) and was never edited here.
	Version     int                       `json:"version"`
	Source      string                    `json:"source"` // "database" or "configuration"
	Saved       *appliance.CatalogVersion `json:"saved,omitempty"`
	Catalog     *nlu.Catalog              `json:"catalog"`
	YAML        string                    `json:"yaml"`
	Intents     int                       `json:"intents"`
	Examples    int                       `json:"examples"`
	EntityTypes []string                  `json:"entity_types"` // what a slot may be filled by, besides the catalog's term types
}

func (s *Server) getCatalog(c *gin.Context) {
	ed, err := s.catalogs()
	if err != nil {
		s.fail(c, err)
		return
	}
	cat, v, err := ed.Current(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	y, err := cat.YAML()
	if err != nil {
		s.fail(c, err)
		return
	}
	out := catalogView{Source: "configuration", Catalog: cat, YAML: string(y), EntityTypes: nlu.EntityTypes}
	out.Intents, out.Examples = cat.Counts()
	if v != nil {
		v.YAML = ""
		out.Version, out.Source, out.Saved = v.Version, "database", v
	}
	c.JSON(http.StatusOK, out)
}

// catalogRequest carries an edited catalog in one of its two forms: the
// structured editor sends JSON, the YAML editor the text.
type catalogRequest struct {
	Catalog     json.RawMessage `json:"catalog"`
	YAML        *string         `json:"yaml"`
	BaseVersion *int            `json:"base_version"`
	Note        string          `json:"note"`
}

// parse validates the edited catalog; errors name the intent and the field.
func (r *catalogRequest) parse() (*nlu.Catalog, error) {
	var (
		cat *nlu.Catalog
		err error
	)
	switch {
	case r.YAML != nil && len(r.Catalog) > 0:
		return nil, invalid("ambiguous_catalog", "send the catalog either as yaml or as catalog, not both")
	case r.YAML != nil:
		cat, err = nlu.ParseCatalog([]byte(*r.YAML), "yaml")
	case len(r.Catalog) > 0 && string(r.Catalog) != "null":
		cat, err = nlu.ParseCatalogJSON(r.Catalog, "catalog")
	default:
		return nil, invalid("missing_field", "catalog or yaml is required")
	}
	var ce *nlu.CatalogError
	if errors.As(err, &ce) {
		return nil, appliance.Errorf(appliance.EINVALID, ce.Code(), "%s", strings.TrimPrefix(ce.Error(), "nlu: "))
	}
	return cat, err
}

func (s *Server) validateCatalog(c *gin.Context) {
	var req catalogRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	cat, err := req.parse()
	if err != nil {
		s.fail(c, err)
		return
	}
	y, err := cat.YAML()
	if err != nil {
		s.fail(c, err)
		return
	}
	intents, examples := cat.Counts()
	c.JSON(http.StatusOK, gin.H{"ok": true, "catalog": cat, "yaml": string(y), "intents": intents, "examples": examples})
}

func (s *Server) saveCatalog(c *gin.Context) {
	ed, err := s.catalogs()
	if err != nil {
		s.fail(c, err)
		return
	}
	var req catalogRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.BaseVersion == nil || *req.BaseVersion < 0 {
		s.fail(c, invalid("missing_field", "base_version (the version you edited, 0 for the configured catalog) is required"))
		return
	}
	req.Note = strings.TrimSpace(req.Note)
	if utf8.RuneCountInString(req.Note) > 200 {
		s.fail(c, invalid("note_too_long", "the note must be at most 200 characters"))
		return
	}
	cat, err := req.parse()
	if err != nil {
		s.fail(c, err)
		return
	}
	me := currentUser(c)
	before, _, err := ed.Current(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := ed.Save(c.Request.Context(), cat, *req.BaseVersion, me, req.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, me, "nlu.catalog.update", "nlu_catalog", strconv.Itoa(v.Version), catalogChanges(before, cat, req.Note))
	c.JSON(http.StatusOK, gin.H{"version": v})
}

// catalogChanges summarises an edit for the audit log: which intents were
// added, removed or changed, and the example counts.
func catalogChanges(before, after *nlu.Catalog, note string) map[string]any {
	var added, removed, changed []string
	old := map[string]string{}
	for _, in := range before.Intents {
		b, _ := json.Marshal(in)
		old[in.Name] = string(b)
	}
	for _, in := range after.Intents {
		b, _ := json.Marshal(in)
		prev, ok := old[in.Name]
		switch {
		case !ok:
			added = append(added, in.Name)
		case prev != string(b):
			changed = append(changed, in.Name)
		}
		delete(old, in.Name)
	}
	for name := range old {
		removed = append(removed, name)
	}
	_, exBefore := before.Counts()
	intents, exAfter := after.Counts()
	d := map[string]any{"intents": intents, "examples_before": exBefore, "examples": exAfter}
	if len(added) > 0 {
		d["added"] = added
	}
	if len(removed) > 0 {
		d["removed"] = removed
	}
	if len(changed) > 0 {
		d["changed"] = changed
	}
	if note != "" {
		d["note"] = note
	}
	return d
}

func (s *Server) catalogVersions(c *gin.Context) {
	ed, err := s.catalogs()
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := ed.Versions(c.Request.Context(), 100)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"versions": list})
}

func (s *Server) catalogVersion(c *gin.Context) {
	ed, err := s.catalogs()
	if err != nil {
		s.fail(c, err)
		return
	}
	n, err := strconv.Atoi(c.Param("version"))
	if err != nil || n <= 0 {
		s.fail(c, invalid("invalid_version", "version must be a positive integer"))
		return
	}
	v, err := ed.Version(c.Request.Context(), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"version": v})
}

// parseSentence shows what the NLU makes of a sentence, with the decision
// path: admins check a new phrasing right after saving it.
func (s *Server) parseSentence(c *gin.Context) {
	if s.NLU == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "nlu_not_configured", "the NLU is not available on this server"))
		return
	}
	var req struct {
		Text string `json:"text"`
	}
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		s.fail(c, invalid("empty_message", "the text is empty"))
		return
	}
	if utf8.RuneCountInString(text) > 1000 {
		s.fail(c, invalid("message_too_long", "the text must be at most 1000 characters"))
		return
	}
	res, err := s.NLU.Parse(c.Request.Context(), nlu.Input{Text: text, Lang: appliance.DetectLang(text), Channel: "console"})
	if err != nil {
		s.fail(c, err)
		return
	}
	if !can(currentUser(c).Role, permPIIView) {
		res = res.Redacted()
	}
	c.JSON(http.StatusOK, gin.H{"result": res})
}

// redactDecision masks personal numbers in a bot decision for roles that may
// not see them: the entities and slots the NLU found, and the dialogue's
// slots and focus. The stored decision keeps them for those who may.
func redactDecision(d *appliance.Decision) *appliance.Decision {
	if d == nil {
		return nil
	}
	cp := *d
	var ents []nlu.Entity
	if d.NLU != nil {
		r := d.NLU.Redacted()
		cp.NLU, ents = &r, d.NLU.Entities
	}
	if d.Dialogue != nil {
		tr := *d.Dialogue
		tr.Filled, tr.Focus = nlu.MaskSlots(tr.Filled, ents...), nlu.MaskSlots(tr.Focus, ents...)
		cp.Dialogue = &tr
	}
	return &cp
}
