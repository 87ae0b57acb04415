export { OpenAIPeer } from './openai-peer';
export type { OpenAIPeerOptions } from './openai-peer';
export { OllamaPeer } from './ollama-peer';
export type { OllamaPeerOptions } from './ollama-peer';
export type { ModelPeerOptions, RecordedRequest } from './model-peer-server';
export type { OpenAIRateLimit } from './openai-rate-limit';
export type { ScriptedAnswer, ScriptedCut, ScriptedDelay, ScriptedError, ScriptedStall, ScriptedStreamError } from './scripting';
export { TOOL_ARGUMENTS, TOOL_CALL_ID, wordPieces, embeddingVector } from './deterministic-answers';
