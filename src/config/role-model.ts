import type { Role } from '../vocabulary/roles.js';
import type { Config } from './load.js';

/**
 * Model resolution: roleModels[role], else (visualReview) visualReviewModel, else piModel,
 * else undefined so pi uses its own default.
 */
export function modelForRole(
  config: Pick<Config, 'roleModels' | 'visualReviewModel' | 'piModel'>,
  role: Role,
): string | undefined {
  return config.roleModels[role] ?? (role === 'visualReview' ? config.visualReviewModel : undefined) ?? config.piModel;
}
