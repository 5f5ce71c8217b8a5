// Package catalog is the set of checklists the app offers for new
// assessments: the built-in files plus those admins uploaded, validated
// together by the same strict loader.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"testing/fstest"
	"unicode/utf8"

	"selfcheck/app/checklist"
	"selfcheck/app/fault"
	"selfcheck/app/store"
)

// dir is where every file sits in the virtual tree handed to the loader.
const dir = "catalog"

// MaxFileBytes bounds an uploaded checklist file.
const MaxFileBytes = 1 << 20

// Source builds the catalog. The built-in files never change while the
// process runs; uploaded ones live in the database, so every instance sees
// the same catalog. The parsed result is cached until the uploads change.
type Source struct {
	builtin map[string][]byte // file name -> content
	store   *store.Store

	mu     sync.Mutex
	stamp  string
	cached *checklist.Catalog
	origin map[string]Origin
	broken error // why the uploads were left out of the cached catalog, if they were
}

// Origin says where a theme of the catalog comes from.
type Origin struct {
	Uploaded bool
	File     string
	Upload   *store.CustomChecklist // nil for built-in files
}

// New reads the built-in files (*.yaml in builtinDir of fsys).
func New(fsys fs.FS, builtinDir string, st *store.Store) (*Source, error) {
	names, err := fs.Glob(fsys, path.Join(builtinDir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	s := &Source{builtin: map[string][]byte{}, store: st}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		s.builtin[path.Base(n)] = b
	}
	return s, nil
}

// Catalog returns the current catalog and where each theme comes from.
func (s *Source) Catalog(ctx context.Context) (*checklist.Catalog, map[string]Origin, error) {
	stamp, err := s.store.CustomChecklistsStamp(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && stamp == s.stamp {
		return s.cached, s.origin, nil
	}
	uploads, err := s.store.CustomChecklists(ctx)
	if err != nil {
		return nil, nil, err
	}
	cat, origin, err := s.load(uploads, "", nil)
	s.broken = nil
	if err != nil {
		// Each upload was valid with the catalog of its day, but a later
		// release of the built-in files can clash with one. Keep serving the
		// built-in catalog and tell the admins (Problem), rather than take
		// every page down.
		s.broken = err
		if cat, origin, err = s.load(nil, "", nil); err != nil {
			return nil, nil, fmt.Errorf("catalog: built-in checklists: %w", err)
		}
		for _, u := range uploads {
			origin[u.ChecklistID] = Origin{Uploaded: true, File: u.FileName, Upload: &u}
		}
	}
	s.cached, s.origin, s.stamp = cat, origin, stamp
	return cat, origin, nil
}

// Problem says why uploaded checklists are not offered, or nil when they all
// load with the built-in ones. Call it after Catalog.
func (s *Source) Problem() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.broken
}

// load runs the loader over the built-in files, the uploads and an optional
// candidate file, which replaces an upload with the same checklist id.
func (s *Source) load(uploads []store.CustomChecklist, name string, content []byte) (*checklist.Catalog, map[string]Origin, error) {
	fsys := fstest.MapFS{}
	origin := map[string]Origin{}
	for n, b := range s.builtin {
		fsys[dir+"/"+n] = &fstest.MapFile{Data: b}
	}
	candidateID := strings.TrimSuffix(name, path.Ext(name))
	for i := range uploads {
		u := &uploads[i]
		if name != "" && u.ChecklistID == candidateID {
			continue
		}
		fsys[dir+"/"+u.FileName] = &fstest.MapFile{Data: u.Content}
		origin[u.ChecklistID] = Origin{Uploaded: true, File: u.FileName, Upload: u}
	}
	if name != "" {
		fsys[dir+"/"+name] = &fstest.MapFile{Data: content}
	}
	cat, _, err := checklist.Load(fsys, dir)
	var probs checklist.Problems
	if errors.As(err, &probs) {
		for i := range probs {
			probs[i].File = strings.TrimPrefix(probs[i].File, dir+"/")
		}
		return nil, nil, probs
	}
	if err != nil {
		return nil, nil, err
	}
	for _, cl := range cat.Checklists {
		if _, ok := origin[cl.ID]; !ok {
			origin[cl.ID] = Origin{File: cl.ID + ".yaml"}
		}
	}
	return cat, origin, nil
}

// ErrBadFile refuses an upload before it reaches the loader; a
// *fault.FieldError on the field "file" in its chain says why: a name not
// ending in .yaml (one_of), no content (required), too large (too_long,
// in KiB), not UTF-8 (invalid), a built-in's name (taken).
var ErrBadFile = errors.New("catalog: not a checklist file")

// badFile refuses an upload as ErrBadFile with its reason.
func badFile(code string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrBadFile, fault.Field("file", code, args...))
}

// Upload validates a checklist file against the whole catalog and, when it
// is valid, stores it: a new theme, or a new version of an uploaded one. A
// problem comes back as checklist.Problems (file:line: message) or as
// ErrBadFile with a fault.FieldError.
func (s *Source) Upload(ctx context.Context, actor *store.User, fileName string, content []byte) (*checklist.Checklist, error) {
	name := path.Base(strings.ReplaceAll(fileName, "\\", "/"))
	if strings.HasSuffix(name, ".yml") {
		name = strings.TrimSuffix(name, ".yml") + ".yaml"
	}
	switch {
	case !strings.HasSuffix(name, ".yaml") || len(name) <= len(".yaml"):
		return nil, badFile(fault.OneOf)
	case len(content) == 0:
		return nil, badFile(fault.Required)
	case len(content) > MaxFileBytes:
		return nil, badFile(fault.TooLong, MaxFileBytes>>10)
	case !utf8.Valid(content):
		return nil, badFile(fault.Invalid)
	}
	if _, ok := s.builtin[name]; ok {
		return nil, badFile(fault.Taken, name)
	}
	uploads, err := s.store.CustomChecklists(ctx)
	if err != nil {
		return nil, err
	}
	cat, _, err := s.load(uploads, name, content)
	if err != nil {
		return nil, err
	}
	id := strings.TrimSuffix(name, ".yaml")
	cl, ok := cat.Get(id)
	if !ok {
		return nil, badFile(fault.Unknown, id)
	}
	err = s.store.SaveCustomChecklist(ctx, actor, store.CustomChecklist{ChecklistID: cl.ID, FileName: name, Version: cl.Version, Content: content})
	if err != nil {
		return nil, err
	}
	return cl, nil
}
