package store

import (
	"encoding/json"
	"testing"

	"gorm.io/gorm"
)

// pgPlanNode is one node of PostgreSQL's EXPLAIN (FORMAT JSON).
type pgPlanNode struct {
	NodeType  string       `json:"Node Type"`
	Relation  string       `json:"Relation Name"`
	IndexName string       `json:"Index Name"`
	Plans     []pgPlanNode `json:"Plans"`
}

// pgPlan is the plan PostgreSQL would run q with when it can use any
// index that serves it: sequential scans and sorts are switched off for
// the transaction (they stay possible, at a prohibitive cost), so a test
// table of a few rows asks whether an index CAN serve the query, not
// whether it is worth it on so little data. It lists the plan's nodes,
// depth first.
func pgPlan(t testing.TB, db *gorm.DB, q string, args ...any) []pgPlanNode {
	t.Helper()
	var out string
	err := db.Transaction(func(tx *gorm.DB) error {
		for _, set := range []string{"SET LOCAL enable_seqscan = off", "SET LOCAL enable_sort = off"} {
			if err := tx.Exec(set).Error; err != nil {
				return err
			}
		}
		return tx.Raw("EXPLAIN (FORMAT JSON) "+q, args...).Row().Scan(&out)
	})
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", q, err)
	}
	var plans []struct{ Plan pgPlanNode }
	if err := json.Unmarshal([]byte(out), &plans); err != nil || len(plans) != 1 {
		t.Fatalf("EXPLAIN %s: %v: %s", q, err, out)
	}
	var nodes []pgPlanNode
	var walk func(n pgPlanNode)
	walk = func(n pgPlanNode) {
		nodes = append(nodes, n)
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(plans[0].Plan)
	return nodes
}

// indexScan reports whether n reads the index named index (any name when
// index is "").
func (n pgPlanNode) indexScan(index string) bool {
	switch n.NodeType {
	case "Index Scan", "Index Only Scan", "Bitmap Index Scan":
		return index == "" || n.IndexName == index
	}
	return false
}
