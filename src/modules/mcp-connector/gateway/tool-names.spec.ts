import { uniqueParts } from './mcp-gateway.catalogue';
import { connectionSlug, gatewayToolName, mcpToolPart, operationToolPart, roomAfter, splitToolName, TOOL_NAME } from './tool-names';

describe('MCP gateway tool names', () => {
  const id = 'conn-0123456789abcdef0123456789abcdef';
  const slug = connectionSlug(id);

  it('derives the slug from the connection id in the tool-name alphabet, without a double underscore', () => {
    expect(slug).toBe('conn_0123456789abcdef0123456789abcdef');
    expect(slug).toMatch(TOOL_NAME);
    expect(slug).not.toContain('__');
  });

  it('names operations with dots as underscores', () => {
    expect(gatewayToolName(slug, operationToolPart('github.pulls.create'))).toBe(`${slug}__github_pulls_create`);
  });

  it('keeps an MCP tool name already in the alphabet, and hashes one that is not', () => {
    const room = roomAfter(slug);
    expect(mcpToolPart('read_file', room)).toBe('read_file');
    const dotted = mcpToolPart('files.read', room);
    expect(dotted).toMatch(/^files_read_[0-9a-f]{8}$/);
    expect(mcpToolPart('files/read', room)).not.toBe(dotted);
    const long = gatewayToolName(slug, mcpToolPart('x'.repeat(300), room));
    expect(long).toMatch(TOOL_NAME);
    expect(long).toHaveLength(128);
  });

  it('gives names that clean to the same part distinct parts', () => {
    const parts = uniqueParts(['a.b', 'a_b', 'c'], roomAfter(slug)).map((entry) => entry.part);
    expect(new Set(parts).size).toBe(3);
    expect(parts[2]).toBe('c');
  });

  it('splits a name at its first separator', () => {
    expect(splitToolName(`${slug}__echo__twice`)).toEqual({ slug, part: 'echo__twice' });
    expect(splitToolName('echo')).toBeUndefined();
    expect(splitToolName('__echo')).toBeUndefined();
    expect(splitToolName(`${slug}__`)).toBeUndefined();
  });
});
