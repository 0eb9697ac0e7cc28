package console

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"kefu/console/widget"
)

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Kefu</title>
<p>控制台界面尚未构建：请运行 <code>make build</code>。<br>The console UI was not built: run <code>make build</code>.</p>`

func (s *Server) mountStatic(r *gin.Engine) {
	r.GET("/widget.js", func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Header("Access-Control-Allow-Origin", "*")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", widget.Script)
	})
	r.GET("/widget/demo", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", widget.DemoPage)
	})
	if s.UI != nil {
		if assets, err := fs.Sub(s.UI, "assets"); err == nil {
			r.GET("/assets/*file", func(c *gin.Context) {
				c.Header("Cache-Control", "public, max-age=31536000, immutable")
				c.FileFromFS(strings.TrimPrefix(c.Param("file"), "/"), http.FS(assets))
			})
		}
	}
	r.GET("/", s.serveIndex)
}

func (s *Server) serveIndex(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	if s.UI != nil {
		if data, err := fs.ReadFile(s.UI, "index.html"); err == nil {
			c.Data(http.StatusOK, "text/html; charset=utf-8", data)
			return
		}
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuilt))
}
