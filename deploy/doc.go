// Package deploy holds statusd's deployment manifests (kubernetes/) and the
// test that checks them against the Kubernetes API types. It is a module of
// its own so that statusd's module does not depend on k8s.io.
package deploy
