import type { Core } from '../../../core/core.js';
import type { Logger } from '../../../log.js';
import type { ActorResolver } from '../actor.js';

export interface ListenerDeps {
  core: Core;
  log: Logger;
  actors: ActorResolver;
}
