import { mcpConfigurationOf, mcpConfigurationProblems, offersTool } from './mcp.configuration';

describe('MCP connection configuration', () => {
  it('needs an http(s) URL and names what is wrong', () => {
    expect(mcpConfigurationProblems({})).toEqual(['configuration.url is required: the MCP server endpoint (https://…/mcp)']);
    expect(mcpConfigurationProblems({ url: 'ftp://x/mcp' })).toEqual(['configuration.url must be an http or https URL without user info or fragment']);
    expect(mcpConfigurationProblems({ url: 'https://user:pw@x/mcp' })).toHaveLength(1);
    expect(mcpConfigurationProblems({ url: 'https://x/mcp', transport: 'websocket', allowTools: [1] })).toEqual([
      'configuration.transport must be one of: streamable-http, sse',
      'configuration.allowTools must be a list of at most 500 tool names',
    ]);
    expect(mcpConfigurationProblems({ url: 'https://tools.example/mcp', transport: 'sse', denyTools: ['x'] })).toEqual([]);
  });

  it('offers a tool the allow-list names and the deny-list does not', () => {
    const configuration = mcpConfigurationOf({ url: 'https://x/mcp', allowTools: ['a', 'b'], denyTools: ['b'] })!;
    expect(offersTool(configuration, 'a')).toBe(true);
    expect(offersTool(configuration, 'b')).toBe(false);
    expect(offersTool(configuration, 'c')).toBe(false);
    expect(offersTool(mcpConfigurationOf({ url: 'https://x/mcp' })!, 'anything')).toBe(true);
  });
});
