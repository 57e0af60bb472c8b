//go:build !((wasip1 || js) && !sqlite3_dotlk)

package powersync

var filePlaces = []string{"file"}
