/** The agent roles of an iteration, each with its own prompt, session and (optionally) model. */
export const ROLES = ['developer', 'developerRetry', 'developerFix', 'tester', 'testerCommit', 'visualReview'] as const;
export type Role = (typeof ROLES)[number];
