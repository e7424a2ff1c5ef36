"""Documented defaults of what the Kubernetes reader models, with their sources.

Facts from ../shared/reference/defaults.md sections 3-7, plus hypercorn (read from
pgjones/hypercorn ``src/hypercorn/config.py`` and ``__main__.py``) and the Gateway API
(GEP-1742), which that file does not cover. Each default is a ``Default``: the value in
seconds (``None`` for "no limit"), the setting's name as the product spells it, and a
``DefaultSource`` that findings quote ("60s (idle_timeout.timeout_seconds, AWS ALB default)").
"""

from __future__ import annotations

from dataclasses import dataclass

from tolint.graph import default_source, Duration, Provenance

# -- sources -------------------------------------------------------------------------

K8S_DEFAULTS_GO = "https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/v1/defaults.go"
K8S_HOOKS = "https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/"
K8S_POD_LIFECYCLE = "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination"
K8S_PROBES = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"
K8S_DNS = "https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/"
ALB_ATTRIBUTES = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html"
AWS_LBC_INGRESS = "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/"
AWS_LBC_SERVICE = "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/"
AWS_TARGET_GROUP = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay"
NLB_IDLE = "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html"
CLB_IDLE = "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/config-idle-timeout.html"
CLB_DRAINING = "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/config-conn-drain.html"
AWS_CLOUD_PROVIDER = "https://github.com/kubernetes/cloud-provider-aws/blob/master/docs/service_controller.md"
GCP_TIMEOUTS = "https://cloud.google.com/load-balancing/docs/https#timeouts_and_retries"
GCP_BACKEND_SERVICE = "https://cloud.google.com/compute/docs/reference/rest/v1/backendServices"
GKE_BACKENDCONFIG = "https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration"
INGRESS_NGINX_CONFIGMAP = (
    "https://github.com/kubernetes/ingress-nginx/blob/controller-v1.15.0/docs/user-guide/nginx-configuration/configmap.md"
)
INGRESS_NGINX_ANNOTATIONS = (
    "https://github.com/kubernetes/ingress-nginx/blob/controller-v1.15.0/docs/user-guide/nginx-configuration/annotations.md"
)
GATEWAY_TIMEOUTS = "https://gateway-api.sigs.k8s.io/geps/gep-1742/"
ISTIO_DESTINATION_RULE = "https://istio.io/latest/docs/reference/config/networking/destination-rule/"
ISTIO_VIRTUAL_SERVICE = "https://istio.io/latest/docs/reference/config/networking/virtual-service/"
ISTIO_RETRY_SOURCE = "https://github.com/istio/istio/blob/master/pilot/pkg/networking/core/route/retry/retry.go"
ENVOY_TIMEOUTS = "https://www.envoyproxy.io/docs/envoy/latest/faq/configuration/timeouts"
GUNICORN_SETTINGS = "https://docs.gunicorn.org/en/stable/settings.html"
UVICORN_SETTINGS = "https://www.uvicorn.org/settings/"
HYPERCORN_CONFIG = "https://github.com/pgjones/hypercorn/blob/main/src/hypercorn/config.py"
NODE_HTTP = "https://nodejs.org/api/http.html"
NODE_65S = "https://github.com/nodejs/node/pull/62782"
GO_HTTP = "https://pkg.go.dev/net/http#Server"


@dataclass(frozen=True)
class Default:
    seconds: float | None
    key: str
    product: str
    source: str
    versions: str = "all versions"

    def duration(self, file: str | None = None, line: int | None = None, column: int | None = None) -> Duration:
        """The default as a graph value, pointing at the object it applies to when given."""
        provenance = Provenance(file=file, line=line, column=column,
                                default=default_source(product=self.product, versions=self.versions, source=self.source))
        raw = f"{self.key} (not set)"
        return Duration(seconds=self.seconds, key=self.key, raw=raw, provenance=provenance)


# -- Kubernetes core (defaults.md section 3) -------------------------------------------

GRACE_PERIOD = Default(30.0, "terminationGracePeriodSeconds", "Kubernetes", K8S_DEFAULTS_GO)
PROBE_TIMEOUT = Default(1.0, "timeoutSeconds", "Kubernetes", K8S_DEFAULTS_GO)
PROBE_PERIOD = Default(10.0, "periodSeconds", "Kubernetes", K8S_DEFAULTS_GO)
PROBE_FAILURE_THRESHOLD = 3
CLUSTER_DOMAIN = "cluster.local"

# -- AWS (defaults.md sections 5 and 6) ---------------------------------------------------

ALB_IDLE = Default(60.0, "idle_timeout.timeout_seconds", "AWS ALB", ALB_ATTRIBUTES)
ALB_CLIENT_KEEPALIVE = Default(3600.0, "client_keep_alive.seconds", "AWS ALB", ALB_ATTRIBUTES)
TARGET_GROUP_DEREGISTRATION = Default(300.0, "deregistration_delay.timeout_seconds", "AWS target group",
                                      AWS_TARGET_GROUP)
NLB_TCP_IDLE = Default(350.0, "tcp.idle_timeout.seconds", "AWS NLB", NLB_IDLE)
CLB_IDLE_DEFAULT = Default(60.0, "aws-load-balancer-connection-idle-timeout", "AWS CLB", CLB_IDLE)
CLB_DRAINING_TIMEOUT = Default(300.0, "aws-load-balancer-connection-draining-timeout", "AWS CLB", CLB_DRAINING)

# -- Google Cloud (defaults.md sections 5 and 6) ----------------------------------------------

GCLB_BACKEND_KEEPALIVE = Default(600.0, "backend keep-alive (fixed, not configurable)", "Google Cloud HTTP(S) LB",
                                 GCP_TIMEOUTS)
GCLB_CLIENT_KEEPALIVE = Default(610.0, "httpKeepAliveTimeoutSec", "Google Cloud HTTP(S) LB", GCP_TIMEOUTS)
GCP_BACKEND_TIMEOUT = Default(30.0, "timeoutSec", "Google Cloud backend service", GCP_BACKEND_SERVICE)

# -- ingress-nginx (defaults.md section 4), ConfigMap key -> default ----------------------------


@dataclass(frozen=True)
class IngressNginxKey:
    default: str
    unit: str  # "s": integer seconds; "nginx": nginx time syntax; "count"; "text"


INGRESS_NGINX_KEYS: dict[str, IngressNginxKey] = {
    "keep-alive": IngressNginxKey("75", "s"),
    "keep-alive-requests": IngressNginxKey("1000", "count"),
    "client-header-timeout": IngressNginxKey("60", "s"),
    "client-body-timeout": IngressNginxKey("60", "s"),
    "proxy-connect-timeout": IngressNginxKey("5", "s"),
    "proxy-read-timeout": IngressNginxKey("60", "s"),
    "proxy-send-timeout": IngressNginxKey("60", "s"),
    "proxy-next-upstream": IngressNginxKey("error timeout", "text"),
    "proxy-next-upstream-timeout": IngressNginxKey("0", "s"),
    "proxy-next-upstream-tries": IngressNginxKey("3", "count"),
    "proxy-http-version": IngressNginxKey("1.1", "text"),
    "upstream-keepalive-connections": IngressNginxKey("320", "count"),
    "upstream-keepalive-timeout": IngressNginxKey("60", "s"),
    "upstream-keepalive-requests": IngressNginxKey("10000", "count"),
    "upstream-keepalive-time": IngressNginxKey("1h", "nginx"),
    "worker-shutdown-timeout": IngressNginxKey("240s", "nginx"),
}
# ConfigMap keys that an Ingress annotation (nginx.ingress.kubernetes.io/<key>) overrides.
INGRESS_NGINX_ANNOTATED = frozenset({
    "proxy-connect-timeout", "proxy-read-timeout", "proxy-send-timeout", "proxy-next-upstream",
    "proxy-next-upstream-timeout", "proxy-next-upstream-tries", "proxy-http-version",
})

# -- Istio / Envoy (defaults.md section 7) -------------------------------------------------------

ISTIO_HTTP_IDLE = Default(3600.0, "connectionPool.http.idleTimeout", "Istio (Envoy)", ISTIO_DESTINATION_RULE)
ENVOY_DOWNSTREAM_IDLE = Default(3600.0, "idle_timeout", "Envoy", ENVOY_TIMEOUTS)
ISTIO_DEFAULT_RETRY_ON = ["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"]
ISTIO_DEFAULT_ATTEMPTS = 2

# -- Gateway API -------------------------------------------------------------------------------
# Unset timeouts are implementation-specific (GEP-1742); nothing is assumed for them.
