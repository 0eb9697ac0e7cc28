package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"kefu/appliance"
	"kefu/appliance/store"
)

func TestCatalogVersions(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.LatestCatalog(ctx); !appliance.IsNotFound(err) {
			t.Fatalf("latest of none: got %v, want ENOTFOUND", err)
		}
		yaml := "name: shop\nintents:\n  - name: greeting\n    examples: {zh: [你好, 在吗]}\n    fulfilment: {kind: knowledge}\n" + strings.Repeat("# 注释\n", 5000)
		v1 := &appliance.CatalogVersion{Name: "shop", YAML: yaml, Intents: 1, Examples: 2, AuthorID: 1, AuthorName: "admin", Note: "加了问候"}
		if err := s.SaveCatalog(ctx, v1, 0); err != nil {
			t.Fatal(err)
		}
		if v1.Version != 1 || v1.CreatedAt.IsZero() {
			t.Fatalf("first save: got version %d at %v, want 1 with a time", v1.Version, v1.CreatedAt)
		}
		// A save from an old base is refused: someone else saved meanwhile.
		stale := &appliance.CatalogVersion{Name: "shop", YAML: "x"}
		if err := s.SaveCatalog(ctx, stale, 0); appliance.ErrorCode(err) != "catalog_changed" {
			t.Fatalf("stale save: got %v, want catalog_changed", err)
		}
		v2 := &appliance.CatalogVersion{Name: "shop", YAML: yaml + "# v2\n", AuthorName: "admin"}
		if err := s.SaveCatalog(ctx, v2, 1); err != nil || v2.Version != 2 {
			t.Fatalf("second save: got %d %v, want version 2", v2.Version, err)
		}
		latest, err := s.LatestCatalog(ctx)
		if err != nil || latest.Version != 2 || latest.YAML != v2.YAML {
			t.Fatalf("latest: got %+v %v, want version 2 with its YAML intact", latest, err)
		}
		first, err := s.CatalogVersion(ctx, 1)
		if err != nil || first.YAML != yaml || first.Note != "加了问候" || first.AuthorName != "admin" || first.Examples != 2 {
			t.Fatalf("version 1: got %+v %v", first, err)
		}
		if _, err := s.CatalogVersion(ctx, 9); !appliance.IsNotFound(err) {
			t.Errorf("missing version: got %v, want ENOTFOUND", err)
		}
		list, err := s.CatalogVersions(ctx, 10)
		if err != nil || len(list) != 2 || list[0].Version != 2 || list[1].Version != 1 || list[0].YAML != "" {
			t.Errorf("list: got %+v %v, want versions 2 and 1 without their YAML", list, err)
		}
		// Concurrent saves from the same base: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.SaveCatalog(ctx, &appliance.CatalogVersion{Name: "shop", YAML: "y"}, 2)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !appliance.IsConflict(err):
				t.Errorf("concurrent save: got %v, want success or ECONFLICT", err)
			}
		}
		if won != 1 {
			t.Errorf("concurrent saves from one base: %d won, want exactly 1", won)
		}
	})
}
