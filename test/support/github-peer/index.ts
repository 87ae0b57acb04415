export { startGitHubPeer, GitHubPeer } from './server';
export type { GitHubPeerOptions, RecordedGitHubRequest } from './server';
export type { GitHubAppRegistration } from './app-installations';
export { SECONDARY_LIMIT_MESSAGE } from './rate-limit';
export { GitHubOpenApi } from './openapi';
