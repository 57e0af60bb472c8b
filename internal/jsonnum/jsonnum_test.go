package jsonnum_test

import (
	"fmt"

	"github.com/localfirst/gopowersync/internal/jsonnum"
)

func ExampleParseFloat() {
	for _, s := range []string{"9.0e+999", "-9.0e+999", "0.5", "1e-400", "x"} {
		f, err := jsonnum.ParseFloat(s)
		fmt.Println(f, err != nil)
	}
	// Output:
	// +Inf false
	// -Inf false
	// 0.5 false
	// 0 false
	// 0 true
}
