package appliance

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // working hours name a zone; appliances may lack the system zone files
)

// SkillGroup is a team of agents who serve one kind of question (售后,
// 金融业务, 课程顾问), with its first-response targets.
type SkillGroup struct {
	Name string `json:"name"`
	// Target is how soon a customer should get a first human reply;
	// VIPTarget is the shorter target for VIP customers.
	Target    time.Duration `json:"-"`
	VIPTarget time.Duration `json:"-"`
}

// RoutingPolicy says where a hand-off goes and when humans are there. The
// engine reads it when it hands a conversation off; the router reads it when
// it assigns and raises alerts.
type RoutingPolicy struct {
	Groups []SkillGroup
	// DefaultGroup takes hand-offs whose intent maps to no group; empty
	// lets any agent take them.
	DefaultGroup string
	// IntentGroups maps an intent (or an intent family) to its group.
	IntentGroups map[string]string
	Hours        WorkingHours
	VIP          *VIPRule
	// VIPPriority is the priority a VIP hand-off gets; a queued conversation
	// at or above it is routed to senior agents first.
	VIPPriority int
	// ComplaintPriority is added for complaints and angry customers.
	ComplaintPriority int
	// WaitAlert raises an alert when a customer has waited this long for a
	// human reply; 0 disables alerts.
	WaitAlert time.Duration
	// OfferTimeout is how long a routed conversation waits for the offered
	// agent to take it before it is offered to another; 0 lets offers stand.
	OfferTimeout time.Duration
	// Target and VIPTarget apply to groups that set none.
	Target    time.Duration
	VIPTarget time.Duration
}

// Group returns the named group with its targets filled in; a name that is
// not configured gets the default targets.
func (p *RoutingPolicy) Group(name string) SkillGroup {
	g := SkillGroup{Name: name}
	if p == nil {
		return g
	}
	if i := slices.IndexFunc(p.Groups, func(x SkillGroup) bool { return x.Name == name }); i >= 0 {
		g = p.Groups[i]
	}
	if g.Target <= 0 {
		g.Target = p.Target
	}
	if g.VIPTarget <= 0 {
		g.VIPTarget = p.VIPTarget
	}
	return g
}

// GroupFor returns the skill group for an intent: by its name, then its
// family, then the default group.
func (p *RoutingPolicy) GroupFor(intent, family string) string {
	if p == nil {
		return ""
	}
	if g, ok := p.IntentGroups[intent]; ok && intent != "" {
		return g
	}
	if g, ok := p.IntentGroups[family]; ok && family != "" {
		return g
	}
	return p.DefaultGroup
}

// IsVIPPriority reports whether a queued conversation's priority marks a VIP.
func (p *RoutingPolicy) IsVIPPriority(priority int) bool {
	return p != nil && p.VIPPriority > 0 && priority >= p.VIPPriority
}

// ParseSkillGroups reads group specs "NAME[=TARGET[/VIP_TARGET]]", e.g.
// "售后=30s/10s".
func ParseSkillGroups(specs []string) ([]SkillGroup, error) {
	var out []SkillGroup
	for _, spec := range specs {
		name, targets, _ := strings.Cut(strings.TrimSpace(spec), "=")
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("group %q: a group needs a name", spec)
		}
		if slices.ContainsFunc(out, func(g SkillGroup) bool { return g.Name == name }) {
			return nil, fmt.Errorf("group %q is listed twice", name)
		}
		g := SkillGroup{Name: name}
		if targets != "" {
			normal, vip, _ := strings.Cut(targets, "/")
			var err error
			if g.Target, err = positiveDuration(normal); err != nil {
				return nil, fmt.Errorf("group %q: target: %w", name, err)
			}
			if vip != "" {
				if g.VIPTarget, err = positiveDuration(vip); err != nil {
					return nil, fmt.Errorf("group %q: VIP target: %w", name, err)
				}
			}
		}
		out = append(out, g)
	}
	return out, nil
}

// ParsePairs reads "key=value" specs into a map.
func ParsePairs(specs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, spec := range specs {
		k, v, ok := strings.Cut(spec, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%q is not key=value", spec)
		}
		out[k] = v
	}
	return out, nil
}

func positiveDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration (e.g. 30s)", s)
	}
	return d, nil
}

// WorkingHours is when human agents serve customers. The zero value means
// always open.
type WorkingHours struct {
	Days     [7]bool // indexed by time.Weekday
	From, To int     // minutes after midnight; To may be 24*60
	Zone     *time.Location
	set      bool
}

// ParseWorkingHours reads "09:00-21:00", the days as "1-5" or "1,2,3,4,5,6,7"
// (1 is Monday, 7 Sunday), and an IANA zone such as "Asia/Shanghai".
func ParseWorkingHours(hours, days, zone string) (WorkingHours, error) {
	w := WorkingHours{set: true}
	var err error
	if w.Zone, err = time.LoadLocation(zone); err != nil {
		return w, fmt.Errorf("zone %q: %w", zone, err)
	}
	from, to, ok := strings.Cut(hours, "-")
	if !ok {
		return w, fmt.Errorf("hours %q: want HH:MM-HH:MM", hours)
	}
	if w.From, err = clockMinutes(from); err != nil {
		return w, fmt.Errorf("hours %q: %w", hours, err)
	}
	if w.To, err = clockMinutes(to); err != nil {
		return w, fmt.Errorf("hours %q: %w", hours, err)
	}
	if w.To <= w.From {
		return w, fmt.Errorf("hours %q: the end must be after the start", hours)
	}
	for _, part := range strings.Split(days, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 1 || b > 7 || a > b {
			return w, fmt.Errorf("days %q: want numbers 1 (Monday) to 7 (Sunday), e.g. 1-5", days)
		}
		for d := a; d <= b; d++ {
			w.Days[d%7] = true
		}
	}
	if w.Days == [7]bool{} {
		return w, fmt.Errorf("days %q: no day is open", days)
	}
	return w, nil
}

func clockMinutes(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	return hh*60 + mm, nil
}

// Open reports whether humans serve customers at t.
func (w WorkingHours) Open(t time.Time) bool {
	if !w.set {
		return true
	}
	t = t.In(w.Zone)
	m := t.Hour()*60 + t.Minute()
	return w.Days[t.Weekday()] && m >= w.From && m < w.To
}

// String renders the hours for customers: "周一至周五 09:00-18:00".
func (w WorkingHours) String() string {
	if !w.set {
		return "全天"
	}
	names := []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	var days []string
	all := true
	for d := 1; d <= 7; d++ {
		if w.Days[d%7] {
			days = append(days, names[d%7])
		} else {
			all = false
		}
	}
	span := strings.Join(days, "、")
	switch {
	case all:
		span = "每天"
	case len(days) > 2 && contiguous(w.Days):
		span = days[0] + "至" + days[len(days)-1]
	}
	return fmt.Sprintf("%s %02d:%02d-%02d:%02d", span, w.From/60, w.From%60, w.To/60, w.To%60)
}

// contiguous reports whether the open days form one run from Monday on.
func contiguous(days [7]bool) bool {
	seen, ended := false, false
	for d := 1; d <= 7; d++ {
		switch open := days[d%7]; {
		case open && ended:
			return false
		case open:
			seen = true
		case seen:
			ended = true
		}
	}
	return seen
}
