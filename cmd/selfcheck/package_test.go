package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"selfcheck/app/access"
	"selfcheck/app/submission"
	"selfcheck/app/testenv"
	"selfcheck/app/workflow"
)

// realPackage is the submission package of a demo assessment with three
// evidence files (two items share one content), as the server issues it.
func realPackage(t *testing.T) (pkg []byte, key string, evidencePath string) {
	t.Helper()
	ctx := context.Background()
	env := testenv.New(t)
	u, err := env.Store.UserByEmail(ctx, "firm@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	p := access.Principal{ID: u.ID, Role: u.Role, Name: u.Name, Email: u.Email, Lang: "zh", Firm: &access.Firm{ID: *u.FirmID}}
	list, err := env.Store.CampaignList(ctx, u)
	if err != nil || len(list) == 0 {
		t.Fatalf("demo campaign: %v", err)
	}
	id, err := env.Work.StartAssessment(ctx, p, workflow.StartInput{Campaign: list[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := env.Work.Sheet(ctx, p, id)
	if err != nil {
		t.Fatal(err)
	}
	items := sh.Checklists[0].Items()
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 300)...)
	for _, f := range []struct {
		item, name string
		data       []byte
	}{
		{items[0].ID, "营业执照.png", png},
		{items[1].ID, "同一张图.png", png},
		{items[1].ID, "备案说明.txt", []byte("ICP 备案说明：京ICP备00000000号")},
	} {
		if _, err := env.Work.AttachEvidence(ctx, p, id, f.item, f.name, f.data); err != nil {
			t.Fatal(err)
		}
	}
	out, err := env.Work.SubmissionPackage(ctx, p, id, "zh")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if pkg, err = out.Bytes(); err != nil {
		t.Fatal(err)
	}
	k, err := env.Work.PackageKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return pkg, k.Base64, "evidence/" + sha256Hex(png) + ".png"
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// rezip copies a ZIP entry by entry through change (nil leaves an entry
// out) and appends extra.
func rezip(t *testing.T, pkg []byte, change func(name string, data []byte) []byte, extra map[string]string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if data = change(f.Name, data); data == nil {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	for name, data := range extra {
		w, _ := zw.Create(name)
		w.Write([]byte(data))
	}
	zw.Close()
	return buf.Bytes()
}

func TestPackageVerify(t *testing.T) {
	pkg, key, evidencePath := realPackage(t)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.zip", pkg)

	// What the package holds, read as a regulator would.
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var manifest submission.Manifest
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == submission.ManifestName {
			rc, _ := f.Open()
			if err := json.NewDecoder(rc).Decode(&manifest); err != nil {
				t.Fatal(err)
			}
			rc.Close()
		}
	}
	if len(names) != 7 || names[0] != "report.pdf" || names[1] != "report.xlsx" || names[2] != "report.json" ||
		!strings.HasPrefix(names[3], "evidence/") || names[5] != submission.ManifestName || names[6] != submission.SignatureName {
		t.Errorf("package entries: %q", names)
	}
	if manifest.Firm.Name != "示例科技有限公司" || manifest.PublicKey != key || len(manifest.VerificationCodes) != 1 || len(manifest.Files) != 5 || len(manifest.Evidence) != 3 {
		t.Errorf("manifest: %+v", manifest)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"good, key from the manifest", []string{good}, 0, []string{"OK " + good, "示例科技有限公司", manifest.VerificationCodes[0], "key inside manifest.json", "not pinned", "files:       5", evidencePath}},
		{"good, key pinned", []string{"--key", key, good}, 0, []string{"OK", "pinned key (--key)", submission.Fingerprint(mustKey(t, key))}},
		{"good, key pinned after the file", []string{good, "--key", key}, 0, []string{"OK", "pinned key (--key)"}},
		{"another key pinned", []string{"--key", otherKey(t), good}, 1, []string{"FAILED", "manifest.sig: the signature does not match"}},
		{"one evidence byte changed", []string{write("byte.zip", rezip(t, pkg, func(n string, b []byte) []byte {
			if n == evidencePath {
				b = bytes.Clone(b)
				b[len(b)-1] ^= 0x20
			}
			return b
		}, nil))}, 1, []string{"FAILED", evidencePath + ": SHA-256"}},
		{"manifest edited", []string{write("manifest.zip", rezip(t, pkg, func(n string, b []byte) []byte {
			if n == submission.ManifestName {
				return bytes.Replace(b, []byte("示例科技有限公司"), []byte("另一家科技有限公司"), 1)
			}
			return b
		}, nil))}, 1, []string{"FAILED", "manifest.sig: the signature does not match manifest.json"}},
		{"signature replaced", []string{write("sig.zip", rezip(t, pkg, func(n string, b []byte) []byte {
			if n == submission.SignatureName {
				_, k, _ := ed25519.GenerateKey(rand.Reader)
				return []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(k, []byte("x"))))
			}
			return b
		}, nil))}, 1, []string{"FAILED", "manifest.sig: the signature does not match"}},
		{"a file missing", []string{write("missing.zip", rezip(t, pkg, func(n string, b []byte) []byte {
			if n == "report.xlsx" {
				return nil
			}
			return b
		}, nil))}, 1, []string{"FAILED", "report.xlsx: is listed in manifest.json but missing from the ZIP"}},
		{"an extra file", []string{write("extra.zip", rezip(t, pkg, func(_ string, b []byte) []byte { return b },
			map[string]string{"evidence/0000.exe": "MZ"}))}, 1, []string{"FAILED", "evidence/0000.exe: is in the ZIP but not listed in manifest.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"package", "verify"}, tc.args...), &out, &errOut)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out.String(), errOut.String())
			}
			t.Log(out.String())
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"package", "verify", "--key", "nonsense", good}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--key") {
		t.Errorf("a malformed --key: exit %d %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"package", "verify", filepath.Join(dir, "absent.zip")}, &out, &errOut); code != 1 {
		t.Errorf("a missing file: exit %d", code)
	}
}

func mustKey(t *testing.T, s string) ed25519.PublicKey {
	t.Helper()
	k, err := submission.ParsePublicKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func otherKey(t *testing.T) string {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	return submission.KeyText(pub)
}
