import type { VendorOperation } from '../../platform/vendors/vendor-descriptor';
import { DISPATCH_WORKFLOW, GET_WORKFLOW_RUN, LIST_WORKFLOW_RUNS } from './operations/actions';
import { CREATE_CHECK_RUN, CREATE_COMMIT_STATUS, UPDATE_CHECK_RUN } from './operations/checks';
import { GET_CONTENT } from './operations/contents';
import { CREATE_ISSUE, CREATE_ISSUE_COMMENT, GET_ISSUE, LIST_ISSUES } from './operations/issues';
import { CREATE_PULL, CREATE_PULL_COMMENT, CREATE_PULL_REVIEW, GET_PULL, LIST_PULLS, MERGE_PULL } from './operations/pulls';
import { GET_REPOSITORY, LIST_REPOSITORIES } from './operations/repos';

/** GitHub's named operations, as `GET /github/operations` lists them. */
export const GITHUB_OPERATIONS: readonly VendorOperation[] = [
  LIST_REPOSITORIES,
  GET_REPOSITORY,
  LIST_PULLS,
  GET_PULL,
  CREATE_PULL,
  MERGE_PULL,
  CREATE_PULL_REVIEW,
  CREATE_PULL_COMMENT,
  LIST_ISSUES,
  GET_ISSUE,
  CREATE_ISSUE,
  CREATE_ISSUE_COMMENT,
  CREATE_CHECK_RUN,
  UPDATE_CHECK_RUN,
  CREATE_COMMIT_STATUS,
  DISPATCH_WORKFLOW,
  LIST_WORKFLOW_RUNS,
  GET_WORKFLOW_RUN,
  GET_CONTENT,
];
