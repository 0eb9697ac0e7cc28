package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kefu/appliance"
	"kefu/appliance/cluster"
	"kefu/console"
	"kefu/nlu"
)

// openCluster makes this node a member of the cluster (cluster.enabled):
// events published here go to the other nodes through the database, theirs
// reach this node's sockets and router, and presence hears who is connected
// elsewhere. Call after the hub exists and before the console server.
func (p *Program) openCluster() error {
	c := p.Config.Cluster
	if !c.Enabled {
		return nil
	}
	node, err := cluster.New(cluster.Options{
		ID: c.NodeID, Store: p.Store, Poll: c.Poll, Heartbeat: c.Heartbeat, Logger: p.Log,
		Deliver: p.deliver,
		Routing: p.routing.Load,
		Connected: func() []int64 {
			if p.Server == nil {
				return nil
			}
			return p.Server.Present()
		},
	})
	if err != nil {
		return err
	}
	p.Node = node
	p.Hub.Forward(node.Publish)
	counter := func(name, help string, f func(cluster.Stats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(f(node.Stats())) })
	}
	p.Metrics.Registry().MustRegister(
		counter("kefu_cluster_events_published_total", "Live events this node wrote to the cluster's event log.",
			func(s cluster.Stats) int64 { return s.Published }),
		counter("kefu_cluster_events_delivered_total", "Live events of other nodes this node delivered.",
			func(s cluster.Stats) int64 { return s.Delivered }),
		counter("kefu_cluster_events_dropped_total", "Live events that did not reach the other nodes (queue full or database error).",
			func(s cluster.Stats) int64 { return s.Dropped }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kefu_cluster_router", Help: "1 while this node routes the queue."},
			func() float64 {
				if p.routing.Load() {
					return 1
				}
				return 0
			}),
	)
	return nil
}

// deliver takes an event another node published: a change to reload or
// apply, or a live event for this node's sockets and router.
func (p *Program) deliver(e appliance.Event) {
	if e.Type == appliance.EventChanged {
		if p.Server.Remote(e.Changed, e.Subject) {
			return
		}
		// Off the reader: retraining a catalog takes seconds. Each reload
		// reads what is stored now, so their order is moot.
		p.reloads.Add(1)
		go func() {
			defer p.reloads.Done()
			p.reloadMu.Lock()
			defer p.reloadMu.Unlock()
			p.reload(e.Changed)
		}()
		return
	}
	p.Hub.Deliver(e)
	p.Router.Observe(e) // a hand-off on another node is routed at once
}

// reload applies a change an administrator made through another node.
func (p *Program) reload(what string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var err error
	switch what {
	case appliance.ChangedKnowledge:
		_, err = p.KB.Service.Sync(ctx)
	case appliance.ChangedCatalog:
		var cat *nlu.Catalog
		if cat, err = catalogAtStart(ctx, p.Config, p.Store, p.Log); err == nil {
			err = p.NLU.Reload(ctx, cat)
		}
	case appliance.ChangedQARules:
		if p.QA.Watcher != nil {
			p.QA.Watcher.Reload()
		}
	case appliance.ChangedChannels:
		err = p.Channels.Reload(ctx)
	case appliance.ChangedPlaybooks:
		if p.Business != nil && p.Business.Documents != nil {
			err = p.Business.Documents.Load(ctx)
		}
	default:
		p.Log.Warn("cluster: unknown change announced", slog.String("changed", what))
		return
	}
	if err != nil {
		p.Log.Error("cluster: applying a change made on another node failed", slog.String("changed", what), slog.Any("error", err))
		return
	}
	p.Log.Info("applied a change made on another node", slog.String("changed", what))
}

// changed announces to the other nodes what a request on this one changed.
func (p *Program) changed() func(string, string) {
	if p.Node == nil {
		return nil
	}
	return func(what, subject string) {
		p.Node.Publish(appliance.Event{Type: appliance.EventChanged, Changed: what, Subject: subject})
	}
}

// members is the routing board's view of the cluster (nil on one node: an
// interface holding a nil *Node would not be nil).
func (p *Program) members() console.ClusterMembers {
	if p.Node == nil {
		return nil
	}
	return p.Node
}

// sharedLock locks a customer across the cluster's nodes, so a customer
// whose messages reach two nodes at once is handled one message at a time.
func (p *Program) sharedLock() func(context.Context, int64) (func(), error) {
	if p.Node == nil {
		return nil
	}
	return p.Store.LockCustomer
}

// elsewhere is the console's view of presence on the other nodes.
func (p *Program) elsewhere() func(int64) bool {
	if p.Node == nil {
		return nil
	}
	return p.Node.ConnectedElsewhere
}

// route runs the router. In a cluster only one node routes at a time: the
// one holding the "router" lock (the lock scheduled jobs use: on MySQL it is
// let go when its node's connection closes, on SQLite a lease that expires);
// the others wait to take over. The routing node also takes over inbound
// messages a stopped node left unanswered or undelivered, and polls the
// WeCom 客服 accounts.
func (p *Program) route(ctx context.Context) {
	if p.Node == nil {
		p.Router.Run(ctx, p.Engine)
		return
	}
	retry := time.NewTicker(p.Config.Cluster.Heartbeat)
	defer retry.Stop()
	for {
		release, err := p.Store.TryJobLock(ctx, "router")
		if err == nil {
			p.Log.Info("this node routes the queue", slog.String("node", p.Node.ID()))
			p.routing.Store(true)
			done := make(chan struct{})
			go func() { defer close(done); p.takeOver(ctx) }()
			go p.Channels.Run(ctx) // WeCom 客服 polling: once per cluster
			p.Router.Run(ctx, p.Engine)
			<-done
			p.routing.Store(false)
			release()
			return
		}
		if !appliance.IsConflict(err) && ctx.Err() == nil {
			p.Log.Warn("cluster: taking the router lock failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-retry.C:
		}
	}
}

// takeOver answers and delivers, every so often, the inbound messages left
// by a node that stopped (older than cluster.recover).
func (p *Program) takeOver(ctx context.Context) {
	age := p.Config.Cluster.Recover
	every(ctx, max(age/4, time.Second), func() {
		before := time.Now().Add(-age)
		n, err := p.Engine.RecoverBefore(ctx, before)
		p.logCount(ctx, n, err, "cluster: answering messages a stopped node left failed", "answered messages a stopped node left")
		n, err = p.Engine.RedeliverBefore(ctx, before)
		p.logCount(ctx, n, err, "cluster: delivering messages a stopped node left failed", "delivering messages a stopped node left")
	})
}
