package checklist

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Ref is one clause of a national standard or MIIT scenario list that an
// item satisfies (国标对照). Unlike Basis, which is the law an item enforces,
// a Ref is where a compliance team finds the same duty in the standard it is
// audited against.
type Ref struct {
	Standard string `json:"standard"`
	Clause   string `json:"clause"`
}

// Standard is a document items may cite in refs. Clauses lists every clause
// number the document has, as read from its table of contents, so that a
// mistyped or invented clause is a load error rather than a dead reference.
type Standard struct {
	ID    string
	Title Text
	Short Text // how a clause reference is written, e.g. "GB/T 35273—2020"
	// Format, when set, writes a clause reference instead of Short and the
	// clause: a printf pattern taking the clause, e.g. "164号文 第%s类".
	Format  Text
	Clauses []string
}

// clausePattern is the written form of a clause: numbers joined by dots
// ("5.4", "3.2", "7"), or an annex letter ("G").
var clausePattern = regexp.MustCompile(`^([1-9][0-9]*(\.[1-9][0-9]*)*|[A-Z])$`)

func seq(prefix string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, prefix+itoa(i))
	}
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func joinAll(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Standards are the documents refs may cite. The clause lists follow each
// document's own numbering (see checklists/README.md, 国标对照).
var Standards = []Standard{
	{
		ID:    "gbt-35273",
		Title: Text{ZH: "GB/T 35273—2020 信息安全技术 个人信息安全规范", EN: "GB/T 35273-2020 Information security technology — Personal information security specification"},
		Short: Text{ZH: "GB/T 35273—2020", EN: "GB/T 35273-2020"},
		// Chapters 4–11 of the 2020 edition; the rights of the subject moved
		// from 7.x (2017) to chapter 8, sharing to 9, incidents to 10, the
		// organisation to 11.
		Clauses: joinAll([]string{"4"}, seq("5.", 1, 6), seq("6.", 1, 4), seq("7.", 1, 7), seq("8.", 1, 8),
			seq("9.", 1, 8), seq("10.", 1, 2), seq("11.", 1, 7)),
	},
	{
		ID:      "gbt-41391",
		Title:   Text{ZH: "GB/T 41391—2022 信息安全技术 移动互联网应用程序（App）收集个人信息基本要求", EN: "GB/T 41391-2022 Information security technology — Basic requirements for collecting personal information in mobile internet applications"},
		Short:   Text{ZH: "GB/T 41391—2022", EN: "GB/T 41391-2022"},
		Clauses: joinAll([]string{"5"}, seq("6.", 1, 7)),
	},
	{
		ID:      "gbt-43697",
		Title:   Text{ZH: "GB/T 43697—2024 数据安全技术 数据分类分级规则", EN: "GB/T 43697-2024 Data security technology — Rules for data classification and grading"},
		Short:   Text{ZH: "GB/T 43697—2024", EN: "GB/T 43697-2024"},
		Clauses: joinAll([]string{"4"}, seq("5.", 1, 2), seq("6.", 1, 6), seq("7.", 1, 2), []string{"G"}),
	},
	{
		ID:    "gbt-22239",
		Title: Text{ZH: "GB/T 22239—2019 信息安全技术 网络安全等级保护基本要求", EN: "GB/T 22239-2019 Information security technology — Baseline for classified protection of cybersecurity"},
		Short: Text{ZH: "GB/T 22239—2019", EN: "GB/T 22239-2019"},
		// Only level-3 general requirements whose numbering could be read
		// are declared: the computing environment (8.1.4, 安全计算环境: 8.1.4.4
		// 入侵防范 holds the known-vulnerability and intrusion-alert
		// requirements, 8.1.4.9 数据备份恢复 the backups), the management
		// rules (8.1.6, 安全管理制度: 8.1.6.2 管理制度 covers operating
		// procedures), grading and filing (8.1.9.1, 定级和备案, the first
		// control point of 安全建设管理) and security operations (8.1.10,
		// 安全运维管理: 8.1.10.5 漏洞和风险管理, 8.1.10.11 备份与恢复管理).
		// checklists/README.md says where each number was read. Clauses
		// whose position is uncertain (等级测评 in 8.1.9) are left out.
		Clauses: joinAll(seq("8.1.4.", 1, 11), seq("8.1.6.", 1, 4), []string{"8.1.9.1"}, seq("8.1.10.", 1, 14)),
	},
	{
		ID:    "app-identification",
		Title: Text{ZH: "App违法违规收集使用个人信息行为认定方法（2019）", EN: "Methods for Identifying Illegal Collection and Use of Personal Information by Apps (2019)"},
		Short: Text{ZH: "认定方法", EN: "Identification Methods"},
		// Six categories of conduct, 31 rules: "3.2" is category 三, rule 2.
		Clauses: joinAll(seq("1.", 1, 4), seq("2.", 1, 4), seq("3.", 1, 9), seq("4.", 1, 6), seq("5.", 1, 3), seq("6.", 1, 5)),
	},
	{
		ID:     "miit-164",
		Title:  Text{ZH: "工信部信管函〔2020〕164号 整治任务", EN: "MIIT Letter [2020] No. 164, rectification tasks"},
		Short:  Text{ZH: "164号文", EN: "MIIT Letter 164"},
		Format: Text{ZH: "164号文 第%s类", EN: "MIIT Letter 164, item %s"},
		// Ten kinds of conduct in four areas, numbered 1–10 in the notice.
		Clauses: seq("", 1, 10),
	},
	{
		ID:     "miit-26",
		Title:  Text{ZH: "工信部信管函〔2023〕26号 关于进一步提升移动互联网应用服务能力的通知", EN: "MIIT Letter [2023] No. 26 on further improving the service capability of mobile internet applications"},
		Short:  Text{ZH: "26号文", EN: "MIIT Letter 26"},
		Format: Text{ZH: "26号文 第%s项措施", EN: "MIIT Letter 26, measure %s"},
		// Part one's twelve measures on what users perceive, numbered 1–12
		// across its four sections (installing and uninstalling, the service
		// experience, personal information, responding to users). Part two's
		// fourteen measures on the duty-holders are left out: their
		// numbering was not read.
		Clauses: seq("", 1, 12),
	},
	{
		ID:    "gb-45438",
		Title: Text{ZH: "GB 45438—2025 网络安全技术 人工智能生成合成内容标识方法", EN: "GB 45438-2025 Cybersecurity technology — Labeling method for content generated by artificial intelligence"},
		Short: Text{ZH: "GB 45438—2025", EN: "GB 45438-2025"},
		// Chapter 5 holds the explicit labels (5.1 text, 5.2 images, 5.4
		// video), chapter 6 the implicit ones in file metadata (6.1 general
		// rules, 6.2 the metadata fields per file format). Only the numbers
		// seen cited against their content are declared.
		Clauses: []string{"5", "5.1", "5.2", "5.4", "6", "6.1", "6.2"},
	},
	{
		ID:    "gbt-20984",
		Title: Text{ZH: "GB/T 20984—2022 信息安全技术 信息安全风险评估方法", EN: "GB/T 20984-2022 Information security technology — Risk assessment method for information security"},
		Short: Text{ZH: "GB/T 20984—2022", EN: "GB/T 20984-2022"},
		// 4 the framework and process, 5 carrying out an assessment (5.1
		// preparation to 5.6 the documented report), as in its contents.
		Clauses: joinAll([]string{"4"}, seq("4.", 1, 3), []string{"5"}, seq("5.", 1, 6)),
	},
	{
		ID:    "gbt-30276",
		Title: Text{ZH: "GB/T 30276—2020 信息安全技术 网络安全漏洞管理规范", EN: "GB/T 30276-2020 Information security technology — Specification for cybersecurity vulnerability management"},
		Short: Text{ZH: "GB/T 30276—2020", EN: "GB/T 30276-2020"},
		// 4 the process, 5 the requirements per stage (5.1 discovery and
		// reporting, 5.2 receipt, 5.3 verification, 5.4 handling, 5.5
		// disclosure, 5.6 tracking), 6 how compliance is shown.
		Clauses: joinAll([]string{"4", "5"}, seq("5.", 1, 6), []string{"6"}),
	},
}

// StandardByID returns the declared standard with the given id.
func StandardByID(id string) (Standard, bool) {
	for _, s := range Standards {
		if s.ID == id {
			return s, true
		}
	}
	return Standard{}, false
}

// ParseRef reads a reference written "standard/clause", e.g. "gbt-35273/5.4",
// and returns it with the problem, if any, as a message for the file's author.
func ParseRef(s string) (Ref, string) {
	std, clause, ok := strings.Cut(s, "/")
	if !ok || std == "" || clause == "" {
		return Ref{}, "ref " + quote(s) + " must be written standard/clause, e.g. gbt-35273/5.4"
	}
	r := Ref{Standard: std, Clause: clause}
	st, ok := StandardByID(std)
	if !ok {
		return r, "ref " + quote(s) + " cites unknown standard " + quote(std) + " (known: " + standardIDs() + ")"
	}
	if !clausePattern.MatchString(clause) {
		return r, "ref " + quote(s) + ": clause " + quote(clause) + " is malformed (numbers joined by dots, e.g. 5.4)"
	}
	if !slices.Contains(st.Clauses, clause) {
		return r, "ref " + quote(s) + ": " + st.Short.EN + " has no clause " + clause
	}
	return r, ""
}

func quote(s string) string { return `"` + s + `"` }

func standardIDs() string {
	ids := make([]string, len(Standards))
	for i, s := range Standards {
		ids[i] = s.ID
	}
	return strings.Join(ids, ", ")
}

// String returns the reference as written in the YAML, "gbt-35273/5.4".
func (r Ref) String() string { return r.Standard + "/" + r.Clause }

// Text renders the reference for a reader, e.g. "GB/T 35273—2020 5.4".
func (r Ref) Text(lang string) string {
	st, ok := StandardByID(r.Standard)
	if !ok {
		return r.String()
	}
	if f := st.Format.In(lang); f != "" {
		return fmt.Sprintf(f, r.Clause)
	}
	return st.Short.In(lang) + " " + r.Clause
}

// RefsText renders an item's references as one line.
func RefsText(refs []Ref, lang string) string {
	sep := "；"
	if lang == "en" {
		sep = "; "
	}
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = r.Text(lang)
	}
	return strings.Join(parts, sep)
}
