package gopdf

// Selfcheck patch 6 (document information): the Info dictionary is an
// indirect object (the trailer's /Info must be a reference; gopdf wrote the
// dictionary inline, so pdfcpu and others showed it blank) whose strings are
// PDFDocEncoding when they are printable ASCII and UTF-16BE with a BOM
// otherwise (with surrogate pairs: gopdf wrote code points as four hex
// digits); an XMP metadata stream repeating it; the document ID in the
// trailer; /Lang, /ViewerPreferences /DisplayDocTitle and /Metadata in the
// catalog; and the embedded subset font named with the six-letter tag PDF
// requires of subsets (ISO 32000-1, 9.6.4), derived from the glyphs in it
// so that the same document gives the same bytes.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf16"
)

// SetLang sets the document's natural language (/Lang in the catalog), a
// BCP 47 tag such as "zh-CN" or "en".
func (gp *GoPdf) SetLang(lang string) {
	gp.lang = lang
}

// infoObj is the document information dictionary.
type infoObj struct {
	info *PdfInfo
}

func (o infoObj) init(func() *GoPdf) {}
func (o infoObj) getType() string    { return "Info" }

func (o infoObj) write(w io.Writer, objID int) error {
	io.WriteString(w, "<<\n")
	for _, kv := range [][2]string{
		{"Title", o.info.Title}, {"Author", o.info.Author}, {"Subject", o.info.Subject},
		{"Keywords", o.info.Keywords}, {"Creator", o.info.Creator}, {"Producer", o.info.Producer},
	} {
		if kv[1] != "" {
			fmt.Fprintf(w, "/%s %s\n", kv[0], pdfTextString(kv[1]))
		}
	}
	if !o.info.CreationDate.IsZero() {
		d := pdfDate(o.info.CreationDate)
		fmt.Fprintf(w, "/CreationDate (%s)\n/ModDate (%s)\n", d, d)
	}
	io.WriteString(w, ">>\n")
	return nil
}

// metadataObj is the XMP metadata stream, the Info dictionary's twin that
// PDF/UA and PDF/A readers take the title from. It is not compressed, as
// those standards ask, so that tools that do not parse PDF can find it.
type metadataObj struct {
	xmp []byte
}

func (o metadataObj) init(func() *GoPdf) {}
func (o metadataObj) getType() string    { return "Metadata" }

func (o metadataObj) write(w io.Writer, objID int) error {
	fmt.Fprintf(w, "<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n", len(o.xmp))
	w.Write(o.xmp)
	io.WriteString(w, "\nendstream\n")
	return nil
}

// addDocInfo appends the Info dictionary and the XMP metadata, names the
// font subsets, and points the catalog at the metadata. It runs once, when
// the document is compiled and every glyph is known.
func (gp *GoPdf) addDocInfo() error {
	if gp.docInfoAdded {
		return nil
	}
	gp.docInfoAdded = true
	for _, obj := range gp.pdfObjs {
		if s, ok := obj.(*SubsetFontObj); ok {
			s.subsetTag = s.tag()
		}
	}
	cat := gp.pdfObjs[gp.indexOfCatalogObj].(*CatalogObj)
	cat.lang = gp.lang
	// Selfcheck patch 7: the outline, if any.
	outline, err := gp.addOutline()
	if err != nil {
		return err
	}
	if outline > 0 {
		cat.outlinesObjID = outline
	}
	cat.structTreeRootID = gp.addStructTree() // Selfcheck patch 8
	if !gp.isUseInfo {
		return nil
	}
	gp.infoObjID = gp.addObj(infoObj{info: gp.info}) + 1
	cat.metadataObjID = gp.addObj(metadataObj{xmp: xmp(gp.info, gp.lang, gp.documentID())}) + 1
	cat.displayDocTitle = gp.info.Title != ""
	return nil
}

// documentID is the info's ID, else a digest of the info itself: the same
// document information gives the same ID, so the same document the same
// bytes.
func (gp *GoPdf) documentID() []byte {
	if len(gp.info.ID) > 0 {
		return gp.info.ID
	}
	h := sha256.New()
	for _, s := range []string{gp.info.Title, gp.info.Author, gp.info.Subject, gp.info.Keywords,
		gp.info.Creator, gp.info.Producer, gp.info.CreationDate.UTC().Format(time.RFC3339Nano), gp.lang} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	return h.Sum(nil)[:16]
}

// writeTrailerInfo writes the trailer's /Info and /ID entries.
func (gp *GoPdf) writeTrailerInfo(w io.Writer) {
	if !gp.isUseInfo || gp.infoObjID == 0 {
		return
	}
	fmt.Fprintf(w, "/Info %d 0 R\n", gp.infoObjID)
	if !gp.isUseProtection() {
		id := hex.EncodeToString(gp.documentID())
		fmt.Fprintf(w, "/ID [<%s> <%s>]\n", id, id)
	}
}

// pdfTextString encodes s as a PDF text string: a literal string when it
// is printable ASCII (PDFDocEncoding agrees with ASCII there), else
// UTF-16BE with a byte order mark, as ISO 32000-1 7.9.2.2 requires.
func pdfTextString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
		return "(" + r.Replace(s) + ")"
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// pdfDate formats t as a PDF date, "D:YYYYMMDDHHmmSSOHH'mm'" (Z for UTC).
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return t.Format("D:20060102150405Z")
	}
	return t.Format("D:20060102150405-07'00'")
}

// tag returns the six upper-case letters that prefix a subset font's name:
// a digest of the glyphs in the subset, so that different subsets get
// different names and the same subset the same one.
func (s *SubsetFontObj) tag() string {
	glyphs := append([]uint(nil), s.CharacterToGlyphIndex.Vals...)
	sort.Slice(glyphs, func(i, j int) bool { return glyphs[i] < glyphs[j] })
	h := sha256.New()
	for _, g := range glyphs {
		fmt.Fprintf(h, "%d,", g)
	}
	sum := h.Sum(nil)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	return string(tag)
}

// subsetName is the subset font's name with its tag, as written in the
// font, the CID font and the font descriptor.
func (s *SubsetFontObj) subsetName() string {
	name := CreateEmbeddedFontSubsetName(s.Family)
	if s.subsetTag == "" {
		return name
	}
	return s.subsetTag + "+" + name
}

// xmp returns the XMP packet that repeats the document information.
func xmp(info *PdfInfo, lang string, id []byte) []byte {
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		for _, r := range s {
			switch r {
			case '<':
				e.WriteString("&lt;")
			case '>':
				e.WriteString("&gt;")
			case '&':
				e.WriteString("&amp;")
			case '"':
				e.WriteString("&quot;")
			default:
				if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
					continue // not allowed in XML 1.0
				}
				e.WriteRune(r)
			}
		}
		return e.String()
	}
	alt := func(s string) string {
		return `<rdf:Alt><rdf:li xml:lang="x-default">` + esc(s) + `</rdf:li></rdf:Alt>`
	}
	b.WriteString("<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` + "\n")
	b.WriteString(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">` + "\n")
	b.WriteString("<dc:format>application/pdf</dc:format>\n")
	if info.Title != "" {
		b.WriteString("<dc:title>" + alt(info.Title) + "</dc:title>\n")
	}
	if info.Author != "" {
		b.WriteString("<dc:creator><rdf:Seq><rdf:li>" + esc(info.Author) + "</rdf:li></rdf:Seq></dc:creator>\n")
	}
	if info.Subject != "" {
		b.WriteString("<dc:description>" + alt(info.Subject) + "</dc:description>\n")
	}
	if lang != "" {
		b.WriteString("<dc:language><rdf:Bag><rdf:li>" + esc(lang) + "</rdf:li></rdf:Bag></dc:language>\n")
	}
	if info.Keywords != "" {
		b.WriteString("<pdf:Keywords>" + esc(info.Keywords) + "</pdf:Keywords>\n")
	}
	if info.Producer != "" {
		b.WriteString("<pdf:Producer>" + esc(info.Producer) + "</pdf:Producer>\n")
	}
	if info.Creator != "" {
		b.WriteString("<xmp:CreatorTool>" + esc(info.Creator) + "</xmp:CreatorTool>\n")
	}
	if !info.CreationDate.IsZero() {
		d := info.CreationDate.Format(time.RFC3339)
		b.WriteString("<xmp:CreateDate>" + d + "</xmp:CreateDate>\n<xmp:ModifyDate>" + d + "</xmp:ModifyDate>\n")
	}
	b.WriteString("<xmpMM:DocumentID>uuid:" + uuidOf(id) + "</xmpMM:DocumentID>\n")
	b.WriteString("</rdf:Description>\n</rdf:RDF></x:xmpmeta>\n<?xpacket end=\"r\"?>")
	return b.Bytes()
}

// uuidOf formats the first 16 bytes of id as a UUID.
func uuidOf(id []byte) string {
	u := make([]byte, 16)
	copy(u, id)
	h := hex.EncodeToString(u)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
