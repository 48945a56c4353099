/**
 * The edge's catalogue of operator-facing errors (the provisioning CLI and its store).
 * Device input is not an error: its refusal reasons are in rejections.ts.
 */
export const EDGE_ERRORS = {
  INVALID_ARGUMENT: 'ATRIUM_EDGE_INVALID_ARGUMENT',
  UNKNOWN_DEVICE: 'ATRIUM_EDGE_UNKNOWN_DEVICE',
  DEVICE_EXISTS: 'ATRIUM_EDGE_DEVICE_EXISTS',
  DEVICE_NOT_PROVISIONED: 'ATRIUM_EDGE_DEVICE_NOT_PROVISIONED',
} as const;

export type EdgeErrorCode = (typeof EDGE_ERRORS)[keyof typeof EDGE_ERRORS];

export class EdgeError extends Error {
  override name = 'EdgeError';
  constructor(
    readonly code: EdgeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
