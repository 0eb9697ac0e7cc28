package console

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"
)

//go:embed openapi.yaml
var openAPIDoc []byte

var openAPIAsJSON = sync.OnceValues(func() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(openAPIDoc, &doc); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

func (s *Server) openAPIYAML(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", openAPIDoc)
}

func (s *Server) openAPIJSON(c *gin.Context) {
	data, err := openAPIAsJSON()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", data)
}
