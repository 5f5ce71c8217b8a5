package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// TestTeamWorkMatches: the fill-in page's loader of team work returns what
// Assignments and Comments return, with and without assignments and
// comments (one edited, one removed), and refuses what they refuse.
func TestTeamWorkMatches(t *testing.T) {
	f := newTeamFixture(t)
	s, ctx := f.s, context.Background()
	same := func(step string, who *User) {
		t.Helper()
		asg, aerr := s.Assignments(ctx, who, f.id)
		cms, cerr := s.Comments(ctx, who, f.id, "")
		gotAsg, gotCms, err := s.TeamWork(ctx, who, f.id)
		if errors.Is(aerr, ErrNotFound) || errors.Is(cerr, ErrNotFound) {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s, %s: Assignments %v, Comments %v, TeamWork %v", step, who.Email, aerr, cerr, err)
			}
			return
		}
		if aerr != nil || cerr != nil || err != nil {
			t.Fatalf("%s, %s: Assignments %v, Comments %v, TeamWork %v", step, who.Email, aerr, cerr, err)
		}
		if !reflect.DeepEqual(gotAsg, asg) {
			t.Errorf("%s, %s: assignments\n got %+v\nwant %+v", step, who.Email, gotAsg, asg)
		}
		if len(gotCms) != len(cms) || len(cms) > 0 && !reflect.DeepEqual(gotCms, cms) {
			t.Errorf("%s, %s: comments\n got %+v\nwant %+v", step, who.Email, gotCms, cms)
		}
	}
	for _, who := range []*User{f.member, f.admin, f.outsider} {
		same("empty", who)
	}

	if err := s.SetAssignments(ctx, f.member, f.id, []AssignmentInput{{Theme: "t", User: ptr(f.second.Email)}, {Item: "t-2", User: ptr(f.admin.Email)}}); err != nil {
		t.Fatal(err)
	}
	c1, err := s.AddComment(ctx, f.member, f.id, "t-1", "请 @法务小王 看一下")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddComment(ctx, f.second, f.id, "t-2", "已补充"); err != nil {
		t.Fatal(err)
	}
	gone, err := s.AddComment(ctx, f.admin, f.id, "t-1", "删掉")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditComment(ctx, f.member, f.id, c1.ID, "请 @法务小王 看一下制度", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteComment(ctx, f.admin, f.id, gone.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, who := range []*User{f.member, f.admin, f.second, f.outsider} {
		same("assigned and commented", who)
	}
	if _, cms, _ := s.TeamWork(ctx, f.member, f.id); len(cms) != 2 || cms[0].EditedAt == nil || cms[0].User.Name != f.member.Name {
		t.Errorf("comments %+v", cms)
	}
}
