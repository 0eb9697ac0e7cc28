package config

import (
	"fmt"
	"time"

	"kefu/appliance"
)

// HandoffConfig is when the bot hands a conversation to a human beyond an
// explicit request or the intent's policy, and the survey after it.
type HandoffConfig struct {
	UnsureTurns         int           `yaml:"unsure_turns" default:"2" help:"hand off after this many consecutive turns the bot could not serve well (0 disables)"`
	MinAnswerConfidence float64       `yaml:"min_answer_confidence" default:"0.35" help:"a knowledge answer below this confidence counts as an unsure turn"`
	MinIntentConfidence float64       `yaml:"min_intent_confidence" default:"0" help:"acting on an intent below this confidence counts as an unsure turn (0 disables)"`
	NegativeSentiment   float64       `yaml:"negative_sentiment" default:"0.7" help:"hand off when the customer's negative sentiment reaches this score, 0 to 1 (0 disables)"`
	Complaint           bool          `yaml:"complaint" default:"true" help:"hand off when the customer complains (投诉, 12315, ...)"`
	VIPDirect           bool          `yaml:"vip_direct" default:"false" help:"hand VIP customers to a human at their first question"`
	CSAT                bool          `yaml:"csat" default:"true" help:"ask the customer for a satisfaction score when an agent closes the conversation"`
	CSATWindow          time.Duration `yaml:"csat_window" default:"24h" help:"how long after the close a score is accepted"`
}

// RoutingConfig is how hand-offs reach agents.
type RoutingConfig struct {
	Groups            []string      `yaml:"groups" default:"售后,金融业务,课程顾问" help:"skill groups, comma-separated, each NAME or NAME=TARGET/VIP_TARGET (e.g. 售后=30s/10s)"`
	DefaultGroup      string        `yaml:"default_group" help:"group of hand-offs whose intent maps to none; empty lets any agent take them"`
	CatalogGroups     []string      `yaml:"catalog_groups" default:"ecommerce=售后,finance=金融业务,education=课程顾问,travel=售后" help:"which group serves each intent catalog (CATALOG=GROUP); an intent or family name may also be mapped"`
	Target            time.Duration `yaml:"target" default:"30s" help:"first-response target of a group that sets none"`
	VIPTarget         time.Duration `yaml:"vip_target" default:"10s" help:"first-response target for VIP customers in a group that sets none"`
	WaitAlert         time.Duration `yaml:"wait_alert" default:"120s" help:"alert the agent and supervisors when a customer has waited this long for a human reply (0 disables)"`
	OfferTimeout      time.Duration `yaml:"offer_timeout" default:"60s" help:"offer a routed conversation to another agent when the one it was offered to has not taken it within this time (0 lets offers stand)"`
	WorkingHours      string        `yaml:"working_hours" default:"00:00-24:00" help:"when agents serve customers, HH:MM-HH:MM; outside, customers may leave a message"`
	WorkingDays       string        `yaml:"working_days" default:"1-7" help:"days agents serve customers, 1 (Monday) to 7 (Sunday), e.g. 1-5 or 1,2,3,4,5,6"`
	Timezone          string        `yaml:"timezone" default:"Asia/Shanghai" help:"time zone of the working hours"`
	VIPLevel          int           `yaml:"vip_level" default:"1" help:"customers at or above this VIP level are VIPs (0 disables)"`
	VIPSpend          float64       `yaml:"vip_spend" default:"10000" help:"customers whose yearly spend in 元 reaches this are VIPs (0 disables)"`
	VIPSpendAttribute string        `yaml:"vip_spend_attribute" default:"yearly_spend" help:"customer attribute holding the yearly spend; business-system orders of the past year also count"`
	VIPPriority       int           `yaml:"vip_priority" default:"10" help:"queue priority of VIP hand-offs; they go to senior agents first"`
	ComplaintPriority int           `yaml:"complaint_priority" default:"5" help:"queue priority added for complaints and angry customers"`
}

func (c *Config) validateHandoff() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...))
	}
	h, r := c.Handoff, c.Routing
	switch {
	case h.UnsureTurns < 0 || h.UnsureTurns > 10:
		return bad("handoff.unsure_turns", "must be between 0 and 10")
	case h.MinAnswerConfidence < 0 || h.MinAnswerConfidence > 1:
		return bad("handoff.min_answer_confidence", "must be between 0 and 1")
	case h.MinIntentConfidence < 0 || h.MinIntentConfidence > 1:
		return bad("handoff.min_intent_confidence", "must be between 0 and 1")
	case h.NegativeSentiment < 0 || h.NegativeSentiment > 1:
		return bad("handoff.negative_sentiment", "must be between 0 and 1")
	case h.CSATWindow < time.Minute:
		return bad("handoff.csat_window", "must be at least 1m")
	case r.Target <= 0:
		return bad("routing.target", "must be positive")
	case r.VIPTarget <= 0:
		return bad("routing.vip_target", "must be positive")
	case r.WaitAlert < 0:
		return bad("routing.wait_alert", "must not be negative")
	case r.OfferTimeout < 0 || (r.OfferTimeout > 0 && r.OfferTimeout < 5*time.Second):
		return bad("routing.offer_timeout", "must be 0 (offers stand) or at least 5s")
	case r.VIPLevel < 0:
		return bad("routing.vip_level", "must not be negative")
	case r.VIPSpend < 0:
		return bad("routing.vip_spend", "must not be negative")
	}
	if _, err := appliance.ParseSkillGroups(r.Groups); err != nil {
		return bad("routing.groups", "%v", err)
	}
	if _, err := appliance.ParsePairs(r.CatalogGroups); err != nil {
		return bad("routing.catalog_groups", "%v", err)
	}
	if _, err := appliance.ParseWorkingHours(r.WorkingHours, r.WorkingDays, r.Timezone); err != nil {
		return bad("routing.working_hours", "%v", err)
	}
	return nil
}

// RoutingPolicy builds the appliance's routing policy from the configuration;
// intentGroups maps intents (or families) to groups, as derived from the
// catalogs by the caller.
func (c *Config) RoutingPolicy(intentGroups map[string]string) (*appliance.RoutingPolicy, error) {
	r := c.Routing
	groups, err := appliance.ParseSkillGroups(r.Groups)
	if err != nil {
		return nil, fmt.Errorf("config: routing.groups: %w", err)
	}
	hours, err := appliance.ParseWorkingHours(r.WorkingHours, r.WorkingDays, r.Timezone)
	if err != nil {
		return nil, fmt.Errorf("config: routing.working_hours: %w", err)
	}
	return &appliance.RoutingPolicy{Groups: groups, DefaultGroup: r.DefaultGroup, IntentGroups: intentGroups, Hours: hours,
		VIP:         &appliance.VIPRule{MinLevel: r.VIPLevel, SpendAttribute: r.VIPSpendAttribute, MinSpend: r.VIPSpend},
		VIPPriority: r.VIPPriority, ComplaintPriority: r.ComplaintPriority, WaitAlert: r.WaitAlert, OfferTimeout: r.OfferTimeout,
		Target: r.Target, VIPTarget: r.VIPTarget}, nil
}
