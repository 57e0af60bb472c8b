//go:build js

package bridge

import "syscall/js"

// object is a JS object whose methods are Go functions. The functions are
// never released: a JS call to a released function panics inside
// syscall/js and ends the module, and JS code may hold a method after the
// object is closed. Objects are few (one per database, collection or
// transaction), and per-call state travels as ids instead of new functions.
type object struct {
	value js.Value
}

func (b *Bridge) newObject() *object {
	return &object{value: b.deps.object.New()}
}

// method sets obj[name] = f.
func (o *object) method(name string, f js.Func) {
	o.value.Set(name, f)
}
