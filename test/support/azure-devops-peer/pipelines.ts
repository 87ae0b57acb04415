import { jsonResponse, PeerRequest, PeerResponse } from '../peer-http';
import { azureDevOpsError } from './errors';
import { IDENTITY, jsonObjectBody, PeerLocation, Project } from './model';
import { continuationPage, listEnvelope } from './paging';

export interface Pipeline {
  readonly id: number;
  readonly name: string;
  readonly project: Project;
}

/** A queued run; the build API serves the same run by the same id. */
export interface PipelineRun {
  readonly id: number;
  readonly pipeline: Pipeline;
  readonly refName: string;
  readonly templateParameters: Record<string, unknown>;
  readonly variables: Record<string, unknown>;
  readonly createdDate: string;
}

const DEFAULT_PIPELINES_TOP = 1000;

/** `/{project}/_apis/pipelines...` and `/{project}/_apis/build/builds/{id}`. */
export class PipelineResources {
  readonly pipelines: Pipeline[] = [];
  readonly runs: PipelineRun[] = [];
  private nextPipelineId = 1;
  private nextRunId = 1;

  constructor(private readonly location: PeerLocation) {}

  addPipeline(project: Project, name: string): Pipeline {
    const pipeline = { id: this.nextPipelineId++, name, project };
    this.pipelines.push(pipeline);
    return pipeline;
  }

  reset(): void {
    this.pipelines.length = 0;
    this.runs.length = 0;
    this.nextPipelineId = 1;
    this.nextRunId = 1;
  }

  handlePipelines(project: Project, segments: readonly string[], request: PeerRequest): PeerResponse | undefined {
    const ofProject = this.pipelines.filter((pipeline) => pipeline.project === project).sort((a, b) => a.id - b.id);
    if (segments.length === 0 && request.method === 'GET') {
      const { page, continuationToken } = continuationPage(ofProject, request, DEFAULT_PIPELINES_TOP);
      return jsonResponse(200, listEnvelope(page.map((pipeline) => this.pipelineJson(pipeline))), continuationToken ? { 'x-ms-continuationtoken': continuationToken } : {});
    }
    const pipeline = ofProject.find((candidate) => String(candidate.id) === segments[0]);
    if (!pipeline) return azureDevOpsError(404, 'PipelineNotFoundException', `Pipeline with id ${segments[0]} not found.`);
    if (segments.length === 1 && request.method === 'GET') return jsonResponse(200, this.pipelineJson(pipeline));
    if (segments.length === 2 && segments[1] === 'runs' && request.method === 'POST') {
      const body = jsonObjectBody(request) ?? {};
      const self = (((body.resources as Record<string, unknown> | undefined)?.repositories as Record<string, unknown> | undefined)?.self ?? {}) as { refName?: unknown };
      const run: PipelineRun = {
        id: this.nextRunId++,
        pipeline,
        refName: typeof self.refName === 'string' ? self.refName : 'refs/heads/main',
        templateParameters: (body.templateParameters as Record<string, unknown>) ?? {},
        variables: (body.variables as Record<string, unknown>) ?? {},
        createdDate: new Date().toISOString(),
      };
      this.runs.push(run);
      return jsonResponse(200, this.runJson(run));
    }
    return undefined;
  }

  handleBuilds(project: Project, segments: readonly string[], request: PeerRequest): PeerResponse | undefined {
    if (segments[0] !== 'builds' || segments.length !== 2 || request.method !== 'GET') return undefined;
    const run = this.runs.find((candidate) => candidate.pipeline.project === project && String(candidate.id) === segments[1]);
    if (!run) return azureDevOpsError(404, 'BuildNotFoundException', `The requested build ${segments[1]} could not be found.`);
    return jsonResponse(200, {
      id: run.id,
      buildNumber: `${run.createdDate.slice(0, 10).replace(/-/g, '')}.${run.id}`,
      status: 'inProgress',
      queueTime: run.createdDate,
      startTime: run.createdDate,
      definition: { id: run.pipeline.id, name: run.pipeline.name },
      project: { id: project.id, name: project.name },
      sourceBranch: run.refName,
      sourceVersion: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      requestedFor: IDENTITY,
      url: `${this.location.collectionUrl}/${project.id}/_apis/build/Builds/${run.id}`,
      _links: { web: { href: `${this.location.collectionUrl}/${encodeURIComponent(project.name)}/_build/results?buildId=${run.id}` } },
    });
  }

  private pipelineJson(pipeline: Pipeline): Record<string, unknown> {
    return {
      id: pipeline.id,
      revision: 1,
      name: pipeline.name,
      folder: '\\',
      url: `${this.location.collectionUrl}/${pipeline.project.id}/_apis/pipelines/${pipeline.id}?revision=1`,
      _links: { web: { href: `${this.location.collectionUrl}/${encodeURIComponent(pipeline.project.name)}/_build/definition?definitionId=${pipeline.id}` } },
    };
  }

  private runJson(run: PipelineRun): Record<string, unknown> {
    const project = run.pipeline.project;
    return {
      id: run.id,
      name: `${run.createdDate.slice(0, 10).replace(/-/g, '')}.${run.id}`,
      state: 'inProgress',
      createdDate: run.createdDate,
      pipeline: { id: run.pipeline.id, name: run.pipeline.name, revision: 1, folder: '\\' },
      resources: { repositories: { self: { refName: run.refName } } },
      templateParameters: run.templateParameters,
      url: `${this.location.collectionUrl}/${project.id}/_apis/pipelines/${run.pipeline.id}/runs/${run.id}`,
      _links: { web: { href: `${this.location.collectionUrl}/${encodeURIComponent(project.name)}/_build/results?buildId=${run.id}` } },
    };
  }
}
