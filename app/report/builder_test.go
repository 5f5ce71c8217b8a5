package report

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"selfcheck"
	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/i18n"
	"selfcheck/app/scoring"
)

// Sentences the test items are built from: real-looking requirement text,
// with the ASCII, digits and punctuation that line breaking must keep.
var clauses = []struct{ zh, en string }{
	{"是否在收集个人信息前以显著方式、清晰易懂的语言真实、准确、完整地向个人告知处理目的、处理方式和保存期限",
		"whether the firm tells users, before collecting personal information, prominently and in plain language, the purpose, method and retention period"},
	{"App首次运行时是否通过弹窗等明显方式提示用户阅读隐私政策，且未以默认勾选等方式征得同意",
		"whether the app shows its privacy policy in a pop-up on first run and does not obtain consent by a pre-ticked box"},
	{"是否存在未经用户同意即通过SDK向第三方提供设备标识符（IMEI、Android ID、OAID）的行为",
		"whether device identifiers (IMEI, Android ID, OAID) are passed to third parties through an SDK without consent"},
	{"是否以“不同意就不能用”为由强制用户授权与当前服务场景无关的通讯录、位置、相机等权限",
		"whether users are forced to grant contacts, location or camera permissions unrelated to the service, on a take-it-or-leave-it basis"},
	{"弹窗信息是否存在欺骗误导用户下载、频繁骚扰或关闭按钮难以识别等干扰用户正常使用的问题",
		"whether pop-ups mislead users into downloads, harass them repeatedly or hide their close button"},
	{"是否建立便捷的个人信息查阅、复制、更正、删除及注销账号渠道，并在15个工作日内处理完毕",
		"whether users can view, copy, correct and delete their data and close their account easily, with requests handled within 15 working days"},
	{"向境外提供个人信息前是否完成安全评估、标准合同备案或认证，并取得个人的单独同意",
		"whether a security assessment, standard contract filing or certification and separate consent precede any transfer abroad"},
}

// noteText returns a note of at least chars characters (but no more than
// maxBytes bytes) mixing Chinese and ASCII, with long unbreakable tokens
// (URLs, package names) among the words.
func noteText(tag string, chars, maxBytes int) string {
	parts := []string{
		"经核查，2021年第3季度版本（v5.2.1）的隐私政策未列明SDK清单；",
		"see https://example.com/privacy/policy-archive/2021/v5.2.1/full-text?lang=zh-CN&section=third-party-sdk ",
		"整改措施：在设置页增加“个人信息收集清单”与“第三方共享清单”，",
		"com.example.analytics.tracking.DeviceIdentifierCollector ",
		"responsible team: Privacy Office (DPO: Zhang Wei), due 2021-12-31. ",
		"已于12月完成复测，问题关闭率100%。",
	}
	var b strings.Builder
	b.WriteString(tag)
	for i := 0; utf8.RuneCountInString(b.String()) < chars && b.Len() < maxBytes; i++ {
		b.WriteString(parts[i%len(parts)])
		if i%9 == 8 {
			b.WriteString("\n")
		}
	}
	s := b.String()
	for len(s) > maxBytes {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// buildSheet makes an assessment of three checklists of forty items each,
// with every kind of answer, long notes and one critical item failed.
func buildSheet() *assessment.Sheet {
	themes := []struct{ id, zh, en string }{
		{"app-privacy", "App违法违规收集使用个人信息专项自查", "Apps collecting and using personal information unlawfully"},
		{"popup-harass", "弹窗信息骚扰与欺骗误导用户专项自查", "Pop-ups that harass or mislead users"},
		{"data-export", "数据出境与账号注销合规专项自查", "Cross-border data transfer and account closure"},
	}
	answers := []scoring.Answer{scoring.Compliant, scoring.Partial, scoring.NonCompliant, scoring.NotApplicable, scoring.Compliant, scoring.Unanswered}
	severities := []checklist.Severity{checklist.High, checklist.Medium, checklist.Low}
	s := &assessment.Sheet{
		ID:         4711,
		FirmID:     1,
		FirmName:   "北京示例网络科技有限公司",
		CreditCode: "91110108MA01ABCD2X",
		State:      assessment.Submitted,
		CreatedAt:  time.Date(2021, 11, 1, 9, 0, 0, 0, time.UTC),
		Answers:    map[string]assessment.Answer{},
		Plans:      map[string]assessment.Plan{},
		Evidence:   map[string][]assessment.Evidence{},
		Campaign: &assessment.Campaign{ID: 1, Name: checklist.Text{ZH: "2021 互联网行业专项整治", EN: "2021 internet industry campaign"},
			StartsOn: "2021-07-01", Deadline: "2021-12-31"},
	}
	submitted := time.Date(2021, 11, 20, 17, 30, 0, 0, time.UTC)
	s.SubmittedAt = &submitted
	for ti, th := range themes {
		cl := &checklist.Checklist{
			ID:      th.id,
			Version: fmt.Sprintf("2021.%d", ti+1),
			Title:   checklist.Text{ZH: th.zh, EN: th.en},
		}
		for si := range 4 {
			sec := checklist.Section{ID: fmt.Sprintf("s%d", si+1), Title: checklist.Text{ZH: fmt.Sprintf("第%d部分", si+1)}}
			for k := range 10 {
				n := si*10 + k
				a, b := clauses[(n+ti)%len(clauses)], clauses[(n*3+ti+1)%len(clauses)]
				it := checklist.Item{
					ID: fmt.Sprintf("%s-%02d", strings.ToUpper(th.id[:3]), n+1),
					Text: checklist.Text{
						ZH: fmt.Sprintf("第%d.%d项：%s；另查%s。", ti+1, n+1, a.zh, b.zh),
						EN: fmt.Sprintf("%d.%d: %s; also %s.", ti+1, n+1, a.en, b.en),
					},
					Weight:   1 + n%3,
					Severity: severities[n%len(severities)],
				}
				ans := assessment.Answer{Value: answers[(n+ti)%len(answers)]}
				switch {
				case n%7 == 3:
					ans.Note = noteText(it.ID+"：", 2200, 1<<20)
				case n%4 == 1:
					ans.Note = fmt.Sprintf("%s 抽查3个版本，均已整改。Checked 3 releases.", it.ID)
				}
				if ti == 1 && n == 0 {
					it.Severity = checklist.Critical
					ans.Value = scoring.NonCompliant
					ans.Note = "关键项：未经同意共享设备标识符。"
				}
				if ti == 2 && n == 39 {
					// One note at the size limit: taller than a page.
					ans.Note = noteText(it.ID+"（长说明）：", 1<<20, 20000)
				}
				if ans.Value.IsGap() {
					status := []assessment.PlanStatus{assessment.PlanOpen, assessment.PlanInProgress, assessment.PlanDone}[n%3]
					s.Plans[it.ID] = assessment.Plan{Measure: fmt.Sprintf("%s：修订隐私政策并在首次启动时单独征得同意", it.ID),
						Owner: "法务部 王五", Due: fmt.Sprintf("2021-%02d-15", 10+n%3), Status: status}
				}
				if n%9 == 2 {
					s.Evidence[it.ID] = []assessment.Evidence{{Name: it.ID + "-整改截图.png", Kind: "png", Size: 48213 + int64(n),
						SHA256: fmt.Sprintf("%064x", n*7919+ti)}}
				}
				sec.Items = append(sec.Items, it)
				s.Answers[it.ID] = ans
			}
			cl.Sections = append(cl.Sections, sec)
		}
		s.Checklists = append(s.Checklists, cl)
	}
	return s
}

// testRenderer parses the embedded font as the app does.
func testRenderer(tb testing.TB) *Renderer {
	tb.Helper()
	font, err := selfcheck.Static.ReadFile("static/fonts/wqy-microhei.ttf")
	if err != nil {
		tb.Fatal(err)
	}
	r, err := New(font)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// testData binds the real message catalog to lang. Keys the catalog lacks
// fail the test, so every string the PDF shows is translated.
func testData(tb testing.TB, s *assessment.Sheet, lang string) Data {
	tb.Helper()
	cat, err := i18n.Load()
	if err != nil {
		tb.Fatal(err)
	}
	return Data{
		Sheet: s,
		Lang:  lang,
		T: func(k string, a ...any) string {
			if !cat.Has(k) {
				tb.Errorf("message key %q is not in the catalog", k)
			}
			return cat.T(lang, k, a...)
		},
		GeneratedAt: time.Date(2021, 12, 1, 10, 15, 0, 0, time.UTC),
	}
}
