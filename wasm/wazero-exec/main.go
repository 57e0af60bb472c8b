// Command wazero-exec runs a WebAssembly program compiled with GOOS=wasip1
// under wazero. It is shaped to serve as `go test -exec`:
//
//	GOOS=wasip1 GOARCH=wasm go test -exec "$(go env GOPATH)/bin/wazero-exec" ./store/
//
// The first argument is the module; the rest become its arguments. The host
// file system is mounted at / and the environment is passed through, so tests
// can use t.TempDir and testdata as they do natively. Compiled code is cached
// (in $WAZERO_CACHE, else the user cache dir), because compiling a module that
// embeds SQLite takes seconds and the test run compiles each package once.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: wazero-exec module.wasm [args...]")
		os.Exit(2)
	}
	code, err := run(context.Background(), os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "wazero-exec:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// run executes the module at path with args and returns its exit code.
func run(ctx context.Context, path string, args []string) (int, error) {
	bin, err := os.ReadFile(path)
	if err != nil {
		return 1, err
	}

	config := wazero.NewRuntimeConfig()
	if dir := cacheDir(); dir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(dir)
		if err != nil {
			return 1, fmt.Errorf("compilation cache %s: %w", dir, err)
		}
		defer cache.Close(ctx)
		config = config.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, config)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)

	mod, err := rt.CompileModule(ctx, bin)
	if err != nil {
		return 1, fmt.Errorf("compile %s: %w", path, err)
	}

	modConfig := wazero.NewModuleConfig().
		WithName("").
		WithArgs(append([]string{filepath.Base(path)}, args...)...).
		WithStdin(os.Stdin).
		WithStdout(os.Stdout).
		WithStderr(os.Stderr).
		WithSysWalltime().
		WithSysNanotime().
		WithSysNanosleep().
		WithRandSource(rand.Reader).
		WithFSConfig(wazero.NewFSConfig().WithDirMount("/", "/"))
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		modConfig = modConfig.WithEnv(k, v)
	}
	// Go's wasip1 port takes its working directory from $PWD.
	if wd, err := os.Getwd(); err == nil {
		modConfig = modConfig.WithEnv("PWD", wd)
	}

	_, err = rt.InstantiateModule(ctx, mod, modConfig)
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return int(exit.ExitCode()), nil
	}
	if err != nil {
		return 1, err
	}
	return 0, nil
}

// cacheDir picks where compiled modules are kept between runs.
func cacheDir() string {
	if dir := os.Getenv("WAZERO_CACHE"); dir != "" {
		return dir
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "gopowersync-wazero")
	}
	return ""
}
