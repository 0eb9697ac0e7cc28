package actions

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"text/template"

	"kefu/appliance"
)

// templateData is what templates see: .slots, .vars, .customer, .context, .lang.
func templateData(in appliance.ActionInput) map[string]any {
	cust := map[string]string{}
	if c := in.Customer; c != nil {
		cust["id"] = strconv.FormatInt(c.ID, 10)
		cust["name"] = c.DisplayName
		for _, id := range c.Identities {
			switch id.Kind {
			case appliance.IdentityAppUser:
				if cust["user_id"] == "" {
					cust["user_id"] = id.Value
				}
			case appliance.IdentityPhone:
				if id.Verified && cust["phone"] == "" {
					cust["phone"] = id.Value
				}
			}
		}
	}
	lang := in.Lang
	if lang == "" {
		lang = "zh"
	}
	vars := map[string]string{}
	for k, v := range in.Slots {
		derive(vars, k, v)
	}
	for k, v := range in.Vars {
		vars[k] = v
	}
	return map[string]any{"slots": strMap(in.Slots), "vars": vars, "customer": cust,
		"context": strMap(in.Context), "lang": lang}
}

// derive adds plain numbers for money slots, as business systems want them:
// "CNY 5000" gives <slot>_yuan=5000, "300-500" gives <slot>_min and <slot>_max.
func derive(vars map[string]string, slot, v string) {
	if n, ok := strings.CutPrefix(v, "CNY "); ok {
		vars[slot+"_yuan"] = n
		return
	}
	if lo, hi, ok := strings.Cut(v, "-"); ok && isNumber(lo) && isNumber(hi) {
		vars[slot+"_min"], vars[slot+"_max"] = lo, hi
	}
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return s != "" && err == nil
}

func strMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// render executes a template; a template that fails renders as empty (the
// document was validated at load, so only odd data gets here).
func render(tpl string, data any) string {
	if tpl == "" {
		return ""
	}
	t, err := template.New("").Option("missingkey=zero").Parse(tpl)
	if err != nil {
		return ""
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return ""
	}
	return strings.ReplaceAll(b.String(), "<no value>", "")
}

// renderPath renders a URL or path template with every substituted value
// path-escaped, so a slot can never change the host or add path segments.
func renderPath(tpl string, data map[string]any) string {
	return render(tpl, escapeAll(data))
}

func escapeAll(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = escapeAll(e)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, e := range x {
			out[k] = url.PathEscape(e)
		}
		return out
	case string:
		return url.PathEscape(x)
	}
	return v
}

// lookup follows a dotted path ("order.items.0.title", "hotels.#" for a
// length, "." for the whole document) into decoded JSON.
func lookup(v any, path string) (any, bool) {
	if path == "." || path == "" {
		return v, true
	}
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[part]
			if !ok {
				return nil, false
			}
			v = e
		case []any:
			if part == "#" {
				return int64(len(x)), true
			}
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		case map[string]string:
			e, ok := x[part]
			if !ok {
				return nil, false
			}
			v = e
		default:
			return nil, false
		}
	}
	return v, true
}

func lookupString(v any, path string) string {
	x, _ := lookup(v, path)
	return toString(x)
}

// normalize turns json.Numbers into int64 or float64 so templates print
// them plainly and playbooks can compute with them.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
