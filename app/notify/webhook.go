package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"selfcheck/app/fault"
)

// Webhook is an endpoint a firm admin or an admin registered: the events
// of Events go to URL, formatted for Kind and signed with Secret.
type Webhook struct {
	ID         int64
	FirmID     uint // the firm whose events it gets; 0: an admin's
	CampaignID uint // an admin's: the campaign whose events it gets; 0: every one
	Kind       string
	URL        string
	Secret     string
	Events     []string
}

// The kinds of webhook: the group bots of WeCom (企业微信), DingTalk (钉钉)
// and Feishu (飞书), and a generic signed JSON POST.
const (
	WeCom    = "wecom"
	DingTalk = "dingtalk"
	Feishu   = "feishu"
	Generic  = "generic"
)

// WebhookKinds lists the kinds.
var WebhookKinds = []string{WeCom, DingTalk, Feishu, Generic}

// WebhookChannel is the webhooks' channel name in deliveries.
const WebhookChannel = "webhook"

// Limits of a webhook's fields.
const (
	MaxWebhookURL    = 2000
	MaxWebhookSecret = 200
)

// Matches reports whether w gets event e of the firm and campaign given.
func (w Webhook) Matches(event string, firmID, campaignID uint) bool {
	if !slices.Contains(w.Events, event) {
		return false
	}
	if w.FirmID != 0 {
		return w.FirmID == firmID
	}
	return w.CampaignID == 0 || w.CampaignID == campaignID
}

// ValidateWebhook checks a webhook's kind, URL, secret and events, naming
// the field that is wrong (*fault.FieldError). Only http and https URLs
// are taken, without a user or password in them.
func ValidateWebhook(w Webhook) error {
	if !slices.Contains(WebhookKinds, w.Kind) {
		return fault.Field("kind", fault.OneOf, strings.Join(WebhookKinds, ", "))
	}
	if w.URL == "" {
		return fault.Field("url", fault.Required)
	}
	if len(w.URL) > MaxWebhookURL {
		return fault.Field("url", fault.TooLong, MaxWebhookURL)
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		return fault.Field("url", fault.Invalid)
	}
	if len(w.Secret) > MaxWebhookSecret {
		return fault.Field("secret", fault.TooLong, MaxWebhookSecret)
	}
	if len(w.Events) == 0 {
		return fault.Field("events", fault.Required)
	}
	for _, e := range w.Events {
		if !ValidEvent(e) {
			return fault.Field("events", fault.Unknown, e)
		}
	}
	return nil
}

// Poster is the webhook channel: it POSTs each delivery to its webhook in
// the webhook's format, from an HTTP client that follows no redirect, uses
// no proxy and, unless AllowPrivate, refuses to connect to a loopback,
// private, link-local or otherwise internal address, checked on the address
// it actually dials (a name that resolves inside the network is refused
// too). Server-side request forgery is the risk: whoever registers a
// webhook chooses where this server connects.
type Poster struct {
	PublicURL    string
	Messages     Translator
	AllowPrivate bool
	// Now is the clock of the signatures' timestamps; time.Now when nil.
	Now func() time.Time

	client *http.Client
}

// NewPoster returns the webhook channel.
func NewPoster(publicURL string, msgs Translator, allowPrivate bool) *Poster {
	p := &Poster{PublicURL: strings.TrimRight(publicURL, "/"), Messages: msgs, AllowPrivate: allowPrivate}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		if p.AllowPrivate {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || internal(ip) {
			return fmt.Errorf("webhook: refusing to connect to the internal address %s (serve --webhook-allow-private allows it)", host)
		}
		return nil
	}}
	p.client = &http.Client{
		Transport: &http.Transport{Proxy: nil, DialContext: dialer.DialContext, TLSHandshakeTimeout: 10 * time.Second,
			MaxIdleConnsPerHost: 2, IdleConnTimeout: 90 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return p
}

// internal reports whether ip is not a public unicast address.
func internal(ip net.IP) bool {
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	// Carrier-grade NAT (100.64.0.0/10) is as internal as 10/8.
	if v4 := ip.To4(); v4 != nil && v4[0] == 100 && v4[1]&0xc0 == 64 {
		return true
	}
	return false
}

// Name is the channel's name.
func (*Poster) Name() string { return WebhookChannel }

// Send POSTs d to its webhook. A 5xx, a 429, a bot's rate-limit code or a
// broken connection is retried; another refusal is permanent.
func (p *Poster) Send(ctx context.Context, d Delivery) error {
	if d.Webhook == nil {
		return Permanent(errors.New("webhook: deleted"))
	}
	_, err := p.post(ctx, *d.Webhook, d.Key, d.Notice)
	return err
}

// SendTest sends a test message to w now and returns its answer.
func (p *Poster) SendTest(ctx context.Context, w Webhook) (string, error) {
	n := Notice{Event: "test", Link: "/"}
	return p.post(ctx, w, fmt.Sprintf("test:%d:%d", w.ID, p.now().UnixNano()), n)
}

func (p *Poster) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// text is the notice's sentence and link, in Chinese: the groups the bots
// post to are Chinese teams'.
func (p *Poster) text(n Notice) (title, text, link string) {
	const lang = "zh"
	if n.Event == "test" {
		text = p.Messages.T(lang, "notify2.webhook.test_text")
	} else {
		text = p.Messages.T(lang, "notify.event."+n.Event, n.ActorName, n.AssessmentID)
	}
	return p.Messages.T(lang, "notify2.webhook.title"), text, p.PublicURL + n.Link
}

// Body builds the request of n to w: its URL (DingTalk signs there) and
// JSON body, and the headers of a generic webhook.
func (p *Poster) Body(w Webhook, key string, n Notice) (string, []byte, http.Header, error) {
	title, text, link := p.text(n)
	hdr := http.Header{}
	target := w.URL
	var body any
	switch w.Kind {
	case WeCom:
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]string{
			"content": fmt.Sprintf("**%s**\n%s\n[%s](%s)", title, text, p.Messages.T("zh", "notify.mail.open"), link)}}
	case DingTalk:
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]string{
			"title": title, "text": fmt.Sprintf("#### %s\n\n%s\n\n[%s](%s)", title, text, p.Messages.T("zh", "notify.mail.open"), link)}}
		if w.Secret != "" {
			ts := strconv.FormatInt(p.now().UnixMilli(), 10)
			u, err := url.Parse(w.URL)
			if err != nil {
				return "", nil, nil, err
			}
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", DingTalkSign(ts, w.Secret))
			u.RawQuery = q.Encode()
			target = u.String()
		}
	case Feishu:
		m := map[string]any{"msg_type": "post", "content": map[string]any{"post": map[string]any{"zh_cn": map[string]any{
			"title": title,
			"content": [][]map[string]string{{
				{"tag": "text", "text": text + " "},
				{"tag": "a", "text": p.Messages.T("zh", "notify.mail.open"), "href": link},
			}},
		}}}}
		if w.Secret != "" {
			ts := strconv.FormatInt(p.now().Unix(), 10)
			m["timestamp"], m["sign"] = ts, FeishuSign(ts, w.Secret)
		}
		body = m
	default:
		g := map[string]any{"id": key, "event": n.Event, "actor": n.ActorName, "assessment": n.AssessmentID, "item": n.ItemID,
			"link": link, "text": text}
		if !n.At.IsZero() {
			g["at"] = n.At.UTC().Format(time.RFC3339)
		}
		body = g
	}
	b, err := json.Marshal(body)
	if err != nil {
		return "", nil, nil, err
	}
	if w.Kind == Generic {
		hdr.Set("X-Selfcheck-Delivery", key)
		hdr.Set("X-Selfcheck-Event", n.Event)
		if w.Secret != "" {
			hdr.Set("X-Selfcheck-Signature", "sha256="+GenericSign(w.Secret, b))
		}
	}
	return target, b, hdr, nil
}

// DingTalkSign is a DingTalk custom robot's sign: HMAC-SHA256 keyed by the
// secret of "timestamp\nsecret", in base64 (the URL query encodes it).
func DingTalkSign(timestamp, secret string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// FeishuSign is a Feishu custom bot's sign: HMAC-SHA256 keyed by
// "timestamp\nsecret" of an empty message, in base64.
func FeishuSign(timestamp, secret string) string {
	h := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// GenericSign is a generic webhook's signature of body: HMAC-SHA256 keyed
// by the secret, in hex.
func GenericSign(secret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// post sends one request and judges the answer; it returns the answer's
// status and the start of its body.
func (p *Poster) post(ctx context.Context, w Webhook, key string, n Notice) (string, error) {
	target, body, hdr, err := p.Body(w, key, n)
	if err != nil {
		return "", Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return "", Permanent(err)
	}
	req.Header = hdr
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Selfcheck-Webhook/1")
	res, err := p.client.Do(req)
	if err != nil {
		// The URL, with a bot's access token in it, stays out of the
		// recorded error.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if strings.Contains(err.Error(), "refusing to connect") {
			return "", Permanent(err)
		}
		return "", err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	answer := fmt.Sprintf("%d %s", res.StatusCode, strings.TrimSpace(string(raw)))
	if len(answer) > 500 {
		answer = answer[:500]
	}
	switch {
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return answer, fmt.Errorf("webhook: %s", answer)
	case res.StatusCode < 200 || res.StatusCode > 299:
		return answer, Permanent(fmt.Errorf("webhook: %s", answer))
	}
	// The bots answer 200 with their own code: 0 is success.
	if w.Kind != Generic {
		var r struct {
			ErrCode *int `json:"errcode"` // WeCom, DingTalk
			Code    *int `json:"code"`    // Feishu
		}
		json.Unmarshal(raw, &r)
		code := 0
		if r.ErrCode != nil {
			code = *r.ErrCode
		} else if r.Code != nil {
			code = *r.Code
		}
		switch {
		case code == 0:
		case rateLimited(w.Kind, code):
			return answer, fmt.Errorf("webhook: rate limited: %s", answer)
		default:
			return answer, Permanent(fmt.Errorf("webhook: refused: %s", answer))
		}
	}
	return answer, nil
}

// rateLimited reports whether a bot's code says "too many messages, try
// later": WeCom 45009, DingTalk 130101, Feishu 11232.
func rateLimited(kind string, code int) bool {
	switch kind {
	case WeCom:
		return code == 45009
	case DingTalk:
		return code == 130101
	case Feishu:
		return code == 11232
	}
	return false
}
