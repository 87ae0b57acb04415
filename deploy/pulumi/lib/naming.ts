/**
 * Brand words kept whole when a role name becomes a Kubernetes name, so `OpenAIIntegrationService` is
 * `openai-integration-service` and not `open-ai-integration-service`. The Helm chart names every
 * role's Deployment, Service and ServiceAccount this way; the federated credential subjects must match.
 */
const WHOLE_WORDS: readonly (readonly [RegExp, string])[] = [
  [/OpenAI/g, 'Openai'],
  [/GitHub/g, 'Github'],
  [/DevOps/g, 'Devops'],
];

/** `WebhookDeliveryWorker` -> `webhook-delivery-worker`, with the brand words above kept whole. */
export function kubernetesName(roleName: string): string {
  const normalised = WHOLE_WORDS.reduce((name, [pattern, replacement]) => name.replace(pattern, replacement), roleName);
  return normalised
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** The subject Kubernetes puts in a projected service account token: what a federated credential trusts. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/**
 * An ISO-8601 duration in the normalised form Azure returns (`PT1M`, `PT10M`, `PT1H30M`, `PT0.5S`), so a
 * refresh after `pulumi up` sees no difference between what was sent and what Azure stored.
 */
export function isoDuration(milliseconds: number): string {
  if (!Number.isInteger(milliseconds) || milliseconds <= 0) throw new RangeError(`A duration must be a positive whole number of milliseconds, got ${milliseconds}`);
  const days = Math.floor(milliseconds / 86_400_000);
  const hours = Math.floor((milliseconds % 86_400_000) / 3_600_000);
  const minutes = Math.floor((milliseconds % 3_600_000) / 60_000);
  const seconds = (milliseconds % 60_000) / 1000;
  const date = days > 0 ? `${days}D` : '';
  const time = [hours > 0 ? `${hours}H` : '', minutes > 0 ? `${minutes}M` : '', seconds > 0 ? `${seconds}S` : ''].join('');
  return `P${date}${time ? `T${time}` : ''}`;
}
