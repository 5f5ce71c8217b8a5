package checklist

// Tag names something a firm runs or does that makes some items apply (the
// firm's profile). Items list tags under applies_to.
type Tag string

// TagInfo describes a profile tag to the people who pick it.
type TagInfo struct {
	Tag   Tag
	Label Text
}

// Tags are the known profile tags, in the order a profile form shows them.
var Tags = []TagInfo{
	{"app", Text{ZH: "移动应用（App）", EN: "Mobile app"}},
	{"mini_program", Text{ZH: "小程序、快应用", EN: "Mini programs or quick apps"}},
	{"website", Text{ZH: "网站、网页服务", EN: "Website or web service"}},
	{"pc_client", Text{ZH: "电脑（PC）客户端软件", EN: "Desktop (PC) software"}},
	{"sdk", Text{ZH: "向他人提供SDK", EN: "SDK offered to other developers"}},
	{"app_store", Text{ZH: "应用商店、分发平台", EN: "App store or distribution platform"}},
	{"im", Text{ZH: "即时通信服务", EN: "Instant messaging service"}},
	{"cloud", Text{ZH: "云服务、接入服务（IDC/CDN）", EN: "Cloud or access services (IDC/CDN)"}},
	{"important_data", Text{ZH: "处理重要数据", EN: "Processes important data"}},
	{"minors", Text{ZH: "处理未成年人（不满十四周岁儿童）个人信息", EN: "Handles minors' (under-14 children's) personal information"}},
	{"cross_border", Text{ZH: "向境外提供数据", EN: "Transfers data abroad"}},
	{"large_platform", Text{ZH: "大型平台（用户数量巨大、业务类型复杂）", EN: "Large platform (very many users, complex business)"}},
}

// KnownTag reports whether t is one of Tags.
func KnownTag(t Tag) bool {
	for _, ti := range Tags {
		if ti.Tag == t {
			return true
		}
	}
	return false
}

// Profile is what a firm runs: the set of tags that make items apply.
type Profile map[Tag]bool

// NewProfile builds a profile from tags, ignoring unknown ones.
func NewProfile(tags ...Tag) Profile {
	p := Profile{}
	for _, t := range tags {
		if KnownTag(t) {
			p[t] = true
		}
	}
	return p
}

// List returns the profile's tags in the order of Tags.
func (p Profile) List() []Tag {
	var out []Tag
	for _, ti := range Tags {
		if p[ti.Tag] {
			out = append(out, ti.Tag)
		}
	}
	return out
}

// Label names a tag in lang, or returns the tag itself when unknown.
func Label(t Tag, lang string) string {
	for _, ti := range Tags {
		if ti.Tag == t {
			return ti.Label.In(lang)
		}
	}
	return string(t)
}
