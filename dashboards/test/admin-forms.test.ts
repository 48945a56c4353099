import { describe, expect, it } from 'vitest';
import { ROLES, STAFF_ROLES as SHARED_STAFF_ROLES } from '@atrium/shared';
import * as f from '../public/admin-forms.js';

describe('admin forms and addresses', () => {
  it('finds the field a refusal from the cloud is about', () => {
    expect(f.fieldErrors('invalid body: userId: must be 1-64 chars of a-z, 0-9, "-" or "_", starting with a letter or digit')).toEqual([
      { field: 'userId', text: 'must be 1-64 chars of a-z, 0-9, "-" or "_", starting with a letter or digit' },
    ]);
    expect(f.fieldErrors('invalid body: shifts.0.to: must be after from; name: Too small: expected string to have >=1 characters')).toEqual([
      { field: 'shifts.0.to', text: 'must be after from' },
      { field: 'name', text: 'Too small: expected string to have >=1 characters' },
    ]);
    expect(f.fieldErrors('invalid request: staffId: no staff member "x" on site "mini" (add them to the roster first)')).toEqual([
      { field: 'staffId', text: 'no staff member "x" on site "mini" (add them to the roster first)' },
    ]);
    expect(f.fieldErrors('invalid request: body.id: "a" differs from the path\'s "b"')).toEqual([{ field: 'id', text: '"a" differs from the path\'s "b"' }]);
    expect(f.fieldErrors('a user "alice" exists already')).toEqual([{ field: '', text: 'a user "alice" exists already' }]);
  });

  it('knows which link each role needs, and every role of the shared schemas', () => {
    expect([...f.USER_ROLES].sort()).toEqual([...ROLES].sort());
    expect([...f.STAFF_ROLES].sort()).toEqual([...SHARED_STAFF_ROLES].sort());
    expect(f.USER_ROLES.map((r) => f.linkFieldOf(r))).toEqual(f.USER_ROLES.map((r) => (r === 'staff' || r === 'supervisor' ? 'staffId' : r === 'merchant' ? 'merchantId' : null)));
  });

  it('says what is wrong with an id before the cloud has to', () => {
    expect(f.slugProblem('guard-1')).toBe('');
    expect(f.slugProblem('')).toBe('is required');
    expect(f.slugProblem('Guard 1')).toMatch(/a-z, 0-9/);
    expect(f.slugProblem('a'.repeat(65))).toBe('must be at most 64 characters');
  });

  it('reads the section and its item from the address, and writes it back', () => {
    expect(f.parseRoute('')).toEqual({ section: 'users', rest: [] });
    expect(f.parseRoute('#staff')).toEqual({ section: 'staff', rest: [] });
    expect(f.parseRoute('#staff/guard-1')).toEqual({ section: 'staff', rest: ['guard-1'] });
    expect(f.parseRoute('#users/new/merchant/m-1')).toEqual({ section: 'users', rest: ['new', 'merchant', 'm-1'] });
    expect(f.parseRoute('#nowhere/x')).toEqual({ section: 'users', rest: [] });
    expect(f.parseRoute('#users/%E0%A4%A')).toEqual({ section: 'users', rest: [] });
    expect(f.routeHref('merchants', 'm 1')).toBe('#merchants/m%201');
    expect(f.parseRoute(f.routeHref('merchants', 'm 1'))).toEqual({ section: 'merchants', rest: ['m 1'] });
  });
});
