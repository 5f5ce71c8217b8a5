package gopdf

// Selfcheck patch: the compressed streams of a document (page contents
// and the embedded font subset) are written concurrently, each into its
// own buffer, before the document is put together in order. Compressing
// them one after another was two thirds of a report's time on one core;
// the rest of the objects are small and are written in order as before.

import (
	"bytes"
	"runtime"
	"sync"
)

// prewritten is one object written ahead into buf, or the error writing it.
type prewritten struct {
	buf *bytes.Buffer
	err error
}

// prewrite writes the content and font objects concurrently, at most
// GOMAXPROCS at a time. The result has an entry for each of them, nil for
// the other objects. Neither kind reads state that another object's write
// changes: a content stream holds its operators and glyph ids, and the
// font subset its glyphs, since the pages were laid out.
func (gp *GoPdf) prewrite() []*prewritten {
	out := make([]*prewritten, len(gp.pdfObjs))
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, obj := range gp.pdfObjs {
		switch obj.(type) {
		case *ContentObj, *PdfDictionaryObj:
		default:
			continue
		}
		// This module's go.mod predates per-iteration loop variables.
		obj, objID := obj, i+1
		p := &prewritten{buf: GetBuffer()}
		out[i] = p
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			p.err = obj.write(p.buf, objID)
		}()
	}
	wg.Wait()
	return out
}
