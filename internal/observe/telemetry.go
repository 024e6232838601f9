package observe

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"connectrpc.com/otelconnect"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
)

// Telemetry is OpenTelemetry tracing and metrics for both ports: the
// standard instrumentation (connectrpc.com/otelconnect on the main port,
// otelgrpc on the grpc-go port) over one tracer and one meter provider.
type Telemetry struct {
	tracer     *sdktrace.TracerProvider
	meter      *sdkmetric.MeterProvider
	propagator propagation.TextMapPropagator
}

// StartOTLP returns Telemetry that exports spans and metrics over OTLP
// (HTTP/protobuf), configured as every OpenTelemetry SDK is, by the
// standard environment variables: OTEL_EXPORTER_OTLP_ENDPOINT (default
// http://localhost:4318), OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and the rest.
func StartOTLP(ctx context.Context) (*Telemetry, error) {
	spans, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("otel: trace exporter: %w", err)
	}
	metrics, err := otlpmetrichttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("otel: metric exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.Environment())
	if err != nil {
		return nil, fmt.Errorf("otel: resource: %w", err)
	}
	return NewTelemetry(
		sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans), sdktrace.WithResource(res)),
		sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)), sdkmetric.WithResource(res)),
	), nil
}

// NewTelemetry returns Telemetry over the given providers (a test passes
// ones with in-memory exporters).
func NewTelemetry(tp *sdktrace.TracerProvider, mp *sdkmetric.MeterProvider) *Telemetry {
	return &Telemetry{tracer: tp, meter: mp,
		propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})}
}

// ConnectInterceptor is otelconnect's interceptor over t's providers.
func (t *Telemetry) ConnectInterceptor() (connect.Interceptor, error) {
	return otelconnect.NewInterceptor(
		otelconnect.WithTracerProvider(t.tracer),
		otelconnect.WithMeterProvider(t.meter),
		otelconnect.WithPropagator(t.propagator))
}

// GRPCServerOption is otelgrpc's stats handler over t's providers.
func (t *Telemetry) GRPCServerOption() grpc.ServerOption {
	return grpc.StatsHandler(otelgrpc.NewServerHandler(
		otelgrpc.WithTracerProvider(t.tracer),
		otelgrpc.WithMeterProvider(t.meter),
		otelgrpc.WithPropagators(t.propagator)))
}

// Shutdown flushes what is buffered and stops the exporters.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	return errors.Join(t.tracer.Shutdown(ctx), t.meter.Shutdown(ctx))
}
