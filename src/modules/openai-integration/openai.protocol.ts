import { chatCompletionsProtocol } from '../../platform/models/chat-completions-protocol';

/** OpenAI speaks the gateway's wire format natively: the model goes in the body, the paths are fixed. */
export const OPENAI_PROTOCOL = chatCompletionsProtocol({
  chatPath: () => '/chat/completions',
  embeddingsPath: () => '/embeddings',
  modelsPath: () => '/models',
  modelInBody: true,
  ownedBy: 'openai',
});
