import { namespacedEventType } from '../../platform/vendors/event-types';
import type { NormalisedEvent } from '../../platform/vendors/vendor-descriptor';
import type { VerifiedWebhook } from '../../platform/webhooks/verification/webhook-verifier';

export const AZURE_DEVOPS_EVENT_NAMESPACE = 'com.azure-devops';

type Payload = Record<string, unknown>;

/**
 * A service-hook notification as a CloudEvent: `com.azure-devops.<eventType>` with the resource it is
 * about as the subject (https://learn.microsoft.com/azure/devops/service-hooks/events):
 * `projects/{project}/repos/{repo}/pullrequests/{id}`, `projects/{project}/repos/{repo}` (pushes),
 * `workitems/{id}`, `builds/{id}`, `pipelines/{id}/runs/{runId}`.
 */
export function normaliseServiceHook(verified: VerifiedWebhook): NormalisedEvent {
  const type = namespacedEventType(AZURE_DEVOPS_EVENT_NAMESPACE, verified.eventType);
  const payload = asRecord(verified.payload);
  const subject = subjectOf(verified.eventType, asRecord(payload.resource), asRecord(payload.resourceContainers));
  return subject === undefined ? { type } : { type, subject };
}

function subjectOf(eventType: string, resource: Payload, containers: Payload): string | undefined {
  if (eventType.startsWith('git.pullrequest.')) return pullRequestSubject(resource, containers);
  if (eventType === 'ms.vss-code.git-pullrequest-comment-event') return pullRequestSubject(asRecord(resource.pullRequest), containers);
  if (eventType === 'git.push') return repositorySubject(asRecord(resource.repository), containers);
  if (eventType.startsWith('workitem.')) return segments('workitems', workItemId(eventType, resource));
  if (eventType.startsWith('build.')) return segments('builds', idOf(resource.id));
  if (eventType.startsWith('ms.vss-pipelines.')) {
    const run = asRecord(resource.run);
    return segments('pipelines', idOf(asRecord(resource.pipeline).id ?? asRecord(run.pipeline).id), 'runs', idOf(run.id ?? resource.runId));
  }
  return undefined;
}

function pullRequestSubject(pullRequest: Payload, containers: Payload): string | undefined {
  const repository = repositorySubject(asRecord(pullRequest.repository), containers);
  const id = idOf(pullRequest.pullRequestId);
  return repository && id ? `${repository}/pullrequests/${id}` : undefined;
}

/** The project and repository by name (what people read), their ids when the payload carries no name. */
function repositorySubject(repository: Payload, containers: Payload): string | undefined {
  const project = asRecord(repository.project);
  return segments('projects', nameOf(project) ?? idOf(asRecord(containers.project).id), 'repos', nameOf(repository));
}

/**
 * `workitem.updated` carries the update (its own `id` is the update's number) with the work item in
 * `workItemId` or `revision.id`; the other work item events carry the work item itself.
 */
function workItemId(eventType: string, resource: Payload): string | undefined {
  if (eventType === 'workitem.updated') {
    const direct = idOf(resource.workItemId);
    return direct && direct !== '0' ? direct : idOf(asRecord(resource.revision).id);
  }
  return idOf(resource.id);
}

function nameOf(entity: Payload): string | undefined {
  return idOf(entity.name) ?? idOf(entity.id);
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `a/b/c/d` from alternating names and values; undefined when a value is missing. Values may not add segments. */
function segments(...parts: Array<string | undefined>): string | undefined {
  if (parts.some((part) => part === undefined)) return undefined;
  return parts.map((part, index) => (index % 2 === 1 ? encodeURIComponent(part!) : part)).join('/');
}

function asRecord(value: unknown): Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : {};
}
