package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/mapping"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// measuredRSS is the highest resident set of one statusd measured under
// wrk load (README, "Running more than one"); the memory request must
// cover it.
var measuredRSS = resource.MustParse("37Mi")

// decoder decodes YAML or JSON into the API types strictly: an unknown or
// duplicate field is an error, as `kubectl apply --validate=strict` makes it.
var decoder = func() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		appsv1.AddToScheme, corev1.AddToScheme, policyv1.AddToScheme, autoscalingv2.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}()

// manifests are the decoded objects of kubernetes/*.yaml.
type manifests struct {
	deployment *appsv1.Deployment
	service    *corev1.Service
	configMap  *corev1.ConfigMap
	pdb        *policyv1.PodDisruptionBudget
	hpa        *autoscalingv2.HorizontalPodAutoscaler
}

func load(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var m manifests
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(data, []byte("\n---\n")) {
			obj, gvk, err := decoder.Decode(doc, nil, nil)
			if err != nil {
				t.Fatalf("%s, document %d: %v", file, i, err)
			}
			var dup bool
			switch o := obj.(type) {
			case *appsv1.Deployment:
				dup, m.deployment = m.deployment != nil, o
			case *corev1.Service:
				dup, m.service = m.service != nil, o
			case *corev1.ConfigMap:
				dup, m.configMap = m.configMap != nil, o
			case *policyv1.PodDisruptionBudget:
				dup, m.pdb = m.pdb != nil, o
			case *autoscalingv2.HorizontalPodAutoscaler:
				dup, m.hpa = m.hpa != nil, o
			default:
				t.Fatalf("%s: unexpected %v", file, gvk)
			}
			if dup {
				t.Fatalf("%s: a second %v", file, gvk)
			}
		}
	}
	if m.deployment == nil || m.service == nil || m.configMap == nil || m.pdb == nil || m.hpa == nil {
		t.Fatalf("want a Deployment, Service, ConfigMap, PodDisruptionBudget and HorizontalPodAutoscaler; got %+v", m)
	}
	return m
}

// TestStrict: a misspelled field is an error, so the decoding above
// really is strict.
func TestStrict(t *testing.T) {
	data, err := os.ReadFile("kubernetes/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(data, []byte("  replicas: 3"), []byte("  replica: 3"), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("deployment.yaml has no `replicas: 3` to misspell")
	}
	if _, _, err := decoder.Decode(bad, nil, nil); err == nil || !strings.Contains(err.Error(), `unknown field "spec.replica"`) {
		t.Errorf("a misspelled field decoded: %v", err)
	}
}

// serveFlags reads the container's `serve -name=value` arguments.
func serveFlags(t *testing.T, args []string) map[string]string {
	t.Helper()
	if len(args) == 0 || args[0] != "serve" {
		t.Fatalf("args %v: want the serve verb first", args)
	}
	flags := map[string]string{}
	for _, a := range args[1:] {
		name, value, ok := strings.Cut(strings.TrimPrefix(a, "-"), "=")
		if !ok || !strings.HasPrefix(a, "-") {
			t.Fatalf("arg %q: want -name=value", a)
		}
		flags[name] = value
	}
	return flags
}

func duration(t *testing.T, flags map[string]string, name string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(flags[name])
	if err != nil {
		t.Fatalf("-%s: %v", name, err)
	}
	return d
}

func TestDeployment(t *testing.T) {
	m := load(t)
	d := m.deployment
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 3 {
		t.Errorf("replicas %v, want 3", d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	flags := serveFlags(t, c.Args)

	// One port: the one statusd listens on, probed and served.
	_, port, _ := strings.Cut(flags["addr"], ":")
	if len(c.Ports) != 1 || strconv.Itoa(int(c.Ports[0].ContainerPort)) != port {
		t.Fatalf("-addr %q, ports %v", flags["addr"], c.Ports)
	}
	containerPort := c.Ports[0]
	for name, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		if p == nil || p.GRPC == nil || p.GRPC.Port != containerPort.ContainerPort {
			t.Errorf("%s probe %+v: want gRPC health on port %d", name, p, containerPort.ContainerPort)
		}
	}

	// Drain: the kubelet's preStop sleep matches -drain-delay; readiness
	// notices NOT_SERVING within it; the grace period covers the whole.
	drain := duration(t, flags, "drain-delay")
	shutdown := duration(t, flags, "shutdown-timeout")
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		t.Fatal("no preStop sleep")
	}
	preStop := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	if preStop != drain {
		t.Errorf("preStop sleeps %v, -drain-delay is %v", preStop, drain)
	}
	if r := c.ReadinessProbe; time.Duration(r.PeriodSeconds*r.FailureThreshold)*time.Second > drain {
		t.Errorf("readiness notices NOT_SERVING after %d×%ds, longer than -drain-delay %v", r.FailureThreshold, r.PeriodSeconds, drain)
	}
	if grace := pod.TerminationGracePeriodSeconds; grace == nil || time.Duration(*grace)*time.Second < preStop+drain+shutdown {
		t.Errorf("terminationGracePeriodSeconds %v < preStop %v + drain %v + shutdown %v", grace, preStop, drain, shutdown)
	}

	// The catalog: the ConfigMap's file, mounted where -catalog reads it,
	// reloaded by -watch.
	if duration(t, flags, "watch") <= 0 {
		t.Error("-watch is off: ConfigMap changes would not be seen")
	}
	dir, key := filepath.Split(flags["catalog"])
	var mount *corev1.VolumeMount
	for i := range c.VolumeMounts {
		if filepath.Clean(c.VolumeMounts[i].MountPath) == filepath.Clean(dir) {
			mount = &c.VolumeMounts[i]
		}
	}
	if mount == nil {
		t.Fatalf("-catalog %s is on no volume mount", flags["catalog"])
	}
	var fromConfigMap bool
	for _, v := range pod.Volumes {
		fromConfigMap = fromConfigMap || (v.Name == mount.Name && v.ConfigMap != nil && v.ConfigMap.Name == m.configMap.Name)
	}
	if _, ok := m.configMap.Data[key]; !ok || !fromConfigMap {
		t.Errorf("-catalog %s: not the ConfigMap %s's key %q", flags["catalog"], m.configMap.Name, key)
	}

	// Non-root, as the image's USER.
	user := imageUser(t)
	sc := pod.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || strconv.FormatInt(*sc.RunAsUser, 10) != user {
		t.Errorf("pod securityContext %+v; want runAsNonRoot and the image's user %s", sc, user)
	}

	// Resources: memory covers the measured RSS, with room; CPU is
	// requested, as the HPA's utilization target needs.
	req, lim := c.Resources.Requests, c.Resources.Limits
	if req.Memory().Cmp(measuredRSS) < 0 || lim.Memory().Cmp(*req.Memory()) <= 0 || req.Cpu().IsZero() {
		t.Errorf("resources %+v; want memory ≥ %s measured, a higher limit, and a CPU request", c.Resources, measuredRSS.String())
	}
}

// imageUser is the numeric user of the Containerfile's USER line.
func imageUser(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^USER (\d+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no numeric USER in the Containerfile")
	}
	return string(m[1])
}

// TestCatalogConfigMap: the ConfigMap's catalog is one statusd accepts.
func TestCatalogConfigMap(t *testing.T) {
	m := load(t)
	for key, text := range m.configMap.Data {
		overlay, err := mapping.ParseCatalogMessage([]byte(text))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if _, err := mapping.DefaultCatalog().Overlay(overlay); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
}

func TestServicePDBAndHPA(t *testing.T) {
	m := load(t)
	d := m.deployment
	podLabels := labels.Set(d.Spec.Template.Labels)
	if !labels.SelectorFromSet(m.service.Spec.Selector).Matches(podLabels) || len(m.service.Spec.Selector) == 0 {
		t.Errorf("Service selector %v does not select the pods %v", m.service.Spec.Selector, podLabels)
	}
	port := d.Spec.Template.Spec.Containers[0].Ports[0]
	if len(m.service.Spec.Ports) != 1 || m.service.Spec.Ports[0].TargetPort != intstr.FromString(port.Name) {
		t.Errorf("Service ports %v; want one targeting %q", m.service.Spec.Ports, port.Name)
	}

	sel, err := metaSelector(m.pdb)
	if err != nil || !sel.Matches(podLabels) {
		t.Errorf("PDB selector %v does not select the pods: %v", m.pdb.Spec.Selector, err)
	}
	if mu := m.pdb.Spec.MaxUnavailable; mu == nil || mu.IntValue() < 1 || mu.IntValue() >= int(*d.Spec.Replicas) {
		t.Errorf("PDB maxUnavailable %v: want at least 1 and fewer than the %d replicas", mu, *d.Spec.Replicas)
	}

	h := m.hpa.Spec
	if h.ScaleTargetRef.Kind != "Deployment" || h.ScaleTargetRef.Name != d.Name || h.ScaleTargetRef.APIVersion != "apps/v1" {
		t.Errorf("HPA targets %+v, not the Deployment %s", h.ScaleTargetRef, d.Name)
	}
	if h.MinReplicas == nil || *h.MinReplicas != *d.Spec.Replicas || h.MaxReplicas <= *h.MinReplicas {
		t.Errorf("HPA min %v max %d; want min = the Deployment's %d, and a higher max", h.MinReplicas, h.MaxReplicas, *d.Spec.Replicas)
	}
	if len(h.Metrics) == 0 || h.Metrics[0].Resource == nil || h.Metrics[0].Resource.Name != corev1.ResourceCPU {
		t.Errorf("HPA metrics %+v; want CPU", h.Metrics)
	}
}

func metaSelector(pdb *policyv1.PodDisruptionBudget) (labels.Selector, error) {
	return metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
}

// TestREADMEExcerpt: the Deployment excerpt in README "Running more than
// one" has no line that deployment.yaml does not, so it cannot drift.
func TestREADMEExcerpt(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	deployment, err := os.ReadFile("kubernetes/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Running more than one")
	_, excerpt, ok2 := strings.Cut(section, "```yaml\n")
	excerpt, _, ok3 := strings.Cut(excerpt, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("no ```yaml block in README's \"Running more than one\"")
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(deployment), "\n") {
		lines[strings.TrimRight(l, " ")] = true
	}
	n := 0
	for _, l := range strings.Split(strings.TrimRight(excerpt, "\n"), "\n") {
		n++
		if !lines[strings.TrimRight(l, " ")] {
			t.Errorf("README line %q is not in deployment.yaml", l)
		}
	}
	if n < 10 {
		t.Errorf("the excerpt has %d lines", n)
	}
}
