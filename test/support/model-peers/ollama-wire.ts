/** Ollama's chat, embed and tags answers (github.com/ollama/ollama/blob/main/docs/api.md). */
import { createHash } from 'node:crypto';
import { AnswerPlan, answerText, TOOL_ARGUMENTS } from './deterministic-answers';
import { fixedFrames, FrameSequence, PieceFrames, pieceFrameTemplate } from './frame-stream';

export interface OllamaTokenCounts {
  readonly prompt: number;
  readonly completion: number;
}

const NANOS_PER_MS = 1_000_000;

/** Durations in nanoseconds, as Ollama reports them; derived from the counts so answers are predictable. */
function timings(tokens: OllamaTokenCounts, msPerToken: number): Record<string, number> {
  const load = NANOS_PER_MS;
  const promptEval = tokens.prompt * 100_000;
  const evaluation = tokens.completion * Math.max(msPerToken, 1) * NANOS_PER_MS;
  return {
    total_duration: load + promptEval + evaluation,
    load_duration: load,
    prompt_eval_count: tokens.prompt,
    prompt_eval_duration: promptEval,
    eval_count: tokens.completion,
    eval_duration: evaluation,
  };
}

function assistantMessage(plan: AnswerPlan): Record<string, unknown> {
  if (plan.kind === 'text') return { role: 'assistant', content: answerText(plan) };
  // Ollama's tool call arguments are an object, not OpenAI's JSON string.
  return { role: 'assistant', content: '', tool_calls: [{ function: { name: plan.name, arguments: TOOL_ARGUMENTS } }] };
}

function doneReason(plan: AnswerPlan): string {
  return plan.kind === 'text' ? plan.finishReason : 'stop';
}

export function ollamaChatAnswer(model: string, plan: AnswerPlan, tokens: OllamaTokenCounts, msPerToken: number): Record<string, unknown> {
  return { model, created_at: new Date().toISOString(), message: assistantMessage(plan), done_reason: doneReason(plan), done: true, ...timings(tokens, msPerToken) };
}

const ndjson = (json: string) => `${json}\n`;

export function ndjsonErrorFrame(error: unknown): string {
  return ndjson(JSON.stringify({ error }));
}

/** One line per piece (a tool call is one line with the whole call), then the `done` line with the counts. */
export function ollamaChatStream(model: string, plan: AnswerPlan, tokens: OllamaTokenCounts, msPerToken: number): FrameSequence {
  const createdAt = new Date().toISOString();
  const line = (message: Record<string, unknown>, done: boolean) => ({ model, created_at: createdAt, message, done });
  const final = ndjson(JSON.stringify({ ...line({ role: 'assistant', content: '' }, true), done_reason: doneReason(plan), ...timings(tokens, msPerToken) }));
  if (plan.kind === 'tool-call') return fixedFrames([ndjson(JSON.stringify(line(assistantMessage(plan), false))), final]);
  const pieceLine = pieceFrameTemplate((piece) => line({ role: 'assistant', content: piece }, false), ndjson);
  return new PieceFrames([], plan.pieces, pieceLine, [final]);
}

export function ollamaEmbedAnswer(model: string, vectors: readonly number[][], promptTokens: number): Record<string, unknown> {
  return { model, embeddings: vectors, total_duration: NANOS_PER_MS + promptTokens * 100_000, load_duration: NANOS_PER_MS, prompt_eval_count: promptTokens };
}

/** `llama3.2` is `llama3.2:latest`. */
export function fullModelName(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

const KNOWN_MODEL_DETAILS: Record<string, { size: number; family: string; parameter_size: string; quantization_level: string }> = {
  'llama3.2:latest': { size: 2019393189, family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
  'nomic-embed-text:latest': { size: 274302450, family: 'nomic-bert', parameter_size: '137M', quantization_level: 'F16' },
};

export function ollamaTags(models: readonly string[]): Record<string, unknown> {
  return {
    models: models.map((name) => {
      const fullName = fullModelName(name);
      const known = KNOWN_MODEL_DETAILS[fullName] ?? { size: 1_000_000_000, family: fullName.split(/[:\d]/)[0] || 'llama', parameter_size: '1B', quantization_level: 'Q4_K_M' };
      return {
        name: fullName,
        model: fullName,
        modified_at: '2024-09-25T10:12:04.000000000Z',
        size: known.size,
        digest: createHash('sha256').update(fullName).digest('hex'),
        details: {
          parent_model: '',
          format: 'gguf',
          family: known.family,
          families: [known.family],
          parameter_size: known.parameter_size,
          quantization_level: known.quantization_level,
        },
      };
    }),
  };
}

export function defaultOllamaErrorMessage(status: number): string {
  switch (status) {
    case 503:
      return 'server busy, please try again.  maximum pending requests exceeded';
    case 429:
      return 'too many requests';
    case 500:
      return 'llama runner process has terminated: exit status 2';
    default:
      return `error ${status}`;
  }
}

export const OLLAMA_STREAM_ERROR = 'an error was encountered while running the model: unexpected EOF';

export const modelNotFound = (model: string) => ({ error: `model "${model}" not found, try pulling it first` });
