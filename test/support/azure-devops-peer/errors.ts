import { jsonResponse, PeerResponse } from '../peer-http';

/**
 * Azure DevOps' error body (a serialised VSS exception):
 * `{"$id":"1","innerException":null,"message":"...","typeName":"...","typeKey":"...","errorCode":0,"eventId":3000}`.
 */
export function azureDevOpsError(status: number, typeKey: string, message: string, headers: Record<string, string> = {}): PeerResponse {
  return jsonResponse(
    status,
    {
      $id: '1',
      innerException: null,
      message,
      typeName: `Microsoft.VisualStudio.Services.WebApi.${typeKey}, Microsoft.VisualStudio.Services.WebApi`,
      typeKey,
      errorCode: 0,
      eventId: 3000,
    },
    headers,
  );
}

export const notFound = (what: string): PeerResponse => azureDevOpsError(404, 'VssResourceNotFoundException', what);

export const badRequest = (message: string, typeKey = 'VssServiceException'): PeerResponse => azureDevOpsError(400, typeKey, message);

/** The page Azure DevOps answers an unauthenticated browser-style request with, as HTTP 203. */
export const SIGN_IN_PAGE = '<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body><form id="signin" action="/_signin"></form></body></html>';
