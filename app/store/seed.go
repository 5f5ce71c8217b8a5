package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
)

// Demo data, created by `serve --demo`.
const (
	DemoFirmName   = "示例科技有限公司"
	DemoCreditCode = "91110108MA01C8XK7H"
	DemoPassword   = "demo12345"
)

// DemoProfile is what the demo firm runs: an app, mini programs and a
// website, with important data.
var DemoProfile = checklist.NewProfile("app", "mini_program", "website", "important_data")

// DemoAccount is one account created by EnsureDemo.
type DemoAccount struct {
	Email string
	Role  auth.Role
}

// DemoAccounts are the demo logins, all with DemoPassword.
var DemoAccounts = []DemoAccount{
	{"firm@demo.local", auth.FirmMember},
	{"firmadmin@demo.local", auth.FirmAdmin},
	{"auditor@demo.local", auth.Auditor},
	{"admin@demo.local", auth.Admin},
}

// DemoCampaignZH names the demo campaign.
const DemoCampaignZH = "2021 互联网行业专项整治 自查"

// EnsureDemo creates the demo firm, accounts and a campaign covering themes
// (with the demo firm taking part and the demo auditor assigned) unless they
// exist; running it again changes nothing.
func (s *Store) EnsureDemo(ctx context.Context, themes []string) error {
	firm, err := s.FirmByCreditCode(ctx, DemoCreditCode)
	if errors.Is(err, ErrNotFound) {
		firm, err = s.CreateFirm(ctx, DemoFirmName, DemoCreditCode)
		if err == nil {
			prof, _ := encodeProfile(DemoProfile)
			err = translate(s.db.WithContext(ctx).Model(firm).Update("profile", prof).Error, "demo profile")
		}
	}
	if err != nil {
		return fmt.Errorf("store: demo firm: %w", err)
	}
	names := map[auth.Role]string{auth.FirmMember: "示例合规专员", auth.FirmAdmin: "示例合规负责人", auth.Auditor: "示例审核员", auth.Admin: "示例管理员"}
	for _, a := range DemoAccounts {
		// Look first: hashing the password of an account that exists
		// would only be thrown away, and bcrypt is slow by design.
		if _, err := s.UserByEmail(ctx, a.Email); err == nil {
			continue
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("store: demo account %s: %w", a.Email, err)
		}
		nu := NewUser{Email: a.Email, Name: names[a.Role], Password: DemoPassword, Role: a.Role}
		if a.Role.InFirm() {
			nu.FirmID = &firm.ID
		}
		if _, err := s.CreateUser(ctx, nu); err != nil && !errors.Is(err, ErrDuplicate) {
			return fmt.Errorf("store: demo account %s: %w", a.Email, err)
		}
	}
	return s.ensureDemoCampaign(ctx, firm.ID, themes)
}

func (s *Store) ensureDemoCampaign(ctx context.Context, firmID uint, themes []string) error {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Campaign{}).Where("name_zh = ?", DemoCampaignZH).Count(&n).Error; err != nil {
		return translate(err, "demo campaign")
	}
	if n > 0 || len(themes) == 0 {
		return nil
	}
	admin, err := s.UserByEmail(ctx, "admin@demo.local")
	if err != nil {
		return err
	}
	auditor, err := s.UserByEmail(ctx, "auditor@demo.local")
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	_, err = s.CreateCampaign(ctx, admin, NewCampaign{
		NameZH: DemoCampaignZH, NameEN: "2021 internet industry rectification campaign: self-examination",
		Themes: themes, StartsOn: now.Format(assessment.DateLayout), Deadline: now.AddDate(0, 6, 0).Format(assessment.DateLayout),
		FirmIDs: []uint{firmID}, AuditorIDs: []uint{auditor.ID},
	})
	return err
}

// AdminEmail is the account EnsureAdmin creates.
const AdminEmail = "admin@selfcheck.local"

// EnsureAdmin creates the first admin when the database has no account at
// all. It reports whether it did.
func (s *Store) EnsureAdmin(ctx context.Context, password string) (bool, error) {
	created := false
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&User{}).Count(&n).Error; err != nil {
			return translate(err, "count users")
		}
		if n > 0 {
			return nil
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		created = true
		return translate(tx.Create(&User{Email: AdminEmail, Name: "Administrator", PasswordHash: hash, Role: auth.Admin}).Error, "create admin")
	})
	return created, err
}
