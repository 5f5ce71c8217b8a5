package notify

// Webhook is an endpoint a firm admin or an admin registered: the events
// of Events go to URL, formatted for Kind and signed with Secret.
type Webhook struct {
	ID         int64
	FirmID     uint // the firm whose events it gets; 0: a campaign's or all
	CampaignID uint // the campaign whose events it gets; 0: any
	Kind       string
	URL        string
	Secret     string
	Events     []string
}
