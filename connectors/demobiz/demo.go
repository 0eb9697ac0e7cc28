package demobiz

import (
	_ "embed"
	"errors"
	"strings"
)

//go:embed actions.yaml
var actionsYAML []byte

// Actions returns the demo enterprise's business actions document.
func Actions() []byte { return actionsYAML }

// BaseURLs points every endpoint of the demo document at the running systems.
func (s *Server) BaseURLs() map[string]string {
	u := s.URL()
	return map[string]string{"shop": u, "edu": u, "bank": u, "hotels": u}
}

// Secret resolves the demo document's secrets to the systems' tokens.
func (s *Server) Secret(env string) (string, error) {
	sys := strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(env), "kefu_"), "_token")
	if t, ok := s.Tokens[sys]; ok {
		return t, nil
	}
	return "", errors.New("demobiz: no such secret")
}
