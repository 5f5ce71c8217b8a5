package report

import "fmt"

// Size of the QR code on the cover, in points.
const qrSize = 96.0

// verification prints the report's verification code, the address to check
// it at and, when given, the address as a QR code. The code is derived from
// the report's content: anyone holding the PDF can look it up, and the page
// there names the file's expected SHA-256.
func (c *doc) verification() error {
	v := c.d.Verify
	if v.Code == "" {
		return nil
	}
	if err := c.heading("report.verify"); err != nil {
		return err
	}
	h := qrSize
	if err := c.need(h + 8); err != nil {
		return err
	}
	top := c.y
	textW := contentW
	if len(v.QR) > 0 {
		textW = contentW - qrSize - 16
		c.tags.fig = c.block("Figure")
		c.tags.fig.Alt = v.URL
		c.drawQR(marginX+contentW-qrSize, top, qrSize, v.QR)
		c.tags.fig = nil
	}
	if err := c.font(bodySize); err != nil {
		return err
	}
	c.color(grey)
	if err := c.para(marginX, textW, bodySize, c.t("report.verify_code")); err != nil {
		return err
	}
	c.color(black)
	if err := c.para(marginX, textW, headingSize+2, v.Code); err != nil {
		return err
	}
	c.y += 4
	c.color(grey)
	if err := c.para(marginX, textW, bodySize, c.t("report.verify_help")); err != nil {
		return err
	}
	c.color(black)
	urlTop := c.y
	c.tagNext("Link")
	if err := c.para(marginX, textW, bodySize, v.URL); err != nil {
		return err
	}
	if err := c.gp.AddURILinkOnPage(c.pages, marginX, urlTop, textW, c.y-urlTop, v.URL, c.t("report.verify_help")); err != nil {
		return fmt.Errorf("verification link: %w", err)
	}
	c.gp.TagAnnot(c.tags.cur)
	c.y = max(c.y, top+h) + 8
	return nil
}

// drawQR draws the QR module matrix as black squares in a size × size box
// with a white quiet zone of four modules, as scanners expect.
func (c *doc) drawQR(x, y, size float64, m [][]bool) {
	n := len(m)
	if n == 0 {
		return
	}
	mod := size / float64(n+8)
	c.fill(white)
	c.rect(x, y, size, size, "F")
	c.fill(black)
	for r, line := range m {
		// Runs of dark modules in a row become one rectangle: fewer
		// drawing operators, a smaller PDF.
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			end := col
			for end < len(line) && line[end] {
				end++
			}
			c.rect(x+float64(col+4)*mod, y+float64(r+4)*mod, float64(end-col)*mod, mod, "F")
			col = end
		}
	}
}
