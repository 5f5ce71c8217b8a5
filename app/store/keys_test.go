package store

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
)

// Two instances asking for a key at once on a fresh database agree on it,
// and so does a restart: a CSRF token made by one is good on the other.
func TestServerKeyIsSharedByInstances(t *testing.T) {
	a, path := newTestStore(t)
	b, err := Open(context.Background(), path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			s := []*Store{a, b}[i%2]
			k, err := s.ServerKey(context.Background(), "csrf")
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys {
		if len(k) != 32 || !bytes.Equal(k, keys[0]) {
			t.Fatalf("instances disagree on the key: %x", keys)
		}
	}
	other, err := a.ServerKey(context.Background(), "other")
	if err != nil || bytes.Equal(other, keys[0]) {
		t.Errorf("another name shares the key: %v", err)
	}
}
