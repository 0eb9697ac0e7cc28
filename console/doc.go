// Package console is Kefu's HTTP face: the Gin server with the REST and
// WebSocket APIs for the agents' console, the web widget and the app API,
// authentication (sessions with CSRF protection) and role-based access
// enforced on every route, health and metrics endpoints, and the embedded
// web UI. Handlers are thin: they translate HTTP to calls on the appliance.
package console
