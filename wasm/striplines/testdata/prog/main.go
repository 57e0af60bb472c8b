// A program for striplines' test: it exercises what needs the tables that
// striplines keeps (stack growth and copying, garbage collection with
// pointers on deep stacks, goroutines, recover, which walks the stack) and
// prints a stack and a caller, which read the line tables it removes.
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

type node struct {
	next *node
	data []byte
}

// deep recurses n times, allocating a list that only its frames hold, so
// that stack growth and the collector must walk every frame exactly.
func deep(n int, list *node) int {
	if n == 0 {
		runtime.GC()
		total := 0
		for p := list; p != nil; p = p.next {
			total += len(p.data)
		}
		return total
	}
	var pad [64]byte
	pad[n%64] = byte(n)
	return deep(n-1, &node{next: list, data: make([]byte, 16+int(pad[n%64])%8)})
}

// at is small enough to be inlined into its callers: its bounds check
// panics inside an inline tree that striplines removes.
func at(s []int, i int) int { return s[i] }

type guard struct{ hit *bool }

// catch recovers; a deferred method call with arguments runs through a
// compiler-made wrapper, which recover must see through.
func (g guard) catch(tag string) {
	if r := recover(); r != nil {
		*g.hit = tag != ""
	}
}

func viaWrapper(s []int) (hit bool) {
	defer guard{&hit}.catch("wrapper")
	return at(s, 3) > 0
}

// nested must not recover: recover is not called by the deferred function
// itself but by one it calls (the spec's rule), inlined or not.
func nested() (hit bool) {
	defer func() {
		hit = func() bool { return recover() != nil }()
		recover() // the panic must end here
	}()
	return at(nil, 1) > 0
}

func main() {
	done := make(chan int)
	for g := 0; g < 4; g++ {
		go func() { done <- deep(5000, nil) }()
	}
	sum := 0
	for g := 0; g < 4; g++ {
		sum += <-done
	}
	fmt.Println("sum", sum)
	_, file, line, ok := runtime.Caller(0)
	fmt.Println("caller", file, line, ok)
	fmt.Println("wrapper recovered", viaWrapper([]int{1}), "nested recovered", nested())
	func() {
		defer func() {
			r := recover()
			st := string(debug.Stack())
			fmt.Println("recovered", r != nil, "stack names main.main:", strings.Contains(st, "main.main"), "lines:", strings.Contains(st, "main.go:"))
		}()
		var m map[string]int
		m["x"] = 1
	}()
}
