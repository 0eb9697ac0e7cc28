package console

import (
	"bufio"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// wsWriter lets coder/websocket upgrade a connection inside a Gin handler.
// The upgrade writes status 101 and then hijacks the connection: the 101 must
// reach net/http's own writer (which sends it when hijacked), while the
// hijack must go through Gin's writer so Gin knows not to write a response
// afterwards. Gin 1.12 refuses a hijack once its writer has written, which
// is what the library's own Gin workaround does, hence this adapter.
type wsWriter struct{ gin gin.ResponseWriter }

func (w wsWriter) Header() http.Header         { return w.gin.Header() }
func (w wsWriter) Write(b []byte) (int, error) { return w.gin.Write(b) }

func (w wsWriter) WriteHeader(code int) {
	if code == http.StatusSwitchingProtocols {
		if u, ok := w.gin.(interface{ Unwrap() http.ResponseWriter }); ok {
			u.Unwrap().WriteHeader(code)
			return
		}
	}
	w.gin.WriteHeader(code)
}

func (w wsWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.gin.Hijack() }
