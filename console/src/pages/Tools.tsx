import { useState } from 'react';
import { describeError } from '../api';
import { ConnectionPicker } from '../components/ConnectionPicker';
import { SchemaForm } from '../components/SchemaForm';
import { ErrorBox, Section } from '../components/ui';
import { useCan, useConsole, useGet } from '../context';
import { navigate, type Route } from '../router';
import type { JsonSchema } from '../schema';
import type { McpTool } from '../types';

export function ToolsPage({ route }: { route: Route }) {
  const connectionId = route.params.get('connectionId') ?? '';
  return (
    <>
      <h1>MCP tools</h1>
      <Section title="Which MCP connection">
        <ConnectionPicker id="tools-connection" label="MCP connection" providerId="mcp" value={connectionId} onChange={(id) => navigate('tools', { connectionId: id }, true)} />
      </Section>
      {connectionId ? <ToolList connectionId={connectionId} /> : <p>Choose an MCP connection to list its tools.</p>}
    </>
  );
}

function ToolList({ connectionId }: { connectionId: string }) {
  const [fresh, setFresh] = useState(false);
  const tools = useGet<{ items: McpTool[] }>(`/mcp/connections/${encodeURIComponent(connectionId)}/tools`, fresh ? { fresh: 'true' } : undefined);
  const [chosen, setChosen] = useState<string | null>(null);
  const tool = tools.data?.items.find((item) => item.name === chosen);
  return (
    <>
      <Section
        title="Tools"
        actions={
          <button
            type="button"
            onClick={() => {
              setFresh(true);
              tools.reload();
            }}
          >
            List tools again
          </button>
        }
      >
        <ErrorBox error={tools.error} what="Tools" />
        {tools.loading ? <p aria-live="polite">Loading…</p> : null}
        <ul className="tool-list">
          {(tools.data?.items ?? []).map((item) => (
            <li key={item.name}>
              <button type="button" aria-pressed={item.name === chosen} onClick={() => setChosen(item.name)}>
                Try {item.title ?? item.name}
              </button>{' '}
              <span className="mono small">{item.name}</span>
              {item.description ? <div className="small">{item.description}</div> : null}
            </li>
          ))}
        </ul>
      </Section>
      {tool ? <TryTool key={tool.name} connectionId={connectionId} tool={tool} /> : null}
    </>
  );
}

function TryTool({ connectionId, tool }: { connectionId: string; tool: McpTool }) {
  const { api } = useConsole();
  const mayInvoke = useCan('invokeTools');
  const [result, setResult] = useState<unknown>(undefined);
  const schema: JsonSchema = tool.inputSchema && typeof tool.inputSchema === 'object' ? tool.inputSchema : { type: 'object', properties: {} };
  return (
    <Section title={`Try ${tool.title ?? tool.name}`}>
      {mayInvoke ? (
        <SchemaForm
          schema={schema}
          title={`Arguments of ${tool.name}`}
          submitLabel="Invoke tool"
          onSubmit={async (value) => {
            setResult(undefined);
            try {
              setResult(await api.send('POST', `/mcp/connections/${encodeURIComponent(connectionId)}/tools/${encodeURIComponent(tool.name)}/invoke`, { arguments: value }));
            } catch (error) {
              return describeError(error);
            }
          }}
        />
      ) : (
        <p className="error forbidden">Invoking a tool needs the scope integration.runs.execute.</p>
      )}
      {result !== undefined ? (
        <div aria-live="polite">
          <h3>Result</h3>
          <pre className="mono small">{JSON.stringify(result, null, 2)}</pre>
        </div>
      ) : null}
    </Section>
  );
}
