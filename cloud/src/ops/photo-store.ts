import { Photo, PHOTOS_PER_ORDER, type PhotoType } from '@atrium/shared';
import { parseRow } from '../db/parse-row.ts';
import { isUniqueViolation, type SqlClient } from '../db/sql-client.ts';

/**
 * Photos on work orders (migration 12), in the same database as the orders: a backup of the
 * operational store keeps them, and nothing else has to be run or reached. Bytes leave the
 * database only for one photo at a time.
 */
export interface PhotoStore {
  /** Stores a photo; null when the order has PHOTOS_PER_ORDER already. */
  add(p: { orderId: string; takenBy: string; at: number; type: PhotoType; bytes: Buffer }): Promise<Photo | null>;
  /** An order's photos without their bytes, oldest first. */
  list(orderId: string): Promise<Photo[]>;
  /** One photo with its bytes; null when there is none with this id on this site. */
  get(id: number): Promise<{ photo: Photo; bytes: Buffer } | null>;
}

interface Row {
  id: string | number;
  order_id: string;
  taken_by: string;
  at: string | number;
  type: string;
  size: string | number;
}

const META = 'id, order_id, taken_by, at, type, length(bytes) as size';
const toPhoto = (r: Row): Photo =>
  parseRow(Photo, 'work_order_photos', String(r.id), { id: Number(r.id), orderId: r.order_id, takenBy: r.taken_by, at: Number(r.at), type: r.type, size: Number(r.size) });

/** Both engines hand bytea back as bytes (PGlite a Uint8Array, pg a Buffer): a Buffer over the same memory either way. */
const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export function createSqlPhotoStore(sql: SqlClient, siteId: string): PhotoStore {
  return {
    async add(p) {
      // The next number for the order; two uploads at once may pick the same one, and the
      // unique key refuses the second: it picks again (the table's check stops it past the bound).
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const { rows } = await sql.query<Row>(
            `insert into work_order_photos (site_id, order_id, n, taken_by, at, type, bytes)
             select $1, $2, coalesce(max(n), 0) + 1, $3, $4, $5, $6 from work_order_photos where site_id = $1 and order_id = $2
             having coalesce(max(n), 0) < $7
             returning ${META}`,
            [siteId, p.orderId, p.takenBy, p.at, p.type, p.bytes, PHOTOS_PER_ORDER],
          );
          return rows[0] ? toPhoto(rows[0]) : null;
        } catch (err) {
          if (!isUniqueViolation(err) || attempt === 2) throw err;
        }
      }
      throw new Error('unreachable');
    },
    async list(orderId) {
      const { rows } = await sql.query<Row>(`select ${META} from work_order_photos where site_id = $1 and order_id = $2 order by n`, [siteId, orderId]);
      return rows.map(toPhoto);
    },
    async get(id) {
      const { rows } = await sql.query<Row & { bytes: Uint8Array }>(`select ${META}, bytes from work_order_photos where site_id = $1 and id = $2`, [siteId, id]);
      const r = rows[0];
      return r ? { photo: toPhoto(r), bytes: asBuffer(r.bytes) } : null;
    },
  };
}
