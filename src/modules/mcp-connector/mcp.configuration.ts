/** An MCP connection's own configuration: where its server is, which transport it speaks, and which of its tools the platform offers. */
export interface McpConfiguration {
  readonly url: URL;
  readonly transport: 'streamable-http' | 'sse';
  readonly allowTools?: readonly string[];
  readonly denyTools?: readonly string[];
}

const TRANSPORTS = ['streamable-http', 'sse'] as const;
const MAX_TOOL_NAMES = 500;

export function mcpConfigurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const { url, transport, allowTools, denyTools } = configuration;
  if (typeof url !== 'string') problems.push('configuration.url is required: the MCP server endpoint (https://…/mcp)');
  else if (!endpointOf(configuration)) problems.push('configuration.url must be an http or https URL without user info or fragment');
  if (transport !== undefined && !(TRANSPORTS as readonly unknown[]).includes(transport)) problems.push(`configuration.transport must be one of: ${TRANSPORTS.join(', ')}`);
  for (const [field, value] of [
    ['allowTools', allowTools],
    ['denyTools', denyTools],
  ] as const) {
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.length > MAX_TOOL_NAMES || !value.every((name) => typeof name === 'string' && name.length > 0 && name.length <= 128)) {
      problems.push(`configuration.${field} must be a list of at most ${MAX_TOOL_NAMES} tool names`);
    }
  }
  return problems;
}

export function endpointOf(configuration: Readonly<Record<string, unknown>>): URL | undefined {
  if (typeof configuration.url !== 'string') return undefined;
  try {
    const url = new URL(configuration.url);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.hash) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

export function mcpConfigurationOf(configuration: Readonly<Record<string, unknown>>): McpConfiguration | undefined {
  const url = endpointOf(configuration);
  if (!url) return undefined;
  return {
    url,
    transport: configuration.transport === 'sse' ? 'sse' : 'streamable-http',
    ...(Array.isArray(configuration.allowTools) ? { allowTools: configuration.allowTools as string[] } : {}),
    ...(Array.isArray(configuration.denyTools) ? { denyTools: configuration.denyTools as string[] } : {}),
  };
}

/** The connection offers a tool when its allow-list (if any) names it and its deny-list does not. */
export function offersTool(configuration: McpConfiguration, name: string): boolean {
  if (configuration.denyTools?.includes(name)) return false;
  return configuration.allowTools === undefined || configuration.allowTools.includes(name);
}
