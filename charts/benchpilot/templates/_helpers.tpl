{{/*
Names and labels
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "benchpilot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The full name of the release's objects: fullnameOverride, else <release>-<name> (just <release>
when the release name already contains the name). At most 52 characters, so that derived names
(<fullname>-workloads, -dashboards, -config, -test) stay within 63.
*/}}
{{- define "benchpilot.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* chart-version for the helm.sh/chart label. */}}
{{- define "benchpilot.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object the chart renders. */}}
{{- define "benchpilot.labels" -}}
helm.sh/chart: {{ include "benchpilot.chart" . }}
app.kubernetes.io/name: {{ include "benchpilot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: benchpilot
{{- end -}}

{{/* Selector labels of the control plane (Deployment, Service, NetworkPolicy). */}}
{{- define "benchpilot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "benchpilot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: control-plane
{{- end -}}

{{/*
Labels every runner, setup and nb5 pod of this release carries (set by the Kubernetes executor,
src/executors/kubernetes/manifests.ts: benchpilotLabels).
*/}}
{{- define "benchpilot.runnerSelectorLabels" -}}
app.kubernetes.io/managed-by: benchpilot
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The control plane's ServiceAccount. */}}
{{- define "benchpilot.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "benchpilot.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Images
*/}}

{{/*
An image reference from (dict "image" <registry/repository/tag/digest> "global" .Values.global
"defaultTag" <tag>): global.imageRegistry replaces the registry; a digest replaces the tag.
*/}}
{{- define "benchpilot.imageRef" -}}
{{- $registry := .image.registry -}}
{{- if .global.imageRegistry -}}{{- $registry = .global.imageRegistry -}}{{- end -}}
{{- $repository := .image.repository -}}
{{- if $registry -}}{{- $repository = printf "%s/%s" (trimSuffix "/" $registry) $repository -}}{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (toString (default .defaultTag .image.tag)) -}}
{{- end -}}
{{- end -}}

{{/* The control-plane image (also the `helm test` pod's). */}}
{{- define "benchpilot.image" -}}
{{- include "benchpilot.imageRef" (dict "image" .Values.image "global" .Values.global "defaultTag" .Chart.AppVersion) -}}
{{- end -}}

{{/* The runner image: each empty runner.image field falls back to the control plane's. */}}
{{- define "benchpilot.runnerImage" -}}
{{- $r := .Values.runner.image -}}
{{- $c := .Values.image -}}
{{- $digest := $r.digest -}}
{{- if and (not $digest) (not $r.repository) (not $r.tag) -}}{{- $digest = $c.digest -}}{{- end -}}
{{- $image := dict "registry" (default $c.registry $r.registry) "repository" (default $c.repository $r.repository) "tag" (default $c.tag $r.tag) "digest" $digest -}}
{{- include "benchpilot.imageRef" (dict "image" $image "global" .Values.global "defaultTag" .Chart.AppVersion) -}}
{{- end -}}

{{- define "benchpilot.nosqlbenchImage" -}}
{{- include "benchpilot.imageRef" (dict "image" .Values.nosqlbench.image "global" .Values.global "defaultTag" "5.21.8-preview") -}}
{{- end -}}


{{/*
Secrets
*/}}

{{/* The Secret the control plane reads its token and credentials from. */}}
{{- define "benchpilot.secretName" -}}
{{- default (include "benchpilot.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* The Secret and key holding DATABASE_URL. */}}
{{- define "benchpilot.databaseSecretName" -}}
{{- default (include "benchpilot.secretName" .) .Values.state.postgres.existingSecret -}}
{{- end -}}

{{/*
The operator token: auth.operatorToken, else the one already in the release's Secret (lookup, so
it stays the same across `helm upgrade`), else a new random one. `lookup` returns nothing under
`helm template` and `--dry-run`: there a new token is generated each time.
*/}}
{{- define "benchpilot.operatorToken" -}}
{{- if .Values.auth.operatorToken -}}
{{- .Values.auth.operatorToken -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "benchpilot.fullname" .) -}}
{{- $data := dict -}}
{{- if $existing -}}{{- $data = default (dict) $existing.data -}}{{- end -}}
{{- if hasKey $data "BENCHPILOT_OPERATOR_TOKEN" -}}
{{- index $data "BENCHPILOT_OPERATOR_TOKEN" | b64dec -}}
{{- else -}}
{{- printf "bp_%s" (randAlphaNum 43) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Targets
*/}}

{{/* The target keys the server knows (src/server/config.ts: TARGET_DRIVERS), in a fixed order. */}}
{{- define "benchpilot.targetNames" -}}
postgres http cassandra opensearch presto llm tsdb
{{- end -}}

{{/*
The names of the targets written to the config file, space-separated: the enabled ones, and the
disabled ones that have a host or URL (so that disabling a target reaches the server, which keeps
the targets of earlier configurations).
*/}}
{{- define "benchpilot.configuredTargets" -}}
{{- $out := list -}}
{{- range $name := splitList " " (include "benchpilot.targetNames" .) -}}
{{- $t := index $.Values.targets $name -}}
{{- if and $t (or $t.enabled $t.host $t.url) -}}{{- $out = append $out $name -}}{{- end -}}
{{- end -}}
{{- join " " $out -}}
{{- end -}}

{{/* The names of the enabled targets, space-separated. */}}
{{- define "benchpilot.enabledTargets" -}}
{{- $out := list -}}
{{- range $name := splitList " " (include "benchpilot.targetNames" .) -}}
{{- $t := index $.Values.targets $name -}}
{{- if and $t $t.enabled -}}{{- $out = append $out $name -}}{{- end -}}
{{- end -}}
{{- join " " $out -}}
{{- end -}}

{{/* The postgres target's URL: targets.postgres.url, else built from host, port, user, database. */}}
{{- define "benchpilot.postgresTargetUrl" -}}
{{- $t := .Values.targets.postgres -}}
{{- if $t.url -}}
{{- $t.url -}}
{{- else -}}
{{- $user := default "postgres" $t.user -}}
{{- $host := $t.host -}}
{{- if contains ":" $host -}}{{- $host = printf "[%s]" $host -}}{{- end -}}
{{- printf "postgres://%s@%s:%d/%s" (urlquery $user) $host (int $t.port) (urlquery (default $user $t.database)) -}}
{{- end -}}
{{- end -}}

{{/*
Host and port of a URL, as JSON {"host": …, "port": …}: (dict "url" <url> "port" <default port>).
The default port follows the scheme when the URL has none.
*/}}
{{- define "benchpilot.urlHostPort" -}}
{{- $u := urlParse .url -}}
{{- $hp := $u.host -}}
{{- $host := $hp -}}
{{- $port := "" -}}
{{- if hasPrefix "[" $hp -}}
{{- $host = regexReplaceAll "^\\[([^\\]]*)\\].*$" $hp "${1}" -}}
{{- if regexMatch "\\]:[0-9]+$" $hp -}}{{- $port = regexReplaceAll "^.*\\]:([0-9]+)$" $hp "${1}" -}}{{- end -}}
{{- else if regexMatch ":[0-9]+$" $hp -}}
{{- $host = regexReplaceAll ":[0-9]+$" $hp "" -}}
{{- $port = regexReplaceAll "^.*:([0-9]+)$" $hp "${1}" -}}
{{- end -}}
{{- if not $port -}}
{{- $defaults := dict "http" 80 "ws" 80 "https" 443 "wss" 443 "postgres" 5432 "postgresql" 5432 -}}
{{- $port = default .port (get $defaults $u.scheme) -}}
{{- end -}}
{{- dict "host" $host "port" (int $port) | toJson -}}
{{- end -}}

{{/*
Where each enabled target is reached, as JSON {"endpoints": [{"target", "host", "port"}]}: from
host/port, or from the URL of URL-based targets (postgres with url, http, llm, tsdb).
*/}}
{{- define "benchpilot.targetEndpoints" -}}
{{- $out := list -}}
{{- range $name := splitList " " (include "benchpilot.enabledTargets" .) -}}
{{- if $name -}}
{{- $t := index $.Values.targets $name -}}
{{- if has $name (list "http" "llm" "tsdb") -}}
{{- $hp := include "benchpilot.urlHostPort" (dict "url" $t.url "port" 80) | fromJson -}}
{{- $out = append $out (dict "target" $name "host" $hp.host "port" $hp.port) -}}
{{- else if and (eq $name "postgres") $t.url -}}
{{- $hp := include "benchpilot.urlHostPort" (dict "url" $t.url "port" 5432) | fromJson -}}
{{- $out = append $out (dict "target" $name "host" $hp.host "port" $hp.port) -}}
{{- else -}}
{{- $out = append $out (dict "target" $name "host" $t.host "port" (int $t.port)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- dict "endpoints" $out | toJson -}}
{{- end -}}

{{/* True ("true") when a host is an IP address (IPv4 dotted quad, or IPv6). */}}
{{- define "benchpilot.isIP" -}}
{{- if or (regexMatch "^[0-9]{1,3}(\\.[0-9]{1,3}){3}$" .) (contains ":" .) -}}true{{- end -}}
{{- end -}}

{{/* The CIDR of one IP: /32 for IPv4, /128 for IPv6. */}}
{{- define "benchpilot.hostCidr" -}}
{{- if contains ":" . -}}{{ printf "%s/128" . }}{{- else -}}{{ printf "%s/32" . }}{{- end -}}
{{- end -}}

{{/*
One egress rule to a host and port: (dict "host" <host> "port" <port>). An IP gives an ipBlock of
that one address; a name (NetworkPolicy cannot match DNS names) allows the port to any destination.
*/}}
{{- define "benchpilot.egressTo" -}}
- ports:
    - protocol: TCP
      port: {{ .port }}
{{- if and .host (include "benchpilot.isIP" .host) }}
  to:
    - ipBlock:
        cidr: {{ include "benchpilot.hostCidr" .host }}
{{- end }}
{{- end -}}

{{/*
Egress to the cluster DNS: (dict "namespace" "labels" "ports" "cidrs").
*/}}
{{- define "benchpilot.dnsEgress" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .namespace }}
      podSelector:
        matchLabels:
          {{- toYaml .labels | nindent 10 }}
    {{- range .cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    {{- range .ports }}
    - protocol: UDP
      port: {{ . }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end -}}

{{/*
The credential variables the control plane reads, as JSON {"names": [sorted, unique]}: the
secretEnv variable names of the enabled targets.
*/}}
{{- define "benchpilot.credentialEnvNames" -}}
{{- $names := dict -}}
{{- range $name := splitList " " (include "benchpilot.enabledTargets" .) -}}
{{- if $name -}}
{{- range $role, $var := (index $.Values.targets $name).secretEnv -}}
{{- $_ := set $names $var true -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- dict "names" (keys $names | sortAlpha) | toJson -}}
{{- end -}}

{{/*
The values the chart's Secret holds for credentials, as JSON {ENV_NAME: value}, from
targets.<t>.credentials (by role) of the enabled targets.
*/}}
{{- define "benchpilot.credentialValues" -}}
{{- $out := dict -}}
{{- range $name := splitList " " (include "benchpilot.enabledTargets" .) -}}
{{- if $name -}}
{{- $t := index $.Values.targets $name -}}
{{- range $role, $value := $t.credentials -}}
{{- $_ := set $out (index $t.secretEnv $role) (toString $value) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $out | toJson -}}
{{- end -}}

{{/*
Runner pods
*/}}

{{/* The URL runner pods dial: runner.controlPlaneUrl, else the Service's cluster DNS name. */}}
{{- define "benchpilot.runnerUrl" -}}
{{- if .Values.runner.controlPlaneUrl -}}
{{- .Values.runner.controlPlaneUrl -}}
{{- else -}}
{{- printf "ws://%s.%s.svc.%s:8080/api/v1/runner" (include "benchpilot.fullname" .) .Release.Namespace .Values.clusterDomain -}}
{{- end -}}
{{- end -}}

{{/*
Requests and limits of runner and setup pods: runner.resources when set, else the profile preset.
No CPU limit in the presets: CFS throttling of a load generator shows up as latency of the target.
*/}}
{{- define "benchpilot.runnerResources" -}}
{{- if .Values.runner.resources -}}
{{- toYaml .Values.runner.resources -}}
{{- else -}}
{{- $profiles := dict
  "minimal" (dict "requests" (dict "cpu" "100m" "memory" "128Mi") "limits" (dict "memory" "512Mi"))
  "standard" (dict "requests" (dict "cpu" "500m" "memory" "256Mi") "limits" (dict "memory" "1Gi"))
  "large" (dict "requests" (dict "cpu" "2" "memory" "1Gi") "limits" (dict "memory" "4Gi"))
-}}
{{- toYaml (index $profiles .Values.runner.profile) -}}
{{- end -}}
{{- end -}}

{{/*
Storage
*/}}

{{/*
"true" when /data is a PersistentVolumeClaim: persistence.enabled, and either one replica, a
ReadWriteMany claim or an existing claim (several replicas cannot share a ReadWriteOnce volume).
*/}}
{{- define "benchpilot.usePvc" -}}
{{- $p := .Values.persistence -}}
{{- if and $p.enabled (or (le (int .Values.replicaCount) 1) $p.existingClaim (has "ReadWriteMany" $p.accessModes)) -}}true{{- end -}}
{{- end -}}

{{- define "benchpilot.claimName" -}}
{{- default (printf "%s-data" (include "benchpilot.fullname" .)) .Values.persistence.existingClaim -}}
{{- end -}}

{{/* The workload directories the server loads besides the shipped ones. */}}
{{- define "benchpilot.workloadDirs" -}}
{{- $dirs := list "/etc/benchpilot/workloads" -}}
{{- if .Values.workloads.existingConfigMap -}}{{- $dirs = append $dirs "/etc/benchpilot/workloads-existing" -}}{{- end -}}
{{- if .Values.workloads.existingNosqlbenchConfigMap -}}{{- $dirs = append $dirs "/etc/benchpilot/workloads-existing-nb5" -}}{{- end -}}
{{- dict "dirs" $dirs | toJson -}}
{{- end -}}

{{/*
Security
*/}}

{{/* Pod securityContext for Pod Security "restricted"; no fixed ids in OpenShift mode. */}}
{{- define "benchpilot.podSecurityContext" -}}
runAsNonRoot: true
{{- if not .Values.openshift }}
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
fsGroupChangePolicy: OnRootMismatch
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container securityContext for Pod Security "restricted" with a read-only root filesystem. */}}
{{- define "benchpilot.containerSecurityContext" -}}
allowPrivilegeEscalation: false
capabilities:
  drop:
    - ALL
readOnlyRootFilesystem: true
runAsNonRoot: true
{{- end -}}

{{/*
The server's config file (benchpilot.yaml): only keys src/server/config.ts (fileSchema, strict)
knows. Secrets never go here.
*/}}
{{- define "benchpilot.config" -}}
{{- $targets := dict -}}
{{- range $name := splitList " " (include "benchpilot.configuredTargets" .) -}}
{{- if $name -}}
{{- $t := index $.Values.targets $name -}}
{{- $entry := deepCopy (default (dict) $t.settings) -}}
{{- if eq $name "postgres" -}}
{{- $_ := set $entry "url" (include "benchpilot.postgresTargetUrl" $) -}}
{{- else if has $name (list "http" "tsdb") -}}
{{- $_ := set $entry "url" $t.url -}}
{{- else if eq $name "llm" -}}
{{- $_ := set $entry "url" $t.url -}}
{{- if $t.model -}}{{- $_ := set $entry "model" $t.model -}}{{- end -}}
{{- else -}}
{{- $_ := set $entry "host" $t.host -}}
{{- $_ := set $entry "port" (int $t.port) -}}
{{- if and (eq $name "cassandra") $t.localdc -}}{{- $_ := set $entry "localdc" $t.localdc -}}{{- end -}}
{{- if and (eq $name "presto") $t.user -}}{{- $_ := set $entry "user" $t.user -}}{{- end -}}
{{- end -}}
{{- $_ := set $entry "enabled" (default false $t.enabled) -}}
{{- $_ := set $entry "secretEnv" (default (dict) $t.secretEnv) -}}
{{- $_ := set $entry "workloads" (default (list) $t.workloads) -}}
{{- $_ := set $targets $name $entry -}}
{{- end -}}
{{- end -}}
{{- $k := dict
  "runnerUrl" (include "benchpilot.runnerUrl" .)
  "namespace" .Release.Namespace
  "release" .Release.Name
  "image" (include "benchpilot.runnerImage" .)
  "imagePullPolicy" (default .Values.image.pullPolicy .Values.runner.image.pullPolicy)
  "resources" (include "benchpilot.runnerResources" . | fromYaml)
  "backoffLimit" (int .Values.jobs.backoffLimit)
  "setupDeadlineSeconds" .Values.jobs.setupDeadlineSeconds
  "ttlSecondsAfterFinished" .Values.jobs.ttlSecondsAfterFinished
  "openshift" .Values.openshift
  "orphanJobs" .Values.jobs.orphanJobs
  "leaderElection" true
-}}
{{- with .Values.runner.nodeSelector }}{{ $_ := set $k "nodeSelector" . }}{{ end -}}
{{- with .Values.runner.tolerations }}{{ $_ := set $k "tolerations" . }}{{ end -}}
{{- with .Values.global.imagePullSecrets }}{{ $_ := set $k "imagePullSecrets" . }}{{ end -}}
{{- $config := dict
  "autoSetup" .Values.autoSetup
  "targets" $targets
  "workloads" (include "benchpilot.workloadDirs" . | fromJson)
  "executor" (dict "kind" "kubernetes" "kubernetes" $k)
  "nosqlbench" (dict "image" (include "benchpilot.nosqlbenchImage" .))
-}}
{{- if .Values.metrics.endpoint -}}
{{- $_ := set $config "metrics" (dict "endpoint" .Values.metrics.endpoint) -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/*
Checks that values the schema cannot express make sense; fails the render with what to change.
Included by the Deployment, the ConfigMap and the Secret.
*/}}
{{- define "benchpilot.validate" -}}
{{- $pg := .Values.state.postgres -}}
{{- if and (gt (int .Values.replicaCount) 1) (not $pg.enabled) -}}
{{- fail (printf "replicaCount is %d, but more than one replica needs an external PostgreSQL for state (SQLite on one volume serves one process): set state.postgres.enabled=true with state.postgres.url or state.postgres.existingSecret, or replicaCount=1" (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and (eq .Values.updateStrategy.type "RollingUpdate") (not $pg.enabled) -}}
{{- fail "updateStrategy.type=RollingUpdate would run two control planes on one SQLite volume during an upgrade: use Recreate, or set state.postgres.enabled=true (external PostgreSQL)" -}}
{{- end -}}
{{- if $pg.enabled -}}
{{- if and (not $pg.url) (not $pg.existingSecret) (not .Values.existingSecret) -}}
{{- fail "state.postgres.enabled=true needs DATABASE_URL: set state.postgres.url, or state.postgres.existingSecret (and state.postgres.existingSecretKey), or existingSecret holding DATABASE_URL" -}}
{{- end -}}
{{- if and $pg.url (or $pg.existingSecret .Values.existingSecret) -}}
{{- fail "state.postgres.url is stored in the chart's Secret, which is not created with existingSecret or state.postgres.existingSecret: put DATABASE_URL into that Secret and leave state.postgres.url empty" -}}
{{- end -}}
{{- if and $pg.url (not (regexMatch "^postgres(ql)?://" $pg.url)) -}}
{{- fail (printf "state.postgres.url must start with postgres:// or postgresql://, not %q" (regexReplaceAll "//[^@/]*@" $pg.url "//***@")) -}}
{{- end -}}
{{- end -}}
{{- if .Values.existingSecret -}}
{{- if .Values.auth.operatorToken -}}
{{- fail "auth.operatorToken and existingSecret are both set: put the token into the existing Secret under BENCHPILOT_OPERATOR_TOKEN and leave auth.operatorToken empty" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.auth.operatorToken (lt (len .Values.auth.operatorToken) 16) -}}
{{- fail "auth.operatorToken must have at least 16 characters (leave it empty to have one generated)" -}}
{{- end -}}
{{- $chartEnv := list "BENCHPILOT_HOST" "BENCHPILOT_PORT" "BENCHPILOT_DATA_DIR" "BENCHPILOT_LOG_LEVEL" "BENCHPILOT_OPERATOR_TOKEN" "POD_NAME" -}}
{{- if .Values.state.postgres.enabled -}}{{- $chartEnv = append $chartEnv "DATABASE_URL" -}}{{- end -}}
{{- $chartEnv = concat $chartEnv (include "benchpilot.credentialEnvNames" . | fromJson).names -}}
{{- range .Values.extraEnv -}}
{{- if has .name $chartEnv -}}
{{- fail (printf "extraEnv sets %s, which the chart sets already (a duplicate env entry is refused by server-side apply): use the chart's value for it" .name) -}}
{{- end -}}
{{- end -}}
{{- $pgUrl := .Values.targets.postgres.url -}}
{{- if and $pgUrl (regexMatch "^postgres(ql)?://[^/@]*:[^/@]*@" $pgUrl) -}}
{{- fail "targets.postgres.url must not contain a password: set targets.postgres.credentials.password instead (or, with existingSecret, the variable targets.postgres.secretEnv.password names)" -}}
{{- end -}}
{{- $reserved := list "BENCHPILOT_OPERATOR_TOKEN" "DATABASE_URL" "BENCHPILOT_HOST" "BENCHPILOT_PORT" "BENCHPILOT_DATA_DIR" "BENCHPILOT_LOG_LEVEL" "BENCHPILOT_EXECUTOR" "BENCHPILOT_RUNNER_URL" "BENCHPILOT_RUNNER_TOKEN" "BENCHPILOT_NAMESPACE" "BENCHPILOT_RUNNER_IMAGE" "BENCHPILOT_METRICS_ENDPOINT" "POD_NAME" -}}
{{- range $name := splitList " " (include "benchpilot.enabledTargets" .) -}}
{{- if $name -}}
{{- $t := index $.Values.targets $name -}}
{{- if has $name (list "http" "llm" "tsdb") -}}
{{- if not $t.url -}}
{{- fail (printf "targets.%s.enabled is true but targets.%s.url is empty: set the URL the runners send to" $name $name) -}}
{{- end -}}
{{- if not (regexMatch "^https?://[^/]+" $t.url) -}}
{{- fail (printf "targets.%s.url must be an http:// or https:// URL, not %q" $name $t.url) -}}
{{- end -}}
{{- else if eq $name "postgres" -}}
{{- if and (not $t.url) (not $t.host) -}}
{{- fail "targets.postgres.enabled is true but neither targets.postgres.url nor targets.postgres.host is set" -}}
{{- end -}}
{{- if and $t.url (not (regexMatch "^postgres(ql)?://[^/]+" $t.url)) -}}
{{- fail (printf "targets.postgres.url must be a postgres:// URL (without a password), not %q" (regexReplaceAll "//[^@/]*@" $t.url "//***@")) -}}
{{- end -}}

{{- else if not $t.host -}}
{{- fail (printf "targets.%s.enabled is true but targets.%s.host is empty: set the host name or IP the runners connect to" $name $name) -}}
{{- end -}}
{{- range $role, $var := $t.secretEnv -}}
{{- if has $var $reserved -}}
{{- fail (printf "targets.%s.secretEnv.%s is %s, a variable the control plane uses itself: choose another name" $name $role $var) -}}
{{- end -}}
{{- end -}}
{{- range $role, $value := $t.credentials -}}
{{- if not (hasKey (default (dict) $t.secretEnv) $role) -}}
{{- fail (printf "targets.%s.credentials.%s has no variable: add targets.%s.secretEnv.%s (the environment variable the workload reads)" $name $role $name $role) -}}
{{- end -}}
{{- if $.Values.existingSecret -}}
{{- fail (printf "targets.%s.credentials is set, but with existingSecret the chart creates no Secret: put %s into Secret %s instead" $name (index $t.secretEnv $role) $.Values.existingSecret) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
