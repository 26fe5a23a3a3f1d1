{{/* =========================================================================================
     Named object templates for one Ordermesh service. Every template takes
     dict "root" $ "name" <service> "c" <merged settings> "graph" <call graph> [track]
     and is called from templates/services.yaml, which loops over .Values.components.
     ========================================================================================= */}}

{{/* Callers of .name in the call graph → {items: [{caller, methods}]} (enabled callers only) */}}
{{- define "ordermesh.callers" -}}
{{- $out := list -}}
{{- range $caller := keys .graph | sortAlpha -}}
{{- $calls := index $.graph $caller | default dict -}}
{{- if and (hasKey $calls $.name) (hasKey $.root.Values.components $caller) -}}
{{- $cc := include "ordermesh.component" (dict "root" $.root "name" $caller) | fromYaml -}}
{{- if $cc.enabled -}}
{{- $out = append $out (dict "caller" $caller "methods" (index $calls $.name)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "items" $out) -}}
{{- end -}}

{{/* Callees of .name → {items: [{callee, methods, port}]} */}}
{{- define "ordermesh.callees" -}}
{{- $out := list -}}
{{- $calls := index .graph .name | default dict -}}
{{- range $callee := keys $calls | sortAlpha -}}
{{- if not (hasKey $.root.Values.components $callee) -}}
{{- fail (printf "call graph: %s calls unknown service %s" $.name $callee) -}}
{{- end -}}
{{- $cc := include "ordermesh.component" (dict "root" $.root "name" $callee) | fromYaml -}}
{{- if not $cc.enabled -}}
{{- fail (printf "components.%s is disabled but %s calls it" $callee $.name) -}}
{{- end -}}
{{- $out = append $out (dict "callee" $callee "methods" (index $calls $callee) "port" (int $cc.ports.grpc)) -}}
{{- end -}}
{{- toYaml (dict "items" $out) -}}
{{- end -}}

{{/* Where a service answers readiness, metrics and the kubelet's probes: its management port
     (ports.management, in no Service and never behind the ingress), else its HTTP port. */}}
{{- define "ordermesh.managementPort" -}}
{{- ternary (int .ports.management) (int .ports.http) (gt (int .ports.management) 0) -}}
{{- end -}}

{{- define "ordermesh.service.serviceAccount" -}}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .name }}
  labels:
    {{- include "ordermesh.labels" (dict "root" .root "name" .name "component" "service") | nindent 4 }}
automountServiceAccountToken: false
{{- end -}}

{{/* Environment of a service: secret/field refs first (they are referenced by $(VAR)), then the
     plain values (chart-computed, overridden by components.<name>.env), sorted. */}}
{{- define "ordermesh.service.env" -}}
{{- $root := .root -}}{{- $c := .c -}}{{- $V := .root.Values -}}
{{- $plain := dict
  "NODE_ENV" "production"
  "HOST" "0.0.0.0"
  "LOG_LEVEL" $c.logLevel
  "HTTP_PORT" (toString $c.ports.http)
  "SHUTDOWN_TIMEOUT_MS" (toString (int $c.shutdownTimeoutMs))
  "OTEL_SERVICE_NAME" .name
  "OTEL_METRICS_EXPORTER" "none"
  "NODE_OPTIONS" (printf "--max-old-space-size=%d --max-semi-space-size=%d" (int $c.heap.maxOldSpaceMiB) (int $c.heap.maxSemiSpaceMiB))
  "OTEL_RESOURCE_ATTRIBUTES" (printf "service.namespace=ordermesh,service.version=%s,k8s.namespace.name=%s,k8s.pod.name=$(K8S_POD_NAME)%s" (.c.image.tag | default $root.Chart.AppVersion) $root.Release.Namespace (ternary (printf ",%s" $V.otel.resourceAttributes) "" (ne $V.otel.resourceAttributes "")))
-}}
{{- $otlp := include "ordermesh.otlpEndpoint" $root -}}
{{- if $otlp -}}
{{- $_ := set $plain "OTEL_TRACES_EXPORTER" "otlp" -}}
{{- $_ := set $plain "OTEL_TRACES_SAMPLER" "parentbased_traceidratio" -}}
{{- $_ := set $plain "OTEL_TRACES_SAMPLER_ARG" (toString $V.otel.sampleRatio) -}}
{{- $_ := set $plain "OTEL_EXPORTER_OTLP_ENDPOINT" $otlp -}}
{{- $_ := set $plain "OTEL_EXPORTER_OTLP_PROTOCOL" "http/protobuf" -}}
{{- else -}}
{{- $_ := set $plain "OTEL_TRACES_EXPORTER" "none" -}}
{{- end -}}
{{- $logs := include "ordermesh.otlpLogsEndpoint" $root -}}
{{- if $logs -}}
{{- /* Every pino record, as written (redacted), also goes to the log store (docs/decisions/0015) */ -}}
{{- $_ := set $plain "OTEL_LOGS_EXPORTER" "otlp" -}}
{{- $_ := set $plain "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT" $logs -}}
{{- $_ := set $plain "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL" "http/protobuf" -}}
{{- $_ := set $plain "OTEL_BLRP_SCHEDULE_DELAY" (toString (int $V.otel.logBatch.scheduleDelayMs)) -}}
{{- $_ := set $plain "OTEL_BLRP_MAX_QUEUE_SIZE" (toString (int $V.otel.logBatch.maxQueueSize)) -}}
{{- $_ := set $plain "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE" (toString (int $V.otel.logBatch.maxExportBatchSize)) -}}
{{- else -}}
{{- $_ := set $plain "OTEL_LOGS_EXPORTER" "none" -}}
{{- end -}}
{{- if gt (int $c.ports.grpc) 0 }}{{ $_ := set $plain "GRPC_PORT" (toString $c.ports.grpc) }}{{ end -}}
{{- if gt (int $c.ports.management) 0 }}{{ $_ := set $plain "MANAGEMENT_PORT" (toString $c.ports.management) }}{{ end -}}
{{- if $c.uses.kafka }}{{ $_ := set $plain "KAFKA_BROKERS" (include "ordermesh.kafka.brokers" $root) }}{{ end -}}
{{- range (include "ordermesh.callees" . | fromYaml).items -}}
{{- $_ := set $plain (printf "%s_GRPC_ADDR" (upper .callee)) (include "ordermesh.grpcTarget" (dict "root" $root "name" .callee "port" .port)) -}}
{{- end -}}
{{- if $c.uses.postgresql -}}
{{- $db := $c.uses.postgresql -}}
{{- $q := ternary "" (printf "?sslmode=%s" $V.externalPostgresql.sslMode) $V.postgresql.enabled -}}
{{- $_ := set $plain "DATABASE_URL" (printf "postgresql://%s:$(K8S_POSTGRESQL_PASSWORD)@%s:%s/%s%s" $db (include "ordermesh.postgresql.host" $root) (include "ordermesh.postgresql.port" $root) $db $q) -}}
{{- end -}}
{{- if $c.uses.mongodb -}}
{{- $db := $c.uses.mongodb -}}
{{- $q := ternary (printf "authSource=%s" $db) $V.externalMongodb.options $V.mongodb.enabled -}}
{{- $_ := set $plain "MONGODB_URL" (printf "mongodb://%s:$(K8S_MONGODB_PASSWORD)@%s:%s/%s?%s" $db (include "ordermesh.mongodb.host" $root) (include "ordermesh.mongodb.port" $root) $db $q) -}}
{{- end -}}
{{- if $c.uses.redis -}}
{{- $auth := ternary ":$(K8S_REDIS_PASSWORD)@" "" (ne (include "ordermesh.redis.secret" $root) "") -}}
{{- if $V.redis.enabled -}}
{{- $_ := set $plain "REDIS_URL" (printf "redis://%sredis:6379" $auth) -}}
{{- else -}}
{{- $_ := set $plain "REDIS_URL" (printf "%s://%s%s:%d" (ternary "rediss" "redis" $V.externalRedis.tls) $auth (required "externalRedis.host is required when redis.enabled=false" $V.externalRedis.host) (int $V.externalRedis.port)) -}}
{{- end -}}
{{- end -}}
{{- if $c.uses.api -}}
{{- $gw := include "ordermesh.component" (dict "root" $root "name" "gateway") | fromYaml -}}
{{- $_ := set $plain "GATEWAY_URL" (printf "http://gateway:%d/api/v1" (int $gw.ports.http)) -}}
{{- end -}}
{{- if and $c.public $V.istio.enabled -}}
{{- /* The ingress gateway appends the client's address to X-Forwarded-For (sidecars add none):
       trust that one hop, nothing a client wrote before it. */ -}}
{{- $_ := set $plain "TRUSTED_PROXY_HOPS" "1" -}}
{{- end -}}
{{- if $c.uses.jwt -}}
{{- $_ := set $plain "JWT_ISSUER" $V.auth.jwt.issuer -}}
{{- $_ := set $plain "JWT_AUDIENCE" $V.auth.jwt.audience -}}
{{- end -}}
{{- range $k, $v := $c.env }}
{{- /* Secrets come from Secrets, and production runs as production (the services then refuse
       development credentials): never a credential or another NODE_ENV in the values. A setting
       about tokens (REFRESH_TOKEN_TTL_SECONDS) is no credential; a URL may name a password by
       reference ($(K8S_POSTGRESQL_PASSWORD)), never spell it. */ -}}
{{- if regexMatch "(SECRET|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|(^|_)TOKEN$)" $k -}}
{{- fail (printf "components.%s.env.%s: credentials come from Secrets (auth.jwt.existingSecret, …), never from values" $.name $k) -}}
{{- end -}}
{{- if regexMatch "://[^/@:]*:[^/@$][^/@]*@" (toString $v) -}}
{{- fail (printf "components.%s.env.%s: a password inside a URL comes from a Secret (as $(K8S_POSTGRESQL_PASSWORD)), never from values" $.name $k) -}}
{{- end -}}
{{- if and (eq $k "NODE_ENV") (ne (toString $v) "production") -}}
{{- fail (printf "components.%s.env.NODE_ENV: the chart runs services in production only (it refuses development credentials there)" $.name) -}}
{{- end -}}
{{- $_ := set $plain $k (toString $v) -}}
{{- end -}}
- name: K8S_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- if $c.uses.postgresql }}
- name: K8S_POSTGRESQL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "ordermesh.postgresql.secret" $root }}
      key: {{ $c.uses.postgresql }}-password
{{- end }}
{{- if $c.uses.mongodb }}
- name: K8S_MONGODB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "ordermesh.mongodb.secret" $root }}
      key: {{ $c.uses.mongodb }}-password
{{- end }}
{{- if and $c.uses.redis (include "ordermesh.redis.secret" $root) }}
- name: K8S_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "ordermesh.redis.secret" $root }}
      key: redis-password
{{- end }}
{{- if $c.uses.jwt }}
- name: JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $V.auth.jwt.existingSecret | default "gateway-jwt" }}
      key: jwt-secret
{{- end }}
{{- range $k := keys $plain | sortAlpha }}
- name: {{ $k }}
  value: {{ index $plain $k | quote }}
{{- end }}
{{- end -}}

{{- define "ordermesh.service.deployment" -}}
{{- $c := .c -}}{{- $root := .root -}}{{- $track := .track | default "v1" -}}
{{- $canary := eq $track "v2" -}}
{{- $name := ternary (printf "%s-v2" .name) .name $canary -}}
{{- $image := $c.image -}}
{{- if and $canary $c.canary.image.tag }}{{ $image = merge (dict "tag" $c.canary.image.tag "digest" "") $c.image }}{{ end -}}
{{- $tag := $image.tag | default $root.Chart.AppVersion -}}
{{- $probePort := ternary "management" "http" (gt (int $c.ports.management) 0) -}}
{{- $graceSeconds := add (int $c.preStopSleepSeconds) (div (add (int $c.shutdownTimeoutMs) 999) 1000) 5 -}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "ordermesh.labels" (dict "root" $root "name" .name "component" "service" "version" $tag) | nindent 4 }}
spec:
  {{- if $canary }}
  replicas: {{ $c.canary.replicas }}
  {{- else if not $c.autoscaling.enabled }}
  replicas: {{ $c.replicas }}
  {{- end }}
  revisionHistoryLimit: 3
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "ordermesh.selectorLabels" . | nindent 6 }}
      version: {{ $track }}
  template:
    metadata:
      labels:
        {{- include "ordermesh.labels" (dict "root" $root "name" .name "component" "service" "version" $tag) | nindent 8 }}
        {{- include "ordermesh.meshLabels" (dict "root" $root "name" .name "track" $track) | nindent 8 }}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ include "ordermesh.managementPort" $c | quote }}
        prometheus.io/path: /metrics
        {{- with include "ordermesh.sidecarAnnotations" $root | trim }}{{ . | nindent 8 }}{{ end }}
        {{- with $c.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ .name }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $graceSeconds }}
      {{- with include "ordermesh.imagePullSecrets" $root | trim }}{{ . | nindent 6 }}{{ end }}
      securityContext:
        {{- include "ordermesh.podSecurityContext" (dict "uid" 1000) | nindent 8 }}
      {{- with $c.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "ordermesh.image" (dict "root" $root "image" $image "defaultRepository" (printf "ordermesh/%s" .name) "defaultTag" $root.Chart.AppVersion) }}
          imagePullPolicy: {{ $image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $c.ports.http }}
              protocol: TCP
            {{- if gt (int $c.ports.grpc) 0 }}
            - name: grpc
              containerPort: {{ $c.ports.grpc }}
              protocol: TCP
            {{- end }}
            {{- if gt (int $c.ports.management) 0 }}
            - name: management
              containerPort: {{ $c.ports.management }}
              protocol: TCP
            {{- end }}
          env:
            {{- include "ordermesh.service.env" . | nindent 12 }}
          startupProbe:
            {{- if gt (int $c.ports.grpc) 0 }}
            grpc:
              port: {{ $c.ports.grpc }}
            {{- else }}
            httpGet:
              path: /health/live
              port: {{ $probePort }}
            {{- end }}
            periodSeconds: 2
            timeoutSeconds: 2
            failureThreshold: 60
          livenessProbe:
            httpGet:
              path: /health/live
              port: {{ $probePort }}
            periodSeconds: 10
            timeoutSeconds: 2
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /health/ready
              port: {{ $probePort }}
            periodSeconds: 5
            timeoutSeconds: 2
            failureThreshold: 2
          lifecycle:
            preStop:
              sleep:
                seconds: {{ $c.preStopSleepSeconds }}
          resources:
            {{- toYaml $c.resources | nindent 12 }}
          securityContext:
            {{- include "ordermesh.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        {{- include "ordermesh.tmpVolume" dict | nindent 8 }}
{{- end -}}

{{- define "ordermesh.service.service" -}}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  labels:
    {{- include "ordermesh.labels" (dict "root" .root "name" .name "component" "service") | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "ordermesh.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .c.ports.http }}
      targetPort: http
      protocol: TCP
      appProtocol: http
    {{- if gt (int .c.ports.grpc) 0 }}
    - name: grpc
      port: {{ .c.ports.grpc }}
      targetPort: grpc
      protocol: TCP
      appProtocol: grpc
    {{- end }}
{{- end -}}

{{/* Headless Service of a gRPC service without the mesh: its DNS name resolves to every ready pod,
     so the callers' round_robin clients (dns:///<name>-grpc:<port>) balance call by call. With
     Istio the callers use the ClusterIP Service and the sidecar balances per call. docs/scaling.md */}}
{{- define "ordermesh.service.headlessService" -}}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}-grpc
  labels:
    {{- include "ordermesh.labels" (dict "root" .root "name" .name "component" "service") | nindent 4 }}
spec:
  type: ClusterIP
  clusterIP: None
  selector:
    {{- include "ordermesh.selectorLabels" . | nindent 4 }}
  ports:
    - name: grpc
      port: {{ .c.ports.grpc }}
      targetPort: grpc
      protocol: TCP
      appProtocol: grpc
{{- end -}}

{{- define "ordermesh.service.hpa" -}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .name }}
  labels:
    {{- include "ordermesh.labels" (dict "root" .root "name" .name "component" "service") | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ .c.replicas }}
  maxReplicas: {{ max (int .c.replicas) (int .c.autoscaling.maxReplicas) }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .c.autoscaling.targetCPUUtilizationPercentage }}
  behavior:
    scaleUp:
      stabilizationWindowSeconds: {{ .c.autoscaling.scaleUpStabilizationSeconds }}
{{- end -}}

{{- define "ordermesh.service.pdb" -}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
  labels:
    {{- include "ordermesh.labels" (dict "root" .root "name" .name "component" "service") | nindent 4 }}
spec:
  maxUnavailable: {{ .c.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "ordermesh.selectorLabels" . | nindent 6 }}
      version: v1
{{- end -}}

{{/* NetworkPolicy: ingress from real callers (gRPC), Prometheus (HTTP + Istio agent), the ingress
     gateway (public gateway only); egress to callees, backends and Jaeger. DNS/istiod: networkpolicy.yaml */}}
{{- define "ordermesh.service.networkPolicy" -}}
{{- $root := .root -}}{{- $c := .c -}}{{- $V := .root.Values -}}
{{- $callers := (include "ordermesh.callers" . | fromYaml).items -}}
{{- $callees := (include "ordermesh.callees" . | fromYaml).items -}}
{{- $apiClients := (include "ordermesh.apiClients" $root | fromYaml).items -}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name }}
  labels:
    {{- include "ordermesh.labels" (dict "root" $root "name" .name "component" "service") | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "ordermesh.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    {{- range $callers }}
    - from:
        - {{- include "ordermesh.peer" (dict "root" $root "name" .caller) | nindent 10 }}
      ports:
        - port: {{ $c.ports.grpc }}
          protocol: TCP
    {{- end }}
    {{- if eq .name "gateway" }}
    {{- range $apiClients }}
    - from:
        - {{- include "ordermesh.peer" (dict "root" $root "name" .) | nindent 10 }}
      ports:
        - port: {{ $c.ports.http }}
          protocol: TCP
    {{- end }}
    {{- end }}
    {{- if $c.public }}
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ $V.istio.ingress.namespace }}
          podSelector:
            matchLabels:
              {{- toYaml $V.istio.ingress.selector | nindent 14 }}
      ports:
        - port: {{ $c.ports.http }}
          protocol: TCP
    {{- end }}
    {{- if $V.prometheus.enabled }}
    - from:
        - {{- include "ordermesh.peer" (dict "root" $root "name" "prometheus") | nindent 10 }}
      ports:
        - port: {{ include "ordermesh.managementPort" $c }}
          protocol: TCP
        {{- if $V.istio.enabled }}
        - port: 15020
          protocol: TCP
        {{- end }}
    {{- end }}
  egress:
    {{- range $callees }}
    - to:
        - {{- include "ordermesh.peer" (dict "root" $root "name" .callee) | nindent 10 }}
      ports:
        - port: {{ .port }}
          protocol: TCP
    {{- end }}
    {{- if $c.uses.api }}
    - to:
        - {{- include "ordermesh.peer" (dict "root" $root "name" "gateway") | nindent 10 }}
      ports:
        - port: {{ (include "ordermesh.component" (dict "root" $root "name" "gateway") | fromYaml).ports.http }}
          protocol: TCP
    {{- end }}
    {{- if and $c.uses.postgresql $V.postgresql.enabled }}
    - to:
        - {{- include "ordermesh.peer" (dict "root" $root "name" "postgresql") | nindent 10 }}
      ports:
        - port: 5432
          protocol: TCP
    {{- end }}
    {{- if and $c.uses.mongodb $V.mongodb.enabled }}
    - to:
        - {{- include "ordermesh.peer" (dict "root" $root "name" "mongodb") | nindent 10 }}
      ports:
        - port: 27017
          protocol: TCP
    {{- end }}
    {{- if and $c.uses.redis $V.redis.enabled }}
    - to:
        - {{- include "ordermesh.peer" (dict "root" $root "name" "redis") | nindent 10 }}
      ports:
        - port: 6379
          protocol: TCP
    {{- end }}
    {{- if and $c.uses.kafka $V.kafka.enabled }}
    - to:
        - {{- include "ordermesh.peer" (dict "root" $root "name" "kafka") | nindent 10 }}
      ports:
        - port: 9092
          protocol: TCP
    {{- end }}
    {{- if $V.jaeger.enabled }}
    - to:
        - {{- include "ordermesh.peer" (dict "root" $root "name" "jaeger") | nindent 10 }}
      ports:
        - port: 4318
          protocol: TCP
        - port: 4317
          protocol: TCP
    {{- end }}
    {{- if $V.victorialogs.enabled }}
    - to:
        - {{- include "ordermesh.peer" (dict "root" $root "name" "victorialogs") | nindent 10 }}
      ports:
        - port: 9428
          protocol: TCP
    {{- end }}
    {{- with $V.networkPolicy.externalCIDRs }}
    - to:
        {{- range . }}
        - ipBlock:
            cidr: {{ . }}
        {{- end }}
    {{- end }}
{{- end -}}

{{/* Istio destination list with the canary split: dict root name c port */}}
{{- define "ordermesh.service.routeDestinations" -}}
{{- $host := include "ordermesh.fqdn" . -}}
{{- if .c.canary.enabled -}}
- destination:
    host: {{ $host }}
    subset: v1
    port:
      number: {{ .port }}
  weight: {{ sub 100 (int .c.canary.weight) }}
- destination:
    host: {{ $host }}
    subset: v2
    port:
      number: {{ .port }}
  weight: {{ .c.canary.weight }}
{{- else -}}
- destination:
    host: {{ $host }}
    subset: v1
    port:
      number: {{ .port }}
{{- end -}}
{{- end -}}

{{- define "ordermesh.service.destinationRule" -}}
{{- $p := .c.istio -}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {{ .name }}
  labels:
    {{- include "ordermesh.labels" (dict "root" .root "name" .name "component" "service") | nindent 4 }}
spec:
  host: {{ include "ordermesh.fqdn" . }}
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
    connectionPool:
      tcp:
        maxConnections: {{ $p.connectionPool.maxConnections }}
        connectTimeout: {{ $p.connectionPool.connectTimeout }}
      http:
        http2MaxRequests: {{ $p.connectionPool.http2MaxRequests }}
        http1MaxPendingRequests: {{ $p.connectionPool.http1MaxPendingRequests }}
    outlierDetection:
      consecutive5xxErrors: {{ $p.outlierDetection.consecutive5xxErrors }}
      consecutiveGatewayErrors: {{ $p.outlierDetection.consecutiveGatewayErrors }}
      interval: {{ $p.outlierDetection.interval }}
      baseEjectionTime: {{ $p.outlierDetection.baseEjectionTime }}
      maxEjectionPercent: {{ $p.outlierDetection.maxEjectionPercent }}
  subsets:
    - name: v1
      labels:
        version: v1
    {{- if .c.canary.enabled }}
    - name: v2
      labels:
        version: v2
    {{- end }}
{{- end -}}

{{/* In-mesh VirtualService of a gRPC service: the called methods its proto declares idempotent
     (files/retryable-methods.json) get retries, the rest none */}}
{{- define "ordermesh.service.virtualService" -}}
{{- $root := .root -}}{{- $p := .c.istio -}}{{- $name := .name -}}
{{- $called := list -}}
{{- range (include "ordermesh.callers" . | fromYaml).items }}{{ range .methods }}{{ $called = append $called . }}{{ end }}{{ end -}}
{{- $declared := (include "ordermesh.retryableMethods" (dict "root" $root "domain" $name) | fromYaml).items -}}
{{- $retryable := list -}}
{{- range ($called | uniq | sortAlpha) }}{{ if has . $declared }}{{ $retryable = append $retryable . }}{{ end }}{{ end -}}
{{- $dest := include "ordermesh.service.routeDestinations" (dict "root" $root "name" .name "c" .c "port" (int .c.ports.grpc)) -}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{ .name }}
  labels:
    {{- include "ordermesh.labels" (dict "root" $root "name" .name "component" "service") | nindent 4 }}
spec:
  hosts:
    - {{ include "ordermesh.fqdn" . }}
  http:
    {{- if $retryable }}
    - name: idempotent
      match:
        - uri:
            regex: {{ printf "^/ordermesh\\.%s\\.v1\\.%sService/(%s)$" $name (title $name) (join "|" $retryable) | quote }}
      route:
        {{- $dest | nindent 8 }}
      timeout: {{ $p.timeout }}
      retries:
        attempts: {{ $p.retries.attempts }}
        perTryTimeout: {{ $p.retries.perTryTimeout }}
        retryOn: unavailable,reset,connect-failure
    {{- end }}
    - name: default
      route:
        {{- $dest | nindent 8 }}
      timeout: {{ $p.timeout }}
      retries:
        attempts: 0
{{- end -}}

{{/* AuthorizationPolicy: only the real callers' service accounts, only the methods they call */}}
{{- define "ordermesh.service.authorizationPolicy" -}}
{{- $root := .root -}}{{- $name := .name -}}{{- $c := .c -}}
{{- $callers := (include "ordermesh.callers" . | fromYaml).items -}}
{{- $apiClients := ternary (include "ordermesh.apiClients" $root | fromYaml).items list (eq .name "gateway") -}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: {{ .name }}
  labels:
    {{- include "ordermesh.labels" (dict "root" $root "name" .name "component" "service") | nindent 4 }}
spec:
  selector:
    matchLabels:
      {{- include "ordermesh.selectorLabels" . | nindent 6 }}
  action: ALLOW
  {{- if or $callers $c.public $apiClients }}
  rules:
    {{- range $callers }}
    - from:
        - source:
            principals:
              - {{ include "ordermesh.principal" (dict "root" $root "name" .caller) | quote }}
      to:
        - operation:
            ports:
              - {{ $c.ports.grpc | quote }}
            paths:
              {{- range (.methods | sortAlpha) }}
              - {{ include "ordermesh.grpcPath" (dict "domain" $name "method" .) | quote }}
              {{- end }}
    {{- end }}
    {{- range $apiClients }}
    - from:
        - source:
            principals:
              - {{ include "ordermesh.principal" (dict "root" $root "name" .) | quote }}
      to:
        - operation:
            ports:
              - {{ $c.ports.http | quote }}
    {{- end }}
    {{- if $c.public }}
    - from:
        - source:
            principals:
              {{- range $root.Values.istio.ingress.principals }}
              - {{ . | quote }}
              {{- end }}
      to:
        - operation:
            ports:
              - {{ $c.ports.http | quote }}
    {{- end }}
  {{- end }}
{{- end -}}

{{/* The ingress VirtualService: every public service under its ingressPath, longest prefix
     first (`/api` → gateway, `/` → storefront); per service, GET (idempotent) is retried, other
     verbs not. One VirtualService, so the order of the routes is the order written here. */}}
{{- define "ordermesh.ingressVirtualService" -}}
{{- $root := . -}}
{{- $public := list -}}{{- $keys := list -}}
{{- range $name := keys .Values.components | sortAlpha -}}
{{- $c := include "ordermesh.component" (dict "root" $root "name" $name) | fromYaml -}}
{{- if and $c.enabled $c.public -}}
{{- $key := printf "%04d-%s" (sub 1000 (len (trimSuffix "/" $c.ingressPath))) $name -}}
{{- $public = append $public (dict "name" $name "c" $c "key" $key) -}}
{{- $keys = append $keys $key -}}
{{- end -}}
{{- end -}}
{{- if $public }}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ingress
  labels:
    {{- include "ordermesh.labels" (dict "root" $root "name" "ingress" "component" "mesh") | nindent 4 }}
spec:
  hosts:
    {{- toYaml $root.Values.istio.ingress.hosts | nindent 4 }}
  gateways:
    - ordermesh
  http:
    {{- range $key := $keys | sortAlpha }}
    {{- range $p := $public }}{{ if eq $p.key $key }}
    {{- $c := $p.c -}}{{- $prefix := trimSuffix "/" $c.ingressPath -}}
    {{- $dest := include "ordermesh.service.routeDestinations" (dict "root" $root "name" $p.name "c" $c "port" (int $c.ports.http)) }}
    {{- /* A zero timeout means none: Istio refuses 0s, and leaves a route without one untimed. */}}
    - name: {{ $p.name }}-reads
      match:
        - method:
            exact: GET
          {{- if $prefix }}
          uri:
            prefix: {{ $prefix }}
          {{- end }}
      route:
        {{- $dest | nindent 8 }}
      {{- if not (regexMatch "^0+(\\.0+)?(ms|s|m|h)$" $c.istio.timeout) }}
      timeout: {{ $c.istio.timeout }}
      {{- end }}
      retries:
        attempts: {{ $c.istio.retries.attempts }}
        perTryTimeout: {{ $c.istio.retries.perTryTimeout }}
        retryOn: reset,connect-failure,gateway-error
    - name: {{ $p.name }}
      {{- if $prefix }}
      match:
        - uri:
            prefix: {{ $prefix }}
      {{- end }}
      route:
        {{- $dest | nindent 8 }}
      {{- if not (regexMatch "^0+(\\.0+)?(ms|s|m|h)$" $c.istio.timeout) }}
      timeout: {{ $c.istio.timeout }}
      {{- end }}
      retries:
        attempts: 0
    {{- end }}{{ end }}
    {{- end }}
{{- end }}
{{- end -}}
