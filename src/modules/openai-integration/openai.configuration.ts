/** The OpenAI side of a connection's `configuration`: the organisation and project its calls are billed to. */
export interface OpenAIConfiguration {
  /** `OpenAI-Organization`: an `org-…` id, for a key that belongs to several organisations. */
  organization?: string;
  /** `OpenAI-Project`: a `proj_…` id. */
  project?: string;
}

const OPENAI_ID = /^[A-Za-z0-9_-]{1,128}$/;

const HEADERS: Readonly<Record<keyof OpenAIConfiguration, string>> = { organization: 'OpenAI-Organization', project: 'OpenAI-Project' };

function idOf(configuration: Readonly<Record<string, unknown>>, field: keyof OpenAIConfiguration): string | undefined {
  const value = configuration[field];
  return typeof value === 'string' && OPENAI_ID.test(value) ? value : undefined;
}

/** The organisation and project headers, for the fields that are set (and well formed). */
export function openAIHeaders(configuration: Readonly<Record<string, unknown>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const field of Object.keys(HEADERS) as (keyof OpenAIConfiguration)[]) {
    const id = idOf(configuration, field);
    if (id !== undefined) headers[HEADERS[field]] = id;
  }
  return headers;
}

export function openAIConfigurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  return (Object.keys(HEADERS) as (keyof OpenAIConfiguration)[])
    .filter((field) => configuration[field] !== undefined && idOf(configuration, field) === undefined)
    .map((field) => `configuration.${field} must be an OpenAI ${field} id of at most 128 letters, digits, '-' and '_'`);
}
