import { normaliseGitHubEvent } from './github.events';

const repository = { full_name: 'octo/hello' };
const normalise = (eventType: string, payload: unknown) => normaliseGitHubEvent({ deliveryId: 'd-1', eventType, payload });

describe('GitHub event normalisation', () => {
  it.each([
    ['pull_request.opened', { action: 'opened', number: 7, pull_request: { number: 7 }, repository }, 'com.github.pull_request.opened', 'repos/octo/hello/pulls/7'],
    ['pull_request_review.submitted', { pull_request: { number: 8 }, repository }, 'com.github.pull_request_review.submitted', 'repos/octo/hello/pulls/8'],
    ['pull_request_review_comment.created', { pull_request: { number: 9 }, repository }, 'com.github.pull_request_review_comment.created', 'repos/octo/hello/pulls/9'],
    ['issues.opened', { issue: { number: 3 }, repository }, 'com.github.issues.opened', 'repos/octo/hello/issues/3'],
    ['issue_comment.created', { issue: { number: 4 }, repository }, 'com.github.issue_comment.created', 'repos/octo/hello/issues/4'],
    ['issue_comment.created', { issue: { number: 5, pull_request: { url: 'x' } }, repository }, 'com.github.issue_comment.created', 'repos/octo/hello/pulls/5'],
    ['push', { ref: 'refs/heads/main', repository }, 'com.github.push', 'repos/octo/hello@refs/heads/main'],
    ['check_run.completed', { check_run: { id: 42 }, repository }, 'com.github.check_run.completed', 'repos/octo/hello/check-runs/42'],
    ['check_suite.requested', { check_suite: { id: 43 }, repository }, 'com.github.check_suite.requested', 'repos/octo/hello/check-suites/43'],
    ['workflow_run.completed', { workflow_run: { id: 99 }, repository }, 'com.github.workflow_run.completed', 'repos/octo/hello/actions/runs/99'],
    ['workflow_job.queued', { workflow_job: { id: 100 }, repository }, 'com.github.workflow_job.queued', 'repos/octo/hello/actions/jobs/100'],
    ['release.published', { release: { id: 1 }, repository }, 'com.github.release.published', 'repos/octo/hello'],
    ['pull_request.opened', { repository }, 'com.github.pull_request.opened', 'repos/octo/hello'],
  ])('%s → %s', (eventType, payload, type, subject) => {
    expect(normalise(eventType, payload)).toEqual({ type: expect.any(String), subject });
    expect(normalise(eventType, payload).type).toBe(type);
  });

  it('names no subject for an event without a repository', () => {
    expect(normalise('installation.created', { installation: { id: 1 } })).toEqual({ type: 'com.github.installation.created' });
    expect(normalise('ping', null)).toEqual({ type: 'com.github.ping' });
  });
});
