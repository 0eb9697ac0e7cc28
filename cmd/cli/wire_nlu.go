package cli

import (
	"context"
	"log/slog"

	"kefu/appliance"
	"kefu/appliance/config"
	"kefu/nlu"
)

// catalogAtStart returns the intent catalog the NLU starts with: the newest
// version admins saved in the console, else the configured nlu.catalogs. A
// saved version that no longer loads (written by an older release, say) is
// reported and the configured catalogs are used, so the bot still answers.
func catalogAtStart(ctx context.Context, cfg *config.Config, store appliance.CatalogStore, log *slog.Logger) (*nlu.Catalog, error) {
	cat, v, err := appliance.StoredCatalog(ctx, store)
	switch {
	case err != nil && v == nil:
		return nil, err
	case err != nil:
		log.Error("the saved intent catalog does not load; using the configured catalogs (nlu.catalogs) until it is saved again",
			slog.Int("version", v.Version), slog.Any("error", err))
	case cat != nil:
		log.Info("intent catalog loaded from the database", slog.Int("version", v.Version), slog.String("saved_by", v.AuthorName),
			slog.Time("saved_at", v.CreatedAt))
		return cat, nil
	}
	return loadCatalog(cfg.NLU.Catalogs)
}
