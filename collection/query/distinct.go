package query

// distinct keeps one row per distinct selected value: a count per value's
// canonical text, emitting the value when its count leaves 0 and
// retracting it when the count returns to 0. The value's text is its key.
type distinct struct {
	counts map[string]int
	next   sink
}

func newDistinct(next sink) *distinct { return &distinct{counts: make(map[string]int), next: next} }

func (d *distinct) apply(ds []delta) {
	var out []delta
	for _, x := range ds {
		sel, _ := x.row[selectedKey].(Row)
		k := canonKey(sel)
		before := d.counts[k]
		after := before + x.mult
		if after <= 0 {
			delete(d.counts, k)
		} else {
			d.counts[k] = after
		}
		row := Row{selectedKey: sel}
		switch {
		case before <= 0 && after > 0:
			out = append(out, delta{key: k, row: row, mult: +1})
		case before > 0 && after <= 0:
			out = append(out, delta{key: k, row: row, mult: -1})
		}
	}
	if len(out) > 0 {
		d.next(out)
	}
}
