package main

import (
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"time"

	"github.com/statusd/statusd/internal/observe"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/server"
)

// loadCatalog returns the embedded catalog, with file laid over it if set.
func loadCatalog(file string) (*mapping.Catalog, error) {
	base := mapping.DefaultCatalog()
	if file == "" {
		return base, nil
	}
	f, err := openRegular(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	overlay, err := mapping.ReadCatalogMessage(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c, err := base.Overlay(overlay)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// openRegular opens file for reading if it is a regular file. It opens
// without blocking, so that a FIFO or a device at the path (which would
// wait for a writer, in the goroutine that handles signals) is an error
// instead of a hang.
func openRegular(file string) (*os.File, error) {
	f, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s: not a regular file (%v)", file, fi.Mode().Type())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// reloadCatalog loads the catalog file again and swaps it in; a bad file is
// logged and the last good catalog keeps serving.
func reloadCatalog(file string, svc *server.Service, metrics *observe.Metrics, logger *slog.Logger) {
	c, err := loadCatalog(file)
	if err != nil {
		metrics.CatalogLoaded(false, "", "")
		logger.Error("catalog reload failed; still serving the last good catalog", "error", err.Error(),
			"catalog_hash", svc.Catalog().Hash()[:12])
		return
	}
	svc.SetCatalog(c)
	metrics.CatalogLoaded(true, c.Proto().GetEdition(), c.Hash())
	logger.Info("catalog reloaded", "file", file, "edition", c.Proto().GetEdition(), "catalog_hash", c.Hash()[:12])
}

// watchCatalog reloads the catalog when its file's stamp changes from last,
// if -watch is set. It returns a function that stops it.
func watchCatalog(cfg config, last string, svc *server.Service, metrics *observe.Metrics, logger *slog.Logger) func() {
	if cfg.watch <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		ticker := time.NewTicker(cfg.watch)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				if now := stamp(cfg.catalogFile); now != last {
					last = now
					reloadCatalog(cfg.catalogFile, svc, metrics, logger)
				}
			}
		}
	}()
	return func() { close(done) }
}

// stamp summarises a file's state for change detection: size, modification
// time and, where the system has one, the inode, because file times are
// only as fine as the kernel's clock tick and a file replaced by rename
// (as editors and config tools do) gets a new inode.
func stamp(file string) string {
	fi, err := os.Stat(file)
	if err != nil {
		return "missing"
	}
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	return fmt.Sprint(fi.Size(), fi.ModTime().UnixNano(), ino)
}
