{{/*
Helpers shared by every template. The templates use a small, documented subset of Helm's template language (see
test/support/helm-template-renderer.ts): .Values, .Release, .Chart, define/include, if/else, with, range, and the
functions toYaml, nindent, indent, quote, default, printf, b64enc, trunc, trimSuffix, required, sha256sum, eq, ne,
and, or, not.
*/}}

{{/* Chart name, at most 63 characters (a DNS label). */}}
{{- define "clinic-concierge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name, at most 48 characters: with the longest suffix (-worker-metrics) a name stays within 63. */}}
{{- define "clinic-concierge.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" -}}
{{- else if eq .Release.Name (include "clinic-concierge.name" .) -}}
{{- .Release.Name | trunc 48 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "clinic-concierge.name" .) | trunc 48 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "clinic-concierge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select the release's pods; each template adds app.kubernetes.io/component. */}}
{{- define "clinic-concierge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clinic-concierge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "clinic-concierge.labels" -}}
helm.sh/chart: {{ include "clinic-concierge.chart" . }}
{{ include "clinic-concierge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: clinic-concierge
{{- end -}}

{{- define "clinic-concierge.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "clinic-concierge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "clinic-concierge.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding PHI_KEYS, DATABASE_URL, REDIS_URL and provider credentials. */}}
{{- define "clinic-concierge.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- include "clinic-concierge.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* Environment of every Clinic Concierge container: fixed production settings, then .Values.config (non-secret). */}}
{{- define "clinic-concierge.env" -}}
- name: NODE_ENV
  value: production
- name: DATA_DIR
  value: /tmp/concierge
- name: PORT
  value: {{ .Values.web.port | quote }}
- name: PUBLIC_URL
  value: {{ required "config.publicUrl is required: the public https origin (webhook signatures, links, web chat origin)" .Values.config.publicUrl | quote }}
{{- range $name, $value := .Values.config.env }}
{{- if $value }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "clinic-concierge.envFrom" -}}
- secretRef:
    name: {{ include "clinic-concierge.secretName" . }}
{{- end -}}

{{/* Restarts pods when the chart-managed Secret changes (an existingSecret is rotated by whoever manages it). */}}
{{- define "clinic-concierge.secretChecksum" -}}
{{- if not .Values.secrets.existingSecret -}}
checksum/secret: {{ toYaml .Values.secrets | sha256sum }}
{{- end -}}
{{- end -}}

{{/* Pod-level security: non-root, the image's UID, RuntimeDefault seccomp. */}}
{{- define "clinic-concierge.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security: read-only root file system, no privilege escalation, no capabilities. */}}
{{- define "clinic-concierge.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* /tmp is the only writable place (DATA_DIR=/tmp/concierge). */}}
{{- define "clinic-concierge.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end -}}

{{- define "clinic-concierge.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* NetworkPolicy egress: cluster DNS. */}}
{{- define "clinic-concierge.egressDns" -}}
- to:
    - namespaceSelector:
        {{- toYaml .Values.networkPolicy.dns.namespaceSelector | nindent 8 }}
      podSelector:
        {{- toYaml .Values.networkPolicy.dns.podSelector | nindent 8 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}

{{/* NetworkPolicy egress: the managed PostgreSQL. */}}
{{- define "clinic-concierge.egressPostgres" -}}
- to:
    {{- toYaml .Values.networkPolicy.postgres.to | nindent 4 }}
  ports:
    - port: {{ .Values.networkPolicy.postgres.port }}
      protocol: TCP
{{- end -}}

{{/* NetworkPolicy egress of web and worker pods: DNS, PostgreSQL, Redis, HTTPS to providers, extra rules. */}}
{{- define "clinic-concierge.egressRules" -}}
{{ include "clinic-concierge.egressDns" . }}
{{ include "clinic-concierge.egressPostgres" . }}
- to:
    {{- toYaml .Values.networkPolicy.redis.to | nindent 4 }}
  ports:
    - port: {{ .Values.networkPolicy.redis.port }}
      protocol: TCP
- to:
    {{- toYaml .Values.networkPolicy.https.to | nindent 4 }}
  ports:
    {{- range .Values.networkPolicy.https.ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- with .Values.networkPolicy.extraEgress }}
{{ toYaml . }}
{{- end }}
{{- end -}}
