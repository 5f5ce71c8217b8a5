package main

import (
	"context"
	"fmt"

	"selfcheck"
	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/uscc"
)

// itemsPerAssessment is the size of the assessments the firm-side
// scenarios work on.
const itemsPerAssessment = 120

// benchThemes are the built-in checklists with their real texts, legal
// bases and guidance, made exactly 120 items, the size the targets name:
// items copied under new ids when the catalog is smaller, the last items
// of the last sections left out when it is larger (every section keeps at
// least one).
func benchThemes() ([]*checklist.Checklist, error) {
	cat, _, err := checklist.Load(selfcheck.Checklists, "checklists")
	if err != nil {
		return nil, fmt.Errorf("load the built-in checklists: %w", err)
	}
	lists := make([]*checklist.Checklist, len(cat.Checklists))
	n := 0
	for i, cl := range cat.Checklists {
		cp := *cl
		cp.Sections = make([]checklist.Section, len(cl.Sections))
		for j, sec := range cl.Sections {
			cp.Sections[j] = sec
			cp.Sections[j].Items = append([]checklist.Item(nil), sec.Items...)
		}
		lists[i] = &cp
		n += len(cl.Items())
	}
	for i := len(lists) - 1; i >= 0 && n > itemsPerAssessment; i-- {
		for j := len(lists[i].Sections) - 1; j >= 0 && n > itemsPerAssessment; j-- {
			sec := &lists[i].Sections[j]
			for len(sec.Items) > 1 && n > itemsPerAssessment {
				sec.Items = sec.Items[:len(sec.Items)-1]
				n--
			}
		}
	}
	last := lists[len(lists)-1]
	sec := &last.Sections[len(last.Sections)-1]
	for k := 0; n < itemsPerAssessment; k++ {
		it := lists[k].Items()[0]
		it.ID = fmt.Sprintf("%s-BENCH%d", it.ID, k+1)
		sec.Items = append(sec.Items, it)
		n++
	}
	return lists, nil
}

// profileForAll declares every tag some item names, so that every item applies.
func profileForAll(lists []*checklist.Checklist) checklist.Profile {
	var tags []checklist.Tag
	for _, cl := range lists {
		for _, it := range cl.Items() {
			tags = append(tags, it.AppliesTo...)
		}
	}
	return checklist.NewProfile(tags...)
}

// firm is a firm of the firm-side scenarios: its users and its assessment.
type firm struct {
	users      []*store.User
	assessment uint
	items      []string
}

// fixture is the firms the firm-side scenarios use.
type fixture struct {
	firms []firm
}

// setupFirms creates n firms, each with users accounts and one 120-item
// assessment filled in as a compliance team would leave it: every item
// answered with a note, a quarter of them gaps, each gap with a plan.
func setupFirms(ctx context.Context, st *store.Store, n, users int) (*fixture, error) {
	lists, err := benchThemes()
	if err != nil {
		return nil, err
	}
	profile := profileForAll(lists)
	fx := &fixture{}
	for f := range n {
		code, err := creditCode(f)
		if err != nil {
			return nil, err
		}
		fm, err := st.CreateFirm(ctx, fmt.Sprintf("基准测试网络科技有限公司 %02d", f), code)
		if err != nil {
			return nil, fmt.Errorf("create firm %d: %w", f, err)
		}
		var fr firm
		for u := range users {
			user, err := st.CreateUser(ctx, store.NewUser{Email: fmt.Sprintf("bench%02d.%d@firm.test", f, u), Name: fmt.Sprintf("合规专员 %02d-%d", f, u),
				Password: "bench-password", Role: auth.FirmMember, FirmID: &fm.ID})
			if err != nil {
				return nil, fmt.Errorf("create user: %w", err)
			}
			fr.users = append(fr.users, user)
		}
		if fr.assessment, err = st.CreateAssessment(ctx, fr.users[0], lists, profile, nil); err != nil {
			return nil, fmt.Errorf("create assessment: %w", err)
		}
		if fr.items, err = fillIn(ctx, st, fr.users[0], fr.assessment); err != nil {
			return nil, err
		}
		if len(fr.items) != itemsPerAssessment {
			return nil, fmt.Errorf("the assessment asks %d items, want %d", len(fr.items), itemsPerAssessment)
		}
		fx.firms = append(fx.firms, fr)
	}
	return fx, nil
}

// creditCode is a valid unified social credit code for the n-th bench firm.
func creditCode(n int) (string, error) {
	first := fmt.Sprintf("91310115MA1B%05d", n)
	ch, err := uscc.CheckChar(first)
	if err != nil {
		return "", fmt.Errorf("credit code of firm %d: %w", n, err)
	}
	return first + string(ch), nil
}

// benchAnswers is the mix of answers: mostly compliant, a quarter gaps.
var benchAnswers = []scoring.Answer{scoring.Compliant, scoring.Compliant, scoring.Compliant, scoring.Partial,
	scoring.Compliant, scoring.Compliant, scoring.NonCompliant, scoring.Compliant}

// fillIn answers every item of the assessment with a note, and plans every gap.
func fillIn(ctx context.Context, st *store.Store, user *store.User, id uint) ([]string, error) {
	sh, err := st.Sheet(ctx, user, id)
	if err != nil {
		return nil, err
	}
	var items []string
	var inputs []store.AnswerInput
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			items = append(items, it.ID)
			inputs = append(inputs, store.AnswerInput{ItemID: it.ID, Value: benchAnswers[len(inputs)%len(benchAnswers)],
				Note: fmt.Sprintf("%s：已核查隐私政策第3.2节、SDK清单（v5.2.1）与弹窗频次配置，抽查3个版本，记录见附件。", it.ID)})
		}
	}
	if _, err := st.SaveAnswers(ctx, user, id, inputs); err != nil {
		return nil, fmt.Errorf("fill in assessment %d: %w", id, err)
	}
	for _, in := range inputs {
		if !in.Value.IsGap() {
			continue
		}
		_, err := st.SavePlan(ctx, user, id, in.ItemID, store.PlanInput{Measure: "下线默认勾选，改为用户主动选择；上线前由法务复核文案。",
			Owner: "产品合规部 张三", Due: "2021-12-31", Status: assessment.PlanInProgress})
		if err != nil {
			return nil, fmt.Errorf("plan item %s: %w", in.ItemID, err)
		}
	}
	return items, nil
}
