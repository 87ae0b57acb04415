export interface LiveEventRead {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a server-sent event stream until `enough` says so (or the time is up), then hangs up. */
export async function readLiveEvents(url: string, token: string, enough: (events: LiveEventRead[]) => boolean, timeoutMs = 10_000) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const events: LiveEventRead[] = [];
  const opened = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  const ready = { status: opened.status, contentType: opened.headers.get('content-type') };
  let buffer = '';
  try {
    for await (const chunk of opened.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += Buffer.from(chunk).toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
      if (enough(events)) break;
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { ...ready, events };
}
