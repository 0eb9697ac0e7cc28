package cli

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/ollama/ollama/api"

	"kefu/appliance"
	"kefu/appliance/assist"
	"kefu/appliance/config"
	"kefu/appliance/store"
	"kefu/nlu"
	"kefu/nlu/catalogs"
)

// handoffParts are the pieces of hand-off and routing assembled before the
// engine exists; the workspace follows once it does (openWorkspace).
type handoffParts struct {
	relay     *appliance.Relay
	config    *appliance.HandoffConfig
	assistant appliance.Assistant
}

// openHandoff builds the routing policy, the router and the hand-off rules
// from the configuration. The business systems (p.Business) count towards
// the VIP rule; after-hours messages become tickets through the engine's
// ticket desk.
func (p *Program) openHandoff(cfg *config.Config, client *api.Client) (*handoffParts, error) {
	intentGroups, err := intentGroups(cfg.NLU.Catalogs, cfg.Routing.CatalogGroups)
	if err != nil {
		return nil, err
	}
	policy, err := cfg.RoutingPolicy(intentGroups)
	if err != nil {
		return nil, err
	}
	policy.VIP.Logger = p.Log
	if p.Business != nil && p.Business.Actions != nil {
		policy.VIP.Business = p.Business.Actions
	}
	p.Router = appliance.NewRouter(appliance.RouterConfig{Policy: policy, Store: p.Store, Notifier: p.Hub, Logger: p.Log})
	parts := &handoffParts{relay: appliance.NewRelay(p.Hub)}
	h := cfg.Handoff
	parts.config = &appliance.HandoffConfig{Policy: policy, UnsureTurns: h.UnsureTurns, MinAnswerConfidence: h.MinAnswerConfidence,
		MinIntentConfidence: h.MinIntentConfidence, NegativeSentiment: h.NegativeSentiment, Complaint: h.Complaint,
		VIPDirect: h.VIPDirect, CSAT: h.CSAT, CSATWindow: h.CSATWindow, Flags: p.Store, CSATs: p.Store}
	if client != nil {
		a, err := assist.New(assist.Config{Client: client, Model: cfg.Ollama.ChatModel, Timeout: 2 * cfg.Ollama.Timeout})
		if err != nil {
			return nil, err
		}
		parts.assistant = a
	}
	return parts, nil
}

// openWorkspace builds the agent workspace on the engine and lets the router
// and the workspace hear the engine's events.
func (p *Program) openWorkspace(parts *handoffParts) {
	cfg := appliance.WorkspaceConfig{Engine: p.Engine, Router: p.Router, Store: p.Store, Knowledge: p.KB.Responder,
		CSATs: p.Store, Logger: p.Log, AssistTimeout: 2 * p.Config.Ollama.Timeout,
		IntentTitle: func(name string) string {
			if in, ok := p.NLU.Catalog().Intent(name); ok {
				return in.Description.Get("zh")
			}
			return ""
		}}
	if parts.assistant != nil {
		cfg.Assistant = parts.assistant
	}
	if b := p.Business; b != nil {
		if b.Actions != nil {
			cfg.Business = b.Actions
		}
		if b.Tickets != nil {
			cfg.Tickets = b.Tickets
		}
	}
	p.Workspace = appliance.NewWorkspace(cfg)
	parts.relay.Observe(p.Router.Observe)
	parts.relay.Observe(p.Workspace.Observe)
}

// intentGroups maps every intent of the configured catalogs to the group
// that serves its catalog (routing.catalog_groups); keys that name no
// catalog map intents or families directly.
func intentGroups(names, pairs []string) (map[string]string, error) {
	byCatalog, err := appliance.ParsePairs(pairs)
	if err != nil {
		return nil, fmt.Errorf("routing.catalog_groups: %w", err)
	}
	out := map[string]string{}
	for _, n := range names {
		var cat *nlu.Catalog
		if slices.Contains(catalogs.Names(), n) {
			cat, err = nlu.LoadCatalog(catalogs.Files(), n+".yaml")
		} else {
			var data []byte
			if data, err = os.ReadFile(n); err == nil {
				cat, err = nlu.ParseCatalog(data, n)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("routing: reading catalog %s: %w", n, err)
		}
		group, ok := byCatalog[cat.Name]
		if !ok {
			continue
		}
		for _, in := range cat.Intents {
			out[in.Name] = group
		}
	}
	for k, g := range byCatalog {
		if _, isCatalog := catalogNamed(names, k); !isCatalog {
			out[k] = g
		}
	}
	return out, nil
}

func catalogNamed(names []string, k string) (string, bool) {
	if slices.Contains(names, k) || slices.Contains(catalogs.Names(), k) {
		return k, true
	}
	return "", false
}

// demoCannedReplies are the canned replies the demo starts with.
var demoCannedReplies = []appliance.CannedReply{
	{Shortcut: "欢迎", Title: "接入问候", Text: "您好，我是人工客服，很高兴为您服务，请问有什么可以帮您？"},
	{Shortcut: "稍等", Title: "请稍候", Text: "好的，请您稍等，我马上为您查询。"},
	{Shortcut: "运费", Title: "运费说明", Text: "单笔订单满 99 元全国包邮，不满 99 元收取 8 元运费。", Group: "售后"},
	{Shortcut: "退货", Title: "退货流程", Text: "您可以在“我的订单”中申请退货，审核通过后按页面提示寄回商品，仓库签收后 1-3 个工作日内退款。", Group: "售后"},
	{Shortcut: "结束", Title: "结束语", Text: "感谢您的耐心，如还有其他问题随时联系我们，祝您生活愉快！"},
}

// DemoVIPUser is the app user id of the demo's VIP customer (yearly spend
// ¥12,800: routed to senior agents first).
const DemoVIPUser = "demo-vip-8888"

// loadHandoffDemo adds the hand-off demo data: canned replies and a VIP
// customer known to the app. Running it again changes nothing.
func loadHandoffDemo(ctx context.Context, s *store.Store) error {
	existing, err := s.CannedReplies(ctx)
	if err != nil {
		return err
	}
	for _, r := range demoCannedReplies {
		if slices.ContainsFunc(existing, func(e *appliance.CannedReply) bool { return e.Shortcut == r.Shortcut }) {
			continue
		}
		nr := r
		if err := s.CreateCannedReply(ctx, &nr); err != nil {
			return err
		}
	}
	cust, _, err := s.ResolveIdentity(ctx, appliance.Identity{Kind: appliance.IdentityAppUser, Value: DemoVIPUser, Verified: true}, "王先生")
	if err != nil {
		return err
	}
	if cust.Attributes["yearly_spend"] == "" {
		cust.Tags = []string{"老客户", "高净值"}
		cust.Attributes = map[string]string{"yearly_spend": "12800", "城市": "上海", "会员等级": "金卡"}
		if err := s.UpdateCustomer(ctx, cust); err != nil {
			return err
		}
	}
	return nil
}
