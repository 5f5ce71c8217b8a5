package reporting

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"selfcheck/app/report"
	"selfcheck/app/store"
	"selfcheck/app/submission"
)

// signingKeyName is the server key (store.ServerKey) the submission
// packages are signed with: a 32-byte Ed25519 seed, made once and shared by
// every instance on the database.
const signingKeyName = "package-ed25519"

// SigningKey is the instance's Ed25519 key for submission packages, made
// on first use (at start, by server.Open). Several instances starting at
// once agree on one: the store keeps the first stored and every instance
// reads it back.
func (s *Service) SigningKey(ctx context.Context) (ed25519.PrivateKey, error) {
	seed, err := s.Store.ServerKey(ctx, signingKeyName)
	if err != nil {
		return nil, err
	}
	return submission.KeyFromSeed(seed)
}

// PublicKey is the public half of SigningKey, which /verify/key shows.
func (s *Service) PublicKey(ctx context.Context) (ed25519.PublicKey, error) {
	k, err := s.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	return k.Public().(ed25519.PublicKey), nil
}

// PackageFile is a submission package as served, waiting in a temporary
// file, with the verification codes of the reports inside.
type PackageFile struct {
	*File
	Codes []string
}

// Package builds the submission package (app/submission) of assessment id
// for actor, in lang: the PDF report (issued and recorded like any other,
// so its code verifies at /verify/{code}), the rectification report when
// the assessment has gaps (likewise), the XLSX and JSON exports, every
// evidence file once under evidence/{sha256}{ext}, and the signed
// manifest.
//
// It passes the render gate once for the whole package (the reports inside
// are rendered within it, not each through the gate again, which would
// deadlock a gate of one slot). The package is written to a temporary file
// rather than to the client, so that a failure midway is an error answer
// and not a truncated ZIP; evidence goes through one file at a time.
func (s *Service) Package(ctx context.Context, actor *store.User, id uint, lang string) (*PackageFile, error) {
	leave, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer leave()
	key, err := s.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.Data(ctx, actor, id, lang)
	if err != nil {
		return nil, err
	}
	var parts []packagePart
	defer func() {
		for _, p := range parts {
			p.file.Close()
		}
	}()
	pdf, err := s.pdf(ctx, actor, d)
	if err != nil {
		return nil, err
	}
	parts = append(parts, packagePart{"report.pdf", pdf.File})
	codes := []string{pdf.Code}
	for _, format := range []string{"xlsx", "json"} {
		f, err := spoolFile(func(w io.Writer) error { return write(format, w, d) })
		if err != nil {
			return nil, err
		}
		parts = append(parts, packagePart{"report." + Formats[format].Ext, f})
	}
	// The rectification report, when the assessment has gaps to rectify.
	if len(d.Sheet.Gaps()) > 0 {
		rect, err := s.rectification(ctx, actor, d)
		if err != nil {
			return nil, err
		}
		parts = append(parts, packagePart{"rectification.pdf", rect.File})
		codes = append(codes, rect.Code)
	}

	exts := evidenceExts(d)
	var m submission.Manifest
	out, err := spoolFile(func(w io.Writer) error {
		zw := submission.NewWriter(w)
		for _, p := range parts {
			if _, err := p.file.f.Seek(0, io.SeekStart); err != nil {
				return err
			}
			if err := zw.Add(p.name, d.GeneratedAt, p.file.f); err != nil {
				return err
			}
		}
		err := s.Store.PackageEvidence(ctx, actor, id, func(sum string, data []byte) error {
			return zw.Add("evidence/"+sum+exts[sum], d.GeneratedAt, bytes.NewReader(data))
		})
		if err != nil {
			return err
		}
		m, err = zw.Close(submission.Manifest{
			Firm:        submission.Firm{Name: d.Sheet.FirmName, CreditCode: d.Sheet.CreditCode},
			Assessment:  submission.Subject{ID: d.Sheet.ID, State: string(d.Sheet.State), Campaign: campaignName(d)},
			GeneratedAt: d.GeneratedAt, VerificationCodes: codes, VerifyURL: strings.TrimRight(s.PublicURL, "/") + "/verify/",
			Evidence: evidenceRefs(d, exts),
		}, key)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reporting: package of assessment %d: %w", id, err)
	}
	out.Name, out.ContentType = s.fileName(d, "package.zip"), "application/zip"
	out.ASCIIName = s.asciiFileName(d, "package.zip")
	return &PackageFile{File: out, Codes: m.VerificationCodes}, nil
}

type packagePart struct {
	name string
	file *File
}

func campaignName(d report.Data) string {
	if d.Sheet.Campaign == nil {
		return ""
	}
	return d.Sheet.Campaign.Name.In(d.Lang)
}

// evidenceExts is the extension each evidence content is stored under in
// the package, from the first file name it was uploaded with: lower case,
// letters and digits only, so a name cannot make the path odd.
func evidenceExts(d report.Data) map[string]string {
	exts := map[string]string{}
	for _, files := range d.Sheet.Evidence {
		for _, e := range files {
			if _, ok := exts[e.SHA256]; ok {
				continue
			}
			ext := strings.ToLower(path.Ext(e.Name))
			if len(ext) < 2 || len(ext) > 10 || strings.IndexFunc(ext[1:], func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
			}) >= 0 {
				ext = ""
			}
			exts[e.SHA256] = ext
		}
	}
	return exts
}

// evidenceRefs names which item each evidence file of the package belongs
// to and the name it was uploaded with, in item order.
func evidenceRefs(d report.Data, exts map[string]string) []submission.Evidence {
	var refs []submission.Evidence
	for item, files := range d.Sheet.Evidence {
		for _, e := range files {
			refs = append(refs, submission.Evidence{Item: item, Name: e.Name, Path: "evidence/" + e.SHA256 + exts[e.SHA256]})
		}
	}
	sort.Slice(refs, func(i, j int) bool {
		if refs[i].Item != refs[j].Item {
			return refs[i].Item < refs[j].Item
		}
		return refs[i].Path < refs[j].Path
	})
	return refs
}
