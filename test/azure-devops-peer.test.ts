import { AzureDevOpsPeer, startAzureDevOpsPeer } from './support/azure-devops-peer';

/** The Azure DevOps peer speaks the documented wire format: what the module's tests rely on, checked directly. */

const PAT = 'peer-pat-7c2d';
const AUTH = { authorization: `Basic ${Buffer.from(`:${PAT}`).toString('base64')}` };

describe('Azure DevOps peer', () => {
  let peer: AzureDevOpsPeer;
  const call = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${peer.organizationUrl}${path}`, { ...init, headers: { ...AUTH, ...(init.headers ?? {}) } });

  beforeAll(async () => {
    peer = await startAzureDevOpsPeer({ pats: [PAT] });
  });
  afterEach(() => {
    peer.reset();
    peer.setUnauthenticatedAnswer('401');
  });
  afterAll(async () => {
    await peer?.close();
  });

  it('requires api-version, answering with the VSS error body', async () => {
    const answer = await call('/Fabrikam/_apis/git/repositories');
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      $id: '1',
      innerException: null,
      message: expect.stringContaining('No api-version was supplied for the "GET" request'),
      typeName: 'Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException, Microsoft.VisualStudio.Services.WebApi',
      typeKey: 'VssVersionNotSpecifiedException',
      errorCode: 0,
      eventId: 3000,
    });
    expect((await call('/Fabrikam/_apis/git/repositories?api-version=9.0')).status).toBe(400);
  });

  it('takes a PAT as the Basic password, whatever the user name, and refuses others with 401 or the 203 sign-in page', async () => {
    peer.addRepository('web');
    expect(
      (await call('/Fabrikam/_apis/git/repositories?api-version=7.1', { headers: { authorization: `Basic ${Buffer.from(`anyone:${PAT}`).toString('base64')}` } })).status,
    ).toBe(200);
    const refused = await call('/Fabrikam/_apis/git/repositories?api-version=7.1', { headers: { authorization: `Basic ${Buffer.from(':wrong').toString('base64')}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic realm=/);

    peer.setUnauthenticatedAnswer('sign-in-page');
    const signIn = await fetch(`${peer.organizationUrl}/Fabrikam/_apis/git/repositories?api-version=7.1`);
    expect(signIn.status).toBe(203);
    expect(signIn.headers.get('content-type')).toContain('text/html');
    expect(await signIn.text()).toContain('Sign In');
  });

  it('lists in {count, value} envelopes, paging pipelines by x-ms-continuationtoken', async () => {
    peer.addPipeline('a');
    peer.addPipeline('b');
    peer.addPipeline('c');
    const first = await call('/Fabrikam/_apis/pipelines?api-version=7.1&$top=2');
    expect(await first.json()).toMatchObject({ count: 2, value: [{ name: 'a' }, { name: 'b' }] });
    const token = first.headers.get('x-ms-continuationtoken')!;
    const second = await call(`/Fabrikam/_apis/pipelines?api-version=7.1&$top=2&continuationToken=${token}`);
    expect(await second.json()).toMatchObject({ count: 1, value: [{ name: 'c' }] });
    expect(second.headers.get('x-ms-continuationtoken')).toBeNull();
  });

  it('takes work item changes only as application/json-patch+json', async () => {
    const patch = JSON.stringify([{ op: 'add', path: '/fields/System.Title', value: 'T' }]);
    const json = await call('/Fabrikam/_apis/wit/workitems/$Task?api-version=7.1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: patch });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ typeKey: 'VssRequestContentTypeNotSupportedException' });
    const created = await call('/Fabrikam/_apis/wit/workitems/$Task?api-version=7.1', { method: 'POST', headers: { 'content-type': 'application/json-patch+json' }, body: patch });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ id: 1, rev: 1, fields: { 'System.Title': 'T', 'System.WorkItemType': 'Task' } });
  });

  it('evaluates WIQL, refusing a time of day without timePrecision, and reads batches of at most 200', async () => {
    peer.addWorkItem('Bug', { 'System.Title': 'old' }, { changedDate: '2025-01-01T08:00:00.000Z' });
    peer.addWorkItem('Bug', { 'System.Title': 'new' }, { changedDate: '2025-01-01T12:00:00.000Z' });
    const query = JSON.stringify({ query: "SELECT [System.Id] FROM WorkItems WHERE [System.ChangedDate] >= '2025-01-01T10:00:00.000Z'" });
    const wiql = (suffix: string) => call(`/Fabrikam/_apis/wit/wiql?api-version=7.1${suffix}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: query });
    expect((await wiql('')).status).toBe(400);
    expect(await (await wiql('&timePrecision=true')).json()).toMatchObject({ queryType: 'flat', workItems: [{ id: 2 }] });

    const batch = (ids: number[]) =>
      call('/Fabrikam/_apis/wit/workitemsbatch?api-version=7.1', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ids, errorPolicy: 'omit' }),
      });
    expect(await (await batch([2, 99])).json()).toMatchObject({ count: 2, value: [{ id: 2 }, null] });
    expect((await batch(Array.from({ length: 201 }, (_, index) => index + 1))).status).toBe(400);
  });

  it('throttles with 429, Retry-After and the X-RateLimit-* headers', async () => {
    peer.throttleNext(1, { retryAfterSeconds: 9 });
    const throttled = await call('/_apis/connectionData?api-version=7.1');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('9');
    for (const header of ['x-ratelimit-resource', 'x-ratelimit-delay', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
      expect(throttled.headers.get(header)).not.toBeNull();
    expect((await call('/_apis/connectionData?api-version=7.1')).status).toBe(200);
    expect(peer.requests.map((request) => request.path)).toEqual(['/fabrikam/_apis/connectionData', '/fabrikam/_apis/connectionData']);
  });

  it('serves only its organization and known projects', async () => {
    expect((await fetch(`${peer.url}/contoso/_apis/connectionData?api-version=7.1`, { headers: AUTH })).status).toBe(404);
    const project = await call('/Nope/_apis/git/repositories?api-version=7.1');
    expect(project.status).toBe(404);
    expect(await project.json()).toMatchObject({ typeKey: 'ProjectDoesNotExistWithNameException' });
  });
});
