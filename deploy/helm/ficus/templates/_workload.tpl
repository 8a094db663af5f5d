{{/*
A service's Deployment: dict "root" . "name" "users" "component" $c "env" <env list YAML>
"migrate" <run migrations first> "natsCredentials" <mount the NATS credentials>.
*/}}
{{- define "ficus.deployment" -}}
{{- $root := .root -}}
{{- $c := .component -}}
{{- $probes := $root.Values.probes -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "ficus.componentName" . }}
  labels:
    {{- include "ficus.labels" . | nindent 4 }}
spec:
  {{- if not (dig "autoscaling" "enabled" false $c) }}
  replicas: {{ $c.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "ficus.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # A new pod is ready before an old one goes: capacity never drops during a rollout.
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        {{- include "ficus.selectorLabels" . | nindent 8 }}
      annotations:
        # New keys or database URLs restart the pods that read them.
        checksum/secrets: {{ include (print $root.Template.BasePath "/secrets.yaml") $root | sha256sum }}
        {{- range $key, $value := $root.Values.podAnnotations }}
        {{ $key }}: {{ $value | toString | quote }}
        {{- end }}
    spec:
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
      # Replicas on different nodes where the cluster allows it: one node lost is one replica lost.
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "ficus.selectorLabels" . | nindent 14 }}
      {{- if and .migrate $root.Values.migrations.enabled }}
      initContainers:
        - name: migrate
          image: {{ include "ficus.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args:
            - {{ .name }}
            {{- range $root.Values.migrations.args }}
            - {{ . | quote }}
            {{- end }}
          env:
            {{- .env | nindent 12 }}
            {{- with $root.Values.migrations.existingSecret }}
            # Last, so that it wins over the service's own URL: a user that may change the schema.
            {{- include "ficus.secretEnv" (dict "env" "DATABASE_URL" "secret" . "key" $.name) | nindent 12 }}
            {{- end }}
          resources:
            {{- toYaml $root.Values.migrations.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - { name: data, mountPath: /data }
            - { name: tmp, mountPath: /tmp }
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "ficus.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ .name | quote }}]
          ports:
            - name: http
              containerPort: {{ $c.port }}
              protocol: TCP
          env:
            {{- .env | nindent 12 }}
            {{- if and .migrate $root.Values.migrations.enabled }}
            # The init container migrated: the service only checks the schema, no DDL, no CREATE DATABASE.
            - name: DATABASE_MIGRATE
              value: never
            {{- end }}
          startupProbe:
            httpGet: { path: /health, port: http }
            {{- toYaml $probes.startup | nindent 12 }}
          livenessProbe:
            httpGet: { path: /health, port: http }
            {{- toYaml $probes.liveness | nindent 12 }}
          readinessProbe:
            httpGet: { path: /ready, port: http }
            {{- toYaml $probes.readiness | nindent 12 }}
          lifecycle:
            # Endpoints drop the pod before it stops taking requests (it answers 503 on /ready while draining).
            preStop:
              exec:
                command: [sleep, "5"]
          resources:
            {{- toYaml $c.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - { name: data, mountPath: /data }
            - { name: tmp, mountPath: /tmp }
            {{- if and .natsCredentials $root.Values.nats.credentials.existingSecret }}
            - { name: nats-credentials, mountPath: /etc/ficus/nats, readOnly: true }
            {{- end }}
      volumes:
        # DATA_DIR: the gateway's cached supergraph; nothing there must outlive the pod.
        - name: data
          emptyDir: {}
        - name: tmp
          emptyDir: {}
        {{- if and .natsCredentials $root.Values.nats.credentials.existingSecret }}
        - name: nats-credentials
          secret:
            secretName: {{ $root.Values.nats.credentials.existingSecret }}
        {{- end }}
      {{- with $c.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/* A component's Service: dict "root" . "name" "users" "component" $c. */}}
{{- define "ficus.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "ficus.componentName" . }}
  labels:
    {{- include "ficus.labels" . | nindent 4 }}
spec:
  type: {{ dig "service" "type" "ClusterIP" .component }}
  selector:
    {{- include "ficus.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .component.port }}
      targetPort: http
      protocol: TCP
{{- end }}

{{/* A component's HorizontalPodAutoscaler, when its autoscaling is enabled. */}}
{{- define "ficus.hpa" -}}
{{- if dig "autoscaling" "enabled" false .component }}
{{- $a := .component.autoscaling }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "ficus.componentName" . }}
  labels:
    {{- include "ficus.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "ficus.componentName" . }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
  behavior:
    # Scale down slowly: a replica's JetStream consumers and open subscriptions move when it goes.
    scaleDown:
      stabilizationWindowSeconds: 300
      policies:
        - { type: Pods, value: 1, periodSeconds: 60 }
{{- end }}
{{- end }}

{{/* A component's PodDisruptionBudget: its `pdb` is minAvailable or maxUnavailable. */}}
{{- define "ficus.pdb" -}}
{{- with .component.pdb }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "ficus.componentName" $ }}
  labels:
    {{- include "ficus.labels" $ | nindent 4 }}
spec:
  {{- if hasKey . "minAvailable" }}
  minAvailable: {{ .minAvailable }}
  {{- else }}
  maxUnavailable: {{ .maxUnavailable | default 1 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "ficus.selectorLabels" $ | nindent 6 }}
{{- end }}
{{- end }}

{{/*
Ingress to a component's port only from the given pods' components and extra peers:
dict "root" . "name" "users" "component" $c "fromComponents" (list "gateway") "from" <peers>.
An empty set of both admits everyone.
*/}}
{{- define "ficus.networkPolicy" -}}
{{- $root := .root -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "ficus.componentName" . }}
  labels:
    {{- include "ficus.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "ficus.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    - ports:
        - port: http
          protocol: TCP
      {{- if or .fromComponents .from }}
      from:
        {{- range .fromComponents }}
        - podSelector:
            matchLabels:
              {{- include "ficus.selectorLabels" (dict "root" $root "name" .) | nindent 14 }}
        {{- end }}
        {{- with .from }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
{{- end }}
