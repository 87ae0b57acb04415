{{/*
Chart name, and the name of release-wide objects (TriggerAuthentication, NetworkPolicies). Per-role
objects are named after the role alone (see integration-platform.kebab).
*/}}
{{- define "integration-platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "integration-platform.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Kubernetes name of a role: kebab-case, with the brand words OpenAI, GitHub and DevOps kept whole
(OpenAIIntegrationService -> openai-integration-service). The Pulumi program derives the federated
credential subjects with the same rule.
*/}}
{{- define "integration-platform.kebab" -}}
{{- . | replace "OpenAI" "Openai" | replace "GitHub" "Github" | replace "DevOps" "Devops" | kebabcase }}
{{- end }}

{{- define "integration-platform.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "integration-platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/part-of: integration-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector of every pod of the release. */}}
{{- define "integration-platform.releaseSelector" -}}
app.kubernetes.io/name: {{ include "integration-platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector of one role's pods; context: dict "root" $ "role" <resolved role>. */}}
{{- define "integration-platform.selectorLabels" -}}
{{ include "integration-platform.releaseSelector" .root }}
app.kubernetes.io/component: {{ .role.kebab }}
{{- end }}

{{- define "integration-platform.roleLabels" -}}
{{ include "integration-platform.labels" .root }}
app.kubernetes.io/component: {{ .role.kebab }}
{{- end }}

{{- define "integration-platform.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
Environment variables the chart derives from structured values; values.env and roles[].env may not
set them, so each has exactly one place where it is configured.
*/}}
{{- define "integration-platform.managedEnv" -}}
{{- $names := list "APP_ROLE" "PORT" "GRPC_PORT" "DATA_DIR" "NODE_ENV" "SHUTDOWN_GRACE_PERIOD" "SHUTDOWN_DELAY" "SERVICEBUS_NAMESPACE" "KEYVAULT_URL" "AZURE_STORAGE_ACCOUNT_URL" "AZURE_STORAGE_CONTAINER" "AUTH_JWKS_URI" "AUTH_ISSUER" "AUTH_AUDIENCE" "EGRESS_ALLOW_LIST" }}
{{- if .Values.workloadIdentity.enabled }}
{{- $names = concat $names (list "AZURE_CLIENT_ID" "AZURE_TENANT_ID" "AZURE_FEDERATED_TOKEN_FILE") }}
{{- end }}
{{- if ne .Values.secretEnv.source "none" }}
{{- range .Values.secretEnv.items }}
{{- $names = append $names .env }}
{{- end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/*
The roles with `defaults` merged in and derived fields added, as JSON {"roles": [...]}:
  kebab          Kubernetes name
  http           kind http or http+grpc (Service, ingress)
  grpc           kind http+grpc (gRPC container and Service port, GRPC_PORT)
  keda           scaled by a KEDA ScaledObject (else an HPA, when autoscaling is enabled)
  triggers       rendered azure-servicebus triggers (only with a Service Bus namespace)
  clientId       workload identity client id, or ""
Fails on values the schema cannot express.
*/}}
{{- define "integration-platform.roles" -}}
{{- $root := . }}
{{- $managed := include "integration-platform.managedEnv" . | fromJsonArray }}
{{- range $name, $_ := .Values.env }}
{{- if has $name $managed }}
{{- fail (printf "env.%s is set by the chart from structured values (see values.yaml); set it there" $name) }}
{{- end }}
{{- end }}
{{- $secretEnv := .Values.secretEnv }}
{{- if and (eq $secretEnv.source "existingSecret") (not $secretEnv.existingSecret) }}
{{- fail "secretEnv.source existingSecret needs secretEnv.existingSecret (the Secret's name)" }}
{{- end }}
{{- if eq $secretEnv.source "keyVault" }}
{{- if not .Values.workloadIdentity.enabled }}
{{- fail "secretEnv.source keyVault needs workloadIdentity.enabled: the CSI driver reads Key Vault with each role's workload identity" }}
{{- end }}
{{- if not .Values.azure.tenantId }}
{{- fail "secretEnv.source keyVault needs azure.tenantId" }}
{{- end }}
{{- if not (include "integration-platform.keyVaultName" .) }}
{{- fail "secretEnv.source keyVault needs secretEnv.keyVaultName or azure.keyVaultUrl" }}
{{- end }}
{{- end }}
{{- $seen := dict }}
{{- $resolved := list }}
{{- range $index, $role := .Values.roles }}
{{- if hasKey $seen $role.name }}
{{- fail (printf "roles[%d]: role %s is listed twice" $index $role.name) }}
{{- end }}
{{- $_ := set $seen $role.name true }}
{{- $r := mergeOverwrite (deepCopy $root.Values.defaults) (deepCopy $role) }}
{{- $_ := set $r "kebab" (include "integration-platform.kebab" $role.name) }}
{{- $_ := set $r "http" (has $role.kind (list "http" "http+grpc")) }}
{{- $_ := set $r "grpc" (eq $role.kind "http+grpc") }}
{{- $_ := set $r "clientId" (index $root.Values.workloadIdentity.clientIds $role.name | default "") }}
{{- $scaling := $r.autoscaling }}
{{- $serviceBus := $scaling.serviceBus | default list }}
{{- $_ := set $r "keda" (and $scaling.enabled $root.Values.keda.enabled (or (not $r.http) (gt (len $serviceBus) 0))) }}
{{- $triggers := list }}
{{- if and $r.keda $root.Values.azure.serviceBusNamespace }}
{{- $triggers = $serviceBus }}
{{- end }}
{{- $_ := set $r "triggers" $triggers }}
{{- range $envName, $_ := ($role.env | default dict) }}
{{- if has $envName $managed }}
{{- fail (printf "roles[%d].env.%s (%s) is set by the chart from structured values (see values.yaml); set it there" $index $envName $role.name) }}
{{- end }}
{{- end }}
{{- $shutdown := $r.shutdown }}
{{- $floor := add $shutdown.gracePeriodSeconds $shutdown.delaySeconds 2 }}
{{- if le (int $shutdown.terminationGracePeriodSeconds) (int $floor) }}
{{- fail (printf "%s: shutdown.terminationGracePeriodSeconds (%v) must exceed gracePeriodSeconds + delaySeconds + 2 (%v), or the kubelet kills pods that are still draining" $role.name $shutdown.terminationGracePeriodSeconds $floor) }}
{{- end }}
{{- if $scaling.enabled }}
{{- if gt (int $scaling.minReplicas) (int $scaling.maxReplicas) }}
{{- fail (printf "%s: autoscaling.minReplicas (%v) exceeds maxReplicas (%v)" $role.name $scaling.minReplicas $scaling.maxReplicas) }}
{{- end }}
{{- if and (eq (int $scaling.minReplicas) 0) (eq (len $triggers) 0) }}
{{- fail (printf "%s: autoscaling.minReplicas 0 needs a Service Bus trigger to wake the role (autoscaling.serviceBus, azure.serviceBusNamespace and keda.enabled)" $role.name) }}
{{- end }}
{{- if and (not $scaling.targetCPUUtilizationPercentage) (not $scaling.targetMemoryUtilizationPercentage) (eq (len $triggers) 0) }}
{{- fail (printf "%s: autoscaling needs targetCPUUtilizationPercentage, targetMemoryUtilizationPercentage or a Service Bus trigger" $role.name) }}
{{- end }}
{{- end }}
{{- if and $r.http (gt (len $serviceBus) 0) (not $r.keda) }}
{{- fail (printf "%s: autoscaling.serviceBus needs keda.enabled and autoscaling.enabled" $role.name) }}
{{- end }}
{{- if eq $root.Values.secretEnv.source "keyVault" }}
{{- if not $r.clientId }}
{{- fail (printf "secretEnv.source keyVault: workloadIdentity.clientIds.%s is required (the CSI driver reads Key Vault with the role's identity)" $role.name) }}
{{- end }}
{{- end }}
{{- $resolved = append $resolved $r }}
{{- end }}
{{- toJson (dict "roles" $resolved) }}
{{- end }}

{{/* Key Vault name for the CSI driver: secretEnv.keyVaultName, else the host label of azure.keyVaultUrl. */}}
{{- define "integration-platform.keyVaultName" -}}
{{- if .Values.secretEnv.keyVaultName }}
{{- .Values.secretEnv.keyVaultName }}
{{- else if .Values.azure.keyVaultUrl }}
{{- (urlParse .Values.azure.keyVaultUrl).hostname | splitList "." | first }}
{{- end }}
{{- end }}

{{/*
KEDA azure-servicebus metadata identifying the namespace: its name, and the cloud when the host is not
in Azure public cloud (servicebus.windows.net).
*/}}
{{- define "integration-platform.serviceBusNamespaceMetadata" -}}
{{- $host := .Values.azure.serviceBusNamespace }}
{{- $labels := splitList "." $host }}
{{- $suffix := rest $labels | join "." }}
namespace: {{ first $labels | quote }}
{{- if eq $suffix "servicebus.usgovcloudapi.net" }}
cloud: AzureUSGovernmentCloud
{{- else if eq $suffix "servicebus.chinacloudapi.cn" }}
cloud: AzureChinaCloud
{{- else if ne $suffix "servicebus.windows.net" }}
cloud: Private
endpointSuffix: {{ $suffix | quote }}
{{- end }}
{{- end }}
