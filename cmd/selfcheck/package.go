package main

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"selfcheck/app/submission"
)

const packageUsage = "selfcheck package verify [--key PUBLIC_KEY] FILE.zip"

// packageCmd runs `selfcheck package verify`: it checks a submission
// package offline (no database, no network): the manifest's Ed25519
// signature, then every file's size and SHA-256, and that the ZIP holds
// nothing the manifest does not list. It prints what it verified (exit 0)
// or the first file or signature that does not match (exit 1).
func packageCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintf(stderr, "usage: %s\n", packageUsage)
		return 2
	}
	fs := flag.NewFlagSet("package verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n", packageUsage)
		fs.PrintDefaults()
	}
	keyText := fs.String("key", "", "the Ed25519 public key to check the signature with (base64, as /verify/key shows it); without it, the key inside the manifest")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	// Flags may follow the file too: `package verify FILE.zip --key K`.
	rest := fs.Args()
	if len(rest) > 1 {
		if err := fs.Parse(rest[1:]); err != nil {
			return 2
		}
		rest = append(rest[:1], fs.Args()...)
	}
	if len(rest) != 1 {
		fs.Usage()
		return 2
	}
	var pinned ed25519.PublicKey
	if *keyText != "" {
		k, err := submission.ParsePublicKey(*keyText)
		if err != nil {
			fmt.Fprintf(stderr, "selfcheck: --key: %v\n", err)
			return 2
		}
		pinned = k
	}
	name := rest[0]
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(stderr, "selfcheck: %v\n", err)
		return 1
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		fmt.Fprintf(stderr, "selfcheck: %v\n", err)
		return 1
	}
	v, err := submission.Verify(f, info.Size(), pinned)
	var p *submission.Problem
	if errors.As(err, &p) {
		fmt.Fprintf(stdout, "FAILED %s\n  %s: %s\n", name, p.Path, p.Reason)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "selfcheck: %v\n", err)
		return 1
	}
	m := v.Manifest
	fmt.Fprintf(stdout, "OK %s\n", name)
	fmt.Fprintf(stdout, "  firm:        %s (%s)\n", m.Firm.Name, m.Firm.CreditCode)
	fmt.Fprintf(stdout, "  assessment:  #%d, %s", m.Assessment.ID, m.Assessment.State)
	if m.Assessment.Campaign != "" {
		fmt.Fprintf(stdout, ", campaign %s", m.Assessment.Campaign)
	}
	fmt.Fprintf(stdout, "\n  generated:   %s\n", m.GeneratedAt.Format("2006-01-02 15:04:05 MST"))
	for _, c := range m.VerificationCodes {
		fmt.Fprintf(stdout, "  report code: %s (check at %s%s)\n", c, m.VerifyURL, c)
	}
	switch v.Source {
	case submission.KeyPinned:
		fmt.Fprintf(stdout, "  signature:   Ed25519, valid with the pinned key (--key), fingerprint %s\n", submission.Fingerprint(v.Key))
	default:
		fmt.Fprintf(stdout, "  signature:   Ed25519, valid with the key inside manifest.json, fingerprint %s\n", submission.Fingerprint(v.Key))
		fmt.Fprintf(stdout, "               (not pinned: this shows the package is unchanged since signing, not who signed it;\n")
		fmt.Fprintf(stdout, "               compare the fingerprint with the issuer's /verify/key page or give --key)\n")
	}
	var total int64
	for _, file := range m.Files {
		total += file.Size
	}
	fmt.Fprintf(stdout, "  files:       %d, %d bytes, each SHA-256 and size as listed; nothing unlisted\n", len(m.Files), total)
	for _, file := range m.Files {
		fmt.Fprintf(stdout, "    %s  %10d  %s\n", file.SHA256, file.Size, file.Path)
	}
	return 0
}
