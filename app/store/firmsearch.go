package store

// Firm name search by trigrams. The review queue finds firms by any part
// of their name (LIKE '%…%'), which no B-tree index serves: on its own it
// tests every waiting submission's firm, a cost that grows with the
// campaign. firm_name_grams lists every three-character piece of every
// firm's lowercased name; a search of three characters or more narrows
// the firms to those holding its rarest piece, an index range, and LIKE
// then checks those few. Plain tables and SQL, so PostgreSQL runs it as
// SQLite does (where pg_trgm would be the native tool).
//
// The rows follow the firms through GORM's hooks on Firm, which run in the
// transaction of the create or update that fires them, so every path that
// creates or renames a firm keeps them; the load seeder inserts them in
// bulk instead.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// FirmNameGram is one three-character piece of a firm's lowercased name.
type FirmNameGram struct {
	Gram   string `gorm:"primaryKey"`
	FirmID uint   `gorm:"primaryKey;autoIncrement:false;index"`
}

const (
	// gramLen is the length of a piece, in characters.
	gramLen = 3
	// gramCommon is how many firms make a piece too common to narrow a
	// search: past it the queue tests names in its own order instead, and
	// with that many matching firms its first page fills early.
	gramCommon = 2000
	// gramsTried bounds the pieces of a long search whose firms are counted.
	gramsTried = 8
)

// nameGrams returns the distinct pieces of s, lowercased; none when s is
// shorter than a piece.
func nameGrams(s string) []string {
	r := []rune(strings.ToLower(strings.TrimSpace(s)))
	var out []string
	for i := 0; i+gramLen <= len(r); i++ {
		g := string(r[i : i+gramLen])
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// indexFirmName replaces the pieces of one firm's name.
func indexFirmName(tx *gorm.DB, firmID uint, name string) error {
	tx = tx.Session(&gorm.Session{NewDB: true, SkipHooks: true})
	if err := tx.Where("firm_id = ?", firmID).Delete(&FirmNameGram{}).Error; err != nil {
		return translate(err, "clear name index of firm %d", firmID)
	}
	var rows []FirmNameGram
	for _, g := range nameGrams(name) {
		rows = append(rows, FirmNameGram{Gram: g, FirmID: firmID})
	}
	if len(rows) == 0 {
		return nil
	}
	return translate(tx.Create(&rows).Error, "index name of firm %d", firmID)
}

// indexFirmNames adds the pieces of many new firms' names in few statements.
func indexFirmNames(tx *gorm.DB, firms []Firm) error {
	var rows []FirmNameGram
	for _, f := range firms {
		for _, g := range nameGrams(f.Name) {
			rows = append(rows, FirmNameGram{Gram: g, FirmID: f.ID})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return translate(tx.Session(&gorm.Session{SkipHooks: true}).CreateInBatches(&rows, 1000).Error, "index firm names")
}

// AfterCreate indexes a new firm's name, in the creating transaction. A
// database not yet at migration 12 has no index to keep (tests build
// such databases): migration 12 indexes every firm it finds.
func (f *Firm) AfterCreate(tx *gorm.DB) error {
	if !tx.Session(&gorm.Session{NewDB: true}).Migrator().HasTable(&FirmNameGram{}) {
		return nil
	}
	return indexFirmName(tx, f.ID, f.Name)
}

// AfterUpdate reindexes a firm whose name an update may have changed (any
// update of whole structs, or of a map naming the column), reading the name
// as stored.
func (f *Firm) AfterUpdate(tx *gorm.DB) error {
	// Statement.Changed only works before the update; what it set tells.
	if d, ok := tx.Statement.Dest.(map[string]any); ok {
		_, name := d["name"]
		_, field := d["Name"]
		if !name && !field {
			return nil
		}
	}
	if f.ID == 0 {
		return fmt.Errorf("store: rename firms through Model(&Firm{ID: id}), so that the name index follows: %w", ErrNotFound)
	}
	var cur Firm
	q := tx.Session(&gorm.Session{NewDB: true, SkipHooks: true})
	if err := q.Select("id", "name").First(&cur, f.ID).Error; err != nil {
		return translate(err, "firm %d", f.ID)
	}
	return indexFirmName(tx, cur.ID, cur.Name)
}

// rareGrams returns the (at most two) pieces of a firm search that the
// fewest firms' names hold, among those fewer than gramCommon hold; none
// for a search shorter than a piece or made only of common pieces. A name
// must hold both: two short posting lists narrow far more than one (a
// piece of digits recurs in many names, two together rarely).
func (s *Store) rareGrams(ctx context.Context, search string) ([]string, error) {
	grams := nameGrams(search)
	if len(grams) > gramsTried {
		grams = grams[:gramsTried]
	}
	type counted struct {
		gram string
		n    int64
	}
	var rare []counted
	db := s.db.WithContext(ctx)
	for _, g := range grams {
		var n int64
		postings := db.Model(&FirmNameGram{}).Select("firm_id").Where("gram = ?", g).Limit(gramCommon)
		if err := db.Table("(?) AS postings", postings).Count(&n).Error; err != nil {
			return nil, translate(err, "firm name index")
		}
		if n < gramCommon {
			rare = append(rare, counted{g, n})
		}
	}
	slices.SortStableFunc(rare, func(a, b counted) int { return int(a.n - b.n) })
	var out []string
	for _, r := range rare[:min(len(rare), 2)] {
		out = append(out, r.gram)
	}
	return out, nil
}

// indexAllFirmNames fills firm_name_grams from the firms table, a batch at
// a time (migration 12).
func indexAllFirmNames(tx *gorm.DB) error {
	for after := uint(0); ; {
		var firms []Firm
		if err := tx.Select("id", "name").Where("id > ?", after).Order("id").Limit(1000).Find(&firms).Error; err != nil {
			return err
		}
		if len(firms) == 0 {
			return nil
		}
		if err := indexFirmNames(tx, firms); err != nil {
			return err
		}
		after = firms[len(firms)-1].ID
	}
}
