import { namespacedEventType } from '../../platform/vendors/event-types';
import type { NormalisedEvent } from '../../platform/vendors/vendor-descriptor';
import type { VerifiedWebhook } from '../../platform/webhooks/verification/webhook-verifier';

export const GITHUB_EVENT_NAMESPACE = 'com.github';

interface Payload {
  repository?: { full_name?: unknown };
  number?: unknown;
  pull_request?: { number?: unknown };
  issue?: { number?: unknown; pull_request?: unknown };
  check_run?: { id?: unknown };
  check_suite?: { id?: unknown };
  workflow_run?: { id?: unknown };
  workflow_job?: { id?: unknown };
  ref?: unknown;
}

/**
 * `X-GitHub-Event[.action]` as `com.github.<event>[.<action>]`, with the resource it is about as the
 * subject: `repos/octo/hello/pulls/7`, `repos/octo/hello/issues/3`, `repos/octo/hello/check-runs/42`,
 * `repos/octo/hello/actions/runs/9`, `repos/octo/hello@refs/heads/main` for a push; the repository when
 * nothing narrower is named, none when the event has no repository (an installation, an organisation).
 */
export function normaliseGitHubEvent(verified: VerifiedWebhook): NormalisedEvent {
  const type = namespacedEventType(GITHUB_EVENT_NAMESPACE, verified.eventType);
  const subject = subjectOf(verified.eventType.split('.')[0], (verified.payload ?? {}) as Payload);
  return subject === undefined ? { type } : { type, subject };
}

function subjectOf(event: string, payload: Payload): string | undefined {
  const fullName = payload.repository?.full_name;
  if (typeof fullName !== 'string' || fullName.length === 0) return undefined;
  const repo = `repos/${fullName}`;
  const id = (value: unknown) => (typeof value === 'number' || (typeof value === 'string' && value.length > 0) ? String(value) : undefined);
  switch (event) {
    case 'pull_request':
    case 'pull_request_review':
    case 'pull_request_review_comment':
    case 'pull_request_review_thread': {
      const number = id(payload.pull_request?.number) ?? id(payload.number);
      return number ? `${repo}/pulls/${number}` : repo;
    }
    case 'issues':
    case 'issue_comment': {
      const number = id(payload.issue?.number);
      if (!number) return repo;
      // GitHub sends comments on pull requests as issue_comment: the subject names the pull request.
      return payload.issue?.pull_request ? `${repo}/pulls/${number}` : `${repo}/issues/${number}`;
    }
    case 'check_run':
      return suffixed(repo, 'check-runs', id(payload.check_run?.id));
    case 'check_suite':
      return suffixed(repo, 'check-suites', id(payload.check_suite?.id));
    case 'workflow_run':
      return suffixed(repo, 'actions/runs', id(payload.workflow_run?.id));
    case 'workflow_job':
      return suffixed(repo, 'actions/jobs', id(payload.workflow_job?.id));
    case 'push':
      return typeof payload.ref === 'string' && payload.ref.length > 0 ? `${repo}@${payload.ref}` : repo;
    default:
      return repo;
  }
}

function suffixed(repo: string, collection: string, id: string | undefined): string {
  return id ? `${repo}/${collection}/${id}` : repo;
}
