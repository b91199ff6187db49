import * as pg from 'pg';
export { GardefouError } from './index';

/** node-postgres's Pool; each new connection is proven before it is handed out. */
export class Pool extends pg.Pool {}
/** node-postgres's Client; `connect()` rejects with a GardefouError when the proof fails. */
export class Client extends pg.Client {}
export const types: typeof pg.types;
