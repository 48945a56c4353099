import { z } from 'zod';
import { Slug } from '../ids.ts';
import { At } from '../ops/time.ts';
import type { OrderStatus } from '../ops/work-order.ts';

/**
 * Photos staff take on a job (issue 14): the image travels as the raw request body, so a phone
 * sends the file it has without base64 or multipart; these are the answers about it.
 */

/** The image types a photo may have; the body's first bytes must say the same as its content-type. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const PhotoType = z.enum(PHOTO_TYPES);
export type PhotoType = z.infer<typeof PhotoType>;

/** A phone camera's JPEG is 2–4 MB; more is a mistake or an attack. */
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
/** Enough to show a job's state; a gallery is not what the control room needs. */
export const PHOTOS_PER_ORDER = 10;
/** The assignee adds photos while working the job (and right after resolving it); the control room at any time. */
export const PHOTO_STATUSES: readonly OrderStatus[] = ['accepted', 'on_site', 'resolved'];

export const PhotoId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const PhotoParams = z.object({ photoId: PhotoId });

/** A photo's record without its bytes (GET /api/v1/work-orders/:orderId/photos, and the upload's answer). */
export const Photo = z.object({
  id: z.number().int().positive(),
  orderId: z.string().min(1).max(64),
  /** the staff id of who took it, or the user id of a control-room user without a roster entry */
  takenBy: Slug,
  /** when it was stored, on the site clock */
  at: At,
  type: PhotoType,
  size: z.number().int().nonnegative(),
});
export type Photo = z.infer<typeof Photo>;
