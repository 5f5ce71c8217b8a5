package gopdf

// Selfcheck patch: the compressed streams of a document (page contents
// and the embedded font subset) are written concurrently, each into its
// own buffer, a few objects ahead of the writer, and the document is put
// together in order; the other objects are small and are written in order
// as before. Compressing one after another was two thirds of a report's
// time on one core. Only a window of objects is written ahead, and each
// buffer is released once written out, so a document of thousands of pages
// does not hold all of its compressed pages at once (issue 19).

import (
	"bytes"
	"runtime"
)

// prewritten is one object written ahead into buf, or the error writing
// it; done is closed when it is ready.
type prewritten struct {
	buf  *bytes.Buffer
	err  error
	done chan struct{}
}

// prewriter hands out the objects written ahead, in order.
type prewriter struct {
	out   []*prewritten
	slots chan struct{} // one per object written ahead and not yet taken
	stop  chan struct{}
}

// prewrite starts writing the content and font objects concurrently, at
// most 2×GOMAXPROCS ahead of the objects taken. The result has an entry for
// each of them, nil for the other objects. Neither kind reads state that
// another object's write changes: a content stream holds its operators and
// glyph ids, and the font subset its glyphs, since the pages were laid out.
// Call close when done, also on an early return.
func (gp *GoPdf) prewrite() *prewriter {
	pw := &prewriter{
		out:   make([]*prewritten, len(gp.pdfObjs)),
		slots: make(chan struct{}, 2*runtime.GOMAXPROCS(0)),
		stop:  make(chan struct{}),
	}
	var todo []int
	for i, obj := range gp.pdfObjs {
		switch obj.(type) {
		case *ContentObj, *PdfDictionaryObj:
			pw.out[i] = &prewritten{done: make(chan struct{})}
			todo = append(todo, i)
		}
	}
	go func() {
		for _, i := range todo {
			select {
			case pw.slots <- struct{}{}:
			case <-pw.stop:
				return
			}
			// This module's go.mod predates per-iteration loop variables.
			obj, objID, p := gp.pdfObjs[i], i+1, pw.out[i]
			go func() {
				defer close(p.done)
				p.buf = GetBuffer()
				p.err = obj.write(p.buf, objID)
			}()
		}
	}()
	return pw
}

// take waits for object i written ahead, or returns nil for an object that
// is not. Call release once its bytes are written out.
func (pw *prewriter) take(i int) *prewritten {
	p := pw.out[i]
	if p == nil {
		return nil
	}
	<-p.done
	return p
}

// release frees the buffer of an object taken and lets one more be
// written ahead.
func (pw *prewriter) release(i int) {
	if p := pw.out[i]; p != nil {
		PutBuffer(p.buf)
		p.buf = nil
		<-pw.slots
	}
}

// close stops writing ahead. Objects already being written finish and are
// left to the collector.
func (pw *prewriter) close() { close(pw.stop) }
