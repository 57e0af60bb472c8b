package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestStrippedProgramRuns builds testdata/prog for js/wasm, strips its line
// tables and inline trees, merges its data segments and runs both under
// Node: the stripped one must do the same work
// (stacks grown and copied, collections with deep stacks, goroutines) and
// still name functions in a stack, with no file or line.
func TestStrippedProgramRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module and runs Node")
	}
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("runs the go command and Node")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node")
	}
	goroot := strings.TrimSpace(run(t, "go", "env", "GOROOT"))
	wasmExec := filepath.Join(goroot, "lib/wasm/wasm_exec_node.js")
	if _, err := os.Stat(wasmExec); err != nil {
		wasmExec = filepath.Join(goroot, "misc/wasm/wasm_exec_node.js")
	}
	dir := t.TempDir()
	full := filepath.Join(dir, "full.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", full, "./testdata/prog")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	module, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Strip(module)
	if err != nil {
		t.Fatal(err)
	}
	if st.Funcs == 0 || st.Zeroed == 0 || st.Inlined == 0 || st.InlZero == 0 {
		t.Fatalf("nothing stripped: %+v", st)
	}
	merged, err := MergeSegments(module, mergeGap)
	if err != nil {
		t.Fatal(err)
	}
	if n := countSegments(t, merged); n == 0 || n >= countSegments(t, module) {
		t.Errorf("%d data segments after merging, %d before", n, countSegments(t, module))
	}
	stripped := filepath.Join(dir, "stripped.wasm")
	if err := os.WriteFile(stripped, merged, 0o644); err != nil {
		t.Fatal(err)
	}
	sumOf := func(out string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "sum ") && l != "sum 0" {
				return l
			}
		}
		t.Fatalf("no sum in output:\n%s", out)
		return ""
	}
	want := func(out string, lines bool) {
		t.Helper()
		for _, s := range []string{"recovered true stack names main.main: true", "wrapper recovered true nested recovered false"} {
			if !strings.Contains(out, s) {
				t.Errorf("output lacks %q:\n%s", s, out)
			}
		}
		if got := strings.Contains(out, "lines: true"); got != lines {
			t.Errorf("stack with file:line = %v, want %v:\n%s", got, lines, out)
		}
	}
	fullOut := run(t, node, wasmExec, full)
	want(fullOut, true)
	out := run(t, node, wasmExec, stripped)
	want(out, false)
	if a, b := sumOf(fullOut), sumOf(out); a != b {
		t.Errorf("stripped program computed %q, the full one %q", b, a)
	}
	if !strings.Contains(out, "caller ? 0 true") && !strings.Contains(out, "caller  0 true") {
		t.Errorf("runtime.Caller still finds a line:\n%s", out)
	}
}

func countSegments(t *testing.T, module []byte) int {
	t.Helper()
	mem, err := dataSegments(module)
	if err != nil {
		t.Fatal(err)
	}
	return len(mem.segs)
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}
