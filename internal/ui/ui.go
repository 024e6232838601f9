// Package ui serves the status explorer: a browser page, embedded in the
// binary, that shows the catalog, the dialects and their disagreements, and
// checks exchanges, using only statusd's own Connect JSON API.
//
// The page is index.html at "/" (revalidated on every load, so a new
// release shows at once) and a set of ES modules and a stylesheet under
// /ui/<hash>/, where <hash> is a digest of every asset: those URLs never
// change meaning, so browsers and proxies may keep them for a year. The
// modules import each other by relative URL, so one hash for the set keeps
// the imports unchanged.
package ui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

//go:embed assets
var embedded embed.FS

// AssetPrefix is where the hashed assets live: AssetPrefix + hash + "/" + name.
const AssetPrefix = "/ui/"

// basePlaceholder in index.html is replaced by the hashed asset directory.
const basePlaceholder = "%BASE%"

// contentSecurityPolicy allows only this origin's scripts, styles and API,
// and no inline script or style: the page has none, and a policy that
// forbids them makes an injected one inert. frame-ancestors keeps the page
// out of other sites' frames.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// immutable is the cache-control of a hashed asset: its URL names its bytes.
const immutable = "public, max-age=31536000, immutable"

// asset is one file as served: its bytes, their gzip form and validators.
type asset struct {
	contentType string
	plain, gz   []byte
	etag        string
}

// site is the page and its assets, built once.
type site struct {
	hash   string
	index  *asset
	assets map[string]*asset
}

// Mount registers the explorer on mux for GET (and so HEAD) of "/" and of
// the paths under AssetPrefix only, so that it shadows nothing: another
// method on "/" gets the mux's 405, and unknown paths stay 404.
func Mount(mux *http.ServeMux) {
	h := Handler()
	mux.Handle("GET /{$}", h)
	mux.Handle("GET "+AssetPrefix, h)
}

// Handler serves the explorer: "/" and everything under AssetPrefix; any
// other path is 404.
func Handler() http.Handler {
	s, err := build(embedded)
	if err != nil {
		panic("ui: " + err.Error()) // the assets are embedded: a build error is a bug
	}
	return s
}

// build reads the assets, adds the generated vocabulary module and hashes
// the set.
func build(fsys fs.FS) (*site, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		files[strings.TrimPrefix(p, "assets/")] = data
		return err
	})
	if err != nil {
		return nil, err
	}
	files["vocab.js"] = vocabModule()
	page, ok := files["index.html"]
	if !ok {
		return nil, fs.ErrNotExist
	}
	delete(files, "index.html")

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, name := range names {
		h.Write([]byte(name + "\x00"))
		h.Write(files[name])
		h.Write([]byte{0})
	}
	s := &site{hash: hex.EncodeToString(h.Sum(nil))[:16], assets: map[string]*asset{}}
	for _, name := range names {
		s.assets[name] = newAsset(name, files[name])
	}
	base := AssetPrefix + s.hash + "/"
	s.index = newAsset("index.html", bytes.ReplaceAll(page, []byte(basePlaceholder), []byte(base)))
	return s, nil
}

func newAsset(name string, data []byte) *asset {
	sum := sha256.Sum256(data)
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(data)
	_ = zw.Close()
	return &asset{contentType: ct, plain: data, gz: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

// Hash is the digest that names the current asset set.
func (s *site) Hash() string { return s.hash }

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var a *asset
	cacheControl := immutable
	switch {
	case r.URL.Path == "/":
		// Revalidated every time, so a new release (new asset hash) is
		// picked up on the next load; the etag makes that a 304.
		a, cacheControl = s.index, "no-cache"
	case strings.HasPrefix(r.URL.Path, AssetPrefix+s.hash+"/"):
		a = s.assets[strings.TrimPrefix(r.URL.Path, AssetPrefix+s.hash+"/")]
	}
	if a == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if a == s.index {
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
	}
	body, etag := a.plain, a.etag
	if acceptsGzip(r.Header.Values("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		// A different representation needs a different strong validator.
		body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
	}
	h.Set("Etag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether accept-encoding lists gzip with a non-zero
// weight (RFC 9110 12.5.3).
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q := strings.ReplaceAll(strings.ToLower(params), " ", "")
			return !strings.HasPrefix(q, "q=0") || strings.HasPrefix(q, "q=0.") && strings.Trim(q[4:], "0") != ""
		}
	}
	return false
}
