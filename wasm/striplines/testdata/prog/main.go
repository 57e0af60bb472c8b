// A program for striplines' test: it exercises what needs the tables that
// striplines keeps (stack growth and copying, garbage collection with
// pointers on deep stacks, goroutines) and prints a stack and a caller,
// which read the line tables it removes.
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
