/*
Everything of the workers (BullMQ, ioredis) behind one dynamic import(): `worker` and an engine
with orchestrator.workers load it, nothing else does. It imports no module that the start-up path
imports (what it needs is injected: fleet-keys.ts's FleetServices, the runner), so the bundle's
start-up chunks stay as they were.
*/
export {startWorker} from '../fleet/start-worker.js';
export {openFleet} from '../fleet/open-fleet.js';
