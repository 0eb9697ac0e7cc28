package connectors

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ErrHostNotAllowed is wrapped by the error a request to an unconfigured host
// fails with.
var ErrHostNotAllowed = fmt.Errorf("connectors: host not configured")

// allowlist is a RoundTripper that refuses every request whose scheme and
// host are not among the configured API base URLs. Redirects go through the
// transport too, so a redirect to another host is refused as well.
type allowlist struct {
	next    http.RoundTripper
	allowed []string // "scheme://host[:port]"
}

func (a *allowlist) RoundTrip(r *http.Request) (*http.Response, error) {
	origin := strings.ToLower(r.URL.Scheme + "://" + r.URL.Host)
	if !slices.Contains(a.allowed, origin) {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s is not among the configured API endpoints %v", ErrHostNotAllowed, origin, a.allowed)
	}
	return a.next.RoundTrip(r)
}

// NewHTTPClient returns a client that only reaches the hosts of the given base
// URLs (e.g. "https://api.weixin.qq.com", or a gateway the deployment names),
// with a timeout per request. It fails on a base URL that is not absolute
// http(s). The appliance calls only endpoints the configuration names.
func NewHTTPClient(timeout time.Duration, baseURLs ...string) (*http.Client, error) {
	a := &allowlist{next: http.DefaultTransport.(*http.Transport).Clone()}
	for _, b := range baseURLs {
		u, err := url.Parse(b)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("connectors: API base URL %q must be an absolute http(s) URL", b)
		}
		a.allowed = append(a.allowed, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &http.Client{Transport: a, Timeout: timeout}, nil
}

// JoinURL joins an API base URL (which may carry a gateway path prefix) and
// an API path.
func JoinURL(base, path string) string {
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(path, "/")
}
