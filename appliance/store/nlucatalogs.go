package store

import (
	"context"
	"fmt"
	"time"

	"kefu/appliance"
)

type catalogVersionRow struct {
	ID         int64 `gorm:"primaryKey"`
	Version    int
	Name       string
	YAML       string `gorm:"column:yaml"`
	Intents    int
	Examples   int
	AuthorID   int64
	AuthorName string
	Note       string
	CreatedAt  time.Time
}

func (catalogVersionRow) TableName() string { return "nlu_catalog_versions" }

func (r *catalogVersionRow) domain() *appliance.CatalogVersion {
	return &appliance.CatalogVersion{Version: r.Version, Name: r.Name, YAML: r.YAML, Intents: r.Intents, Examples: r.Examples,
		AuthorID: r.AuthorID, AuthorName: r.AuthorName, Note: r.Note, CreatedAt: r.CreatedAt.UTC()}
}

// LatestCatalog implements appliance.CatalogStore.
func (s *Store) LatestCatalog(ctx context.Context) (*appliance.CatalogVersion, error) {
	var row catalogVersionRow
	if err := s.conn(ctx).Order("version DESC").Take(&row).Error; err != nil {
		return nil, notFound("catalog_version", err)
	}
	return row.domain(), nil
}

// CatalogVersion implements appliance.CatalogStore.
func (s *Store) CatalogVersion(ctx context.Context, version int) (*appliance.CatalogVersion, error) {
	var row catalogVersionRow
	if err := s.conn(ctx).Take(&row, "version = ?", version).Error; err != nil {
		return nil, notFound("catalog_version", err)
	}
	return row.domain(), nil
}

// CatalogVersions implements appliance.CatalogStore.
func (s *Store) CatalogVersions(ctx context.Context, limit int) ([]*appliance.CatalogVersion, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []catalogVersionRow
	err := s.conn(ctx).Select("id", "version", "name", "intents", "examples", "author_id", "author_name", "note", "created_at").
		Order("version DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list catalog versions: %w", err)
	}
	out := make([]*appliance.CatalogVersion, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// SaveCatalog implements appliance.CatalogStore. The unique version number
// makes two saves from the same base conflict even across nodes.
func (s *Store) SaveCatalog(ctx context.Context, v *appliance.CatalogVersion, base int) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		var latest int
		if err := s.conn(ctx).Model(&catalogVersionRow{}).Select("COALESCE(MAX(version), 0)").Scan(&latest).Error; err != nil {
			return fmt.Errorf("store: unable to read the latest catalog version: %w", err)
		}
		if latest != base {
			return appliance.Errorf(appliance.ECONFLICT, "catalog_changed",
				"the catalog was changed (version %d) since you opened version %d; reload it and apply your edit again", latest, base)
		}
		row := catalogVersionRow{Version: base + 1, Name: v.Name, YAML: v.YAML, Intents: v.Intents, Examples: v.Examples,
			AuthorID: v.AuthorID, AuthorName: v.AuthorName, Note: v.Note, CreatedAt: utc(v.CreatedAt)}
		if err := s.conn(ctx).Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return appliance.Errorf(appliance.ECONFLICT, "catalog_changed", "another version %d was saved at the same time; reload and apply your edit again", row.Version)
			}
			return fmt.Errorf("store: unable to save catalog version: %w", err)
		}
		v.Version, v.CreatedAt = row.Version, row.CreatedAt.UTC()
		return nil
	})
}
