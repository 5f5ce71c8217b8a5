// Package access holds who is acting and who may call what: the Principal
// every use case and page receives instead of a database row, and the role
// sets both route tables (app/web, app/api) declare for each route.
package access

import (
	"slices"

	"selfcheck/app/auth"
)

// Principal is the person behind a request, as the use cases and pages
// see them: who, in which role, for which firm, in which language. It
// carries no credential.
type Principal struct {
	ID    uint
	Role  auth.Role
	Name  string
	Email string
	Lang  string // the page's or request's language, zh or en
	Firm  *Firm  // the firm of a firm member or firm admin; nil otherwise
}

// Firm is the firm a principal belongs to.
type Firm struct {
	ID         uint
	Name       string
	CreditCode string
}

// FirmID is the principal's firm, 0 when they belong to none.
func (p Principal) FirmID() uint {
	if p.Firm == nil {
		return 0
	}
	return p.Firm.ID
}

// Anonymous reports whether nobody is signed in.
func (p Principal) Anonymous() bool { return p.ID == 0 }

// InFirm reports whether the principal acts for a firm.
func (p Principal) InFirm() bool { return p.Role.InFirm() && p.Firm != nil }

// Reviews reports whether the principal is an auditor or an admin.
func (p Principal) Reviews() bool { return p.Role == auth.Auditor || p.Role == auth.Admin }

// Who says who may call a route. A nil Who means anyone, signed in or not.
type Who []auth.Role

// The role sets routes declare.
var (
	Anyone    Who
	SignedIn  = Who{auth.FirmMember, auth.FirmAdmin, auth.Auditor, auth.Admin}
	FirmUser  = Who{auth.FirmMember, auth.FirmAdmin}
	FirmAdmin = Who{auth.FirmAdmin}
	Admin     = Who{auth.Admin}
	Reviewer  = Who{auth.Auditor, auth.Admin}
)

// Allows reports whether role may call a route of w.
func (w Who) Allows(role auth.Role) bool { return w == nil || slices.Contains(w, role) }

// Open reports whether anyone may call the route, without signing in.
func (w Who) Open() bool { return w == nil }
