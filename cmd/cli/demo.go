package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"kefu/appliance"
	"kefu/appliance/config"
	"kefu/appliance/secret"
	"kefu/appliance/store"
	"kefu/console"
)

// DemoPassword is the password of every demo user. Demo data is for trying
// the appliance, never for production.
const DemoPassword = "kefu-demo-2026"

// DemoAppKey is the app API key the demo creates when none is configured.
const DemoAppKey = "demo-app"

// DemoInfo is what the demo loaded, for the banner and for tests.
type DemoInfo struct {
	Users     []*appliance.User
	AppKey    string
	AppSecret string
}

var demoUsers = []appliance.User{
	{Username: "admin", DisplayName: "系统管理员", Role: appliance.RoleAdmin},
	{Username: "supervisor", DisplayName: "客服主管 周敏", Role: appliance.RoleSupervisor, Skills: []string{"售后", "金融业务", "课程顾问"}, Senior: true},
	{Username: "agent1", DisplayName: "客服 小王", Role: appliance.RoleAgent, Skills: []string{"售后"}},
	{Username: "agent2", DisplayName: "资深客服 老李", Role: appliance.RoleAgent, Skills: []string{"售后", "金融业务"}, Senior: true},
	{Username: "compliance", DisplayName: "合规专员 陈静", Role: appliance.RoleCompliance},
	{Username: "editor", DisplayName: "知识库编辑 刘洋", Role: appliance.RoleEditor},
}

// LoadDemo loads the demo data; running it again changes nothing.
func LoadDemo(ctx context.Context, s *store.Store, box *secret.Box, cfg *config.Config) (*DemoInfo, error) {
	info := &DemoInfo{}
	var hash string
	for _, u := range demoUsers {
		existing, err := s.UserByUsername(ctx, u.Username)
		if err == nil {
			info.Users = append(info.Users, existing)
			continue
		}
		if !appliance.IsNotFound(err) {
			return nil, err
		}
		if hash == "" {
			if hash, err = console.HashPassword(DemoPassword); err != nil {
				return nil, err
			}
		}
		nu := u
		nu.PasswordHash, nu.MaxConcurrent, nu.Status = hash, 5, appliance.AgentOffline
		if err := s.CreateUser(ctx, &nu); err != nil {
			return nil, err
		}
		info.Users = append(info.Users, &nu)
	}

	if cfg.Channels.App.Key != "" {
		info.AppKey, info.AppSecret = cfg.Channels.App.Key, cfg.Channels.App.Secret
	} else {
		k, err := s.AppKey(ctx, DemoAppKey)
		switch {
		case err == nil:
			if info.AppSecret, err = box.Open(k.SecretEnc); err != nil {
				return nil, fmt.Errorf("the demo app secret cannot be opened (secret_key changed?): %w", err)
			}
		case appliance.IsNotFound(err):
			b := make([]byte, 24)
			rand.Read(b)
			info.AppSecret = hex.EncodeToString(b)
			if err := s.CreateAppKey(ctx, &appliance.AppKey{Key: DemoAppKey, Name: "演示 App", SecretEnc: box.Seal(info.AppSecret)}); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
		info.AppKey = DemoAppKey
	}
	if err := loadHandoffDemo(ctx, s); err != nil {
		return nil, fmt.Errorf("hand-off demo data: %w", err)
	}
	return info, nil
}
