import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * GitHub's published OpenAPI description (@octokit/openapi, api.github.com): what a request the platform
 * sends must look like (path template, query parameters, JSON body schema), and GitHub's documented
 * example answers. OpenAPI 3.0 schemas are JSON Schema with `nullable`, which Ajv reads natively.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the description is walked as plain JSON
type Json = any;

const DOCUMENT_ID = 'github-openapi';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head'] as const;

interface Template {
  readonly template: string;
  readonly pattern: RegExp;
  /** Literal characters: the most specific template wins when several match. */
  readonly specificity: number;
}

export interface RequestToCheck {
  readonly method: string;
  /** The path as sent, percent-encoded, without the base URL's path prefix. */
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly contentType?: string;
  readonly body: string;
}

export interface OperationMatch {
  readonly template: string;
  readonly operation: Json;
}

export class GitHubOpenApi {
  private static loaded: GitHubOpenApi | undefined;
  private readonly ajv: Ajv;
  private readonly templates: Template[];
  private readonly bodyValidators = new Map<string, ValidateFunction>();

  private constructor(private readonly document: Json) {
    this.ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateFormats: true }));
    // GitHub's own format for `owner/name`.
    this.ajv.addFormat('repo.nwo', /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/);
    this.ajv.addSchema(withNullableTypes(document), DOCUMENT_ID);
    this.templates = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(
        `^${template
          .split('/')
          .map((segment) => segmentPattern(segment, document.paths[template]))
          .join('/')}$`,
      ),
      specificity: template.replace(/\{[^}]+\}/g, '').length,
    }));
  }

  /** The api.github.com description, loaded once per jest worker (13 MB of JSON). */
  static load(): GitHubOpenApi {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- required, not imported: tsc would infer a type for all 13 MB of it
    return (GitHubOpenApi.loaded ??= new GitHubOpenApi(require('@octokit/openapi/generated/api.github.com.json')));
  }

  match(method: string, path: string): OperationMatch | undefined {
    const verb = method.toLowerCase();
    const candidates = this.templates.filter(({ template, pattern }) => pattern.test(path) && this.document.paths[template][verb]);
    candidates.sort((a, b) => b.specificity - a.specificity);
    const found = candidates[0];
    return found ? { template: found.template, operation: this.document.paths[found.template][verb] } : undefined;
  }

  /** What is wrong with a request by GitHub's description: an unknown endpoint, an undeclared query parameter, a body its schema refuses. */
  problems(request: RequestToCheck): string[] {
    const matched = this.match(request.method, request.path);
    if (!matched) return [`${request.method} ${request.path} matches no path of GitHub's REST API`];
    const where = `${request.method} ${matched.template}`;
    const problems: string[] = [];
    const declared = new Map<string, Json>();
    for (const parameter of this.parameters(matched)) if (parameter.in === 'query') declared.set(parameter.name, parameter.schema ?? {});
    for (const [name, value] of Object.entries(request.query)) {
      const schema = declared.get(name);
      if (!schema) {
        problems.push(`${where}: query parameter ${name} is not declared`);
        continue;
      }
      for (const item of Array.isArray(value) ? value : [value]) {
        const problem = queryValueProblem(schema, item);
        if (problem) problems.push(`${where}: query ${name}=${item} ${problem}`);
      }
    }
    const requestBody = this.resolve(matched.operation.requestBody);
    const hasBody = request.body.length > 0;
    if (requestBody?.required && !hasBody) problems.push(`${where}: a request body is required`);
    if (hasBody) {
      if (!requestBody?.content?.['application/json']) problems.push(`${where}: takes no JSON body`);
      else if (!/application\/json/i.test(request.contentType ?? '')) problems.push(`${where}: the body is not labelled application/json`);
      else problems.push(...this.bodyProblems(where, matched, request.body));
    }
    return problems;
  }

  /** What is wrong with an answer by the response schema GitHub documents for its operation and status (JSON bodies only). */
  answerProblems(method: string, path: string, status: number, body: unknown): string[] {
    const matched = this.match(method, path);
    const response = matched ? this.resolve(matched.operation.responses?.[String(status)]) : undefined;
    if (!matched || !response?.content?.['application/json']?.schema) return [];
    const key = `answer ${matched.template} ${method} ${status}`;
    let validate = this.bodyValidators.get(key);
    if (!validate) {
      const verb = method.toLowerCase();
      const pointer = ['paths', matched.template, verb, 'responses', String(status), 'content', 'application/json', 'schema'].map(escapePointer).join('/');
      const holder = matched.operation.responses[String(status)];
      const ref = typeof holder?.$ref === 'string' ? `${DOCUMENT_ID}${holder.$ref}/content/application~1json/schema` : `${DOCUMENT_ID}#/${pointer}`;
      validate = this.ajv.compile({ $ref: ref });
      this.bodyValidators.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).slice(0, 10).map((error) => `${method} ${matched.template} → ${status}: body${error.instancePath} ${error.message}`);
  }

  /** GitHub's documented example answer of an operation (its first 2xx response with one). */
  example(method: string, template: string): { status: number; body: Json } {
    const operation = this.document.paths[template]?.[method.toLowerCase()];
    if (!operation) throw new Error(`No operation ${method} ${template}`);
    for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
      const examples = this.resolve(response)?.content?.['application/json']?.examples;
      const first = examples ? Object.values(examples)[0] : undefined;
      if (status.startsWith('2') && first) return { status: Number(status), body: structuredClone(this.exampleValue(first)) };
    }
    throw new Error(`No example answer for ${method} ${template}`);
  }

  /** A named example of components/examples. */
  namedExample(name: string): Json {
    const example = this.document.components.examples[name];
    if (!example) throw new Error(`No example ${name}`);
    return structuredClone(this.exampleValue(example));
  }

  /** An Example Object's value; the description also nests examples by reference (`{summary, value: {$ref}}`). */
  private exampleValue(node: Json): Json {
    let example = this.resolve(node);
    while (example?.value && typeof example.value.$ref === 'string') example = this.resolve(example.value);
    return example?.value;
  }

  private bodyProblems(where: string, matched: OperationMatch, body: string): string[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [`${where}: the body is not JSON`];
    }
    const validate = this.bodyValidator(matched);
    if (validate(parsed)) return [];
    return (validate.errors ?? []).map(
      (error) => `${where}: body${error.instancePath} ${error.message}${error.params?.additionalProperty ? ` (${error.params.additionalProperty})` : ''}`,
    );
  }

  private bodyValidator(matched: OperationMatch): ValidateFunction {
    const key = `${matched.template} ${matched.operation.operationId}`;
    let validate = this.bodyValidators.get(key);
    if (!validate) {
      const method = METHODS.find((verb) => this.document.paths[matched.template][verb] === matched.operation)!;
      const pointer = ['paths', matched.template, method, 'requestBody', 'content', 'application/json', 'schema'].map(escapePointer).join('/');
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#/${pointer}` });
      this.bodyValidators.set(key, validate);
    }
    return validate;
  }

  private parameters(matched: OperationMatch): Json[] {
    const shared = this.document.paths[matched.template].parameters ?? [];
    return [...shared, ...(matched.operation.parameters ?? [])].map((parameter: Json) => this.resolve(parameter));
  }

  private resolve(node: Json): Json {
    let current = node;
    while (current && typeof current.$ref === 'string') {
      current = current.$ref
        .slice(2)
        .split('/')
        .map((part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((value: Json, part: string) => value?.[part], this.document);
    }
    return current;
  }
}

/**
 * OpenAPI 3.0's `nullable: true` beside `oneOf`/`anyOf`/`allOf` and no `type` (which Ajv refuses): the
 * same meaning written as a null alternative. Applied once, in place, to the loaded description.
 */
function withNullableTypes(node: Json): Json {
  const stack: Json[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current !== 'object' || current === null) continue;
    // Ajv reads `nullable` for `type` only: an enum of a nullable field takes null too.
    if (current.nullable === true && Array.isArray(current.enum) && !current.enum.includes(null)) current.enum.push(null);
    if (current.nullable === true && current.type === undefined) {
      delete current.nullable;
      if (Array.isArray(current.oneOf)) current.oneOf.push({ type: 'null' });
      else if (Array.isArray(current.anyOf)) current.anyOf.push({ type: 'null' });
      else if (Array.isArray(current.allOf)) {
        const allOf = current.allOf;
        delete current.allOf;
        current.anyOf = [{ allOf }, { type: 'null' }];
      }
    }
    for (const value of Object.values(current)) if (typeof value === 'object' && value !== null) stack.push(value);
  }
  return node;
}

function segmentPattern(segment: string, pathItem: Json): string {
  const parameter = /^\{([^}]+)\}$/.exec(segment)?.[1];
  if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const multiSegment = METHODS.some((verb) => (pathItem[verb]?.parameters ?? []).some((candidate: Json) => candidate.name === parameter && candidate['x-multi-segment']));
  return multiSegment ? '.+' : '[^/]+';
}

function queryValueProblem(schema: Json, value: string): string | undefined {
  const type = schema.type;
  if (type === 'integer' && !/^-?\d+$/.test(value)) return 'is not an integer';
  if (type === 'boolean' && value !== 'true' && value !== 'false') return 'is not a boolean';
  if (Array.isArray(schema.enum) && !schema.enum.includes(type === 'integer' ? Number(value) : value)) return `is not one of ${schema.enum.join(', ')}`;
  if (type === 'integer' && typeof schema.maximum === 'number' && Number(value) > schema.maximum) return `exceeds ${schema.maximum}`;
  return undefined;
}

/** A JSON pointer token inside a URI fragment: `~` and `/` escaped (RFC 6901), then percent-encoded. */
function escapePointer(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}
