package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// spareDescriptors are the file descriptors statusd keeps beyond its ports'
// connections: listeners, the catalog file, the debug port, logs, DNS.
const spareDescriptors = 64

// autoMaxConnections is the most connections -max-connections 0 gives a
// port: an idle HTTP/2 connection holds tens of KiB, so this caps memory
// too.
const autoMaxConnections = 10000

// debugMaxConnections caps the -debug-addr port, which serves one operator.
const debugMaxConnections = 16

// ports are the open listeners: each holds at most maxConns connections, and
// the caps together fit in the descriptor limit, so that clients holding
// every connection one port allows cannot starve the other of descriptors.
type ports struct {
	main, grpc net.Listener // grpc is nil without -grpc-addr
	maxConns   int
}

// listen opens the ports (and the debug one), each capped.
func (a *app) listen() error {
	n := 1
	if a.cfg.grpcAddr != "" {
		n = 2
	}
	maxConns, err := connectionBudget(a.cfg.maxConnections, n, descriptorLimit())
	if err != nil {
		return err
	}
	a.ports.maxConns = maxConns
	if a.ports.main, err = listenCapped(a.cfg.addr, maxConns); err != nil {
		return err
	}
	if a.cfg.grpcAddr != "" {
		if a.ports.grpc, err = listenCapped(a.cfg.grpcAddr, maxConns); err != nil {
			return fmt.Errorf("-grpc-addr: %w", err)
		}
	}
	if a.cfg.debugAddr != "" {
		if a.stopDebug, err = serveDebug(a.cfg.debugAddr, a.logger); err != nil {
			return err
		}
	}
	return nil
}

// closeAll closes the ports at once, for a start or a serve that failed.
func (a *app) closeAll() {
	if a.tel != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = a.tel.Shutdown(ctx)
		cancel()
	}
	_ = a.http.Close()
	if a.grpc != nil {
		a.grpc.Stop()
	}
	for _, ln := range []net.Listener{a.ports.main, a.ports.grpc} {
		if ln != nil {
			_ = ln.Close()
		}
	}
}

// descriptorLimit is the soft RLIMIT_NOFILE (Go raises it to the hard
// limit at start), or 0 if unknown.
func descriptorLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	return lim.Cur
}

// connectionBudget is the cap of each of nPorts ports: asked, if it fits in
// limit descriptors with spareDescriptors left over, or else an error
// saying what to change; 0 asks for an even share of the limit.
func connectionBudget(asked, nPorts int, limit uint64) (int, error) {
	if limit == 0 || limit > 1<<30 {
		limit = 1 << 30
	}
	if limit <= spareDescriptors+uint64(nPorts) {
		return 0, fmt.Errorf("RLIMIT_NOFILE is %d: statusd needs more than %d file descriptors (ulimit -n)", limit, spareDescriptors+nPorts)
	}
	share := int((limit - spareDescriptors) / uint64(nPorts))
	if asked == 0 {
		return min(share, autoMaxConnections), nil
	}
	if asked > share {
		return 0, fmt.Errorf("-max-connections %d on %d port(s) needs %d file descriptors but RLIMIT_NOFILE is %d: raise it (ulimit -n) or lower -max-connections to %d",
			asked, nPorts, asked*nPorts+spareDescriptors, limit, share)
	}
	return asked, nil
}

// listenCapped listens on addr and accepts at most max connections at once.
func listenCapped(addr string, max int) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &cappedListener{Listener: ln, slots: make(chan struct{}, max), closed: make(chan struct{})}, nil
}

// cappedListener takes a slot before it accepts a connection and frees it
// when the connection closes: beyond the cap, clients wait in the kernel's
// accept queue (which costs statusd no descriptor) until a connection
// closes, for example when a silent one reaches its handshake deadline.
type cappedListener struct {
	net.Listener
	slots     chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
}

func (l *cappedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.closed:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &cappedConn{Conn: c, release: sync.OnceFunc(func() { <-l.slots })}, nil
}

func (l *cappedListener) Close() error {
	err := net.ErrClosed
	l.closeOnce.Do(func() {
		close(l.closed)
		err = l.Listener.Close()
	})
	return err
}

type cappedConn struct {
	net.Conn
	release func()
}

func (c *cappedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// serveDebug serves the profiling and runtime endpoints that net/http/pprof
// and expvar register on http.DefaultServeMux, on their own listener so
// that they are never exposed on the API port. They give away memory
// contents and cost CPU, so an address other than loopback is warned about.
func serveDebug(addr string, logger *slog.Logger) (func(), error) {
	ln, err := listenCapped(addr, debugMaxConnections)
	if err != nil {
		return nil, fmt.Errorf("-debug-addr: %w", err)
	}
	srv := &http.Server{Handler: http.DefaultServeMux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("debug endpoints listening", "addr", ln.Addr().String())
	if !isLoopback(ln.Addr()) {
		logger.Warn("-debug-addr is not a loopback address: pprof and expvar are reachable from the network", "addr", ln.Addr().String())
	}
	return func() { _ = srv.Close() }, nil
}

// isLoopback reports whether a listener's address accepts only local
// connections (an unspecified address such as :6060 accepts every one).
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
