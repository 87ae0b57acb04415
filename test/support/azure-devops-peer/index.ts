export { AzureDevOpsPeer, startAzureDevOpsPeer } from './server';
export type { AzureDevOpsPeerOptions, RecordedRequest, ThrottleOptions } from './server';
export type { PullRequest, Repository } from './git';
export type { Pipeline, PipelineRun } from './pipelines';
export type { WorkItem } from './work-items';
