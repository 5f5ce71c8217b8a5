package store

import (
	"database/sql"

	"gorm.io/gorm"

	"selfcheck/app/auth"
)

// lookupSession loads the session with the token hash, its user when the
// user exists and is not disabled (else user.ID is 0), and the user's firm,
// in one query. Every request of a logged-in browser makes it: as two GORM
// queries filling models by reflection it was a visible share of the
// fill-in page's time.
func lookupSession(db *gorm.DB, tokenHash string) (sess Session, user User, err error) {
	rows, err := db.Raw("SELECT sessions.id, sessions.token_hash, sessions.user_id, sessions.created_at, sessions.last_seen_at, sessions.expires_at, "+
		"users.id, users.email, users.name, users.password_hash, users.role, users.firm_id, users.created_at, users.disabled_at, "+
		"firms.id, firms.name, firms.credit_code, firms.profile, firms.created_at "+
		"FROM sessions LEFT JOIN users ON users.id = sessions.user_id AND users.disabled_at IS NULL "+
		"LEFT JOIN firms ON firms.id = users.firm_id WHERE sessions.token_hash = ? LIMIT 1", tokenHash).Rows()
	if err != nil {
		return sess, user, err
	}
	found := false
	for rows.Next() {
		found = true
		var (
			uid, fid                sql.NullInt64
			email, name, hash, role sql.NullString
			fname, fcode, fprofile  sql.NullString
			ucreated, fcreated      sql.NullTime
			userFirm                *int64
		)
		if err := rows.Scan(&sess.ID, &sess.TokenHash, &sess.UserID, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt,
			&uid, &email, &name, &hash, &role, &userFirm, &ucreated, &user.DisabledAt,
			&fid, &fname, &fcode, &fprofile, &fcreated); err != nil {
			rows.Close()
			return sess, user, err
		}
		if !uid.Valid {
			continue
		}
		user.ID, user.Email, user.Name, user.PasswordHash = uint(uid.Int64), email.String, name.String, hash.String
		user.Role, user.CreatedAt = auth.Role(role.String), ucreated.Time
		if userFirm != nil {
			id := uint(*userFirm)
			user.FirmID = &id
		}
		if fid.Valid {
			user.Firm = &Firm{ID: uint(fid.Int64), Name: fname.String, CreditCode: fcode.String, Profile: fprofile.String, CreatedAt: fcreated.Time}
		}
	}
	if err := closeRows(rows); err != nil {
		return sess, user, err
	}
	if !found {
		return sess, user, gorm.ErrRecordNotFound
	}
	return sess, user, nil
}
