{{/* The subgraphs in supergraph.yaml's order: each publish must compose with those before it. */}}
{{- define "ficus.subgraphNames" -}}
users products inventory orders payments notifications legacy-shop
{{- end }}

{{- define "ficus.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end }}

{{/* A component's resource name: dict "root" . "name" "gateway". */}}
{{- define "ficus.componentName" -}}
{{- printf "%s-%s" (include "ficus.fullname" .root) .name -}}
{{- end }}

{{- define "ficus.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "ficus.labels" -}}
{{ include "ficus.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{- define "ficus.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end }}

{{- define "ficus.keysSecret" -}}
{{- default (printf "%s-keys" (include "ficus.fullname" .)) .Values.secrets.existingSecret -}}
{{- end }}

{{- define "ficus.databasesSecret" -}}
{{- default (printf "%s-databases" (include "ficus.fullname" .)) .Values.postgres.existingSecret -}}
{{- end }}

{{/* The in-cluster URL of a component's port: dict "root" . "name" "users" "port" 4001. */}}
{{- define "ficus.url" -}}
{{- printf "http://%s:%v" (include "ficus.componentName" .) .port -}}
{{- end }}

{{- define "ficus.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end }}

{{/* NATS_URL, NATS_STREAM_REPLICAS (and NATS_CREDS_FILE) of a subgraph. */}}
{{- define "ficus.natsEnv" -}}
{{- if .Values.nats.existingSecret }}
{{ include "ficus.secretEnv" (dict "env" "NATS_URL" "secret" .Values.nats.existingSecret "key" .Values.nats.existingSecretKey) }}
{{- else }}
- name: NATS_URL
  value: {{ required "nats.url (or nats.existingSecret) is required" .Values.nats.url | quote }}
{{- end }}
- name: NATS_STREAM_REPLICAS
  value: {{ .Values.nats.streamReplicas | default 1 | quote }}
{{- if .Values.nats.credentials.existingSecret }}
- name: NATS_CREDS_FILE
  value: {{ printf "/etc/ficus/nats/%s" .Values.nats.credentials.key | quote }}
{{- end }}
{{- end }}

{{/* Variables every service gets: dict "root" . "component" $c "name" "users". */}}
{{- define "ficus.commonEnv" -}}
- name: NODE_ENV
  value: {{ default .root.Values.nodeEnv .component.nodeEnv | quote }}
- name: LOG_LEVEL
  value: {{ .root.Values.logLevel | quote }}
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: {{ .component.port | quote }}
- name: DATA_DIR
  value: /data
{{- range $name, $value := .root.Values.commonEnv }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* A component's own variables: its `env` map, then `extraEnv` (valueFrom and the like). */}}
{{- define "ficus.extraEnv" -}}
{{- range $name, $value := .component.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- with .component.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* A list of env YAML fragments as one list, blank fragments dropped. */}}
{{- define "ficus.joinEnv" -}}
{{- $parts := list -}}
{{- range . }}{{ $parts = append $parts (trim .) }}{{ end -}}
{{- join "\n" (compact $parts) -}}
{{- end }}
