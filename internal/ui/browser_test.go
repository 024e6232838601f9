package ui

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/server"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "rewrite docs/explorer.png from the catalog view")

// chromiumPath finds the browser, or skips the test (fails it under CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH; CI must install it (.ci/run does: apt-get install chromium)")
	}
	t.Skip("no chromium on PATH; install the Debian package chromium to run the browser tests")
	return ""
}

// newStatusd serves the API and the explorer on loopback the way
// cmd/statusd's newHandler wires them.
func newStatusd(t *testing.T, cat *mapping.Catalog) *httptest.Server {
	t.Helper()
	svc := server.New(cat)
	mux := http.NewServeMux()
	mux.Handle(server.NewHandler(svc, connect.WithCompressMinBytes(1024)))
	Mount(mux)
	srv := httptest.NewServer(svc.Cacheable(mux, server.CacheConfig{MaxAge: 5 * time.Minute,
		HandlerOptions: []connect.HandlerOption{connect.WithCompressMinBytes(1024)}}))
	t.Cleanup(srv.Close)
	return srv
}

// artefactDir is where screenshots go: $STATUSD_ARTEFACTS, or a directory
// under the system's temp dir (never the repository).
func artefactDir(t *testing.T) string {
	dir := os.Getenv("STATUSD_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "statusd-explorer")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is one headless Chromium for the test.
type browser struct {
	ctx       context.Context
	base      string
	artefacts string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoSandbox, // as root, Chromium needs it
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// The whole browser session is bounded in time.
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return &browser{ctx: ctx, base: newStatusd(t, mapping.DefaultCatalog()).URL, artefacts: artefactDir(t)}
}

// tab opens a new tab that records console errors, uncaught exceptions and
// browser log errors (CSP violations, failed loads); the test fails if
// there are any when it ends.
func (b *browser) tab(t *testing.T, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, opts...)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	stop := watchConsole(t, ctx)
	t.Cleanup(func() {
		cancel()
		for _, p := range stop() {
			t.Errorf("browser reported %s", p)
		}
	})
	return ctx
}

// watchConsole collects the tab's console errors, uncaught exceptions and
// browser log errors until the returned func is called after the tab's
// context ends; that func returns them.
func watchConsole(t *testing.T, ctx context.Context) func() []string {
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleException:
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s: %s (%s)", m.Type, m.Text, m.URL))
				mu.Unlock()
			case chromedp.ConsoleWarning:
				t.Logf("browser warning: %s (%s)", m.Text, m.URL)
			}
		}
	}()
	return func() []string {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return problems
	}
}

// open navigates to base + "/" + hash and waits for sel.
func (b *browser) open(t *testing.T, ctx context.Context, hash, sel string) {
	t.Helper()
	openAt(t, ctx, b.base, hash, sel)
}

func openAt(t *testing.T, ctx context.Context, base, hash, sel string) {
	t.Helper()
	ctx, cancel := step(ctx)
	defer cancel()
	// From a blank page, so that a wait never sees the previous view.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(base+"/"+hash), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("open %s, wait for %s: %v", hash, sel, err)
	}
}

// shoot writes a full-page screenshot of the current view.
func (b *browser) shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(b.artefacts, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d KB)", path, len(png)/1024)
}

// stepTimeout bounds each step, so a missing element fails the test in
// seconds rather than at the session's deadline.
const stepTimeout = 20 * time.Second

func step(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, stepTimeout)
}

func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := step(ctx)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	ctx, cancel := step(ctx)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	ctx, cancel := step(ctx)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// darkMode makes the page see prefers-color-scheme: dark (or light).
func darkMode(dark bool) chromedp.Action[chromedp.Void] {
	v := "light"
	if dark {
		v = "dark"
	}
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}}})
		return err
	})
}
