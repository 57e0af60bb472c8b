package query

import "github.com/localfirst/gopowersync/collection"

// filter passes the deltas whose row satisfies cond (where and having).
// It keeps no state: a retraction carries the row it retracts, so it is
// judged as its insertion was.
func filter(cond collection.Expr, next sink) sink {
	return func(ds []delta) {
		out := ds[:0:0]
		for _, d := range ds {
			if truth(cond, d.row) {
				out = append(out, d)
			}
		}
		if len(out) > 0 {
			next(out)
		}
	}
}
