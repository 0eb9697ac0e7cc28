package wecom

import (
	"context"

	"kefu/appliance"
)

// WeCom 微信客服 service states (会话状态).
const (
	StateUntreated = 0 // 未处理
	StateBot       = 1 // 由智能助手接待
	StateQueued    = 2 // 待接入池排队中
	StateHuman     = 3 // 由人工接待
	StateEnded     = 4 // 已结束
)

// ServiceState maps an appliance conversation status to WeCom's state.
func ServiceState(s appliance.ConversationStatus) int {
	switch s {
	case appliance.StatusQueued:
		return StateQueued
	case appliance.StatusAssigned:
		return StateHuman
	case appliance.StatusClosed:
		return StateEnded
	}
	return StateBot
}

// allowed lists WeCom's permitted state changes: from 0 to 1-4, from 1 to
// 2-4, from 2 to 3-4, from 3 to 3 (another servicer) or 4; 4 is final until
// the customer writes again (then 0).
var allowed = map[int][]int{
	StateUntreated: {StateBot, StateQueued, StateHuman, StateEnded},
	StateBot:       {StateQueued, StateHuman, StateEnded},
	StateQueued:    {StateHuman, StateEnded},
	StateHuman:     {StateHuman, StateEnded},
}

// GetState returns a customer's service state and servicer.
func (a *Adapter) GetState(ctx context.Context, to *appliance.Identity) (state int, servicer string, err error) {
	var out struct {
		ServiceState   int    `json:"service_state"`
		ServicerUserID string `json:"servicer_userid"`
	}
	err = a.api.post(ctx, "cgi-bin/kf/service_state/get", map[string]any{"open_kfid": to.Namespace, "external_userid": to.Value}, &out)
	return out.ServiceState, out.ServicerUserID, err
}

// SyncState mirrors the appliance's hand-off state into WeCom: the engine
// calls it when a conversation is handed off (queued), taken (assigned, with
// the agent's WeCom userid as servicer) or closed. Changes WeCom does not
// allow from the current state (e.g. back to the bot from a human, or
// anything after 已结束) are skipped, not forced: WeCom resets the state
// when the customer writes again.
func (a *Adapter) SyncState(ctx context.Context, to *appliance.Identity, status appliance.ConversationStatus, servicerUserID string) error {
	if to == nil || to.Kind != appliance.IdentityWeComExternal {
		return appliance.Errorf(appliance.EINVALID, "wrong_identity", "not a WeCom customer")
	}
	want := ServiceState(status)
	if want == StateHuman && servicerUserID == "" {
		return appliance.Errorf(appliance.EINVALID, "missing_servicer", "WeCom needs the agent's WeCom userid to mark a conversation as taken")
	}
	cur, curServicer, err := a.GetState(ctx, to)
	if err != nil {
		return err
	}
	if cur == want && (want != StateHuman || curServicer == servicerUserID) {
		return nil
	}
	ok := false
	for _, s := range allowed[cur] {
		ok = ok || s == want
	}
	if !ok {
		a.log.Info("service state change not allowed by WeCom, skipped", "from", cur, "to", want)
		return nil
	}
	in := map[string]any{"open_kfid": to.Namespace, "external_userid": to.Value, "service_state": want}
	if want == StateHuman {
		in["servicer_userid"] = servicerUserID
	}
	return a.api.post(ctx, "cgi-bin/kf/service_state/trans", in, nil)
}
