package appliance

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"kefu/nlu"
)

// CatalogVersion is one saved version of the deployment's intent catalog:
// admins edit the catalog in the console, and each save is a new version,
// kept with who saved it and when.
type CatalogVersion struct {
	Version    int       `json:"version"`
	Name       string    `json:"name"`           // the catalog's own name
	YAML       string    `json:"yaml,omitempty"` // the catalog as saved; empty in lists
	Intents    int       `json:"intents"`
	Examples   int       `json:"examples"`
	AuthorID   int64     `json:"author_id,omitempty"`
	AuthorName string    `json:"author_name,omitempty"`
	Note       string    `json:"note,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// CatalogStore keeps catalog versions.
type CatalogStore interface {
	// LatestCatalog returns the newest version, ENOTFOUND when none was saved.
	LatestCatalog(ctx context.Context) (*CatalogVersion, error)
	// CatalogVersion returns one version, ENOTFOUND when there is none.
	CatalogVersion(ctx context.Context, version int) (*CatalogVersion, error)
	// CatalogVersions lists versions newest first, without their YAML.
	CatalogVersions(ctx context.Context, limit int) ([]*CatalogVersion, error)
	// SaveCatalog stores v as the version after base (0: none yet) and sets
	// v.Version; ECONFLICT when another version was saved after base.
	SaveCatalog(ctx context.Context, v *CatalogVersion, base int) error
}

// CatalogTrainer is the NLU engine whose catalog the admins edit; the NLU
// cascade implements it.
type CatalogTrainer interface {
	Catalog() *nlu.Catalog
	// Reload trains on cat and swaps it in without a restart; on error the
	// previous catalog stays in use.
	Reload(ctx context.Context, cat *nlu.Catalog) error
}

// Catalogs edits the intent catalog: it validates, versions and applies each
// save, one at a time, so the catalog in use is always the newest version.
type Catalogs struct {
	store   CatalogStore
	trainer CatalogTrainer
	log     *slog.Logger
	mu      sync.Mutex
}

// NewCatalogs returns the catalog editor.
func NewCatalogs(store CatalogStore, trainer CatalogTrainer, log *slog.Logger) *Catalogs {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Catalogs{store: store, trainer: trainer, log: log}
}

// Current returns the catalog in use and its saved version; the version is
// nil while the catalog still comes from configuration (nlu.catalogs).
func (c *Catalogs) Current(ctx context.Context) (*nlu.Catalog, *CatalogVersion, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cat := c.trainer.Catalog()
	v, err := c.store.LatestCatalog(ctx)
	if IsNotFound(err) {
		return cat, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return cat, v, nil
}

// Versions lists saved versions, newest first.
func (c *Catalogs) Versions(ctx context.Context, limit int) ([]*CatalogVersion, error) {
	return c.store.CatalogVersions(ctx, limit)
}

// Version returns one saved version with its YAML.
func (c *Catalogs) Version(ctx context.Context, version int) (*CatalogVersion, error) {
	return c.store.CatalogVersion(ctx, version)
}

// Save stores cat as the version after base and applies it: the NLU retrains
// on it and uses it from the next message on. base is the version the editor
// started from (0 for the configured catalog); if someone saved since, the
// save is refused with ECONFLICT so no edit is silently lost.
func (c *Catalogs) Save(ctx context.Context, cat *nlu.Catalog, base int, actor *User, note string) (*CatalogVersion, error) {
	data, err := cat.YAML()
	if err != nil {
		return nil, err
	}
	intents, examples := cat.Counts()
	v := &CatalogVersion{Name: cat.Name, YAML: string(data), Intents: intents, Examples: examples, Note: note, CreatedAt: time.Now().UTC()}
	if actor != nil {
		v.AuthorID, v.AuthorName = actor.ID, actor.Username
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.store.SaveCatalog(ctx, v, base); err != nil {
		return nil, err
	}
	// The version is saved: train even if the request goes away meanwhile,
	// so the catalog in use is the newest saved one.
	if err := c.trainer.Reload(context.WithoutCancel(ctx), cat); err != nil {
		c.log.Error("saved catalog version failed to train; the previous catalog stays in use until a restart",
			slog.Int("version", v.Version), slog.Any("error", err))
		return nil, Errorf(EINTERNAL, "catalog_training_failed", "version %d was saved but could not be applied: %v", v.Version, err)
	}
	c.log.Info("intent catalog updated", slog.Int("version", v.Version), slog.String("by", v.AuthorName),
		slog.Int("intents", intents), slog.Int("examples", examples))
	return v, nil
}

// StoredCatalog returns the newest saved catalog, or nil when none was saved
// (the configured catalogs apply then). A saved catalog that no longer
// parses is an error naming its version.
func StoredCatalog(ctx context.Context, store CatalogStore) (*nlu.Catalog, *CatalogVersion, error) {
	v, err := store.LatestCatalog(ctx)
	if IsNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	cat, err := nlu.ParseCatalog([]byte(v.YAML), "catalog version "+strconv.Itoa(v.Version))
	if err != nil {
		return nil, v, err
	}
	return cat, v, nil
}
