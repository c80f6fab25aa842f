import { InitialSchema1795400000000 } from './1795400000000-initial-schema';
import { Reconciliation1795471717095 } from './1795471717095-reconciliation';

/** Every migration in order; listed explicitly so the app, tests and CLI load the same set from src or dist. */
export const MIGRATIONS = [InitialSchema1795400000000, Reconciliation1795471717095];
