package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"time"

	"kefu/appliance"
	"kefu/appliance/config"
	"kefu/appliance/playbook"
	"kefu/appliance/store"
	"kefu/appliance/ticket"
	"kefu/connectors"
	"kefu/connectors/actions"
	"kefu/connectors/demobiz"
	"kefu/nlu"
)

// Business is the playbook side of the appliance: business actions, the
// ticket desk, the industry playbooks and the documents admins edit.
type Business struct {
	Actions   *actions.Runner
	Tickets   *ticket.Service
	Policy    *playbook.Policy
	Documents *playbook.Documents
	// Demo is the demo enterprise's systems, when serving the demo.
	Demo *demobiz.Server
}

// engineRef lets the ticket desk tell customers through the engine, which
// is built after it.
type engineRef struct{ p *Program }

func (r engineRef) TellCustomer(ctx context.Context, convID int64, text string) (*appliance.Message, error) {
	if r.p.Engine == nil {
		return nil, appliance.Errorf(appliance.EUNAVAILABLE, "engine_not_ready", "the engine is not running yet")
	}
	return r.p.Engine.TellCustomer(ctx, convID, text)
}

func readDoc(path string, shipped []byte) ([]byte, error) {
	if path == "" {
		return shipped, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("unable to read %s: %w", path, err)
	}
	return b, nil
}

// openBusiness assembles actions, tickets and playbooks from configuration;
// with the demo it starts the demo enterprise's systems and points the
// actions at them. Console edits stored in the database override files.
func openBusiness(ctx context.Context, p *Program, catalog func() *nlu.Catalog) (*Business, error) {
	cfg := p.Config
	b := &Business{}
	aopts := actions.Options{Logger: p.Log}
	if p.Demo {
		s, err := demobiz.Start(time.Now())
		if err != nil {
			return nil, fmt.Errorf("demo business systems: %w", err)
		}
		p.closers = append(p.closers, s.Close)
		b.Demo = s
		aopts.BaseURLs = s.BaseURLs()
		aopts.Secret = func(ref actions.SecretRef) (string, error) {
			if v := os.Getenv(ref.Env); v != "" || ref.File != "" {
				return v, nil
			}
			return s.Secret(ref.Env)
		}
	}
	actionsDoc, err := readDoc(cfg.Playbooks.Actions, demobiz.Actions())
	if err != nil {
		return nil, fmt.Errorf("playbooks.actions: %w", err)
	}
	if b.Actions, err = actions.New(aopts, actionsDoc); err != nil {
		return nil, err
	}
	typesDoc, err := readDoc(cfg.Playbooks.Tickets, ticket.DefaultTypes())
	if err != nil {
		return nil, fmt.Errorf("playbooks.tickets: %w", err)
	}
	b.Tickets, err = ticket.New(ticket.Options{Store: p.Store, Teller: engineRef{p}, Logger: p.Log,
		Client: func(urls ...string) (*http.Client, error) { return connectors.NewHTTPClient(10*time.Second, urls...) }}, typesDoc)
	if err != nil {
		return nil, err
	}
	docs, names, err := playbookDocs(cfg)
	if err != nil {
		return nil, err
	}
	b.Policy, err = playbook.New(playbook.Options{Actions: b.Actions, Profile: b.Actions, Knowledge: p.KB.Responder,
		Catalog: catalog, History: p.Store, Tickets: b.Tickets, Logger: p.Log}, docs)
	if err != nil {
		return nil, err
	}
	b.Documents = playbook.NewDocuments(p.Store)
	b.Documents.Group("playbooks", b.Policy.Load)
	b.Documents.Group("actions", func(bodies [][]byte) error { return b.Actions.Load(bodies[0]) })
	b.Documents.Group("tickets", func(bodies [][]byte) error { return b.Tickets.Load(bodies[0]) })
	for i, n := range names {
		b.Documents.Add("playbooks", "playbook:"+n, docs[i])
	}
	b.Documents.Add("actions", "actions", actionsDoc)
	b.Documents.Add("tickets", "tickets", typesDoc)
	if err := b.Documents.Load(ctx); err != nil {
		return nil, fmt.Errorf("stored playbook edits: %w", err)
	}
	dctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.Tickets.Run(dctx, cfg.Playbooks.DispatchInterval) }()
	p.closers = append(p.closers, func() error { cancel(); <-done; return nil })
	return b, nil
}

func playbookDocs(cfg *config.Config) ([][]byte, []string, error) {
	var docs [][]byte
	var names []string
	for _, n := range cfg.Playbooks.Names {
		var body []byte
		var err error
		name := n
		if slices.Contains(playbook.Names(), n) {
			body, err = playbook.Default(n)
		} else {
			body, err = os.ReadFile(n)
			if pb, perr := playbook.Parse(body); err == nil && perr == nil {
				name = pb.Name
			}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("playbooks.names: %q is neither a shipped playbook (%v) nor a readable file: %w", n, playbook.Names(), err)
		}
		docs, names = append(docs, body), append(names, name)
	}
	return docs, names, nil
}

var _ playbook.DocStore = (*store.Store)(nil)
