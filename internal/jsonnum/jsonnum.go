// Package jsonnum holds the one rule for reading a JSON number as a REAL
// that the store, the collections and the JS bridge all follow.
package jsonnum

import (
	"errors"
	"math"
	"strconv"
)

// ParseFloat reads a JSON number as float64. A number beyond float64's
// range is ±Inf, not an error: SQLite's JSON functions write a REAL
// infinity as 9.0e+999 (so rows and ps_crud hold it that way), and JS's
// JSON.parse reads that text as Infinity. Other errors are strconv's.
func ParseFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && math.IsInf(f, 0) && errors.Is(err, strconv.ErrRange) {
		return f, nil
	}
	return f, err
}
