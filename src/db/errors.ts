const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

/** True when the database could not be reached, as opposed to a query that was wrong. */
export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const { code, message, cause } = e as { code?: string; message?: string; cause?: unknown };
    if (code && CONNECTION_CODES.has(code)) return true;
    if (message && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|Connection ended/i.test(message)) return true;
    if (err instanceof AggregateError) return err.errors.some(isConnectionError);
    e = cause;
  }
  return false;
}
