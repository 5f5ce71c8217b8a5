package report

import (
	"strings"

	"selfcheck/app/checklist"
)

// scope states the profile the assessment was answered for, so a reader
// knows why some items are not in the table.
func (c *doc) scope() error {
	tags := c.d.Sheet.Profile.List()
	line := c.t("report.scope_none")
	if len(tags) > 0 {
		line = c.t("report.scope", c.tagList(tags))
	}
	if err := c.para(marginX, contentW, bodySize, line); err != nil {
		return err
	}
	c.y += 8
	return nil
}

// excluded lists the items left out because they do not apply to the
// profile, each with the services it applies to.
func (c *doc) excluded() error {
	left := c.d.Sheet.Excluded
	if len(left) == 0 {
		return nil
	}
	if err := c.newPage(); err != nil {
		return err
	}
	c.mark("excluded")
	if err := c.heading("report.excluded"); err != nil {
		return err
	}
	c.color(grey)
	if err := c.para(marginX, contentW, bodySize, c.t("report.excluded_help", len(left))); err != nil {
		return err
	}
	c.y += 6
	for _, ref := range left {
		c.color(black)
		line := ref.Item.ID + "  " + ref.Item.Text.In(c.d.Lang) + "（" + ref.Checklist.Title.In(c.d.Lang) + "）"
		if c.d.Lang == "en" {
			line = ref.Item.ID + "  " + ref.Item.Text.In(c.d.Lang) + " (" + ref.Checklist.Title.In(c.d.Lang) + ")"
		}
		if err := c.para(marginX, contentW, bodySize, line); err != nil {
			return err
		}
		c.color(grey)
		if err := c.para(marginX+12, contentW-12, bodySize, c.t("report.excluded_reason", c.tagList(ref.Item.AppliesTo))); err != nil {
			return err
		}
		c.y += 4
	}
	c.color(black)
	return nil
}

func (c *doc) tagList(tags []checklist.Tag) string {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = checklist.Label(t, c.d.Lang)
	}
	if c.d.Lang == "en" {
		return strings.Join(names, ", ")
	}
	return strings.Join(names, "、")
}
