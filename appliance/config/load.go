package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Key describes one configuration key.
type Key struct {
	Path    string // e.g. "http.addr"
	Env     string // e.g. "KEFU_HTTP_ADDR"
	Default string
	Secret  bool
	Help    string
	field   []int
}

// Keys lists every configuration key, in declaration order.
func Keys() []Key {
	var keys []Key
	walk(reflect.TypeOf(Config{}), "", nil, &keys)
	return keys
}

func walk(t reflect.Type, prefix string, index []int, keys *[]Key) {
	for i := range t.NumField() {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		idx := append(append([]int(nil), index...), i)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
			walk(f.Type, path, idx, keys)
			continue
		}
		*keys = append(*keys, Key{Path: path, Env: EnvName(path), Default: f.Tag.Get("default"),
			Secret: f.Tag.Get("secret") == "true", Help: f.Tag.Get("help"), field: idx})
	}
}

// EnvName is the environment variable of a key path.
func EnvName(path string) string {
	return "KEFU_" + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}

// Load builds the configuration: defaults, then the YAML file (if path is
// not empty), then the environment. getenv is os.Getenv in production.
func Load(path string, getenv func(string) string) (*Config, error) {
	c := &Config{}
	keys := Keys()
	for _, k := range keys {
		if err := set(c, k, k.Default); err != nil {
			return nil, fmt.Errorf("config: default of %s: %w", k.Path, err)
		}
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: unable to read %s: %w", path, err)
		}
		if err := applyYAML(c, keys, data); err != nil {
			return nil, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	for _, k := range keys {
		v, ok, err := lookupEnv(k, getenv)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if err := set(c, k, v); err != nil {
			return nil, fmt.Errorf("config: %s (from %s): %w", k.Path, k.Env, err)
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func lookupEnv(k Key, getenv func(string) string) (string, bool, error) {
	if k.Secret {
		if file := getenv(k.Env + "_FILE"); file != "" {
			data, err := os.ReadFile(file)
			if err != nil {
				return "", false, fmt.Errorf("config: %s: unable to read %s_FILE: %w", k.Path, k.Env, err)
			}
			return strings.TrimRight(string(data), "\r\n"), true, nil
		}
	}
	if v := getenv(k.Env); v != "" {
		return v, true, nil
	}
	return "", false, nil
}

// applyYAML sets the keys present in a YAML document, refusing unknown keys
// by their full path so a typo never goes unnoticed.
func applyYAML(c *Config, keys []Key, data []byte) error {
	var doc map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("invalid YAML: %w", err)
	}
	byPath := map[string]Key{}
	for _, k := range keys {
		byPath[k.Path] = k
	}
	flat := map[string]any{}
	flatten("", doc, flat)
	paths := make([]string, 0, len(flat))
	for p := range flat {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		k, ok := byPath[p]
		if !ok {
			return fmt.Errorf("unknown key %q", p)
		}
		if err := set(c, k, scalar(flat[p])); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

func flatten(prefix string, v any, out map[string]any) {
	m, ok := v.(map[string]any)
	if !ok {
		out[prefix] = v
		return
	}
	for k, x := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		flatten(p, x, out)
	}
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(x)
	}
}

func set(c *Config, k Key, s string) error {
	f := reflect.ValueOf(c).Elem().FieldByIndex(k.field)
	switch f.Interface().(type) {
	case time.Duration:
		if s == "" {
			f.SetInt(0)
			return nil
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration (e.g. 30s, 5m)", s)
		}
		f.SetInt(int64(d))
	case string:
		f.SetString(s)
	case bool:
		if s == "" {
			f.SetBool(false)
			return nil
		}
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		f.SetBool(b)
	case float64:
		if s == "" {
			f.SetFloat(0)
			return nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		f.SetFloat(x)
	case int, int64:
		if s == "" {
			f.SetInt(0)
			return nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
		f.SetInt(n)
	case []string:
		var list []string
		// A JSON array holds items with commas in them (regular expressions).
		if strings.HasPrefix(strings.TrimSpace(s), "[") {
			if err := json.Unmarshal([]byte(s), &list); err != nil {
				return fmt.Errorf("%q is not a JSON array of strings", s)
			}
			f.Set(reflect.ValueOf(list))
			return nil
		}
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				list = append(list, p)
			}
		}
		f.Set(reflect.ValueOf(list))
	default:
		return fmt.Errorf("unsupported type %s", f.Type())
	}
	return nil
}

// Print writes the effective configuration as key = value lines, secrets masked.
func Print(c *Config, w io.Writer) {
	v := reflect.ValueOf(c).Elem()
	for _, k := range Keys() {
		f := v.FieldByIndex(k.field)
		val := fmt.Sprint(f.Interface())
		if l, ok := f.Interface().([]string); ok {
			val = strings.Join(l, ",")
		}
		if k.Secret && val != "" {
			val = "********"
		}
		fmt.Fprintf(w, "%s = %q\n", k.Path, val)
	}
}
