package ui

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

// TestExplorer drives every view in headless Chromium against a statusd on
// loopback. Subtests share one browser; each opens its own tab, which
// fails on any console error, exception or CSP violation.
func TestExplorer(t *testing.T) {
	b := newBrowser(t)
	for _, tc := range []struct {
		name string
		f    func(*testing.T, *browser)
	}{
		{"console errors and CSP violations are caught", harnessCatches},
		{"first view", firstViewBudget},
		{"catalog", catalogView},
		{"412 in every dialect", status412},
		{"matrix", matrixView},
		{"profiles", profilesView},
		{"an overlay's profile is drawn", overlayProfile},
		{"lookup", lookupView},
		{"validate a dropped HAR", validateDrop},
		{"validate a HAR like statusd validate", validateLikeCLI},
		{"validate a pasted exchange", validatePaste},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, b) })
	}
}

// The harness sees what the other subtests assert is absent: a console
// error, and the browser refusing an inline script under the CSP.
func harnessCatches(t *testing.T, b *browser) {
	ctx, cancel := chromedp.NewContext(b.ctx)
	if err := chromedp.Do(ctx); err != nil { // no timeout: the first run's context is the tab's life
		t.Fatal(err)
	}
	stop := watchConsole(t, ctx)
	openAt(t, ctx, b.base, "", "#catalog li[data-status]")
	// Wait for the page's own violation event (at most 5 s), then 200 ms for
	// the console message to reach the harness: a fixed pause alone was too
	// short under -race on a busy machine.
	eval[any](t, ctx, `new Promise((r) => {
		document.addEventListener('securitypolicyviolation', () => r(), {once: true});
		setTimeout(r, 5000);
		console.error('boom');
		document.body.append(Object.assign(document.createElement('script'), {textContent: 'window.injected = 1'}));
	})`)
	injected := eval[bool](t, ctx, `window.injected === 1`)
	eval[any](t, ctx, `new Promise((r) => setTimeout(r, 200))`)
	cancel()
	problems := strings.Join(stop(), "\n")
	if !strings.Contains(problems, "boom") || !strings.Contains(problems, "Content Security Policy") {
		t.Errorf("the harness missed a console error or a CSP violation; it saw:\n%s", problems)
	}
	if injected {
		t.Error("an inline script ran despite the CSP")
	}
}

func firstViewBudget(t *testing.T, b *browser) {
	// Three cold loads, each in a new browser context (an empty cache);
	// the budget holds for the best, since the machine is shared and a
	// single load measures the neighbours as much as the page.
	best := math.Inf(1)
	for i := range 3 {
		rendered, bytes, requests := firstView(t, b.tab(t, chromedp.WithNewBrowserContext()), b.base)
		t.Logf("first view %d: %d requests, %.1f KB transferred (compressed), rendered %.0f ms after navigation started",
			i+1, requests, bytes/1024, rendered)
		if bytes >= 200*1024 || bytes == 0 {
			t.Errorf("first view transferred %.0f bytes, budget 200 KB", bytes)
		}
		best = min(best, rendered)
	}
	switch {
	case raceEnabled:
		t.Logf("race detector on: the 1 s budget is not enforced (best %.0f ms)", best)
	case best >= 1000:
		t.Errorf("first view took %.0f ms at best, budget 1000 ms", best)
	}
}

func catalogView(t *testing.T, b *browser) {
	cat := mapping.DefaultCatalog().Proto()
	ctx := b.tab(t)
	b.open(t, ctx, "#/catalog", "#catalog li[data-status]")
	n := eval[int](t, ctx, `document.querySelectorAll('#catalog li[data-status]').length`)
	if want := len(cat.GetStatuses()); n != want {
		t.Errorf("catalog shows %d statuses, the catalog has %d", n, want)
	}
	if got, want := text(t, ctx, "#count"), fmt.Sprintf("%d statuses", len(cat.GetStatuses())); got != want {
		t.Errorf("count says %q, want %q", got, want)
	}
	b.shoot(t, ctx, "catalog")

	// Keyboard only: tab to the search box, type, and the list and the
	// URL follow.
	for range 12 {
		if eval[string](t, ctx, `document.activeElement.id`) == "q" {
			break
		}
		do(t, ctx, chromedp.KeyEvent(kb("Tab")))
	}
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "q" {
		t.Fatalf("12 tabs did not reach the search box (focus on %q)", id)
	}
	do(t, ctx, chromedp.KeyEvent("precondition"), chromedp.WaitVisible(chromedp.CSS(`#catalog li[data-status="412"]`)))
	shown := eval[[]int](t, ctx, `[...document.querySelectorAll('#catalog li[data-status]')].map((e) => +e.dataset.status)`)
	for _, st := range shown {
		if !strings.Contains(strings.ToLower(statusText(cat, st)), "precondition") {
			t.Errorf("search for precondition shows %d", st)
		}
	}
	if len(shown) == 0 || len(shown) == len(cat.GetStatuses()) {
		t.Errorf("search for precondition shows %v", shown)
	}
	if h := eval[string](t, ctx, `location.hash`); h != "#/catalog?q=precondition" {
		t.Errorf("search is not in the URL: %q", h)
	}

	// Filtering by profile goes through ListStatuses; its permalink
	// reproduces the filter.
	b.open(t, ctx, "#/catalog?profile=entity", "#catalog li[data-status]")
	entity, _, _ := mapping.DefaultCatalog().Profile("entity")
	var want []int
	for _, st := range cat.GetStatuses() {
		if mapping.UsesStatus(entity, st) {
			want = append(want, int(st.GetCode()))
		}
	}
	got := eval[[]int](t, ctx, `[...document.querySelectorAll('#catalog li[data-status]').values()].map((e) => +e.dataset.status)`)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("profile=entity shows %v, want %v", got, want)
	}

	// And by class.
	b.open(t, ctx, "#/catalog?class=STATUS_CLASS_INFORMATIONAL", "#catalog li[data-status]")
	var info []int
	for _, st := range cat.GetStatuses() {
		if st.GetStatusClass() == statusdv1.StatusClass_STATUS_CLASS_INFORMATIONAL {
			info = append(info, int(st.GetCode()))
		}
	}
	got = eval[[]int](t, ctx, `[...document.querySelectorAll('#catalog li[data-status]')].map((e) => +e.dataset.status)`)
	if fmt.Sprint(got) != fmt.Sprint(info) {
		t.Errorf("class=STATUS_CLASS_INFORMATIONAL shows %v, want %v", got, info)
	}
}

func status412(t *testing.T, b *browser) {
	ctx := b.tab(t)
	b.open(t, ctx, "#/status/412", `tr[data-dialect="DIALECT_TWIRP"]`)
	if got := text(t, ctx, `tr[data-dialect="DIALECT_LEVEL3"] td.answer`); got != "aborted" {
		t.Errorf("Level 3 row says %q, want aborted", got)
	}
	if got := text(t, ctx, `tr[data-dialect="DIALECT_CONNECT"] td.answer`); got != "unknown" {
		t.Errorf("Connect row says %q, want unknown", got)
	}
	defined := text(t, ctx, "#defined-in")
	href := eval[string](t, ctx, `document.querySelector('#defined-in a').href`)
	if !strings.Contains(defined, "RFC 9110 §15.5.13") || href != "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.13" {
		t.Errorf("412 is defined in %q (%s), want RFC 9110 §15.5.13", defined, href)
	}
	if v := eval[string](t, ctx, `document.getElementById('verdict').dataset.agree`); v != "false" {
		t.Errorf("verdict agree=%s, want false", v)
	}
	// Every row's two answers are the library's, both directions.
	for _, d := range mapping.Dialects() {
		there, _ := mapping.HTTPToCode(d, 412, mapping.Context{})
		back, _ := mapping.CodeToHTTP(d, there.Code, mapping.Context{})
		row := fmt.Sprintf(`tr[data-dialect="%s"]`, d)
		if got, want := text(t, ctx, row+" td.answer"), connectName(there.Code); got != want {
			t.Errorf("%s: 412 → %q, want %q", d, got, want)
		}
		if got := text(t, ctx, row+" td.back a"); got != fmt.Sprint(back.HTTPStatus) {
			t.Errorf("%s: back → %q, want %d", d, got, back.HTTPStatus)
		}
		if got := text(t, ctx, row+" td.why"); !strings.Contains(got, there.Rationale) {
			t.Errorf("%s: rationale %q, want %q", d, got, there.Rationale)
		}
	}
	b.shoot(t, ctx, "status-412")
	do(t, ctx, darkMode(true))
	b.shoot(t, ctx, "status-412-dark")
}

func matrixView(t *testing.T, b *browser) {
	cat := mapping.DefaultCatalog().Proto()
	ctx := b.tab(t)
	b.open(t, ctx, "#/matrix", `#heat-code tr[data-key="unauthenticated"]`)
	// The code heat map costs one Lookup per cell (no RPC lists that
	// direction), so it is drawn when they are in; say what that costs.
	t.Logf("matrix: status map rendered %.0f ms after navigation started; with the code map, %d requests",
		eval[float64](t, ctx, `performance.getEntriesByName('statusd:rendered')[0].startTime`),
		eval[int](t, ctx, `performance.getEntriesByType('resource').length + 1`))
	if got := eval[string](t, ctx, `document.getElementById('status-412').dataset.agree`); got != "false" {
		t.Errorf("412 row agree=%s, want false", got)
	}
	if !strings.Contains(text(t, ctx, "#status-412 th"), "≠") {
		t.Error("412 row is not flagged ≠")
	}
	rows := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('#heat-status tbody tr')].map((r) => [r.dataset.key, r.dataset.agree]))`)
	if len(rows) != len(cat.GetStatuses()) {
		t.Errorf("status heat map has %d rows, catalog %d statuses", len(rows), len(cat.GetStatuses()))
	}
	for _, st := range cat.GetStatuses() {
		agree := true
		for _, d := range mapping.Dialects() {
			agree = agree && mapping.CodeForStatus(d, int(st.GetCode())) == mapping.CodeForStatus(mapping.Dialects()[0], int(st.GetCode()))
		}
		if got := rows[fmt.Sprint(st.GetCode())]; got != fmt.Sprint(agree) {
			t.Errorf("status %d: agree=%s, want %v", st.GetCode(), got, agree)
		}
	}
	codes := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('#heat-code tbody tr')].map((r) => [r.dataset.key, r.dataset.agree]))`)
	for c := range statusdv1.Code_name {
		code := statusdv1.Code(c)
		agree := true
		for _, d := range mapping.Dialects() {
			agree = agree && mapping.StatusForCode(d, code) == mapping.StatusForCode(mapping.Dialects()[0], code)
		}
		if got := codes[connectName(code)]; got != fmt.Sprint(agree) {
			t.Errorf("code %s: agree=%s, want %v", code, got, agree)
		}
	}
	// A cell opens its rationale.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#status-412 td:nth-of-type(2) a`)), chromedp.WaitVisible(chromedp.CSS(`tr.target[data-dialect="DIALECT_CONNECT"]`)))
	b.open(t, ctx, "#/matrix", "#heat-status")
	b.shoot(t, ctx, "matrix")
	if *updateScreenshot {
		writeREADMEScreenshot(t, ctx)
	}
	do(t, ctx, darkMode(true))
	bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`)
	if bg != "rgb(15, 19, 24)" {
		t.Errorf("dark mode background %s", bg)
	}
	b.shoot(t, ctx, "matrix-dark")
	do(t, ctx, darkMode(false))
}

func profilesView(t *testing.T, b *browser) {
	cat := mapping.DefaultCatalog().Proto()
	ctx := b.tab(t)
	b.open(t, ctx, "#/profiles", "article[data-profile]")
	var want []string
	for _, p := range cat.GetProfiles() {
		if p.GetKind() != statusdv1.ProfileKind_PROFILE_KIND_PATTERN_ROLE {
			want = append(want, p.GetId())
		}
	}
	got := eval[[]string](t, ctx, `[...document.querySelectorAll('article[data-profile]')].map((e) => e.dataset.profile)`)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("profiles %v, want %v", got, want)
	}
	// Form's diagram draws POST → 201 from its outcome.
	label := eval[string](t, ctx, `document.querySelector('#p-form svg').getAttribute('aria-label')`)
	if !strings.Contains(label, "POST answers 201") {
		t.Errorf("form diagram: %q", label)
	}
	b.shoot(t, ctx, "profiles")
}

func overlayProfile(t *testing.T, b *browser) {
	msg, err := mapping.ParseCatalogMessage([]byte(approvalOverlay))
	if err != nil {
		t.Fatal(err)
	}
	overlaid, err := mapping.DefaultCatalog().Overlay(msg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := b.tab(t)
	openAt(t, ctx, newStatusd(t, overlaid).URL, "#/profiles", "#p-approval svg")
	if label := eval[string](t, ctx, `document.querySelector('#p-approval svg').getAttribute('aria-label')`); !strings.Contains(label, "POST answers 202") {
		t.Errorf("overlay profile diagram: %q", label)
	}
}

func lookupView(t *testing.T, b *browser) {
	ctx := b.tab(t)
	b.open(t, ctx, "#/lookup?code=CODE_OK&method=POST&profile=form", "#answer h2")
	tr, _ := mapping.CodeToHTTP(statusdv1.Dialect_DIALECT_LEVEL3, statusdv1.Code_CODE_OK,
		mapping.Context{Method: "POST", Profiles: []*statusdv1.Profile{profile(t, "form")}})
	if got := text(t, ctx, "#answer h2"); !strings.Contains(got, fmt.Sprint(tr.HTTPStatus)) {
		t.Errorf("answer %q, want %d", got, tr.HTTPStatus)
	}
	if got := text(t, ctx, "#answer .rationale"); got != tr.Rationale {
		t.Errorf("rationale %q, want %q", got, tr.Rationale)
	}
	// The form puts the question in the URL.
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`input[name=dir][value=status]`)),
		chromedp.SendKeys(chromedp.CSS("#f-status"), "412"),
		chromedp.Clear(chromedp.CSS("#f-method")),
		chromedp.Focus(chromedp.CSS("#f-dialect")),
		chromedp.KeyEvent("Connect"), // a select picks the option the keys spell
		chromedp.Click(chromedp.CSS(`input[name=profile][value=form]`)),
		chromedp.Click(chromedp.CSS(`#lookup-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#answer code.k-unknown`)))
	if h := eval[string](t, ctx, `location.hash`); h != "#/lookup?status=412&dialect=DIALECT_CONNECT" {
		t.Errorf("URL holds %q", h)
	}
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "answer" {
		t.Errorf("after asking, focus is on %q, not the answer", id)
	}
	b.shoot(t, ctx, "lookup")
}

func validateDrop(t *testing.T, b *browser) {
	ctx := b.tab(t)
	b.open(t, ctx, "#/validate", "#drop")
	drop(t, ctx, "#drop", filepath.Join("testdata", "unauthorized.har"))
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-rule="rfc9110.unauthorized.www-authenticate"]`)))
	if got := text(t, ctx, `.resource h3`); got != "https://api.example.com/orders/42" {
		t.Errorf("resource %q", got)
	}
	if got := text(t, ctx, `[data-rule="rfc9110.unauthorized.www-authenticate"] .sev`); !strings.EqualFold(got, "error") {
		t.Errorf("severity %q, want error", got)
	}
	b.shoot(t, ctx, "validate")
}

func validateLikeCLI(t *testing.T, b *browser) {
	ctx := b.tab(t)
	b.open(t, ctx, "#/validate", "#drop")
	path := filepath.Join("..", "..", "cmd", "statusd", "testdata", "orders.har")
	do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#har"), []string{abs(t, path)}), chromedp.WaitVisible(chromedp.CSS("#summary")))
	want := cliReport(t, path)
	if got := text(t, ctx, "#summary"); got != want.summary {
		t.Errorf("summary %q, statusd validate says %q", got, want.summary)
	}
	resources := eval[[]string](t, ctx, `[...document.querySelectorAll('.resource')].map((e) => e.dataset.resource)`)
	if strings.Join(resources, "\n") != strings.Join(want.resources, "\n") {
		t.Errorf("resources %q, statusd validate groups %q", resources, want.resources)
	}
	b.shoot(t, ctx, "validate-orders")
	notes := eval[[]string](t, ctx, `[...document.querySelectorAll('.notes li')].map((e) => e.textContent)`)
	if strings.Join(notes, "\n") != strings.Join(want.notes, "\n") {
		t.Errorf("notes %q, statusd validate says %q", notes, want.notes)
	}
}

func validatePaste(t *testing.T, b *browser) {
	ctx := b.tab(t)
	b.open(t, ctx, "#/validate", "#exchange")
	do(t, ctx, chromedp.Click(chromedp.CSS(`form.paste button`)), chromedp.WaitVisible(chromedp.CSS("#summary")))
	// The example is a Form POST answered 201 without location.
	if eval[int](t, ctx, `document.querySelectorAll('[data-rule="l3.form.post.location"]').length`) != 1 {
		t.Errorf("pasted example: no l3.form.post.location finding; report: %s", text(t, ctx, "#report"))
	}
	// Text that is no exchange is refused in the page, before any call.
	calls := eval[int](t, ctx, `performance.getEntriesByType('resource').filter((e) => e.name.includes('/Validate')).length`)
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#exchange"), "GET /\nnot a header\n\nHTTP/1.1 200 OK\n"),
		chromedp.Click(chromedp.CSS(`form.paste button`)), chromedp.WaitVisible(chromedp.CSS("#report .notice.error")))
	if got := text(t, ctx, "#report .notice.error"); !strings.Contains(got, `"not a header" is not a header line`) {
		t.Errorf("bad paste: %q", got)
	}
	if after := eval[int](t, ctx, `performance.getEntriesByType('resource').filter((e) => e.name.includes('/Validate')).length`); after != calls {
		t.Errorf("bad paste was sent to Validate (%d calls, then %d)", calls, after)
	}
}

// approvalOverlay is an organisation's own control profile.
const approvalOverlay = `
profiles {
  id: "approval"
  uri: "https://example.com/profiles/approval"
  name: "Approval"
  kind: PROFILE_KIND_CONTROL
  summary: "Accepts a request for approval, decided later."
  methods: ["HEAD", "GET", "POST"]
  outcomes { method: "HEAD" statuses: 200 }
  outcomes { method: "GET" statuses: 200 }
  outcomes { method: "POST" statuses: 202 }
  errors { status: 404 condition: "The resource does not exist." }
  citations { document: "ACME approvals" url: "https://example.com/approvals" }
}
`

// firstView loads the page in a fresh tab and returns when the page marked
// its first view rendered (ms after navigation started), the bytes
// transferred for the page, its assets and API calls, and the number of
// requests.
func firstView(t *testing.T, ctx context.Context, base string) (rendered, bytes float64, requests int) {
	t.Helper()
	openAt(t, ctx, base, "", "#catalog li[data-status]")
	rendered = eval[float64](t, ctx, `performance.getEntriesByName('statusd:rendered')[0].startTime`)
	bytes = eval[float64](t, ctx, `[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
		.reduce((sum, e) => sum + e.transferSize, 0)`)
	requests = eval[int](t, ctx, `performance.getEntriesByType('resource').length + 1`)
	return rendered, bytes, requests
}

func statusText(cat *statusdv1.Catalog, code int) string {
	for _, st := range cat.GetStatuses() {
		if int(st.GetCode()) == code {
			return fmt.Sprint(st.GetCode(), st.GetReason(), st.GetFormerReasons(), st.GetMeaning(), st.GetProfiles(), st.GetCitations())
		}
	}
	return ""
}

func profile(t *testing.T, id string) *statusdv1.Profile {
	p, _, ok := mapping.DefaultCatalog().Profile(id)
	if !ok {
		t.Fatalf("no profile %s", id)
	}
	return p
}

func abs(t *testing.T, path string) string {
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// kb is the key string chromedp.KeyEvent types for a named key.
func kb(name string) string {
	switch name {
	case "Tab":
		return "\t"
	}
	return name
}

// drop drags a file from outside the browser onto sel, as a person would.
func drop(t *testing.T, ctx context.Context, sel, file string) {
	t.Helper()
	do(t, ctx, chromedp.ScrollIntoView(chromedp.CSS(sel)))
	box := eval[[]float64](t, ctx, fmt.Sprintf(
		`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`, sel))
	data := &input.DragData{Files: []string{abs(t, file)}, Items: []*input.DragDataItem{}, DragOperationsMask: 1}
	for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
		do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: box[0], Y: box[1], Data: data})
			return err
		}))
	}
}

func writeREADMEScreenshot(t *testing.T, ctx context.Context) {
	// From the top, with the pointer off the table.
	do(t, ctx, chromedp.EmulateViewport(1200, 820), chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1))
	eval[any](t, ctx, `window.scrollTo(0, 0)`)
	img, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", "explorer.png"), img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("docs/explorer.png: %d KB", len(img)/1024)
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
}
