package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
	"selfcheck/app/outbox"
	"selfcheck/app/scoring"
)

func TestComments(t *testing.T) {
	f := newTeamFixture(t)
	s, ctx := f.s, context.Background()
	root, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	auditor, _ := s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	stranger, err := s.CreateUser(ctx, NewUser{Email: "a2@x.cn", Name: "别的审核员", Password: "password1", Role: auth.Auditor})
	if err != nil {
		t.Fatal(err)
	}
	cid, err := s.CreateCampaign(ctx, root, NewCampaign{NameZH: "专项", Themes: []string{"t"}, StartsOn: "2021-07-01", Deadline: "2099-12-31",
		FirmIDs: []uint{*f.member.FirmID}, AuditorIDs: []uint{auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateAssessment(ctx, f.member, []*checklist.Checklist{testChecklist()}, nil, &cid)
	if err != nil {
		t.Fatal(err)
	}

	// In a draft, the firm talks; @ names a colleague by name and one by email.
	c1, err := s.AddComment(ctx, f.member, id, "t-1", "  请 @法务小王 看一下，另抄送 @FIRMADMIN@demo.local\r\n谢谢\x00 ")
	if err != nil {
		t.Fatal(err)
	}
	if c1.Body != "请 @法务小王 看一下，另抄送 @FIRMADMIN@demo.local\n谢谢" {
		t.Errorf("body %q", c1.Body)
	}
	if got := c1.MentionIDs(); !slices.Equal(got, []uint{f.admin.ID, f.second.ID}) && !slices.Equal(got, []uint{f.second.ID, f.admin.ID}) {
		t.Errorf("mentions %v", got)
	}
	if _, err := s.AddComment(ctx, auditor, id, "t-1", "草稿"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an auditor comments on a draft: %v", err)
	}
	if _, err := s.SaveAnswers(ctx, f.member, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, f.member, id); err != nil {
		t.Fatal(err)
	}
	// Submitted: the campaign's auditor and the firm both comment.
	if _, err := s.AddComment(ctx, auditor, id, "t-1", "@"+f.member.Name+" 请补充制度文件"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddComment(ctx, f.second, id, "t-2", "已补充"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		who  *User
		item string
		body string
		ok   func(error) bool
	}{
		{"another firm", f.outsider, "t-1", "x", func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"another campaign's auditor", stranger, "t-1", "x", func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"unknown item", f.member, "t-9", "x", func(err error) bool { return errors.Is(err, ErrUnknownItem) }},
		{"empty", f.member, "t-1", " \n ", func(err error) bool { return isField(err, "body", fault.Required) }},
		{"too long", f.member, "t-1", strings.Repeat("长", 2001), func(err error) bool { return isField(err, "body", fault.TooLong) }},
	} {
		if _, err := s.AddComment(ctx, tt.who, id, tt.item, tt.body); !tt.ok(err) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if _, err := s.AddComment(ctx, f.member, id, "t-1", strings.Repeat("长", 2000)); err != nil {
		t.Errorf("2,000 characters: %v", err)
	}

	thread, err := s.Comments(ctx, auditor, id, "t-1")
	if err != nil || len(thread) != 3 || thread[0].ID != c1.ID || thread[1].User.Role != auth.Auditor || thread[0].User.Name != f.member.Name {
		t.Fatalf("thread %+v %v", thread, err)
	}
	if _, err := s.Comments(ctx, stranger, id, "t-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another campaign's auditor reads: %v", err)
	}
	if _, err := s.Comments(ctx, f.outsider, id, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm reads: %v", err)
	}
	counts, err := s.CommentCounts(ctx, f.member, id)
	if err != nil || counts["t-1"] != 3 || counts["t-2"] != 1 {
		t.Errorf("counts %v %v", counts, err)
	}

	// Edits and deletes: the author's, within five minutes.
	if _, err := s.EditComment(ctx, f.second, id, c1.ID, "改", time.Now()); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("someone else edits: %v", err)
	}
	if c, err := s.EditComment(ctx, f.member, id, c1.ID, "改过的", time.Now()); err != nil || c.Body != "改过的" || c.EditedAt == nil {
		t.Errorf("edit: %+v %v", c, err)
	}
	later := time.Now().Add(5*time.Minute + time.Second)
	if _, err := s.EditComment(ctx, f.member, id, c1.ID, "再改", later); !errors.Is(err, ErrCommentFinal) {
		t.Errorf("edit after 5 minutes: %v", err)
	}
	if err := s.DeleteComment(ctx, f.member, id, c1.ID, later); !errors.Is(err, ErrCommentFinal) {
		t.Errorf("delete after 5 minutes: %v", err)
	}
	last := thread[2]
	if err := s.DeleteComment(ctx, f.member, id, last.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if thread, _ := s.Comments(ctx, f.member, id, "t-1"); len(thread) != 2 {
		t.Errorf("after delete: %d comments", len(thread))
	}

	var kinds []outbox.Kind
	for _, e := range allEvents(t, s) {
		if e.Kind == outbox.Commented || e.Kind == outbox.Mentioned {
			kinds = append(kinds, e.Kind)
		}
	}
	// Four comments; three mentions (two in the first, one by the auditor).
	want := []outbox.Kind{outbox.Commented, outbox.Mentioned, outbox.Mentioned, outbox.Commented, outbox.Mentioned, outbox.Commented, outbox.Commented}
	if !slices.Equal(kinds, want) {
		t.Errorf("events %v, want %v", kinds, want)
	}
	tl, _ := s.Timeline(ctx, f.member, id)
	n := 0
	for _, e := range tl {
		if e.Field == fieldComment {
			n++
		}
	}
	if n != 6 { // four added, one edited, one deleted
		t.Errorf("%d comment history rows, want 6", n)
	}
}
