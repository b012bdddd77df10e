import { describe, expect, it } from 'vitest';
import { DATABASE_DOWN } from '../../src/core/create-core.js';
import { createCore } from '../../src/core/create-core.js';
import { Clock } from '../../src/core/clock.js';
import { createDb } from '../../src/db/connect.js';
import { isConnectionError } from '../../src/db/errors.js';
import { realContent } from '../helpers/engine.js';

describe('when the database cannot be reached', () => {
  it('tells the learner plainly that nothing was saved', async () => {
    // A port nothing listens on: every query fails to connect.
    const handle = await createDb({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', dataDir: null });
    try {
      const { content, faq } = await realContent();
      const core = createCore({ db: handle.db, content, faq, clock: new Clock(), reminderAfterHours: 24, admins: [] });
      const reply = await core.command({ platform: 'slack', userId: 'U1', displayName: 'maria', isAdmin: false }, { channelId: 'C1' }, { name: 'checkin', status: 'on-track' });
      expect(reply).toEqual({ kind: 'message', message: { text: DATABASE_DOWN, private: true } });
    } finally {
      await handle.close();
    }
  });

  it('tells connection failures apart from query errors', () => {
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
  });
});
