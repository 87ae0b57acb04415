import type { CompletionAnswer, ModelStream } from '../model-calls';
import { answerTrailers, toCompleteResponse, toListModelsResponse, toStreamEvents, toStreamStart } from './wire-to-proto';

describe('neutral answers as integration.models.v1 messages', () => {
  const answer: CompletionAnswer = {
    requestId: 'mreq-1',
    rateLimitHeaders: { 'x-ratelimit-remaining-tokens': '10' },
    attempts: [
      { runId: 'r0', connectionId: 'c0', providerId: 'p0', model: 'm0', failure: { category: 'RateLimited', code: 'http_429' } },
      { runId: 'r1', connectionId: 'c1', providerId: 'p1', model: 'm1' },
    ],
    completion: {
      id: 'cmpl',
      object: 'chat.completion',
      created: 5,
      model: 'm1',
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'no' }, finish_reason: null }],
    },
  };

  it('names the answering provider (the last attempt) and every attempt', () => {
    const response = toCompleteResponse(answer);
    expect(response).toEqual({
      id: 'cmpl',
      model: 'm1',
      created: 5,
      provider_id: 'p1',
      request_id: 'mreq-1',
      choices: [{ index: 0, finish_reason: '', message: { role: 'assistant', tool_calls: [], refusal: 'no' } }],
      attempts: [
        { run_id: 'r0', connection_id: 'c0', provider_id: 'p0', model: 'm0', failure_category: 'RateLimited', failure_code: 'http_429' },
        { run_id: 'r1', connection_id: 'c1', provider_id: 'p1', model: 'm1' },
      ],
    });
    expect(answerTrailers(answer)).toEqual({ 'x-ratelimit-remaining-tokens': '10', 'x-request-id': 'mreq-1' });
  });

  it('turns each choice of a chunk into a chunk event, and usage into a usage event only when asked', () => {
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk' as const,
      created: 1,
      model: 'm',
      choices: [{ index: 1, delta: { tool_calls: [{ index: 0, id: 't1', function: { name: 'f', arguments: '{"a"' } }] }, finish_reason: null }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    };
    expect(toStreamEvents(chunk, true)).toEqual([
      { chunk: { id: 'c', index: 1, tool_calls: [{ index: 0, id: 't1', name: 'f', arguments: '{"a"' }] } },
      { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
    ]);
    expect(toStreamEvents(chunk, false)).toHaveLength(1);
  });

  it('starts a stream with its answering attempt', () => {
    const stream = { runId: 'r1', connectionId: 'c1', providerId: 'p1', model: 'm1', requestId: 'mreq-1', attempts: answer.attempts } as unknown as ModelStream;
    expect(toStreamStart(stream)).toMatchObject({ run_id: 'r1', connection_id: 'c1', provider_id: 'p1', model: 'm1', request_id: 'mreq-1' });
  });

  it('lists routes without a connection', () => {
    expect(
      toListModelsResponse({
        models: [
          { id: 'r', created: 0, owned_by: 't', route: true },
          { id: 'm', created: 2, owned_by: 'o', connectionId: 'c' },
        ],
      }),
    ).toEqual({
      models: [
        { id: 'r', created: 0, owned_by: 't', route: true },
        { id: 'm', created: 2, owned_by: 'o', connection_id: 'c', route: false },
      ],
    });
  });
});
