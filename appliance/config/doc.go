// Package config is Kefu's configuration: one table of keys with defaults,
// validation and a secret flag, read from one YAML file and overridden by
// KEFU_* environment variables (secrets also from KEFU_*_FILE).
//
// A key's environment variable is KEFU_ + the key path upper-cased with dots
// replaced by underscores: http.addr → KEFU_HTTP_ADDR.
package config
