import { errorTypeOfStatus } from '../../platform/models/model-errors';
import type { VendorModelError } from '../../platform/models/model-protocol';

/** Ollama's `{"error": "text"}` in the chat-completions API's terms: a 404 is a model it does not have (not pulled). */
export function ollamaError(status: number, message: string): VendorModelError {
  return { message, type: errorTypeOfStatus(status), param: null, code: status === 404 ? 'model_not_found' : null };
}
