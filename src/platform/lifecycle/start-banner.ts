export interface StartBannerInfo {
  readonly roles: string;
  readonly bootMs: number;
  readonly baseUrl: string;
  readonly grpcPort?: number;
  /** The console's address; with a development token in its fragment when one could be minted. */
  readonly console?: { readonly url: string; readonly tenantId?: string; readonly validForMinutes?: number };
  readonly docs: boolean;
  /** How to get a token: `npm run token …`, or the identity provider. */
  readonly tokenHint: string;
  readonly store: string;
  readonly dataDir?: string;
}

/**
 * The block `npm start` prints on a terminal (LOG_FORMAT=pretty): where the platform is, how to sign in,
 * where its data lives. The console link carries a token in its fragment, which browsers never send to
 * a server, so it is printed here, on the terminal, and never logged.
 */
export function formatStartBanner(info: StartBannerInfo, colour = false): string {
  const bold = (text: string) => (colour ? `\u001b[1m${text}\u001b[0m` : text);
  const dim = (text: string) => (colour ? `\u001b[2m${text}\u001b[0m` : text);
  const rows: Array<[string, string]> = [['API', info.baseUrl]];
  if (info.grpcPort !== undefined) rows.push(['gRPC', `127.0.0.1:${info.grpcPort}`]);
  if (info.console) {
    const signsIn = info.console.tenantId ? dim(`  (signs in to tenant "${info.console.tenantId}" for ${info.console.validForMinutes} min)`) : '';
    rows.push(['Console', `${info.console.url}${signsIn}`]);
  }
  if (info.docs) rows.push(['API docs', `${info.baseUrl}/docs`]);
  rows.push(['Token', info.tokenHint]);
  rows.push(['Data', info.dataDir ? `${info.store} under ${info.dataDir}` : info.store]);
  rows.push(['Logs', dim('LOG_FORMAT=json for JSON lines')]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    '',
    `  ${bold('Integration platform')}  ${dim(`roles: ${info.roles} · ready in ${info.bootMs} ms`)}`,
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    '',
  ].join('\n');
}
