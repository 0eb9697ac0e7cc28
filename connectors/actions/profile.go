package actions

import (
	"context"
	"log/slog"
	"sort"
	"time"

	"kefu/appliance"
)

// BusinessRecords implements appliance.BusinessProfile: it runs the profile
// actions for the customer and maps their lists into records, newest first.
// A source that fails is logged and left out; the rest still show.
func (r *Runner) BusinessRecords(ctx context.Context, c *appliance.Customer) ([]appliance.BusinessRecord, error) {
	l := r.cur.Load()
	in := appliance.ActionInput{Customer: c}
	var out []appliance.BusinessRecord
	for _, src := range l.cfg.Profile {
		a := l.byName[src.Action]
		data := templateData(in)
		missing := false
		for _, need := range a.Needs {
			if lookupString(data, need) == "" {
				missing = true
			}
		}
		if missing {
			continue
		}
		raw, _, _, reason := r.fetch(ctx, l, a, data)
		if reason != "" {
			if reason != FailNotFound {
				r.log.Warn("profile source failed", slog.String("action", src.Action), slog.String("reason", reason))
			}
			continue
		}
		items, ok := lookup(raw, src.Items)
		if !ok {
			continue
		}
		list, isList := items.([]any)
		if !isList {
			list = []any{items}
		}
		for _, it := range list {
			// A field the source does not map stays empty (an empty path
			// would look up the whole item).
			field := func(name string) string {
				if p := src.Record[name]; p != "" {
					return lookupString(it, p)
				}
				return ""
			}
			rec := appliance.BusinessRecord{Kind: src.Kind, ID: field("id"), Title: field("title"),
				Status: field("status"), Amount: field("amount")}
			if p := src.Record["date"]; p != "" {
				rec.Date = parseDate(lookupString(it, p))
			}
			for _, d := range src.Detail {
				if v := lookupString(it, d); v != "" {
					if rec.Detail == nil {
						rec.Detail = map[string]string{}
					}
					rec.Detail[d] = v
				}
			}
			if rec.ID != "" || rec.Title != "" {
				out = append(out, rec)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.After(out[j].Date) })
	return out, nil
}

func parseDate(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
