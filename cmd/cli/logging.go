package cli

import (
	"io"
	"log/slog"

	"kefu/appliance/pii"
)

// NewLogger builds the process logger: log/slog with snake_case keys, and
// phone, ID-card and bank-card numbers masked in every string it writes.
func NewLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		switch a.Value.Kind() {
		case slog.KindString:
			if s := a.Value.String(); pii.Contains(s) {
				return slog.String(a.Key, pii.Mask(s))
			}
		case slog.KindAny:
			if err, ok := a.Value.Any().(error); ok {
				return slog.String(a.Key, pii.Mask(err.Error()))
			}
		}
		return a
	}}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
