package ui

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

// fstestMap copies the assets into a map keyed as the embedded FS is.
func fstestMap(t *testing.T, sub fs.FS) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sub, p)
		out["assets/"+p] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mapFS(files map[string][]byte) fs.FS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: data}
	}
	return m
}
