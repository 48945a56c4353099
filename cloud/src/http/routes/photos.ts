import type { FastifyError } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrors, OrderParams, Photo, PHOTO_MAX_BYTES, PHOTO_STATUSES, PHOTO_TYPES, PhotoParams, type PhotoType, PHOTOS_PER_ORDER } from '@atrium/shared';
import { Errors } from '../../errors.ts';
import { imageTypeOf } from '../../ops/image-type.ts';
import type { HttpDeps } from '../app.ts';
import { requireRole, SITE_WIDE } from '../auth.ts';
import { readableOrder } from './work-orders.ts';

/** The image itself, in the type it was stored with (documented, never serialised: the bytes are sent as they are). */
const ImageBytes = z.string().describe('the image bytes');
const IMAGE_ANSWER = { content: Object.fromEntries(PHOTO_TYPES.map((t) => [t, { schema: ImageBytes }])) };

/**
 * Photos staff take on a job (issue 14). The image is the raw request body: a phone sends the
 * file it has, with no base64 or multipart around it. The body parser and the size limit
 * below apply to this plugin's routes only.
 */
export const photoRoutes: FastifyPluginAsyncZod<HttpDeps> = async (app, deps) => {
  // Any type reaches the handler as bytes, so a wrong one is refused there, naming the field.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Fastify's own refusal of a body over the limit becomes the catalogue's (the parent handler renders it).
  app.setErrorHandler((err: FastifyError) => {
    throw err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? new Errors.PhotoTooLarge(PHOTO_MAX_BYTES) : err;
  });

  app.post(
    '/api/v1/work-orders/:orderId/photos',
    {
      bodyLimit: PHOTO_MAX_BYTES,
      schema: {
        summary: `Add a photo to a work order (its assignee while it is ${PHOTO_STATUSES.join(', ')}; supervisor or control room any time)`,
        description: `The body is the image itself, with its content-type (${PHOTO_TYPES.join(', ')}): at most ${PHOTO_MAX_BYTES} bytes, ${PHOTOS_PER_ORDER} photos per order.`,
        params: OrderParams,
        response: { 201: Photo, ...apiErrors(400, 401, 403, 404, 409, 413, 415, 500) },
      },
    },
    async (req, reply) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      const order = await readableOrder(deps.opsStore, p, req.params.orderId);
      if (p.role === 'staff') {
        if (order.assignee !== p.staffId) throw new Errors.Forbidden(`only the assignee adds photos to work order "${order.id}"`);
        if (!PHOTO_STATUSES.includes(order.status)) throw new Errors.PhotoNotNow(order.id, order.status);
      }
      const type = photoTypeOf(req.headers['content-type']);
      const bytes = req.body;
      if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new Errors.PhotoInvalid('body: is empty; send the image file itself');
      const actual = imageTypeOf(bytes);
      if (actual !== type) throw new Errors.PhotoInvalid(`body: is not ${type} as its content-type says (${actual ? `its bytes are ${actual}` : 'its bytes are no JPEG, PNG or WebP image'})`);
      const photo = await deps.photos.add({ orderId: order.id, takenBy: p.staffId ?? p.userId, at: deps.clock(), type, bytes });
      if (!photo) throw new Errors.PhotoLimitReached(order.id, PHOTOS_PER_ORDER);
      return reply.code(201).send(photo);
    },
  );

  app.get(
    '/api/v1/work-orders/:orderId/photos',
    { schema: { summary: "A work order's photos, oldest first, without their bytes (staff: their own orders)", params: OrderParams, response: { 200: Photo.array(), ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      const order = await readableOrder(deps.opsStore, p, req.params.orderId);
      return deps.photos.list(order.id);
    },
  );

  app.get(
    '/api/v1/photos/:photoId',
    { schema: { summary: 'One photo, the image itself (staff: on their own orders)', params: PhotoParams, response: { 200: IMAGE_ANSWER, ...apiErrors(400, 401, 403, 404, 500) } } },
    async (req, reply) => {
      const p = requireRole(req, [...SITE_WIDE, 'staff']);
      const found = await deps.photos.get(req.params.photoId);
      if (!found) throw new Errors.PhotoNotFound(req.params.photoId);
      await readableOrder(deps.opsStore, p, found.photo.orderId);
      // nosniff: the stored type was checked against the bytes; browsers must not guess another.
      // private: a photo is for the signed-in reader only, never for a shared cache.
      return reply.type(found.photo.type).header('x-content-type-options', 'nosniff').header('cache-control', 'private, max-age=3600').send(found.bytes as unknown as string); // bytes go out as they are: ImageBytes only documents them
    },
  );
};

function photoTypeOf(header: string | undefined): PhotoType {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  const known = PHOTO_TYPES.find((t) => t === type);
  if (!known) throw new Errors.PhotoUnsupportedType(`content-type: ${type ? `"${type}" is not a photo` : 'is missing'}; send ${PHOTO_TYPES.join(', ')}`);
  return known;
}
