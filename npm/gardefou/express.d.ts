import type { RequestHandler } from 'express';
import type { Pool } from './pg';

/** The §8 debug routes: sandbox only, behind `X-Debug-Secret`; otherwise a pass-through. */
export function debugRoutes(options: { pool: Pool }): RequestHandler;
export const PREFIX: '/api/_debug/';
export const DB_IDENTITY: '/api/_debug/db-identity';
export const SECRET_HEADER: 'x-debug-secret';
